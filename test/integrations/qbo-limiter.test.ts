import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import { qboRateWindows } from '../../db/schema';
import { InvalidInputError } from '../../domain/errors';
import { defaultCompany, startQboEmulator } from '../../emulators/qbo';
import { createQboClient } from '../../integrations/qbo/client';
import { createQboLimiter, qboWindowGeometry, type QboCallKind, type QboLimits } from '../../integrations/qbo/limiter';
import { createTokenProvider } from '../../integrations/qbo/tokens';
import { databaseKinds } from '../support/db';
import { insertStore, logger, sleep, testCipher } from './helpers';
import { qboCredentialStore, qboRateWindowStore } from '../../db/queries';

const clock = () => new Date();

/** Waits for `condition` by polling, failing after `timeoutMs`. */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/** The most calls found in any sliding window (t − windowMs, t], the way QBO counts (docs/qbo-facts.md §1). */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let busiest = 0;
  let first = 0;
  sorted.forEach((t, i) => {
    while (sorted[first]! <= t - windowMs) first++;
    busiest = Math.max(busiest, i - first + 1);
  });
  return busiest;
}

/**
 * The rate sustained after the first window, as a fraction of `limit` calls per `windowMs`: how far
 * apart, on average, each call is from the call `limit` places before it (at best exactly one window,
 * since a call may go only once the one `limit` places back has left the window). Comparing the mean
 * of the last `limit` calls with the mean of the first `limit` ones keeps the spread of the opening
 * burst out of the figure.
 */
function sustainedFraction(times: number[], limit: number, windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const windows = (sorted.length - limit) / limit;
  return (windows * windowMs) / (mean(sorted.slice(-limit)) - mean(sorted.slice(0, limit)));
}

/** A call that stays in flight until the test opens its gate. */
function gated() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return { gate, open };
}

describe.each(databaseKinds)('QBO limiter on %s', (kind, openDatabase) => {
  let database: Database;

  beforeAll(async () => {
    database = await openDatabase();
  });

  afterAll(async () => {
    await database.close();
  });

  beforeEach(async () => {
    await database.db.delete(qboRateWindows);
  });

  /** The shared counters of one realm and bucket, oldest first (what every worker reads and bumps). */
  async function counters(realmId: string, bucket: QboCallKind) {
    return database.db
      .select()
      .from(qboRateWindows)
      .where(and(eq(qboRateWindows.realmId, realmId), eq(qboRateWindows.bucket, bucket)))
      .orderBy(asc(qboRateWindows.windowStart));
  }
  const total = async (realmId: string, bucket: QboCallKind) => (await counters(realmId, bucket)).reduce((sum, r) => sum + r.count, 0);

  it('never lets two workers that share the database exceed the limit in any sliding window', async () => {
    const limits = { requestsPerWindow: 5, windowMs: 600 };
    const workers = [
      createQboLimiter({ store: qboRateWindowStore(database.db), clock, limits }),
      createQboLimiter({ store: qboRateWindowStore(database.db), clock, limits }),
    ];
    const sent: number[] = [];
    await Promise.all(
      Array.from({ length: 22 }, (_, i) =>
        workers[i % 2]!.run('realm-slide', 'request', async () => {
          sent.push(Date.now());
        }),
      ),
    );
    expect(sent).toHaveLength(22);
    expect(busiestWindow(sent, limits.windowMs)).toBeLessThanOrEqual(5);
    // Not asserted (timing on a shared machine): how close to 5 calls per 600 ms the burst ran.
    console.info(
      `[qbo-limiter ${kind}] sliding window: sustained ${sustainedFraction(sent, 5, limits.windowMs).toFixed(3)} of the allowed rate`,
    );
  });

  /**
   * A limiter whose clock counts its reads. A call that finds its window full reads the clock twice
   * (under the lock, then to compute its sleep), so two reads by a lone call mean it is now waiting.
   */
  function watchedLimiter(limits: Partial<QboLimits>) {
    const watch = { reads: 0 };
    const limiter = createQboLimiter({ store: qboRateWindowStore(database.db), clock: () => (watch.reads++, new Date()), limits });
    return { limiter, watch };
  }

  it('counts a batch call in the batch window and in the request window', async () => {
    const limits = { requestsPerWindow: 3, batchesPerWindow: 1, windowMs: 60_000 };
    const limiter = createQboLimiter({ store: qboRateWindowStore(database.db), clock, limits });
    await limiter.run('realm-batch', 'batch', async () => undefined);
    // The batch window is full for a minute: a second batch waits…
    const stop = new AbortController();
    const sent: string[] = [];
    const batchWorker = watchedLimiter(limits);
    const secondBatch = batchWorker.limiter.run('realm-batch', 'batch', async () => sent.push('batch'), stop.signal);
    await until(() => batchWorker.watch.reads >= 2, 'the second batch call waits');
    // …while plain requests still go, until the request window is full too (the batch counted in it).
    await limiter.run('realm-batch', 'request', async () => undefined);
    await limiter.run('realm-batch', 'request', async () => undefined);
    const requestWorker = watchedLimiter(limits);
    const fourthRequest = requestWorker.limiter.run('realm-batch', 'request', async () => sent.push('request'), stop.signal);
    await until(() => requestWorker.watch.reads >= 2, 'the fourth request waits');
    stop.abort(new Error('sync cancelled'));
    await expect(secondBatch).rejects.toThrow('sync cancelled');
    await expect(fourthRequest).rejects.toThrow('sync cancelled');
    expect(sent).toEqual([]);
    expect(await total('realm-batch', 'batch')).toBe(1);
    expect(await total('realm-batch', 'request')).toBe(3);
  });

  it('keeps realms apart: one realm’s full window does not hold back another', async () => {
    const limits = { requestsPerWindow: 1, windowMs: 60_000 };
    const limiter = createQboLimiter({ store: qboRateWindowStore(database.db), clock, limits });
    await limiter.run('realm-busy', 'request', async () => undefined);
    const stop = new AbortController();
    let busySent = false;
    const busyWorker = watchedLimiter(limits);
    const busy = busyWorker.limiter.run(
      'realm-busy',
      'request',
      async () => {
        busySent = true;
      },
      stop.signal,
    );
    await until(() => busyWorker.watch.reads >= 2, 'the busy realm’s second call waits');
    expect(await limiter.run('realm-idle', 'request', async () => 'sent')).toBe('sent');
    stop.abort(new Error('worker shutting down'));
    await expect(busy).rejects.toThrow('worker shutting down');
    expect(busySent).toBe(false);
    expect(await total('realm-busy', 'request')).toBe(1);
    expect(await total('realm-idle', 'request')).toBe(1);
  });

  it('holds at most `concurrent` calls in flight per realm in one process', async () => {
    const limiter = createQboLimiter({ store: qboRateWindowStore(database.db), clock, limits: { concurrent: 2 } });
    const { gate, open } = gated();
    let active = 0;
    let peak = 0;
    const calls = Array.from({ length: 6 }, () =>
      limiter.run('realm-conc', 'request', async () => {
        peak = Math.max(peak, ++active);
        await gate;
        active--;
      }),
    );
    await until(() => active === 2, 'two calls are in flight');
    // Another realm's call through the same limiter and database: the queued four had every chance to start.
    await limiter.run('realm-other', 'request', async () => undefined);
    expect(active).toBe(2);
    expect(await total('realm-conc', 'request')).toBe(2);
    open();
    await Promise.all(calls);
    expect(peak).toBe(2);
    expect(await total('realm-conc', 'request')).toBe(6);
  });

  it('gives up a wait for a concurrency slot when the signal aborts, without losing the slot', async () => {
    const limiter = createQboLimiter({ store: qboRateWindowStore(database.db), clock, limits: { concurrent: 1 } });
    const { gate, open } = gated();
    let holding = false;
    const holder = limiter.run('realm-abort', 'request', async () => {
      holding = true;
      await gate;
    });
    await until(() => holding, 'the first call holds the only slot');
    const stop = new AbortController();
    const cancelled = limiter.run('realm-abort', 'request', async () => 'cancelled call sent', stop.signal);
    // Once the microtasks have run, the cancelled call is parked on the slot and the next one queues behind it.
    await new Promise((resolve) => setImmediate(resolve));
    const next = limiter.run('realm-abort', 'request', async () => 'next');
    stop.abort(new Error('activity cancelled'));
    await expect(cancelled).rejects.toThrow('activity cancelled');
    open();
    await holder;
    expect(await next).toBe('next');
    // An already aborted signal never takes a slot.
    await expect(limiter.run('realm-abort', 'request', async () => 'late', stop.signal)).rejects.toThrow('activity cancelled');
    expect(await total('realm-abort', 'request')).toBe(2);
  });

  describe('with a clock the test moves', () => {
    const windowMs = 1_000;
    const { bucketMs, spanMs } = qboWindowGeometry(windowMs);
    const t0 = Math.floor(Date.UTC(2026, 0, 5, 10) / bucketMs) * bucketMs;
    const bucketOf = (offset: number) => Math.floor((t0 + offset) / bucketMs) * bucketMs - t0;
    let now = t0;
    let reads = 0;
    const movedClock = () => {
      reads++;
      return new Date(now);
    };
    const rows = async (realmId: string) => (await counters(realmId, 'request')).map((r) => [r.windowStart.getTime() - t0, r.count]);

    beforeEach(() => {
      now = t0;
      reads = 0;
    });

    it('lets a call go the moment the oldest bucket leaves the window, and clears buckets that no longer count', async () => {
      const limiter = createQboLimiter({
        store: qboRateWindowStore(database.db),
        clock: movedClock,
        limits: { requestsPerWindow: 2, windowMs },
      });
      await limiter.run('realm-clock', 'request', async () => undefined);
      now = t0 + 600;
      await limiter.run('realm-clock', 'request', async () => undefined);
      // Full until the first call's bucket leaves the window: window + bucket + margin after it began.
      now = t0 + spanMs - 1;
      let sentAt: number | undefined;
      const third = limiter.run('realm-clock', 'request', async () => {
        sentAt = now;
      });
      // Two reads per finished call (reservation, completion); a waiting call has read twice too.
      await until(() => reads >= 6, 'the third call waits');
      expect(sentAt).toBeUndefined();
      now = t0 + spanMs;
      await third;
      expect(sentAt).toBe(t0 + spanMs);
      // Its new bucket's first call deleted the bucket that had left the window.
      expect(await rows('realm-clock')).toEqual([
        [bucketOf(600), 1],
        [bucketOf(spanMs), 1],
      ]);
      now = t0 + 600 + spanMs;
      await limiter.run('realm-clock', 'request', async () => undefined);
      expect(await rows('realm-clock')).toEqual([
        [bucketOf(spanMs), 1],
        [bucketOf(600 + spanMs), 1],
      ]);
    });

    it('counts a finished call from its completion, which is never before QBO saw it', async () => {
      const limiter = createQboLimiter({
        store: qboRateWindowStore(database.db),
        clock: movedClock,
        limits: { requestsPerWindow: 1, windowMs },
      });
      // A slow call: reserved at t0, answered 500 ms later.
      await limiter.run('realm-slow', 'request', async () => {
        now = t0 + 500;
      });
      expect(await rows('realm-slow')).toEqual([
        [0, 0],
        [bucketOf(500), 1],
      ]);
      // A window after its reservation it still counts, until a window after its completion.
      now = t0 + spanMs;
      let sentAt: number | undefined;
      const next = limiter.run('realm-slow', 'request', async () => {
        sentAt = now;
      });
      await until(() => reads >= 4, 'the next call waits');
      expect(sentAt).toBeUndefined();
      now = t0 + bucketOf(500) + spanMs;
      await next;
      expect(sentAt).toBe(t0 + bucketOf(500) + spanMs);
    });
    it('keeps a call that runs longer than the window counted until it is over', async () => {
      const limiter = createQboLimiter({
        store: qboRateWindowStore(database.db),
        clock: movedClock,
        limits: { requestsPerWindow: 1, windowMs },
      });
      const { gate, open } = gated();
      let running = false;
      const long = limiter.run('realm-long', 'request', async () => {
        running = true;
        await gate;
      });
      await until(() => running, 'the long call runs');
      // Five windows later it is still running: every half window (real time) it moves to the latest bucket.
      now = t0 + 5_000;
      await until(
        async () => (await rows('realm-long')).some(([start, count]) => start === bucketOf(5_000) && count === 1),
        'the running call moved forward',
      );
      // Another worker's call waits for it (its clock reads are counted apart from the long call's moves).
      let otherReads = 0;
      const otherClock = () => {
        otherReads++;
        return new Date(now);
      };
      let sentAt: number | undefined;
      const next = createQboLimiter({
        store: qboRateWindowStore(database.db),
        clock: otherClock,
        limits: { requestsPerWindow: 1, windowMs },
      }).run('realm-long', 'request', async () => {
        sentAt = now;
      });
      await until(() => otherReads >= 2, 'the next call waits');
      open();
      await long;
      expect(sentAt).toBeUndefined();
      now = t0 + bucketOf(5_000) + spanMs;
      await next;
      expect(sentAt).toBe(t0 + bucketOf(5_000) + spanMs);
    });
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => createQboLimiter({ store: qboRateWindowStore(database.db), clock, limits: { requestsPerWindow: 0 } })).toThrow(
      InvalidInputError,
    );
    expect(() => createQboLimiter({ store: qboRateWindowStore(database.db), clock, limits: { windowMs: 1.5 } })).toThrow(
      'QBO limit windowMs must be a positive integer (got 1.5)',
    );
  });
});

describe.each(databaseKinds)('QBO limiter on %s against the emulator’s sliding-window throttle', (kind, openDatabase) => {
  it('lets two workers burst through one realm without a single 429', async () => {
    const realmId = '9130350000000301';
    // timeScale 60: QBO's per-minute windows last one second; 20 calls and 4 batch calls in any of them.
    const timeScale = 60;
    const windowMs = 60_000 / timeScale;
    const perWindow = 20;
    const emu = await startQboEmulator({
      companies: [defaultCompany({ realmId, country: 'US' })],
      timeScale,
      limits: { requestsPerMinute: perWindow, batchesPerMinute: 4, concurrent: 10 },
    });
    const database = await openDatabase();
    try {
      const cipher = testCipher();
      const issued = emu.admin.issueTokens(realmId);
      await insertStore(database.db, cipher, {
        storeId: 'store-burst',
        realmId,
        clientId: emu.clientId,
        clientSecret: emu.clientSecret,
        refreshToken: issued.refreshToken,
        accessToken: issued.accessToken,
        accessTokenExpiresAt: new Date(Date.now() + 3_600_000),
      });
      // Two workers: the emulator's 10 concurrent calls per realm are split between them (docs/NOTES.md).
      const limits = { concurrent: 5, requestsPerWindow: perWindow, batchesPerWindow: 4, windowMs };
      const clients = [0, 1].map(() =>
        createQboClient({
          realmId,
          tokens: createTokenProvider({
            store: qboCredentialStore(database.db),
            cipher,
            storeId: 'store-burst',
            tokenUrl: emu.tokenUrl,
            clock,
            logger,
          }),
          endpoint: emu.v3Endpoint,
          limiter: createQboLimiter({ store: qboRateWindowStore(database.db), clock, limits }),
          logger,
        }),
      );
      const calls = 120;
      await Promise.all(
        Array.from({ length: calls }, (_, i) => {
          const client = clients[i % 2]!;
          return i % 6 === 5 ? client.batch([{ bId: 'q', Query: 'select * from Account maxresults 1' }]) : client.companyInfo();
        }),
      );
      const log = emu.admin.requestLog({ realmId });
      expect(log.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
      expect(log).toHaveLength(calls);
      // Not asserted (timing on a shared 2-core machine): how close the burst ran to the allowed rate.
      const times = log.map((r) => Date.parse(r.time));
      console.info(
        `[qbo-limiter ${kind} + emulator] ${calls} calls (20 batch) in ${Math.max(...times) - Math.min(...times)} ms, ` +
          `${perWindow} per ${windowMs} ms window allowed: sustained ${sustainedFraction(times, perWindow, windowMs).toFixed(3)} of the allowed rate, ` +
          `busiest window ${busiestWindow(times, windowMs)}`,
      );
    } finally {
      await database.close();
      await emu.close();
    }
  });
});
