/**
 * Inventory end to end (issue #16, docs/inventory.md), every part real: the store connected through the API, the
 * worker as its own process on PostgreSQL and the Temporal dev server, Shopify and QBO emulated and reached through
 * the real clients. QBO's stock moves as a merchant moves it — a Purchase and a Bill of inventory items, an
 * InventoryAdjustment, a Shopify sale booked in QBO by the sales sync — and one inventory run brings Shopify's
 * `available` at the mapped location to max(0, floor(QtyOnHand) − unavailable − sold in Shopify, not yet in QBO).
 * Then: a preview writes nothing, a second run with nothing changed writes nothing, a sale racing the run is neither
 * lost nor oversold, and a worker killed while its write is in flight leaves each change applied once.
 */
import { and, eq } from 'drizzle-orm';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDocumentUri } from '../../activities/inventory';
import { inventoryChanges, inventoryRuns, ledgerEntries } from '../../db/schema';
import { DEFAULT_ACCOUNT_IDS as A, DEFAULT_LIST_IDS as L } from '../../emulators/qbo';
import type { QboClient } from '../../integrations/qbo/client';
import { createShopifyClient, type ShopifyClient } from '../../integrations/shopify/client';
import { createShopifyPacer } from '../../integrations/shopify/pacer';
import { startStack, type Stack } from '../support/stack';
import { qboReader, silentLogger } from '../support/sync-fixture';

type Obj = Record<string, any>;

let stack: Stack;
let storeId: string;
let person: QboClient;
let shop: ShopifyClient;
let locationId: string;
/** The four Shopify variants under test (none sold in the generated history), each with its QBO Inventory item. */
let items: Array<{ variant: Obj; inventoryItemId: string; sku: string; qboId: string }>;
/** A generated paid order with one line, cloned to place new sales of the items under test. */
let template: Obj;
/** What Shopify's available must be after the last run, item by item. */
let expected: number[];

/** QBO's quantity on hand when each item is created. */
const START_QTY = [50, 60, 70, 80];

const LEVELS = `query($ids: [ID!]!, $loc: ID!) { nodes(ids: $ids) { ... on InventoryItem { id
  inventoryLevel(locationId: $loc) { quantities(names: ["available", "committed", "damaged", "on_hand"]) { name quantity } } } } }`;
const ADJUST = `mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) { userErrors { code message } } }`;

async function levels(): Promise<Array<Record<string, number>>> {
  const data = await shop.request<{ nodes: Obj[] }>(LEVELS, { ids: items.map((i) => i.inventoryItemId), loc: locationId });
  const byId = new Map(
    data.nodes.map((n) => [n.id as string, Object.fromEntries(n.inventoryLevel.quantities.map((q: Obj) => [q.name, q.quantity]))]),
  );
  return items.map((i) => byId.get(i.inventoryItemId)!);
}
const available = async (): Promise<number[]> => (await levels()).map((l) => l.available!);
const qboQty = async (): Promise<number[]> => Promise.all(items.map(async (i) => Number((await person.read('Item', i.qboId)).QtyOnHand)));

const setCalls = () =>
  stack.world.shopify.admin.requests(stack.world.shopDomain).filter((r) => r.rootFields.includes('inventorySetQuantities'));
/** The adjustment groups Shopify applied for one run (each names the run as its reference document). */
const groupsOf = (runId: string): Obj[] =>
  [...stack.world.shopify.admin.shop(stack.world.shopDomain).inventoryAdjustmentGroups.values()].filter(
    (g) => g.referenceDocumentUri === runDocumentUri(runId),
  );
const changesOf = (runId: string) =>
  stack.database.db.select().from(inventoryChanges).where(eq(inventoryChanges.runId, runId)).orderBy(inventoryChanges.seq);
const mineOf = async (runId: string) => {
  const rows = await changesOf(runId);
  return items.map((i) => rows.find((r) => r.inventoryItemId === i.inventoryItemId)!);
};
const runRow = async (runId: string) => (await stack.database.db.select().from(inventoryRuns).where(eq(inventoryRuns.id, runId)))[0];

let adjustSeq = 0;
/** A person moves Shopify stock between states at the location (e.g. puts units aside as damaged). */
async function adjustShopify(index: number, name: string, delta: number): Promise<void> {
  const data = await shop.request<Obj>(ADJUST, {
    key: `e2e-adjust-${++adjustSeq}-${Date.now()}`,
    input: {
      name,
      reason: name === 'damaged' ? 'damaged' : 'correction',
      changes: [{ inventoryItemId: items[index]!.inventoryItemId, locationId, delta, changeFromQuantity: null }],
    },
  });
  expect(data.inventoryAdjustQuantities.userErrors).toEqual([]);
}

let requestSeq = 0;
const requestId = (what: string) => `inv-e2e-${what}-${++requestSeq}-${storeId}`;

/** An InventoryAdjustment through QBO's REST API (node-quickbooks has no method for the entity). */
async function qboAdjust(lines: Array<{ index: number; qtyDiff: number }>): Promise<void> {
  const issued = stack.world.qbo.admin.issueTokens(stack.world.realmId);
  const res = await fetch(`${stack.world.qbo.v3Endpoint}${stack.world.realmId}/inventoryadjustment?minorversion=75`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${issued.accessToken}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({
      AdjustAccountRef: { value: A.inventoryShrinkage },
      Line: lines.map((l) => ({
        DetailType: 'ItemAdjustmentLineDetail',
        ItemAdjustmentLineDetail: { ItemRef: { value: items[l.index]!.qboId }, QtyDiff: l.qtyDiff },
      })),
    }),
  });
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
}

const expenseLine = (index: number, qty: number) => ({
  DetailType: 'ItemBasedExpenseLineDetail',
  Amount: 8 * qty,
  ItemBasedExpenseLineDetail: { ItemRef: { value: items[index]!.qboId }, Qty: qty, UnitPrice: 8 },
});

let orderSeq = 0;
/**
 * A new Shopify sale of `template`'s quantity of item `index`: the template's money and payments (so the sales sync
 * books it like any order), new ids, placed now. Placing it through the emulator's admin API commits its units.
 */
function placeSale(index: number): { id: string; units: number } {
  const n = 7_100_000_000 + ++orderSeq * 100;
  let next = n;
  const fresh = new Map<string, string>();
  const renamed = JSON.stringify(template).replace(
    /gid:\/\/shopify\/(Order|LineItem|ShippingLine|OrderTransaction|TransactionFee)\/\d+/g,
    (gid, type: string) => {
      if (!fresh.has(gid)) fresh.set(gid, `gid://shopify/${type}/${type === 'Order' ? n : ++next}`);
      return fresh.get(gid)!;
    },
  );
  const order = JSON.parse(renamed) as Obj;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const v = items[index]!.variant;
  const line = order.lineItems.nodes[0];
  Object.assign(order, { legacyResourceId: String(n), name: `#E${orderSeq}`, createdAt: now, processedAt: now, updatedAt: now });
  for (const t of order.transactions as Obj[]) t.processedAt = now;
  Object.assign(line, {
    sku: v.sku,
    name: `${v.product.title} - ${v.title}`,
    title: v.product.title,
    variantTitle: v.title,
    variant: {
      id: v.id,
      sku: v.sku,
      title: v.title,
      product: { id: v.product.id, title: v.product.title },
      inventoryItem: { id: v.inventoryItem.id },
    },
  });
  stack.world.shopify.admin.upsertOrders(stack.world.shopDomain, [order]);
  return { id: order.id as string, units: line.currentQuantity as number };
}

/** POST …/inventory/sync, and the run's record once it has ended. */
async function runInventory(mode: 'preview' | 'apply', onStarted?: (runId: string) => Promise<void>) {
  const res = await stack.api<{ runId: string }>('POST', `/stores/${storeId}/inventory/sync?mode=${mode}&wait=0`);
  expect([200, 202]).toContain(res.status);
  const runId = res.body.runId;
  if (onStarted) await onStarted(runId);
  return { runId, run: await finished(runId, 60_000) };
}

async function finished(runId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await runRow(runId);
    if (run && ['completed', 'previewed', 'failed', 'blocked', 'expired', 'awaiting_confirmation'].includes(run.status)) return run;
    if (Date.now() > deadline) {
      throw new Error(
        `inventory run ${runId} is ${run?.status ?? 'not recorded'} after ${timeoutMs} ms\nworker output:\n${stack.workers.map((w) => w.output()).join('\n---\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the run's plan is recorded: its read of QBO and Shopify is done, its write not yet. */
async function planRecorded(runId: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await changesOf(runId)).length > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`inventory run ${runId} recorded no plan within 30 s`);
}

beforeAll(async () => {
  stack = await startStack({ seed: 1617, orders: 8, days: 3 });
  const { world } = stack;
  person = qboReader(world, stack.database.db);
  shop = createShopifyClient({
    shopDomain: world.shopDomain,
    accessToken: 'shpat_test',
    apiBaseUrl: world.shopify.url,
    pacer: createShopifyPacer(),
    logger: silentLogger,
  });
  // The company's own stocked items carry SKUs of the shop: renamed, so only the items created below are compared.
  for (const item of await person.query('Item')) {
    if (item.TrackQtyOnHand === true) await person.update('Item', { ...item, Sku: `QBO-${String(item.Sku)}` }, { sparse: false });
  }
  const generated = world.generated.orders as Obj[];
  const sold = new Set(generated.flatMap((o) => (o.lineItems.nodes as Obj[]).map((l) => l.variant?.inventoryItem?.id as string)));
  template = generated.find(
    (o) => !o.cancelledAt && o.displayFinancialStatus === 'PAID' && o.lineItems.nodes.length === 1 && !(o.refunds?.length > 0),
  )!;
  expect(template).toBeDefined();
  const variants = (world.generated.products as Obj[])
    .flatMap((p) => (p.variants.nodes as Obj[]).map((v): Obj => ({ ...v, product: { id: p.id, title: p.title } })))
    .filter((v) => v.inventoryItem?.tracked && v.sku && !sold.has(v.inventoryItem.id));
  locationId = variants[0]!.inventoryItem.inventoryLevels.nodes[0].location.id;
  const chosen = variants
    .filter((v) => (v.inventoryItem.inventoryLevels.nodes as Obj[]).some((l) => l.location.id === locationId))
    .slice(0, 4);
  expect(chosen).toHaveLength(4);
  items = [];
  for (const [i, v] of chosen.entries()) {
    const created = await person.create(
      'Item',
      {
        Name: `Stock ${v.sku}`,
        Sku: v.sku,
        Type: 'Inventory',
        TrackQtyOnHand: true,
        QtyOnHand: START_QTY[i],
        InvStartDate: '2026-01-01',
        PurchaseCost: 8,
        IncomeAccountRef: { value: A.salesOfProduct },
        ExpenseAccountRef: { value: A.costOfGoodsSold },
        AssetAccountRef: { value: A.inventoryAsset },
      },
      { requestId: `inv-e2e-item-${i}-${world.storeId}` },
    );
    items.push({ variant: v, inventoryItemId: v.inventoryItem.id, sku: v.sku, qboId: String(created.Id) });
  }
  stack.startWorker();
  // A daily schedule (00:00 UTC) and a long sales sync interval: the runs below are the ones the tests start.
  storeId = await stack.connect({
    syncIntervalMinutes: 1440,
    inventory: { mode: 'apply', locationId, intervalMinutes: 1440, maxLowerShare: 1 },
  });
  await stack.waitForRuns(storeId, 1, 120_000);
}, 240_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

describe('inventory end to end', () => {
  /** QBO's quantities on hand, and Shopify's available, after the stock moves of the first test. */
  let onHand: number[];
  let before: number[];

  it('QBO stock moves (a purchase, a bill, an adjustment, a sale the sync booked): a preview shows them and writes nothing to Shopify', async () => {
    // QBO: a cash purchase of 7 of item 0, a bill for 5 of item 1, an adjustment of −4 on item 2.
    await person.create(
      'Purchase',
      { PaymentType: 'Cash', AccountRef: { value: A.checking }, Line: [expenseLine(0, 7)] },
      { requestId: requestId('purchase') },
    );
    await person.create('Bill', { VendorRef: { value: L.shopifyVendor }, Line: [expenseLine(1, 5)] }, { requestId: requestId('bill') });
    await qboAdjust([{ index: 2, qtyDiff: -4 }]);
    // Shopify: item 3 sells, and the sales sync books the sale in QBO (its SalesReceipt takes the units off hand).
    const sale = placeSale(3);
    const sync = await stack.api('POST', `/stores/${storeId}/sync?wait=60`);
    expect(sync.status).toBe(200);
    const [booked] = await stack.database.db
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.storeId, storeId), eq(ledgerEntries.sourceKey, `order:${sale.id}`), eq(ledgerEntries.role, 'sale')));
    expect(booked).toMatchObject({ status: 'synced' });
    onHand = [START_QTY[0]! + 7, START_QTY[1]! + 5, START_QTY[2]! - 4, START_QTY[3]! - sale.units];
    expect(await qboQty()).toEqual(onHand);
    // And two units of item 0 are set aside in Shopify as damaged: on hand in QBO, not for sale.
    await adjustShopify(0, 'damaged', 2);
    expected = [START_QTY[0]! + 7 - 2, START_QTY[1]! + 5, START_QTY[2]! - 4, START_QTY[3]! - sale.units];

    before = await available();
    for (const [i, b] of before.entries()) expect(b, `item ${i}`).not.toBe(expected[i]);
    const calls = setCalls().length;
    const preview = await stack.api<{ runId: string; run: Obj; changes: Obj[] }>('GET', `/stores/${storeId}/inventory/preview?wait=60`);
    expect(preview.status).toBe(200);
    expect(preview.body.run).toMatchObject({ status: 'previewed', mode: 'preview', applied: 0 });
    const diff = items.map((i) => preview.body.changes.find((c) => c.inventoryItemId === i.inventoryItemId)!);
    expect(diff.map((c) => c.target)).toEqual(expected);
    expect(diff.map((c) => c.shopifyBefore)).toEqual(before);
    expect(diff.every((c) => c.applied === false)).toBe(true);
    expect(await available()).toEqual(before);
    expect(setCalls().length).toBe(calls);
    expect(groupsOf(preview.body.runId)).toEqual([]);
  }, 120_000);

  it('one apply run brings them to Shopify: available = floor(QtyOnHand) − unavailable − sold, not yet booked', async () => {
    const { runId, run } = await runInventory('apply');
    expect(run).toMatchObject({ status: 'completed', mode: 'apply', compared: 4, applied: 4, notApplied: 0 });
    expect(await available()).toEqual(expected);
    const mine = await mineOf(runId);
    expect(mine.map((r) => [r.qboQty, r.shopifyUnavailable, r.unbookedSold, r.target, r.after, r.applied])).toEqual(
      expected.map((e, i) => [String(onHand[i]), i === 0 ? 2 : 0, 0, e, e, true]),
    );
    // Shopify applied one call naming the run, holding exactly the changed items.
    const [group, ...more] = groupsOf(runId);
    expect(more).toEqual([]);
    const changed = (group!.changes as Obj[]).filter((c) => c.name === 'available').map((c) => c.item.id as string);
    expect(changed.sort()).toEqual(items.map((i) => i.inventoryItemId).sort());
  }, 60_000);

  it('a second run with nothing changed writes nothing', async () => {
    const calls = setCalls().length;
    const { runId, run } = await runInventory('apply');
    expect(run).toMatchObject({ status: 'completed', raised: 0, lowered: 0, applied: 0, notApplied: 0 });
    expect(setCalls().length).toBe(calls);
    expect(groupsOf(runId)).toEqual([]);
    const rows = await changesOf(runId);
    expect(rows.filter((r) => r.action === 'raise' || r.action === 'lower' || r.applied)).toEqual([]);
    expect((await mineOf(runId)).map((r) => [r.action, r.target, r.after])).toEqual(expected.map((e) => ['unchanged', e, e]));
    expect(await available()).toEqual(expected);
  }, 60_000);

  it("a Shopify sale placed between the run's read and its write is neither lost nor oversold", async () => {
    await qboAdjust([{ index: 1, qtyDiff: 6 }]);
    // The write waits 3 s in Shopify: the sale lands after the plan's read, before the compare-and-set is applied.
    stack.world.shopify.admin.addFaults({ match: 'inventorySetQuantities', latencyMs: 3000 });
    const calls = setCalls().length;
    const committedBefore = (await levels())[1]!.committed!;
    let sale: { id: string; units: number } | undefined;
    let availableAtSale = 0;
    const { runId, run } = await runInventory('apply', async (id) => {
      await planRecorded(id);
      availableAtSale = (await available())[1]!;
      sale = placeSale(1);
    }).finally(() => stack.world.shopify.admin.clearFaults());
    expect(run).toMatchObject({ status: 'completed', raised: 1, applied: 1, notApplied: 0 });
    // The read saw the stock before the sale; the sale took its units from it before the write.
    expect(availableAtSale).toBe(expected[1]);
    const target = expected[1]! + 6 - sale!.units;
    const [row] = (await mineOf(runId)).filter((_r, i) => i === 1);
    expect(row).toMatchObject({ shopifyBefore: expected[1], applied: true, target, after: target });
    expect(row!.reason).toContain(`sold in Shopify, not yet in QBO ${sale!.units}`);
    expect(row!.reason).toContain('re-read after a stale compare');
    // Two calls: the stale compare (nothing applied), then the recomputed target, applied once.
    expect(setCalls().length - calls).toBe(2);
    expect(groupsOf(runId)).toHaveLength(1);
    const after = await levels();
    expected[1] = target;
    expect(after.map((l) => l.available)).toEqual(expected);
    // The sale's units are committed to it, and what QBO holds minus them is what is left to sell: not sold twice.
    expect(after[1]!.committed).toBe(committedBefore + sale!.units);
    expect(after[1]!.available! + sale!.units).toBe(Number((await person.read('Item', items[1]!.qboId)).QtyOnHand));
    // The sale stays unbooked; the next run still subtracts it and writes nothing.
    const again = await runInventory('apply');
    expect(again.run).toMatchObject({ status: 'completed', raised: 0, lowered: 0, applied: 0 });
    expect(await available()).toEqual(expected);
  }, 90_000);

  it('a sale the sales sync books while the run reads Shopify is subtracted, though QBO answered the run before it', async () => {
    // The run's Shopify read takes 15 s: QBO's quantities are read first, then the sale is placed and booked.
    stack.world.shopify.admin.addFaults({ match: 'productVariants', latencyMs: 15_000 });
    const qboBefore = await qboQty();
    const mark = stack.world.qbo.admin.requestLog().length;
    let sale: { id: string; units: number } | undefined;
    const { runId, run } = await runInventory('apply', async (started) => {
      for (let i = 0; ; i++) {
        const read = stack.world.qbo.admin
          .requestLog()
          .slice(mark)
          .some((r) => /^item$/i.test(r.entity ?? '') && r.operation === 'query');
        if (read) break;
        if (i > 600) throw new Error("the run's QBO item read was not seen within 30 s");
        await new Promise((r) => setTimeout(r, 50));
      }
      sale = placeSale(2);
      const sync = await stack.api('POST', `/stores/${storeId}/sync?wait=60`);
      expect(sync.status).toBe(200);
      const [booked] = await stack.database.db
        .select()
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.storeId, storeId), eq(ledgerEntries.sourceKey, `order:${sale.id}`), eq(ledgerEntries.role, 'sale')));
      expect(booked).toMatchObject({ status: 'synced' });
      // Booked while the run still waits for Shopify: its plan is not recorded yet.
      expect(await changesOf(started)).toEqual([]);
    }).finally(() => stack.world.shopify.admin.clearFaults());
    expect(run).toMatchObject({ status: 'completed', notApplied: 0 });
    const qboAfter = await qboQty();
    expect(qboAfter[2]).toBe(qboBefore[2]! - sale!.units);
    // The run read QBO before the sale was booked; the sale counts as not yet in QBO, so Shopify is not oversold.
    const row = (await mineOf(runId))[2]!;
    expect(row).toMatchObject({ qboQty: String(qboBefore[2]), unbookedSold: sale!.units, target: qboAfter[2] });
    expected[2] = qboAfter[2]!;
    expect(await available()).toEqual(expected);
    // The next run reads QBO after the booking: the same target, nothing written.
    const again = await runInventory('apply');
    expect(again.run).toMatchObject({ status: 'completed', raised: 0, lowered: 0, applied: 0 });
    expect(await available()).toEqual(expected);
  }, 150_000);

  it('a worker killed while its write is in flight leaves each change applied once', async () => {
    await qboAdjust(items.map((_i, index) => ({ index, qtyDiff: 3 })));
    const onHandBefore = (await levels()).map((l) => l.on_hand!);
    // Shopify takes 6 s to answer the write: the worker is killed while the call is in flight.
    stack.world.shopify.admin.addFaults({ match: 'inventorySetQuantities', latencyMs: 6000 });
    const calls = setCalls().length;
    const first = stack.workers.at(-1)!;
    const res = await stack.api<{ runId: string }>('POST', `/stores/${storeId}/inventory/sync?mode=apply&wait=0`);
    expect([200, 202]).toContain(res.status);
    const runId = res.body.runId;
    const handle = stack.client.workflow.getHandle(runId);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      if (
        pending.some(
          (a) =>
            a.activityType?.name === 'inventoryApply' &&
            a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
        )
      )
        break;
      if (Date.now() > deadline) throw new Error(`inventoryApply of ${runId} did not start within 30 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    expect((await runRow(runId))!.status).toBe('running');
    expect((await mineOf(runId)).some((r) => r.applied)).toBe(false);
    // Shopify finishes the call it was given (after its 6 s): the killed worker never hears the answer.
    let written = await available();
    for (let i = 0; i < 100 && written.some((w, k) => w !== expected[k]! + 3); i++) {
      await new Promise((r) => setTimeout(r, 200));
      written = await available();
    }
    expect(written).toEqual(expected.map((e) => e + 3));
    stack.world.shopify.admin.clearFaults();
    stack.startWorker();
    // Temporal retries the write on the new worker once the heartbeat timeout (1 minute) has passed.
    const run = await finished(runId, 150_000);
    expect(run).toMatchObject({ status: 'completed', raised: 4, applied: 4, notApplied: 0 });
    expected = expected.map((e) => e + 3);
    const after = await levels();
    expect(after.map((l) => l.available)).toEqual(expected);
    expect(after.map((l) => l.on_hand)).toEqual(onHandBefore.map((o) => o + 3));
    // The retry sent the same call under the same idempotency key: Shopify replayed its first answer.
    expect(setCalls().length - calls).toBe(2);
    expect(groupsOf(runId)).toHaveLength(1);
    expect((await mineOf(runId)).map((r) => [r.applied, r.after])).toEqual(expected.map((e) => [true, e]));
  }, 200_000);
});
