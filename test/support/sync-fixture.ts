/**
 * A connected store for sync tests: the Shopify emulator holding a generated shop, the QBO emulator
 * holding a US company with automated sales tax, and the store's row and encrypted credentials in the
 * database exactly as the connect flow writes them. Plus readers that prove invariants from QBO's side.
 */
import { randomBytes } from 'node:crypto';
import type { Cipher } from '../../config/secrets';
import type { Db } from '../../db/client';
import { createActivities } from '../../activities';
import type { Activities } from '../../workflows/contracts';
import { createQboClient, type QboClient } from '../../integrations/qbo/client';
import { createQboLimiter } from '../../integrations/qbo/limiter';
import { createShopifyPacer } from '../../integrations/shopify/pacer';
import { logger as silentLogger, testCipher } from '../integrations/helpers';
import { storeCredentials, stores } from '../../db/schema';
import { DEFAULT_ACCOUNT_IDS as A, defaultCompany, startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { generateShop, type GeneratedShop, type Mix, type StockOptions, type TaxRegion } from '../../emulators/scenario';
import { startShopifyEmulator, type ShopifyEmulator } from '../../emulators/shopify';
import { defaultSettings, type Settings } from '../../domain/settings';
import { storeIdFor } from '../../domain/store';
import { qboRateWindowStore } from '../../db/queries';

export { silentLogger, testCipher };

/** QBO pacing far above the emulators' speed, for tests that are not about limits. */
export const UNPACED = { requestsPerWindow: 100_000, batchesPerWindow: 100_000, windowMs: 1000 };

export function usSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    ...defaultSettings(
      {
        undepositedFunds: A.undepositedFunds,
        productIncome: A.salesOfProduct,
        shippingIncome: A.shippingIncome,
        discounts: A.discountsGiven,
        giftCardLiability: A.giftCardLiability,
        tips: A.tipsPayable,
        duties: A.dutiesPayable,
        fees: A.shopifyFees,
        inventoryAsset: A.inventoryAsset,
        costOfGoodsSold: A.costOfGoodsSold,
      },
      { taxMode: 'us_automated' },
    ),
    ...overrides,
  };
}

export interface SyncWorld {
  shopify: ShopifyEmulator;
  qbo: QboEmulatorHandle;
  shopDomain: string;
  storeId: string;
  realmId: string;
  generated: GeneratedShop;
  close(): Promise<void>;
}

export interface WorldOptions {
  seed: number;
  orders: number;
  days?: number;
  /** Last day of the generated history (default: yesterday). */
  end?: Date;
  shopify?: Partial<Parameters<typeof startShopifyEmulator>[0]>;
  qbo?: Partial<Parameters<typeof startQboEmulator>[0]>;
  /** The shop's tax regime (default US); the QBO company is of the same country (US: automated sales tax). */
  taxRegion?: TaxRegion;
  mix?: Partial<Mix>;
  /** Stocked items besides the catalogue, in the shop and as QBO Inventory items of the same SKUs (emulators/scenario/stock.ts). */
  stock?: Omit<StockOptions, 'accounts'>;
}

export async function startWorld(opts: WorldOptions): Promise<SyncWorld> {
  const shopDomain = `shop-${opts.seed}-${randomBytes(3).toString('hex')}.myshopify.com`;
  const realmId = String(9_100_000_000 + Math.floor(Math.random() * 1e8));
  const days = opts.days ?? 30;
  const end = opts.end ?? new Date(Date.now() - 86_400_000);
  const start = new Date(end.getTime() - days * 86_400_000).toISOString().slice(0, 10);
  const region = opts.taxRegion ?? 'US';
  const generated = generateShop({
    seed: opts.seed,
    orders: opts.orders,
    start,
    days,
    domain: shopDomain,
    taxRegion: region,
    ...(opts.mix ? { mix: opts.mix } : {}),
    ...(opts.stock
      ? {
          stock: {
            ...opts.stock,
            accounts: { income: A.salesOfProduct, expense: A.costOfGoodsSold, asset: A.inventoryAsset },
          },
        }
      : {}),
  });
  const shopify = await startShopifyEmulator({
    ...opts.shopify,
    shops: [
      {
        domain: shopDomain,
        accessToken: 'shpat_test',
        ianaTimezone: String(generated.shop.ianaTimezone),
        currencyCode: String(generated.shop.currencyCode),
        scopes: ['read_orders', 'read_all_orders'],
      },
    ],
  });
  shopify.admin.addProducts(shopDomain, generated.products);
  shopify.admin.upsertOrders(shopDomain, generated.orders);
  const company =
    region === 'US' ? defaultCompany({ realmId, country: 'US', automatedSalesTax: true }) : defaultCompany({ realmId, country: region });
  if (generated.stock) company.qboCompany.items = [...(company.qboCompany.items ?? []), ...generated.stock.qboItems];
  const qbo = await startQboEmulator({ ...opts.qbo, companies: [company] });
  return {
    shopify,
    qbo,
    shopDomain,
    storeId: storeIdFor(shopDomain),
    realmId,
    generated,
    async close() {
      await Promise.all([shopify.close(), qbo.close()]);
    },
  };
}

/** Writes the store as POST /stores does (credentials encrypted) — for tests of the engine alone. */
export async function insertConnectedStore(
  db: Db,
  cipher: Cipher,
  world: SyncWorld,
  settings: Settings = usSettings(),
  startDate = new Date('2000-01-01T00:00:00Z'),
): Promise<void> {
  const issued = world.qbo.admin.issueTokens(world.realmId);
  await db.insert(stores).values({
    id: world.storeId,
    shopDomain: world.shopDomain,
    qboRealmId: world.realmId,
    settings,
    startDate,
    shopTimezone: String(world.generated.shop.ianaTimezone),
    shopCurrency: String(world.generated.shop.currencyCode),
  });
  await db.insert(storeCredentials).values({
    storeId: world.storeId,
    shopifyAccessTokenEnc: cipher.encrypt('shpat_test'),
    qboClientId: world.qbo.clientId,
    qboClientSecretEnc: cipher.encrypt(world.qbo.clientSecret),
    qboRefreshTokenEnc: cipher.encrypt(issued.refreshToken),
    qboAccessTokenEnc: cipher.encrypt(issued.accessToken),
    qboAccessTokenExpiresAt: new Date(Date.now() + 3_600_000),
  });
}

/** A QBO client of its own (a fresh token pair), to read the books back as an accountant would. */
export function qboReader(world: SyncWorld, db: Db): QboClient {
  const issued = world.qbo.admin.issueTokens(world.realmId);
  return createQboClient({
    realmId: world.realmId,
    tokens: { storeId: 'reader', accessToken: async () => issued.accessToken },
    endpoint: world.qbo.v3Endpoint,
    limiter: createQboLimiter({ store: qboRateWindowStore(db), clock: () => new Date(), limits: UNPACED }),
    logger: silentLogger,
  });
}

/** The real activities for `world`'s store, unpaced, for calling directly in engine tests. */
export function worldActivities(world: SyncWorld, db: Db, cipher: Cipher): Activities {
  const clock = () => new Date();
  return createActivities(
    {
      db,
      cipher,
      log: silentLogger,
      clock,
      qboTokenUrl: world.qbo.tokenUrl,
      qboEndpoint: world.qbo.v3Endpoint,
      shopifyApiBaseUrl: world.shopify.url,
      qboLimits: UNPACED,
    },
    { pacer: createShopifyPacer(), limiter: createQboLimiter({ store: qboRateWindowStore(db), clock, limits: UNPACED }) },
  );
}
