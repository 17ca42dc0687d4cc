/**
 * GET /stores/:id/stats (api/stores/stats.ts) and the QBO usage history behind it (qbo_usage_minutes, written by
 * the QBO limiter), on PGlite and PostgreSQL: ledger rows and usage written as the sync and the limiter write them,
 * calls made through the real QBO client and limiter against the QBO emulator, the answers read through inject.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../api/app';
import { createApiToken } from '../../api/tokens';
import type { StoreStats } from '../../api/stores/stats';
import type { Database } from '../../db/client';
import { addQboUsage, qboCredentialStore, qboRateWindowStore } from '../../db/queries';
import { ledgerEntries, qboUsageMinutes } from '../../db/schema';
import { QboThrottledError } from '../../domain/errors';
import { defaultCompany, startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { createQboClient } from '../../integrations/qbo/client';
import { createQboLimiter } from '../../integrations/qbo/limiter';
import { createTokenProvider } from '../../integrations/qbo/tokens';
import { processPacing } from '../support/app';
import { databaseKinds } from '../support/db';
import { insertStore, logger, testCipher } from '../integrations/helpers';

const ADMIN = `test-${randomBytes(12).toString('hex')}`;
const auth = { authorization: `Bearer ${ADMIN}` };
const DAY = 86_400_000;
const REALM = '9130350000000301';
const OTHER_REALM = '9130350000000302';
const cipher = testCipher();

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const today = Math.floor(Date.now() / DAY) * DAY;

describe.each(databaseKinds)('store stats on %s', (_kind, openDatabase) => {
  let database: Database;
  let emu: QboEmulatorHandle;
  let app: FastifyInstance;

  beforeAll(async () => {
    [database, emu] = await Promise.all([
      openDatabase(),
      startQboEmulator({
        companies: [defaultCompany({ realmId: REALM, country: 'US' }), defaultCompany({ realmId: OTHER_REALM, country: 'US' })],
        limits: false,
      }),
    ]);
    for (const [storeId, realmId] of [
      ['stats-a', REALM],
      ['stats-b', OTHER_REALM],
    ] as const) {
      const issued = emu.admin.issueTokens(realmId);
      await insertStore(database.db, cipher, {
        storeId,
        realmId,
        clientId: emu.clientId,
        clientSecret: emu.clientSecret,
        refreshToken: issued.refreshToken,
        accessToken: issued.accessToken,
        accessTokenExpiresAt: new Date(Date.now() + 3_600_000),
      });
    }
    app = await buildApp({
      database,
      temporal: async () => {
        throw new Error('Temporal is not needed by these routes');
      },
      apiToken: ADMIN,
      log: pino({ level: 'silent' }),
      cipher,
      taskQueue: 'stats-unused',
      ...processPacing(database.db),
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await emu?.close();
    await database?.close();
  });

  const row = (
    storeId: string,
    n: number,
    p: { sourceType: string; role: string; status?: string; at: number; qboId?: string | null },
  ) => ({
    storeId,
    sourceKey: `${p.sourceType}:gid://shopify/X/${n}`,
    role: p.role,
    sourceType: p.sourceType,
    status: p.status ?? 'synced',
    qboType: 'SalesReceipt',
    qboId: p.qboId === undefined ? String(n) : p.qboId,
    createdAt: new Date(p.at),
    updatedAt: new Date(p.at),
  });

  const get = (url: string, headers: Record<string, string> = auth) => app.inject({ method: 'GET', url, headers });

  it('counts synced documents per UTC day by kind, and zero-fills the days', async () => {
    const noon = today + 12 * 3_600_000;
    await database.db.insert(ledgerEntries).values([
      row('stats-a', 1, { sourceType: 'order', role: 'receipt', at: noon }),
      row('stats-a', 2, { sourceType: 'order', role: 'invoice', at: noon }),
      row('stats-a', 3, { sourceType: 'refund', role: 'refund', at: noon }),
      row('stats-a', 4, { sourceType: 'payout', role: 'deposit', at: noon - 2 * DAY }),
      row('stats-a', 5, { sourceType: 'order', role: 'receipt', at: today - 29 * DAY }),
      // Not counted: parked, synced without a QBO document, older than the window, another store.
      row('stats-a', 6, { sourceType: 'order', role: 'receipt', status: 'parked', at: noon, qboId: null }),
      row('stats-a', 7, { sourceType: 'order', role: 'receipt', at: noon, qboId: null }),
      row('stats-a', 8, { sourceType: 'order', role: 'receipt', at: today - 30 * DAY }),
      row('stats-b', 9, { sourceType: 'order', role: 'receipt', at: noon }),
    ]);
    const res = await get('/stores/stats-a/stats');
    expect(res.statusCode).toBe(200);
    const stats = res.json<StoreStats>();
    expect(stats).toMatchObject({ storeId: 'stats-a', realmId: REALM, days: 30, from: dayOf(today - 29 * DAY), to: dayOf(today) });
    expect(stats.limits).toEqual({ requestsPerMinute: 500, batchesPerMinute: 40, concurrent: 10 });
    expect(stats.series).toHaveLength(30);
    expect(stats.series.map((d) => d.day)).toEqual(Array.from({ length: 30 }, (_, i) => dayOf(today - (29 - i) * DAY)));
    const on = (ms: number) => stats.series.find((d) => d.day === dayOf(ms))!.documents;
    expect(on(today)).toEqual({ sales: 2, refunds: 1, payouts: 0, total: 3 });
    expect(on(today - 2 * DAY)).toEqual({ sales: 0, refunds: 0, payouts: 1, total: 1 });
    expect(on(today - 29 * DAY)).toEqual({ sales: 1, refunds: 0, payouts: 0, total: 1 });
    expect(on(today - DAY)).toEqual({ sales: 0, refunds: 0, payouts: 0, total: 0 });
    expect(stats.totals.documents).toEqual({ sales: 3, refunds: 1, payouts: 1, total: 5 });

    const week = (await get('/stores/stats-a/stats?days=1')).json<StoreStats>();
    expect(week.series).toHaveLength(1);
    expect(week.totals.documents).toEqual({ sales: 2, refunds: 1, payouts: 0, total: 3 });
    // The store's domain names it as its id does.
    expect((await get('/stores/stats-a.myshopify.com/stats?days=1')).json<StoreStats>().storeId).toBe('stats-a');
  });

  it('records QBO calls, batch calls and 429s per realm and minute through the real client and limiter', async () => {
    await database.db.delete(qboUsageMinutes);
    const limiter = createQboLimiter({
      store: qboRateWindowStore(database.db),
      clock: () => new Date(),
      limits: { requestsPerWindow: 1000, batchesPerWindow: 100, windowMs: 1000 },
    });
    const tokens = createTokenProvider({
      store: qboCredentialStore(database.db),
      cipher,
      storeId: 'stats-a',
      tokenUrl: emu.tokenUrl,
      clock: () => new Date(),
      logger,
    });
    const qbo = createQboClient({ realmId: REALM, tokens, endpoint: emu.v3Endpoint, limiter, logger });
    const before = Date.now();
    await qbo.companyInfo();
    await qbo.preferences();
    await qbo.batch([{ bId: 'q1', Query: 'select * from Account maxresults 1' }]);
    emu.admin.setFaults([{ match: '*', rate429: 1, times: 2 }]);
    await expect(qbo.companyInfo()).rejects.toBeInstanceOf(QboThrottledError);
    await expect(qbo.preferences()).rejects.toBeInstanceOf(QboThrottledError);
    emu.admin.clearFaults();
    // Nothing is written per call: the minute's tally waits for the minute to end (or a flush).
    const minuteOfFirst = Math.floor(before / 60_000) * 60_000;
    if (Date.now() < minuteOfFirst + 60_000) expect(await database.db.select().from(qboUsageMinutes)).toEqual([]);
    await limiter.flushUsage();

    const rows = await database.db.select().from(qboUsageMinutes).where(eq(qboUsageMinutes.realmId, REALM));
    const sum = (k: 'calls' | 'batches' | 'throttled') => rows.reduce((n, r) => n + r[k], 0);
    expect({ calls: sum('calls'), batches: sum('batches'), throttled: sum('throttled') }).toEqual({ calls: 5, batches: 1, throttled: 2 });
    expect(rows.every((r) => r.minute.getTime() % 60_000 === 0)).toBe(true);
    // As many calls as QBO saw (the emulator's log of this realm).
    expect(emu.admin.requestLog({ realmId: REALM }).length).toBe(5);

    const stats = (await get('/stores/stats-a/stats?days=1')).json<StoreStats>();
    expect(stats.totals.qbo).toMatchObject({ calls: 5, batches: 1, throttled: 2 });
    expect(stats.totals.qbo.peakCallsPerMinute).toBe(Math.max(...rows.map((r) => r.calls)));
    // The other store's realm made no call.
    expect((await get('/stores/stats-b/stats?days=1')).json<StoreStats>().totals.qbo).toEqual({
      calls: 0,
      batches: 0,
      throttled: 0,
      peakCallsPerMinute: 0,
      peakBatchesPerMinute: 0,
    });
  });

  it("adds several processes' tallies of one minute, finds each day's busiest minute, and prunes rows past 35 days", async () => {
    await database.db.delete(qboUsageMinutes);
    const m = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000);
    const yesterday = today - DAY + 10 * 3_600_000;
    await addQboUsage(database.db, { realmId: OTHER_REALM, minute: m(today - 36 * DAY), calls: 7, batches: 0, throttled: 0 });
    await addQboUsage(database.db, { realmId: REALM, minute: m(today - 36 * DAY), calls: 9, batches: 0, throttled: 0 });
    await addQboUsage(database.db, { realmId: OTHER_REALM, minute: m(yesterday), calls: 300, batches: 20, throttled: 0 });
    await addQboUsage(database.db, { realmId: OTHER_REALM, minute: m(yesterday), calls: 190, batches: 19, throttled: 1 });
    await addQboUsage(database.db, { realmId: OTHER_REALM, minute: m(yesterday + 60_000), calls: 12, batches: 1, throttled: 0 });
    const left = await database.db.select().from(qboUsageMinutes);
    // The realm's old row went with its first write; the other realm's stays until that realm writes again.
    expect(left.filter((r) => r.realmId === OTHER_REALM).map((r) => r.calls)).toEqual([490, 12]);
    expect(left.filter((r) => r.realmId === REALM).map((r) => r.calls)).toEqual([9]);

    const stats = (await get('/stores/stats-b/stats?days=2')).json<StoreStats>();
    expect(stats.series[0]).toEqual({
      day: dayOf(today - DAY),
      documents: { sales: 0, refunds: 0, payouts: 0, total: 0 },
      qbo: { calls: 502, batches: 40, throttled: 1, peakCallsPerMinute: 490, peakBatchesPerMinute: 39 },
    });
    expect(stats.series[1]!.qbo.calls).toBe(0);
  });

  it('answers precise 4xx: a bad days, an unknown parameter, no token, an unknown store, another store’s token (404)', async () => {
    for (const q of ['days=0', 'days=36', 'days=abc', 'days=1.5', 'days=', 'days=-1', 'since=2026-01-01']) {
      const res = await get(`/stores/stats-a/stats?${q}`);
      expect(res.statusCode, q).toBe(400);
    }
    expect((await get('/stores/stats-a/stats?days=35')).statusCode).toBe(200);
    expect((await get('/stores/stats-a/stats', {})).statusCode).toBe(401);
    expect((await get('/stores/stats-a/stats', { authorization: 'Bearer nope' })).statusCode).toBe(401);
    expect((await get('/stores/no-such-store/stats')).statusCode).toBe(404);
    const { token } = await createApiToken(database.db, { storeId: 'stats-b', scope: 'read' });
    // Another store's token gets the very 404 an unknown store gets (api/access.ts).
    const other = await get('/stores/stats-a/stats', { authorization: `Bearer ${token}` });
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain(REALM);
    expect((await get('/stores/stats-b/stats', { authorization: `Bearer ${token}` })).statusCode).toBe(200);
  });
});
