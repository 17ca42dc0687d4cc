/**
 * The sales-sync engine end to end within one process: the real syncRunWorkflow on the time-skipping
 * Temporal server drives the real activities against both emulators (through the real clients) and a
 * real database (PGlite). Each test builds its own shop, company and database and runs its own syncs,
 * so every test stands alone and in any order: a backfill books every bookable order exactly once to
 * the cent, a resync changes nothing, an edit updates its document, a batch QBO committed but never
 * answered is adopted when Temporal retries the activity, and a document QBO rejects parks only its
 * order until the cause is fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ledgerEntries, stores } from '../../db/schema';
import type { Settings } from '../../domain/settings';
import { readBooks } from '../support/books';
import { usSettings, type WorldOptions } from '../support/sync-fixture';
import { withSyncShop, type SyncShop } from '../support/sync-shop';
import { timeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

type Shop = SyncShop;

/** Runs `body` with a shop of its own (test/support/sync-shop.ts), closed afterwards whatever happens. */
const withShop = <T>(opts: WorldOptions, body: (shop: Shop) => Promise<T>, settings?: Settings): Promise<T> =>
  withSyncShop(env, opts, body, settings);

const docVersions = (books: Awaited<ReturnType<typeof readBooks>>) =>
  [...books.documentsByOrder.values()]
    .flat()
    .map((d) => `${d.Id}:${d.SyncToken}`)
    .sort();

describe('sales sync engine', () => {
  it('backfills every bookable order exactly once, to the cent', () =>
    withShop({ seed: 11, orders: 120, days: 20 }, async (shop) => {
      const summary = await shop.sync('scheduled');
      const rows = await shop.rows();
      const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(summary.failed).toBe(0);
      expect(summary.fetched).toBe(120);
      expect(books.duplicates).toEqual([]);
      expect(books.mismatches).toEqual([]);
      const sales = rows.filter((r) => r.role === 'sale');
      const synced = sales.filter((r) => r.status === 'synced');
      expect(synced.length).toBeGreaterThan(60);
      expect(books.documentsByOrder.size).toBe(
        synced.length + sales.filter((r) => r.status === 'voided').length + sales.filter((r) => r.status === 'parked' && r.qboId).length,
      );
      // Every order is accounted for: a document, or a reason.
      expect(new Set(sales.map((r) => r.sourceKey)).size).toBe(books.shopifyOrders.length);
      for (const r of rows.filter((x) => x.status !== 'synced')) expect(r.reason, `${r.sourceName} ${r.status}`).toBeTruthy();
      expect(books.trialBalance.debits).toBe(books.trialBalance.credits);
      expect(books.trialBalance.debits).toBeGreaterThan(0);
      // No booked sale waits in QBO's print queue (QBO files a form sent without PrintStatus as "NeedToPrint").
      const printQueue = [...books.documentsByOrder.values()].flat().filter((d) => d.PrintStatus !== 'NotSet');
      expect(printQueue.map((d) => `${d._type} ${d.Id} ${d.PrintStatus}`)).toEqual([]);
      // The cursor moved to the run's window end.
      const [store] = await shop.db.db.select().from(stores).where(eq(stores.id, shop.world.storeId));
      expect(store!.cursorUpdatedAt?.toISOString()).toBe(summary.windowTo);
    }));

  it('re-examining the whole history (resync) changes nothing in QBO and leaves the cursor alone', () =>
    withShop({ seed: 12, orders: 60, days: 10 }, async (shop) => {
      const first = await shop.sync('scheduled');
      const before = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      const [storeBefore] = await shop.db.db.select().from(stores).where(eq(stores.id, shop.world.storeId));
      const resync = await shop.sync('resync', { from: '2000-01-01T00:00:00Z' });
      expect(resync).toMatchObject({ fetched: 60, synced: 0, parked: 0, failed: 0 });
      // Refunds are booked in the same runs (and counted with them); a resync re-reads none that is settled.
      const salesSynced = (await shop.rows()).filter((r) => r.role === 'sale' && r.status === 'synced').length;
      expect(first.synced).toBeGreaterThanOrEqual(salesSynced);
      expect(resync.unchanged).toBe(salesSynced);
      expect(resync.unchanged + resync.skipped).toBe(60);
      const after = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(docVersions(after)).toEqual(docVersions(before));
      const [storeAfter] = await shop.db.db.select().from(stores).where(eq(stores.id, shop.world.storeId));
      expect(storeAfter!.cursorUpdatedAt).toEqual(storeBefore!.cursorUpdatedAt);
    }));

  it('an order edited after it was synced updates its QBO document, never adds a second one', () =>
    withShop({ seed: 13, orders: 40, days: 10 }, async (shop) => {
      await shop.sync('scheduled');
      const row = (await shop.rows()).find((r) => r.role === 'sale' && r.status === 'synced')!;
      const order = shop.world.shopify.admin.getOrder(shop.world.shopDomain, row.sourceKey.replace(/^order:/, ''));
      const edited = {
        ...order,
        updatedAt: undefined,
        shippingAddress: {
          ...(order.shippingAddress ?? {}),
          address1: '9 Edited Way',
          city: 'Editville',
          countryCodeV2: 'US',
          provinceCode: 'CA',
          zip: '94105',
        },
      };
      shop.world.shopify.admin.upsertOrders(shop.world.shopDomain, [edited]);
      const summary = await shop.sync('manual');
      expect(summary).toMatchObject({ synced: 1, failed: 0, parked: 0 });
      const doc = await shop.qbo.read(row.qboType!, row.qboId!);
      expect(doc.ShipAddr).toMatchObject({ Line1: '9 Edited Way', City: 'Editville' });
      expect(Number(doc.SyncToken)).toBeGreaterThan(Number(row.qboSyncToken));
      const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(books.duplicates).toEqual([]);
      expect(books.mismatches).toEqual([]);
    }));
});

describe('sales sync engine under faults', () => {
  it('a batch QBO committed but never answered is adopted when Temporal retries the activity, not created twice', () =>
    withShop({ seed: 23, orders: 60, days: 10 }, async (shop) => {
      shop.world.qbo.admin.setFaults([{ match: 'batch', commitThenDrop: true, times: 3 }]);
      const summary = await shop.sync('scheduled');
      expect(summary.failed).toBe(0);
      // The workflow's retry policy did the retrying: some activity ran more than one attempt.
      const history = await env.client.workflow.getHandle(shop.runs[0]!).fetchHistory();
      const attempts = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
      expect(Math.max(...attempts)).toBeGreaterThan(1);
      const rows = await shop.rows();
      const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(books.duplicates).toEqual([]);
      expect(books.mismatches).toEqual([]);
      expect(rows.filter((r) => r.status === 'pending')).toEqual([]);
      expect(books.documentsByOrder.size).toBe(rows.filter((r) => r.role === 'sale' && r.status === 'synced').length);
      // Items were created once each, though the batches that created them went unanswered.
      const items = await shop.qbo.query('Item');
      const names = items.map((i) => String(i.Name).toLowerCase());
      expect(names.length).toBe(new Set(names).size);
      const skus = items.map((i) => String(i.Sku ?? '')).filter(Boolean);
      expect(skus.length).toBe(new Set(skus).size);
    }));

  it("a document QBO rejects parks only its order with QBO's message, and is booked once the cause is fixed", () =>
    withShop({ seed: 24, orders: 60, days: 10 }, async (shop) => {
      const { world, db } = shop;
      await shop.sync('scheduled');
      // A booked paid order whose gateway is then mapped to an account QBO does not have.
      const template = world.generated.orders.find(
        (o) => o.displayFinancialStatus === 'PAID' && !o.test && (o.transactions as unknown[]).length === 1,
      )!;
      const gateway = String((template.transactions as Array<{ gateway: string }>)[0]!.gateway);
      const [store] = await db.db.select().from(stores).where(eq(stores.id, world.storeId));
      const settings = { ...store!.settings, gateways: { [gateway]: { depositAccountId: '999999' } } } as Settings;
      await db.db.update(stores).set({ settings }).where(eq(stores.id, world.storeId));
      world.shopify.admin.upsertOrders(world.shopDomain, [{ ...template, updatedAt: undefined, note: 'touched' }]);
      // The update QBO refuses parks that order with QBO's reason; its document stays booked.
      const rejected = await shop.sync('manual');
      expect(rejected.parked).toBeGreaterThanOrEqual(1);
      expect(rejected.failed).toBe(0);
      const [parked] = await db.db
        .select()
        .from(ledgerEntries)
        .where(eq(ledgerEntries.sourceKey, `order:${template.id}`));
      expect(parked).toMatchObject({ status: 'parked', reasonCode: 'qbo_validation' });
      expect(parked!.reason).toMatch(/999999|Invalid Reference/);
      expect(parked!.qboId).toBeTruthy();
      // Fix the mapping: the next run's parked retry books it (an update of the same document).
      await db.db.update(stores).set({ settings: store!.settings }).where(eq(stores.id, world.storeId));
      await shop.sync('manual');
      const [fixed] = await db.db
        .select()
        .from(ledgerEntries)
        .where(eq(ledgerEntries.sourceKey, `order:${template.id}`));
      expect(fixed).toMatchObject({ status: 'synced', qboId: parked!.qboId });
      const books = await readBooks(shop.qbo, world.shopify, world.shopDomain);
      expect(books.duplicates).toEqual([]);
    }));
});

describe('sales sync engine: per-customer, name matching, missing items flagged', () => {
  it('parks orders whose products have no QBO item with what is missing, then books them once the items exist', () =>
    withShop(
      { seed: 31, orders: 40, days: 10 },
      async (shop) => {
        const first = await shop.sync('scheduled');
        // Orders of products the company already has an item for (by name), or with no product line, go through.
        expect(first.parked).toBeGreaterThan(30);
        const parked = (await shop.rows()).filter((r) => r.role === 'sale' && r.status === 'parked');
        expect(parked.length).toBeGreaterThan(30);
        for (const r of parked) {
          expect(r.reasonCode).toBe('needs_mapping');
          expect(r.reason).toMatch(/^Needs mapping: item name "/);
        }
        // A bookkeeper creates the items under the product names (as the reasons say), then the next run books the orders.
        const names = new Set(parked.flatMap((r) => [...r.reason!.matchAll(/item name "([^"]+)"/g)].map((m) => m[1]!)));
        for (const [i, Name] of [...names].entries()) {
          await shop.qbo.create(
            'Item',
            { Name, Type: 'NonInventory', IncomeAccountRef: { value: '13' } },
            { requestId: `bookkeeper-item-${i}` },
          );
        }
        await shop.sync('manual');
        const rows = (await shop.rows()).filter((r) => r.role === 'sale');
        expect(rows.filter((r) => r.status === 'parked').map((r) => `${r.sourceName}: ${r.reason}`)).toEqual([]);
        const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
        expect(books.duplicates).toEqual([]);
        expect(books.mismatches).toEqual([]);
        expect(books.documentsByOrder.size).toBe(rows.filter((r) => r.status === 'synced').length);
        // One QBO customer per Shopify customer email, each document on its buyer's customer.
        const customers = await shop.qbo.query('Customer');
        const emails = customers
          .map((c) => String((c.PrimaryEmailAddr as { Address?: string } | undefined)?.Address ?? '').toLowerCase())
          .filter(Boolean);
        expect(emails.length).toBe(new Set(emails).size);
        const byId = new Map(customers.map((c) => [String(c.Id), c]));
        for (const order of books.shopifyOrders) {
          const doc = books.documentsByOrder.get(order.id)?.[0];
          const email = (order.customer?.email ?? order.email ?? '').toLowerCase();
          if (!doc || !email) continue;
          expect(
            String(
              (byId.get(String(doc.CustomerRef.value))?.PrimaryEmailAddr as { Address?: string } | undefined)?.Address ?? '',
            ).toLowerCase(),
          ).toBe(email);
        }
      },
      usSettings({ customers: 'per_customer', productMatch: 'name', missingItems: 'flag' }),
    ));
});
