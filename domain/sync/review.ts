/**
 * Review before posting (issue #17, docs/review.md): with the store setting `posting: review`, a run builds each new
 * sale document as it would post it and holds it instead: the sale row becomes `held` with the built document kept,
 * and nothing is sent to QBO. A person approves (the row's reason code becomes `approved`; the next run posts it
 * through the ordinary create path, same requestid, same `pending` row first) or rejects it (the row becomes
 * `ignored`, reversible with unignore). These are the pure decisions; activities/sync/orders.ts and
 * services/stores/review.ts do the I/O.
 */
import { asText as str } from '../collections';
import { expectedTotals } from '../mapping';
import { fromQboAmount, toDecimalString } from '../money';
import type { Settings } from '../settings';
import type { ShopifyOrderCore } from '../shopify/types';
import type { LedgerEntry, LedgerEntryChanges } from './ledger-entry';

type Entity = Record<string, unknown>;

export const HELD_STATUS = 'held';
/** The reason codes of a held row: waiting for a person, or approved and waiting for the next run. */
export const REVIEW_CODE = { awaiting: 'awaiting_review', approved: 'approved', rejected: 'rejected' } as const;

export type Posting = Settings['posting'];

/** A held row's document as it was built, for a person to look at (and the figures the totals check will compare). */
export interface HeldDocument {
  docType: 'SalesReceipt' | 'Invoice';
  currency: string;
  /** Shopify's document total (what QBO's TotalAmt must equal) and tax, in the currency's minor units. */
  totalMinor: number;
  taxMinor: number;
  /** The QBO body exactly as it would be sent. */
  body: Entity;
}

export type PostingDecision = { action: 'post' } | { action: 'hold'; changedSinceApproval: boolean };

/**
 * A sale document that would be created now: post it or hold it. Only creates are held: a document already in QBO
 * was posted (automatically or approved) and is kept in step with its order like any other.
 *   - posting `auto` (or a store saved before the setting existed) → post; held rows are posted by the next run;
 *   - the row is `pending` for this very document → post: an earlier attempt decided to post it and its answer was
 *     lost (step 0 found it nowhere in QBO), so it is created again as in automatic posting;
 *   - the row is held and `approved`, and the document built now is the one approved (same fingerprint) → post;
 *   - approved, but the order changed since (another fingerprint) → hold again: a person approves what is posted;
 *   - anything else → hold.
 */
export function decidePosting(posting: Posting | undefined, sale: LedgerEntry | undefined, fingerprint: string): PostingDecision {
  if (posting !== 'review') return { action: 'post' };
  if (sale?.status === 'pending' && sale.fingerprint === fingerprint) return { action: 'post' };
  if (sale?.status === HELD_STATUS && sale.reasonCode === REVIEW_CODE.approved) {
    return sale.fingerprint === fingerprint ? { action: 'post' } : { action: 'hold', changedSinceApproval: true };
  }
  return { action: 'hold', changedSinceApproval: false };
}

/** The row of a held sale: no QBO id, the planned type, number and fingerprint, and the built document. */
export function heldSale(
  order: ShopifyOrderCore,
  docType: HeldDocument['docType'],
  body: Entity,
  fingerprint: string,
  changedSinceApproval: boolean,
): LedgerEntryChanges {
  const totals = expectedTotals(order);
  return {
    status: HELD_STATUS,
    reasonCode: REVIEW_CODE.awaiting,
    reason: changedSinceApproval
      ? 'The order changed in Shopify after its document was approved: review the new document'
      : 'Held for review (posting: review): approve it to post it to QBO',
    qboType: docType,
    qboId: null,
    qboSyncToken: null,
    qboDocNumber: str(body.DocNumber) || null,
    qboTotalMinor: null,
    fingerprint,
    requestId: null,
    heldDocument: {
      docType,
      currency: totals.currency,
      totalMinor: totals.documentTotal.minor,
      taxMinor: totals.tax.minor,
      body,
    },
  };
}

/**
 * The held reason codes a run re-reads (with the parked ones, activities/sync syncRetryParked): approved rows always;
 * rows waiting for review only once the store posts automatically again, so switching back to `auto` posts them.
 */
export function heldCodesToRetry(posting: Posting | undefined): string[] {
  return posting === 'review' ? [REVIEW_CODE.approved] : [REVIEW_CODE.awaiting, REVIEW_CODE.approved];
}

export type ReviewAction = 'approve' | 'reject';

export type ReviewVerdict =
  | { outcome: 'change'; changes: { status: string; reasonCode: string; reason: string } }
  /** Approving an approved row again: nothing to change. */
  | { outcome: 'unchanged' }
  | { outcome: 'refuse'; reason: string };

/** What approving or rejecting does to a sale row (undefined: no row, answered 404 by the caller). */
export function reviewVerdict(row: LedgerEntry, action: ReviewAction): ReviewVerdict {
  if (row.status !== HELD_STATUS) {
    return {
      outcome: 'refuse',
      reason: `${row.sourceName ?? row.sourceKey} is not held for review (${row.status}${row.qboId ? `, ${row.qboType ?? 'document'} ${row.qboId} in QBO` : ''})`,
    };
  }
  if (action === 'approve') {
    if (row.reasonCode === REVIEW_CODE.approved) return { outcome: 'unchanged' };
    return {
      outcome: 'change',
      changes: { status: HELD_STATUS, reasonCode: REVIEW_CODE.approved, reason: 'Approved: the next run posts it to QBO' },
    };
  }
  return {
    outcome: 'change',
    changes: {
      status: 'ignored',
      reasonCode: REVIEW_CODE.rejected,
      reason: 'Rejected in review: not posted; un-ignore it to have it built and held again',
    },
  };
}

// --- How a held document is shown -------------------------------------------------------------------

export interface HeldLineView {
  kind: 'item' | 'discount';
  description: string | null;
  itemId: string | null;
  qty: number | null;
  unitPrice: string | null;
  amount: string;
  taxCodeId: string | null;
  /** A discount line's account. */
  accountId: string | null;
}

export interface HeldDocumentView {
  docType: string;
  docNumber: string | null;
  txnDate: string | null;
  currency: string;
  customerId: string | null;
  /** A SalesReceipt's deposit account (an Invoice has none: its Payment deposits). */
  depositAccountId: string | null;
  classId: string | null;
  departmentId: string | null;
  lines: HeldLineView[];
  tax: {
    total: string;
    taxCodeId: string | null;
    lines: Array<{ taxRateId: string | null; percent: number | null; amount: string; netAmountTaxable: string | null }>;
  };
  total: string;
}

const ref = (v: unknown): string | null => (v && typeof v === 'object' && 'value' in v ? str((v as Entity).value) || null : null);

/** The held document in plain fields: lines, tax, accounts and totals as decimal strings of its currency. */
export function heldDocumentView(held: HeldDocument): HeldDocumentView {
  const body = held.body;
  const money = (n: unknown): string => toDecimalString(fromQboAmount(typeof n === 'number' ? n : 0, held.currency));
  const lines = ((body.Line as Entity[] | undefined) ?? []).map((line): HeldLineView => {
    const item = line.SalesItemLineDetail as Entity | undefined;
    const discount = line.DiscountLineDetail as Entity | undefined;
    return {
      kind: discount ? 'discount' : 'item',
      description: typeof line.Description === 'string' ? line.Description : null,
      itemId: item ? ref(item.ItemRef) : null,
      qty: item && typeof item.Qty === 'number' ? item.Qty : null,
      unitPrice: item && typeof item.UnitPrice === 'number' ? money(item.UnitPrice) : null,
      amount: money(line.Amount),
      taxCodeId: item ? ref(item.TaxCodeRef) : null,
      accountId: discount ? ref(discount.DiscountAccountRef) : null,
    };
  });
  const tax = (body.TxnTaxDetail as Entity | undefined) ?? {};
  return {
    docType: held.docType,
    docNumber: str(body.DocNumber) || null,
    txnDate: str(body.TxnDate) || null,
    currency: held.currency,
    customerId: ref(body.CustomerRef),
    depositAccountId: ref(body.DepositToAccountRef),
    classId: ref(body.ClassRef),
    departmentId: ref(body.DepartmentRef),
    lines,
    tax: {
      total: toDecimalString({ minor: held.taxMinor, currency: held.currency }),
      taxCodeId: ref(tax.TxnTaxCodeRef),
      lines: ((tax.TaxLine as Entity[] | undefined) ?? []).map((t) => {
        const d = (t.TaxLineDetail as Entity | undefined) ?? {};
        return {
          taxRateId: ref(d.TaxRateRef),
          percent: typeof d.TaxPercent === 'number' ? d.TaxPercent : null,
          amount: money(t.Amount),
          netAmountTaxable: typeof d.NetAmountTaxable === 'number' ? money(d.NetAmountTaxable) : null,
        };
      }),
    },
    total: toDecimalString({ minor: held.totalMinor, currency: held.currency }),
  };
}
