// Seeding from a folder of JSON files: arrays or single objects of Orders, ShopifyPaymentsPayouts,
// ShopifyPaymentsBalanceTransactions and Products (classified by their gid type), or bundles
// `{ shop, orders, payouts, balanceTransactions, products }`. Files with nothing Shopify in them
// (e.g. a QBO company file of the same demo) are skipped.
import fs from 'node:fs';
import path from 'node:path';
import { gidType } from './gid';
import { putProduct, type Obj, type ShopState } from './state';

export interface SeedBundle {
  file: string;
  shop?: Obj;
  orders: Obj[];
  payouts: Obj[];
  balanceTransactions: Obj[];
  products: Obj[];
}

const KIND: Record<string, 'orders' | 'payouts' | 'balanceTransactions' | 'products'> = {
  Order: 'orders',
  ShopifyPaymentsPayout: 'payouts',
  ShopifyPaymentsBalanceTransaction: 'balanceTransactions',
  Product: 'products',
};
const BUNDLE_KEYS = ['orders', 'payouts', 'balanceTransactions', 'products'] as const;

export function classifySeed(file: string, value: unknown): SeedBundle | undefined {
  const bundle: SeedBundle = { file, orders: [], payouts: [], balanceTransactions: [], products: [] };
  const addItems = (items: unknown[]): void => {
    for (const item of items) {
      const kind = KIND[gidType((item as Obj | null)?.id) ?? ''];
      if (kind) bundle[kind].push(item as Obj);
    }
  };
  if (Array.isArray(value)) addItems(value);
  else if (value && typeof value === 'object') {
    const obj = value as Obj;
    if (gidType(obj.id)) addItems([obj]);
    for (const key of BUNDLE_KEYS) if (Array.isArray(obj[key])) addItems(obj[key]);
    if (obj.shop && typeof obj.shop === 'object' && typeof obj.shop.myshopifyDomain === 'string') bundle.shop = obj.shop;
  }
  const empty = !bundle.shop && BUNDLE_KEYS.every((k) => bundle[k].length === 0);
  return empty ? undefined : bundle;
}

export function readSeedDir(dir: string): { bundles: SeedBundle[]; skipped: string[] } {
  const bundles: SeedBundle[] = [];
  const skipped: string[] = [];
  for (const name of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const file = path.join(dir, name);
    const bundle = classifySeed(file, JSON.parse(fs.readFileSync(file, 'utf8')));
    if (bundle) bundles.push(bundle);
    else skipped.push(file);
  }
  return { bundles, skipped };
}

/** Loads a bundle into `shop` without webhooks (seeding is not an event). */
export function applySeed(shop: ShopState, bundle: SeedBundle): void {
  if (bundle.shop) {
    Object.assign(shop.info, bundle.shop, { myshopifyDomain: shop.domain });
    if (bundle.shop.currencyCode) shop.paymentsAccount.defaultCurrency = bundle.shop.currencyCode;
  }
  for (const o of bundle.orders) shop.orders.set(o.id, o);
  for (const p of bundle.payouts) shop.payouts.set(p.id, p);
  for (const t of bundle.balanceTransactions) shop.balanceTransactions.set(t.id, t);
  for (const p of bundle.products) putProduct(shop, p);
}
