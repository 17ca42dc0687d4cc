/**
 * The store loop on the time-skipping test server: hours of waiting pass instantly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  nudgeSignal,
  pauseSignal,
  resumeSignal,
  statusQuery,
  syncNowUpdate,
  syncProgressQuery,
  workflowIds,
  type SyncProgress,
} from '../../workflows/definitions';
import { syncRunWorkflow } from '../../workflows/sync-run';
import { scheduleSlotOffsetMs } from '../../domain/schedule';
import { storeWorkflow } from '../../workflows/store';
import { recordingActivities } from '../support/fake-activities';
import { timeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

async function withWorker<T>(
  activities: ReturnType<typeof recordingActivities>['activities'],
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = uniqueTaskQueue('store-loop');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
  return worker.runUntil(fn(taskQueue));
}

const shop = (n: string) => `${n}-${Date.now()}.myshopify.com`;

describe('storeWorkflow on the time-skipping server', () => {
  it("runs a sync every interval on the store's own slot: three hourly runs after three hours pass instantly", async () => {
    const rec = recordingActivities();
    await withWorker(rec.activities, async (taskQueue) => {
      // A fixed domain: its slot is a fixed minute of the hour, so three hours hold exactly three slots.
      const shopDomain = 'hourly-slot.myshopify.com';
      const slot = scheduleSlotOffsetMs(shopDomain, 3_600_000);
      expect(slot).toBeGreaterThan(2 * 60_000);
      expect(slot).toBeLessThan(58 * 60_000);
      const handle = await env.client.workflow.start(storeWorkflow, {
        taskQueue,
        workflowId: workflowIds.store(shopDomain),
        args: [{ storeId: 's1', shopDomain, intervalMinutes: 60 }],
      });
      try {
        const before = Date.now();
        // The first run is due at the store's own minute of the hour, not an hour after the start.
        const first = await handle.query(statusQuery);
        expect(Date.parse(first.nextRunAt!) % 3_600_000).toBe(slot);
        // To a minute past the third slot, wherever in the hour the server's clock started (the first slot can be
        // seconds away: a fixed three hours would then hold four).
        await env.sleep(Date.parse(first.nextRunAt!) + 2 * 3_600_000 + 60_000 - (await env.currentTimeMs()));
        const status = await handle.query(statusQuery);
        expect(rec.runs.filter((r) => r.trigger === 'scheduled')).toHaveLength(3);
        expect(status.runCount).toBe(3);
        expect(status.lastRun?.synced).toBe(2);
        // Every later run is due on the same slot, however long the runs took.
        expect(Date.parse(status.nextRunAt!) % 3_600_000).toBe(slot);
        expect(Date.now() - before).toBeLessThan(30_000); // hours of timers, in seconds of wall time
      } finally {
        // A workflow left running with no worker would stop the server skipping time for the tests after this one.
        await handle.terminate();
      }
    });
  });

  it('answers a manual sync with the run summary, and a paused store refuses it until resumed', async () => {
    const rec = recordingActivities({ pages: 3 });
    await withWorker(rec.activities, async (taskQueue) => {
      const shopDomain = shop('manual');
      const handle = await env.client.workflow.start(storeWorkflow, {
        taskQueue,
        workflowId: workflowIds.store(shopDomain),
        args: [{ storeId: 's2', shopDomain, intervalMinutes: 60 }],
      });
      const result = await handle.executeUpdate(syncNowUpdate, { args: [{}] });
      expect(result.summary.trigger).toBe('manual');
      expect(result.summary.fetched).toBe(6); // three pages of two orders
      expect(result.runId).toContain(`store:${shopDomain}:sync:`);

      await handle.signal(pauseSignal, {});
      await expect(handle.executeUpdate(syncNowUpdate, { args: [{}] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await env.sleep('5 hours');
      expect((await handle.query(statusQuery)).runCount).toBe(1); // no scheduled runs while paused

      await handle.signal(resumeSignal);
      const again = await handle.executeUpdate(syncNowUpdate, { args: [{}] });
      expect(again.summary.trigger).toBe('manual');
      expect((await handle.query(statusQuery)).state).toBe('active');
      await handle.terminate();
    });
  });

  it('runs a resync over its window without moving the cursor', async () => {
    const rec = recordingActivities();
    await withWorker(rec.activities, async (taskQueue) => {
      const shopDomain = shop('resync');
      const handle = await env.client.workflow.start(storeWorkflow, {
        taskQueue,
        workflowId: workflowIds.store(shopDomain),
        args: [{ storeId: 's3', shopDomain, intervalMinutes: 60 }],
      });
      const window = { from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' };
      const res = await handle.executeUpdate(syncNowUpdate, { args: [{ window }] });
      expect(res.summary.trigger).toBe('resync');
      expect(rec.runs.at(-1)).toMatchObject({ trigger: 'resync', windowFrom: window.from, windowTo: window.to, advanceCursor: false });
      await expect(handle.executeUpdate(syncNowUpdate, { args: [{ window: { from: 'yesterday' } }] })).rejects.toThrow();
      await handle.terminate();
    });
  });

  it('keeps its history bounded for a store that runs for years: it continues as new every N runs with its state, nudges coalesced', async () => {
    const rec = recordingActivities();
    await withWorker(rec.activities, async (taskQueue) => {
      const shopDomain = shop('years');
      const workflowId = workflowIds.store(shopDomain);
      const first = await env.client.workflow.start(storeWorkflow, {
        taskQueue,
        workflowId,
        args: [{ storeId: 's4', shopDomain, intervalMinutes: 60, runsPerHistory: 5 }],
      });
      const latest = env.client.workflow.getHandle(workflowId);
      // Two days of hourly runs, and every six hours a burst of 25 order webhooks.
      for (let hour = 0; hour < 48; hour++) {
        if (hour % 6 === 0) for (let i = 0; i < 25; i++) await latest.signal(nudgeSignal, { reason: 'orders/updated' });
        await env.sleep('1 hour');
      }
      const status = await latest.query(statusQuery);
      // Every run, across every continue-as-new, is counted once; the count and the last run are carried.
      expect(status.runCount).toBe(rec.runs.length);
      expect(status.state).toBe('active');
      expect(status.lastRun?.synced).toBe(2);
      const scheduled = rec.runs.filter((r) => r.trigger === 'scheduled').length;
      const webhook = rec.runs.filter((r) => r.trigger === 'webhook').length;
      expect(scheduled).toBeGreaterThanOrEqual(47);
      // A burst of 25 nudges is at most two runs: one started by the first, one queued for the rest.
      expect(webhook).toBeGreaterThanOrEqual(8);
      expect(webhook).toBeLessThanOrEqual(16);
      expect(rec.runs.length).toBe(scheduled + webhook);

      // The first run ended by continuing as new; the current one is a later run whose history is short.
      expect((await env.client.workflow.getHandle(workflowId, first.firstExecutionRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
      const { runId } = await latest.describe();
      expect(runId).not.toBe(first.firstExecutionRunId);
      const events = (await latest.fetchHistory()).events ?? [];
      // Five runs (a child workflow each), the signals received meanwhile and the timers: well under a thousand events.
      expect(events.length).toBeLessThan(300);
      // Every history in the chain is bounded the same way, not only the last.
      const firstEvents = (await env.client.workflow.getHandle(workflowId, first.firstExecutionRunId).fetchHistory()).events ?? [];
      expect(firstEvents.length).toBeLessThan(300);
      await latest.terminate();
    });
  });

  it('drops a queued webhook run the last run covered (its webhooks arrived before that run began reading), and no other', async () => {
    const rec = recordingActivities({ pageDelayMs: 1_500 });
    await withWorker(rec.activities, async (taskQueue) => {
      const shopDomain = shop('covered');
      const handle = await env.client.workflow.start(storeWorkflow, {
        taskQueue,
        workflowId: workflowIds.store(shopDomain),
        args: [{ storeId: 's-covered', shopDomain, intervalMinutes: 60 }],
      });
      const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();
      const runsSettled = async (n: number) => {
        for (let i = 0; i < 200; i++) {
          const st = await handle.query(statusQuery);
          if (rec.runs.length === n && !st.running && st.queued.length === 0) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`expected ${n} runs settled, have ${rec.runs.length}`);
      };
      const whileRunning = async () => {
        for (let i = 0; i < 100 && !(await handle.query(statusQuery)).running; i++) await new Promise((r) => setTimeout(r, 50));
      };

      // A webhook starts run 1; one that arrived 30 s before run 1 began reading is queued meanwhile, then dropped.
      await handle.signal(nudgeSignal, { reason: 'orders/create', receivedAt: ago(60) });
      await whileRunning();
      await handle.signal(nudgeSignal, { reason: 'orders/updated', receivedAt: ago(30) });
      expect((await handle.query(statusQuery)).queued).toEqual([{ trigger: 'webhook' }]);
      await runsSettled(1);

      // A webhook that arrived after the last run began reading starts a run; one arriving during that run is queued
      // and runs too (within the margin: the run may have read before Shopify's search saw its order).
      await handle.signal(nudgeSignal, { reason: 'orders/create', receivedAt: ago(0) });
      await whileRunning();
      await handle.signal(nudgeSignal, { reason: 'orders/updated', receivedAt: ago(0) });
      await runsSettled(3);

      // A nudge without receivedAt (an API from before it), or a queued webhook run a manual request joined, always runs.
      await handle.signal(nudgeSignal, { reason: 'orders/create', receivedAt: ago(0) });
      await whileRunning();
      await handle.signal(nudgeSignal, { reason: 'orders/updated' });
      await runsSettled(5);
      await handle.signal(nudgeSignal, { reason: 'orders/create', receivedAt: ago(0) });
      await whileRunning();
      await handle.signal(nudgeSignal, { reason: 'orders/updated', receivedAt: ago(120) });
      const manual = handle.executeUpdate(syncNowUpdate, { args: [{}] });
      await runsSettled(7);
      expect((await manual).summary.trigger).toBe('manual');
      expect(rec.runs.map((r) => r.trigger)).toEqual(['webhook', 'webhook', 'webhook', 'webhook', 'webhook', 'webhook', 'manual']);
      await handle.terminate();
    });
  });

  it("answers a running sync's progress: pages read and booked so far, then the phase that finishes it", async () => {
    const rec = recordingActivities({ pages: 4, pageDelayMs: 400 });
    await withWorker(rec.activities, async (taskQueue) => {
      const shopDomain = shop('progress');
      const handle = await env.client.workflow.start(syncRunWorkflow, {
        taskQueue,
        workflowId: `${workflowIds.store(shopDomain)}:sync:progress`,
        args: [{ storeId: 's5', shopDomain, trigger: 'manual' }],
      });
      const seen: SyncProgress[] = [];
      const done = handle.result();
      let finished = false;
      void done.finally(() => (finished = true));
      while (!finished) {
        try {
          seen.push(await handle.query(syncProgressQuery));
        } catch {
          // Before the first workflow task there is nothing to ask.
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const summary = await done;
      const reading = seen.filter((p) => p.phase === 'reading');
      // Seen mid-run: some pages booked, not all; and never going backwards.
      expect(reading.some((p) => p.fetched > 0 && p.fetched < summary.fetched)).toBe(true);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.fetched).toBeGreaterThanOrEqual(seen[i - 1]!.fetched);
      expect(reading[0]).toMatchObject({ mode: 'page', total: null, windowTo: expect.any(String) });
      // After the run, its last progress holds the summary's figures.
      const last = await handle.query(syncProgressQuery);
      expect(last).toMatchObject({ phase: 'finishing', fetched: summary.fetched, synced: summary.synced, parked: summary.parked });
    });
  });
});
