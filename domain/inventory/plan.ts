/**
 * One inventory run, decided: which QBO item is which Shopify inventory item, what `available` each should
 * have, and whether the run may write at all (docs/inventory.md "Matching", "Guard rails"). Pure: the workflow
 * reads QBO and Shopify, calls this, and writes only the rows it marks `raise` or `lower`.
 */
import { matchItemBySku } from '../mapping';
import { productDisplayName, qboName, QBO_ITEM_NAME_MAX } from '../mapping/names';
import { inventoryTarget, type InventoryTargetSkipCode } from './target';

/** A QBO Item as the run reads it (docs/qbo-facts.md §4 "Item"). */
export interface QboStockItem {
  id: string;
  name: string;
  sku?: string | null;
  /** Item.TrackQtyOnHand: only Inventory items that track quantity are ever written to Shopify. */
  trackQtyOnHand: boolean;
  qtyOnHand?: number | null;
  active?: boolean;
}

/** A Shopify inventory item with its quantities at the mapped location. */
export interface ShopifyStockItem {
  inventoryItemId: string;
  sku?: string | null;
  productTitle: string;
  variantTitle?: string | null;
  /** InventoryItem.tracked: Shopify does not count stock for untracked items, so they are never set. */
  tracked: boolean;
  /** `available` at the location; null when the item is not stocked there. */
  available: number | null;
  /** `unavailable` at the location (reserved, damaged, safety stock, quality control). */
  unavailable: number;
}

export interface InventoryRunItems {
  qboItems: readonly QboStockItem[];
  shopifyItems: readonly ShopifyStockItem[];
  /** Units sold in Shopify and not yet booked in QBO, by Shopify inventory item id. */
  unbookedSold?: Readonly<Record<string, number>>;
}

export interface InventoryRunOptions {
  /** The sales sync's setting: the same rule maps stock, so a product's sales and stock meet in one QBO item. */
  productMatch: 'sku' | 'name';
  /** Share of compared items a run may lower before it waits for a person (default 0.2). */
  maxLowerShare?: number;
  /** A person confirmed this run through the API: the breaker is reported but does not stop it. */
  confirmed?: boolean;
}

export const DEFAULT_MAX_LOWER_SHARE = 0.2;

export type InventorySkipCode =
  | InventoryTargetSkipCode
  | 'qbo_untracked'
  | 'qbo_inactive'
  | 'not_in_shopify'
  | 'ambiguous_sku'
  | 'shopify_untracked'
  | 'not_stocked_at_location';

export type InventoryAction = 'raise' | 'lower' | 'unchanged' | 'skip';

export interface InventoryDiffRow {
  qboItemId: string;
  name: string;
  sku: string | null;
  shopifyInventoryItemId: string | null;
  qboQtyOnHand: number | null;
  /** `available` read from Shopify before the run. */
  shopifyBefore: number | null;
  target: number | null;
  action: InventoryAction;
  skip: InventorySkipCode | null;
  /** Why: the terms of the target for a change, the cause for a skip. */
  reason: string;
}

export type BreakerReason = 'lowers_too_many' | 'zeroes_everything' | 'qbo_answered_nothing';

export interface InventoryBreaker {
  reasons: BreakerReason[];
  /** Rows compared (raise, lower or unchanged). */
  compared: number;
  lowered: number;
  zeroed: number;
  share: number;
  maxLowerShare: number;
  message: string;
}

export interface InventoryRunPlan {
  /** `apply`: write the changes; `nothing_to_do`: no change; `needs_confirmation`: write nothing until a person confirms. */
  verdict: 'apply' | 'nothing_to_do' | 'needs_confirmation';
  rows: InventoryDiffRow[];
  /** The rows to write, in `rows` order. */
  changes: InventoryDiffRow[];
  /** Set when a guard rail tripped (also on a confirmed run, so the record shows what was overridden). */
  breaker: InventoryBreaker | null;
  counts: Record<InventoryAction, number>;
}

const clean = (s: string | null | undefined): string => (s ?? '').trim();

/** The QBO name the sales sync gives (and looks up for) this Shopify variant (domain/mapping itemNameFor). */
export function shopifyItemName(item: Pick<ShopifyStockItem, 'productTitle' | 'variantTitle'>): string {
  return qboName(productDisplayName(item.productTitle, item.variantTitle ?? null), QBO_ITEM_NAME_MAX);
}

type Resolution = { qboId: string } | { ambiguous: string; qboIds: string[] } | null;

/**
 * The QBO item a Shopify item sells into, by the sales sync's rule (domain/mapping itemKeyFor, matchItemBySku):
 * its SKU when matching by SKU and it has one, else its name (QBO names are unique regardless of case).
 */
function resolve(item: ShopifyStockItem, qboItems: readonly QboStockItem[], productMatch: 'sku' | 'name'): Resolution {
  const sku = clean(item.sku);
  if (productMatch === 'sku' && sku) {
    const rows = qboItems.map((q) => ({ Id: q.id, Name: q.name, Sku: clean(q.sku), Active: q.active !== false }));
    const match = matchItemBySku(rows, sku);
    if (match.action === 'use') return { qboId: match.qboId };
    if (match.action === 'none') return null;
    const lower = sku.toLowerCase();
    const named = qboItems.filter((q) => q.active !== false && clean(q.sku).toLowerCase() === lower).map((q) => q.id);
    return { ambiguous: match.reason, qboIds: named };
  }
  const name = shopifyItemName(item).toLowerCase();
  const found = qboItems.find((q) => q.active !== false && clean(q.name).toLowerCase() === name);
  return found ? { qboId: found.id } : null;
}

function skipRow(
  base: Omit<InventoryDiffRow, 'action' | 'skip' | 'reason' | 'target'>,
  skip: InventorySkipCode,
  reason: string,
): InventoryDiffRow {
  return { ...base, target: null, action: 'skip', skip, reason };
}

function describeShopify(items: readonly ShopifyStockItem[]): string {
  return items.map((i) => `${i.inventoryItemId} "${shopifyItemName(i)}"${clean(i.sku) ? ` (SKU "${clean(i.sku)}")` : ''}`).join(', ');
}

function rowFor(
  qbo: QboStockItem,
  matched: readonly ShopifyStockItem[],
  ambiguous: string | undefined,
  unbookedSold: Readonly<Record<string, number>>,
): InventoryDiffRow {
  const single = matched.length === 1 ? matched[0]! : undefined;
  const base = {
    qboItemId: qbo.id,
    name: qbo.name,
    sku: clean(qbo.sku) || null,
    shopifyInventoryItemId: single?.inventoryItemId ?? null,
    qboQtyOnHand: qbo.qtyOnHand ?? null,
    shopifyBefore: single?.available ?? null,
  };
  // Items QBO does not count are never touched, whatever matches them.
  if (!qbo.trackQtyOnHand) return skipRow(base, 'qbo_untracked', 'the QBO item does not track quantity on hand');
  if (qbo.active === false) return skipRow(base, 'qbo_inactive', 'the QBO item is inactive');
  if (ambiguous) return skipRow(base, 'ambiguous_sku', ambiguous);
  if (matched.length === 0) return skipRow(base, 'not_in_shopify', 'no Shopify inventory item matches this QBO item');
  if (!single) {
    return skipRow(
      base,
      'ambiguous_sku',
      `${matched.length} Shopify inventory items match this QBO item (${describeShopify(matched)}); Ledgerline cannot split one QBO quantity between them: keep the SKU on one Shopify variant only`,
    );
  }
  if (!single.tracked) return skipRow(base, 'shopify_untracked', 'Shopify does not track inventory for this item');
  if (single.available === null) return skipRow(base, 'not_stocked_at_location', 'the item is not stocked at the mapped Shopify location');
  const unbooked = unbookedSold[single.inventoryItemId] ?? 0;
  const target = inventoryTarget({ qboQtyOnHand: qbo.qtyOnHand, unavailable: single.unavailable, unbookedSold: unbooked });
  if (!target.ok) return skipRow(base, target.code, target.reason);
  const action: InventoryAction =
    target.available === single.available ? 'unchanged' : target.available > single.available ? 'raise' : 'lower';
  const reason = `QBO on hand ${qbo.qtyOnHand} − Shopify unavailable ${single.unavailable} − sold in Shopify, not yet in QBO ${unbooked} → available ${target.available} (was ${single.available})`;
  return { ...base, target: target.available, action, skip: null, reason };
}

function breakerFor(rows: readonly InventoryDiffRow[], items: InventoryRunItems, maxLowerShare: number): InventoryBreaker | null {
  const compared = rows.filter((r) => r.action !== 'skip');
  const lowered = compared.filter((r) => r.action === 'lower');
  const stocked = compared.filter((r) => (r.shopifyBefore ?? 0) > 0);
  const zeroed = lowered.filter((r) => r.target === 0);
  const share = compared.length === 0 ? 0 : lowered.length / compared.length;
  const reasons: BreakerReason[] = [];
  const notes: string[] = [];
  if (share > maxLowerShare) {
    reasons.push('lowers_too_many');
    notes.push(
      `it would lower ${lowered.length} of ${compared.length} items (${(share * 100).toFixed(1)} %, more than ${(maxLowerShare * 100).toFixed(1)} %)`,
    );
  }
  if (zeroed.length >= 2 && zeroed.length === stocked.length) {
    reasons.push('zeroes_everything');
    notes.push(`it would set every one of the ${zeroed.length} items in stock to 0`);
  }
  const stockedInShopify = items.shopifyItems.filter((s) => s.tracked && (s.available ?? 0) > 0).length;
  if (items.qboItems.filter((q) => q.trackQtyOnHand).length === 0 && stockedInShopify > 0) {
    reasons.push('qbo_answered_nothing');
    notes.push(`QBO returned no item that tracks quantity while Shopify has ${stockedInShopify} items in stock`);
  }
  if (reasons.length === 0) return null;
  return {
    reasons,
    compared: compared.length,
    lowered: lowered.length,
    zeroed: zeroed.length,
    share,
    maxLowerShare,
    message: `The run was stopped before writing: ${notes.join('; ')}. Confirm it to apply.`,
  };
}

/** Maps QBO items to Shopify inventory items, computes each target and applies the guard rails. */
export function planInventoryRun(items: InventoryRunItems, options: InventoryRunOptions): InventoryRunPlan {
  const maxLowerShare = options.maxLowerShare ?? DEFAULT_MAX_LOWER_SHARE;
  const byQbo = new Map<string, ShopifyStockItem[]>();
  const ambiguous = new Map<string, string>();
  for (const shopify of items.shopifyItems) {
    const found = resolve(shopify, items.qboItems, options.productMatch);
    if (!found) continue;
    if ('qboId' in found) {
      byQbo.set(found.qboId, [...(byQbo.get(found.qboId) ?? []), shopify]);
      continue;
    }
    for (const id of found.qboIds) ambiguous.set(id, found.ambiguous);
  }
  const unbooked = items.unbookedSold ?? {};
  const rows = items.qboItems.map((qbo) => rowFor(qbo, byQbo.get(qbo.id) ?? [], ambiguous.get(qbo.id), unbooked));
  const changes = rows.filter((r) => r.action === 'raise' || r.action === 'lower');
  const counts: Record<InventoryAction, number> = { raise: 0, lower: 0, unchanged: 0, skip: 0 };
  for (const r of rows) counts[r.action] += 1;
  const breaker = breakerFor(rows, items, maxLowerShare);
  const verdict = breaker && !options.confirmed ? 'needs_confirmation' : changes.length === 0 ? 'nothing_to_do' : 'apply';
  return { verdict, rows, changes, breaker, counts };
}
