/**
 * The `available` quantity Ledgerline sets in Shopify for one item at the mapped location (docs/inventory.md
 * "The target"): what QBO says is on hand, less what Shopify holds back from sale (`unavailable`) and less the
 * units Shopify has sold that QBO has not booked yet (so a sale in flight is not sold twice).
 */

export type InventoryTargetSkipCode = 'missing_quantity' | 'fractional_quantity' | 'negative_quantity' | 'invalid_shopify_quantity';

export type InventoryTarget =
  | { ok: true; available: number }
  | {
      ok: false;
      code: InventoryTargetSkipCode;
      reason: string;
      /** What the formula would give (fractional quantities), for the report; absent when nothing sensible exists. */
      wouldBe?: number;
    };

export interface InventoryTargetInput {
  /** QBO Item.QtyOnHand (a decimal: QBO allows fractions and, when oversold, negatives); null when QBO sent none. */
  qboQtyOnHand: number | null | undefined;
  /** Shopify `unavailable` at the location: on-hand units set aside (reserved, damaged, safety stock, quality control). */
  unavailable: number;
  /** Units sold in Shopify whose sale QBO has not booked yet (its QtyOnHand does not reflect them). */
  unbookedSold: number;
}

const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;

/** available = max(0, floor(QtyOnHand) − unavailable − unbookedSold); fractional and negative stock is reported, not pushed. */
export function inventoryTarget(input: InventoryTargetInput): InventoryTarget {
  const { qboQtyOnHand: qty, unavailable, unbookedSold } = input;
  if (!isCount(unavailable) || !isCount(unbookedSold)) {
    return {
      ok: false,
      code: 'invalid_shopify_quantity',
      reason: `unavailable (${unavailable}) and unbooked sold units (${unbookedSold}) must be whole numbers of at least 0`,
    };
  }
  if (qty === null || qty === undefined || !Number.isFinite(qty)) {
    return { ok: false, code: 'missing_quantity', reason: 'QBO sent no quantity on hand for this item' };
  }
  if (qty < 0) {
    return {
      ok: false,
      code: 'negative_quantity',
      reason: `QBO quantity on hand is ${qty} (negative: QBO has recorded more sold than it knows was bought); fix the stock in QBO, Ledgerline does not guess`,
    };
  }
  const whole = Math.floor(qty);
  const available = Math.max(0, whole - unavailable - unbookedSold);
  if (whole !== qty) {
    return {
      ok: false,
      code: 'fractional_quantity',
      reason: `QBO quantity on hand is ${qty}, not a whole number of units; Shopify counts whole units, so the item is reported rather than rounded`,
      wouldBe: available,
    };
  }
  return { ok: true, available };
}
