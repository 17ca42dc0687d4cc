/**
 * The inventory run end to end (workflows/inventory.ts, docs/inventory.md): the real workflow on the time-skipping
 * server, the real activities and clients, both emulators and PostgreSQL. QBO's stock is set by creating and
 * updating Inventory items through QBO's API; Shopify's by its own inventory mutations. Each test reads Shopify back
 * to show what the run wrote (or did not).
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Database } from '../../db/client';
import { inventoryChanges, inventoryRuns, ledgerEntries, stores } from '../../db/schema';
import type { Settings } from '../../domain/settings';
import { DEFAULT_ACCOUNT_IDS as A } from '../../emulators/qbo';
import { createShopifyClient, type ShopifyClient } from '../../integrations/shopify/client';
import { createShopifyPacer } from '../../integrations/shopify/pacer';
import type { QboClient } from '../../integrations/qbo/client';
import type { Activities, InventoryRunSummary } from '../../workflows/contracts';
import { confirmInventoryRunUpdate, workflowIds, type InventoryMode } from '../../workflows/definitions';
import { CONFIRMATION_WINDOW, inventoryWorkflow } from '../../workflows/inventory';
import { scriptedInventoryActivities } from '../support/inventory-activities';
import { readUnbookedSold } from '../../activities/inventory/read';
import { WorkflowFailedError } from '@temporalio/client';
import { postgresDatabase } from '../support/db';
import {
  insertConnectedStore,
  qboReader,
  silentLogger,
  startWorld,
  testCipher,
  usSettings,
  worldActivities,
  type SyncWorld,
} from '../support/sync-fixture';
import { timeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

type Obj = Record<string, any>;

let env: TestWorkflowEnvironment;
let world: SyncWorld;
let database: Database;
let activities: Activities;
let person: QboClient;
let shop: ShopifyClient;
let locationId: string;
let runs = 0;
/** The Shopify inventory items under test, each with its QBO item. */
let items: Array<{ inventoryItemId: string; sku: string; qboId: string }>;
/** A generated order holding the first item, and how many of it. */
let order: { id: string; units: number };

const LEVELS = `query($ids: [ID!]!, $loc: ID!) { nodes(ids: $ids) { ... on InventoryItem { id
  inventoryLevel(locationId: $loc) { quantities(names: ["available", "damaged", "on_hand"]) { name quantity } } } } }`;
const ADJUST = `mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) { userErrors { code message } } }`;

async function levels(): Promise<Map<string, Record<string, number>>> {
  const data = await shop.request<{ nodes: Obj[] }>(LEVELS, { ids: items.map((i) => i.inventoryItemId), loc: locationId });
  return new Map(
    data.nodes.map((n) => [n.id as string, Object.fromEntries(n.inventoryLevel.quantities.map((q: Obj) => [q.name, q.quantity]))]),
  );
}
const available = async (): Promise<number[]> => {
  const l = await levels();
  return items.map((i) => l.get(i.inventoryItemId)!.available!);
};

let adjustSeq = 0;
async function adjust(item: string, name: string, delta: number): Promise<void> {
  const data = await shop.request<Obj>(ADJUST, {
    key: `test-adjust-${++adjustSeq}-${Date.now()}`,
    input: {
      name,
      reason: name === 'damaged' ? 'damaged' : 'correction',
      changes: [{ inventoryItemId: item, locationId, delta, changeFromQuantity: null }],
    },
  });
  expect(data.inventoryAdjustQuantities.userErrors).toEqual([]);
}

/** Sets a QBO item's quantity on hand through QBO's API (an update; QBO posts the difference as shrinkage). */
async function setQbo(index: number, qty: number): Promise<void> {
  const item = await person.read('Item', items[index]!.qboId);
  await person.update('Item', { ...item, QtyOnHand: qty }, { sparse: false });
}

async function setInventorySettings(patch: Partial<NonNullable<Settings['inventory']>>): Promise<void> {
  const [row] = await database.db.select().from(stores).where(eq(stores.id, world.storeId));
  const settings = row!.settings;
  await database.db
    .update(stores)
    .set({ settings: { ...settings, inventory: { ...settings.inventory!, ...patch } } })
    .where(eq(stores.id, world.storeId));
}

async function withWorker<T>(acts: Activities, body: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('inventory');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: acts,
  });
  return worker.runUntil(body(taskQueue));
}

const run = (mode: InventoryMode, acts: Activities = activities): Promise<InventoryRunSummary> =>
  withWorker(acts, (taskQueue) =>
    env.client.workflow.execute(inventoryWorkflow, {
      taskQueue,
      workflowId: `${workflowIds.inventory(world.shopDomain)}:test-${++runs}`,
      args: [{ storeId: world.storeId, shopDomain: world.shopDomain, trigger: 'manual', mode }],
    }),
  );

const changesOf = (runId: string) =>
  database.db.select().from(inventoryChanges).where(eq(inventoryChanges.runId, runId)).orderBy(inventoryChanges.seq);
const setCalls = () => world.shopify.admin.requests(world.shopDomain).filter((r) => r.rootFields.includes('inventorySetQuantities')).length;

beforeAll(async () => {
  [env, database, world] = await Promise.all([timeSkippingEnv(), postgresDatabase(), startWorld({ seed: 1616, orders: 8, days: 5 })]);
  person = qboReader(world, database.db);
  // Four tracked variants with SKUs no QBO item holds yet, the first one sold in a generated order.
  // The company's own stocked tee carries a SKU of the shop: renamed, so only the items below are compared.
  for (const item of await person.query('Item')) {
    if (item.TrackQtyOnHand === true) await person.update('Item', { ...item, Sku: `QBO-${String(item.Sku)}` }, { sparse: false });
  }
  const taken = new Set((await person.query('Item')).map((i) => String(i.Sku ?? '')));
  const variants = new Map<string, Obj>();
  for (const p of world.generated.products as Obj[])
    for (const v of p.variants.nodes as Obj[])
      if (v.inventoryItem?.tracked && v.sku && !taken.has(v.sku)) variants.set(v.inventoryItem.id, v);
  const sold = (world.generated.orders as Obj[])
    .filter((o) => !o.cancelledAt)
    .flatMap((o) =>
      (o.lineItems.nodes as Obj[]).map((l) => ({
        order: o.id as string,
        item: l.variant?.inventoryItem?.id as string,
        units: l.currentQuantity as number,
      })),
    )
    .find((l) => l.item && variants.has(l.item) && l.units > 0);
  expect(sold).toBeDefined();
  order = { id: sold!.order, units: sold!.units };
  const chosen = [variants.get(sold!.item)!, ...[...variants.values()].filter((v) => v.inventoryItem.id !== sold!.item).slice(0, 3)];
  locationId = chosen[0]!.inventoryItem.inventoryLevels.nodes[0].location.id;

  const cipher = testCipher();
  await insertConnectedStore(
    database.db,
    cipher,
    world,
    usSettings({ inventory: { mode: 'apply', locationId, intervalMinutes: 60, maxLowerShare: 0.5 } }),
  );
  // As if the sales sync had just run: the generated orders are examined (and, without ledger rows, not unbooked).
  await database.db.update(stores).set({ cursorUpdatedAt: new Date() }).where(eq(stores.id, world.storeId));
  activities = worldActivities(world, database.db, cipher);
  shop = createShopifyClient({
    shopDomain: world.shopDomain,
    accessToken: 'shpat_test',
    apiBaseUrl: world.shopify.url,
    pacer: createShopifyPacer(),
    logger: silentLogger,
  });
  const before = new Map(
    (await shop.request<{ nodes: Obj[] }>(LEVELS, { ids: chosen.map((v) => v.inventoryItem.id), loc: locationId })).nodes.map((n) => [
      n.id,
      n.inventoryLevel.quantities.find((q: Obj) => q.name === 'available').quantity as number,
    ]),
  );
  // QBO: raise the first two, keep the third, lower the fourth by 1.
  const qty = chosen.map((v, i) => before.get(v.inventoryItem.id)! + [5, 3, 0, -1][i]!);
  items = [];
  for (const [i, v] of chosen.entries()) {
    const created = await person.create(
      'Item',
      {
        Name: `Stock ${v.sku}`,
        Sku: v.sku,
        Type: 'Inventory',
        TrackQtyOnHand: true,
        QtyOnHand: qty[i],
        InvStartDate: '2026-01-01',
        IncomeAccountRef: { value: A.salesOfProduct },
        ExpenseAccountRef: { value: A.costOfGoodsSold },
        AssetAccountRef: { value: A.inventoryAsset },
      },
      { requestId: `inv-test-item-${i}-${world.storeId}` },
    );
    items.push({ inventoryItemId: v.inventoryItem.id, sku: v.sku, qboId: String(created.Id) });
  }
}, 180_000);

afterAll(async () => {
  await env?.teardown();
  await world?.close();
  await database?.close();
});

describe('inventoryWorkflow against both emulators', () => {
  let expected: number[];

  it('preview records the whole diff and writes nothing to Shopify', async () => {
    const before = await available();
    const calls = setCalls();
    const summary = await run('preview');
    expect(summary).toMatchObject({ status: 'previewed', mode: 'preview', applied: 0 });
    expect(summary.counts).toMatchObject({ raise: 2, lower: 1, unchanged: 1 });
    expect(await available()).toEqual(before);
    expect(setCalls()).toBe(calls);
    const rows = await changesOf(summary.runId);
    const mine = items.map((i) => rows.find((r) => r.inventoryItemId === i.inventoryItemId)!);
    expect(mine.map((r) => r.action)).toEqual(['raise', 'raise', 'unchanged', 'lower']);
    expect(mine.map((r) => r.target)).toEqual(before.map((b, i) => b + [5, 3, 0, -1][i]!));
    expect(mine.every((r) => !r.applied)).toBe(true);
    // Other QBO items (services, the company's own tee) are reported with a reason, never touched.
    expect(rows.filter((r) => r.action === 'skip').every((r) => r.skipCode && r.reason)).toBe(true);
    expected = mine.map((r) => r.target!);
  }, 120_000);

  it('apply sets available to the target, compare-and-set, naming the run', async () => {
    const summary = await run('apply');
    expect(summary).toMatchObject({ status: 'completed', verdict: 'apply', applied: 3, notApplied: 0 });
    expect(await available()).toEqual(expected);
    const [row] = await database.db.select().from(inventoryRuns).where(eq(inventoryRuns.id, summary.runId));
    expect(row).toMatchObject({ status: 'completed', applied: 3, raised: 2, lowered: 1 });
    const written = (await changesOf(summary.runId)).filter((r) => r.applied);
    expect(written.map((r) => r.after).sort()).toEqual(written.map((r) => r.target).sort());
  }, 120_000);

  it('a second run with nothing changed writes nothing', async () => {
    const calls = setCalls();
    const summary = await run('apply');
    expect(summary).toMatchObject({ status: 'completed', verdict: 'nothing_to_do', applied: 0 });
    expect(summary.counts).toMatchObject({ raise: 0, lower: 0 });
    expect(setCalls()).toBe(calls);
    expect(await available()).toEqual(expected);
  }, 120_000);

  it('subtracts what Shopify sold and QBO has not booked, and what Shopify holds as unavailable', async () => {
    // The sync parked the generated order (e.g. a missing mapping): QBO's quantity still counts its units.
    await database.db.insert(ledgerEntries).values({
      storeId: world.storeId,
      sourceKey: `order:${order.id}`,
      role: 'sale',
      sourceType: 'order',
      status: 'parked',
      reason: 'needs mapping (test)',
    });
    await adjust(items[1]!.inventoryItemId, 'damaged', 2);
    const summary = await run('apply');
    expect(summary.status).toBe('completed');
    const now = await available();
    expect(now[0]).toBe(Math.max(0, expected[0]! - order.units));
    expect(now[1]).toBe(expected[1]! - 2);
    expect(now.slice(2)).toEqual(expected.slice(2));
    const rows = await changesOf(summary.runId);
    const first = rows.find((r) => r.inventoryItemId === items[0]!.inventoryItemId)!;
    expect(first).toMatchObject({ unbookedSold: order.units, applied: true });
    expect(first.reason).toContain(`not yet in QBO ${order.units}`);
    // Booked: its units are out of QBO's quantity; the next run must not subtract them again.
    await database.db
      .update(ledgerEntries)
      .set({ status: 'synced' })
      .where(and(eq(ledgerEntries.storeId, world.storeId), eq(ledgerEntries.sourceKey, `order:${order.id}`)));
    await setQbo(0, expected[0]! - order.units);
    const again = await run('apply');
    expect(again.counts).toMatchObject({ raise: 0, lower: 0 });
    expected = await available();
  }, 180_000);

  it('a stale compare mid-run re-reads the item and sets the recomputed target', async () => {
    await setQbo(2, expected[2]! + 4);
    let raced = false;
    // Between the plan's read and the write, a person moves one unit of the item from available to damaged.
    const racing: Activities = {
      ...activities,
      async inventoryApply(input) {
        if (!raced) {
          raced = true;
          await adjust(items[2]!.inventoryItemId, 'available', -1);
          await adjust(items[2]!.inventoryItemId, 'damaged', 1);
        }
        return activities.inventoryApply(input);
      },
    };
    const summary = await run('apply', racing);
    expect(raced).toBe(true);
    expect(summary).toMatchObject({ status: 'completed', applied: 1 });
    const now = await available();
    // QBO on hand (expected + 4) − the unit now unavailable.
    expect(now[2]).toBe(expected[2]! + 4 - 1);
    const row = (await changesOf(summary.runId)).find((r) => r.inventoryItemId === items[2]!.inventoryItemId)!;
    expect(row).toMatchObject({ applied: true, target: expected[2]! + 3, after: expected[2]! + 3 });
    expect(row.reason).toContain('re-read after a stale compare');
    expected = now;
  }, 120_000);

  it('the circuit breaker parks a run that lowers too many items; a confirmation applies it', async () => {
    await setInventorySettings({ maxLowerShare: 0.2 });
    // One unit fewer than Shopify sells for three of the four items (QBO counts the damaged units as on hand too).
    const held = await levels();
    for (const i of [0, 1, 3]) await setQbo(i, expected[i]! - 1 + held.get(items[i]!.inventoryItemId)!.damaged!);
    const before = await available();
    const handle = await withWorker(activities, async (taskQueue) => {
      const h = await env.client.workflow.start(inventoryWorkflow, {
        taskQueue,
        workflowId: `${workflowIds.inventory(world.shopDomain)}:test-${++runs}`,
        args: [{ storeId: world.storeId, shopDomain: world.shopDomain, trigger: 'manual', mode: 'apply' }],
      });
      for (let i = 0; i < 200; i++) {
        const [row] = await database.db.select().from(inventoryRuns).where(eq(inventoryRuns.id, h.workflowId));
        if (row?.status === 'awaiting_confirmation') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const [parked] = await database.db.select().from(inventoryRuns).where(eq(inventoryRuns.id, h.workflowId));
      expect(parked).toMatchObject({ status: 'awaiting_confirmation', breakerReason: 'lowers_too_many', lowered: 3 });
      expect(await available()).toEqual(before);
      const answer = await h.executeUpdate(confirmInventoryRunUpdate, { args: [{ by: 'test' }] });
      expect(answer).toEqual({ runId: h.workflowId, confirmed: true });
      const summary = await h.result();
      expect(summary).toMatchObject({ status: 'completed', applied: 3 });
      expect(summary.breaker?.reasons).toEqual(['lowers_too_many']);
      return h;
    });
    const [row] = await database.db.select().from(inventoryRuns).where(eq(inventoryRuns.id, handle.workflowId));
    expect(row!.confirmedAt).not.toBeNull();
    expect(await available()).toEqual(before.map((b, i) => (i === 2 ? b : Math.max(0, b - 1))));
  }, 180_000);

  it('a confirmation is refused when the run is not waiting for one', async () => {
    await setInventorySettings({ maxLowerShare: 0.5 });
    const summary = await run('preview');
    const handle = env.client.workflow.getHandle(summary.runId);
    await expect(handle.executeUpdate(confirmInventoryRunUpdate, { args: [{}] })).rejects.toThrow();
  }, 60_000);

  it('a paused store, or inventory off, reads nothing', async () => {
    await setInventorySettings({ mode: 'off' });
    const calls = world.shopify.admin.requests(world.shopDomain).length;
    const off = await run('apply');
    expect(off).toMatchObject({ status: 'blocked' });
    expect(off.note).toContain('inventory.mode is "off"');
    await setInventorySettings({ mode: 'apply' });
    await database.db.update(stores).set({ state: 'paused' }).where(eq(stores.id, world.storeId));
    const paused = await run('apply');
    expect(paused).toMatchObject({ status: 'blocked', note: 'store is paused' });
    expect(world.shopify.admin.requests(world.shopDomain).length).toBe(calls);
    await database.db.update(stores).set({ state: 'active' }).where(eq(stores.id, world.storeId));
  }, 60_000);

  it('keeps every Shopify read under the 800-point page budget', () => {
    const costs = world.shopify.admin
      .requests(world.shopDomain)
      .filter((r) => (r.operationName ?? '').startsWith('LedgerlineInventory') || (r.operationName ?? '').startsWith('LedgerlineUnbooked'))
      .map((r) => r.requestedQueryCost ?? 0);
    expect(costs.length).toBeGreaterThan(0);
    expect(Math.max(...costs)).toBeLessThanOrEqual(800);
  });
});

describe('inventoryWorkflow logic, with activity doubles', () => {
  async function runDoubles(storeId: string, setup: (d: ReturnType<typeof scriptedInventoryActivities>) => void) {
    const doubles = scriptedInventoryActivities();
    setup(doubles);
    const taskQueue = uniqueTaskQueue('inventory-logic');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: doubles.activities,
    });
    const outcome = await worker.runUntil(
      env.client.workflow
        .execute(inventoryWorkflow, {
          taskQueue,
          workflowId: `${workflowIds.inventory(`${storeId}.myshopify.com`)}:logic-${Date.now()}`,
          args: [{ storeId, shopDomain: `${storeId}.myshopify.com`, trigger: 'scheduled' }],
        })
        .then(
          (summary) => ({ summary, error: null }),
          (error: unknown) => ({ summary: null, error }),
        ),
    );
    return { ...outcome, doubles };
  }

  it('a parked run nobody confirms ends expired after the confirmation window, writing nothing', async () => {
    const { summary, doubles } = await runDoubles('s-inv-expire', (d) => d.script.trip('s-inv-expire'));
    expect(summary).toMatchObject({ status: 'expired' });
    expect(summary!.note).toContain(`not confirmed within ${CONFIRMATION_WINDOW}`);
    expect(doubles.record.calls).toEqual([
      'begin s-inv-expire',
      'plan s-inv-expire',
      'record s-inv-expire awaiting_confirmation',
      'finish s-inv-expire expired',
    ]);
  });

  it('a confirmation sent the instant the run is recorded awaiting_confirmation is accepted, not refused as early', async () => {
    // The API confirms a run once its row says awaiting_confirmation, which can be before the workflow has seen the
    // recording activity end: here the confirmation goes out from inside that activity, after the row is written.
    let answer: unknown;
    const { summary, doubles } = await runDoubles('s-inv-race', (d) => {
      d.script.trip('s-inv-race');
      const record = d.activities.inventoryRecord;
      d.activities.inventoryRecord = async (input) => {
        const result = await record(input);
        if (input.status === 'awaiting_confirmation') {
          answer = await env.client.workflow
            .getHandle(input.runId)
            .executeUpdate(confirmInventoryRunUpdate, { args: [{ by: 'test' }] })
            .catch((err: unknown) => `refused: ${err instanceof Error ? err.message : String(err)}`);
        }
        return result;
      };
    });
    expect(answer).toEqual({ runId: summary!.runId, confirmed: true });
    expect(summary).toMatchObject({ status: 'completed' });
    expect(doubles.record.calls).toEqual([
      'begin s-inv-race',
      'plan s-inv-race',
      'record s-inv-race awaiting_confirmation',
      'record s-inv-race running confirmed',
      'apply s-inv-race',
      'finish s-inv-race completed',
    ]);
  });

  it('a step that fails for good is recorded failed, and the workflow fails visibly', async () => {
    const { error, doubles } = await runDoubles('s-inv-fail', (d) => d.script.fail('s-inv-fail'));
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(doubles.record.calls).toEqual(['begin s-inv-fail', 'plan s-inv-fail', 'finish s-inv-fail failed']);
  });

  it('a blocked store reads nothing and says why', async () => {
    const { summary, doubles } = await runDoubles('s-inv-off', (d) => d.script.block('s-inv-off', 'inventory is off for this store'));
    expect(summary).toMatchObject({ status: 'blocked', note: 'inventory is off for this store' });
    expect(doubles.record.calls).toEqual(['begin s-inv-off', 'finish s-inv-off blocked']);
  });
});

describe('unbooked sales the sync has not examined yet', () => {
  it('counts a sale whose updatedAt, in whole seconds, is before the cursor of a run that began just before it', async () => {
    // Shopify's timestamps have whole seconds: a sale placed at hh:mm:ss.9 says hh:mm:ss, so a sync run that began at
    // hh:mm:ss.5 (its window end, then the cursor) did not read it, and the next one reads it in the cursor's overlap.
    const template = (world.generated.orders as Obj[]).find((o) => o.id === order.id)!;
    const placed = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const sale = JSON.parse(
      JSON.stringify(template).replace(
        /gid:\/\/shopify\/(Order|LineItem)\/(\d+)/g,
        (_m, type: string, n: string) => `gid://shopify/${type}/${Number(n) + 900_000_000}`,
      ),
    ) as Obj;
    Object.assign(sale, { name: '#U1', createdAt: placed, processedAt: placed, updatedAt: placed, cancelledAt: null });
    world.shopify.admin.upsertOrders(world.shopDomain, [sale]);
    const [row] = await database.db.select().from(stores).where(eq(stores.id, world.storeId));
    await database.db
      .update(stores)
      .set({ cursorUpdatedAt: new Date(Date.parse(placed) + 500) })
      .where(eq(stores.id, world.storeId));
    try {
      const sold = await readUnbookedSold(database.db, shop, world.storeId, { bookedSince: new Date() });
      expect(sold[items[0]!.inventoryItemId]).toBe(order.units);
    } finally {
      // Cancelled (Shopify restocks it), so it counts nowhere after this test; the cursor as it was.
      world.shopify.admin.upsertOrders(world.shopDomain, [{ ...sale, cancelledAt: new Date().toISOString() }]);
      await database.db.update(stores).set({ cursorUpdatedAt: row!.cursorUpdatedAt }).where(eq(stores.id, world.storeId));
    }
  });
});
