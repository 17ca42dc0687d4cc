/**
 * One store's world for engine tests: its own shop, company and PGlite database, and `sync()` running the
 * real syncRunWorkflow on a time-skipping server through the real activities and clients.
 */
import { eq } from 'drizzle-orm';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Database } from '../../db/client';
import { ledgerEntries } from '../../db/schema';
import type { Settings } from '../../domain/settings';
import type { QboClient } from '../../integrations/qbo/client';
import type { SyncRunSummary, SyncTrigger, SyncWindow } from '../../workflows/definitions';
import { syncRunWorkflow } from '../../workflows/sync-run';
import { pgliteDatabase } from './db';
import {
  insertConnectedStore,
  qboReader,
  startWorld,
  testCipher,
  usSettings,
  worldActivities,
  type SyncWorld,
  type WorldOptions,
} from './sync-fixture';
import { uniqueTaskQueue, workflowBundle } from './temporal';

export interface SyncShop {
  world: SyncWorld;
  db: Database;
  qbo: QboClient;
  /** The real activities of this world (for tests that run their own worker). */
  activities: ReturnType<typeof worldActivities>;
  sync(trigger?: SyncTrigger, window?: SyncWindow): Promise<SyncRunSummary>;
  /** The workflow ids of the runs so far (to read their histories). */
  runs: string[];
  rows(): Promise<Array<typeof ledgerEntries.$inferSelect>>;
  close(): Promise<void>;
}

export async function openSyncShop(env: TestWorkflowEnvironment, opts: WorldOptions, settings: Settings = usSettings()): Promise<SyncShop> {
  const cipher = testCipher();
  const db = await pgliteDatabase();
  const world = await startWorld(opts);
  await insertConnectedStore(db.db, cipher, world, settings);
  const activities = worldActivities(world, db.db, cipher);
  const runs: string[] = [];
  return {
    world,
    db,
    runs,
    activities,
    qbo: qboReader(world, db.db),
    async sync(trigger = 'manual', window) {
      const workflowId = `store:${world.shopDomain}:sync:${runs.length}`;
      runs.push(workflowId);
      const taskQueue = uniqueTaskQueue('sync-shop');
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities,
      });
      return worker.runUntil(
        env.client.workflow.execute(syncRunWorkflow, {
          taskQueue,
          workflowId,
          args: [{ storeId: world.storeId, shopDomain: world.shopDomain, trigger, ...(window ? { window } : {}) }],
        }),
      );
    },
    rows: () => db.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, world.storeId)),
    async close() {
      await world.close();
      await db.close();
    },
  };
}

/** Runs `body` with a shop of its own, closed afterwards whatever happens. */
export async function withSyncShop<T>(
  env: TestWorkflowEnvironment,
  opts: WorldOptions,
  body: (shop: SyncShop) => Promise<T>,
  settings?: Settings,
): Promise<T> {
  const shop = await openSyncShop(env, opts, settings);
  try {
    return await body(shop);
  } finally {
    await shop.close();
  }
}
