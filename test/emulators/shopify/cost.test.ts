// Calculated query cost, the 1000-point limit and the per-shop leaky bucket (docs/shopify-facts.md §1).
import { afterEach, describe, expect, it } from 'vitest';
import type { ShopifyEmulator } from '../../../emulators/shopify';
import { MAX_PAGE_QUERY_COST, ORDER_PAGE_LIMITS } from '../../../domain/shopify/limits';
import { ORDERS_UPDATED_SINCE } from '../../../integrations/shopify/queries/orders';
import { miniOrder } from './fixtures';
import { clientFor, errorsOf, SHOP, sharedQuery, startEmulator, TOKEN } from './helpers';

let emu: ShopifyEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

let nowMs = Date.parse('2026-11-01T00:00:00Z');
const clock = (): Date => new Date(nowMs);
const orders = (n: number) => Array.from({ length: n }, (_, i) => miniOrder(i + 1, { createdAt: '2026-10-01T00:00:00Z' }));
// shop 1 + orders: 2 + 10 × (node 1 + MoneyBag 1 + MoneyV2 1) = 33
const QUERY = '{ shop { id } orders(first: 10) { nodes { id totalPriceSet { shopMoney { amount } } } } }';

describe('query cost', () => {
  it('reports requested and actual cost and charges only what was returned', async () => {
    emu = await startEmulator({ clock });
    emu.admin.upsertOrders(SHOP, orders(3));
    const res: any = await clientFor(emu).request(QUERY);
    expect(errorsOf(res)).toEqual([]);
    expect(res.extensions.cost).toEqual({
      requestedQueryCost: 33,
      actualQueryCost: 1 + 2 + 3 * 3,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2000 - 12, restoreRate: 100 },
    });
  });

  it('charges a mutation 10 points', async () => {
    emu = await startEmulator({ clock });
    const res: any = await clientFor(emu).request(
      'mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: { uri: "https://example.com/hook" }) { userErrors { message } } }',
    );
    expect(res.extensions.cost.requestedQueryCost).toBe(10);
    expect(res.extensions.cost.actualQueryCost).toBe(10);
  });

  it('refuses a single query over 1000 points with MAX_COST_EXCEEDED and charges nothing', async () => {
    emu = await startEmulator({ clock });
    const res: any = await clientFor(emu).request(
      '{ orders(first: 250) { nodes { id totalPriceSet { shopMoney { amount } presentmentMoney { amount } } } } }',
    );
    expect(res.data).toBeUndefined();
    expect(errorsOf(res)[0]).toMatch(/^Query cost is 1002, which exceeds the single query max cost limit \(1000\)/);
    expect(res.errors.graphQLErrors[0].extensions).toEqual({ code: 'MAX_COST_EXCEEDED', cost: 1002, maxCost: 1000 });
    expect(res.extensions.cost).toMatchObject({
      requestedQueryCost: 1002,
      actualQueryCost: null,
      throttleStatus: { currentlyAvailable: 2000 },
    });
  });

  it('flags that the shared orders and inventory queries cost more than 1000 points as written', async () => {
    emu = await startEmulator({ clock });
    const client = clientFor(emu);
    const ordersRes: any = await client.request(sharedQuery('orders.graphql'), { variables: { first: 1, query: 'status:any' } });
    expect(ordersRes.errors.graphQLErrors[0].extensions.code).toBe('MAX_COST_EXCEEDED');
    expect(ordersRes.extensions.cost.requestedQueryCost).toBeGreaterThan(2000);
    const inventoryRes: any = await client.request(sharedQuery('inventory.graphql', 'InventoryBySku'), { variables: { query: 'sku:X' } });
    expect(inventoryRes.errors.graphQLErrors[0].extensions.code).toBe('MAX_COST_EXCEEDED');
  });

  it("prices Ledgerline's hourly orders page at no more than 800 points, 20 % under the cap", async () => {
    emu = await startEmulator({ clock });
    const res: any = await clientFor(emu).request(ORDERS_UPDATED_SINCE, { variables: { query: 'status:any' } });
    expect(errorsOf(res)).toEqual([]);
    expect(res.data.orders.nodes).toEqual([]);
    expect(res.extensions.cost.requestedQueryCost).toBeGreaterThan(0);
    expect(res.extensions.cost.requestedQueryCost).toBeLessThanOrEqual(MAX_PAGE_QUERY_COST);
    expect(ORDER_PAGE_LIMITS.orders).toBe(2);
  });

  it('throttles a burst once the bucket is empty, with no data, then serves again after restoring', async () => {
    emu = await startEmulator({ clock, shops: [{ domain: SHOP, accessToken: TOKEN, maximumAvailable: 100, restoreRate: 10 }] });
    emu.admin.upsertOrders(SHOP, orders(10));
    const client = clientFor(emu);
    const available: number[] = [];
    for (let i = 0; i < 3; i++) {
      const ok: any = await client.request(QUERY);
      expect(errorsOf(ok)).toEqual([]);
      available.push(ok.extensions.cost.throttleStatus.currentlyAvailable);
    }
    expect(available).toEqual([67, 34, 1]);
    const throttled: any = await client.request(QUERY);
    expect(throttled.errors.networkStatusCode).toBe(200);
    expect(throttled.errors.graphQLErrors).toEqual([
      { message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } },
    ]);
    expect(throttled.data).toBeUndefined();
    expect(throttled.extensions.cost).toEqual({
      requestedQueryCost: 33,
      actualQueryCost: null,
      throttleStatus: { maximumAvailable: 100, currentlyAvailable: 1, restoreRate: 10 },
    });
    // (33 − 1) / 10 = 3.2 s to wait, as a client would compute it.
    nowMs += 3200;
    const again: any = await client.request(QUERY);
    expect(errorsOf(again)).toEqual([]);
    expect(again.extensions.cost.throttleStatus.currentlyAvailable).toBe(0);
    expect(emu.admin.requests(SHOP).map((r) => r.throttled)).toEqual([false, false, false, true, false]);
  });

  it('never throttles when throttling is off', async () => {
    emu = await startEmulator({
      clock,
      throttling: false,
      shops: [{ domain: SHOP, accessToken: TOKEN, maximumAvailable: 10, restoreRate: 1 }],
    });
    for (let i = 0; i < 3; i++) {
      const res: any = await clientFor(emu).request(QUERY);
      expect(errorsOf(res)).toEqual([]);
    }
  });
});
