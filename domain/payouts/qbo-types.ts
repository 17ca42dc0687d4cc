/**
 * The QBO bodies a payout writes: a Deposit (docs/qbo-facts.md §4 "Deposit") and, for a negative payout, a
 * JournalEntry (docs/payouts.md). Amounts are JSON numbers made by toQboAmount, never computed on.
 */
import type { QboRef } from '../mapping/qbo-types';

/**
 * A linked line carries `LinkedTxn` and nothing else: QBO refuses `DetailType`/`DepositLineDetail` beside it
 * (docs/qbo-facts.md §4; docs/payouts.md). `TxnLineId: "0"` is Intuit's own sample for a whole transaction; for a
 * JournalEntry it names the line that moved the clearing account.
 */
export interface QboDepositLinkedLine {
  Amount: number;
  LinkedTxn: [{ TxnId: string; TxnType: 'SalesReceipt' | 'Payment' | 'RefundReceipt' | 'JournalEntry'; TxnLineId: string }];
}

export interface QboDepositDetailLine {
  Amount: number;
  DetailType: 'DepositLineDetail';
  Description: string;
  DepositLineDetail: { AccountRef: QboRef; Entity?: QboRef & { type: 'Vendor' }; ClassRef?: QboRef };
}

export type QboDepositLine = QboDepositLinkedLine | QboDepositDetailLine;

export interface QboDepositBody {
  DocNumber: string;
  TxnDate: string;
  PrivateNote: string;
  DepositToAccountRef: QboRef;
  DepartmentRef?: QboRef;
  Line: QboDepositLine[];
}

export interface QboJournalLine {
  DetailType: 'JournalEntryLineDetail';
  Amount: number;
  Description: string;
  JournalEntryLineDetail: { PostingType: 'Debit' | 'Credit'; AccountRef: QboRef; ClassRef?: QboRef; DepartmentRef?: QboRef };
}

export interface QboJournalEntryBody {
  DocNumber: string;
  TxnDate: string;
  PrivateNote: string;
  Line: [QboJournalLine, QboJournalLine];
}

export function isLinkedLine(line: QboDepositLine): line is QboDepositLinkedLine {
  return 'LinkedTxn' in line;
}
