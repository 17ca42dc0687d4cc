/**
 * The sales-sync activities against both emulators through the real clients and a real database,
 * called directly (the workflows that orchestrate them are tested in test/workflows and test/e2e):
 * a backfill books every bookable order exactly once to the cent, a second run changes nothing,
 * an edited order updates its document, a lost response is adopted rather than duplicated, and a
 * document QBO rejects parks only that order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Activities, SyncCounts } from '../../activities/types';
import type { Database } from '../../db/client';
import { ledgerEntries, stores } from '../../db/schema';
import type { QboClient } from '../../integrations/qbo/client';
import { pgliteDatabase } from '../support/db';
import { insertConnectedStore, qboReader, startWorld, testCipher, usSettings, worldActivities, type SyncWorld } from '../support/sync-fixture';
import { readBooks } from '../support/books';
import type { Settings } from '../../domain/settings';

const cipher = testCipher();
let db: Database;
let world: SyncWorld;
let acts: Activities;
let qbo: QboClient;

async function runSync(trigger: 'scheduled' | 'manual' = 'manual', n = 1): Promise<SyncCounts> {
  const plan = await acts.syncRunBegin({ storeId: world.storeId, shopDomain: world.shopDomain, trigger, workflowId: `test-run-${n}-${Date.now()}` });
  expect(plan.blocked).toBeUndefined();
  const total: SyncCounts = { fetched: 0, synced: 0, unchanged: 0, parked: 0, skipped: 0, failed: 0 };
  const add = (c: SyncCounts) => { for (const k of Object.keys(total) as (keyof SyncCounts)[]) total[k] += c[k]; };
  if (plan.mode === 'bulk') {
    const { bulkId } = await acts.shopifyStartOrdersBulk({ storeId: world.storeId, windowFrom: plan.windowFrom, windowTo: plan.windowTo });
    let hasResult = false;
    for (let i = 0; i < 400; i++) {
      try { ({ hasResult } = await acts.shopifyAwaitBulk({ storeId: world.storeId, bulkId })); break; } catch (err) {
        if ((err as Error).name !== 'BulkNotReadyError') throw err;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    for (let offset = 0, done = !hasResult; !done;) {
      const chunk = await acts.syncOrdersFromBulk({ storeId: world.storeId, runId: plan.runId, bulkId, offset, windowFrom: plan.windowFrom, windowTo: plan.windowTo });
      add(chunk);
      ({ nextOffset: offset, done } = chunk);
    }
  } else {
    let after: string | null = null;
    for (let more = true; more;) {
      const page = await acts.syncOrdersPage({ storeId: world.storeId, runId: plan.runId, windowFrom: plan.windowFrom, windowTo: plan.windowTo, after });
      add(page);
      ({ hasNextPage: more, endCursor: after } = page);
    }
  }
  add(await acts.syncRetryParked({ storeId: world.storeId, runId: plan.runId, before: new Date().toISOString() }));
  await acts.syncRunFinish({ storeId: world.storeId, runId: plan.runId, trigger, windowFrom: plan.windowFrom, windowTo: plan.windowTo, advanceCursor: plan.advanceCursor, counts: total, startedAt: new Date().toISOString() });
  return total;
}

beforeAll(async () => {
  db = await pgliteDatabase();
  world = await startWorld({ seed: 11, orders: 120, days: 20 });
  await insertConnectedStore(db.db, cipher, world);
  acts = worldActivities(world, db.db, cipher);
  qbo = qboReader(world, db.db);
});

afterAll(async () => {
  await world?.close();
  await db?.close();
});

describe('sales sync activities', () => {
  it('backfills every bookable order exactly once, to the cent', async () => {
    const counts = await runSync('scheduled');
    const rows = await db.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, world.storeId));
    const books = await readBooks(qbo, world.shopify, world.shopDomain);
    expect(counts.failed).toBe(0);
    expect(books.duplicates).toEqual([]);
    expect(books.mismatches).toEqual([]);
    const synced = rows.filter((r) => r.role === 'sale' && r.status === 'synced');
    expect(synced.length).toBeGreaterThan(60);
    expect(books.documentsByOrder.size).toBe(synced.length + rows.filter((r) => r.role === 'sale' && r.status === 'voided').length + rows.filter((r) => r.role === 'sale' && r.status === 'parked' && r.qboId).length);
    // Every order is accounted for: a document, or a reason.
    expect(new Set(rows.filter((r) => r.role === 'sale').map((r) => r.sourceKey)).size).toBe(books.shopifyOrders.length);
    for (const r of rows.filter((x) => x.status !== 'synced')) expect(r.reason, `${r.sourceName} ${r.status}`).toBeTruthy();
    expect(books.trialBalance.debits).toBe(books.trialBalance.credits);
    expect(books.trialBalance.debits).toBeGreaterThan(0);
  });

  it('re-examining the whole history (resync) changes nothing in QBO', async () => {
    const before = await readBooks(qbo, world.shopify, world.shopDomain);
    const plan = await acts.syncRunBegin({ storeId: world.storeId, shopDomain: world.shopDomain, trigger: 'resync', window: { from: '2000-01-01T00:00:00Z' }, workflowId: 'resync-1' });
    expect(plan).toMatchObject({ mode: 'bulk', advanceCursor: false });
    const { bulkId } = await acts.shopifyStartOrdersBulk({ storeId: world.storeId, windowFrom: plan.windowFrom, windowTo: plan.windowTo });
    let hasResult = false;
    for (let i = 0; i < 400 && !hasResult; i++) {
      try { ({ hasResult } = await acts.shopifyAwaitBulk({ storeId: world.storeId, bulkId })); } catch { await new Promise((r) => setTimeout(r, 25)); }
    }
    const chunk = await acts.syncOrdersFromBulk({ storeId: world.storeId, runId: plan.runId, bulkId, offset: 0, windowFrom: plan.windowFrom, windowTo: plan.windowTo });
    expect(chunk).toMatchObject({ fetched: 120, synced: 0, unchanged: 118, skipped: 2, parked: 0, failed: 0, done: true });
    const after = await readBooks(qbo, world.shopify, world.shopDomain);
    expect([...after.documentsByOrder.values()].flat().map((d) => `${d.Id}:${d.SyncToken}`).sort())
      .toEqual([...before.documentsByOrder.values()].flat().map((d) => `${d.Id}:${d.SyncToken}`).sort());
  });

  it('an order edited after it was synced updates its QBO document, never adds a second one', async () => {
    const [row] = await db.db.select().from(ledgerEntries).where(eq(ledgerEntries.status, 'synced')).limit(1);
    const order = world.shopify.admin.getOrder(world.shopDomain, row!.sourceKey.replace(/^order:/, ''));
    const edited = { ...order, updatedAt: undefined, shippingAddress: { ...(order.shippingAddress ?? {}), address1: '9 Edited Way', city: 'Editville', countryCodeV2: 'US', provinceCode: 'CA', zip: '94105' } };
    world.shopify.admin.upsertOrders(world.shopDomain, [edited]);
    const counts = await runSync('manual', 2);
    expect(counts).toMatchObject({ synced: 1, failed: 0, parked: 0 });
    const doc = await qbo.read(row!.qboType!, row!.qboId!);
    expect(doc.ShipAddr).toMatchObject({ Line1: '9 Edited Way', City: 'Editville' });
    expect(Number(doc.SyncToken)).toBeGreaterThan(Number(row!.qboSyncToken));
    const books = await readBooks(qbo, world.shopify, world.shopDomain);
    expect(books.duplicates).toEqual([]);
    expect(books.mismatches).toEqual([]);
  });
});

describe('sales sync activities under faults', () => {
  let w2: SyncWorld;
  let db2: Database;
  let acts2: Activities;
  let qbo2: QboClient;

  beforeAll(async () => {
    db2 = await pgliteDatabase();
    w2 = await startWorld({ seed: 23, orders: 60, days: 10 });
    await insertConnectedStore(db2.db, cipher, w2);
    acts2 = worldActivities(w2, db2.db, cipher);
    qbo2 = qboReader(w2, db2.db);
  });
  afterAll(async () => {
    await w2?.close();
    await db2?.close();
  });

  it('a batch QBO committed but never answered is adopted on retry, not created twice', async () => {
    world = w2; acts = acts2; // runSync works on the current world
    w2.qbo.admin.setFaults([{ match: 'batch', commitThenDrop: true, times: 3 }]);
    let failures = 0;
    for (let attempt = 0; attempt < 6; attempt++) {
      try {
        await runSync('scheduled', 10 + attempt);
        break;
      } catch (err) {
        expect((err as Error).name).toBe('TransientUpstreamError');
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
    w2.qbo.admin.clearFaults();
    const rows = await db2.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, w2.storeId));
    const books = await readBooks(qbo2, w2.shopify, w2.shopDomain);
    expect(books.duplicates).toEqual([]);
    expect(books.mismatches).toEqual([]);
    expect(rows.filter((r) => r.status === 'pending')).toEqual([]);
    expect(books.documentsByOrder.size).toBe(rows.filter((r) => r.status === 'synced').length);
    // Items were created once each, though the batches that created them went unanswered.
    const items = await qbo2.query('Item');
    const names = items.map((i) => String(i.Name).toLowerCase());
    expect(names.length).toBe(new Set(names).size);
    const skus = items.map((i) => String(i.Sku ?? '')).filter(Boolean);
    expect(skus.length).toBe(new Set(skus).size);
  });

  it('a document QBO rejects parks only its order with QBO\'s message, and is booked once the cause is fixed', async () => {
    world = w2; acts = acts2;
    // The next new order is paid through a gateway mapped to an account QBO does not have.
    const template = w2.generated.orders.find((o) => o.displayFinancialStatus === 'PAID' && !o.test && (o.transactions as unknown[]).length === 1)!;
    const gateway = String((template.transactions as Array<{ gateway: string }>)[0]!.gateway);
    const [store] = await db2.db.select().from(stores).where(eq(stores.id, w2.storeId));
    const settings = { ...store!.settings, gateways: { [gateway]: { depositAccountId: '999999' } } } as Settings;
    await db2.db.update(stores).set({ settings }).where(eq(stores.id, w2.storeId));
    const edited = { ...template, updatedAt: undefined, note: 'touched' };
    world.shopify.admin.upsertOrders(w2.shopDomain, [edited]);
    // An already-synced order whose document now fails to update: parked with QBO's reason, document kept.
    const counts = await runSync('manual', 20);
    expect(counts.parked).toBeGreaterThanOrEqual(1);
    const [parked] = await db2.db.select().from(ledgerEntries).where(eq(ledgerEntries.sourceKey, `order:${template.id}`));
    expect(parked).toMatchObject({ status: 'parked', reasonCode: 'qbo_validation' });
    expect(parked!.reason).toMatch(/999999|Invalid Reference/);
    expect(parked!.qboId).toBeTruthy();
    // Fix the mapping: the next run's parked retry books it (an update of the same document).
    await db2.db.update(stores).set({ settings: store!.settings }).where(eq(stores.id, w2.storeId));
    await runSync('manual', 21);
    const [fixed] = await db2.db.select().from(ledgerEntries).where(eq(ledgerEntries.sourceKey, `order:${template.id}`));
    expect(fixed).toMatchObject({ status: 'synced', qboId: parked!.qboId });
    const books = await readBooks(qbo2, w2.shopify, w2.shopDomain);
    expect(books.duplicates).toEqual([]);
  });
});

describe('sales sync activities: per-customer, name matching, missing items flagged', () => {
  let w3: SyncWorld;
  let db3: Database;

  beforeAll(async () => {
    db3 = await pgliteDatabase();
    w3 = await startWorld({ seed: 31, orders: 40, days: 10 });
    await insertConnectedStore(db3.db, cipher, w3, usSettings({ customers: 'per_customer', productMatch: 'name', missingItems: 'flag' }));
    world = w3;
    acts = worldActivities(w3, db3.db, cipher);
    qbo = qboReader(w3, db3.db);
  });
  afterAll(async () => {
    await w3?.close();
    await db3?.close();
  });

  it('parks orders whose products have no QBO item with what is missing, then books them once the items exist', async () => {
    const first = await runSync('scheduled', 30);
    // Orders of products the company already has an item for (by name), or with no product line, go through.
    expect(first.parked).toBeGreaterThan(30);
    const parked = await db3.db.select().from(ledgerEntries).where(eq(ledgerEntries.status, 'parked'));
    expect(parked.length).toBeGreaterThan(30);
    for (const r of parked) {
      expect(r.reasonCode).toBe('needs_mapping');
      expect(r.reason).toMatch(/^Needs mapping: item name "/);
    }
    // A bookkeeper creates the items under the product names (as the reasons say), then the next run books the orders.
    const names = new Set(parked.flatMap((r) => [...r.reason!.matchAll(/item name "([^"]+)"/g)].map((m) => m[1]!)));
    for (const [i, Name] of [...names].entries()) {
      await qbo.create('Item', { Name, Type: 'NonInventory', IncomeAccountRef: { value: '13' } }, { requestId: `bookkeeper-item-${i}` });
    }
    await runSync('manual', 31);
    const rows = await db3.db.select().from(ledgerEntries).where(eq(ledgerEntries.role, 'sale'));
    expect(rows.filter((r) => r.status === "parked").map((r) => `${r.sourceName}: ${r.reason}`)).toEqual([]);
    const books = await readBooks(qbo, w3.shopify, w3.shopDomain);
    expect(books.duplicates).toEqual([]);
    expect(books.mismatches).toEqual([]);
    expect(books.documentsByOrder.size).toBe(rows.filter((r) => r.status === 'synced').length);
    // One QBO customer per Shopify customer email, each document on its buyer's customer.
    const customers = await qbo.query('Customer');
    const emails = customers.map((c) => String((c.PrimaryEmailAddr as { Address?: string } | undefined)?.Address ?? '').toLowerCase()).filter(Boolean);
    expect(emails.length).toBe(new Set(emails).size);
    const byId = new Map(customers.map((c) => [String(c.Id), c]));
    for (const order of books.shopifyOrders) {
      const doc = books.documentsByOrder.get(order.id)?.[0];
      const email = (order.customer?.email ?? order.email ?? '').toLowerCase();
      if (!doc || !email) continue;
      expect(String((byId.get(String(doc.CustomerRef.value))?.PrimaryEmailAddr as { Address?: string } | undefined)?.Address ?? '').toLowerCase()).toBe(email);
    }
  });
});

