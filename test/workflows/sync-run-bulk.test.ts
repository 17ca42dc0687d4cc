/**
 * syncRunWorkflow's bulk path on the time-skipping server, with activity doubles typed by the real
 * contract: slices are prepared one ahead, each slice's result is written in 1,000-order chunks two at
 * a time, every chunk exactly once; after a chunk fails no further chunk starts, the one in flight
 * finishes, and the run fails with a readable error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../workflows/contracts';
import { syncRunWorkflow } from '../../workflows/sync-run';
import { recordingActivities } from '../support/fake-activities';
import { timeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

const SLICES = [
  { from: null, to: '2026-02-01T00:00:00.000Z' },
  { from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' },
];
const SIZES: Record<string, number> = { bulk0: 2500, bulk1: 700 };

function bulkActivities(opts: { failAt?: { bulkId: string; offset: number } } = {}) {
  const base = recordingActivities().activities;
  const chunks: Array<{ bulkId: string; offset: number; limit: number | undefined; at: 'start' | 'end' }> = [];
  let started = 0;
  const activities: Activities = {
    ...base,
    async syncRunBegin(input) {
      return { runId: input.workflowId, windowFrom: null, windowTo: '2026-03-01T00:00:00.000Z', mode: 'bulk', advanceCursor: true };
    },
    async shopifyPlanBulkSlices() {
      return SLICES;
    },
    async shopifyStartOrdersBulk(input) {
      return { bulkId: `bulk${SLICES.findIndex((s) => s.to === input.windowTo)}` };
    },
    async shopifyAwaitBulk(input) {
      return { hasResult: true, objectCount: SIZES[input.bulkId]! };
    },
    async syncOrdersFromBulk(input) {
      chunks.push({ bulkId: input.bulkId, offset: input.offset, limit: input.limit, at: 'start' });
      started++;
      const failing = opts.failAt && opts.failAt.bulkId === input.bulkId && opts.failAt.offset === input.offset;
      // The failing chunk fails at once; the others take a while, so the failure is known before they end.
      await new Promise((r) => setTimeout(r, failing ? 0 : 300));
      chunks.push({ bulkId: input.bulkId, offset: input.offset, limit: input.limit, at: 'end' });
      if (failing) throw ApplicationFailure.nonRetryable('QBO rejected batch: 2500 Invalid Reference Id', 'QboValidationError');
      const n = Math.max(0, Math.min(input.limit ?? 1000, SIZES[input.bulkId]! - input.offset));
      return {
        fetched: n,
        synced: n,
        unchanged: 0,
        parked: 0,
        skipped: 0,
        failed: 0,
        nextOffset: input.offset + n,
        done: n < (input.limit ?? 1000),
      };
    },
  };
  return { activities, chunks, started: () => started };
}

async function run(activities: Activities) {
  const taskQueue = uniqueTaskQueue('sync-run-bulk');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
  const workflowId = `sync-run-bulk-${Date.now()}-${Math.random()}`;
  return worker.runUntil(
    env.client.workflow
      .execute(syncRunWorkflow, {
        taskQueue,
        workflowId,
        args: [{ storeId: 's', shopDomain: 's.myshopify.com', trigger: 'scheduled' }],
      })
      .then(
        (summary) => ({ ok: true as const, summary, workflowId }),
        (error: unknown) => ({ ok: false as const, error, workflowId }),
      ),
  );
}

describe('syncRunWorkflow bulk path', () => {
  it('writes every chunk of every slice exactly once, 1,000 orders each, and adds up the counts', async () => {
    const b = bulkActivities();
    const result = await run(b.activities);
    expect(result.ok).toBe(true);
    const done = b.chunks
      .filter((c) => c.at === 'end')
      .map((c) => `${c.bulkId}@${c.offset}`)
      .sort();
    expect(done).toEqual(['bulk0@0', 'bulk0@1000', 'bulk0@2000', 'bulk1@0'].sort());
    expect(b.chunks.every((c) => c.limit === 1000)).toBe(true);
    if (result.ok) expect(result.summary).toMatchObject({ fetched: 3200, synced: 3200 });
  });

  it('after a failed chunk starts no other, lets the one in flight finish, and fails with the activity and its message', async () => {
    const b = bulkActivities({ failAt: { bulkId: 'bulk0', offset: 0 } });
    const result = await run(b.activities);
    expect(result.ok).toBe(false);
    // The failing chunk and its neighbour in the other lane started; none after the failure.
    expect(b.started()).toBe(2);
    expect(b.chunks.filter((c) => c.at === 'end')).toHaveLength(2);
    // The run failed only after the other lane's chunk had completed (history order).
    const events = (await env.client.workflow.getHandle(result.workflowId).fetchHistory()).events ?? [];
    const chunkScheduled = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'syncOrdersFromBulk')
        .map((e) => String(e.eventId)),
    );
    const completed = events.findIndex((e) => chunkScheduled.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)));
    const failedRun = events.findIndex((e) => e.workflowExecutionFailedEventAttributes);
    expect(completed).toBeGreaterThan(-1);
    expect(failedRun).toBeGreaterThan(completed);
    const cause = (result as { error: { cause?: { cause?: { message?: string } } } }).error.cause;
    expect(String(cause?.cause?.message ?? (cause as { message?: string } | undefined)?.message)).toMatch(/Invalid Reference Id/);
  });
});
