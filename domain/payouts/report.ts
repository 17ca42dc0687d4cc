/**
 * What buildDeposit returns besides the QBO bodies: the reconciliation report that `GET /stores/:id/payouts/:id`
 * shows (docs/payouts.md "The Deposit"): each balance transaction → its line and document, each line → its rows,
 * the clearing accounts' net change, the flags.
 */
import type { Money } from '../money';
import type { PayoutCategory } from './categories';
import type { ClearingDocument, LinkableType } from './documents';
import type { QboDepositBody, QboJournalEntryBody } from './qbo-types';
import { legacyIdOf, type BalanceTransaction } from './types';

export interface DocumentRef {
  txnType: LinkableType | 'JournalEntry';
  txnId: string;
  docNumber?: string | null;
}

/**
 * linked: its document is linked · clearing: on the clearing line · line: on its category's line · fee_only: no
 * amount, only a fee · transfer: the payout's own transfer · expanded: a retried payout, its contents booked instead.
 */
export type RowOutcome = 'linked' | 'clearing' | 'line' | 'fee_only' | 'transfer' | 'expanded';

export interface RowReport {
  transactionId: string;
  type: string;
  category: PayoutCategory;
  amount: Money;
  fee: Money;
  net: Money;
  orderName: string | null;
  /** For the contents of a retried payout: the row that brought them back. */
  via: string | null;
  outcome: RowOutcome;
  /** Index into the Deposit's `Line` of the line carrying this row's amount (its fee is on the fee line). */
  lineIndex: number | null;
  document: DocumentRef | null;
  accountId: string | null;
}

export interface LineReport {
  index: number;
  kind: 'linked' | 'clearing' | 'fees' | 'category' | 'journal';
  amount: Money;
  description: string;
  accountId: string | null;
  document: DocumentRef | null;
  transactionIds: string[];
}

export interface PayoutFlag {
  code: string;
  reason: string;
  transactionId?: string;
}

export interface ClearingChange {
  accountId: string;
  /** What the payout's contents put in (their documents) minus what this payout takes out. */
  change: Money;
}

export interface ReconciliationReport {
  payoutId: string;
  legacyId: string;
  docNumber: string;
  currency: string;
  /** The bank movement: the payout's net, negative for a withdrawal. */
  payoutNet: Money;
  depositTotal: Money;
  /** Σ fee of every row (and of a retried payout's contents). */
  fees: Money;
  /** What the fee line books: equal to `fees` (invariant 4). */
  feesBooked: Money;
  rows: RowReport[];
  lines: LineReport[];
  clearing: ClearingChange[];
  /** Every clearing account's change is zero (invariant 4). */
  clearingBalanced: boolean;
  flags: PayoutFlag[];
  needsAttention: boolean;
}

export interface DepositPlan {
  kind: 'deposit' | 'journal_and_zero_deposit';
  deposit: QboDepositBody;
  journalEntry: QboJournalEntryBody | null;
  report: ReconciliationReport;
}

/** "DISPUTE_WITHDRAWAL #1044 (chargeback) [5000012]": how a row is named on its line and in reasons. */
export function describeRow(tx: BalanceTransaction): string {
  return [tx.type, tx.associatedOrder?.name, tx.adjustmentReason ? `(${tx.adjustmentReason})` : null, `[${legacyIdOf(tx.id)}]`]
    .filter(Boolean)
    .join(' ');
}

export function refOf(d: ClearingDocument): DocumentRef {
  return { txnType: d.txnType, txnId: d.txnId, docNumber: d.docNumber ?? null };
}

export function rowReport(
  tx: BalanceTransaction,
  category: PayoutCategory,
  via: string | null,
  at: { outcome: RowOutcome; lineIndex?: number | null; document?: DocumentRef | null; accountId?: string | null },
): RowReport {
  return {
    transactionId: tx.id,
    type: tx.type,
    category,
    amount: tx.amount,
    fee: tx.fee,
    net: tx.net,
    orderName: tx.associatedOrder?.name ?? null,
    via,
    outcome: at.outcome,
    lineIndex: at.lineIndex ?? null,
    document: at.document ?? null,
    accountId: at.accountId ?? null,
  };
}
