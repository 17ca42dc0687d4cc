// inventorySetQuantities under 2026-10's rules, through the real Admin API client (docs/inventory.md "Shopify facts").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopifyEmulator } from '../../../emulators/shopify';
import { clientFor, errorsOf, seedFolder, startEmulator } from './helpers';

let emu: ShopifyEmulator;
let itemA: string;
let itemB: string;
let locationId: string;

const SET = `mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason referenceDocumentUri changes { name delta quantityAfterChange item { id } } }
    userErrors { field message code }
  }
}`;
const ADJUST = `mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) { userErrors { code } }
}`;
const NAMES = ['available', 'on_hand', 'committed', 'unavailable'];

type Levels = Record<string, number>;

async function levels(item: string): Promise<Levels> {
  const res: any = await clientFor(emu).request(
    `query($id: ID!, $loc: ID!, $names: [String!]!) {
      inventoryItem(id: $id) { inventoryLevel(locationId: $loc) { quantities(names: $names) { name quantity } } }
    }`,
    { variables: { id: item, loc: locationId, names: NAMES } },
  );
  expect(errorsOf(res)).toEqual([]);
  return Object.fromEntries(res.data.inventoryItem.inventoryLevel.quantities.map((q: any) => [q.name, q.quantity]));
}

async function set(key: string, input: Record<string, unknown>): Promise<any> {
  const res: any = await clientFor(emu).request(SET, { variables: { key, input: { reason: 'correction', ...input } } });
  expect(errorsOf(res)).toEqual([]);
  return res.data.inventorySetQuantities;
}

const available = (item: string, quantity: number, changeFromQuantity: number | null) => ({
  inventoryItemId: item,
  locationId,
  quantity,
  changeFromQuantity,
});

beforeAll(async () => {
  const seed = seedFolder();
  const tracked = seed.shop.products.flatMap((p: any) => p.variants.nodes).filter((v: any) => v.inventoryItem?.tracked);
  itemA = tracked[0].inventoryItem.id;
  itemB = tracked[1].inventoryItem.id;
  locationId = tracked[0].inventoryItem.inventoryLevels.nodes[0].location.id;
  emu = await startEmulator({ seedDir: seed.dir });
});
afterAll(async () => {
  await emu.close();
});

describe('inventorySetQuantities (2026-10)', () => {
  it('reads available, on_hand, committed and unavailable consistently, with set-aside units counted as unavailable', async () => {
    const before = await levels(itemA);
    const damaged: any = await clientFor(emu).request(ADJUST, {
      variables: {
        key: 'damage-3',
        input: {
          name: 'damaged',
          reason: 'damaged',
          changes: [{ inventoryItemId: itemA, locationId, delta: 3, changeFromQuantity: null }],
        },
      },
    });
    expect(damaged.data.inventoryAdjustQuantities.userErrors).toEqual([]);
    const after = await levels(itemA);
    expect(after).toEqual({ ...before, unavailable: before.unavailable! + 3, on_hand: before.on_hand! + 3 });
    expect(after.on_hand).toBe(after.available! + after.committed! + after.unavailable!);
  });

  it('sets available when changeFromQuantity matches, moves on_hand with it, and keeps the referenceDocumentUri', async () => {
    const before = await levels(itemA);
    const uri = 'gid://ledgerline/InventoryRun/run-1';
    const out = await set('run-1:a', {
      name: 'available',
      referenceDocumentUri: uri,
      quantities: [available(itemA, 12, before.available!)],
    });
    expect(out.userErrors).toEqual([]);
    expect(out.inventoryAdjustmentGroup).toMatchObject({ reason: 'correction', referenceDocumentUri: uri });
    expect(out.inventoryAdjustmentGroup.changes.map((c: any) => [c.name, c.delta, c.quantityAfterChange])).toEqual([
      ['available', 12 - before.available!, 12],
      ['on_hand', 12 - before.available!, before.on_hand! + 12 - before.available!],
    ]);
    expect(await levels(itemA)).toEqual({ ...before, available: 12, on_hand: before.on_hand! + 12 - before.available! });
    const stored: any = await clientFor(emu).request(
      `query($id: ID!) { node(id: $id) { ... on InventoryAdjustmentGroup { id referenceDocumentUri } } }`,
      { variables: { id: out.inventoryAdjustmentGroup.id } },
    );
    expect(stored.data.node).toEqual({ id: out.inventoryAdjustmentGroup.id, referenceDocumentUri: uri });
  });

  it('sets on_hand, moving available by the same amount', async () => {
    const before = await levels(itemB);
    const out = await set('onhand-b', { name: 'on_hand', quantities: [available(itemB, before.on_hand! + 5, before.on_hand!)] });
    expect(out.userErrors).toEqual([]);
    expect(await levels(itemB)).toEqual({ ...before, on_hand: before.on_hand! + 5, available: before.available! + 5 });
  });

  it('refuses a stale changeFromQuantity with CHANGE_FROM_QUANTITY_STALE and applies no entry of the request', async () => {
    const a = await levels(itemA);
    const b = await levels(itemB);
    const out = await set('stale-1', {
      name: 'available',
      quantities: [available(itemB, b.available! + 1, b.available!), available(itemA, 0, a.available! + 7)],
    });
    expect(out.inventoryAdjustmentGroup).toBeNull();
    expect(out.userErrors).toEqual([
      {
        field: ['input', 'quantities', '1', 'changeFromQuantity'],
        message: `The quantity is ${a.available}, not the expected changeFromQuantity ${a.available! + 7}.`,
        code: 'CHANGE_FROM_QUANTITY_STALE',
      },
    ]);
    expect(await levels(itemA)).toEqual(a);
    expect(await levels(itemB)).toEqual(b);
  });

  it('applies an explicit null changeFromQuantity without comparing, and rejects an omitted one', async () => {
    const out = await set('null-compare', { name: 'available', quantities: [available(itemB, 40, null)] });
    expect(out.userErrors).toEqual([]);
    expect((await levels(itemB)).available).toBe(40);
    const omitted: any = await clientFor(emu).request(SET, {
      variables: {
        key: 'omitted-compare',
        input: { name: 'available', reason: 'correction', quantities: [{ inventoryItemId: itemB, locationId, quantity: 41 }] },
      },
    });
    expect(errorsOf(omitted)[0]).toMatch(/changeFromQuantity is mandatory/);
    expect((await levels(itemB)).available).toBe(40);
  });

  it('applies a request once per idempotency key: the same input replays the first result, another input is refused', async () => {
    const before = await levels(itemA);
    const input = { name: 'available', quantities: [available(itemA, before.available! + 2, before.available!)] };
    const first = await set('once-1', input);
    const replay = await set('once-1', input);
    expect(first.userErrors).toEqual([]);
    expect(replay).toEqual(first);
    expect((await levels(itemA)).available).toBe(before.available! + 2);
    const other = await set('once-1', { name: 'available', quantities: [available(itemA, 1, before.available! + 2)] });
    expect(other).toEqual({
      inventoryAdjustmentGroup: null,
      userErrors: [
        {
          field: ['input'],
          message: 'The idempotency key was already used with different parameters.',
          code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
        },
      ],
    });
    expect((await levels(itemA)).available).toBe(before.available! + 2);
  });

  it('requires the @idempotent directive', async () => {
    const res: any = await clientFor(emu).request(
      'mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { code } } }',
      { variables: { input: { name: 'available', reason: 'correction', quantities: [available(itemA, 1, null)] } } },
    );
    expect(errorsOf(res)[0]).toMatch(/@idempotent directive is required/);
  });

  it.each([
    [
      'a negative quantity',
      { name: 'available', quantities: [available('A', -1, null)] },
      ['input', 'quantities', '0', 'quantity'],
      'INVALID_QUANTITY_NEGATIVE',
    ],
    [
      'a quantity above 1,000,000,000',
      { name: 'available', quantities: [available('A', 1_000_000_001, null)] },
      ['input', 'quantities', '0', 'quantity'],
      'INVALID_QUANTITY_TOO_HIGH',
    ],
    [
      'the same item and location twice',
      { name: 'available', quantities: [available('A', 1, null), available('A', 2, null)] },
      ['input', 'quantities', '1'],
      'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR',
    ],
    [
      'a name other than available or on_hand',
      { name: 'committed', quantities: [available('A', 1, null)] },
      ['input', 'name'],
      'INVALID_NAME',
    ],
    [
      'a reference document that is not a URI',
      { name: 'available', referenceDocumentUri: 'run 1', quantities: [available('A', 1, null)] },
      ['input', 'referenceDocumentUri'],
      'INVALID_REFERENCE_DOCUMENT',
    ],
    [
      'a gid reference document without an id',
      { name: 'available', referenceDocumentUri: 'gid://ledgerline/InventoryRun', quantities: [available('A', 1, null)] },
      ['input', 'referenceDocumentUri'],
      'INVALID_REFERENCE_DOCUMENT',
    ],
  ])('refuses %s and changes nothing', async (what, raw, field, code) => {
    const input = { ...raw, quantities: raw.quantities.map((q) => ({ ...q, inventoryItemId: itemA, locationId })) };
    const before = await levels(itemA);
    const out = await set(`refuse ${what}`, input);
    expect(out.inventoryAdjustmentGroup).toBeNull();
    expect(out.userErrors).toMatchObject([{ field, code }]);
    expect(await levels(itemA)).toEqual(before);
  });
});
