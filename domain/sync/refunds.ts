/**
 * The refund rows of the decision table (docs/sync-decisions.md "Refunds"): for each Shopify refund of an
 * order, whether to read it, skip it, wait, or book it as which document; how a lost answer is settled;
 * and whether the document QBO booked holds (invariant 3). Pure: activities/sync/refunds.ts does the I/O.
 */
import { asText as str } from '../collections';
import { fromQboAmount, toDecimalString } from '../money';
import { expectedRefundTotals, refundAmounts, refundCash, refundNoteMarker, type RefundDocumentType } from '../mapping/refund';
import type { Settings } from '../settings';
import type { ShopifyOrderCore, ShopifyRefund, ShopifyRefundSummary } from '../shopify/types';
import type { LedgerEntry, LedgerEntryChanges } from './ledger-entry';
import { holdsDocument } from './orders';
import { REDO_CODE, UNDONE_ORDER_CODE } from './undo';

type Entity = Record<string, unknown>;

export const REFUND_ROLE = 'refund';

/** Statuses after which a refund is never read again (Shopify refunds do not change once made). */
const SETTLED = new Set(['synced', 'skipped', 'ignored', 'voided', 'undone']);

/**
 * Does this refund need its details read? Only when it has no settled row: a booked, skipped or
 * ignored refund costs nothing on later runs, however often its order changes.
 */
export function refundNeedsWork(row: LedgerEntry | undefined): boolean {
  return !row || !SETTLED.has(row.status);
}

export type RefundDecision =
  | { action: 'skip'; code: string; reason: string }
  | { action: 'park'; code: string; reason: string }
  | { action: 'write'; docType: RefundDocumentType };

/**
 * What a refund needs, given its order's sale row. `refund` carries its details (REFUND_BY_ID).
 *  - the sale was deliberately not booked (before the start date, test order, skipped by settings):
 *    the refund is not booked either, for the same reason;
 *  - the sale's invoice was voided (cancelled unpaid): nothing was ever owed, nothing to refund;
 *  - the sale is not booked yet (parked, pending, failed, or not seen): the refund waits for it, parked
 *    with a code every run re-tries, saying which order it waits for and why;
 *  - money still pending at the gateway: wait for it (Shopify shows refunds pending for up to two days);
 *  - nothing refunded at all (a restock with no money and no lines of value): skipped;
 *  - otherwise a RefundReceipt for a paid sale, and for an invoiced order a RefundReceipt when money went
 *    back (refundsAs: refund_receipt, the default) or a CreditMemo (no money back, or refundsAs: credit_memo).
 */
export function decideRefund(
  order: ShopifyOrderCore,
  refund: ShopifyRefund,
  sale: LedgerEntry | undefined,
  settings: Settings,
): RefundDecision {
  if (sale?.status === 'skipped' || sale?.status === 'ignored') {
    return {
      action: 'skip',
      code: 'order_not_booked',
      reason: `Order ${order.name} is not booked in QBO (${sale.reason ?? sale.status}), so neither is its refund`,
    };
  }
  if (sale?.status === 'undone') {
    return {
      action: 'skip',
      code: UNDONE_ORDER_CODE,
      reason: `Order ${order.name}'s document was deleted from QBO by an undo, so its refund is not booked either`,
    };
  }
  if (sale?.status === 'voided') {
    return { action: 'skip', code: 'order_voided', reason: `Order ${order.name}'s invoice was voided: there is nothing to refund in QBO` };
  }
  if (!holdsDocument(sale) || sale?.status === 'pending') {
    const why = sale ? `${sale.status}${sale.reason ? `: ${sale.reason}` : ''}` : 'not synced yet';
    return { action: 'park', code: 'sale_not_booked', reason: `Waits for order ${order.name} to be booked (${why})` };
  }
  const a = refundAmounts(order, refund);
  if (a.pending.minor !== 0) {
    return {
      action: 'park',
      code: 'refund_money_pending',
      reason: `${toDecimalString(a.pending)} ${a.currency} of this refund is still pending at the gateway; booked once it succeeds`,
    };
  }
  if (a.total.minor === 0 && a.parts.every((p) => p.net.minor === 0 && p.tax.minor === 0)) {
    return {
      action: 'skip',
      code: 'nothing_refunded',
      reason: `Refund ${refund.legacyResourceId} returned no money and no items of value`,
    };
  }
  if (sale!.qboType === 'Invoice') {
    const moneyBack = refundCash(a).minor !== 0;
    return { action: 'write', docType: moneyBack && settings.refundsAs === 'refund_receipt' ? 'RefundReceipt' : 'CreditMemo' };
  }
  return { action: 'write', docType: 'RefundReceipt' };
}

/**
 * Park codes of refund rows every run re-tries (a mapping may exist now, QBO may accept now, the sale or the
 * money may have arrived, a transient fault has passed). `pending` refund rows left by an earlier run (a create
 * whose answer was lost) are re-visited too. `total_mismatch` is not among them: its document was removed, and booking it again
 * before the cause is fixed would delete another; any run that reads the order again (a resync) re-tries it, and so
 * does a person's `retry_requested` (POST /stores/:id/documents/:sourceKey/retry).
 */
export const RETRYABLE_REFUND_CODES = [
  'needs_mapping',
  'qbo_validation',
  'mapping_error',
  'sale_not_booked',
  'refund_money_pending',
  'sales_tax_off',
  'custom_txn_numbers_off',
  'retry_requested',
  REDO_CODE,
  // A transient fault deferred it (activities/sync/refunds.ts): the next run books it, whether or not its order
  // changed again. The chaos suite found these left parked for good while this code was missing here.
  'refund_deferred',
] as const;

/** Is `doc` the document an earlier attempt created for this refund (its marker in PrivateNote)? */
export function isRefundsDocument(doc: Entity, refundId: string): boolean {
  return str(doc.PrivateNote).includes(refundNoteMarker(refundId));
}

/** The row columns every refund row write carries. */
export function refundSource(order: ShopifyOrderCore, refund: ShopifyRefund | ShopifyRefundSummary, ordinal: number): LedgerEntryChanges {
  return {
    parentSourceKey: `order:${order.id}`,
    sourceName: `${order.name} refund ${ordinal}`,
    sourceUpdatedAt: refund.createdAt ? new Date(refund.createdAt) : null,
  };
}

/**
 * Invariant 3 for a refund document QBO holds: its TotalAmt is the money that went back (gift-card
 * portions ride on it as a negative line) and its tax is Shopify's refunded tax. A document that
 * differs must not stay in QBO: the caller deletes it and parks the refund.
 */
export function refundVerdict(
  order: ShopifyOrderCore,
  refund: ShopifyRefund,
  entity: Entity,
): { ok: true; changes: LedgerEntryChanges } | { ok: false; reason: string } {
  const want = expectedRefundTotals(order, refund);
  const c = want.total.currency;
  const total = typeof entity.TotalAmt === 'number' ? fromQboAmount(entity.TotalAmt, c) : undefined;
  const taxDetail = (entity.TxnTaxDetail as Entity | undefined) ?? {};
  const tax = fromQboAmount(typeof taxDetail.TotalTax === 'number' ? taxDetail.TotalTax : 0, c);
  const problems: string[] = [];
  if (!total || total.minor !== want.total.minor)
    problems.push(`total: QBO ${total ? toDecimalString(total) : 'none'}, Shopify ${toDecimalString(want.total)}`);
  if (tax.minor !== want.tax.minor) problems.push(`tax: QBO ${toDecimalString(tax)}, Shopify ${toDecimalString(want.tax)}`);
  if (problems.length > 0) return { ok: false, reason: `QBO booked different figures than Shopify (${problems.join('; ')})` };
  return {
    ok: true,
    changes: {
      status: 'synced',
      reason: null,
      reasonCode: null,
      qboId: str(entity.Id),
      qboSyncToken: str(entity.SyncToken),
      qboDocNumber: str(entity.DocNumber) || null,
      qboTotalMinor: total!.minor,
      sourceTotalMinor: want.total.minor,
    },
  };
}
