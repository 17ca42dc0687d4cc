/**
 * Issue #13: a transient fault on one call is retried within the activity attempt (integrations/call-retry.ts),
 * against the QBO and Shopify emulators with injected faults, through the real clients and a real database.
 * Each case fails without the per-call retry (the attempt would throw), and every outcome is read back from QBO.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { ledgerEntries } from '../../db/schema';
import { QboValidationError, ShopifyRequestError, TransientUpstreamError } from '../../domain/errors';
import { mayRetryCall, retryDelayMs, withCallRetry } from '../../integrations/call-retry';
import { createQboClient, type QboClient } from '../../integrations/qbo/client';
import { createQboLimiter } from '../../integrations/qbo/limiter';
import { qboRateWindowStore } from '../../db/queries';
import { createShopifyClient, requestSafety } from '../../integrations/shopify/client';
import { createShopifyPacer } from '../../integrations/shopify/pacer';
import type { Activities } from '../../workflows/contracts';
import { pgliteDatabase } from '../support/db';
import {
  insertConnectedStore,
  qboReader,
  silentLogger,
  startWorld,
  testCipher,
  UNPACED,
  usSettings,
  worldActivities,
  type SyncWorld,
  type WorldOptions,
} from '../support/sync-fixture';
import type { Settings } from '../../domain/settings';

const cipher = testCipher();
const open: Array<{ world: SyncWorld; db: Database }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.world.close();
    await o.db.close();
  }
});

async function openShop(opts: WorldOptions, settings: (qbo: QboClient) => Promise<Settings> | Settings = () => usSettings()) {
  const db = await pgliteDatabase();
  const world = await startWorld(opts);
  open.push({ world, db });
  const qbo = qboReader(world, db.db);
  await insertConnectedStore(db.db, cipher, world, await settings(qbo));
  const activities: Activities = worldActivities(world, db.db, cipher);
  let run = 0;
  /** One page activity per call, as a run would; counts what the activities answered. */
  const syncAll = async () => {
    const runId = `retry-run-${run++}`;
    const total = { synced: 0, parked: 0, failed: 0, pages: 0 };
    let after: string | null = null;
    for (;;) {
      const page = await activities.syncOrdersPage({
        storeId: world.storeId,
        runId,
        windowFrom: null,
        windowTo: new Date().toISOString(),
        after,
      });
      total.synced += page.synced;
      total.parked += page.parked;
      total.failed += page.failed;
      total.pages++;
      if (!page.hasNextPage) return total;
      after = page.endCursor;
    }
  };
  const row = async (orderId: string, role = 'sale') => {
    const [r] = await db.db
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.storeId, world.storeId), eq(ledgerEntries.sourceKey, `order:${orderId}`), eq(ledgerEntries.role, role)));
    return r;
  };
  return { world, db, qbo, activities, syncAll, row };
}

type Order = SyncWorld['generated']['orders'][number];
const bookable = (o: Order) => !o.test && o.cancelledAt === null;

/** Every sales document in QBO, by DocNumber: a number held twice is a double booking. */
async function docNumbersHeldTwice(qbo: QboClient): Promise<string[]> {
  const docs = [...(await qbo.query('SalesReceipt')), ...(await qbo.query('Invoice'))];
  const seen = new Map<string, number>();
  for (const d of docs) seen.set(String(d.DocNumber), (seen.get(String(d.DocNumber)) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

describe('a sync activity attempt rides out single transient faults', () => {
  it('completes in one attempt through a QBO 429 on a batch and a Shopify 500 on an orders page, booking nothing twice', async () => {
    const shop = await openShop({ seed: 1301, orders: 12, days: 5 });
    shop.world.qbo.admin.setFaults([{ match: 'batch', rate429: 1, times: 1 }]);
    shop.world.shopify.admin.addFaults([{ match: 'orders', rate5xx: 1, times: 1 }]);

    // Each page activity is called once: any failure would reject here.
    const summary = await shop.syncAll();

    const qboLog = shop.world.qbo.admin.requestLog({ realmId: shop.world.realmId });
    expect(qboLog.filter((r) => r.status === 429)).toHaveLength(1);
    const shopifyLog = shop.world.shopify.admin.requests(shop.world.shopDomain);
    expect(shopifyLog.filter((r) => r.status === 500)).toHaveLength(1);
    expect(summary.failed).toBe(0);
    const expected = shop.world.generated.orders.filter(bookable);
    for (const o of expected) expect(await shop.row(o.id), o.name).toMatchObject({ status: expect.stringMatching(/synced|parked/) });
    expect(summary.synced + summary.parked).toBeGreaterThanOrEqual(expected.length);
    expect(await docNumbersHeldTwice(shop.qbo)).toEqual([]);
    // Nothing was left in doubt.
    const pending = await shop.db.db
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.storeId, shop.world.storeId), eq(ledgerEntries.status, 'pending')));
    expect(pending).toEqual([]);
  });

  it('sends a create whose answer was lost after QBO committed it again with the same requestid, and books it once', async () => {
    let bankId = '';
    const shop = await openShop({ seed: 72, orders: 10, days: 5 }, async (qbo) => {
      const bank = await qbo.create('Account', { Name: 'Manual Payments Bank', AccountType: 'Bank' }, { requestId: 'retry-bank-72' });
      bankId = String(bank.Id);
      return usSettings({ gateways: { manual: { depositAccountId: bankId } } });
    });
    const unpaid = shop.world.generated.orders.find((o) => bookable(o) && o.displayFinancialStatus === 'PENDING');
    expect(unpaid, 'the generated shop has an unpaid manual order').toBeDefined();
    await shop.syncAll();
    const invoiceRow = await shop.row(unpaid!.id);
    expect(invoiceRow).toMatchObject({ status: 'synced', qboType: 'Invoice' });

    // The order is paid; QBO commits the Payment and drops the connection before answering.
    shop.world.shopify.admin.markPaid(shop.world.shopDomain, unpaid!.id);
    shop.world.qbo.admin.setFaults([{ match: 'Payment:create', commitThenDrop: true, times: 1 }]);
    await shop.syncAll();

    const sends = shop.world.qbo.admin
      .requestLog({ realmId: shop.world.realmId })
      .filter((r) => r.entity?.toLowerCase() === 'payment' && r.method === 'POST');
    expect(sends).toHaveLength(2);
    expect(sends[0]).toMatchObject({ dropped: true, replayed: false });
    expect(sends[1]).toMatchObject({ dropped: false, replayed: true, requestId: sends[0]!.requestId });
    expect(sends[0]!.requestId).toBeTruthy();

    const booked = await shop.row(unpaid!.id, 'payment');
    expect(booked).toMatchObject({ status: 'synced', qboType: 'Payment', requestId: sends[0]!.requestId });
    const invoice = await shop.qbo.read('Invoice', invoiceRow!.qboId!);
    expect(invoice.Balance).toBe(0);
    const payments = await shop.qbo.query('Payment', `CustomerRef = '${String((invoice.CustomerRef as { value: string }).value)}'`);
    const linked = payments.filter((p) => JSON.stringify(p.Line).includes(`"TxnId":"${invoiceRow!.qboId!}"`));
    expect(linked).toHaveLength(1);
    expect(linked[0]!.Id).toBe(booked!.qboId);
  });

  it('does not send a create QBO refused (a validation fault) again within the attempt', async () => {
    let bankId = '';
    const shop = await openShop({ seed: 72, orders: 10, days: 5 }, async (qbo) => {
      const bank = await qbo.create('Account', { Name: 'Manual Payments Bank', AccountType: 'Bank' }, { requestId: 'retry-bank-72b' });
      bankId = String(bank.Id);
      return usSettings({ gateways: { manual: { depositAccountId: bankId } } });
    });
    const unpaid = shop.world.generated.orders.find((o) => bookable(o) && o.displayFinancialStatus === 'PENDING')!;
    await shop.syncAll();
    const bank = await shop.qbo.read('Account', bankId);
    await shop.qbo.update('Account', { Id: bankId, SyncToken: bank.SyncToken, Active: false });
    shop.world.shopify.admin.markPaid(shop.world.shopDomain, unpaid.id);
    await shop.syncAll();
    expect(await shop.row(unpaid.id, 'payment')).toMatchObject({ status: 'parked', reasonCode: 'qbo_validation' });
    const sends = shop.world.qbo.admin
      .requestLog({ realmId: shop.world.realmId })
      .filter((r) => r.entity?.toLowerCase() === 'payment' && r.method === 'POST');
    expect(sends).toHaveLength(1);
  });
});

describe('which calls the clients send again', () => {
  async function qboWithRetry() {
    const db = await pgliteDatabase();
    const world = await startWorld({ seed: 1302, orders: 1, days: 1 });
    open.push({ world, db });
    const issued = world.qbo.admin.issueTokens(world.realmId);
    const qbo = createQboClient({
      realmId: world.realmId,
      tokens: { storeId: 'retry', accessToken: async () => issued.accessToken },
      endpoint: world.qbo.v3Endpoint,
      limiter: createQboLimiter({ store: qboRateWindowStore(db.db), clock: () => new Date(), limits: UNPACED }),
      logger: silentLogger,
      throttleRetryAfterMs: 50,
      retry: { baseDelayMs: 20 },
    });
    const log = () => world.qbo.admin.requestLog({ realmId: world.realmId });
    return { world, qbo, log };
  }

  it('QBO: a batch of creates whose answer was lost is not sent again (it carries no requestid); a 429 on it is', async () => {
    const { world, qbo, log } = await qboWithRetry();
    world.qbo.admin.setFaults([{ match: 'batch', commitThenDrop: true, times: 1 }]);
    const item = { bId: 'b0', operation: 'create' as const, Customer: { DisplayName: 'Retry Once Customer' } };
    await expect(qbo.batch([item])).rejects.toBeInstanceOf(TransientUpstreamError);
    expect(log().filter((r) => r.path.includes('/batch'))).toHaveLength(1);
    expect(await qbo.query('Customer', "DisplayName = 'Retry Once Customer'")).toHaveLength(1);

    world.qbo.admin.setFaults([{ match: 'batch', rate429: 1, times: 1 }]);
    const second = { bId: 'b0', operation: 'create' as const, Customer: { DisplayName: 'Retry Throttled Customer' } };
    const [result] = await qbo.batch([second]);
    expect(result?.entity).toMatchObject({ DisplayName: 'Retry Throttled Customer' });
    expect(log().filter((r) => r.path.includes('/batch') && r.status === 429)).toHaveLength(1);
    expect(await qbo.query('Customer', "DisplayName = 'Retry Throttled Customer'")).toHaveLength(1);
  });

  it('QBO: reads go through a 5xx and a 429; a validation fault is thrown after one send', async () => {
    const { world, qbo, log } = await qboWithRetry();
    world.qbo.admin.setFaults([
      { match: 'Item:query', rate5xx: 1, status5xx: 502, times: 1 },
      { match: 'Account:query', rate429: 1, times: 1 },
    ]);
    expect((await qbo.query('Item')).length).toBeGreaterThan(0);
    expect((await qbo.query('Account')).length).toBeGreaterThan(0);
    const before = log().length;
    await expect(qbo.create('Customer', { Notes: 'no name' }, { requestId: 'retry-invalid-1' })).rejects.toBeInstanceOf(QboValidationError);
    expect(log().length - before).toBe(1);
  });

  it('Shopify: a query goes through a 500 and a 429; a mutation without an idempotency key is not sent again after a 500', async () => {
    const world = await startWorld({ seed: 1303, orders: 3, days: 1 });
    const db = await pgliteDatabase();
    open.push({ world, db });
    const shopify = createShopifyClient({
      shopDomain: world.shopDomain,
      accessToken: 'shpat_test',
      apiBaseUrl: world.shopify.url,
      pacer: createShopifyPacer(),
      logger: silentLogger,
      retry: { baseDelayMs: 20 },
    });
    const log = () => world.shopify.admin.requests(world.shopDomain);
    world.shopify.admin.addFaults([{ match: 'shop', rate5xx: 1, times: 1 }]);
    world.shopify.admin.addFaults([{ match: 'shop', rate429: 1, retryAfterSeconds: 1, times: 1 }]);
    const started = Date.now();
    expect((await shopify.shopInfo()).myshopifyDomain).toBe(world.shopDomain);
    expect(log().map((r) => r.status)).toEqual([500, 429, 200]);
    // Retry-After: 1 was honoured.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);

    world.shopify.admin.clearFaults();
    world.shopify.admin.addFaults([{ match: 'bulkOperationRunQuery', rate5xx: 1, times: 1 }]);
    const before = log().length;
    await expect(shopify.startBulkQuery('{ orders { edges { node { id } } } }')).rejects.toBeInstanceOf(TransientUpstreamError);
    expect(log().length - before).toBe(1);
  });

  it('classifies calls and errors', async () => {
    expect(requestSafety('query LedgerlineShop { shop { id } }')).toBe('repeatable');
    expect(requestSafety('{ shop { id } }')).toBe('repeatable');
    expect(requestSafety('mutation LedgerlineBulkStart($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } } }')).toBe(
      'once',
    );
    expect(
      requestSafety('mutation M($k: String!) { inventorySetQuantities(input: {}) @idempotent(key: $k) { userErrors { message } } }'),
    ).toBe('repeatable');
    const dropped = new TransientUpstreamError('no response', { networkCode: 'ECONNRESET' });
    const unavailable = new TransientUpstreamError('503', { status: 503 });
    expect(mayRetryCall(dropped, 'repeatable')).toBe(true);
    expect(mayRetryCall(dropped, 'once')).toBe(false);
    // A 503 may come from a gateway after the service committed: a write without a requestid is not sent again.
    expect(mayRetryCall(unavailable, 'once')).toBe(false);
    expect(mayRetryCall(unavailable, 'repeatable')).toBe(true);
    expect(mayRetryCall(new TransientUpstreamError('429', { status: 429 }), 'once')).toBe(true);
    expect(mayRetryCall(new QboValidationError('bad'), 'repeatable')).toBe(false);
    expect(mayRetryCall(new ShopifyRequestError('in progress', {}, true, 60_000), 'repeatable')).toBe(false);
    // Exponential ceiling with jitter; an asked-for wait is a floor.
    expect(retryDelayMs(dropped, 3, { baseDelayMs: 100, random: () => 0.999 })).toBeLessThanOrEqual(400);
    expect(retryDelayMs(dropped, 3, { baseDelayMs: 100, random: () => 0 })).toBeGreaterThanOrEqual(200);
    const throttled = new TransientUpstreamError('x', {});
    Object.assign(throttled, { retryAfterMs: 5000 });
    expect(retryDelayMs(throttled, 1, { random: () => 0 })).toBe(5000);
    // Bounded: the last failure goes on to Temporal.
    let sends = 0;
    await expect(
      withCallRetry({ attempts: 3, baseDelayMs: 1 }, { operation: 't', safety: 'repeatable' }, () => {
        sends++;
        return Promise.reject(dropped);
      }),
    ).rejects.toBe(dropped);
    expect(sends).toBe(3);
    // A wait asked for within the bound is kept in-process; beyond it the first failure goes to Temporal.
    const asked = (ms: number) => Object.assign(new TransientUpstreamError('throttled', { status: 429 }), { retryAfterMs: ms });
    for (const [ms, expected] of [
      [20, 2],
      [21, 1],
    ] as const) {
      let n = 0;
      const result = await withCallRetry({ maxWaitMs: 20, baseDelayMs: 1 }, { operation: 't', safety: 'once' }, () =>
        ++n === 1 ? Promise.reject(asked(ms)) : Promise.resolve('ok'),
      ).catch((e: unknown) => e);
      expect(n).toBe(expected);
      expect(result === 'ok').toBe(expected === 2);
    }
  });
});
