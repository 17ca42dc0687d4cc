/**
 * A negative payout (docs/payouts.md; docs/payouts.md "Negative and zero payouts"): QBO refuses a negative
 * Deposit, so a JournalEntry takes |net| out of the bank through the Shopify Payments clearing account, and the
 * zero-total Deposit links that entry's debit line for +|net|, which clears it again. Intuit's own procedure for
 * negative Undeposited Funds items.
 */
import { toDecimalString, toQboAmount, type Money } from '../money';
import type { PayoutAccounts } from './accounts';
import { payoutPrivateNote } from './names';
import type { QboDepositBody, QboDepositLinkedLine, QboJournalEntryBody } from './qbo-types';
import type { LineReport } from './report';
import type { Payout } from './types';

/** The TxnId a negative payout's Deposit carries until its JournalEntry exists (linkJournalEntry). */
export const JOURNAL_ENTRY_PENDING = 'journal-entry-pending';

export function negativePayoutJournal(
  payout: Payout,
  abs: Money,
  accounts: PayoutAccounts & { bank: string },
  header: { docNumber: string; txnDate: string },
): { journalEntry: QboJournalEntryBody; line: QboDepositLinkedLine; report: Omit<LineReport, 'index'> } {
  const description = `Shopify payout ${payout.legacyResourceId}: ${toDecimalString(abs)} ${abs.currency} taken from the bank`;
  const dims = {
    ...(accounts.classId ? { ClassRef: { value: accounts.classId } } : {}),
    ...(accounts.departmentId ? { DepartmentRef: { value: accounts.departmentId } } : {}),
  };
  const amount = toQboAmount(abs);
  const journalLine = (PostingType: 'Debit' | 'Credit', account: string) => ({
    DetailType: 'JournalEntryLineDetail' as const,
    Amount: amount,
    Description: description,
    JournalEntryLineDetail: { PostingType, AccountRef: { value: account }, ...dims },
  });
  return {
    journalEntry: {
      DocNumber: header.docNumber,
      TxnDate: header.txnDate,
      PrivateNote: payoutPrivateNote(payout, 'Negative payout: the Deposit with the same number links this entry'),
      // The debit comes first: QBO numbers journal lines from 0, and the Deposit links line "0".
      Line: [journalLine('Debit', accounts.paymentsClearing), journalLine('Credit', accounts.bank)],
    },
    line: { Amount: amount, LinkedTxn: [{ TxnId: JOURNAL_ENTRY_PENDING, TxnType: 'JournalEntry', TxnLineId: '0' }] },
    report: {
      kind: 'journal',
      amount: abs,
      description,
      accountId: accounts.paymentsClearing,
      document: { txnType: 'JournalEntry', txnId: JOURNAL_ENTRY_PENDING, docNumber: header.docNumber },
      transactionIds: [],
    },
  };
}

/**
 * The Id QBO gave the journal entry's debit line (its samples number journal lines from "0", debit first, which
 * the plan assumes); read from QBO's answer so the link names the line QBO actually holds.
 */
export function journalDebitLineId(journal: Record<string, unknown>): string | null {
  const lines = Array.isArray(journal.Line) ? (journal.Line as Record<string, unknown>[]) : [];
  const debit = lines.find((l) => (l.JournalEntryLineDetail as Record<string, unknown> | undefined)?.PostingType === 'Debit');
  return debit?.Id === undefined || debit.Id === null ? null : String(debit.Id);
}

/** The Deposit of a negative payout once its JournalEntry exists in QBO: the link names it and its debit line. */
export function linkJournalEntry(deposit: QboDepositBody, journalEntryId: string, debitLineId = '0'): QboDepositBody {
  return {
    ...deposit,
    Line: deposit.Line.map((line) =>
      'LinkedTxn' in line && line.LinkedTxn[0].TxnId === JOURNAL_ENTRY_PENDING
        ? { ...line, LinkedTxn: [{ ...line.LinkedTxn[0], TxnId: journalEntryId, TxnLineId: debitLineId }] }
        : line,
    ),
  };
}
