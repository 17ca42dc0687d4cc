/**
 * When a webhook run may only book (issue #18; domain/sync/window.ts webhookRunMayBookOnly): syncRunBegin, the real
 * activity on PGlite with both emulators, plans a webhook run book-only while a run of another trigger began within
 * the last two sync intervals, and plans the whole run when none did (a store whose webhooks never stop has no
 * scheduled runs, so its webhook runs must retry parked orders and list payouts themselves). What the workflow does
 * with the plan: test/workflows/sync-run-triggers.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, ne } from 'drizzle-orm';
import { syncRuns } from '../../db/schema';
import type { SyncTrigger } from '../../workflows/definitions';
import { pgliteDatabase } from '../support/db';
import { insertConnectedStore, startWorld, testCipher, usSettings, worldActivities, type SyncWorld } from '../support/sync-fixture';

let world: SyncWorld;
let db: Awaited<ReturnType<typeof pgliteDatabase>>;
let activities: ReturnType<typeof worldActivities>;
let n = 0;

beforeAll(async () => {
  const cipher = testCipher();
  db = await pgliteDatabase();
  world = await startWorld({ seed: 9, orders: 3, days: 1, end: new Date() });
  await insertConnectedStore(db.db, cipher, world, usSettings());
  activities = worldActivities(world, db.db, cipher);
}, 60_000);

afterAll(async () => {
  await world?.close();
  await db?.close();
});

const begin = (trigger: SyncTrigger) =>
  activities.syncRunBegin({ storeId: world.storeId, shopDomain: world.shopDomain, trigger, workflowId: `book-only-${trigger}-${n++}` });

describe('syncRunBegin plans a webhook run book-only only after a recent full run', () => {
  it('whole while no other run has begun, book-only once a scheduled one has, whole again two intervals later', async () => {
    // No run of the store yet: nothing has retried parked orders or listed payouts.
    expect((await begin('webhook')).bookOnly).toBe(false);
    // Only webhook runs so far: still none.
    expect((await begin('webhook')).bookOnly).toBe(false);
    // A scheduled run carries no such flag; once it has begun, webhook runs may book only.
    expect((await begin('scheduled')).bookOnly).toBeUndefined();
    expect((await begin('webhook')).bookOnly).toBe(true);
    // The store's interval is 60 minutes: a full run begun 121 minutes ago is too old (its slots were missed).
    const old = new Date(Date.now() - 121 * 60_000);
    await db.db
      .update(syncRuns)
      .set({ startedAt: old })
      .where(and(eq(syncRuns.storeId, world.storeId), ne(syncRuns.trigger, 'webhook')));
    expect((await begin('webhook')).bookOnly).toBe(false);
    // A manual run counts as a full one too.
    expect((await begin('manual')).bookOnly).toBeUndefined();
    expect((await begin('webhook')).bookOnly).toBe(true);
  });
});
