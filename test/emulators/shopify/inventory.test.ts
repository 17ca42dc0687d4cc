// Inventory compare-and-set (changeFromQuantity) and @idempotent(key:) (docs/shopify-facts.md §2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopifyEmulator } from '../../../emulators/shopify';
import { clientFor, errorsOf, seedFolder, startEmulator } from './helpers';

let emu: ShopifyEmulator;
let itemId: string;
let locationId: string;

const SET = `mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange item { id sku } location { id } } }
    userErrors { field message code }
  }
}`;
const ADJUST = `mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}`;

async function quantities(): Promise<Record<string, number>> {
  const res: any = await clientFor(emu).request(
    `query($id: ID!, $loc: ID!) { inventoryItem(id: $id) { inventoryLevel(locationId: $loc) { quantities(names: ["available", "on_hand"]) { name quantity } } } }`,
    { variables: { id: itemId, loc: locationId } },
  );
  expect(errorsOf(res)).toEqual([]);
  return Object.fromEntries(res.data.inventoryItem.inventoryLevel.quantities.map((q: any) => [q.name, q.quantity]));
}

beforeAll(async () => {
  const seed = seedFolder();
  const item = seed.shop.products[0]!.variants.nodes[0].inventoryItem;
  itemId = item.id;
  locationId = item.inventoryLevels.nodes[0].location.id;
  emu = await startEmulator({ seedDir: seed.dir });
});
afterAll(async () => {
  await emu.close();
});

describe('inventory mutations', () => {
  it('sets a quantity when changeFromQuantity matches, moving on_hand with available', async () => {
    const before = await quantities();
    const res: any = await clientFor(emu).request(SET, {
      variables: {
        key: 'set-1',
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [{ inventoryItemId: itemId, locationId, quantity: before.available! + 4, changeFromQuantity: before.available }],
        },
      },
    });
    expect(errorsOf(res)).toEqual([]);
    expect(res.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(res.data.inventorySetQuantities.inventoryAdjustmentGroup.changes.map((c: any) => [c.name, c.delta])).toEqual([
      ['available', 4],
      ['on_hand', 4],
    ]);
    expect(res.data.inventorySetQuantities.inventoryAdjustmentGroup.changes[0].item.id).toBe(itemId);
    expect(await quantities()).toEqual({ available: before.available! + 4, on_hand: before.on_hand! + 4 });
  });

  it('refuses a stale changeFromQuantity with CHANGE_FROM_QUANTITY_STALE and changes nothing', async () => {
    const before = await quantities();
    const res: any = await clientFor(emu).request(SET, {
      variables: {
        key: 'set-stale',
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [{ inventoryItemId: itemId, locationId, quantity: 0, changeFromQuantity: before.available! - 1 }],
        },
      },
    });
    expect(res.data.inventorySetQuantities.inventoryAdjustmentGroup).toBeNull();
    expect(res.data.inventorySetQuantities.userErrors).toMatchObject([
      { code: 'CHANGE_FROM_QUANTITY_STALE', field: ['input', 'quantities', '0', 'changeFromQuantity'] },
    ]);
    expect(await quantities()).toEqual(before);
  });

  it('applies an idempotent adjustment once and replays the first result for the same key', async () => {
    const before = await quantities();
    const input = {
      name: 'available',
      reason: 'correction',
      changes: [{ inventoryItemId: itemId, locationId, delta: 5, changeFromQuantity: before.available }],
    };
    const first: any = await clientFor(emu).request(ADJUST, { variables: { key: 'adjust-once', input } });
    const replay: any = await clientFor(emu).request(ADJUST, { variables: { key: 'adjust-once', input } });
    expect(errorsOf(first)).toEqual([]);
    expect(replay.data).toEqual(first.data);
    expect(await quantities()).toEqual({ available: before.available! + 5, on_hand: before.on_hand! + 5 });
    const other: any = await clientFor(emu).request(ADJUST, {
      variables: { key: 'adjust-once', input: { ...input, changes: [{ ...input.changes[0], delta: 6 }] } },
    });
    expect(other.data.inventoryAdjustQuantities.userErrors).toMatchObject([{ code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH' }]);
  });

  it('requires the @idempotent directive in 2026-10 and an explicit changeFromQuantity', async () => {
    const noKey: any = await clientFor(emu).request(
      'mutation($input: InventoryAdjustQuantitiesInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code } } }',
      {
        variables: {
          input: {
            name: 'available',
            reason: 'correction',
            changes: [{ inventoryItemId: itemId, locationId, delta: 1, changeFromQuantity: null }],
          },
        },
      },
    );
    expect(errorsOf(noKey)[0]).toMatch(/@idempotent directive is required/);
    const noCompare: any = await clientFor(emu).request(ADJUST, {
      variables: {
        key: 'no-compare',
        input: { name: 'available', reason: 'correction', changes: [{ inventoryItemId: itemId, locationId, delta: 1 }] },
      },
    });
    expect(errorsOf(noCompare)[0]).toMatch(/changeFromQuantity is mandatory/);
  });
});
