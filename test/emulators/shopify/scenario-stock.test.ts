// The generator's stocked catalogue (emulators/scenario/stock.ts, the inventory benchmark): one tracked variant per
// product at the shop's location, a QBO Inventory item of the same SKU for each, the stated share needing a change,
// and the rest of the generated shop unchanged by it. The last test loads it into both emulators and reads it back
// through Shopify's Admin API and QBO's API with the project's clients.
import { afterAll, describe, expect, it } from 'vitest';
import { generateShop } from '../../../emulators/scenario';
import { createShopifyClient } from '../../../integrations/shopify/client';
import { createShopifyPacer } from '../../../integrations/shopify/pacer';
import { INVENTORY_VARIANTS_PAGE } from '../../../integrations/shopify/queries/inventory';
import type { Database } from '../../../db/client';
import { postgresDatabase } from '../../support/db';
import { qboReader, silentLogger, startWorld, type SyncWorld } from '../../support/sync-fixture';

type O = Record<string, any>;
const accounts = { income: '13', expense: '15', asset: '5' };
const base = { seed: 77, orders: 40, start: '2026-10-01', days: 30 };

describe('generateShop({ stock })', () => {
  const shop = generateShop({ ...base, stock: { items: 400, changeShare: 0.25, accounts } });
  const stock = shop.stock!;

  it('adds one tracked, SKU-carrying variant per item, stocked at the catalogue location', () => {
    expect(stock.products).toHaveLength(400);
    expect(shop.products.slice(-400)).toEqual(stock.products);
    const location = shop.products[0]!.variants.nodes[0].inventoryItem.inventoryLevels.nodes[0].location.id;
    const skus = new Set<string>();
    for (const p of stock.products as O[]) {
      expect(p.variants.nodes).toHaveLength(1);
      const v = p.variants.nodes[0];
      expect(v.inventoryItem.tracked).toBe(true);
      expect(v.inventoryItem.sku).toBe(v.sku);
      expect(v.inventoryItem.inventoryLevels.nodes.map((l: O) => l.location.id)).toEqual([location]);
      skus.add(v.sku);
    }
    expect(skus.size).toBe(400);
  });

  it('gives each item a QBO quantity whose target is the recorded one, and the stated share a change', () => {
    let changed = 0;
    stock.products.forEach((p: O, i) => {
      const item = p.variants.nodes[0].inventoryItem;
      const q = Object.fromEntries(item.inventoryLevels.nodes[0].quantities.map((x: O) => [x.name, x.quantity]));
      const qbo = stock.qboItems[i]!;
      expect(qbo).toMatchObject({ Sku: p.variants.nodes[0].sku, Type: 'Inventory', TrackQtyOnHand: true });
      expect(q.on_hand).toBe(q.available + q.damaged);
      const target = Math.max(0, (qbo.QtyOnHand as number) - q.damaged);
      expect(stock.targets.get(item.id)).toBe(target);
      if (target !== q.available) changed++;
    });
    expect(changed).toBe(stock.changed);
    expect(stock.raised + stock.lowered).toBe(stock.changed);
    expect(stock.changed / 400).toBeGreaterThan(0.15);
    expect(stock.changed / 400).toBeLessThan(0.35);
  });

  it('leaves the rest of the shop as it is without stock', () => {
    const plain = generateShop(base);
    expect(shop.orders).toEqual(plain.orders);
    expect(shop.products.slice(0, plain.products.length)).toEqual(plain.products);
    expect(generateShop({ ...base, stock: { items: 400, changeShare: 0.25, accounts } }).stock!.qboItems).toEqual(stock.qboItems);
  });
});

describe('startWorld({ stock })', () => {
  let world: SyncWorld;
  let database: Database;
  afterAll(async () => {
    await world?.close();
    await database?.close();
  });

  it('loads the items into both emulators, where the project clients read them', async () => {
    [world, database] = await Promise.all([startWorld({ seed: 78, orders: 5, days: 5, stock: { items: 200 } }), postgresDatabase()]);
    const stock = world.generated.stock!;
    const qboItems = (await qboReader(world, database.db).query('Item')).filter((i) => String(i.Sku ?? '').startsWith('STK-'));
    expect(qboItems).toHaveLength(200);
    expect(qboItems.every((i) => i.TrackQtyOnHand === true)).toBe(true);

    const shopify = createShopifyClient({
      shopDomain: world.shopDomain,
      accessToken: 'shpat_test',
      apiBaseUrl: world.shopify.url,
      pacer: createShopifyPacer(),
      logger: silentLogger,
    });
    const location = stock.products[0]!.variants.nodes[0].inventoryItem.inventoryLevels.nodes[0].location.id;
    const seen = new Set<string>();
    let after: string | null = null;
    for (;;) {
      const data: O = await shopify.request(INVENTORY_VARIANTS_PAGE, { after, locationId: location });
      for (const v of data.productVariants.nodes)
        if (v.inventoryItem && stock.targets.has(v.inventoryItem.id)) seen.add(v.inventoryItem.id);
      if (!data.productVariants.pageInfo.hasNextPage) break;
      after = data.productVariants.pageInfo.endCursor;
    }
    expect(seen.size).toBe(200);
  });
});
