/**
 * The QBO document behind each charge and refund of a payout, as the saga found it, and what a missing one
 * means: wait for it (the order is not booked yet, or parked), or never (the order is deliberately not in
 * QBO). Pure: the saga's activity reads the ledger and QBO and hands these in, keyed by the balance
 * transaction's `sourceOrderTransactionId`.
 */
import type { Money } from '../money';
import type { LedgerEntry } from '../sync/ledger-entry';
import { categoryOf } from './categories';
import { legacyIdOf, type BalanceTransaction } from './types';

export type LinkableType = 'SalesReceipt' | 'Payment' | 'RefundReceipt';

/** A document whose money sits in a clearing account, ready to be linked by a Deposit line. */
export interface ClearingDocument {
  txnType: LinkableType;
  txnId: string;
  /** As QBO shows it: `SH-1001`, `1001-R2`. */
  docNumber?: string | null;
  /**
   * The money it left in its clearing account, signed as a Deposit line links it: a SalesReceipt's or
   * Payment's TotalAmt, minus a RefundReceipt's.
   */
  amount: Money;
  clearingAccountId: string;
  /** Another Deposit already holds it (QBO allows one); the saga fills it from QBO or its own ledger. */
  depositedIn?: string | null;
}

export type DocumentLookup =
  | { status: 'booked'; document: ClearingDocument }
  /** May still come: not synced yet, pending, parked or failed (the reason is the order's own). */
  | { status: 'missing'; code: string; reason: string }
  /** Will not come: the order or refund is deliberately not in QBO, or in QBO without money in a clearing account. */
  | { status: 'never'; code: string; reason: string };

/** Lookups keyed by `sourceOrderTransactionId`. */
export type DocumentLookups = Readonly<Record<string, DocumentLookup>>;

/** A charge or refund whose money has no document to link. */
export interface PayoutBlocker {
  transactionId: string;
  orderTransactionId: string | null;
  orderId: string | null;
  orderName: string | null;
  /** waits: the document may still come; permanent: it never will. */
  kind: 'waits' | 'permanent';
  code: string;
  reason: string;
}

const LINKABLE = new Set<string>(['SalesReceipt', 'Payment', 'RefundReceipt']);

/**
 * A ledger row (the sale row of a paid order, the payment row of an invoiced one, or a refund row) as the
 * document a payout links. `clearingAccountId` is the account the row's gateway deposits into
 * (settings `gatewayTargetFor`); `what` names it in reasons ("order #1001", "order #1001 refund 2").
 */
export function documentLookupFromRow(
  row: LedgerEntry | undefined,
  what: string,
  clearingAccountId: string,
  currency: string,
): DocumentLookup {
  if (!row) return { status: 'missing', code: 'not_synced', reason: `${what} is not synced yet` };
  const because = row.reason ? `: ${row.reason}` : '';
  switch (row.status) {
    case 'synced': {
      if (row.qboType === 'Invoice') {
        return { status: 'missing', code: 'payment_not_booked', reason: `${what} is invoiced but its payment is not booked yet` };
      }
      if (!row.qboType || !LINKABLE.has(row.qboType) || row.qboId === null || row.qboTotalMinor === null) {
        return {
          status: 'never',
          code: 'no_clearing_document',
          reason: `${what} is booked as ${row.qboType ?? 'an unknown document'}, which holds no money in a clearing account`,
        };
      }
      const sign = row.qboType === 'RefundReceipt' ? -1 : 1;
      return {
        status: 'booked',
        document: {
          txnType: row.qboType as LinkableType,
          txnId: row.qboId,
          docNumber: row.qboDocNumber,
          amount: { currency, minor: sign * row.qboTotalMinor },
          clearingAccountId,
        },
      };
    }
    case 'skipped':
    case 'ignored':
      return { status: 'never', code: `${row.sourceType}_${row.status}`, reason: `${what} is not booked in QBO (${row.status}${because})` };
    case 'voided':
      return { status: 'never', code: `${row.sourceType}_voided`, reason: `${what}'s QBO document was voided` };
    default:
      return { status: 'missing', code: `${row.sourceType}_${row.status}`, reason: `${what} is ${row.status}${because}` };
  }
}

/** The ledger row a charge links: an invoiced order's Payment, otherwise the sale (SalesReceipt). */
export function rowForCharge(rows: { sale?: LedgerEntry; payment?: LedgerEntry }): LedgerEntry | undefined {
  return rows.sale?.qboType === 'Invoice' ? (rows.payment ?? rows.sale) : rows.sale;
}

/** Whether a category is linked to a document (charges and refunds). */
export function isLinkedCategory(tx: Pick<BalanceTransaction, 'type' | 'sourceType'>): boolean {
  const category = categoryOf(tx);
  return category === 'charge' || category === 'refund';
}

/** The lookup of one charge or refund row; a row with no order transaction id can only fall back. */
export function lookupFor(tx: BalanceTransaction, documents: DocumentLookups): DocumentLookup {
  const key = tx.sourceOrderTransactionId;
  if (key === null) {
    return { status: 'never', code: 'no_order_transaction', reason: `${tx.type} ${legacyIdOf(tx.id)} names no order transaction` };
  }
  return documents[key] ?? { status: 'missing', code: 'not_resolved', reason: `no document was looked up for order transaction ${key}` };
}

/**
 * The charges and refunds of `transactions` whose document is not booked, each with its order's reason. A
 * `permanent` blocker never waits (docs/payouts.md "Waiting for documents").
 */
export function payoutBlockers(transactions: readonly BalanceTransaction[], documents: DocumentLookups): PayoutBlocker[] {
  const out: PayoutBlocker[] = [];
  for (const tx of transactions) {
    if (!isLinkedCategory(tx)) continue;
    const found = lookupFor(tx, documents);
    if (found.status === 'booked') continue;
    out.push({
      transactionId: tx.id,
      orderTransactionId: tx.sourceOrderTransactionId,
      orderId: tx.associatedOrder?.id ?? null,
      orderName: tx.associatedOrder?.name ?? null,
      kind: found.status === 'missing' ? 'waits' : 'permanent',
      code: found.code,
      reason: found.reason,
    });
  }
  return out;
}
