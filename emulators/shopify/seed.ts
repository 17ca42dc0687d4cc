// Seeding from a folder of JSON files: arrays or single objects of Orders, ShopifyPaymentsPayouts,
// ShopifyPaymentsBalanceTransactions and Products (classified by their gid type), or bundles
// `{ shop, accessToken?, orders, payouts, balanceTransactions, products }`. Files with nothing Shopify in
// them (e.g. a QBO company file of the same demo) are skipped.
//
// A seed folder may hold several shops: its own files and those of each folder directly inside it
// (e.g. one `scenario/cli.ts --out` folder per shop). Each shop is its own shop, by the
// `shop.myshopifyDomain` its files name; data without a shop of its own belongs to the one shop its
// folder names. Input that could belong to more than one shop is refused (SeedError), never merged.
import fs from 'node:fs';
import path from 'node:path';
import { gidType } from './gid';
import { putProduct, type Obj, type ShopState } from './state';
import { orderTimesToSeconds } from './time';

export interface SeedBundle {
  file: string;
  shop?: Obj;
  /** The emulator's access token for a shop the seed creates (not a Shopify field). */
  accessToken?: string;
  orders: Obj[];
  payouts: Obj[];
  balanceTransactions: Obj[];
  products: Obj[];
}

/** One folder's Shopify files: the seed folder itself or a folder directly inside it. */
export interface SeedFolder {
  dir: string;
  bundles: SeedBundle[];
}

/** What goes to one shop: its shop objects' fields (later files win), its token, its data. */
export interface SeededShop {
  domain: string;
  info?: Obj;
  accessToken?: string;
  bundles: SeedBundle[];
}

export class SeedError extends Error {
  override name = 'SeedError';
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
    if (obj.shop && typeof obj.shop === 'object') {
      if (typeof obj.shop.myshopifyDomain !== 'string' || !obj.shop.myshopifyDomain) {
        throw new SeedError(`${file}: its "shop" has no myshopifyDomain, so it names no shop`);
      }
      bundle.shop = obj.shop;
      if (typeof obj.accessToken === 'string') bundle.accessToken = obj.accessToken;
    }
  }
  const empty = !bundle.shop && BUNDLE_KEYS.every((k) => bundle[k].length === 0);
  return empty ? undefined : bundle;
}

function readFolder(dir: string, skipped: string[]): SeedFolder {
  const bundles: SeedBundle[] = [];
  for (const name of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile()) continue;
    const bundle = classifySeed(file, JSON.parse(fs.readFileSync(file, 'utf8')));
    if (bundle) bundles.push(bundle);
    else skipped.push(file);
  }
  return { dir, bundles };
}

/** The seed folder's own files, then those of each folder directly inside it (by name). */
export function readSeedDir(dir: string): { folders: SeedFolder[]; skipped: string[] } {
  const skipped: string[] = [];
  const folders = [readFolder(dir, skipped)];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory() && !entry.name.startsWith('.')) folders.push(readFolder(path.join(dir, entry.name), skipped));
  }
  return { folders: folders.filter((f) => f.bundles.length > 0), skipped };
}

const count = (b: SeedBundle): number => BUNDLE_KEYS.reduce((n, k) => n + b[k].length, 0);

/**
 * Decides which shop each bundle belongs to. A bundle with a `shop` goes to that shop's domain. Data
 * without one goes to the shop its folder names; in a folder naming none, to the one shop the whole seed
 * names, or, when the seed names no shop, to the emulator's only configured shop. Refused (SeedError):
 * data in a folder naming several shops, a seed naming several shops with data in a folder naming none,
 * and a seed naming no shop for an emulator with several. Warnings: two different `shop` objects for one
 * domain (later files win, field by field) and one object id twice in a shop (the later file's replaces it).
 */
export function planSeed(folders: SeedFolder[], configuredDomains: string[]): { shops: SeededShop[]; warnings: string[] } {
  const domainsOf = (bundles: SeedBundle[]): string[] => [
    ...new Set(bundles.flatMap((b) => (b.shop ? [b.shop.myshopifyDomain as string] : []))),
  ];
  const everyDomain = domainsOf(folders.flatMap((f) => f.bundles));
  const shops = new Map<string, SeededShop>();
  const warnings: string[] = [];
  // Ids are kept per shop: generated shops number their objects alike, and each file's shop is already decided.
  const seenIn = new Map<string, Map<string, string>>();
  for (const folder of folders) {
    const named = domainsOf(folder.bundles);
    for (const bundle of folder.bundles) {
      let domain: string;
      if (bundle.shop) domain = bundle.shop.myshopifyDomain as string;
      else if (named.length === 1) domain = named[0]!;
      else if (named.length > 1) {
        throw new SeedError(
          `${bundle.file}: its ${count(bundle)} objects name no shop, and its folder names ${named.length} (${named.join(', ')}): put each shop's files in a folder of their own, or give the file a "shop"`,
        );
      } else if (everyDomain.length === 1) domain = everyDomain[0]!;
      else if (everyDomain.length > 1) {
        throw new SeedError(
          `${bundle.file}: its ${count(bundle)} objects name no shop, and neither does its folder, while the seed names ${everyDomain.length} (${everyDomain.join(', ')})`,
        );
      } else if (configuredDomains.length === 1) domain = configuredDomains[0]!;
      else {
        throw new SeedError(
          `${bundle.file}: its ${count(bundle)} objects name no shop, and the emulator has ${configuredDomains.length} (${configuredDomains.join(', ')}): add a shop file ({ "shop": { "myshopifyDomain": … } })`,
        );
      }
      let entry = shops.get(domain);
      if (!entry) shops.set(domain, (entry = { domain, bundles: [] }));
      if (bundle.shop) {
        if (entry.info && JSON.stringify({ ...entry.info, ...bundle.shop }) !== JSON.stringify(entry.info)) {
          warnings.push(`${bundle.file}: shop ${domain} is described again with other values; the later file's values win`);
        }
        entry.info = { ...entry.info, ...bundle.shop };
      }
      if (bundle.accessToken) entry.accessToken = bundle.accessToken;
      entry.bundles.push(bundle);
      const seen = seenIn.get(domain) ?? new Map<string, string>();
      seenIn.set(domain, seen);
      for (const key of BUNDLE_KEYS) {
        for (const item of bundle[key]) {
          const earlier = seen.get(item.id as string);
          if (earlier) warnings.push(`${item.id} is in ${earlier} and again in ${bundle.file}; the later one is kept`);
          seen.set(item.id as string, bundle.file);
        }
      }
    }
  }
  return { shops: [...shops.values()], warnings };
}

/** The access token of a shop created from a seed that gives none: `shpat_seed_<shop name>`. */
export function seededShopToken(domain: string): string {
  return `shpat_seed_${domain.replace(/\.myshopify\.com$/, '').replace(/[^A-Za-z0-9]+/g, '_')}`;
}

/** Loads a bundle into `shop` without webhooks (seeding is not an event). */
export function applySeed(shop: ShopState, bundle: SeedBundle): void {
  if (bundle.shop) {
    Object.assign(shop.info, bundle.shop, { myshopifyDomain: shop.domain });
    if (bundle.shop.currencyCode) shop.paymentsAccount.defaultCurrency = bundle.shop.currencyCode;
  }
  for (const o of bundle.orders) {
    orderTimesToSeconds(o);
    shop.orders.set(o.id, o);
  }
  for (const p of bundle.payouts) shop.payouts.set(p.id, p);
  for (const t of bundle.balanceTransactions) shop.balanceTransactions.set(t.id, t);
  for (const p of bundle.products) putProduct(shop, p);
}
