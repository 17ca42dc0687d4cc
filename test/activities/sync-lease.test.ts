/**
 * One writer per store (issue #13 item 12): two sync executions of the same store started at the same instant
 * (as when an operator resets or re-runs a sync child while the store's loop starts the next one) never write
 * at the same time. The real syncRunWorkflow runs twice on the time-skipping server with the real activities,
 * both emulators and PGlite; the second writer waits on StoreBusyError until the first gives the lease up.
 * (The time-skipping server retries the waiter on the activity's exponential backoff rather than the 5 s the
 * error asks for, and cannot skip ahead while the holder's activities run, so this test takes a couple of minutes.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { eq } from 'drizzle-orm';
import { getWriteLease } from '../../db/queries';
import { stores } from '../../db/schema';
import { syncRunWorkflow } from '../../workflows/sync-run';
import { readBooks } from '../support/books';
import { openSyncShop } from '../support/sync-shop';
import { timeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

const WRITERS = new Set(['syncOrdersPage', 'syncOrdersFromBulk', 'syncRetryParked']);
const PAGES = 'syncOrdersPage';
type Event = temporal.api.history.v1.IHistoryEvent;
const ms = (e: Event | undefined): number => {
  const t = e?.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : Number.NaN;
};

/** The successful attempt of each writing activity: [started, completed], with its attempt number. */
function writes(events: Event[]): Array<{ type: string; from: number; to: number; attempt: number }> {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const out = [];
  for (const e of events) {
    const done = e.activityTaskCompletedEventAttributes;
    if (!done) continue;
    const scheduled = byId.get(Number(done.scheduledEventId));
    const started = byId.get(Number(done.startedEventId));
    const type = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '';
    if (!WRITERS.has(type)) continue;
    const s = started?.activityTaskStartedEventAttributes;
    out.push({
      type,
      from: ms(started),
      to: ms(e),
      attempt: s?.attempt ?? 1,
    });
  }
  return out;
}

it(
  'lets two sync executions of one store write one after the other, never together, and books each order once',
  { timeout: 300_000 },
  async () => {
    // Two days of orders up to now, and a cursor 2.5 days back: each run pages through the same 45 orders
    // (page mode, two activities of up to 30), so without the lease their writes would interleave.
    const shop = await openSyncShop(env, { seed: 41, orders: 45, days: 2, end: new Date() });
    try {
      await shop.db.db
        .update(stores)
        .set({ cursorUpdatedAt: new Date(Date.now() - 2.5 * 86_400_000) })
        .where(eq(stores.id, shop.world.storeId));
      const taskQueue = uniqueTaskQueue('lease');
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities: shop.activities,
      });
      const ids = [`store:${shop.world.shopDomain}:sync:a`, `store:${shop.world.shopDomain}:sync:b`];
      const input = { storeId: shop.world.storeId, shopDomain: shop.world.shopDomain, trigger: 'manual' as const };
      const summaries = await worker.runUntil(
        Promise.all(ids.map((workflowId) => env.client.workflow.execute(syncRunWorkflow, { taskQueue, workflowId, args: [input] }))),
      );
      expect(summaries.every((s) => s.failed === 0)).toBe(true);

      const [a, b] = await Promise.all(
        ids.map(async (id) => writes((await env.client.workflow.getHandle(id).fetchHistory()).events ?? [])),
      );
      expect(a!.filter((w) => w.type === PAGES).length).toBeGreaterThanOrEqual(2);
      expect(b!.filter((w) => w.type === PAGES).length).toBeGreaterThanOrEqual(2);
      // No write of one execution overlaps a write of the other.
      for (const x of a!)
        for (const y of b!) expect(x.to <= y.from || y.to <= x.from, `${JSON.stringify(x)} overlaps ${JSON.stringify(y)}`).toBe(true);
      // They did contend: one of them waited for the lease (no fault is injected, so a retried write here
      // was refused the lease; the time-skipping server does not record the attempt's last failure).
      const waited = [...a!, ...b!].filter((w) => w.attempt > 1);
      expect(waited.length).toBeGreaterThan(0);
      // Each finished run gave the lease up.
      expect(await getWriteLease(shop.db.db, { storeId: shop.world.storeId })).toBeNull();

      const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(books.duplicates).toEqual([]);
      expect(books.mismatches).toEqual([]);
      expect(books.documentsByOrder.size).toBeGreaterThan(30);
    } finally {
      await shop.close();
    }
  },
);
