// Fault injection: reproducible 5xx and 429, latency, and commit-then-drop (docs/shopify-facts.md §3 retries).
import { afterEach, describe, expect, it } from 'vitest';
import type { ShopifyEmulator } from '../../../emulators/shopify';
import { clientFor, errorsOf, seedFolder, startEmulator } from './helpers';

let emu: ShopifyEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const ORDERS = '{ orders(first: 1) { nodes { id } } }';

async function statuses(e: ShopifyEmulator, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${e.url}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': 'shpat_alpha' },
      body: JSON.stringify({ query: ORDERS }),
    });
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

describe('fault injection', () => {
  it('fails only the matching operation with a 5xx', async () => {
    emu = await startEmulator({ faults: [{ match: 'orders', rate5xx: 1 }] });
    const failed: any = await clientFor(emu).request(ORDERS);
    expect(failed.errors.networkStatusCode).toBe(500);
    const shop: any = await clientFor(emu).request('{ shop { id } }');
    expect(errorsOf(shop)).toEqual([]);
  });

  it('answers 429 with Retry-After, set and cleared over the admin API', async () => {
    emu = await startEmulator();
    const set = await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ match: '*', rate429: 1, retryAfterSeconds: 2 }),
    });
    expect(set.status).toBe(201);
    const raw = await fetch(`${emu.url}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': 'shpat_alpha' },
      body: JSON.stringify({ query: ORDERS }),
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('2');
    await raw.arrayBuffer();
    expect((await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' })).status).toBe(200);
    expect(errorsOf(await clientFor(emu).request(ORDERS))).toEqual([]);
  });

  it('draws faults from a seeded PRNG, so the same seed gives the same failures', async () => {
    const faults = [{ match: 'orders', rate5xx: 0.5 }];
    emu = await startEmulator({ faults, seed: 42 });
    const first = await statuses(emu, 12);
    await emu.close();
    emu = await startEmulator({ faults, seed: 42 });
    expect(await statuses(emu, 12)).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
  });

  it('delays a response by latencyMs', async () => {
    emu = await startEmulator({ faults: [{ match: 'orders', latencyMs: 150 }] });
    const t = Date.now();
    expect(errorsOf(await clientFor(emu).request(ORDERS))).toEqual([]);
    expect(Date.now() - t).toBeGreaterThanOrEqual(150);
  });

  it('commit-then-drop applies the mutation although the client only sees a failure', async () => {
    const seed = seedFolder({ orders: 5 });
    const item = seed.shop.products[0]!.variants.nodes[0].inventoryItem;
    const locationId = item.inventoryLevels.nodes[0].location.id;
    emu = await startEmulator({ seedDir: seed.dir, faults: [{ match: 'inventoryAdjustQuantities', commitThenDrop: true }] });
    const client = clientFor(emu);
    const read = async (): Promise<number> => {
      const r: any = await client.request(
        'query($id: ID!, $l: ID!) { inventoryItem(id: $id) { inventoryLevel(locationId: $l) { quantities(names: ["available"]) { quantity } } } }',
        { variables: { id: item.id, l: locationId } },
      );
      return r.data.inventoryItem.inventoryLevel.quantities[0].quantity;
    };
    const before = await read();
    const res: any = await client.request(
      'mutation($input: InventoryAdjustQuantitiesInput!) { inventoryAdjustQuantities(input: $input) @idempotent(key: "drop-1") { userErrors { code } } }',
      {
        variables: {
          input: {
            name: 'available',
            reason: 'correction',
            changes: [{ inventoryItemId: item.id, locationId, delta: 3, changeFromQuantity: before }],
          },
        },
      },
    );
    expect(res.data).toBeUndefined();
    expect(res.errors).toBeDefined();
    expect(await read()).toBe(before + 3);
    expect(emu.admin.requests().some((r) => r.fault === 'drop' && r.rootFields.includes('inventoryAdjustQuantities'))).toBe(true);
  });
});
