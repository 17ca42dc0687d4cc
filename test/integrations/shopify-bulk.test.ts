import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifyEmulator, type ShopifyEmulator } from '../../emulators/shopify';
import { generateShop } from '../../emulators/scenario';
import { type BulkOperation } from '../../integrations/shopify/bulk';
import { createShopifyClient, type ShopifyClient } from '../../integrations/shopify/client';
import { createShopifyPacer } from '../../integrations/shopify/pacer';
import { ordersBulkQuery } from '../../integrations/shopify/queries/orders';
import { logger, sleep } from './helpers';

const SHOP = 'bulk.myshopify.com';
const TOKEN = 'shpat_bulk';

type Row = Record<string, any>;

let emulator: ShopifyEmulator;
let shopify: ShopifyClient;
let stored: Row[];

async function completed(id: string): Promise<BulkOperation> {
  for (let i = 0; i < 200; i++) {
    const op = await shopify.bulkStatus(id);
    if (op?.status === 'COMPLETED') return op;
    if (op && op.status !== 'CREATED' && op.status !== 'RUNNING') throw new Error(`bulk operation ended ${op.status} ${op.errorCode}`);
    await sleep(25);
  }
  throw new Error('bulk operation did not complete');
}

async function collect(gen: AsyncGenerator<Row>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const row of gen) out.push(row);
  return out;
}

beforeAll(async () => {
  emulator = await startShopifyEmulator({ shops: [{ domain: SHOP, accessToken: TOKEN }] });
  const generated = generateShop({ seed: 7, orders: 12, start: '2026-09-01', days: 20, domain: SHOP });
  stored = emulator.admin.upsertOrders(SHOP, generated.orders);
  shopify = createShopifyClient({ shopDomain: SHOP, accessToken: TOKEN, apiBaseUrl: emulator.url, pacer: createShopifyPacer(), logger });
});

afterAll(async () => {
  await emulator.close();
});

describe('Shopify bulk reads', () => {
  it('reassembles every order with its line items, shipping lines and discount applications as connections', async () => {
    const query = ordersBulkQuery("updated_at:>='2026-01-01T00:00:00Z'");
    const started = await shopify.startBulkQuery(query);
    const op = await completed(started.id);
    expect(op.rootObjectCount).toBe(stored.length);

    const orders = await collect(shopify.readBulkJsonl<Row>(op.url!, { query: op.query }));
    const byId = new Map(stored.map((o) => [o.id as string, o]));
    expect(orders.map((o) => o.id).sort()).toEqual([...byId.keys()].sort());
    for (const order of orders) {
      const original = byId.get(order.id)!;
      expect(order).not.toHaveProperty('__parentId');
      expect(order.lineItems.nodes.map((l: Row) => l.id)).toEqual(original.lineItems.nodes.map((l: Row) => l.id));
      expect(order.lineItems.nodes[0]).not.toHaveProperty('__parentId');
      expect(order.shippingLines.nodes.map((l: Row) => l.id)).toEqual(original.shippingLines.nodes.map((l: Row) => l.id));
      // Discount applications have no id: only the inner query can place them.
      expect(order.discountApplications.nodes.map((d: Row) => d.index)).toEqual(
        original.discountApplications.nodes.map((d: Row) => d.index),
      );
      expect(order.totalPriceSet.shopMoney).toEqual(original.totalPriceSet.shopMoney);
    }
    expect(orders.some((o) => o.discountApplications.nodes.length > 0)).toBe(true);
  });

  it('resumes from an offset and stops after a limit of whole orders', async () => {
    const query = ordersBulkQuery("updated_at:>='2026-01-01T00:00:00Z'");
    const op = await completed((await shopify.startBulkQuery(query)).id);
    const all = await collect(shopify.readBulkJsonl<Row>(op.url!, { query }));
    const slice = await collect(shopify.readBulkJsonl<Row>(op.url!, { query, offset: 4, limit: 3 }));
    expect(slice.map((o) => o.id)).toEqual(all.slice(4, 7).map((o) => o.id));
    expect(slice.map((o) => o.lineItems.nodes.length)).toEqual(all.slice(4, 7).map((o) => o.lineItems.nodes.length));
  });

  it('places child rows by their gid type when no query is given', async () => {
    const query = '{ orders { edges { node { id name lineItems { edges { node { id sku quantity } } } } } } }';
    const op = await completed((await shopify.startBulkQuery(query)).id);
    const orders = await collect(shopify.readBulkJsonl<Row>(op.url!));
    const first = stored.find((o) => o.id === orders[0]!.id)!;
    expect(orders).toHaveLength(stored.length);
    expect(orders[0]!.lineItems.nodes).toEqual(first.lineItems.nodes.map((l: Row) => ({ id: l.id, sku: l.sku, quantity: l.quantity })));
  });

  it('reports a bulk query Shopify refuses as a non-retryable error', async () => {
    await expect(shopify.startBulkQuery('{ shop { name } }')).rejects.toMatchObject({ name: 'ShopifyRequestError', retryable: false });
  });
});
