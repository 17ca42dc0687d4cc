// In-memory state of the emulated shops. Data is kept in the Admin GraphQL JSON shape so the
// default field resolver can serve it as stored (connections as `{ nodes: [...] }`).
import { gid, gidType } from './gid';

// Stored Admin-GraphQL objects are open JSON: the schema, not TypeScript, decides their shape.
export type Obj = Record<string, any>;

export interface ShopOptions {
  domain: string;
  accessToken: string;
  name?: string;
  currencyCode?: string;
  ianaTimezone?: string;
  /** Plan name: 'Basic' | 'Shopify' | 'Advanced' | 'Plus' (sets the default restore rate, docs/shopify-facts.md §1). */
  plan?: string;
  restoreRate?: number;
  maximumAvailable?: number;
  /** Access scopes; without `read_all_orders` only the last 60 days of orders are visible (docs/shopify-facts.md §2). */
  scopes?: string[];
}

export interface Bucket {
  maximumAvailable: number;
  restoreRate: number;
  available: number;
  atMs: number;
}

export interface IdempotencyRecord {
  fingerprint: string;
  payload: Obj;
}

/** Units of one order line committed at one location and not fulfilled, cancelled or restocked yet (inventory-moves.ts). */
export interface Commitment {
  lineItemId: string;
  orderId: string;
  inventoryItemId: string;
  locationId: string;
  quantity: number;
}

export interface ShopState {
  domain: string;
  accessToken: string;
  scopes: string[];
  info: Obj;
  paymentsAccount: Obj;
  bucket: Bucket;
  orders: Map<string, Obj>;
  payouts: Map<string, Obj>;
  balanceTransactions: Map<string, Obj>;
  products: Map<string, Obj>;
  variants: Map<string, { variant: Obj; product: Obj }>;
  inventoryItems: Map<string, { item: Obj; variant: Obj; product: Obj }>;
  inventoryLevels: Map<string, { level: Obj; item: Obj }>;
  locations: Map<string, Obj>;
  bulkOperations: Map<string, Obj>;
  bulkFiles: Map<string, string>;
  webhookSubscriptions: Obj[];
  idempotency: Map<string, IdempotencyRecord>;
  /** Applied inventorySetQuantities / inventoryAdjustQuantities groups, with their referenceDocumentUri. */
  inventoryAdjustmentGroups: Map<string, Obj>;
  /** Line item id → its committed units, for orders placed through the admin helpers. */
  commitments: Map<string, Commitment>;
  /** Set when the app was uninstalled: the access token is revoked (every Admin API call answers 401). */
  uninstalled?: boolean;
}

export const DEFAULT_SCOPES = [
  'read_orders',
  'read_all_orders',
  'read_products',
  'read_inventory',
  'write_inventory',
  'read_shopify_payments_payouts',
  'read_locations',
];

// docs/shopify-facts.md §1: restore rate per plan; 2000-point bucket by default (read at run time by clients).
const RESTORE_RATE_BY_PLAN: Record<string, number> = { basic: 100, shopify: 100, advanced: 200, plus: 1000, enterprise: 2000 };

export function createShopState(opts: ShopOptions, shopNumber: number, nowMs: number): ShopState {
  const plan = opts.plan ?? 'Basic';
  const currencyCode = opts.currencyCode ?? 'USD';
  const maximumAvailable = opts.maximumAvailable ?? 2000;
  return {
    domain: opts.domain,
    accessToken: opts.accessToken,
    scopes: opts.scopes ?? DEFAULT_SCOPES,
    info: {
      id: gid('Shop', shopNumber),
      name: opts.name ?? opts.domain.split('.')[0],
      myshopifyDomain: opts.domain,
      email: `owner@${opts.domain}`,
      contactEmail: `owner@${opts.domain}`,
      currencyCode,
      ianaTimezone: opts.ianaTimezone ?? 'UTC',
      taxesIncluded: false,
      plan: { displayName: plan, publicDisplayName: plan, partnerDevelopment: false, shopifyPlus: plan.toLowerCase() === 'plus' },
      primaryDomain: { id: gid('Domain', shopNumber), host: opts.domain, url: `https://${opts.domain}`, sslEnabled: true },
    },
    paymentsAccount: { id: gid('ShopifyPaymentsAccount', shopNumber), defaultCurrency: currencyCode, activated: true },
    bucket: {
      maximumAvailable,
      restoreRate: opts.restoreRate ?? RESTORE_RATE_BY_PLAN[plan.toLowerCase()] ?? 100,
      available: maximumAvailable,
      atMs: nowMs,
    },
    orders: new Map(),
    payouts: new Map(),
    balanceTransactions: new Map(),
    products: new Map(),
    variants: new Map(),
    inventoryItems: new Map(),
    inventoryLevels: new Map(),
    locations: new Map(),
    bulkOperations: new Map(),
    bulkFiles: new Map(),
    webhookSubscriptions: [],
    idempotency: new Map(),
    inventoryAdjustmentGroups: new Map(),
    commitments: new Map(),
  };
}

/** Registers a product and indexes its variants, inventory items, levels and locations. */
export function putProduct(shop: ShopState, product: Obj): void {
  const old = shop.products.get(product.id);
  if (old) unindexProduct(shop, old);
  shop.products.set(product.id, product);
  for (const variant of product.variants?.nodes ?? []) {
    shop.variants.set(variant.id, { variant, product });
    const item = variant.inventoryItem;
    if (!item?.id) continue;
    shop.inventoryItems.set(item.id, { item, variant, product });
    for (const level of item.inventoryLevels?.nodes ?? []) {
      shop.inventoryLevels.set(level.id, { level, item });
      if (level.location?.id && !shop.locations.has(level.location.id)) shop.locations.set(level.location.id, level.location);
    }
  }
}

function unindexProduct(shop: ShopState, product: Obj): void {
  for (const variant of product.variants?.nodes ?? []) {
    shop.variants.delete(variant.id);
    const item = variant.inventoryItem;
    if (!item?.id) continue;
    shop.inventoryItems.delete(item.id);
    for (const level of item.inventoryLevels?.nodes ?? []) shop.inventoryLevels.delete(level.id);
  }
}

/** The live object behind a gid, for `node(id:)`, `nodes(ids:)` and references inside stored data. */
export function findNode(shop: ShopState, id: string): Obj | undefined {
  switch (gidType(id)) {
    case 'Order':
      return shop.orders.get(id);
    case 'Refund':
      // Refunds live on their orders, as in Shopify's own model (Refund.order).
      for (const order of shop.orders.values()) {
        const refund = (order.refunds as Obj[] | undefined)?.find((r) => r.id === id);
        if (refund) return refund;
      }
      return undefined;
    case 'Product':
      return shop.products.get(id);
    case 'ProductVariant':
      return shop.variants.get(id)?.variant;
    case 'InventoryItem':
      return shop.inventoryItems.get(id)?.item;
    case 'InventoryLevel':
      return shop.inventoryLevels.get(id)?.level;
    case 'Location':
      return shop.locations.get(id);
    case 'InventoryAdjustmentGroup':
      return shop.inventoryAdjustmentGroups.get(id);
    case 'ShopifyPaymentsPayout':
      return shop.payouts.get(id);
    case 'ShopifyPaymentsBalanceTransaction':
      return shop.balanceTransactions.get(id);
    case 'BulkOperation':
      return shop.bulkOperations.get(id);
    case 'WebhookSubscription':
      return shop.webhookSubscriptions.find((s) => s.id === id);
    default:
      return undefined;
  }
}
