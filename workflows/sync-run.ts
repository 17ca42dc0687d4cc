import { ApplicationFailure, log, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { BULK_CHUNK_ORDERS, type PageResult, type PayoutActivities, type SyncActivities, type SyncCounts } from './contracts';
import { syncProgressQuery, type SyncProgress, type SyncRunInput, type SyncRunSummary } from './definitions';
import { readableError } from './failures';
import { bookkeeping, bookkeepingLocal, bulkPoll, syncPage } from './options';

const book = proxyActivities<SyncActivities>(bookkeeping);
const bookLocal = proxyLocalActivities<SyncActivities>(bookkeepingLocal);
const pages = proxyActivities<SyncActivities>(syncPage);
const poll = proxyActivities<SyncActivities>(bulkPoll);
const discovery = proxyActivities<PayoutActivities>({
  ...bookkeeping,
  startToCloseTimeout: '5 minutes',
  scheduleToCloseTimeout: '20 minutes',
});

/** Bulk chunks in flight at once. */
const BULK_LANES = 2;

const zero = (): SyncCounts => ({ fetched: 0, synced: 0, unchanged: 0, parked: 0, skipped: 0, failed: 0 });
const add = (a: SyncCounts, b: SyncCounts): SyncCounts => ({
  fetched: a.fetched + b.fetched,
  synced: a.synced + b.synced,
  unchanged: a.unchanged + b.unchanged,
  parked: a.parked + b.parked,
  skipped: a.skipped + b.skipped,
  failed: a.failed + b.failed,
});

/** Writes one bulk result in chunks, BULK_LANES at once (chunks hold disjoint orders). */
async function writeBulk(
  base: { storeId: string; runId: string },
  bulkId: string,
  objectCount: number,
  slice: { from: string | null; to: string },
  onChunk: (written: SyncCounts) => void,
): Promise<SyncCounts> {
  let counts = zero();
  const chunk = (offset: number) =>
    pages.syncOrdersFromBulk({ ...base, bulkId, offset, limit: BULK_CHUNK_ORDERS, windowFrom: slice.from, windowTo: slice.to });
  const offsets: number[] = [];
  for (let o = 0; o < objectCount; o += BULK_CHUNK_ORDERS) offsets.push(o);
  let next = 0;
  let end = objectCount;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (next < offsets.length && !failure) {
      try {
        const result = await chunk(offsets[next++]!);
        counts = add(counts, result);
        onChunk(result);
        end = Math.max(end, result.nextOffset);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  // After a failure no chunk starts, and the run fails only once the other lane's chunk has ended:
  // the next run must not race writes of this one.
  await Promise.all(Array.from({ length: Math.min(BULK_LANES, offsets.length) }, lane));
  if (failure) throw failure.error;
  // The file had more orders than the operation reported: read on until a short chunk.
  for (let offset = end, done = offsets.length > 0 && end === objectCount; !done;) {
    const result = await chunk(offset);
    counts = add(counts, result);
    onChunk(result);
    ({ nextOffset: offset, done } = result);
  }
  return counts;
}

/**
 * One sync of one store's orders over a window, started as a child of storeWorkflow with id
 * `store:<shop>:sync:<start minute>:<n>` (readable in the UI; reset or re-run it safely: every write is
 * idempotent through the ledger, QBO requestid and a lookup before create). Pages (or, for a long
 * history window, a Shopify bulk operation read in chunks) are each one activity that fetches, maps,
 * writes to QBO and records; the cursor advances only after every page is recorded. Documents QBO
 * rejects are parked inside the activity and never fail the run.
 */
export async function syncRunWorkflow(input: SyncRunInput): Promise<SyncRunSummary> {
  const startedAt = new Date().toISOString();
  // What the run has done so far, for the API and the console (a query: it adds nothing to the history).
  let progress: SyncProgress = { startedAt, mode: null, phase: 'planning', windowFrom: null, windowTo: null, ...zero(), total: null };
  const written = (c: SyncCounts) => {
    progress = { ...progress, ...add(progress, c) };
  };
  setHandler(syncProgressQuery, () => progress);
  // A run's first and last steps (syncRunBegin, syncRunFinish, syncRunFail) are short database writes: local
  // activities, run by the worker inside the workflow task that asks for them, instead of each costing a trip through
  // the server's activity queue and one more workflow task. A webhook run is then two workflow tasks and one activity
  // task (issue #18: a burst of them across 100 stores). Both steps are idempotent, as a local activity's retry after a
  // worker dies must be. `patched` keeps histories from before this replaying with the activities they scheduled.
  const steps = patched('sync-run-local-bookkeeping') ? bookLocal : book;
  const plan = await steps.syncRunBegin({ ...input, workflowId: workflowInfo().workflowId });
  if (plan.blocked) throw ApplicationFailure.nonRetryable(plan.blocked, 'StoreNotSyncable');
  progress = { ...progress, mode: plan.mode, phase: 'reading', windowFrom: plan.windowFrom, windowTo: plan.windowTo };
  let counts = zero();
  const base = { storeId: input.storeId, runId: plan.runId };
  // A webhook run books what the webhooks announced and nothing more while a recent scheduled run has retried the
  // parked orders and listed the payouts (plan.bookOnly, decided by syncRunBegin from the store's runs), so a burst of
  // webhooks across many stores costs two activities fewer per run. `patched` keeps histories from before this
  // replaying as they ran; it is asked once, where the first of the two steps would run.
  let bookOnly: boolean | undefined;
  const bookOnlyRun = () => (bookOnly ??= input.trigger === 'webhook' && plan.bookOnly === true && patched('webhook-runs-book-only'));
  try {
    if (plan.mode === 'bulk') {
      // The window is read in time slices, each one Shopify bulk operation; the next slice's operation
      // runs while this slice's orders are written, so writing starts after the first (small) slice.
      const slices = await pages.shopifyPlanBulkSlices({ storeId: input.storeId, windowFrom: plan.windowFrom, windowTo: plan.windowTo });
      const prepare = async (slice: { from: string | null; to: string }) => {
        const { bulkId } = await pages.shopifyStartOrdersBulk({ storeId: input.storeId, windowFrom: slice.from, windowTo: slice.to });
        return { slice, bulkId, ...(await poll.shopifyAwaitBulk({ storeId: input.storeId, bulkId })) };
      };
      let ready = slices[0] ? prepare(slices[0]) : undefined;
      for (let i = 0; ready; i++) {
        const current = await ready;
        const nextSlice = slices[i + 1];
        ready = nextSlice ? prepare(nextSlice) : undefined;
        // If writing fails, the run fails; the prepared promise must not be an unhandled rejection.
        ready?.catch(() => undefined);
        if (current.hasResult) {
          progress = { ...progress, total: (progress.total ?? 0) + current.objectCount };
          counts = add(counts, await writeBulk(base, current.bulkId, current.objectCount, current.slice, written));
        }
      }
    } else {
      let after: string | null = null;
      for (let more = true; more;) {
        const page: PageResult = await pages.syncOrdersPage({ ...base, windowFrom: plan.windowFrom, windowTo: plan.windowTo, after });
        counts = add(counts, page);
        written(page);
        ({ hasNextPage: more, endCursor: after } = page);
      }
    }
    // Orders parked for a reason a fix may have removed (a mapping added, a QBO setting changed).
    if (!bookOnlyRun()) {
      progress = { ...progress, phase: 'retrying_parked' };
      const retried = await pages.syncRetryParked({ ...base, before: startedAt });
      counts = add(counts, retried);
      written(retried);
    }
  } catch (err) {
    await steps.syncRunFail({ ...base, error: readableError(err) });
    throw err;
  }
  progress = { ...progress, phase: 'finishing' };
  const summary = await steps.syncRunFinish({
    ...base,
    trigger: input.trigger,
    windowFrom: plan.windowFrom,
    windowTo: plan.windowTo,
    advanceCursor: plan.advanceCursor,
    counts,
    startedAt,
  });
  // Shopify sends no payout webhook: each run lists the store's payouts and starts (or tells) one saga per payout
  // (workflows/payout.ts). Its failure does not fail the run, whose orders are booked: the next run lists again.
  // `patched` keeps histories of runs from before payouts replaying as they ran.
  if (patched('payout-discovery') && !bookOnlyRun()) {
    try {
      await discovery.payoutsDiscover({ storeId: input.storeId, now: new Date().toISOString() });
    } catch (err) {
      log.warn('payout discovery failed; the next run lists the payouts again', { error: readableError(err) });
    }
  }
  return summary;
}
