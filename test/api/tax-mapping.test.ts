/**
 * Automatic tax mapping at connect (docs/tax-mapping.md), through the API against real components: the Temporal
 * CLI dev server with a real worker, PostgreSQL, and the Shopify and QBO emulators through the real clients.
 * A Canadian shop connected without a hand-written taxCodeMap gets its GST, HST, GST + PST and GST + QST lines
 * mapped to the Canadian company's codes and rates, and its orders book; a UK shop with one order at a rate the
 * company lacks gets only that order parked, its reason naming the rate.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import { createActivities } from '../../activities';
import { buildApp } from '../../api/app';
import { createCipher } from '../../config/secrets';
import type { Database } from '../../db/client';
import { ledgerEntries } from '../../db/schema';
import { startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { generateShop } from '../../emulators/scenario/generate';
import type { TaxRegion } from '../../emulators/scenario/regions';
import { startShopifyEmulator, type ShopifyEmulator } from '../../emulators/shopify';
import { statusQuery, workflowIds, type StoreStatus } from '../../workflows/definitions';
import { processPacing } from '../support/app';
import { postgresDatabase } from '../support/db';
import { devServerEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

const API_TOKEN = `test-${randomBytes(12).toString('hex')}`;
const cipher = createCipher(`test:${randomBytes(32).toString('base64')}`);
const taskQueue = uniqueTaskQueue('tax-mapping');

let env: TestWorkflowEnvironment;
let database: Database;
let shopify: ShopifyEmulator;
let qbo: QboEmulatorHandle;
let app: FastifyInstance;
let worker: Worker;
let workerRun: Promise<void>;

beforeAll(async () => {
  [env, database, shopify, qbo] = await Promise.all([
    devServerEnv(),
    postgresDatabase(),
    startShopifyEmulator({ shops: [{ domain: 'seed.myshopify.com', accessToken: 'shpat_seed' }] }),
    startQboEmulator({ limits: false }),
  ]);
  const integrations = { shopifyApiBaseUrl: shopify.url, qboEndpoint: qbo.v3Endpoint, qboTokenUrl: qbo.tokenUrl };
  const pacing = processPacing(database.db);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(
      { db: database.db, cipher, log: pino({ level: 'silent' }), clock: () => new Date(), ...integrations },
      pacing,
    ),
  });
  workerRun = worker.run();
  app = await buildApp({
    database,
    temporal: async () => env.client,
    apiToken: API_TOKEN,
    log: pino({ level: 'silent' }),
    cipher,
    taskQueue,
    integrations,
    ...pacing,
  });
}, 180_000);

afterAll(async () => {
  await app?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerRun?.catch(() => undefined);
  await env?.teardown();
  await database?.close();
  await shopify?.close();
  await qbo?.close();
});

let seq = 0;
type Order = Record<string, unknown>;
const REGION = {
  CA: { currencyCode: 'CAD', ianaTimezone: 'America/Toronto' },
  GB: { currencyCode: 'GBP', ianaTimezone: 'Europe/London' },
  US: { currencyCode: 'USD', ianaTimezone: 'America/New_York' },
} as const;

/** A shop of `orders` generated orders in `region` (simple ones: no gift cards, tips or duties), not yet added. */
function shopWithOrders(region: keyof typeof REGION, orders: number, seed: number) {
  const handle = `tax-${region.toLowerCase()}-${process.pid}-${++seq}`;
  const domain = `${handle}.myshopify.com`;
  const token = `shpat_${randomBytes(12).toString('hex')}`;
  shopify.admin.createShop({ domain, accessToken: token, name: `Shop ${handle}`, ...REGION[region] });
  const generated = generateShop({
    seed,
    orders,
    start: new Date(Date.now() - 6 * 86_400_000).toISOString(),
    days: 4,
    domain,
    taxRegion: region as TaxRegion,
    mix: { giftCardPurchase: 0, giftCardRedemption: 0, tip: 0, duties: 0, refund: 0, testOrder: 0, unpaidManual: 0, authorizedOnly: 0 },
  });
  shopify.admin.addProducts(domain, generated.products);
  return { handle, domain, token, orders: generated.orders as Order[] };
}

function connectBody(shop: { domain: string; token: string }, country: 'CA' | 'GB' | 'US', settings: Record<string, unknown> = {}) {
  const company = qbo.admin.createCompany({ country });
  return {
    shopDomain: shop.domain,
    shopifyAccessToken: shop.token,
    qbo: {
      realmId: company.realmId,
      clientId: qbo.clientId,
      clientSecret: qbo.clientSecret,
      accessToken: company.accessToken,
      refreshToken: company.refreshToken,
      accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
    settings,
  };
}

async function call(method: InjectOptions['method'], url: string, payload?: unknown) {
  const res = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${API_TOKEN}` },
    ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
  });
  return { status: res.statusCode, body: res.body ? res.json() : undefined, text: res.body };
}

async function firstRunDone(shopDomain: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const s: StoreStatus = await env.client.workflow.getHandle(workflowIds.store(shopDomain)).query(statusQuery);
    if (s.lastRun !== null && !s.running) return;
    if (Date.now() > deadline) throw new Error(`the first run of ${shopDomain} did not finish: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every Shopify tax line in the order (order, line items, shipping lines) at `from` moved to `to` (title kept). */
function retax(order: Order, from: number, to: number): Order {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== 'object' || value === null) return value;
    const o = value as Record<string, unknown>;
    if (typeof o.title === 'string' && o.rate === from && 'priceSet' in o)
      return { ...o, rate: to, ratePercentage: Math.round(to * 1_000_000) / 10_000 };
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, walk(v)]));
  };
  return walk(order) as Order;
}

const byTitles = (entries: { taxLines: { title: string }[]; status: string; taxCodeId?: string }[]) =>
  Object.fromEntries(
    entries.map((c) => [
      c.taxLines
        .map((t) => t.title)
        .sort()
        .join('+'),
      [c.status, c.taxCodeId],
    ]),
  );

describe('tax mapping at connect', () => {
  it('maps a Canadian shop to the Canadian company without a hand-written taxCodeMap, and its orders book', async () => {
    const shop = shopWithOrders('CA', 16, 31);
    shopify.admin.upsertOrders(shop.domain, shop.orders);

    const created = await call('POST', '/stores', connectBody(shop, 'CA'));
    expect(created.status, created.text).toBe(201);
    const proposal = created.body.taxMapping;
    // The default Canadian company (emulators/qbo/company/taxTables.ts): GST 200/100, HST ON 201/101,
    // GST/PST BC 202 (PST BC 102), GST/QST QC 203 (QST 103), Exempt 205.
    expect(byTitles(proposal.codes)).toEqual({
      GST: ['matched', '200'],
      HST: ['matched', '201'],
      'GST+PST': ['matched', '202'],
      'GST+QST': ['matched', '203'],
    });
    expect(
      Object.fromEntries(
        proposal.rates.map((r: { title: string; status: string; taxRateId: string }) => [r.title, [r.status, r.taxRateId]]),
      ),
    ).toEqual({
      GST: ['matched', '100'],
      HST: ['matched', '101'],
      PST: ['matched', '102'],
      QST: ['matched', '103'],
    });
    expect(proposal.exempt).toMatchObject({ status: 'matched', taxCodeId: '205', taxCodeName: 'Exempt' });
    expect(proposal).toMatchObject({ complete: true, ordersSampled: 16 });
    // Applied: the store's settings are the proposal's map.
    expect(created.body.settings.taxMode).toBe('global');
    expect(created.body.settings.taxCodeMap).toMatchObject({ ...proposal.taxCodeMap });
    expect(created.body.settings.taxCodeMap.codes).toHaveLength(4);

    await firstRunDone(shop.domain);
    const rows = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, shop.handle));
    const sales = rows.filter((r) => r.role === 'sale');
    expect(sales.filter((r) => /tax/i.test(r.reason ?? ''))).toEqual([]);
    expect(sales.filter((r) => r.status === 'synced').length).toBeGreaterThanOrEqual(12);
    const docs = await call('GET', `/stores/${shop.handle}/documents?status=synced`);
    expect(
      docs.body.items.every((d: { qboTotal: string; sourceTotal: string }) => d.qboTotal === d.sourceTotal),
      docs.text,
    ).toBe(true);

    // Proposed again later, everything already in the settings reads as given.
    const again = await call('GET', `/stores/${shop.handle}/tax-mapping`);
    expect(again.status, again.text).toBe(200);
    expect(new Set(again.body.codes.map((c: { status: string }) => c.status))).toEqual(new Set(['given']));
    expect(again.body.exempt.status).toBe('given');
  }, 150_000);

  it('parks only the order taxed at a rate the UK company lacks, naming the rate; a later new rate is applied on request', async () => {
    const shop = shopWithOrders('GB', 8, 47);
    const [odd, ...rest] = shop.orders;
    shopify.admin.upsertOrders(shop.domain, [retax(odd!, 0.2, 0.175), ...rest]);

    const created = await call('POST', '/stores', connectBody(shop, 'GB'));
    expect(created.status, created.text).toBe(201);
    const proposal = created.body.taxMapping;
    expect(byTitles(proposal.codes)).toEqual({ VAT: expect.anything() });
    const vat = proposal.rates.map((r: { rate: number; status: string; taxRateId?: string; reason?: string }) => [
      r.rate,
      r.status,
      r.taxRateId,
    ]);
    expect(vat).toEqual(
      expect.arrayContaining([
        [0.2, 'matched', '100'],
        [0.175, 'unmapped', undefined],
      ]),
    );
    expect(proposal.complete).toBe(false);
    expect(proposal.rates.find((r: { rate: number }) => r.rate === 0.175).reason).toMatch(
      /no active sales tax rate of 17\.5% for Shopify's tax line "VAT" 17\.5%/,
    );
    expect(created.body.settings.taxCodeMap).toMatchObject({
      codes: [{ taxLines: [{ title: 'VAT', rate: 0.2 }], taxCodeId: '200' }],
      rates: [{ title: 'VAT', rate: 0.2, taxRateId: '100' }],
      exemptTaxCodeId: '203',
    });

    await firstRunDone(shop.domain);
    const rows = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, shop.handle));
    const sales = rows.filter((r) => r.role === 'sale');
    const parked = sales.filter((r) => r.status === 'parked');
    expect(parked.map((r) => r.sourceKey)).toEqual([`order:${String(odd!.id)}`]);
    expect(parked[0]!.reason).toMatch(/"VAT" 17\.5%/);
    expect(sales.filter((r) => r.status === 'synced').length).toBe(rest.length);

    // An order is edited to the reduced rate after connect: proposed as a match, applied on request, kept in the settings.
    shopify.admin.upsertOrders(shop.domain, [{ ...retax(rest[0]!, 0.2, 0.05), updatedAt: new Date().toISOString() }]);
    const later = await call('GET', `/stores/${shop.handle}/tax-mapping`);
    expect(later.status, later.text).toBe(200);
    expect(later.body.rates.find((r: { rate: number }) => r.rate === 0.05)).toMatchObject({ status: 'matched', taxRateId: '101' });
    const applied = await call('POST', `/stores/${shop.handle}/tax-mapping/apply`);
    expect(applied.status, applied.text).toBe(200);
    expect(applied.body.rates.find((r: { rate: number }) => r.rate === 0.05)).toMatchObject({ status: 'given', taxRateId: '101' });
    const settings = await call('GET', `/stores/${shop.handle}/settings`);
    expect(settings.body.taxCodeMap.rates).toEqual(
      expect.arrayContaining([
        { title: 'VAT', rate: 0.2, taxRateId: '100' },
        { title: 'VAT', rate: 0.05, taxRateId: '101' },
      ]),
    );
    expect(settings.body.taxCodeMap.codes).toContainEqual({ taxLines: [{ title: 'VAT', rate: 0.05 }], taxCodeId: '201' });
  }, 150_000);

  it('US companies need no map: no proposal at connect, and the route says why', async () => {
    const shop = shopWithOrders('US', 2, 5);
    const created = await call('POST', '/stores', connectBody(shop, 'US'));
    expect(created.status, created.text).toBe(201);
    expect(created.body.taxMapping).toBeUndefined();
    const res = await call('GET', `/stores/${shop.handle}/tax-mapping`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('tax_mapping_not_needed');
  }, 60_000);
});
