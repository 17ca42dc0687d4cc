import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ShopifyAuthError, ShopifyThrottledError, TransientUpstreamError } from '../../domain/errors';
import { startShopifyEmulator, type ShopifyEmulator } from '../../emulators/shopify';
import { createShopifyClient, type ShopifyClient } from '../../integrations/shopify/client';
import { ShopifyRequestError } from '../../domain/errors';
import { createShopifyPacer, type ShopifyPacer } from '../../integrations/shopify/pacer';
import { logger } from './helpers';

const SHOP = 'pacing.myshopify.com';
const TOKEN = 'shpat_pacing';
// Requested cost 2 + 10 × 1 = 12 (docs/shopify-facts.md §1), and actual 12 once the shop holds 10 orders.
const TEN_ORDERS = 'query TenOrders { orders(first: 10) { nodes { id } } }';
const TEN_ORDERS_COST = 12;

let emulator: ShopifyEmulator;

function client(pacer: ShopifyPacer, accessToken = TOKEN): ShopifyClient {
  return createShopifyClient({ shopDomain: SHOP, accessToken, apiBaseUrl: emulator.url, pacer, logger });
}

beforeAll(async () => {
  emulator = await startShopifyEmulator({
    shops: [{ domain: SHOP, accessToken: TOKEN, name: 'Pacing Shop', currencyCode: 'CAD', ianaTimezone: 'America/Toronto' }],
  });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.admin.reset();
  emulator.admin.upsertOrders(
    SHOP,
    Array.from({ length: 10 }, (_, i) => ({
      id: `gid://shopify/Order/${1000 + i}`,
      name: `#${1000 + i}`,
      createdAt: '2026-11-01T00:00:00Z',
      updatedAt: '2026-11-01T00:00:00Z',
    })),
  );
});

describe('Shopify client', () => {
  it('reads the shop through the emulator base URL to validate credentials', async () => {
    const info = await client(createShopifyPacer()).shopInfo();
    expect(info).toEqual({
      id: expect.stringMatching(/^gid:\/\/shopify\/Shop\//),
      name: 'Pacing Shop',
      myshopifyDomain: SHOP,
      currencyCode: 'CAD',
      ianaTimezone: 'America/Toronto',
    });
  });

  it('paces a burst larger than the bucket so that Shopify never answers THROTTLED', async () => {
    emulator.admin.setThrottle(SHOP, { maximumAvailable: 50, restoreRate: 100 });
    const pacer = createShopifyPacer();
    const shopify = client(pacer);
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 15 }, () =>
        shopify.request<{ orders: { nodes: { id: string }[] } }>(TEN_ORDERS, {}, { estimatedCost: TEN_ORDERS_COST }),
      ),
    );
    const elapsed = Date.now() - started;

    expect(results.every((r) => r.orders.nodes.length === 10)).toBe(true);
    const log = emulator.admin.requests(SHOP);
    expect(log).toHaveLength(15);
    expect(log.filter((r) => r.throttled)).toEqual([]);
    // 15 × 12 = 180 points through a 50-point bucket refilling at 100/s: at least 1.3 s of pacing.
    expect(elapsed).toBeGreaterThanOrEqual(1100);
  });

  it('learns an operation’s cost from the first answer and paces later calls by it', async () => {
    emulator.admin.setThrottle(SHOP, { maximumAvailable: 30, restoreRate: 50 });
    const pacer = createShopifyPacer();
    const shopify = client(pacer);
    await shopify.request(TEN_ORDERS);
    expect(pacer.knownCost(SHOP, 'TenOrders')).toBe(TEN_ORDERS_COST);
    await Promise.all(Array.from({ length: 8 }, () => shopify.request(TEN_ORDERS)));
    expect(emulator.admin.requests(SHOP).filter((r) => r.throttled)).toEqual([]);
  });

  it('turns THROTTLED into ShopifyThrottledError with the wait Shopify’s numbers imply, then paces the next call', async () => {
    emulator.admin.setThrottle(SHOP, { maximumAvailable: 50, restoreRate: 10, currentlyAvailable: 0 });
    const pacer = createShopifyPacer();
    const shopify = client(pacer);
    // A cost estimate of 0 books nothing: the request goes out unpaced, as a bypass would.
    const error = await shopify.request(TEN_ORDERS, {}, { estimatedCost: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShopifyThrottledError);
    const throttled = error as ShopifyThrottledError;
    // (12 requested − 0 available) / 10 per second = 1.2 s.
    expect(throttled.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(throttled.retryAfterMs).toBeLessThanOrEqual(1300);
    expect(throttled.retryable).toBe(true);

    const started = Date.now();
    await shopify.request(TEN_ORDERS, {}, { estimatedCost: TEN_ORDERS_COST });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(emulator.admin.requests(SHOP).filter((r) => r.throttled)).toHaveLength(1);
  });

  it('turns an HTTP 429 into ShopifyThrottledError that waits as long as Retry-After says', async () => {
    emulator.admin.addFaults({ match: 'shop', rate429: 1, retryAfterSeconds: 3 });
    const error = await client(createShopifyPacer())
      .shopInfo()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShopifyThrottledError);
    expect((error as ShopifyThrottledError).retryAfterMs).toBe(3000);
  });

  it('rejects a wrong access token with ShopifyAuthError', async () => {
    const error = await client(createShopifyPacer(), 'shpat_wrong')
      .shopInfo()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShopifyAuthError);
    expect((error as ShopifyAuthError).retryable).toBe(false);
    expect((error as Error).message).not.toContain('shpat_wrong');
  });

  it('classifies a server error as transient and a bad query as a non-retryable request error', async () => {
    emulator.admin.addFaults({ match: 'shop', rate5xx: 1 });
    const serverError = await client(createShopifyPacer())
      .shopInfo()
      .catch((e: unknown) => e);
    expect(serverError).toBeInstanceOf(TransientUpstreamError);
    emulator.admin.clearFaults();

    const badQuery = await client(createShopifyPacer())
      .request('query Bad { shop { noSuchField } }')
      .catch((e: unknown) => e);
    expect(badQuery).toBeInstanceOf(ShopifyRequestError);
    expect((badQuery as ShopifyRequestError).retryable).toBe(false);
    expect((badQuery as Error).message).toContain('noSuchField');
  });

  it('reports a network failure as transient', async () => {
    const shopify = createShopifyClient({
      shopDomain: SHOP,
      accessToken: TOKEN,
      apiBaseUrl: 'http://127.0.0.1:9',
      pacer: createShopifyPacer(),
      logger,
    });
    await expect(shopify.shopInfo()).rejects.toBeInstanceOf(TransientUpstreamError);
  });
});
