// Every example query in test/fixtures/shopify-queries runs against the emulator over generated data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopifyEmulator } from '../../../emulators/shopify';
import type { GeneratedShop } from '../../../emulators/scenario';
import { clientFor, errorsOf, seedFolder, sharedQuery, startEmulator, waitFor } from './helpers';

let emu: ShopifyEmulator;
let generated: GeneratedShop;

beforeAll(async () => {
  const seed = seedFolder();
  generated = seed.shop;
  // orders.graphql and inventory.graphql request more than Shopify's 1000-point limit (see the cost
  // test below); the limit is raised here only to check that every field they select resolves.
  emu = await startEmulator({ seedDir: seed.dir, maxQueryCost: Number.POSITIVE_INFINITY, throttling: false });
});
afterAll(async () => {
  await emu.close();
});

describe('shared example queries', () => {
  it('pages through OrdersUpdatedSince and returns every order updated since the date', async () => {
    const client = clientFor(emu);
    const since = '2026-09-20T00:00:00Z';
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: any = await client.request(sharedQuery('orders.graphql'), {
        variables: { first: 25, after, query: `updated_at:>='${since}'` },
      });
      expect(errorsOf(res)).toEqual([]);
      seen.push(...res.data.orders.nodes.map((o: any) => o.id));
      if (!res.data.orders.pageInfo.hasNextPage) break;
      after = res.data.orders.pageInfo.endCursor;
    }
    const expected = generated.orders.filter((o) => o.updatedAt >= since).map((o) => o.id);
    expect(seen.sort()).toEqual(expected.sort());
  });

  it('runs Payouts and PayoutBalanceTransactions, and a payout net equals the sum of its transactions', async () => {
    const client = clientFor(emu);
    const payouts: any = await client.request(sharedQuery('payouts.graphql', 'Payouts'), {
      variables: { first: 50, query: 'issued_at:>=2026-09-01' },
    });
    expect(errorsOf(payouts)).toEqual([]);
    const first = payouts.data.shopifyPaymentsAccount.payouts.nodes[0];
    expect(first).toBeDefined();
    const txs: any = await client.request(sharedQuery('payouts.graphql', 'PayoutBalanceTransactions'), {
      variables: { first: 100, query: `payments_transfer_id:${first.legacyResourceId}` },
    });
    expect(errorsOf(txs)).toEqual([]);
    const nodes = txs.data.shopifyPaymentsAccount.balanceTransactions.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    // Σ net of the contents, without the payout's own TRANSFER row (which is −net: the payout leaving the balance).
    const contents = nodes.filter((t: any) => t.type !== 'TRANSFER');
    const cents = contents.reduce((s: number, t: any) => s + Math.round(Number(t.net.amount) * 100), 0);
    expect(cents).toBe(Math.round(Number(first.net.amount) * 100));
    expect(nodes.filter((t: any) => t.type === 'TRANSFER').map((t: any) => t.net.amount)).toEqual([`-${first.net.amount}`]);
  });

  it('runs InventoryBySku for a seeded variant', async () => {
    const sku = generated.products[0]!.variants.nodes.find((v: any) => v.sku).sku;
    const res: any = await clientFor(emu).request(sharedQuery('inventory.graphql', 'InventoryBySku'), {
      variables: { query: `sku:${sku}` },
    });
    expect(errorsOf(res)).toEqual([]);
    expect(res.data.productVariants.nodes.map((n: any) => n.sku)).toEqual([sku]);
    const names = res.data.productVariants.nodes[0].inventoryItem.inventoryLevels.nodes[0].quantities.map((q: any) => q.name);
    expect(names).toEqual(['available', 'on_hand', 'committed', 'incoming']);
  });

  it('runs SetOnHand and AdjustAvailable under 2026-01, where @idempotent is still optional', async () => {
    const variant = generated.products[1]!.variants.nodes[0];
    const item = variant.inventoryItem;
    const level = item.inventoryLevels.nodes[0];
    const client = clientFor(emu, undefined, '2026-01');
    const onHand = level.quantities.find((q: any) => q.name === 'on_hand').quantity;
    const set: any = await client.request(sharedQuery('inventory.graphql', 'SetOnHand'), {
      variables: {
        input: {
          name: 'on_hand',
          reason: 'correction',
          quantities: [{ inventoryItemId: item.id, locationId: level.location.id, quantity: onHand + 5, changeFromQuantity: onHand }],
        },
      },
    });
    expect(errorsOf(set)).toEqual([]);
    expect(set.data.inventorySetQuantities.userErrors).toEqual([]);
    const adjust: any = await client.request(sharedQuery('inventory.graphql', 'AdjustAvailable'), {
      variables: {
        input: {
          name: 'available',
          reason: 'correction',
          changes: [{ inventoryItemId: item.id, locationId: level.location.id, delta: -2, changeFromQuantity: null }],
        },
      },
    });
    expect(errorsOf(adjust)).toEqual([]);
    expect(adjust.data.inventoryAdjustQuantities.inventoryAdjustmentGroup.changes.map((c: any) => c.delta)).toEqual([-2, -2]);
  });

  it('runs SetOnHandIdem with an idempotency key under 2026-10', async () => {
    const item = generated.products[2]!.variants.nodes[0].inventoryItem;
    const level = item.inventoryLevels.nodes[0];
    const res: any = await clientFor(emu).request(sharedQuery('inventory_idem.graphql'), {
      variables: {
        key: 'queries-test-1',
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [{ inventoryItemId: item.id, locationId: level.location.id, quantity: 3, changeFromQuantity: null }],
        },
      },
    });
    expect(errorsOf(res)).toEqual([]);
    expect(res.data.inventorySetQuantities.inventoryAdjustmentGroup.changes[0]).toMatchObject({
      name: 'available',
      quantityAfterChange: 3,
    });
  });

  it('runs StartBulk with bulk_inner, then BulkStatus and CurrentBulk until COMPLETED', async () => {
    const client = clientFor(emu);
    const start: any = await client.request(sharedQuery('bulk.graphql', 'StartBulk'), {
      variables: { query: sharedQuery('bulk_inner.graphql') },
    });
    expect(errorsOf(start)).toEqual([]);
    expect(start.data.bulkOperationRunQuery.userErrors).toEqual([]);
    const id = start.data.bulkOperationRunQuery.bulkOperation.id;
    const done: any = await waitFor(async () => {
      const r: any = await client.request(sharedQuery('bulk.graphql', 'BulkStatus'), { variables: { id } });
      expect(errorsOf(r)).toEqual([]);
      return r.data.bulkOperation.status === 'COMPLETED' ? r.data.bulkOperation : undefined;
    });
    expect(Number(done.rootObjectCount)).toBe(generated.orders.length);
    const current: any = await client.request(sharedQuery('bulk.graphql', 'CurrentBulk'));
    expect(errorsOf(current)).toEqual([]);
    expect(current.data.currentBulkOperation).toMatchObject({ id, status: 'COMPLETED', url: done.url });
  });
});
