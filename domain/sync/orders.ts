/**
 * The decisions exactly-once rests on, for Shopify orders, as pure functions over what the activity
 * has read (the order, its ledger rows, what QBO answered). The activity (activities/sync/orders.ts)
 * does the I/O around them: load rows → decide → write to QBO → record. Each function is one column
 * of the decision table in docs/sync-decisions.md, tested branch by branch in
 * test/domain/sync-decisions.test.ts.
 */
import { asText as str } from '../collections';
import { isLedgerlineError, NeedsMappingError, UnsupportedOrderError, type LedgerlineError } from '../errors';
import { qboRequestId, type QboDocumentType, type SourceKey } from '../ledger';
import {
  checkDocumentAgainstOrder,
  classifyOrder,
  expectedTotals,
  holdsFingerprint,
  orderAmounts,
  orderNoteMarker,
  type ExistingOrderDocument,
  type InvariantViolation,
  type QboSaleDocumentLike,
} from '../mapping';
import { fromQboAmount, moneyFromMinor, toDecimalString } from '../money';
import type { Settings } from '../settings';
import type { ShopifyOrderCore } from '../shopify/types';
import { existingIdFrom, FAULT, faultCode, isDuplicateDocNumber, isStaleReference } from './faults';
import { REDO_CODE } from './undo';
import { keepDocument, type LedgerEntry, type LedgerEntryChanges, type OrderRows } from './ledger-entry';

type Entity = Record<string, unknown>;
export type SaleType = Extract<QboDocumentType, 'SalesReceipt' | 'Invoice'>;

/** The most recent version of each order (a page overlap or a bulk file may repeat one). */
export function latestVersions(orders: readonly ShopifyOrderCore[]): ShopifyOrderCore[] {
  const byId = new Map<string, ShopifyOrderCore>();
  for (const o of orders) {
    const seen = byId.get(o.id);
    if (!seen || Date.parse(o.updatedAt) >= Date.parse(seen.updatedAt)) byId.set(o.id, o);
  }
  return [...byId.values()];
}

/** What classifyOrder needs to know of the ledger: does a document exist, and of which type. */
export function existingDocument(rows: OrderRows): ExistingOrderDocument | undefined {
  const sale = rows.sale;
  if (!sale) return undefined;
  if (sale.status === 'ignored' || sale.status === 'voided' || sale.status === 'undone')
    return { type: (sale.qboType ?? 'SalesReceipt') as QboDocumentType, status: sale.status };
  if (!sale.qboId) return undefined;
  const payment = rows.payment?.qboId ? 'synced' : rows.payment?.status;
  return {
    type: sale.qboType as QboDocumentType,
    status: 'synced',
    ...(payment ? { paymentStatus: payment as ExistingOrderDocument['status'] } : {}),
  };
}

/** Does the sale row hold a live QBO document (not voided, not deleted by an undo)? */
export const holdsDocument = (sale: LedgerEntry | undefined): boolean =>
  Boolean(sale?.qboId) && sale?.status !== 'voided' && sale?.status !== 'undone';

// --- Step 1: what the order needs --------------------------------------------------------------

export type OrderDecision =
  /** `record`: write a `skipped` row (a booked, ignored or voided row keeps what it says). */
  | { action: 'skip'; code: string; reason: string; record: boolean }
  | { action: 'park'; code: string; reason: string }
  /** Cancelled before it was paid: void the invoice already booked. */
  | { action: 'void' }
  /** Book (create or update) a sale document; `payment`: then record the invoice's Payment. */
  | { action: 'write'; docType: SaleType; payment: boolean };

/**
 * `unreadable`: why the order could not be read whole (more nested rows than one Shopify read
 * returns), if so: such an order is parked, never booked from a partial read.
 */
export function decideOrder(
  order: ShopifyOrderCore,
  rows: OrderRows,
  settings: Settings,
  timeZone: string,
  unreadable?: string,
): OrderDecision {
  if (unreadable !== undefined) return { action: 'park', code: 'order_too_long', reason: unreadable };
  const existing = existingDocument(rows);
  const c = classifyOrder(order, settings, { ...(existing ? { existing } : {}), timeZone });
  switch (c.kind) {
    case 'Skip': {
      // A booked document is never demoted to "skipped"; ignored/voided/undone rows keep their status.
      const status = rows.sale?.status;
      return {
        action: 'skip',
        code: c.code,
        reason: c.reason,
        record: !holdsDocument(rows.sale) && status !== 'ignored' && status !== 'voided' && status !== 'undone',
      };
    }
    case 'Park':
      return { action: 'park', code: c.code, reason: c.reason };
    case 'VoidInvoice':
      return { action: 'void' };
    case 'SalesReceipt':
      return { action: 'write', docType: 'SalesReceipt', payment: false };
    case 'Invoice':
      return { action: 'write', docType: 'Invoice', payment: false };
    case 'InvoiceAndPayment':
      return { action: 'write', docType: 'Invoice', payment: true };
  }
}

// --- Step 2: a document that could not be built --------------------------------------------------

export type BuildFailure =
  | { action: 'park'; code: string; reason: string; keep: LedgerEntryChanges }
  /** A fault of ours (data we did not foresee): recorded as failed, never silent, never retried blindly. */
  | { action: 'fail'; code: string; reason: string }
  /** Transient (a lookup failed upstream): the attempt fails and Temporal retries it. */
  | { action: 'rethrow'; error: LedgerlineError };

/** `problems`: what reference resolution could not find for this order (items, customer, accounts). */
export function decideBuildFailure(err: unknown, sale: LedgerEntry | undefined, problems: readonly string[]): BuildFailure {
  if (err instanceof NeedsMappingError) {
    return {
      action: 'park',
      code: 'needs_mapping',
      reason: problems.length ? `${err.message} (${problems.join('; ')})` : err.message,
      keep: keepDocument(sale),
    };
  }
  if (err instanceof UnsupportedOrderError) return { action: 'park', code: err.code, reason: err.message, keep: keepDocument(sale) };
  if (isLedgerlineError(err) && err.retryable) return { action: 'rethrow', error: err };
  return {
    action: 'fail',
    code: isLedgerlineError(err) ? err.code : 'mapping_error',
    reason: `Could not build the QBO document: ${(err as Error).message}`,
  };
}

// --- Step 3: create, update or leave alone -------------------------------------------------------

export type WriteDecision =
  | { action: 'park'; code: 'document_type_changed'; reason: string; keep: LedgerEntryChanges }
  /**
   * Nothing to send for the sale document. `older`: a replayed or overlapping read of an older
   * version (the newer one is booked: no payment either); otherwise the same fingerprint is synced.
   */
  | { action: 'unchanged'; qboId: string; syncToken: string; older: boolean }
  | { action: 'update'; qboId: string; syncToken: string }
  | { action: 'create' };

export function decideDocumentWrite(
  sale: LedgerEntry | undefined,
  docType: SaleType,
  fingerprint: string,
  orderUpdatedAt: string,
): WriteDecision {
  if (!sale?.qboId || sale.status === 'voided' || sale.status === 'undone') return { action: 'create' };
  if (sale.qboType !== docType) {
    return {
      action: 'park',
      code: 'document_type_changed',
      keep: keepDocument(sale),
      reason: `The order is booked as ${sale.qboType} ${sale.qboId} but now needs a ${docType}; review it in QBO`,
    };
  }
  const doc = { qboId: sale.qboId, syncToken: sale.qboSyncToken ?? '0' };
  if (sale.sourceUpdatedAt !== null && Date.parse(orderUpdatedAt) < sale.sourceUpdatedAt.getTime())
    return { action: 'unchanged', ...doc, older: true };
  if (sale.fingerprint === fingerprint && sale.status === 'synced') return { action: 'unchanged', ...doc, older: false };
  return { action: 'update', ...doc };
}

/**
 * The row written `pending` before a create is sent: whatever happens next (a crash, a lost answer),
 * the next attempt finds it and asks QBO before creating again (settle, below).
 */
export function pendingCreate(
  key: SourceKey,
  sale: LedgerEntry | undefined,
  docType: SaleType,
  docNumber: string | null,
  fingerprint: string,
): LedgerEntryChanges {
  return {
    status: 'pending',
    reasonCode: null,
    reason: null,
    qboType: docType,
    qboDocNumber: docNumber || null,
    fingerprint,
    // A redo (domain/sync/undo.ts) books again what an undo deleted: a requestid of its own, or QBO would
    // replay its answer to the first create (the deleted document).
    requestId:
      sale?.reasonCode === REDO_CODE
        ? qboRequestId(key, docType, fingerprint, (sale.attempts ?? 0) + 1)
        : qboRequestId(key, docType, fingerprint),
    attempts: (sale?.attempts ?? 0) + 1,
  };
}

// --- Step 0: a pending row met again -------------------------------------------------------------

/** The pending creates to look for in QBO, by document type and DocNumber. */
export function pendingToSettle(rows: Iterable<OrderRows>): Array<{ type: SaleType; byNumber: Map<string, LedgerEntry[]> }> {
  const sales = [...rows]
    .map((r) => r.sale)
    .filter((r): r is LedgerEntry => r !== undefined && r.status === 'pending' && !r.qboId && Boolean(r.qboDocNumber));
  return (['SalesReceipt', 'Invoice'] as const).map((type) => {
    const byNumber = new Map<string, LedgerEntry[]>();
    for (const row of sales.filter((r) => r.qboType === type))
      byNumber.set(row.qboDocNumber!, [...(byNumber.get(row.qboDocNumber!) ?? []), row]);
    return { type, byNumber };
  });
}

/** Is this QBO document the one Ledgerline wrote for the order? Its PrivateNote carries the order's marker. */
export const isOrdersDocument = (doc: Entity, order: ShopifyOrderCore): boolean => str(doc.PrivateNote).includes(orderNoteMarker(order.id));

/**
 * The adoption rule: of the documents QBO holds under the pending rows' DocNumbers, each one whose
 * PrivateNote carries its order's marker is the create an earlier attempt committed, and is adopted
 * (recorded with the fingerprint of the version that was sent). Rows found nowhere stay pending and are
 * created again, which is then safe because QBO does not hold them.
 */
export function adoptPending(
  byNumber: ReadonlyMap<string, readonly LedgerEntry[]>,
  docs: readonly Entity[],
  orders: ReadonlyMap<string, ShopifyOrderCore>,
): Array<{ row: LedgerEntry; order: ShopifyOrderCore; doc: Entity; changes: LedgerEntryChanges }> {
  const out: Array<{ row: LedgerEntry; order: ShopifyOrderCore; doc: Entity; changes: LedgerEntryChanges }> = [];
  for (const doc of docs) {
    for (const row of byNumber.get(str(doc.DocNumber)) ?? []) {
      const order = orders.get(row.sourceKey);
      if (!order || !isOrdersDocument(doc, order)) continue;
      out.push({
        row,
        order,
        doc,
        changes: {
          ...saleVerdict(order, doc).verdict,
          qboId: str(doc.Id),
          qboSyncToken: str(doc.SyncToken),
          qboTotalMinor: documentTotalMinor(order, doc),
        },
      });
    }
  }
  return out;
}

// --- Step 4: what QBO answered --------------------------------------------------------------------

export type WriteOutcome =
  | { kind: 'booked'; entity: Entity }
  /** Throttling, 5xx, or an item QBO did not answer: the attempt fails (after recording the rest). */
  | { kind: 'retry'; error: LedgerlineError | undefined }
  /** 6140 on a create: the number is taken, by our own earlier create (adopt it) or someone else's. */
  | { kind: 'duplicate_number'; existingId: string | undefined; message: string }
  /** 5010 on an update: re-read the document and decide (resolveStale). */
  | { kind: 'stale' }
  /** A ValidationFault: the order is parked with QBO's message; stale references are forgotten. */
  | { kind: 'rejected'; reason: string; forgetReferences: boolean };

export function interpretWriteResult(
  result: { entity?: Entity | undefined; fault?: LedgerlineError | undefined },
  op: 'create' | 'update',
): WriteOutcome {
  if (result.entity) return { kind: 'booked', entity: result.entity };
  const fault = result.fault;
  if (!fault || fault.retryable) return { kind: 'retry', error: fault };
  if (op === 'create' && isDuplicateDocNumber(fault))
    return { kind: 'duplicate_number', existingId: existingIdFrom(fault), message: fault.message };
  if (op === 'update' && faultCode(fault) === FAULT.stale) return { kind: 'stale' };
  return { kind: 'rejected', reason: fault.message, forgetReferences: isStaleReference(fault) };
}

/**
 * A 5010 Stale Object on an update: someone saved the document since Ledgerline last read its SyncToken
 * (QBO's fault names neither who nor what, docs/qbo-facts.md §7; Intuit's batch sample answer,
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/batch), so it was read again (`current`):
 *   - it already holds the version being written (`next`: an earlier attempt's update committed and its
 *     answer was lost) → record it, nothing to send;
 *   - the fields Ledgerline writes still hold what it last wrote (`lastWritten`; only a memo or another
 *     field of QBO's changed) → update once more with the fresh SyncToken (a sparse update leaves the
 *     rest alone);
 *   - otherwise a person edited what Ledgerline wrote (an amount, a line, the date, …): never overwritten.
 *     The order is parked `edited_in_qbo` (not re-tried automatically) for a person to reconcile.
 */
export type StaleDecision =
  | { action: 'record' }
  | { action: 'update'; syncToken: string }
  | { action: 'park'; code: 'edited_in_qbo'; reason: string; keep: LedgerEntryChanges };

export function resolveStale(current: Entity, docType: SaleType, next: string, sale: LedgerEntry | undefined): StaleDecision {
  if (holdsFingerprint(current, next)) return { action: 'record' };
  if (sale?.fingerprint && holdsFingerprint(current, sale.fingerprint)) return { action: 'update', syncToken: str(current.SyncToken) };
  return {
    action: 'park',
    code: 'edited_in_qbo',
    keep: keepDocument(sale),
    reason: `The ${docType} ${str(current.Id)}${current.DocNumber ? ` (${str(current.DocNumber)})` : ''} was edited in QBO since Ledgerline wrote it; Ledgerline does not overwrite a person's edit. Reconcile it with the Shopify order in QBO`,
  };
}

/** `doc`: the document holding the number (undefined when QBO named none or it cannot be read). */
export function resolveDuplicateNumber(
  doc: Entity | undefined,
  order: ShopifyOrderCore,
  message: string,
): { action: 'adopt'; qboId: string; syncToken: string } | { action: 'park'; code: 'duplicate_doc_number'; reason: string } {
  if (doc && isOrdersDocument(doc, order)) return { action: 'adopt', qboId: str(doc.Id), syncToken: str(doc.SyncToken) };
  return {
    action: 'park',
    code: 'duplicate_doc_number',
    reason: `${message}. Another QBO document already uses this number; renumber it or set a DocNumber prefix`,
  };
}

// --- The totals check (invariant 2) ---------------------------------------------------------------

/** The QBO document's TotalAmt in the order's minor units (null when QBO did not say). */
export function documentTotalMinor(order: ShopifyOrderCore, entity: Entity): number | null {
  return typeof entity.TotalAmt === 'number' ? fromQboAmount(entity.TotalAmt, orderAmounts(order).currency).minor : null;
}

/** Invariant 2 for a sale document QBO holds: synced, or parked saying what differs from Shopify. */
export function saleVerdict(
  order: ShopifyOrderCore,
  doc: Entity,
): { verdict: Pick<LedgerEntry, 'status' | 'reason' | 'reasonCode'> & LedgerEntryChanges; violations: InvariantViolation[] } {
  const violations = checkDocumentAgainstOrder(order, doc as unknown as QboSaleDocumentLike);
  const verdict =
    violations.length === 0
      ? { status: 'synced' as const, reason: null, reasonCode: null }
      : {
          status: 'parked' as const,
          reasonCode: 'total_mismatch',
          reason: `QBO booked different figures than Shopify (${violations.map((v) => `${v.check}: QBO ${v.actual}, Shopify ${v.expected}`).join('; ')})`,
        };
  return { verdict, violations };
}

/** The row for a sale document QBO now holds (created, updated or adopted), checked against Shopify. */
export function bookedSale(
  order: ShopifyOrderCore,
  docType: SaleType,
  entity: Entity,
  fingerprint: string,
): { changes: LedgerEntryChanges; violations: InvariantViolation[]; synced: boolean } {
  const { verdict, violations } = saleVerdict(order, entity);
  return {
    changes: {
      ...verdict,
      qboType: docType,
      qboId: str(entity.Id),
      qboSyncToken: str(entity.SyncToken),
      qboDocNumber: str(entity.DocNumber) || null,
      qboTotalMinor: documentTotalMinor(order, entity),
      fingerprint,
    },
    violations,
    synced: verdict.status === 'synced',
  };
}

/**
 * Invariant 2 failed for a document QBO now holds (created, updated or adopted): it must not stay in
 * the books, where it would overstate (or understate) income and the deposit account. It is deleted at
 * once, a SalesReceipt and an Invoice alike (docs/qbo-facts.md §4 "Removing a wrong document";
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/salesreceipt#delete-a-salesreceipt,
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice#delete-an-invoice). Not a void:
 * a voided document keeps its DocNumber and the order's marker, so the fresh document the order's retry
 * creates would meet 6140 against it, and the lost-answer search could adopt the voided one.
 */
export function discardMismatch(
  docType: SaleType,
  entity: Entity,
): { action: 'delete'; docType: SaleType; qboId: string; syncToken: string } {
  return { action: 'delete', docType, qboId: str(entity.Id), syncToken: str(entity.SyncToken) };
}

/**
 * The row after a failed totals check: parked `total_mismatch` with both figures and the difference.
 * `deleted`: the wrong document is gone (the row holds none; the order's retry creates a fresh one
 * once the cause is fixed); otherwise QBO refused the delete (`refusal`, e.g. a payment applied to the
 * invoice) and the row keeps the document for a person.
 */
export function discardedSale(
  order: ShopifyOrderCore,
  docType: SaleType,
  entity: Entity,
  outcome: { deleted: true } | { deleted: false; refusal: string },
): LedgerEntryChanges {
  const { verdict } = saleVerdict(order, entity);
  const booked = documentTotalMinor(order, entity);
  const expected = expectedTotals(order).documentTotal;
  const difference =
    booked === null
      ? ''
      : ` Difference ${toDecimalString(moneyFromMinor(booked - expected.minor, expected.currency))} ${expected.currency}.`;
  const what = `${docType} ${str(entity.Id)}${entity.DocNumber ? ` (${str(entity.DocNumber)})` : ''}`;
  const base = { status: 'parked' as const, reasonCode: 'total_mismatch', qboTotalMinor: booked };
  if (outcome.deleted) {
    return {
      ...base,
      ...keepDocument(undefined),
      qboTotalMinor: booked,
      reason: `${verdict.reason ?? 'QBO booked different figures than Shopify'}.${difference} The ${what} was deleted from QBO at once; the order is booked afresh when it is re-tried, once the cause (a mapping, a QBO setting) is fixed`,
    };
  }
  return {
    ...base,
    qboType: docType,
    qboId: str(entity.Id),
    qboSyncToken: str(entity.SyncToken),
    qboDocNumber: str(entity.DocNumber) || null,
    fingerprint: null,
    reason: `${verdict.reason ?? 'QBO booked different figures than Shopify'}.${difference} QBO refused to delete the ${what} (${outcome.refusal}): correct or delete it in QBO`,
  };
}

/** The columns every sale row write carries: which version of the order it reflects. */
export function saleSource(order: ShopifyOrderCore): LedgerEntryChanges {
  return {
    sourceName: order.name,
    sourceUpdatedAt: new Date(order.updatedAt),
    sourceTotalMinor: expectedTotals(order).documentTotal.minor,
  };
}

// --- Payments and voids ---------------------------------------------------------------------------

/**
 * An invoice paid later gets one Payment. `booked`: recorded already; `search`: an earlier attempt
 * sent it and never heard back, so look for it in QBO first; `create`: send it (with a requestid).
 */
export function decidePayment(payment: LedgerEntry | undefined): 'booked' | 'search' | 'create' {
  if (payment?.status === 'synced' && payment.qboId) return 'booked';
  return payment?.status === 'pending' ? 'search' : 'create';
}

/**
 * The requestid of a Payment create (docs/qbo-facts.md §2). QBO answers a requestid it has seen with
 * that first answer, a fault included ("returns the same response as the original request",
 * https://blogs.intuit.com/2015/04/06/15346/), so an id that is a pure function of the body replays a
 * fault forever once its cause (an inactive account, a closed books date) is fixed in QBO. Hence:
 *   - the row is `pending` with a requestid for this very body: an earlier send never heard back (a lost
 *     answer); the same id again, so QBO replays the Payment it committed, if it did;
 *   - anything else (a first send; a send after a fault parked the row, or after a fault answer that
 *     failed the attempt, which clears the row's requestid): a new id, numbered by the row's send count.
 * Before either, the customer's Payments were searched (decidePayment `search`), so a new id never
 * books a second Payment for the invoice.
 */
export function paymentRequestId(key: SourceKey, fingerprint: string, payment: LedgerEntry | undefined): string {
  if (payment?.status === 'pending' && payment.requestId && payment.fingerprint === fingerprint) return payment.requestId;
  return qboRequestId(key, 'Payment', fingerprint, (payment?.attempts ?? 0) + 1);
}

/** Did QBO itself answer (a fault with an HTTP status), as opposed to the answer being lost on the way? */
export function answeredByQbo(err: unknown): boolean {
  return isLedgerlineError(err) && typeof err.details?.status === 'number';
}

/** The Payment (of the customer's Payments) linked to the invoice, if any. */
export function paymentForInvoice(payments: readonly Entity[], invoiceId: string): Entity | undefined {
  return payments.find((p) =>
    ((p.Line as Entity[] | undefined) ?? []).some((l) =>
      ((l.LinkedTxn as Entity[] | undefined) ?? []).some((t) => str(t.TxnId) === invoiceId && t.TxnType === 'Invoice'),
    ),
  );
}

export function voidedInvoice(entity: Entity): LedgerEntryChanges {
  return {
    status: 'voided',
    reasonCode: 'cancelled_unpaid',
    reason: 'Cancelled before it was paid: the invoice was voided in QBO',
    qboSyncToken: str(entity.SyncToken),
    qboTotalMinor: 0,
  };
}

/**
 * Park codes a run re-tries (a mapping may exist now, QBO may accept now; a `total_mismatch` document
 * was deleted, so the retry builds and creates a fresh one, checked again; a `sales_tax_off` order books once the
 * company turns sales tax back on, a `custom_txn_numbers_off` one once custom numbers are on again). `retry_requested`:
 * a person asked for it (POST /stores/:id/documents/:sourceKey/retry, or un-ignored it), whatever the first reason was.
 */
export const RETRYABLE_PARK_CODES = [
  'needs_mapping',
  'qbo_validation',
  'mapping_error',
  'total_mismatch',
  'sales_tax_off',
  'custom_txn_numbers_off',
  'retry_requested',
  REDO_CODE,
] as const;
