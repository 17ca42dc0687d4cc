/**
 * Books the refunds of a set of Shopify orders, each as its own QBO document, exactly once (invariant 3),
 * after their orders' sales were written (processOrders). I/O only; every decision is in
 * domain/sync/refunds.ts and the document in domain/mapping/refund.ts. For each refund without a
 * settled ledger row:
 *   1. read its details from Shopify (REFUND_BY_ID: lines, shipping, adjustments, transactions);
 *   2. a `pending` row means an earlier attempt sent the create and never heard back: QBO is searched
 *      by the DocNumber it was sent with, and the document carrying the refund's marker is adopted;
 *   3. decide (skip, wait for the sale or the money, or book as RefundReceipt / CreditMemo);
 *   4. resolve references, build, write the row `pending`, create with a requestid (a retried create
 *      replays QBO's first answer, docs/qbo-facts.md §2);
 *   5. check what QBO booked against Shopify's refund; a document that differs is deleted at once and the
 *      refund parked with the difference.
 * Refunds are few next to orders and each needs its own Shopify read, so they are single creates.
 */
import { asText as str } from '../../domain/collections';
import { listChildRows, listLedgerRows, upsertLedgerRows } from '../../db/queries';
import { QboValidationError, ShopifyThrottledError, isLedgerlineError } from '../../domain/errors';
import { orderSourceKey, qboRequestId, refundSourceKey } from '../../domain/ledger';
import {
  buildRefundDocument,
  documentFingerprint,
  planRefundReferences,
  refundDocNumber,
  refundOrdinal,
  type OrderReferencePlan,
  type RefundDocumentType,
} from '../../domain/mapping';
import type { ShopifyOrderCore, ShopifyRefund, ShopifyRefundSummary } from '../../domain/shopify/types';
import {
  decideBuildFailure,
  decideRefund,
  isRefundsDocument,
  nextEntry,
  REFUND_ROLE,
  refundNeedsWork,
  refundSource,
  refundVerdict,
  ROLE,
  type LedgerEntry,
  type LedgerEntryChanges,
} from '../../domain/sync';
import type { SyncCounts } from '../../workflows/contracts';
import type { OrderSyncContext } from './orders';
import { mapPool, qboLiteral } from './qbo-helpers';
import { resolveReferences } from './references';

type Entity = Record<string, unknown>;

/**
 * Refund details read from Shopify at once (startRefundReads), in the background while the sales are written,
 * and refunds settled and decided at once. Under a shop's cost budget the pacer holds the reads back (it
 * reserves each query's requested cost, 459 points), and a read Shopify still throttles waits the time it is
 * told (readThrottled) instead of deferring the refund; with the budget off (Shopify Plus rates, the (a)
 * benchmark) the round trips overlap.
 */
const REFUND_READS_AT_ONCE = 4;
/** Throttled refund reads waited out per refund before it is deferred, and the longest single wait. */
const THROTTLE_WAITS = 3;
const THROTTLE_WAIT_MAX_MS = 10_000;
const REFUND_CREATES_AT_ONCE = 3;

/** Faults retrying can fix (throttling, 5xx, lost connections); validation and revoked grants are not. */
const isTransient = (err: unknown): boolean => isLedgerlineError(err) && err.retryable;

export interface RefundSyncContext extends OrderSyncContext {
  /** Reads one refund with its details (null when Shopify no longer has it). */
  readRefund: (refundId: string) => Promise<ShopifyRefund | null>;
}

interface RefundWork {
  order: ShopifyOrderCore;
  refund: ShopifyRefund;
  ordinal: number;
  row: LedgerEntry | undefined;
  docType?: RefundDocumentType;
  plan?: OrderReferencePlan;
  /** Its own rows while it is being written (several refunds are written at once; each flushes only its own). */
  out?: LedgerEntry[];
}

/**
 * One refund read. Shopify's THROTTLED answer says when the bucket will hold the query's cost: wait that
 * long (at most THROTTLE_WAITS times, each ≤ THROTTLE_WAIT_MAX_MS, while the heartbeat goes on) rather than
 * defer the refund to the next run, where the same order of reads would meet the same empty bucket.
 */
async function readThrottled(ctx: RefundSyncContext, id: string): Promise<ShopifyRefund | null> {
  for (let waits = 0; ; waits++) {
    try {
      return await ctx.readRefund(id);
    } catch (err) {
      if (!(err instanceof ShopifyThrottledError) || waits >= THROTTLE_WAITS) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(err.retryAfterMs ?? 1000, THROTTLE_WAIT_MAX_MS)));
      ctx.signal?.throwIfAborted();
    }
  }
}

/** Refund details being read in the background (startRefundReads). */
export interface RefundReads {
  /** The refund's details; rejects with the read's error (the caller defers that refund). */
  get(refundId: string): Promise<ShopifyRefund | null>;
  /** Starts no further read (the activity is failing or done). */
  stop(): void;
}

/**
 * Starts reading, REFUND_READS_AT_ONCE at a time in the background, the details of every refund of `orders` that still needs
 * work, so those reads (bound by the shop's Shopify cost budget) run while the same orders' sales are written
 * to QBO (bound by QBO's limits) instead of after them. The refund rows cannot change meanwhile: only this
 * activity writes them, under the store's write lease.
 */
export async function startRefundReads(ctx: RefundSyncContext, orders: readonly ShopifyOrderCore[]): Promise<RefundReads> {
  const withRefunds = orders.filter((o) => o.refunds.length > 0);
  const started = new Map<string, Promise<ShopifyRefund | null>>();
  let stopped = false;
  if (withRefunds.length > 0) {
    const rows = new Map(
      (await listChildRows(ctx.db, { storeId: ctx.storeId, parentKeys: withRefunds.map((o) => orderSourceKey(o.id)) }))
        .filter((r) => r.role === REFUND_ROLE)
        .map((r) => [r.sourceKey, r]),
    );
    const ids = withRefunds.flatMap((order) =>
      order.refunds.filter((summary) => refundNeedsWork(rows.get(refundSourceKey(summary.id)))).map((summary) => summary.id),
    );
    // Each id gets a promise now; REFUND_READS_AT_ONCE lanes settle them in order. A read's failure is handled
    // where it is awaited (processRefunds defers that refund), so it is marked handled here.
    const settle = new Map<string, { resolve: (r: ShopifyRefund | null) => void; reject: (e: unknown) => void }>();
    for (const id of ids) {
      const read = new Promise<ShopifyRefund | null>((resolve, reject) => settle.set(id, { resolve, reject }));
      read.catch(() => undefined);
      started.set(id, read);
    }
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const { resolve, reject } = settle.get(id)!;
        if (stopped) {
          reject(new Error('refund reads stopped'));
          continue;
        }
        await readThrottled(ctx, id).then(resolve, reject);
      }
    };
    for (let i = 0; i < Math.min(REFUND_READS_AT_ONCE, ids.length); i++) void lane();
  }
  return {
    get: (id) => started.get(id) ?? readThrottled(ctx, id),
    stop: () => {
      stopped = true;
    },
  };
}

/**
 * Adds what it did to `counts` (synced, parked, skipped, failed). `reads` holds the refund details read while
 * the sales were written (startRefundReads).
 */
export async function processRefunds(
  ctx: RefundSyncContext,
  orders: readonly ShopifyOrderCore[],
  counts: SyncCounts,
  reads: RefundReads,
): Promise<void> {
  const { db, storeId, settings, timeZone } = ctx;
  const withRefunds = orders.filter((o) => o.refunds.length > 0);
  if (withRefunds.length === 0) return;
  const orderKeys = withRefunds.map((o) => orderSourceKey(o.id));
  const sales = new Map(
    (await listLedgerRows(db, { storeId, sourceKeys: orderKeys })).filter((r) => r.role === ROLE.sale).map((r) => [r.sourceKey, r]),
  );
  const rows = new Map(
    (await listChildRows(db, { storeId, parentKeys: orderKeys })).filter((r) => r.role === REFUND_ROLE).map((r) => [r.sourceKey, r]),
  );
  const writes: LedgerEntry[] = [];
  const flush = async (): Promise<void> => {
    if (writes.length > 0) await upsertLedgerRows(db, { rows: writes.splice(0, writes.length) });
  };
  const rowFor = (w: RefundWork, changes: LedgerEntryChanges): LedgerEntry => {
    const base = { storeId, sourceKey: refundSourceKey(w.refund.id), role: REFUND_ROLE, sourceType: 'refund' };
    const next = nextEntry(base, w.row, { ...refundSource(w.order, w.refund, w.ordinal), ...changes }, ctx.clock());
    w.row = next;
    return next;
  };
  const emit = (w: RefundWork, row: LedgerEntry): void => {
    (w.out ?? writes).push(row);
  };
  const flushWork = async (w: RefundWork): Promise<void> => {
    if (w.out && w.out.length > 0) await upsertLedgerRows(db, { rows: w.out.splice(0, w.out.length) });
  };
  const clearDocument: LedgerEntryChanges = { qboType: null, qboId: null, qboSyncToken: null, qboTotalMinor: null };
  const park = (w: RefundWork, code: string, reason: string, extra: LedgerEntryChanges = {}): void => {
    emit(w, rowFor(w, { status: 'parked', reasonCode: code, reason, ...clearDocument, ...extra }));
    counts.parked++;
  };
  /**
   * A transient fault (5xx, 429, a lost connection) on one refund defers that refund to the next run instead
   * of failing the whole page: a chunk of a thousand orders with dozens of refunds would otherwise rarely get
   * through a flaky hour. A row whose create is in doubt stays `pending` (the next visit searches QBO first);
   * any other is parked `refund_deferred`, which every run re-tries.
   */
  const defer = (order: ShopifyOrderCore, summary: ShopifyRefundSummary, row: LedgerEntry | undefined, err: unknown): void => {
    if (!isTransient(err)) throw err;
    ctx.log.warn({ storeId, refund: summary.id, error: (err as Error).message }, 'refund deferred to the next run');
    if (row?.status === 'pending') return;
    const w = { order, refund: summary as ShopifyRefund, ordinal: refundOrdinal(order, summary.id), row };
    writes.push(
      rowFor(w, {
        status: 'parked',
        reasonCode: 'refund_deferred',
        reason: `Deferred to the next run: ${(err as Error).message}`,
        ...clearDocument,
      }),
    );
    counts.parked++;
  };

  // 1–3. Read what needs work, settle lost answers, decide.
  const writing: RefundWork[] = [];
  const toRead = withRefunds.flatMap((order) =>
    order.refunds.filter((summary) => refundNeedsWork(rows.get(refundSourceKey(summary.id)))).map((summary) => ({ order, summary })),
  );
  await mapPool(toRead, REFUND_READS_AT_ONCE, async ({ order, summary }) => {
    const sale = sales.get(orderSourceKey(order.id));
    const row = rows.get(refundSourceKey(summary.id));
    let refund: ShopifyRefund | null;
    try {
      refund = await reads.get(summary.id);
    } catch (err) {
      defer(order, summary, row, err);
      return;
    }
    ctx.heartbeat({ stage: 'refunds', refund: summary.id });
    if (!refund) return; // Shopify no longer returns it: nothing to book.
    const w: RefundWork = { order, refund, ordinal: refundOrdinal(order, refund.id), row };
    if (row?.status === 'pending' && row.qboType && row.qboDocNumber) {
      try {
        if (await adoptEarlier(w, row.qboType as RefundDocumentType)) return;
      } catch (err) {
        defer(order, summary, row, err);
        return;
      }
    }
    let d;
    try {
      d = decideRefund(order, refund, sale, settings);
    } catch (err) {
      const failure = decideBuildFailure(err, undefined, []);
      if (failure.action === 'rethrow') throw failure.error;
      if (failure.action === 'park') park(w, failure.code, failure.reason);
      else {
        emit(w, rowFor(w, { status: 'failed', reasonCode: failure.code, reason: failure.reason }));
        counts.failed++;
      }
      return;
    }
    if (d.action === 'skip') {
      emit(w, rowFor(w, { status: 'skipped', reasonCode: d.code, reason: d.reason, ...clearDocument }));
      counts.skipped++;
    } else if (d.action === 'park') {
      park(w, d.code, d.reason);
    } else {
      w.docType = d.docType;
      writing.push(w);
    }
  });
  await flush();
  if (writing.length === 0) return;

  // 4. References for every document at once, then one create per refund.
  for (const w of writing) w.plan = planRefundReferences(w.order, w.refund, settings, timeZone);
  let refs: Awaited<ReturnType<typeof resolveReferences>>;
  try {
    refs = await resolveReferences(
      db,
      ctx.qbo,
      storeId,
      writing.map((w) => w.plan!),
    );
  } catch (err) {
    for (const w of writing) defer(w.order, w.refund, w.row, err);
    await flush();
    return;
  }
  await mapPool(writing, REFUND_CREATES_AT_ONCE, async (w) => {
    ctx.signal?.throwIfAborted();
    w.out = [];
    let doc: Entity;
    try {
      const built = buildRefundDocument(w.order, w.refund, {
        settings,
        refs: refs.refsFor(w.plan!),
        timeZone,
        docType: w.docType!,
        ordinal: w.ordinal,
        company: ctx.company,
      });
      doc = built as unknown as Entity;
    } catch (err) {
      const failure = decideBuildFailure(err, undefined, refs.problemsFor(w.plan!));
      if (failure.action === 'rethrow') throw failure.error;
      if (failure.action === 'park') park(w, failure.code, failure.reason);
      else {
        emit(w, rowFor(w, { status: 'failed', reasonCode: failure.code, reason: failure.reason }));
        counts.failed++;
      }
      return;
    }
    const key = refundSourceKey(w.refund.id);
    const fingerprint = documentFingerprint(doc);
    // A new attempt after a fault varies the requestid, so QBO does not replay the stored fault.
    const attempts = (w.row?.attempts ?? 0) + 1;
    const requestId = qboRequestId(key, w.docType!, `${fingerprint}|${w.row?.status === 'parked' ? attempts : 0}`);
    emit(
      w,
      rowFor(w, {
        status: 'pending',
        reason: null,
        reasonCode: null,
        qboType: w.docType!,
        qboDocNumber: str(doc.DocNumber),
        fingerprint,
        requestId,
        attempts,
      }),
    );
    await flushWork(w);
    let entity: Entity;
    try {
      entity = await ctx.qbo.create(w.docType!, doc, { requestId });
    } catch (err) {
      if (!(err instanceof QboValidationError)) {
        // The create may have committed without an answer: the row stays `pending` for the next visit.
        defer(w.order, w.refund, w.row, err);
        return;
      }
      park(w, 'qbo_validation', err.message, { qboDocNumber: null, fingerprint: null });
      await flushWork(w);
      return;
    }
    await record(w, entity);
    await flushWork(w);
    ctx.heartbeat({ stage: 'refunds', booked: w.refund.id });
  });
  // Rows of refunds that stopped before their create (a build failure, a fault) are written now.
  for (const w of writing) await flushWork(w);
  await flush();

  // -------------------------------------------------------------------------------------------------

  /** An earlier attempt's create that committed without us hearing back: adopt it (and check it). */
  async function adoptEarlier(w: RefundWork, type: RefundDocumentType): Promise<boolean> {
    const found = await ctx.qbo.query(type, `DocNumber = ${qboLiteral(refundDocNumber(w.order, w.refund, w.ordinal, settings))}`);
    const doc = found.find((d) => isRefundsDocument(d, w.refund.id));
    if (!doc) return false;
    ctx.log.info({ storeId, refund: w.refund.id, qboType: type, qboId: doc.Id }, 'adopted a refund document an earlier attempt created');
    w.docType = type;
    await record(w, doc);
    await flush();
    return true;
  }

  /** Records a refund document QBO holds, or removes it and parks the refund when it is not exact. */
  async function record(w: RefundWork, entity: Entity): Promise<void> {
    const verdict = refundVerdict(w.order, w.refund, entity);
    if (verdict.ok) {
      emit(w, rowFor(w, { ...verdict.changes, qboType: w.docType! }));
      counts.synced++;
      return;
    }
    ctx.log.warn({ storeId, refund: w.refund.id, reason: verdict.reason }, 'qbo refund document does not match Shopify; removing it');
    const id = str(entity.Id);
    try {
      const current = await ctx.qbo.read(w.docType!, id);
      const body = { Id: id, SyncToken: str(current.SyncToken) };
      // A wrong document never stays in QBO (invariant 3). Deleted, not voided: a voided one would keep its
      // DocNumber and the refund's marker, and the retry's fresh document needs both (docs/qbo-facts.md §4
      // "Removing a wrong document"; a CreditMemo cannot be voided at all, §8).
      await ctx.qbo.delete(w.docType!, body);
    } catch (err) {
      if (isLedgerlineError(err) && err.retryable) throw err;
      // QBO refused to remove it: keep its id on the row so a person sees which document to fix.
      park(w, 'total_mismatch', `${verdict.reason}; removing QBO ${w.docType} ${id} failed: ${(err as Error).message}`, {
        qboType: w.docType!,
        qboId: id,
      });
      return;
    }
    park(w, 'total_mismatch', `${verdict.reason}; the QBO ${w.docType} ${id} was deleted`);
  }
}
