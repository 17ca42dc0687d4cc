/**
 * Posts a set of Shopify orders to QBO exactly once and records each outcome in the ledger. This file
 * does the I/O; every decision is a pure function of domain/sync (the decision table). The steps, for
 * one page or bulk chunk at a time:
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
 * With `posting: review` a create is held instead (step 4; domain/sync/review.ts): the row keeps the built document
 * and nothing is sent until a person approves it; the approved row is then created here like any other.
 * Payments (an invoice paid later) are single creates with a requestid; voids use Id + SyncToken.
 */
import { asText as str, chunk } from '../../domain/collections';
import type { Logger } from '../../config/logger';
import type { Db } from '../../db/client';
import { listLedgerRows, upsertLedgerRows } from '../../db/queries';
import { QboValidationError, isLedgerlineError, type LedgerlineError } from '../../domain/errors';
import { orderSourceKey, type SourceKey } from '../../domain/ledger';
import {
  buildInvoice,
  buildPayment,
  buildSalesReceipt,
  documentFingerprint,
  planOrderReferences,
  type OrderReferencePlan,
} from '../../domain/mapping';
import type { CompanyPrefs, Settings } from '../../domain/settings';
import type { ShopifyOrderCore } from '../../domain/shopify/types';
import {
  adoptPending,
  answeredByQbo,
  bookedSale,
  groupOrderRows,
  heldSale,
  decideBuildFailure,
  decideDocumentWrite,
  decideOrder,
  decidePayment,
  decidePosting,
  discardedSale,
  discardMismatch,
  documentTotalMinor,
  interpretWriteResult,
  keepDocument,
  latestVersions,
  nextEntry,
  paymentForInvoice,
  paymentRequestId,
  pendingCreate,
  pendingToSettle,
  resolveDuplicateNumber,
  resolveStale,
  ROLE,
  saleSource,
  voidedInvoice,
  type LedgerEntry,
  type LedgerEntryChanges,
  type OrderRows,
  type SaleType,
} from '../../domain/sync';
import { QBO_BATCH_MAX, type BatchItemResult, type QboClient } from '../../integrations/qbo/client';
import type { SyncCounts } from '../../workflows/contracts';
import { DOC_NUMBER_IN_LIST_MAX, mapPool, qboLiteral, queryIn } from './qbo-helpers';
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
  /** The company's preferences as QBO answered at this activity's start (absent: all on). */
  company?: CompanyPrefs | undefined;
  heartbeat: (details?: unknown) => void;
  /**
   * Aborted when Temporal has given up on this attempt (timed out or cancelled, learnt through a
   * heartbeat): no batch starts after that, so a retry elsewhere never races this attempt's writes.
   */
  signal?: AbortSignal | undefined;
  /** Batch calls in flight at once for this activity (the realm limiter still caps the realm). */
  batchConcurrency?: number;
}

export const zeroCounts = (): SyncCounts => ({ fetched: 0, synced: 0, unchanged: 0, parked: 0, skipped: 0, failed: 0 });

interface Work {
  order: ShopifyOrderCore;
  key: SourceKey;
  rows: OrderRows;
  docType?: SaleType;
  /** Record the invoice's Payment once the invoice is booked. */
  payment?: boolean;
  void?: boolean;
  plan?: OrderReferencePlan;
  doc?: Entity;
  fingerprint?: string;
  /** The sale document's QBO id/SyncToken once known. */
  saleId?: string;
  saleSyncToken?: string;
  done?: boolean;
}

/** `unreadable`: orders (by id) that could not be read whole, parked with the reason given. */
export async function processOrders(
  ctx: OrderSyncContext,
  input: ShopifyOrderCore[],
  unreadable: Map<string, string> = new Map(),
): Promise<SyncCounts> {
  const { db, storeId, settings, timeZone } = ctx;
  const counts = zeroCounts();
  counts.fetched = input.length;
  const orders = latestVersions(input);
  if (orders.length === 0) return counts;
  const rowsByKey = groupOrderRows(await listLedgerRows(db, { storeId, sourceKeys: orders.map((o) => orderSourceKey(o.id)) }));
  const writes: LedgerEntry[] = [];

  const base = (w: Work, role: string) => ({ storeId, sourceKey: w.key, role, sourceType: 'order' });
  const saleRow = (w: Work, changes: LedgerEntryChanges): LedgerEntry =>
    nextEntry(base(w, ROLE.sale), w.rows.sale, { ...saleSource(w.order), ...changes }, ctx.clock());
  const park = (w: Work, code: string, reason: string, keep: LedgerEntryChanges = {}) => {
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

  // 1. Decide what each order needs.
  const work: Work[] = orders.map((order) => {
    const key = orderSourceKey(order.id);
    return { order, key, rows: rowsByKey.get(key) ?? {} };
  });
  for (const w of work) {
    const d = decideOrder(w.order, w.rows, settings, timeZone, unreadable.get(w.order.id));
    if (d.action === 'skip') {
      if (d.record) writes.push(saleRow(w, { status: 'skipped', reasonCode: d.code, reason: d.reason }));
      counts.skipped++;
      w.done = true;
    } else if (d.action === 'park') {
      park(w, d.code, d.reason);
    } else if (d.action === 'void') {
      w.void = true;
    } else {
      w.docType = d.docType;
      w.payment = d.payment;
    }
  }

  // 2. References for everything that will be written.
  const writing = work.filter((w) => !w.done && !w.void);
  for (const w of writing) w.plan = planOrderReferences(w.order, settings, timeZone);
  const refs =
    writing.length > 0
      ? await resolveReferences(
          db,
          ctx.qbo,
          storeId,
          writing.map((w) => w.plan!),
        )
      : undefined;
  ctx.heartbeat({ stage: 'references', orders: orders.length });

  // 3. Build documents.
  for (const w of writing) {
    try {
      const resolved = refs!.refsFor(w.plan!);
      const doc =
        w.docType === 'SalesReceipt'
          ? buildSalesReceipt(w.order, settings, resolved, timeZone, ctx.company)
          : buildInvoice(w.order, settings, resolved, timeZone, ctx.company);
      w.doc = doc as unknown as Entity;
      w.fingerprint = documentFingerprint(doc);
    } catch (err) {
      const failure = decideBuildFailure(err, w.rows.sale, refs!.problemsFor(w.plan!));
      if (failure.action === 'rethrow') throw failure.error;
      if (failure.action === 'park') park(w, failure.code, failure.reason, failure.keep);
      else fail(w, failure.code, failure.reason);
    }
  }

  // 4. Unchanged, update or create (pending rows were settled in step 0: not in QBO).
  const creates: Work[] = [];
  const updates: Work[] = [];
  for (const w of writing.filter((x) => !x.done)) {
    const d = decideDocumentWrite(w.rows.sale, w.docType!, w.fingerprint!, w.order.updatedAt);
    if (d.action === 'park') {
      park(w, d.code, d.reason, d.keep);
    } else if (d.action === 'create') {
      // Review before posting (settings `posting: review`, docs/review.md): a new document is held, not sent.
      const posting = decidePosting(settings.posting, w.rows.sale, w.fingerprint!);
      if (posting.action === 'post') {
        creates.push(w);
      } else {
        writes.push(saleRow(w, heldSale(w.order, w.docType!, w.doc!, w.fingerprint!, posting.changedSinceApproval)));
        counts.skipped++;
        w.done = true;
      }
    } else {
      w.saleId = d.qboId;
      w.saleSyncToken = d.syncToken;
      if (d.action === 'update') {
        updates.push(w);
      } else {
        counts.unchanged++;
        if (d.older || !w.payment) w.done = true;
      }
    }
  }

  // 5. Mark creates pending (step 0 is what makes that safe on the next attempt), then write.
  for (const w of creates) writes.push(saleRow(w, pendingCreate(w.key, w.rows.sale, w.docType!, str(w.doc!.DocNumber), w.fingerprint!)));
  await flush();

  const retryable: LedgerlineError[] = [];
  const concurrency = ctx.batchConcurrency ?? 3;

  await mapPool(chunk(creates, QBO_BATCH_MAX), concurrency, async (group) => {
    ctx.signal?.throwIfAborted();
    const results = await sendBatch(
      ctx.qbo,
      group.map((w) => ({ operation: 'create', entity: w.docType!, body: w.doc! })),
    );
    for (const [i, w] of group.entries()) await onResult(w, results[i]!, 'create');
    await flush();
    ctx.heartbeat({ stage: 'create' });
  });
  await mapPool(chunk(updates, QBO_BATCH_MAX), concurrency, async (group) => {
    ctx.signal?.throwIfAborted();
    const results = await sendBatch(
      ctx.qbo,
      group.map((w) => ({
        operation: 'update',
        entity: w.docType!,
        body: { ...w.doc!, Id: w.saleId!, SyncToken: w.saleSyncToken!, sparse: true },
      })),
    );
    for (const [i, w] of group.entries()) await onResult(w, results[i]!, 'update');
    await flush();
    ctx.heartbeat({ stage: 'update' });
  });
  if (retryable.length > 0) throw retryable[0]!;

  // 6. Payments for invoices paid later, and voids of cancelled unpaid invoices.
  for (const w of work.filter((x) => !x.done && x.payment && x.saleId)) await payInvoice(w);
  for (const w of work.filter((x) => !x.done && x.void)) await voidInvoice(w);
  await flush();
  return counts;

  // ---------------------------------------------------------------------------------------------

  async function flush(): Promise<void> {
    if (writes.length === 0) return;
    const batch = writes.splice(0, writes.length);
    await upsertLedgerRows(db, { rows: batch });
  }

  /**
   * Records a document QBO holds for the order, checked against Shopify's figures (invariant 2). One
   * that fails the check is deleted at once (domain/sync discardMismatch) and the order parked: a
   * wrong document never stays in QBO, and no Payment is applied to a wrong invoice.
   */
  async function recordSale(w: Work, entity: Entity): Promise<void> {
    w.saleId = str(entity.Id);
    w.saleSyncToken = str(entity.SyncToken);
    const booked = bookedSale(w.order, w.docType!, entity, w.fingerprint!);
    if (booked.synced) {
      writes.push(saleRow(w, booked.changes));
      counts.synced++;
      if (!w.payment) w.done = true;
      return;
    }
    ctx.log.warn({ storeId, order: w.order.name, violations: booked.violations }, 'qbo document does not match the order: deleting it');
    writes.push(saleRow(w, await discardWrongDocument(ctx, w.order, w.docType!, entity)));
    counts.parked++;
    w.done = true;
  }

  async function onResult(w: Work, result: BatchItemResult, op: 'create' | 'update'): Promise<void> {
    const outcome = interpretWriteResult(result, op);
    switch (outcome.kind) {
      case 'booked':
        await recordSale(w, outcome.entity);
        return;
      case 'retry':
        retryable.push(outcome.error ?? new QboValidationError('QBO answered a batch item without entity or fault'));
        w.done = true;
        return;
      case 'duplicate_number': {
        // Only "not found"/"not allowed" means "not ours"; a 5xx or 429 must fail the attempt, not park.
        const doc = outcome.existingId
          ? await ctx.qbo.read(w.docType!, outcome.existingId).catch((err: unknown) => {
              if (isLedgerlineError(err) && !err.retryable) return undefined;
              throw err;
            })
          : undefined;
        const d = resolveDuplicateNumber(doc, w.order, outcome.message);
        if (d.action === 'adopt') {
          w.saleId = d.qboId;
          await updateOne(w);
        } else {
          park(w, d.code, d.reason);
        }
        return;
      }
      case 'stale':
        await afterStale(w);
        return;
      case 'rejected':
        if (outcome.forgetReferences) {
          // A cached Item/customer may be gone or inactive: forget them so the retry resolves afresh.
          const resolved = refs!.refsFor(w.plan!);
          await forgetRefs(db, storeId, [resolved.customerId, ...Object.values(resolved.items), ...Object.values(resolved.categoryItems)]);
        }
        park(w, 'qbo_validation', outcome.reason, keepDocument(w.rows.sale));
    }
  }

  /** One update with a freshly read SyncToken (adopting our own document after a 6140). */
  async function updateOne(w: Work): Promise<void> {
    try {
      const current = await ctx.qbo.read(w.docType!, w.saleId!);
      const entity = await ctx.qbo.update(w.docType!, { ...w.doc!, Id: w.saleId!, SyncToken: str(current.SyncToken) }, { sparse: true });
      await recordSale(w, entity);
    } catch (err) {
      if (err instanceof QboValidationError) park(w, 'qbo_validation', err.message, keepDocument(w.rows.sale));
      else throw err;
    }
  }

  /** 5010 on an update: read the document again; never overwrite what a person changed (resolveStale). */
  async function afterStale(w: Work): Promise<void> {
    try {
      const current = await ctx.qbo.read(w.docType!, w.saleId!);
      const d = resolveStale(current, w.docType!, w.fingerprint!, w.rows.sale);
      if (d.action === 'record') {
        await recordSale(w, current);
      } else if (d.action === 'update') {
        const entity = await ctx.qbo.update(w.docType!, { ...w.doc!, Id: w.saleId!, SyncToken: d.syncToken }, { sparse: true });
        await recordSale(w, entity);
      } else {
        ctx.log.warn({ storeId, order: w.order.name, qboType: w.docType, qboId: w.saleId }, 'document edited in QBO: not overwritten');
        park(w, d.code, d.reason, d.keep);
      }
    } catch (err) {
      if (err instanceof QboValidationError) park(w, 'qbo_validation', err.message, keepDocument(w.rows.sale));
      else throw err;
    }
  }

  async function payInvoice(w: Work): Promise<void> {
    const payment = w.rows.payment;
    const step = decidePayment(payment);
    if (step === 'booked') {
      w.done = true;
      return;
    }
    const resolved = refs!.refsFor(w.plan!);
    let body: Entity;
    try {
      body = buildPayment(w.order, w.saleId!, settings, resolved, timeZone) as unknown as Entity;
    } catch (err) {
      const failure = decideBuildFailure(err, undefined, []);
      if (failure.action !== 'park') throw err;
      writes.push(
        nextEntry(
          base(w, ROLE.payment),
          payment,
          { status: 'parked', reasonCode: failure.code, reason: (err as Error).message, sourceName: w.order.name },
          ctx.clock(),
        ),
      );
      counts.parked++;
      return;
    }
    const fingerprint = documentFingerprint(body);
    const requestId = paymentRequestId(w.key, fingerprint, payment);
    const paymentRow = (changes: LedgerEntryChanges) =>
      nextEntry(
        base(w, ROLE.payment),
        payment,
        { sourceName: w.order.name, sourceUpdatedAt: new Date(w.order.updatedAt), fingerprint, requestId, ...changes },
        ctx.clock(),
      );
    if (step === 'search') {
      const customerPayments = await ctx.qbo.query('Payment', `CustomerRef = ${qboLiteral(str((body.CustomerRef as Entity).value))}`);
      const existing = paymentForInvoice(customerPayments, w.saleId!);
      if (existing) {
        writes.push(
          paymentRow({
            status: 'synced',
            qboType: 'Payment',
            qboId: str(existing.Id),
            qboSyncToken: str(existing.SyncToken),
            reason: null,
            reasonCode: null,
          }),
        );
        counts.synced++;
        return;
      }
    }
    // The send count: every row written from here on carries it, so a send after a fault gets a new requestid.
    const attempts = (payment?.attempts ?? 0) + 1;
    writes.push(paymentRow({ status: 'pending', attempts }));
    await flush();
    try {
      // A single create carries a requestid: QBO replays the answer to a retried request (docs/qbo-facts.md §2).
      const entity = await ctx.qbo.create('Payment', body, { requestId });
      writes.push(
        paymentRow({
          status: 'synced',
          attempts,
          qboType: 'Payment',
          qboId: str(entity.Id),
          qboSyncToken: str(entity.SyncToken),
          reason: null,
          reasonCode: null,
          qboTotalMinor: documentTotalMinor(w.order, entity),
        }),
      );
      counts.synced++;
    } catch (err) {
      if (!(err instanceof QboValidationError)) {
        // QBO answered with a fault (5xx): it may replay that answer to this requestid, so the retry
        // sends a new one (the row stays pending: the retry searches the customer's Payments first).
        if (answeredByQbo(err)) {
          writes.push(paymentRow({ status: 'pending', attempts, requestId: null }));
          await flush();
        }
        throw err;
      }
      writes.push(paymentRow({ status: 'parked', attempts, reasonCode: 'qbo_validation', reason: err.message }));
      counts.parked++;
    }
  }

  async function voidInvoice(w: Work): Promise<void> {
    const sale = w.rows.sale!;
    try {
      const current = await ctx.qbo.read('Invoice', sale.qboId!);
      const entity = await ctx.qbo.void('Invoice', { Id: sale.qboId!, SyncToken: str(current.SyncToken) });
      writes.push(saleRow(w, voidedInvoice(entity)));
      counts.synced++;
    } catch (err) {
      if (!(err instanceof QboValidationError)) throw err;
      park(w, 'qbo_validation', `Voiding invoice ${sale.qboId}: ${err.message}`);
    }
  }
}

/**
 * Deletes a document that failed the totals check (domain/sync discardMismatch) and returns the row to
 * record. A delete QBO refuses with a ValidationFault (a payment applied, a deposit holding it) leaves
 * the document for a person, said in the row; anything transient fails the attempt (the retry re-reads
 * and checks the document again).
 */
async function discardWrongDocument(
  ctx: OrderSyncContext,
  order: ShopifyOrderCore,
  docType: SaleType,
  entity: Entity,
): Promise<LedgerEntryChanges> {
  const d = discardMismatch(docType, entity);
  try {
    await ctx.qbo.delete(d.docType, { Id: d.qboId, SyncToken: d.syncToken });
    ctx.log.info(
      { storeId: ctx.storeId, order: order.name, qboType: docType, qboId: d.qboId },
      'deleted a document that failed the totals check',
    );
    return discardedSale(order, docType, entity, { deleted: true });
  } catch (err) {
    if (!(err instanceof QboValidationError)) throw err;
    return discardedSale(order, docType, entity, { deleted: false, refusal: err.message });
  }
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
 * Step 0: for every `pending` sale row, search QBO by the DocNumber it was sent with and adopt what
 * the adoption rule (domain/sync adoptPending) says an earlier attempt committed.
 */
async function settlePending(
  ctx: OrderSyncContext,
  orders: ShopifyOrderCore[],
  rowsByKey: Map<string, OrderRows>,
  writes: LedgerEntry[],
): Promise<void> {
  const byKey = new Map(orders.map((o) => [orderSourceKey(o.id) as string, o]));
  for (const { type, byNumber } of pendingToSettle(rowsByKey.values())) {
    if (byNumber.size === 0) continue;
    const docs = await queryIn(ctx.qbo, type, 'DocNumber', [...byNumber.keys()], DOC_NUMBER_IN_LIST_MAX);
    for (const { row, order, doc, changes } of adoptPending(byNumber, docs, byKey)) {
      ctx.log.info(
        { storeId: ctx.storeId, order: order.name, qboType: type, qboId: doc.Id },
        'adopted a document an earlier attempt created',
      );
      // An adopted document is checked like any other: a wrong one is deleted, not kept.
      const checked = changes.status === 'synced' ? changes : { ...changes, ...(await discardWrongDocument(ctx, order, type, doc)) };
      const adopted = nextEntry(row, row, checked, ctx.clock());
      writes.push(adopted);
      rowsByKey.set(row.sourceKey, { ...rowsByKey.get(row.sourceKey), sale: adopted });
    }
  }
}
