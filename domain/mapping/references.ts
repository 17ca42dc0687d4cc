/**
 * What must exist in QBO before an order's document can be built: an Item per product, one Item per
 * line category, a customer, and where the money was deposited. Activities resolve (or create) these
 * and hand the ids back as ResolvedRefs; the builders never look anything up.
 */
import type { ShopifyLineItem, ShopifyOrderCore } from '../shopify/types';
import { gatewayTargetFor, type GatewayTarget, type Settings } from '../settings';
import {
  customerDisplayNameCandidates,
  productDisplayName,
  qboName,
  QBO_DESCRIPTION_MAX,
  QBO_ITEM_NAME_MAX,
  sanitizeQboName,
  txnDateFor,
} from './names';
import { orderAmounts, tipLineItemIds } from './order-amounts';
import type { QboItemCreate } from './qbo-types';

export type ItemKey = { by: 'sku'; sku: string } | { by: 'name'; name: string };

/**
 * Map key for ResolvedRefs.items. QBO Item names are unique case-insensitively, so names are lowered; SKUs
 * are kept as written, because Shopify's are case-sensitive (docs/shopify-facts.md "SKUs"): `abc` and `ABC`
 * are two keys.
 */
export function itemKeyId(key: ItemKey): string {
  return key.by === 'sku' ? `sku:${key.sku}` : `name:${key.name.toLowerCase()}`;
}

/** The fields of a QBO Item that SKU matching reads. */
export interface ItemSkuRow {
  Id?: unknown;
  Name?: unknown;
  Sku?: unknown;
  Active?: unknown;
}

export type SkuMatch = { action: 'use'; qboId: string } | { action: 'none' } | { action: 'park'; reason: string };

const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const describeItem = (row: ItemSkuRow): string => `${text(row.Id)} "${text(row.Name)}" (SKU "${text(row.Sku)}")`;

/**
 * Which QBO Item a Shopify SKU is, from the Items a `Sku IN (…)` / `Sku = …` query returned (issue #12 item 8,
 * docs/qbo-facts.md §4 "Item SKUs"). Intuit documents no case rule for comparing `Sku` in a query, and QBO does
 * not keep SKUs unique; Shopify's SKUs are case-sensitive and may repeat across variants. So the query may return
 * Items whose SKU differs from the Shopify SKU only by case (a case-insensitive comparison, like QBO's names), and
 * may return several Items with the very same SKU. The match is decided here, the same under either rule:
 * - exactly one active Item whose SKU is written exactly as Shopify's: that Item (two QBO Items whose SKUs
 *   differ only by case are two products, each matched by the Shopify SKU written like it);
 * - several such Items: parked, naming them (Ledgerline does not guess which one holds the stock);
 * - none written exactly so, but an Item whose SKU differs only by case: parked, naming it. Adopting it would
 *   be a guess against Shopify's case-sensitive SKUs, and creating another Item whose SKU differs only by case
 *   would split the product's stock and sales in QBO;
 * - none at all: no match (the Item is created, or the order parked when settings say to flag).
 */
export function matchItemBySku(rows: readonly ItemSkuRow[], sku: string): SkuMatch {
  const active = rows.filter((r) => r.Active !== false && r.Active !== 'false');
  const exact = active.filter((r) => text(r.Sku).trim() === sku);
  if (exact.length === 1) return { action: 'use', qboId: text(exact[0]!.Id) };
  if (exact.length > 1) {
    return {
      action: 'park',
      reason: `SKU "${sku}" is on ${exact.length} QBO items (${exact.map(describeItem).join(', ')}); Ledgerline does not guess which one the sale is: keep the SKU on one item only in QBO (or match products by name), and the next run uses it`,
    };
  }
  const folded = active.filter((r) => text(r.Sku).trim().toLowerCase() === sku.toLowerCase());
  if (folded.length > 0) {
    return {
      action: 'park',
      reason: `no QBO item has SKU "${sku}" written exactly so, but ${folded.length === 1 ? 'item' : 'items'} ${folded.map(describeItem).join(', ')} ${folded.length === 1 ? 'differs' : 'differ'} only by case; Shopify SKUs are case-sensitive, so Ledgerline neither takes ${folded.length === 1 ? 'it' : 'one'} as this product nor creates a second item whose SKU differs only by case: write the SKU the same way in Shopify and QBO, and the next run uses the item`,
    };
  }
  return { action: 'none' };
}

export interface ItemReference {
  key: ItemKey;
  keyId: string;
  lineItemIds: string[];
  /** The Item to create when none matches; null when settings say to flag instead (missingItems: flag). */
  create: QboItemCreate | null;
  /** Names to try in order if the first is taken by another Item (Duplicate Name, 6240). */
  nameCandidates: string[];
}

/** Sale categories, then the two only refunds use (units returned but not restocked; refund adjustments). */
export const LINE_CATEGORIES = [
  'shipping',
  'tip',
  'giftCardSale',
  'giftCardRedemption',
  'duties',
  'returnNotRestocked',
  'refundAdjustment',
] as const;
export type LineCategory = (typeof LINE_CATEGORIES)[number];

/** One Service item per category, bound to the category's account (gift cards to the liability). */
export interface CategoryItemReference {
  category: LineCategory;
  name: string;
  accountId: string;
}

export const CATEGORY_ITEM_NAMES: Readonly<Record<LineCategory, string>> = {
  shipping: 'Shopify Shipping',
  tip: 'Shopify Tips',
  giftCardSale: 'Shopify Gift Card Sold',
  giftCardRedemption: 'Shopify Gift Card Redeemed',
  duties: 'Shopify Duties',
  returnNotRestocked: 'Shopify Returns (not restocked)',
  refundAdjustment: 'Shopify Refund Adjustments',
};

export function categoryAccountId(category: LineCategory, settings: Settings): string {
  const a = settings.accounts;
  return {
    shipping: a.shippingIncome,
    tip: a.tips,
    giftCardSale: a.giftCardLiability,
    giftCardRedemption: a.giftCardLiability,
    duties: a.duties,
    // The returned units' income, reversed on a non-inventory item so QBO's stock does not grow.
    returnNotRestocked: a.productIncome,
    refundAdjustment: a.refundAdjustments ?? a.productIncome,
  }[category];
}

export type CustomerReference =
  | { kind: 'generic'; displayName: string }
  | {
      kind: 'customer';
      shopifyCustomerId: string | null;
      /** Match key: an existing QBO customer with this PrimaryEmailAddr is the customer. */
      email: string | null;
      displayNameCandidates: string[];
      givenName: string | null;
      familyName: string | null;
    };

export interface DepositReference {
  /** The gateway that collected the money; null when nothing was collected (free or gift-card-paid). */
  gateway: string | null;
  target: GatewayTarget;
}

export interface OrderReferencePlan {
  items: ItemReference[];
  categories: CategoryItemReference[];
  customer: CustomerReference;
  /** null when two or more gateways collected money (such orders are parked, see classifyOrder). */
  deposit: DepositReference | null;
}

/** QBO ids the activities resolved for an OrderReferencePlan. */
export interface ResolvedRefs {
  customerId: string;
  /** By itemKeyId. */
  items: Record<string, string>;
  categoryItems: Partial<Record<LineCategory, string>>;
}

/** The SKU as sold (the line's snapshot), else the variant's current SKU. */
function lineSku(line: ShopifyLineItem): string {
  return (line.sku || line.variant?.sku || '').trim();
}

export function itemKeyFor(line: ShopifyLineItem, settings: Settings): ItemKey {
  const sku = lineSku(line);
  if (settings.productMatch === 'sku' && sku) return { by: 'sku', sku };
  return { by: 'name', name: itemNameFor(line) };
}

/** Product title + variant title as sold (the line's snapshot, so renaming a product later changes nothing). */
export function itemNameFor(line: ShopifyLineItem): string {
  return (
    qboName(productDisplayName(line.title, line.variantTitle), QBO_ITEM_NAME_MAX) ||
    qboName(line.name, QBO_ITEM_NAME_MAX) ||
    'Shopify product'
  );
}

export function lineDescription(line: ShopifyLineItem): string {
  const sku = lineSku(line);
  const text = `${productDisplayName(line.title, line.variantTitle)}${sku ? ` (SKU ${sku})` : ''}`;
  return Array.from(text).slice(0, QBO_DESCRIPTION_MAX).join('');
}

function itemToCreate(line: ShopifyLineItem, key: ItemKey, settings: Settings, timeZone: string, processedAt: string): QboItemCreate {
  const sku = key.by === 'sku' ? key.sku : lineSku(line);
  const base: QboItemCreate = {
    Name: itemNameFor(line),
    Type: settings.autoCreateItemType,
    ...(sku ? { Sku: sku.slice(0, 100) } : {}),
    Description: lineDescription(line),
    IncomeAccountRef: { value: settings.accounts.productIncome },
  };
  if (settings.autoCreateItemType !== 'Inventory') return base;
  // Inventory items need COGS + asset accounts, a start date no later than the sale, and a quantity.
  return {
    ...base,
    ExpenseAccountRef: { value: settings.accounts.costOfGoodsSold ?? '' },
    AssetAccountRef: { value: settings.accounts.inventoryAsset ?? '' },
    TrackQtyOnHand: true,
    QtyOnHand: 0,
    InvStartDate: txnDateFor(processedAt, timeZone),
  };
}

function itemReferences(order: ShopifyOrderCore, settings: Settings, timeZone: string): ItemReference[] {
  const byKey = new Map<string, ItemReference>();
  // The tip's line item is booked on the tips category, never as an item (order-amounts.ts tipLineItemIds).
  const tips = tipLineItemIds(order);
  for (const line of order.lineItems.nodes) {
    if (line.isGiftCard || tips.has(line.id)) continue;
    const key = itemKeyFor(line, settings);
    const keyId = itemKeyId(key);
    const existing = byKey.get(keyId);
    if (existing) {
      existing.lineItemIds.push(line.id);
      continue;
    }
    const name = itemNameFor(line);
    const candidates = key.by === 'sku' ? [name, qboName(`${name} (${key.sku})`, QBO_ITEM_NAME_MAX)] : [name];
    byKey.set(keyId, {
      key,
      keyId,
      lineItemIds: [line.id],
      create: settings.missingItems === 'auto_create' ? itemToCreate(line, key, settings, timeZone, order.processedAt) : null,
      nameCandidates: [...new Set(candidates)],
    });
  }
  return [...byKey.values()];
}

function categoriesNeeded(order: ShopifyOrderCore, settings: Settings): CategoryItemReference[] {
  const a = orderAmounts(order);
  const needed = new Set<LineCategory>();
  if (a.shipping.some((s) => s.price.minor !== 0)) needed.add('shipping');
  if (a.tip.minor !== 0) needed.add('tip');
  if (a.lines.some((l) => l.isGiftCard)) needed.add('giftCardSale');
  if (a.giftCardRedemptions.minor !== 0) needed.add('giftCardRedemption');
  if (a.duties.minor !== 0) needed.add('duties');
  return LINE_CATEGORIES.filter((c) => needed.has(c)).map((category) => ({
    category,
    name: CATEGORY_ITEM_NAMES[category],
    accountId: categoryAccountId(category, settings),
  }));
}

function customerReference(order: ShopifyOrderCore, settings: Settings): CustomerReference {
  const email = (order.customer?.email ?? order.email ?? '').trim() || null;
  if (settings.customers === 'generic' || (!order.customer && !email)) {
    return { kind: 'generic', displayName: settings.genericCustomerName };
  }
  const c = order.customer;
  return {
    kind: 'customer',
    shopifyCustomerId: c?.id ?? null,
    email,
    displayNameCandidates: customerDisplayNameCandidates({ ...c, email }),
    givenName: c?.firstName ? sanitizeQboName(c.firstName) : null,
    familyName: c?.lastName ? sanitizeQboName(c.lastName) : null,
  };
}

export function depositReference(order: ShopifyOrderCore, settings: Settings): DepositReference | null {
  const collected = orderAmounts(order).collected;
  if (collected.length > 1) return null;
  const gateway = collected[0]?.gateway ?? null;
  return { gateway, target: gatewayTargetFor(settings, gateway) };
}

/** `timeZone` is the shop's IANA zone (Inventory items' InvStartDate is the sale's date there). */
export function planOrderReferences(order: ShopifyOrderCore, settings: Settings, timeZone: string): OrderReferencePlan {
  return {
    items: itemReferences(order, settings, timeZone),
    categories: categoriesNeeded(order, settings),
    customer: customerReference(order, settings),
    deposit: depositReference(order, settings),
  };
}
