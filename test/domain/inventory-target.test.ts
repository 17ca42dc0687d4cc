/** The target formula: available = max(0, floor(QtyOnHand) − unavailable − unbookedSold) (docs/inventory.md "The target"). */
import { describe, expect, it } from 'vitest';
import { inventoryIdempotencyKey, inventoryTarget } from '../../domain/inventory';

describe('inventoryTarget', () => {
  it.each([
    ['QBO stock as it is when nothing is held back or in flight', 10, 0, 0, 10],
    ['less the units Shopify sold that QBO has not booked yet', 10, 0, 3, 7],
    ['less the units Shopify holds back as unavailable', 10, 4, 0, 6],
    ['less both', 10, 4, 3, 3],
    ['never below zero when more is held back than QBO has', 5, 4, 3, 0],
    ['zero for a sold-out QBO item', 0, 0, 0, 0],
    ['whole quantities QBO writes as decimals', 12.0, 2, 0, 10],
  ])('sets %s', (_what, qboQtyOnHand, unavailable, unbookedSold, available) => {
    expect(inventoryTarget({ qboQtyOnHand, unavailable, unbookedSold })).toEqual({ ok: true, available });
  });

  it.each([
    ['a fractional QBO quantity, with what flooring would give', 7.5, 1, 0, { code: 'fractional_quantity', wouldBe: 6 }],
    ['a negative QBO quantity (oversold in QBO)', -2, 0, 0, { code: 'negative_quantity' }],
    ['a missing QBO quantity', null, 0, 0, { code: 'missing_quantity' }],
    ['a negative unavailable count', 5, -1, 0, { code: 'invalid_shopify_quantity' }],
    ['a fractional unbooked count', 5, 0, 0.5, { code: 'invalid_shopify_quantity' }],
  ])('reports rather than pushes %s', (_what, qboQtyOnHand, unavailable, unbookedSold, expected) => {
    const result = inventoryTarget({ qboQtyOnHand, unavailable, unbookedSold });
    expect(result).toMatchObject({ ok: false, ...expected });
    expect(result.ok ? '' : result.reason).not.toBe('');
  });
});

describe('inventoryIdempotencyKey', () => {
  const item = 'gid://shopify/InventoryItem/501';
  const location = 'gid://shopify/Location/9';
  const change = { runId: 'run-1', from: 5, to: 7 };

  it('gives the same key for the same store, item, location and change', () => {
    const key = inventoryIdempotencyKey('alpha.myshopify.com', item, location, change);
    expect(inventoryIdempotencyKey('alpha.myshopify.com', item, location, { ...change })).toBe(key);
    expect(key).toMatch(/^ledgerline-inv-501-9-5-7-[0-9a-f]{16}$/);
  });

  const cases: [string, Parameters<typeof inventoryIdempotencyKey>][] = [
    ['another store', ['beta.myshopify.com', item, location, change]],
    ['another item', ['alpha.myshopify.com', 'gid://shopify/InventoryItem/502', location, change]],
    ['another location', ['alpha.myshopify.com', item, 'gid://shopify/Location/10', change]],
    ['another compare value (a re-read after a stale compare)', ['alpha.myshopify.com', item, location, { ...change, from: 4 }]],
    ['another target', ['alpha.myshopify.com', item, location, { ...change, to: 8 }]],
    ['the same move in a later run', ['alpha.myshopify.com', item, location, { ...change, runId: 'run-2' }]],
  ];
  it.each(cases)('gives a different key for %s', (_what, args) => {
    expect(inventoryIdempotencyKey(...args)).not.toBe(inventoryIdempotencyKey('alpha.myshopify.com', item, location, change));
  });
});
