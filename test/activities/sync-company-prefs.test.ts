/**
 * Company preferences that change what QBO does with what Ledgerline sends (issue #12 items 4 and 5), through the
 * real syncRunWorkflow and activities against both emulators and a real database: discounts off, sales tax off
 * (found at a run's start, then turned back on) and a US company without automated sales tax.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Database } from '../../db/client';
import { ledgerEntries } from '../../db/schema';
import type { Settings } from '../../domain/settings';
import type { QboClient } from '../../integrations/qbo/client';
import type { SyncRunSummary } from '../../workflows/definitions';
import { syncRunWorkflow } from '../../workflows/sync-run';
import { readBooks } from '../support/books';
import { pgliteDatabase } from '../support/db';
import {
  insertConnectedStore,
  qboReader,
  startWorld,
  testCipher,
  usSettings,
  worldActivities,
  type SyncWorld,
  type WorldOptions,
} from '../support/sync-fixture';
import { timeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

const cipher = testCipher();
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

interface Shop {
  world: SyncWorld;
  db: Database;
  qbo: QboClient;
  sync(): Promise<SyncRunSummary>;
  rows(): Promise<Array<typeof ledgerEntries.$inferSelect>>;
}

async function withShop(opts: WorldOptions, settings: Settings, body: (shop: Shop) => Promise<void>): Promise<void> {
  const db = await pgliteDatabase();
  const world = await startWorld(opts);
  try {
    await insertConnectedStore(db.db, cipher, world, settings);
    const activities = worldActivities(world, db.db, cipher);
    let runs = 0;
    const shop: Shop = {
      world,
      db,
      qbo: qboReader(world, db.db),
      async sync() {
        const taskQueue = uniqueTaskQueue('sync-prefs');
        const workflowId = `store:${world.shopDomain}:sync:${runs++}`;
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
            args: [{ storeId: world.storeId, shopDomain: world.shopDomain, trigger: 'manual' }],
          }),
        );
      },
      rows: () => db.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, world.storeId)),
    };
    await body(shop);
  } finally {
    await world.close();
    await db.close();
  }
}

const taxed = (o: { totalTaxSet?: unknown }) =>
  Number((o.totalTaxSet as { shopMoney?: { amount?: string } } | null)?.shopMoney?.amount ?? 0) !== 0;

describe('company preferences met by a sync run', () => {
  it('books every order of a company with discounts off after its discounts, with no discount line, to the cent', () =>
    withShop({ seed: 41, orders: 40, days: 10 }, usSettings(), async (shop) => {
      shop.world.qbo.admin.setPreferences(shop.world.realmId, { SalesFormsPrefs: { AllowDiscount: false } });
      const summary = await shop.sync();
      expect(summary.failed).toBe(0);
      const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(books.mismatches).toEqual([]);
      const docs = [...books.documentsByOrder.values()].flat();
      expect(docs.flatMap((d) => (d.Line as Array<{ DetailType: string }>).filter((l) => l.DetailType === 'DiscountLineDetail'))).toEqual(
        [],
      );
      const discounted = docs.filter((d) =>
        (d.Line as Array<{ Description?: string }>).some((l) => / discount\)$/.test(l.Description ?? '')),
      );
      expect(discounted.length).toBeGreaterThan(0);
      const parked = (await shop.rows()).filter((r) => r.role === 'sale' && r.status === 'parked');
      expect(parked.map((r) => `${r.sourceName}: ${r.reason}`)).toEqual([]);
    }));

  it('parks taxed orders while the company has sales tax off, books none without its tax, and books them once it is on', () =>
    withShop({ seed: 42, orders: 40, days: 10 }, usSettings(), async (shop) => {
      shop.world.qbo.admin.setPreferences(shop.world.realmId, { TaxPrefs: { UsingSalesTax: false } });
      await shop.sync();
      let books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(books.mismatches).toEqual([]);
      const rows = (await shop.rows()).filter((r) => r.role === 'sale');
      const taxedIds = new Set(books.shopifyOrders.filter((o) => taxed(o as never)).map((o) => o.id));
      expect(taxedIds.size).toBeGreaterThan(5);
      const parked = rows.filter((r) => r.status === 'parked');
      expect(parked.length).toBeGreaterThan(5);
      for (const r of parked) {
        expect(r.reasonCode).toBe('sales_tax_off');
        expect(r.reason).toMatch(/does not use sales tax/);
        expect(r.qboId).toBeNull();
      }
      for (const id of taxedIds) expect(books.documentsByOrder.has(id)).toBe(false);

      shop.world.qbo.admin.setPreferences(shop.world.realmId, { TaxPrefs: { UsingSalesTax: true } });
      await shop.sync();
      books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(books.mismatches).toEqual([]);
      expect(books.duplicates).toEqual([]);
      const after = (await shop.rows()).filter((r) => r.role === 'sale');
      expect(after.filter((r) => r.reasonCode === 'sales_tax_off')).toEqual([]);
      for (const r of parked) expect(after.find((x) => x.sourceKey === r.sourceKey)?.status).toBe('synced');
    }));

  it('writes nothing while the company has custom transaction numbers off, and books every order once they are on', () =>
    withShop({ seed: 44, orders: 20, days: 10 }, usSettings(), async (shop) => {
      shop.world.qbo.admin.setPreferences(shop.world.realmId, { SalesFormsPrefs: { CustomTxnNumbers: false } });
      await shop.sync();
      let books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(books.documentsByOrder.size).toBe(0);
      const parked = (await shop.rows()).filter((r) => r.role === 'sale' && r.status === 'parked');
      expect(parked.length).toBeGreaterThan(10);
      for (const r of parked) expect(r.reasonCode).toBe('custom_txn_numbers_off');

      shop.world.qbo.admin.setPreferences(shop.world.realmId, { SalesFormsPrefs: { CustomTxnNumbers: true } });
      await shop.sync();
      books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(books.mismatches).toEqual([]);
      expect(books.duplicates).toEqual([]);
      const after = (await shop.rows()).filter((r) => r.role === 'sale');
      for (const r of parked) expect(after.find((x) => x.sourceKey === r.sourceKey)?.status).toBe('synced');
    }));

  it('books Shopify tax in a US company without automated sales tax with the tax code it applies to', () =>
    withShop({ seed: 43, orders: 30, days: 10 }, usSettings({ taxCodeMap: { codes: [], rates: [], usTaxCodeId: '200' } }), async (shop) => {
      shop.world.qbo.admin.setPreferences(shop.world.realmId, { TaxPrefs: { PartnerTaxEnabled: false } });
      const summary = await shop.sync();
      expect(summary.failed).toBe(0);
      const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(books.mismatches).toEqual([]);
      const rows = (await shop.rows()).filter((r) => r.role === 'sale');
      expect(rows.filter((r) => r.status === 'parked').map((r) => `${r.sourceName}: ${r.reason}`)).toEqual([]);
      const taxedDocs = [...books.documentsByOrder.values()]
        .flat()
        .filter((d) => Number((d.TxnTaxDetail as { TotalTax?: number }).TotalTax) !== 0);
      expect(taxedDocs.length).toBeGreaterThan(5);
      for (const d of taxedDocs) expect((d.TxnTaxDetail as { TxnTaxCodeRef?: { value: string } }).TxnTaxCodeRef?.value).toBe('200');
    }));
});
