/**
 * Posts a set of Shopify orders to QBO exactly once and records each outcome in the ledger. The
 * steps, for one page or bulk chunk at a time:
 *   1. classify each order against its ledger rows (domain/mapping classifyOrder): skip, park or write;
 *   2. resolve the Items, category Items and customers all the documents need (references.ts);
 *   3. build each document (pure, domain/mapping) and compare its fingerprint with the ledger's:
 *      same → unchanged; a document already in QBO → update it (Id + SyncToken), never a second one;
 *   4. before any create, write the row as `pending`; a `pending` row met again means an earlier
 *      attempt may have committed in QBO without us hearing back (crash, lost response), so QBO is
 *      searched by DocNumber and the document carrying this order's marker in PrivateNote is adopted
 *      instead of creating another (docs/qbo-facts.md §2: batch calls cannot carry a requestid);
 *   5. create/update in batches of ≤ 30 under the realm's limits; a ValidationFault parks only its
 *      order with QBO's message (invariant 5); throttling and 5xx fail the attempt after every result
 *      already received has been recorded, and Temporal retries;
 *   6. check what QBO booked against Shopify's totals and tax (invariant 2) and record it.
 * Payments (an invoice paid later) are single creates with a requestid; voids use Id + SyncToken.
 */
import type { Logger } from '../../config/logger';
import type { Db } from '../../db/client';
import {
  isLedgerlineError, NeedsMappingError, QboValidationError, UnsupportedOrderError, type LedgerlineError,
} from '../../domain/errors';
import { orderSourceKey, qboRequestId, type QboDocumentType, type SourceKey } from '../../domain/ledger';
import {
  buildInvoice, buildPayment, buildSalesReceipt, checkDocumentAgainstOrder, classifyOrder, documentFingerprint, expectedTotals,
  orderAmounts, orderNoteMarker, planOrderReferences, type ExistingOrderDocument, type OrderClassification,
  type OrderReferencePlan, type QboSaleDocumentLike,
} from '../../domain/mapping';
import { fromQboAmount } from '../../domain/money';
import type { Settings } from '../../domain/settings';
import type { ShopifyOrderCore } from '../../domain/shopify/types';
import type { BatchItemResult, QboClient } from '../../integrations/qbo/client';
import type { SyncCounts } from '../types';
import { nextRow, readOrderRows, ROLE, writeRows, type LedgerRow, type LedgerWrite, type OrderRows } from './ledger';
import { chunk, existingIdFrom, FAULT, faultCode, isDuplicateDocNumber, mapPool, qboLiteral, queryIn } from './qbo-helpers';
import { forgetRefs, resolveReferences } from './references';

type Entity = Record<string, unknown>;

export interface OrderSyncContext {
  db: Db;
  log: Logger;
  clock: () => Date;
  storeId: string;
  settings: Settings;
  timeZone: string;
  qbo: QboClient;
  heartbeat: (details?: unknown) => void;
  /**
   * Aborted when Temporal has given up on this attempt (timed out or cancelled, learnt through a
   * heartbeat): no batch starts after that, so a retry elsewhere never races this attempt's writes.
   */
  signal?: AbortSignal | undefined;
  /** Batch calls in flight at once for this activity (the realm limiter still caps the realm). */
  batchConcurrency?: number;
}

const BATCH_MAX = 30;
const IN_LIST_MAX = 30;

export const zeroCounts = (): SyncCounts => ({ fetched: 0, synced: 0, unchanged: 0, parked: 0, skipped: 0, failed: 0 });

type SaleType = Extract<QboDocumentType, 'SalesReceipt' | 'Invoice'>;

interface Work {
  order: ShopifyOrderCore;
  key: SourceKey;
  rows: OrderRows;
  classification: OrderClassification;
  plan?: OrderReferencePlan;
  docType?: SaleType;
  doc?: Entity;
  fingerprint?: string;
  /** The sale document's QBO id/SyncToken once known. */
  saleId?: string;
  saleSyncToken?: string;
  customerId?: string;
  done?: boolean;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** What classifyOrder needs to know of the ledger: does a document exist, and of which type. */
function existingDocument(rows: OrderRows): ExistingOrderDocument | undefined {
  const sale = rows.sale;
  if (!sale) return undefined;
  if (sale.status === 'ignored' || sale.status === 'voided') return { type: (sale.qboType ?? 'SalesReceipt') as QboDocumentType, status: sale.status };
  if (!sale.qboId) return undefined;
  const payment = rows.payment?.qboId ? 'synced' : rows.payment?.status;
  return { type: sale.qboType as QboDocumentType, status: 'synced', ...(payment ? { paymentStatus: payment as ExistingOrderDocument['status'] } : {}) };
}

/** The most recent version of each order (a page overlap or a bulk file may repeat one). */
function latestVersions(orders: ShopifyOrderCore[]): ShopifyOrderCore[] {
  const byId = new Map<string, ShopifyOrderCore>();
  for (const o of orders) {
    const seen = byId.get(o.id);
    if (!seen || Date.parse(o.updatedAt) >= Date.parse(seen.updatedAt)) byId.set(o.id, o);
  }
  return [...byId.values()];
}

/** `unreadable`: orders (by id) that could not be read whole, parked with the reason given. */
export async function processOrders(ctx: OrderSyncContext, input: ShopifyOrderCore[], unreadable: Map<string, string> = new Map()): Promise<SyncCounts> {
  const { db, storeId, settings, timeZone } = ctx;
  const counts = zeroCounts();
  counts.fetched = input.length;
  const orders = latestVersions(input);
  if (orders.length === 0) return counts;
  const rowsByKey = await readOrderRows(db, storeId, orders.map((o) => orderSourceKey(o.id)));
  const writes: LedgerWrite[] = [];

  const base = (w: Work, role: string) => ({ storeId, sourceKey: w.key, role, sourceType: 'order' });
  const saleRow = (w: Work, changes: Partial<LedgerWrite>): LedgerWrite =>
    nextRow(base(w, ROLE.sale), w.rows.sale, {
      sourceName: w.order.name, sourceUpdatedAt: new Date(w.order.updatedAt), sourceTotalMinor: expectedTotals(w.order).documentTotal.minor, ...changes,
    }, ctx.clock());
  const park = (w: Work, code: string, reason: string, keep: Partial<LedgerWrite> = {}) => {
    writes.push(saleRow(w, { status: 'parked', reasonCode: code, reason, ...keep }));
    counts.parked++;
    w.done = true;
  };
  const fail = (w: Work, code: string, reason: string) => {
    writes.push(saleRow(w, { status: 'failed', reasonCode: code, reason }));
    counts.failed++;
    w.done = true;
  };

  // 0. A `pending` row means an earlier attempt sent a create and never heard back (crash, lost
  // response): find out from QBO whether it committed before deciding anything about the order.
  await settlePending(ctx, orders, rowsByKey, writes);

  // 1. Classify.
  const work: Work[] = orders.map((order) => {
    const key = orderSourceKey(order.id);
    const rows = rowsByKey.get(key) ?? {};
    const existing = existingDocument(rows);
    const tooLong = unreadable.get(order.id);
    const classification: OrderClassification = tooLong
      ? { kind: 'Park', code: 'order_too_long', reason: tooLong }
      : classifyOrder(order, settings, { ...(existing ? { existing } : {}), timeZone });
    return { order, key, rows, classification };
  });
  for (const w of work) {
    const c = w.classification;
    const hasDocument = Boolean(w.rows.sale?.qboId) && w.rows.sale?.status !== 'voided';
    if (c.kind === 'Skip') {
      // A booked document is never demoted to "skipped"; ignored/voided rows keep their status.
      if (!hasDocument && w.rows.sale?.status !== 'ignored' && w.rows.sale?.status !== 'voided') {
        writes.push(saleRow(w, { status: 'skipped', reasonCode: c.code, reason: c.reason }));
      }
      counts.skipped++;
      w.done = true;
    } else if (c.kind === 'Park') {
      park(w, c.code, c.reason);
    }
  }

  // 2. References for everything that will be written.
  const writing = work.filter((w) => !w.done && w.classification.kind !== 'VoidInvoice');
  for (const w of writing) w.plan = planOrderReferences(w.order, settings, timeZone);
  const refs = writing.length > 0 ? await resolveReferences(db, ctx.qbo, storeId, writing.map((w) => w.plan!)) : undefined;
  ctx.heartbeat({ stage: 'references', orders: orders.length });

  // 3. Build documents.
  for (const w of writing) {
    const kind = w.classification.kind;
    w.docType = kind === 'SalesReceipt' ? 'SalesReceipt' : 'Invoice';
    try {
      const resolved = refs!.refsFor(w.plan!);
      w.customerId = resolved.customerId;
      const doc = w.docType === 'SalesReceipt' ? buildSalesReceipt(w.order, settings, resolved, timeZone) : buildInvoice(w.order, settings, resolved, timeZone);
      w.doc = doc as unknown as Entity;
      w.fingerprint = documentFingerprint(doc);
    } catch (err) {
      if (err instanceof NeedsMappingError) {
        const problems = refs!.problemsFor(w.plan!);
        park(w, 'needs_mapping', problems.length ? `${err.message} (${problems.join('; ')})` : err.message, keepDocument(w.rows.sale));
      } else if (err instanceof UnsupportedOrderError) {
        park(w, err.code, err.message, keepDocument(w.rows.sale));
      } else if (isLedgerlineError(err) && err.retryable) {
        throw err;
      } else {
        // A fault of ours (bad data we did not foresee): recorded, never silent, never retried blindly.
        fail(w, isLedgerlineError(err) ? err.code : 'mapping_error', `Could not build the QBO document: ${(err as Error).message}`);
      }
    }
  }

  // 4. Decide: unchanged, update or create (pending rows were settled in step 0: not in QBO).
  const creates: Work[] = [];
  const updates: Work[] = [];
  for (const w of writing.filter((x) => !x.done)) {
    const sale = w.rows.sale;
    if (sale?.qboId && sale.status !== 'voided') {
      if (sale.qboType !== w.docType) {
        park(w, 'document_type_changed', `The order is booked as ${sale.qboType} ${sale.qboId} but now needs a ${w.docType}; review it in QBO`, keepDocument(sale));
        continue;
      }
      w.saleId = sale.qboId;
      w.saleSyncToken = sale.qboSyncToken ?? '0';
      const olderVersion = sale.sourceUpdatedAt !== null && Date.parse(w.order.updatedAt) < sale.sourceUpdatedAt.getTime();
      if (olderVersion) {
        // A replayed or overlapping read of an older version of the order: the newer one is booked.
        counts.unchanged++;
        w.done = true;
      } else if (sale.fingerprint === w.fingerprint && sale.status === 'synced') {
        counts.unchanged++;
        if (w.classification.kind !== 'InvoiceAndPayment') w.done = true;
      } else {
        updates.push(w);
      }
    } else {
      creates.push(w);
    }
  }

  // 5. Mark creates pending (step 0 is what makes that safe on the next attempt), then write.
  for (const w of creates) {
    writes.push(saleRow(w, {
      status: 'pending', reasonCode: null, reason: null, qboType: w.docType!, qboDocNumber: str(w.doc!.DocNumber) || null,
      fingerprint: w.fingerprint!, requestId: qboRequestId(w.key, w.docType!, w.fingerprint!),
      attempts: (w.rows.sale?.attempts ?? 0) + 1,
    }));
  }
  await flush();

  const retryable: LedgerlineError[] = [];
  const concurrency = ctx.batchConcurrency ?? 3;

  await mapPool(chunk(creates, BATCH_MAX), concurrency, async (group) => {
    ctx.signal?.throwIfAborted();
    const results = await sendBatch(ctx.qbo, group.map((w) => ({ operation: 'create', entity: w.docType!, body: w.doc! })));
    for (const [i, w] of group.entries()) await onResult(w, results[i]!, 'create');
    await flush();
    ctx.heartbeat({ stage: 'create' });
  });
  await mapPool(chunk(updates, BATCH_MAX), concurrency, async (group) => {
    ctx.signal?.throwIfAborted();
    const results = await sendBatch(ctx.qbo, group.map((w) => ({
      operation: 'update', entity: w.docType!, body: { ...w.doc!, Id: w.saleId!, SyncToken: w.saleSyncToken!, sparse: true },
    })));
    for (const [i, w] of group.entries()) await onResult(w, results[i]!, 'update');
    await flush();
    ctx.heartbeat({ stage: 'update' });
  });
  if (retryable.length > 0) throw retryable[0]!;

  // 6. Payments for invoices paid later, and voids of cancelled unpaid invoices.
  for (const w of work.filter((x) => !x.done && x.classification.kind === 'InvoiceAndPayment' && x.saleId)) {
    await payInvoice(w);
  }
  for (const w of work.filter((x) => !x.done && x.classification.kind === 'VoidInvoice')) {
    await voidInvoice(w);
  }
  await flush();
  return counts;

  // ---------------------------------------------------------------------------------------------

  async function flush(): Promise<void> {
    if (writes.length === 0) return;
    const batch = writes.splice(0, writes.length);
    await writeRows(db, batch);
  }

  function keepDocument(sale: LedgerRow | undefined): Partial<LedgerWrite> {
    return sale?.qboId ? {} : { qboType: null, qboId: null, qboSyncToken: null, qboDocNumber: null, qboTotalMinor: null, fingerprint: null };
  }

  /** Records a document QBO holds for the order, checking invariant 2 against Shopify's figures. */
  function recordSale(w: Work, entity: Entity): void {
    const { verdict, violations } = checkSale(w.order, entity);
    if (violations.length > 0) ctx.log.warn({ storeId, order: w.order.name, violations }, 'qbo document does not match the order');
    writes.push(saleRow(w, {
      ...verdict, qboType: w.docType!, qboId: str(entity.Id), qboSyncToken: str(entity.SyncToken), qboDocNumber: str(entity.DocNumber) || null,
      qboTotalMinor: totalMinor(w.order, entity), fingerprint: w.fingerprint!,
    }));
  }

  async function onResult(w: Work, result: BatchItemResult, op: 'create' | 'update'): Promise<void> {
    if (result.entity) {
      w.saleId = str(result.entity.Id);
      w.saleSyncToken = str(result.entity.SyncToken);
      recordSale(w, result.entity);
      if (writes.at(-1)?.status === 'synced') counts.synced++;
      else counts.parked++;
      if (w.classification.kind !== 'InvoiceAndPayment') w.done = true;
      return;
    }
    const fault = result.fault;
    if (!fault || fault.retryable) {
      retryable.push(fault ?? new QboValidationError('QBO answered a batch item without entity or fault'));
      w.done = true;
      return;
    }
    if (op === 'create' && isDuplicateDocNumber(fault)) {
      // The number is taken: ours (adopt it) or someone else's (a person decides).
      const existingId = existingIdFrom(fault);
      // Only "not found"/"not allowed" means "not ours"; a 5xx or 429 must fail the attempt, not park.
      const doc = existingId ? await ctx.qbo.read(w.docType!, existingId).catch((err: unknown) => {
        if (isLedgerlineError(err) && !err.retryable) return undefined;
        throw err;
      }) : undefined;
      if (doc && str(doc.PrivateNote).includes(orderNoteMarker(w.order.id))) {
        w.saleId = str(doc.Id);
        w.saleSyncToken = str(doc.SyncToken);
        await updateOne(w);
        return;
      }
      park(w, 'duplicate_doc_number', `${fault.message}. Another QBO document already uses this number; renumber it or set a DocNumber prefix`);
      return;
    }
    if (op === 'update' && faultCode(fault) === FAULT.stale) {
      await updateOne(w);
      return;
    }
    if (faultCode(fault) === FAULT.notFound || /Invalid Reference Id|inactive/i.test(fault.message)) {
      // A cached Item/customer may be gone or inactive: forget them so the retry resolves afresh.
      const resolved = refs!.refsFor(w.plan!);
      await forgetRefs(db, storeId, [resolved.customerId, ...Object.values(resolved.items), ...Object.values(resolved.categoryItems)]);
    }
    park(w, 'qbo_validation', fault.message, keepDocument(w.rows.sale));
  }

  /** One update with a freshly read SyncToken (after 5010 Stale Object, or adopting a document). */
  async function updateOne(w: Work): Promise<void> {
    try {
      const current = await ctx.qbo.read(w.docType!, w.saleId!);
      const entity = await ctx.qbo.update(w.docType!, { ...w.doc!, Id: w.saleId!, SyncToken: str(current.SyncToken) }, { sparse: true });
      w.saleSyncToken = str(entity.SyncToken);
      recordSale(w, entity);
      if (writes.at(-1)?.status === 'synced') counts.synced++;
      else counts.parked++;
      if (w.classification.kind !== 'InvoiceAndPayment') w.done = true;
    } catch (err) {
      if (err instanceof QboValidationError) park(w, 'qbo_validation', err.message, keepDocument(w.rows.sale));
      else throw err;
    }
  }

  async function payInvoice(w: Work): Promise<void> {
    const payment = w.rows.payment;
    if (payment?.status === 'synced' && payment.qboId) {
      w.done = true;
      return;
    }
    const resolved = refs!.refsFor(w.plan!);
    let body: Entity;
    try {
      body = buildPayment(w.order, w.saleId!, settings, resolved, timeZone) as unknown as Entity;
    } catch (err) {
      if (err instanceof NeedsMappingError || err instanceof UnsupportedOrderError) {
        writes.push(nextRow(base(w, ROLE.payment), payment, { status: 'parked', reasonCode: err.code, reason: err.message, sourceName: w.order.name }, ctx.clock()));
        counts.parked++;
        return;
      }
      throw err;
    }
    const fingerprint = documentFingerprint(body);
    const requestId = qboRequestId(w.key, 'Payment', fingerprint);
    const paymentRow = (changes: Partial<LedgerWrite>) =>
      nextRow(base(w, ROLE.payment), payment, { sourceName: w.order.name, sourceUpdatedAt: new Date(w.order.updatedAt), fingerprint, requestId, ...changes }, ctx.clock());
    if (payment?.status === 'pending') {
      const existing = await findPayment(w.saleId!, str((body.CustomerRef as Entity).value));
      if (existing) {
        writes.push(paymentRow({ status: 'synced', qboType: 'Payment', qboId: str(existing.Id), qboSyncToken: str(existing.SyncToken), reason: null, reasonCode: null }));
        counts.synced++;
        return;
      }
    }
    writes.push(paymentRow({ status: 'pending', attempts: (payment?.attempts ?? 0) + 1 }));
    await flush();
    try {
      // A single create carries a requestid: QBO replays the answer to a retried request (docs/qbo-facts.md §2).
      const entity = await ctx.qbo.create('Payment', body, { requestId });
      writes.push(paymentRow({
        status: 'synced', qboType: 'Payment', qboId: str(entity.Id), qboSyncToken: str(entity.SyncToken), reason: null, reasonCode: null,
        qboTotalMinor: totalMinor(w.order, entity),
      }));
      counts.synced++;
    } catch (err) {
      if (!(err instanceof QboValidationError)) throw err;
      writes.push(paymentRow({ status: 'parked', reasonCode: 'qbo_validation', reason: err.message }));
      counts.parked++;
    }
  }

  async function findPayment(invoiceId: string, customerId: string): Promise<Entity | undefined> {
    const rows = await ctx.qbo.query('Payment', `CustomerRef = ${qboLiteral(customerId)}`);
    return rows.find((p) => ((p.Line as Entity[] | undefined) ?? []).some((l) =>
      ((l.LinkedTxn as Entity[] | undefined) ?? []).some((t) => str(t.TxnId) === invoiceId && t.TxnType === 'Invoice')));
  }

  async function voidInvoice(w: Work): Promise<void> {
    const sale = w.rows.sale!;
    try {
      const current = await ctx.qbo.read('Invoice', sale.qboId!);
      const entity = await ctx.qbo.void('Invoice', { Id: sale.qboId!, SyncToken: str(current.SyncToken) });
      writes.push(saleRow(w, {
        status: 'voided', reasonCode: 'cancelled_unpaid', reason: 'Cancelled before it was paid: the invoice was voided in QBO',
        qboSyncToken: str(entity.SyncToken), qboTotalMinor: 0,
      }));
      counts.synced++;
    } catch (err) {
      if (!(err instanceof QboValidationError)) throw err;
      park(w, 'qbo_validation', `Voiding invoice ${sale.qboId}: ${err.message}`);
    }
  }
}

/** The QBO document's TotalAmt in the order's minor units (null when QBO did not say). */
function totalMinor(order: ShopifyOrderCore, entity: Entity): number | null {
  return typeof entity.TotalAmt === 'number' ? fromQboAmount(entity.TotalAmt, orderAmounts(order).currency).minor : null;
}

/** Invariant 2 for a sale document QBO holds: synced, or parked saying what differs from Shopify. */
function checkSale(order: ShopifyOrderCore, doc: Entity) {
  const violations = checkDocumentAgainstOrder(order, doc as unknown as QboSaleDocumentLike);
  const verdict: Pick<LedgerWrite, 'status' | 'reason' | 'reasonCode'> = violations.length === 0
    ? { status: 'synced', reason: null, reasonCode: null }
    : {
        status: 'parked', reasonCode: 'total_mismatch',
        reason: `QBO booked different figures than Shopify (${violations.map((v) => `${v.check}: QBO ${v.actual}, Shopify ${v.expected}`).join('; ')})`,
      };
  return { verdict, violations };
}

interface BatchOp {
  operation: 'create' | 'update';
  entity: string;
  body: Entity;
}

/** One batch call; results in the order of `ops` (QBO answers by bId, ≤ 10 chars with a requestid). */
async function sendBatch(qbo: QboClient, ops: BatchOp[]): Promise<BatchItemResult[]> {
  const results = await qbo.batch(ops.map((op, i) => ({ bId: `b${i}`, operation: op.operation, [op.entity]: op.body })));
  const byId = new Map(results.map((r) => [r.bId, r]));
  return ops.map((_, i) => byId.get(`b${i}`) ?? { bId: `b${i}` });
}

/**
 * Step 0: for every `pending` sale row, search QBO by the DocNumber it was sent with; the document
 * carrying this order's marker in PrivateNote is the one that committed, and is adopted (recorded as
 * synced with the fingerprint of the version that was sent). Rows found nowhere stay pending and are
 * created again — which is then safe, because QBO does not hold them.
 */
async function settlePending(ctx: OrderSyncContext, orders: ShopifyOrderCore[], rowsByKey: Map<string, OrderRows>, writes: LedgerWrite[]): Promise<void> {
  const byId = new Map(orders.map((o) => [orderSourceKey(o.id), o]));
  for (const type of ['SalesReceipt', 'Invoice'] as const) {
    const pending = [...rowsByKey.values()].map((r) => r.sale).filter((r): r is LedgerRow =>
      r !== undefined && r.status === 'pending' && !r.qboId && r.qboType === type && Boolean(r.qboDocNumber));
    const byNumber = new Map<string, LedgerRow[]>();
    for (const row of pending) byNumber.set(row.qboDocNumber!, [...(byNumber.get(row.qboDocNumber!) ?? []), row]);
    {
      const docs = await queryIn(ctx.qbo, type, 'DocNumber', [...byNumber.keys()], IN_LIST_MAX);
      for (const doc of docs) {
        for (const row of byNumber.get(str(doc.DocNumber)) ?? []) {
          const order = byId.get(row.sourceKey as SourceKey);
          if (!order || !str(doc.PrivateNote).includes(orderNoteMarker(order.id))) continue;
          ctx.log.info({ storeId: ctx.storeId, order: order.name, qboType: type, qboId: doc.Id }, 'adopted a document an earlier attempt created');
          const adopted = nextRow(row, row, { ...checkSale(order, doc).verdict, qboId: str(doc.Id), qboSyncToken: str(doc.SyncToken), qboTotalMinor: totalMinor(order, doc) }, ctx.clock());
          writes.push(adopted);
          rowsByKey.set(row.sourceKey, { ...rowsByKey.get(row.sourceKey), sale: { ...row, ...adopted } as LedgerRow });
        }
      }
    }
  }
}
