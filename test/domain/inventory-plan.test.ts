/**
 * One inventory run planned: QBO items matched to Shopify inventory items by the sales sync's rule, each target,
 * the skips with their reasons, and the circuit breaker (docs/inventory.md "Matching", "Guard rails").
 */
import { describe, expect, it } from 'vitest';
import { planInventoryRun, type InventoryRunItems, type QboStockItem, type ShopifyStockItem } from '../../domain/inventory';

const qbo = (id: string, name: string, sku: string | null, qtyOnHand: number | null, extra: Partial<QboStockItem> = {}): QboStockItem => ({
  id,
  name,
  sku,
  qtyOnHand,
  trackQtyOnHand: true,
  ...extra,
});
const shop = (
  id: string,
  productTitle: string,
  sku: string | null,
  available: number | null,
  extra: Partial<ShopifyStockItem> = {},
): ShopifyStockItem => ({
  inventoryItemId: `gid://shopify/InventoryItem/${id}`,
  productTitle,
  variantTitle: 'Default Title',
  sku,
  tracked: true,
  available,
  unavailable: 0,
  ...extra,
});
const SKU = { productMatch: 'sku' } as const;

function row(items: InventoryRunItems, options = SKU) {
  const plan = planInventoryRun(items, options);
  expect(plan.rows).toHaveLength(1);
  return plan.rows[0]!;
}

describe('matching and targets', () => {
  it.each([
    [
      'raises a product QBO received stock for, matched by SKU',
      { qboItems: [qbo('1', 'Mug', 'MUG-1', 12)], shopifyItems: [shop('501', 'Mug', 'MUG-1', 5)] },
      { action: 'raise', shopifyBefore: 5, target: 12, skip: null, shopifyInventoryItemId: 'gid://shopify/InventoryItem/501' },
    ],
    [
      'lowers by the units sold in Shopify that QBO has not booked yet',
      {
        qboItems: [qbo('1', 'Mug', 'MUG-1', 12)],
        shopifyItems: [shop('501', 'Mug', 'MUG-1', 12)],
        unbookedSold: { 'gid://shopify/InventoryItem/501': 2 },
      },
      { action: 'lower', shopifyBefore: 12, target: 10 },
    ],
    [
      'keeps unavailable stock out of available',
      { qboItems: [qbo('1', 'Mug', 'MUG-1', 12)], shopifyItems: [shop('501', 'Mug', 'MUG-1', 9, { unavailable: 3 })] },
      { action: 'unchanged', shopifyBefore: 9, target: 9 },
    ],
    [
      'matches a Shopify variant without SKU by its name, as the sales sync books it',
      { qboItems: [qbo('1', 'Tee - Large', 'TEE-L', 4)], shopifyItems: [shop('501', 'Tee', null, 1, { variantTitle: 'Large' })] },
      { action: 'raise', target: 4 },
    ],
    [
      'matches names regardless of case (QBO names are unique that way)',
      { qboItems: [qbo('1', 'MUG', null, 4)], shopifyItems: [shop('501', 'Mug', null, 1)] },
      { action: 'raise', target: 4 },
    ],
    [
      'reports a fractional QBO quantity instead of rounding it',
      { qboItems: [qbo('1', 'Rope', 'ROPE', 2.5)], shopifyItems: [shop('501', 'Rope', 'ROPE', 1)] },
      { action: 'skip', skip: 'fractional_quantity', target: null, qboQtyOnHand: 2.5 },
    ],
    [
      'reports a negative QBO quantity instead of pushing it',
      { qboItems: [qbo('1', 'Mug', 'MUG-1', -3)], shopifyItems: [shop('501', 'Mug', 'MUG-1', 4)] },
      { action: 'skip', skip: 'negative_quantity' },
    ],
    [
      'never touches an item QBO does not track',
      { qboItems: [qbo('1', 'Mug', 'MUG-1', 0, { trackQtyOnHand: false })], shopifyItems: [shop('501', 'Mug', 'MUG-1', 4)] },
      { action: 'skip', skip: 'qbo_untracked' },
    ],
    [
      'skips a Shopify item that does not track inventory',
      { qboItems: [qbo('1', 'Mug', 'MUG-1', 3)], shopifyItems: [shop('501', 'Mug', 'MUG-1', 0, { tracked: false })] },
      { action: 'skip', skip: 'shopify_untracked' },
    ],
    [
      'skips an item not stocked at the mapped location',
      { qboItems: [qbo('1', 'Mug', 'MUG-1', 3)], shopifyItems: [shop('501', 'Mug', 'MUG-1', null)] },
      { action: 'skip', skip: 'not_stocked_at_location' },
    ],
    [
      'skips a QBO item no Shopify item matches',
      { qboItems: [qbo('1', 'Mug', 'MUG-1', 3)], shopifyItems: [shop('501', 'Plate', 'PLATE', 2)] },
      { action: 'skip', skip: 'not_in_shopify' },
    ],
    [
      'does not take a SKU that differs only by case (Shopify SKUs are case-sensitive)',
      { qboItems: [qbo('1', 'Mug', 'mug-1', 3)], shopifyItems: [shop('501', 'Mug', 'MUG-1', 2)] },
      { action: 'skip', skip: 'ambiguous_sku' },
    ],
  ] as const)('%s', (_what, items, expected) => {
    expect(row(items as InventoryRunItems)).toMatchObject(expected);
  });

  it('skips both QBO items that carry one SKU, naming them', () => {
    const plan = planInventoryRun(
      { qboItems: [qbo('1', 'Mug', 'MUG-1', 3), qbo('2', 'Mug (old)', 'MUG-1', 8)], shopifyItems: [shop('501', 'Mug', 'MUG-1', 2)] },
      SKU,
    );
    expect(plan.rows.map((r) => [r.qboItemId, r.skip])).toEqual([
      ['1', 'ambiguous_sku'],
      ['2', 'ambiguous_sku'],
    ]);
    expect(plan.rows[0]!.reason).toMatch(/SKU "MUG-1" is on 2 QBO items/);
    expect(plan.verdict).toBe('nothing_to_do');
  });

  it('skips a QBO item whose SKU is on two Shopify variants: one quantity cannot be split', () => {
    const r = row({
      qboItems: [qbo('1', 'Mug', 'MUG-1', 3)],
      shopifyItems: [shop('501', 'Mug', 'MUG-1', 2), shop('502', 'Mug blue', 'MUG-1', 2)],
    });
    expect(r).toMatchObject({ action: 'skip', skip: 'ambiguous_sku', shopifyInventoryItemId: null });
    expect(r.reason).toMatch(/2 Shopify inventory items match/);
  });

  it('matches by name only when the store matches products by name', () => {
    const items = { qboItems: [qbo('1', 'Mug', 'OTHER', 6)], shopifyItems: [shop('501', 'Mug', 'MUG-1', 2)] };
    expect(row(items)).toMatchObject({ skip: 'not_in_shopify' });
    expect(row(items, { productMatch: 'name' } as never)).toMatchObject({ action: 'raise', target: 6 });
  });

  it('lists every row with its terms and writes only raises and lowers', () => {
    const plan = planInventoryRun(
      {
        qboItems: [qbo('1', 'Mug', 'MUG-1', 12), qbo('2', 'Plate', 'PLATE', 4), qbo('3', 'Bowl', 'BOWL', 1.5), qbo('4', 'Cup', 'CUP', 6)],
        shopifyItems: [
          shop('501', 'Mug', 'MUG-1', 5),
          shop('502', 'Plate', 'PLATE', 4),
          shop('503', 'Bowl', 'BOWL', 1),
          shop('504', 'Cup', 'CUP', 7),
        ],
      },
      SKU,
    );
    expect(plan.counts).toEqual({ raise: 1, lower: 1, unchanged: 1, skip: 1 });
    expect(plan.changes.map((c) => [c.sku, c.shopifyBefore, c.target])).toEqual([
      ['MUG-1', 5, 12],
      ['CUP', 7, 6],
    ]);
    expect(plan.rows[0]!.reason).toBe('QBO on hand 12 − Shopify unavailable 0 − sold in Shopify, not yet in QBO 0 → available 12 (was 5)');
    expect(plan.verdict).toBe('needs_confirmation'); // 1 of 3 compared lowered: 33 % > 20 %
    expect(planInventoryRun({ qboItems: [], shopifyItems: [] }, SKU).verdict).toBe('nothing_to_do');
  });
});

describe('circuit breaker', () => {
  /** n items in stock in both systems; the first `lower` of them lowered by one unit, the rest unchanged. */
  function world(n: number, lower: number, qty: (i: number) => number = (i) => (i < lower ? 4 : 5)): InventoryRunItems {
    const ids = Array.from({ length: n }, (_, i) => i);
    return {
      qboItems: ids.map((i) => qbo(String(i), `Item ${i}`, `SKU-${i}`, qty(i))),
      shopifyItems: ids.map((i) => shop(String(500 + i), `Item ${i}`, `SKU-${i}`, 5)),
    };
  }

  it.each([
    ['applies a run lowering exactly the allowed share', world(10, 2), {}, 'apply', null],
    ['stops a run lowering more than the default 20 %', world(10, 3), {}, 'needs_confirmation', ['lowers_too_many']],
    ['follows a configured share', world(10, 3), { maxLowerShare: 0.5 }, 'apply', null],
    ['stops a run zeroing every item in stock', world(10, 10, () => 0), { maxLowerShare: 1 }, 'needs_confirmation', ['zeroes_everything']],
    [
      'stops a run when QBO answered no tracked item while Shopify has stock',
      { qboItems: [], shopifyItems: world(3, 0).shopifyItems },
      {},
      'needs_confirmation',
      ['qbo_answered_nothing'],
    ],
    ['applies a confirmed run, still reporting what tripped', world(10, 3), { confirmed: true }, 'apply', ['lowers_too_many']],
  ] as const)('%s', (_what, items, options, verdict, reasons) => {
    const plan = planInventoryRun(items, { productMatch: 'sku', ...options });
    expect(plan.verdict).toBe(verdict);
    expect(plan.breaker?.reasons ?? null).toEqual(reasons);
  });

  it('gives the numbers a person needs to confirm', () => {
    const plan = planInventoryRun(world(10, 3), SKU);
    expect(plan.breaker).toEqual({
      reasons: ['lowers_too_many'],
      compared: 10,
      lowered: 3,
      zeroed: 0,
      share: 0.3,
      maxLowerShare: 0.2,
      message: 'The run was stopped before writing: it would lower 3 of 10 items (30.0 %, more than 20.0 %). Confirm it to apply.',
    });
    expect(plan.changes).toHaveLength(3);
  });
});
