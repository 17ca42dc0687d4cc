/**
 * Activity doubles for workflow-logic tests, typed by the real activity contract so the compiler
 * keeps them honest (docs/conventions.md "Tests"). End-to-end tests use the real activities.
 */
import { idlePayoutActivities } from './payout-activities';
import type { Activities, SyncCounts } from '../../workflows/contracts';
import type { SyncRunSummary } from '../../workflows/definitions';
import { scriptedAuditActivities } from './audit-activities';
import { scriptedInventoryActivities } from './inventory-activities';

export interface RecordedRun {
  storeId: string;
  trigger: string;
  windowFrom: string | null;
  windowTo: string;
  advanceCursor: boolean;
}

export function recordingActivities(opts: { pageDelayMs?: number; failWith?: () => Error | undefined; pages?: number } = {}) {
  const runs: RecordedRun[] = [];
  let cursor: string | null = null;
  let seq = 0;
  const activities: Activities = {
    ...idlePayoutActivities(),
    ...scriptedInventoryActivities().activities,
    async undoApply() {
      throw new Error('undo is not scripted here');
    },
    async syncRunBegin(input) {
      seq += 1;
      const now = new Date().toISOString();
      return {
        runId: `${input.workflowId}`,
        windowFrom: input.window?.from ?? cursor,
        windowTo: input.window?.to ?? now,
        mode: 'page',
        advanceCursor: input.trigger !== 'resync',
      };
    },
    async syncOrdersPage(input) {
      if (opts.pageDelayMs) await new Promise((r) => setTimeout(r, opts.pageDelayMs));
      const err = opts.failWith?.();
      if (err) throw err;
      const page = Number(input.after ?? '0') + 1;
      const more = page < (opts.pages ?? 1);
      return {
        fetched: 2,
        synced: 2,
        unchanged: 0,
        parked: 0,
        skipped: 0,
        failed: 0,
        hasNextPage: more,
        endCursor: more ? String(page) : null,
      };
    },
    async shopifyPlanBulkSlices() {
      return [];
    },
    async shopifyStartOrdersBulk() {
      return { bulkId: 'b1' };
    },
    async shopifyAwaitBulk() {
      return { hasResult: false, objectCount: 0 };
    },
    async syncOrdersFromBulk() {
      return { fetched: 0, synced: 0, unchanged: 0, parked: 0, skipped: 0, failed: 0, nextOffset: 0, done: true };
    },
    async syncRetryParked() {
      return { fetched: 0, synced: 0, unchanged: 0, parked: 0, skipped: 0, failed: 0 };
    },
    async syncRunFinish(input): Promise<SyncRunSummary> {
      runs.push({
        storeId: input.storeId,
        trigger: input.trigger,
        windowFrom: input.windowFrom,
        windowTo: input.windowTo,
        advanceCursor: input.advanceCursor,
      });
      if (input.advanceCursor) cursor = input.windowTo;
      const c: SyncCounts = input.counts;
      return {
        runId: input.runId,
        trigger: input.trigger,
        windowFrom: input.windowFrom,
        windowTo: input.windowTo,
        ...c,
        startedAt: input.startedAt,
        finishedAt: new Date().toISOString(),
      };
    },
    async syncRunFail() {},
    async storesListConnected() {
      return [];
    },
    async qboKeepAlive(input) {
      return { storeId: input.storeId, shopDomain: 'x', ok: true, disconnected: false };
    },
    async storeMarkDisconnected() {},
    ...scriptedAuditActivities().activities,
  };
  return {
    activities,
    runs,
    get seq() {
      return seq;
    },
  };
}
