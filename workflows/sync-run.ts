import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PageResult, SyncActivities, SyncCounts } from '../activities/types';
import type { SyncRunInput, SyncRunSummary } from './definitions';
import { bookkeeping, bulkPoll, syncPage } from './options';

const book = proxyActivities<SyncActivities>(bookkeeping);
const pages = proxyActivities<SyncActivities>(syncPage);
const poll = proxyActivities<SyncActivities>(bulkPoll);

const zero = (): SyncCounts => ({ fetched: 0, synced: 0, unchanged: 0, parked: 0, skipped: 0, failed: 0 });
const add = (a: SyncCounts, b: SyncCounts): SyncCounts => ({
  fetched: a.fetched + b.fetched, synced: a.synced + b.synced, unchanged: a.unchanged + b.unchanged,
  parked: a.parked + b.parked, skipped: a.skipped + b.skipped, failed: a.failed + b.failed,
});

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
  const plan = await book.syncRunBegin({ ...input, workflowId: workflowInfo().workflowId });
  if (plan.blocked) throw ApplicationFailure.nonRetryable(plan.blocked, 'StoreNotSyncable');
  let counts = zero();
  const base = { storeId: input.storeId, runId: plan.runId };
  try {
    if (plan.mode === 'bulk') {
      const { bulkId } = await pages.shopifyStartOrdersBulk({ storeId: input.storeId, windowFrom: plan.windowFrom, windowTo: plan.windowTo });
      const { url } = await poll.shopifyAwaitBulk({ storeId: input.storeId, bulkId });
      for (let offset = 0, done = url === null; !done; ) {
        const chunk = await pages.syncOrdersFromBulk({ ...base, url: url!, offset, windowFrom: plan.windowFrom, windowTo: plan.windowTo });
        counts = add(counts, chunk);
        ({ nextOffset: offset, done } = chunk);
      }
    } else {
      let after: string | null = null;
      for (let more = true; more; ) {
        const page: PageResult = await pages.syncOrdersPage({ ...base, windowFrom: plan.windowFrom, windowTo: plan.windowTo, after });
        counts = add(counts, page);
        ({ hasNextPage: more, endCursor: after } = page);
      }
    }
    // Orders parked for a reason a fix may have removed (a mapping added, a QBO setting changed).
    counts = add(counts, await pages.syncRetryParked({ ...base, before: startedAt }));
  } catch (err) {
    await book.syncRunFail({ ...base, error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  return book.syncRunFinish({
    ...base, trigger: input.trigger, windowFrom: plan.windowFrom, windowTo: plan.windowTo,
    advanceCursor: plan.advanceCursor, counts, startedAt,
  });
}
