/**
 * The inventory routes (api/routes/inventory.ts) through Fastify's inject, against the Temporal dev server with a
 * worker running the real activities, both emulators and PostgreSQL: turning inventory on is refused with a precise
 * 400 when the location does not exist or the QBO company does not track quantities; a preview answers the diff and
 * writes nothing; an apply writes; the changes are listed page by page; a parked run is confirmed; and the store's
 * Temporal Schedule follows the settings and the store's state.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../api/app';
import type { Database } from '../../db/client';
import { inventoryRuns, stores } from '../../db/schema';
import { DEFAULT_ACCOUNT_IDS as A } from '../../emulators/qbo';
import type { QboClient } from '../../integrations/qbo/client';
import { createShopifyClient } from '../../integrations/shopify/client';
import { createShopifyPacer } from '../../integrations/shopify/pacer';
import { inventoryScheduleOffsetMs } from '../../services/stores/inventory-schedule';
import { workflowIds } from '../../workflows/definitions';
import { processPacing } from '../support/app';
import { postgresDatabase } from '../support/db';
import { insertConnectedStore, qboReader, startWorld, testCipher, worldActivities, type SyncWorld } from '../support/sync-fixture';
import { devServerEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

type Obj = Record<string, any>;

const API_TOKEN = `test-${randomBytes(12).toString('hex')}`;
const admin = { authorization: `Bearer ${API_TOKEN}` };
const cipher = testCipher();
const taskQueue = uniqueTaskQueue('inventory-api');

let env: TestWorkflowEnvironment;
let database: Database;
let world: SyncWorld;
let app: FastifyInstance;
let worker: Worker;
let workerRun: Promise<void>;
let person: QboClient;
let locationId: string;
let items: Array<{ inventoryItemId: string; sku: string; available: number }>;

const call = (opts: InjectOptions) => app.inject({ ...opts, headers: { ...admin, ...(opts.headers ?? {}) } });
const base = () => `/stores/${world.storeId}`;

async function putInventory(inventory: Obj) {
  return call({ method: 'PUT', url: `${base()}/settings`, payload: { inventory } });
}

beforeAll(async () => {
  [env, database, world] = await Promise.all([devServerEnv(), postgresDatabase(), startWorld({ seed: 2727, orders: 4, days: 3 })]);
  await insertConnectedStore(database.db, cipher, world);
  await database.db.update(stores).set({ cursorUpdatedAt: new Date() }).where(eq(stores.id, world.storeId));
  person = qboReader(world, database.db);
  for (const item of await person.query('Item')) {
    if (item.TrackQtyOnHand === true) await person.update('Item', { ...item, Sku: `QBO-${String(item.Sku)}` }, { sparse: false });
  }
  const variants = (world.generated.products as Obj[])
    .flatMap((p) => p.variants.nodes as Obj[])
    .filter((v) => v.inventoryItem?.tracked && v.sku)
    .slice(0, 3);
  locationId = variants[0]!.inventoryItem.inventoryLevels.nodes[0].location.id;
  items = variants.map((v) => ({
    inventoryItemId: v.inventoryItem.id,
    sku: v.sku,
    available: v.inventoryItem.inventoryLevels.nodes[0].quantities.find((q: Obj) => q.name === 'available').quantity,
  }));
  // QBO holds two more of each than Shopify sells.
  for (const [i, it] of items.entries()) {
    await person.create(
      'Item',
      {
        Name: `Stock ${it.sku}`,
        Sku: it.sku,
        Type: 'Inventory',
        TrackQtyOnHand: true,
        QtyOnHand: it.available + 2,
        InvStartDate: '2026-01-01',
        IncomeAccountRef: { value: A.salesOfProduct },
        ExpenseAccountRef: { value: A.costOfGoodsSold },
        AssetAccountRef: { value: A.inventoryAsset },
      },
      { requestId: `inv-api-item-${i}-${world.storeId}` },
    );
  }
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: worldActivities(world, database.db, cipher),
  });
  workerRun = worker.run();
  app = await buildApp({
    database,
    apiToken: API_TOKEN,
    log: pino({ level: 'silent' }),
    cipher,
    taskQueue,
    temporal: async () => env.client,
    integrations: { shopifyApiBaseUrl: world.shopify.url, qboEndpoint: world.qbo.v3Endpoint, qboTokenUrl: world.qbo.tokenUrl },
    ...processPacing(database.db),
  });
}, 180_000);

afterAll(async () => {
  await app?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerRun?.catch(() => undefined);
  await env?.teardown();
  await world?.close();
  await database?.close();
});

const LEVEL = `query($id: ID!, $loc: ID!) { inventoryItem(id: $id) { inventoryLevel(locationId: $loc) { quantities(names: ["available"]) { quantity } } } }`;
async function availableNow(): Promise<number[]> {
  const shop = createShopifyClient({
    shopDomain: world.shopDomain,
    accessToken: 'shpat_test',
    apiBaseUrl: world.shopify.url,
    pacer: createShopifyPacer(),
    logger: pino({ level: 'silent' }),
  });
  const out: number[] = [];
  for (const it of items) {
    const data = await shop.request<Obj>(LEVEL, { id: it.inventoryItemId, loc: locationId });
    out.push(data.inventoryItem.inventoryLevel.quantities[0].quantity);
  }
  return out;
}

describe('inventory routes', () => {
  it('refuses to turn inventory on for a location the shop does not have (400, naming the field)', async () => {
    const res = await putInventory({ mode: 'apply', locationId: 'gid://shopify/Location/999999999' });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('invalid_settings');
    expect(body.error.details.issues).toEqual([
      { path: 'inventory.locationId', message: `${world.shopDomain} has no location gid://shopify/Location/999999999` },
    ]);
  });

  it('refuses to turn inventory on when the QBO company does not track quantity on hand', async () => {
    world.qbo.admin.setPreferences(world.realmId, { ProductAndServicesPrefs: { QuantityOnHand: false } });
    try {
      const res = await putInventory({ mode: 'preview', locationId });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details.issues[0].path).toBe('inventory.mode');
      expect(res.json().error.message).toContain('does not track quantity on hand');
    } finally {
      world.qbo.admin.setPreferences(world.realmId, { ProductAndServicesPrefs: { QuantityOnHand: true } });
    }
  });

  it('refuses a run before a location is set, and an apply while inventory is not "apply"', async () => {
    const none = await call({ method: 'GET', url: `${base()}/inventory/preview?wait=0` });
    expect(none.statusCode).toBe(409);
    expect(none.json().error.message).toContain('no inventory location');
    const ok = await putInventory({ mode: 'preview', locationId });
    expect(ok.statusCode).toBe(200);
    const apply = await call({ method: 'POST', url: `${base()}/inventory/sync?mode=apply&wait=0` });
    expect(apply.statusCode).toBe(409);
    expect(apply.json().error.message).toContain('inventory.mode "preview"');
  });

  it('turning inventory on creates the store schedule; pause pauses it; off removes it', async () => {
    const handle = env.client.schedule.getHandle(workflowIds.inventorySchedule(world.shopDomain));
    const described = await handle.describe();
    expect(described.action).toMatchObject({ workflowType: 'inventoryWorkflow' });
    expect(described.policies.overlap).toBe('SKIP');
    expect(described.state.paused).toBe(false);
    expect(described.spec.intervals?.[0]?.every).toBe(60 * 60_000);
    // Each store at its own deterministic offset in the interval, not all on the hour.
    expect(described.spec.intervals?.[0]?.offset ?? 0).toBe(inventoryScheduleOffsetMs(world.shopDomain, 60));
    expect(new Set(['a', 'b', 'c', 'd'].map((h) => inventoryScheduleOffsetMs(`${h}.myshopify.com`, 60))).size).toBeGreaterThan(1);
    expect((await call({ method: 'POST', url: `${base()}/pause`, payload: {} })).statusCode).toBe(200);
    expect((await handle.describe()).state.paused).toBe(true);
    expect((await call({ method: 'POST', url: `${base()}/resume` })).statusCode).toBe(200);
    expect((await handle.describe()).state.paused).toBe(false);
    expect((await putInventory({ mode: 'off' })).statusCode).toBe(200);
    await expect(handle.describe()).rejects.toThrow();
    expect((await putInventory({ mode: 'apply', locationId, intervalMinutes: 30 })).statusCode).toBe(200);
    expect((await handle.describe()).spec.intervals?.[0]).toMatchObject({
      every: 30 * 60_000,
      offset: inventoryScheduleOffsetMs(world.shopDomain, 30),
    });
  }, 60_000);

  it('GET preview answers the whole diff and writes nothing', async () => {
    const before = await availableNow();
    const res = await call({ method: 'GET', url: `${base()}/inventory/preview?wait=30` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.run).toMatchObject({ status: 'previewed', mode: 'preview', raised: 3 });
    const mine = items.map((it) => body.changes.find((c: Obj) => c.inventoryItemId === it.inventoryItemId));
    expect(mine.map((c: Obj) => [c.action, c.shopifyBefore, c.target, c.applied])).toEqual(
      items.map((it) => ['raise', it.available, it.available + 2, false]),
    );
    expect(mine[0].qboQtyOnHand).toBe(String(items[0]!.available + 2));
    expect(body.changes.some((c: Obj) => c.action === 'skip' && c.skipCode && c.reason)).toBe(true);
    expect(await availableNow()).toEqual(before);
  }, 60_000);

  it('POST sync?mode=apply writes, and the changes list pages through every run', async () => {
    const res = await call({ method: 'POST', url: `${base()}/inventory/sync?mode=apply&wait=30` });
    expect(res.statusCode).toBe(200);
    expect(res.json().run).toMatchObject({ status: 'completed', applied: 3 });
    expect(await availableNow()).toEqual(items.map((it) => it.available + 2));

    const runId = res.json().runId as string;
    const one = await call({ method: 'GET', url: `${base()}/inventory/changes?runId=${encodeURIComponent(runId)}&changed=true` });
    expect(one.statusCode).toBe(200);
    expect(one.json().run).toMatchObject({ id: runId, status: 'completed' });
    expect(one.json().changes.every((c: Obj) => c.applied && c.after === c.target)).toBe(true);

    const seen: Obj[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `${base()}/inventory/changes?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await call({ method: 'GET', url });
      expect(page.statusCode).toBe(200);
      seen.push(...page.json().changes);
      cursor = page.json().nextCursor;
    } while (cursor);
    const all = await call({ method: 'GET', url: `${base()}/inventory/changes?limit=500` });
    expect(seen.map((c) => `${c.runId}#${c.seq}`)).toEqual(all.json().changes.map((c: Obj) => `${c.runId}#${c.seq}`));
    expect(new Set(seen.map((c) => c.runId)).size).toBe(2);
  }, 60_000);

  it('a parked run is confirmed through the API, and only once', async () => {
    // QBO now has one fewer of each: every item would be lowered, more than the 20 % the breaker allows.
    for (const it of items) {
      const [q] = await person.query('Item', `Sku = '${it.sku}'`);
      await person.update('Item', { ...q, QtyOnHand: it.available + 1 }, { sparse: false });
    }
    const res = await call({ method: 'POST', url: `${base()}/inventory/sync?mode=apply&wait=30` });
    expect(res.statusCode).toBe(200);
    const run = res.json().run;
    expect(run).toMatchObject({ status: 'awaiting_confirmation', breakerReason: 'lowers_too_many', lowered: 3 });
    expect(await availableNow()).toEqual(items.map((it) => it.available + 2));

    const url = `${base()}/inventory/runs/${encodeURIComponent(run.id)}/confirm`;
    const confirmed = await call({ method: 'POST', url });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({ runId: run.id, confirmed: true });
    for (let i = 0; i < 100; i++) {
      const page = await call({ method: 'GET', url: `${base()}/inventory/changes?runId=${encodeURIComponent(run.id)}` });
      if (page.json().run.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await availableNow()).toEqual(items.map((it) => it.available + 1));
    const again = await call({ method: 'POST', url });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain('is completed');
  }, 90_000);

  it("the schedule, triggered as the Temporal UI does, runs the store's inventory (apply, nothing left to write)", async () => {
    await env.client.schedule.getHandle(workflowIds.inventorySchedule(world.shopDomain)).trigger();
    let run: Obj | undefined;
    for (let i = 0; i < 150 && run?.status !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const rows = await database.db.select().from(inventoryRuns).where(eq(inventoryRuns.storeId, world.storeId));
      run = rows.find((r) => r.trigger === 'scheduled');
    }
    expect(run).toMatchObject({ trigger: 'scheduled', mode: 'apply', status: 'completed', raised: 0, lowered: 0, applied: 0 });
    expect(run!.id.startsWith(workflowIds.inventory(world.shopDomain))).toBe(true);
  }, 60_000);

  it('answers precise 4xx on bad input', async () => {
    const cases: Array<[InjectOptions, number]> = [
      [{ method: 'POST', url: `${base()}/inventory/sync` }, 400],
      [{ method: 'POST', url: `${base()}/inventory/sync?mode=force` }, 400],
      [{ method: 'GET', url: `${base()}/inventory/preview?wait=61` }, 400],
      [{ method: 'GET', url: `${base()}/inventory/changes?limit=0` }, 400],
      [{ method: 'GET', url: `${base()}/inventory/changes?cursor=bogus` }, 400],
      [{ method: 'GET', url: `${base()}/inventory/changes?runId=a%20b` }, 400],
      [{ method: 'POST', url: `${base()}/inventory/runs/no-such-run/confirm` }, 404],
      [{ method: 'POST', url: `${base()}/inventory/runs/a%00b/confirm` }, 400],
      [{ method: 'GET', url: `/stores/nope-shop/inventory/changes` }, 404],
    ];
    for (const [opts, status] of cases) {
      const res = await call(opts);
      expect(res.statusCode, `${opts.method} ${opts.url}`).toBe(status);
      expect(res.json().error.code).toBeTruthy();
    }
  });
});
