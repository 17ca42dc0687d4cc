import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import { qboRateWindows, stores } from '../../db/schema';
import { defaultCompany, startQboEmulator } from '../../emulators/qbo';
import { createQboClient } from '../../integrations/qbo/client';
import { createQboLimiter, type QboLimiter } from '../../integrations/qbo/limiter';
import { createTokenProvider } from '../../integrations/qbo/tokens';
import { databaseKinds } from '../support/db';
import { insertStore, logger, sleep, testCipher } from './helpers';

const clock = () => new Date();

describe.each(databaseKinds)('QBO limiter on %s', (_kind, open) => {
  let database: Database;

  beforeAll(async () => {
    database = await open();
  });

  afterAll(async () => {
    await database.close();
  });

  beforeEach(async () => {
    await database.db.delete(qboRateWindows);
  });

  /** Runs `count` calls spread over the limiters; returns how long the burst took. */
  async function burst(limiters: QboLimiter[], count: number, realmId: string, kind: 'request' | 'batch' = 'request'): Promise<number> {
    const started = Date.now();
    await Promise.all(Array.from({ length: count }, (_, i) => limiters[i % limiters.length]!.run(realmId, kind, async () => undefined)));
    return Date.now() - started;
  }

  /** The shared counters, window by window (what every worker reads and bumps). */
  async function windowCounts(realmId: string, bucket: string): Promise<number[]> {
    const rows = await database.db.select().from(qboRateWindows)
      .where(and(eq(qboRateWindows.realmId, realmId), eq(qboRateWindows.bucket, bucket)))
      .orderBy(asc(qboRateWindows.windowStart));
    return rows.map((r) => r.count);
  }

  it('caps the calls per window across two workers that share the database', async () => {
    const limits = { requestsPerWindow: 4, windowMs: 400 };
    const workers = [createQboLimiter({ db: database.db, clock, limits }), createQboLimiter({ db: database.db, clock, limits })];
    const elapsed = await burst(workers, 10, 'realm-cap');
    // 10 calls at 4 per window need three windows or more; the third starts at least a window later.
    const counts = await windowCounts('realm-cap', 'request');
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...counts)).toBe(4);
    expect(counts.length).toBeGreaterThanOrEqual(3);
    expect(elapsed).toBeGreaterThanOrEqual(400);
  });

  it('counts batch calls in their own, smaller bucket', async () => {
    const limits = { requestsPerWindow: 100, batchesPerWindow: 1, windowMs: 300 };
    const workers = [createQboLimiter({ db: database.db, clock, limits }), createQboLimiter({ db: database.db, clock, limits })];
    const elapsed = await burst(workers, 3, 'realm-batch', 'batch');
    expect(await windowCounts('realm-batch', 'batch')).toEqual([1, 1, 1]);
    // Each batch call also counts as a request, in the window it was sent in.
    expect((await windowCounts('realm-batch', 'request')).reduce((a, b) => a + b, 0)).toBe(3);
    expect(elapsed).toBeGreaterThanOrEqual(300);
  });

  it('keeps realms apart: one realm’s full window does not hold back another', async () => {
    const limiter = createQboLimiter({ db: database.db, clock, limits: { requestsPerWindow: 1, windowMs: 60_000 } });
    await limiter.run('realm-busy', 'request', async () => undefined);
    const started = Date.now();
    await limiter.run('realm-idle', 'request', async () => undefined);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('holds at most `concurrent` calls in flight per realm in one process', async () => {
    const limiter = createQboLimiter({ db: database.db, clock, limits: { concurrent: 2 } });
    let active = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 6 }, () => limiter.run('realm-conc', 'request', async () => {
      peak = Math.max(peak, ++active);
      await sleep(30);
      active--;
    })));
    expect(peak).toBe(2);
  });
});

describe('QBO limiter against the emulator’s throttle', () => {
  it('lets two workers burst through one realm without a single 429', async () => {
    const realmId = '9130350000000301';
    // timeScale 60: QBO's per-minute limit applies per sliding second; 6 requests a second here.
    const emu = await startQboEmulator({ companies: [defaultCompany({ realmId, country: 'US' })], timeScale: 60, limits: { requestsPerMinute: 6 } });
    const database = await databaseKinds[0][1]();
    try {
      const cipher = testCipher();
      const issued = emu.admin.issueTokens(realmId);
      await database.db.delete(stores);
      await insertStore(database.db, cipher, {
        storeId: 'store-burst', realmId, clientId: emu.clientId, clientSecret: emu.clientSecret,
        refreshToken: issued.refreshToken, accessToken: issued.accessToken, accessTokenExpiresAt: new Date(Date.now() + 3_600_000),
      });
      // A sliding second overlaps at most 3 windows of 500 ms: ≤ 3 calls, leaving room for calls that
      // took their slot in one window and reached QBO late (a loaded test machine).
      const limits = { requestsPerWindow: 1, windowMs: 500 };
      const clients = [0, 1].map(() => createQboClient({
        realmId,
        tokens: createTokenProvider({ db: database.db, cipher, storeId: 'store-burst', tokenUrl: emu.tokenUrl, clock, logger }),
        endpoint: emu.v3Endpoint,
        limiter: createQboLimiter({ db: database.db, clock, limits }),
        logger,
      }));
      await Promise.all(Array.from({ length: 8 }, (_, i) => clients[i % 2]!.companyInfo()));
      const statuses = emu.admin.requestLog({ realmId }).map((r) => r.status);
      expect(statuses).toHaveLength(8);
      expect(statuses.filter((s) => s === 429)).toEqual([]);
    } finally {
      await database.close();
      await emu.close();
    }
  });
});
