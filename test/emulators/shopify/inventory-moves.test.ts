// Stock that moves with orders (docs/inventory.md "The Shopify emulator"): placing commits units, fulfilling ships
// them, cancelling and restocking refunds give them back. Orders go in through the emulator's admin HTTP API (as a
// test or the demo would place them); quantities are read back through the real Admin API client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopifyEmulator } from '../../../emulators/shopify';
import { moneyBag } from '../../../emulators/shopify/money';
import { miniOrder } from './fixtures';
import { SHOP, adminPost, clientFor, errorsOf, startEmulator } from './helpers';

let emu: ShopifyEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

const STORED = ['available', 'on_hand', 'committed', 'incoming', 'reserved', 'damaged', 'safety_stock', 'quality_control'];
const WAREHOUSE = { id: 'gid://shopify/Location/501', legacyResourceId: '501', name: 'Warehouse', isActive: true };
const SHOPFRONT = { id: 'gid://shopify/Location/502', legacyResourceId: '502', name: 'Shopfront', isActive: true };

let nextId = 9000;
const id = (type: string): string => `gid://shopify/${type}/${++nextId}`;

interface Stock {
  available: number;
  committed?: number;
  damaged?: number;
}
interface Sku {
  variant: string;
  item: string;
}

/** One product with one variant stocked at the given locations (available + committed + damaged = on_hand). */
function addProduct(opts: { tracked?: boolean; policy?: 'DENY' | 'CONTINUE' | null; stock: [typeof WAREHOUSE, Stock][] }): Sku {
  const variant = id('ProductVariant');
  const item = id('InventoryItem');
  const levels = opts.stock.map(([location, s]) => {
    const values: Record<string, number> = {
      available: s.available,
      committed: s.committed ?? 0,
      damaged: s.damaged ?? 0,
      on_hand: s.available + (s.committed ?? 0) + (s.damaged ?? 0),
    };
    return {
      id: id('InventoryLevel'),
      location,
      quantities: STORED.map((name) => ({
        id: id('InventoryQuantity'),
        name,
        quantity: values[name] ?? 0,
        updatedAt: '2026-11-01T00:00:00Z',
      })),
      updatedAt: '2026-11-01T00:00:00Z',
    };
  });
  emu.admin.addProducts(SHOP, [
    {
      id: id('Product'),
      title: `Tee ${nextId}`,
      variants: {
        nodes: [
          {
            id: variant,
            sku: `TEE-${nextId}`,
            title: 'Default Title',
            ...(opts.policy === null ? {} : { inventoryPolicy: opts.policy ?? 'CONTINUE' }),
            inventoryItem: { id: item, sku: `TEE-${nextId}`, tracked: opts.tracked ?? true, inventoryLevels: { nodes: levels } },
          },
        ],
      },
    },
  ]);
  return { variant, item };
}

/** An order for `quantity` of a variant at 10.00 each; paid by a manual SALE unless `unpaid`. */
function order(sku: Sku, quantity: number, extra: Record<string, unknown> = {}, unpaid = false) {
  const n = ++nextId;
  const cents = 1000 * quantity;
  return {
    ...miniOrder(n, { createdAt: '2026-11-02T10:00:00Z', total: cents, status: unpaid ? 'PENDING' : 'PAID' }),
    displayFulfillmentStatus: 'UNFULFILLED',
    totalRefundedSet: moneyBag(0, 'USD'),
    lineItems: {
      nodes: [
        {
          id: `gid://shopify/LineItem/${n}`,
          name: 'Tee',
          title: 'Tee',
          quantity,
          currentQuantity: quantity,
          refundableQuantity: quantity,
          requiresShipping: true,
          taxable: false,
          isGiftCard: false,
          variant: { id: sku.variant },
          originalUnitPriceSet: moneyBag(1000, 'USD'),
          discountedUnitPriceAfterAllDiscountsSet: moneyBag(1000, 'USD'),
          totalDiscountSet: moneyBag(0, 'USD'),
          taxLines: [],
        },
      ],
    },
    transactions: unpaid
      ? []
      : [
          {
            id: id('OrderTransaction'),
            kind: 'SALE',
            status: 'SUCCESS',
            gateway: 'manual',
            processedAt: '2026-11-02T10:00:00Z',
            amountSet: moneyBag(cents, 'USD'),
            parentTransaction: null,
            fees: [],
          },
        ],
    ...extra,
  };
}

type Levels = { available: number; on_hand: number; committed: number; unavailable: number };

async function levels(sku: Sku, location = WAREHOUSE): Promise<Levels> {
  const res: any = await clientFor(emu).request(
    `query($id: ID!, $loc: ID!) {
      inventoryItem(id: $id) { inventoryLevel(locationId: $loc) { quantities(names: ["available", "on_hand", "committed", "unavailable"]) { name quantity } } }
    }`,
    { variables: { id: sku.item, loc: location.id } },
  );
  expect(errorsOf(res)).toEqual([]);
  const q = Object.fromEntries(res.data.inventoryItem.inventoryLevel.quantities.map((x: any) => [x.name, x.quantity])) as Levels;
  // Shopify's identity, after every move.
  expect(q.on_hand).toBe(q.available + q.committed + q.unavailable);
  return q;
}

async function place(o: ReturnType<typeof order>): Promise<void> {
  const res = await adminPost(emu, `/_emulator/shops/${SHOP}/orders`, o);
  expect(res.json).toEqual({ ok: true, result: [o.id] });
}

const orderPath = (o: { id: string }, action: string) => `/_emulator/shops/${SHOP}/orders/${encodeURIComponent(o.id)}/${action}`;

describe('placing an order', () => {
  it.each([
    {
      name: 'a tracked variant: available → committed',
      tracked: true,
      fulfilled: false,
      move: { available: -3, committed: 3, on_hand: 0 },
    },
    {
      name: 'an order placed already fulfilled: out of available and on_hand',
      tracked: true,
      fulfilled: true,
      move: { available: -3, committed: 0, on_hand: -3 },
    },
    { name: 'an untracked variant: nothing', tracked: false, fulfilled: false, move: { available: 0, committed: 0, on_hand: 0 } },
  ])('$name', async ({ tracked, fulfilled, move }) => {
    const sku = addProduct({ tracked, stock: [[WAREHOUSE, { available: 10, committed: 1, damaged: 2 }]] });
    const before = await levels(sku);
    await place(order(sku, 3, fulfilled ? { displayFulfillmentStatus: 'FULFILLED' } : {}));
    expect(await levels(sku)).toEqual({
      available: before.available + move.available,
      committed: before.committed + move.committed,
      on_hand: before.on_hand + move.on_hand,
      unavailable: 2,
    });
  });

  it.each([
    { policy: 'CONTINUE' as const, ordered: 5, refused: false },
    { policy: null, ordered: 5, refused: false },
    { policy: 'DENY' as const, ordered: 4, refused: false },
    { policy: 'DENY' as const, ordered: 5, refused: true },
  ])('with inventoryPolicy $policy and 4 available, $ordered ordered: refused $refused', async ({ policy, ordered, refused }) => {
    const sku = addProduct({ policy, stock: [[WAREHOUSE, { available: 4 }]] });
    const o = order(sku, ordered);
    const res = await adminPost(emu, `/_emulator/shops/${SHOP}/orders`, o);
    if (refused) {
      expect(res.status).toBe(409);
      expect(res.json.error).toContain('DENY');
      expect((await fetch(`${emu.url}${orderPath(o, '').slice(0, -1)}`)).status).toBe(404);
      expect(await levels(sku)).toEqual({ available: 4, committed: 0, on_hand: 4, unavailable: 0 });
    } else {
      expect(res.status).toBe(201);
      expect(await levels(sku)).toEqual({ available: 4 - ordered, committed: ordered, on_hand: 4, unavailable: 0 });
    }
  });

  it('refuses the whole request when one of its orders would oversell a DENY variant', async () => {
    const sku = addProduct({ policy: 'DENY', stock: [[WAREHOUSE, { available: 5 }]] });
    const first = order(sku, 3);
    const second = order(sku, 3);
    const res = await adminPost(emu, `/_emulator/shops/${SHOP}/orders`, [first, second]);
    expect(res.status).toBe(409);
    expect(await levels(sku)).toEqual({ available: 5, committed: 0, on_hand: 5, unavailable: 0 });
    expect(() => emu.admin.getOrder(SHOP, first.id)).toThrow(/not found/);
  });

  it.each([
    { name: 'the order’s retailLocation', extra: { retailLocation: { id: SHOPFRONT.id } }, from: SHOPFRONT, qty: 2 },
    { name: 'the first location with enough available', extra: {}, from: SHOPFRONT, qty: 5 },
    { name: 'the first location when it has enough', extra: {}, from: WAREHOUSE, qty: 1 },
  ])('takes the units from $name', async ({ extra, from, qty }) => {
    const sku = addProduct({
      stock: [
        [WAREHOUSE, { available: 1 }],
        [SHOPFRONT, { available: 10 }],
      ],
    });
    await place(order(sku, qty, extra));
    const other = from === WAREHOUSE ? SHOPFRONT : WAREHOUSE;
    const start = from === WAREHOUSE ? 1 : 10;
    expect(await levels(sku, from)).toMatchObject({ available: start - qty, committed: qty });
    expect(await levels(sku, other)).toMatchObject({ committed: 0, available: other === WAREHOUSE ? 1 : 10 });
  });

  it('replacing a stored order moves no stock', async () => {
    const sku = addProduct({ stock: [[WAREHOUSE, { available: 10 }]] });
    const o = order(sku, 2);
    await place(o);
    await place({ ...o, note: 'corrected', lineItems: { nodes: [{ ...o.lineItems.nodes[0]!, quantity: 7, currentQuantity: 7 }] } } as any);
    expect(await levels(sku)).toEqual({ available: 8, committed: 2, on_hand: 10, unavailable: 0 });
  });
});

describe('after an order is placed (3 units from 10 available)', () => {
  interface Case {
    name: string;
    unpaid?: boolean;
    steps: { path: string; body?: unknown; status?: number }[];
    after: Omit<Levels, 'unavailable'>;
    fulfilment?: string;
  }
  const line = (o: { lineItems: { nodes: { id: string }[] } }) => o.lineItems.nodes[0]!.id;
  const cases: ((o: ReturnType<typeof order>) => Case)[] = [
    () => ({
      name: 'fulfilling all: out of committed and on_hand',
      steps: [{ path: 'fulfil' }],
      after: { available: 7, committed: 0, on_hand: 7 },
      fulfilment: 'FULFILLED',
    }),
    (o) => ({
      name: 'fulfilling 1 of 3',
      steps: [{ path: 'fulfil', body: { lineItems: [{ lineItemId: line(o), quantity: 1 }] } }],
      after: { available: 7, committed: 2, on_hand: 9 },
      fulfilment: 'PARTIALLY_FULFILLED',
    }),
    () => ({
      name: 'fulfilling twice: the second is refused',
      steps: [{ path: 'fulfil' }, { path: 'fulfil', status: 409 }],
      after: { available: 7, committed: 0, on_hand: 7 },
      fulfilment: 'FULFILLED',
    }),
    (o) => ({
      name: 'fulfilling more than is unfulfilled is refused',
      steps: [{ path: 'fulfil', body: { lineItems: [{ lineItemId: line(o), quantity: 4 }] }, status: 400 }],
      after: { available: 7, committed: 3, on_hand: 10 },
      fulfilment: 'UNFULFILLED',
    }),
    () => ({
      name: 'cancelling an unpaid order: committed back to available',
      unpaid: true,
      steps: [{ path: 'cancel' }],
      after: { available: 10, committed: 0, on_hand: 10 },
    }),
    () => ({
      name: 'cancelling a paid order (refunded in full, restocked): committed back to available',
      steps: [{ path: 'cancel' }],
      after: { available: 10, committed: 0, on_hand: 10 },
    }),
    (o) => ({
      name: 'cancelling after fulfilling 1: the 2 committed come back, the shipped one is restocked',
      steps: [{ path: 'fulfil', body: { lineItems: [{ lineItemId: line(o), quantity: 1 }] } }, { path: 'cancel' }],
      after: { available: 10, committed: 0, on_hand: 10 },
    }),
    (o) => ({
      name: 'a refund restocking 2 unshipped units (CANCEL): committed back to available',
      steps: [{ path: 'refunds', body: { lineItems: [{ lineItemId: line(o), quantity: 2, restockType: 'CANCEL' }] } }],
      after: { available: 9, committed: 1, on_hand: 10 },
    }),
    (o) => ({
      name: 'a refund without restock leaves stock alone',
      steps: [{ path: 'refunds', body: { lineItems: [{ lineItemId: line(o), quantity: 1, restockType: 'NO_RESTOCK' }] } }],
      after: { available: 7, committed: 3, on_hand: 10 },
    }),
    (o) => ({
      name: 'fulfilling, then a refund returning 1 (RETURN): back into available and on_hand',
      steps: [{ path: 'fulfil' }, { path: 'refunds', body: { lineItems: [{ lineItemId: line(o), quantity: 1, restockType: 'RETURN' }] } }],
      after: { available: 8, committed: 0, on_hand: 8 },
    }),
    () => ({
      name: 'fulfilling a cancelled order is refused',
      steps: [{ path: 'cancel' }, { path: 'fulfil', status: 409 }],
      after: { available: 10, committed: 0, on_hand: 10 },
    }),
  ];

  it.each(cases.map((make) => ({ make, name: make(order({ variant: '', item: '' }, 3)).name })))('$name', async ({ make }) => {
    const sku = addProduct({ stock: [[WAREHOUSE, { available: 10 }]] });
    const probe = make(order(sku, 3));
    const o = order(sku, 3, {}, probe.unpaid === true);
    const c = make(o);
    await place(o);
    expect(await levels(sku)).toEqual({ available: 7, committed: 3, on_hand: 10, unavailable: 0 });
    for (const step of c.steps) {
      const res = await adminPost(emu, orderPath(o, step.path), step.body ?? {});
      expect(res.status, JSON.stringify(res.json)).toBe(step.status ?? 201);
      await levels(sku);
    }
    expect(await levels(sku)).toEqual({ ...c.after, unavailable: 0 });
    if (c.fulfilment) expect(emu.admin.getOrder(SHOP, o.id).displayFulfillmentStatus).toBe(c.fulfilment);
  });

  it('fulfilling sets each line’s unfulfilledQuantity, readable through the Admin API', async () => {
    const sku = addProduct({ stock: [[WAREHOUSE, { available: 10 }]] });
    const o = order(sku, 3);
    await place(o);
    await adminPost(emu, orderPath(o, 'fulfil'), { lineItems: [{ lineItemId: o.lineItems.nodes[0]!.id, quantity: 2 }] });
    const res: any = await clientFor(emu).request(
      `query($id: ID!) { order(id: $id) { displayFulfillmentStatus lineItems(first: 5) { nodes { unfulfilledQuantity } } } }`,
      { variables: { id: o.id } },
    );
    expect(errorsOf(res)).toEqual([]);
    expect(res.data.order).toEqual({ displayFulfillmentStatus: 'PARTIALLY_FULFILLED', lineItems: { nodes: [{ unfulfilledQuantity: 1 }] } });
  });

  it('keeps commitments across a restart from the state file', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const stateFile = join(mkdtempSync(join(tmpdir(), 'shopify-state-')), 'state.json');
    const first = await startEmulator({ stateFile });
    const saved = emu;
    try {
      emu = first;
      const sku = addProduct({ stock: [[WAREHOUSE, { available: 10 }]] });
      const o = order(sku, 3);
      await place(o);
      await first.close();
      emu = await startEmulator({ stateFile });
      await adminPost(emu, orderPath(o, 'fulfil'));
      expect(await levels(sku)).toEqual({ available: 7, committed: 0, on_hand: 7, unavailable: 0 });
      await emu.close();
    } finally {
      emu = saved;
    }
  });
});
