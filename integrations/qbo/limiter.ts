/**
 * QBO's per-realm limits (API-FACTS §1), kept by pacing rather than by retrying after 429s:
 * - at most `concurrent` calls in flight per realm in this process. QBO allows 10 per realm; with N
 *   worker processes configure floor(10 / N) (an in-process semaphore cannot see other processes);
 * - at most `requestsPerWindow` calls and `batchesPerWindow` batch calls per realm per window, counted
 *   in PostgreSQL (`qbo_rate_windows`) so every worker shares one count. A call that finds its window
 *   full waits for the next one. Windows are aligned on the epoch, so workers whose clocks agree (NTP)
 *   share them. A batch call counts in both buckets, since QBO does not say it is exempt from the
 *   per-minute request limit.
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { qboRateWindows } from '../../db/schema';
import { InvalidInputError } from '../../domain/errors';

export interface QboLimits {
  concurrent: number;
  requestsPerWindow: number;
  batchesPerWindow: number;
  windowMs: number;
}

/**
 * API-FACTS §1 allows 500 requests and 40 batch calls per minute. Counting in fixed windows, a sliding
 * minute can overlap 11 windows of 6 s, so 45 and 3 per 6 s keep any minute at ≤ 495 and ≤ 33 however
 * QBO slides its own window, and sustain 450 requests a minute (API-FACTS §1's design note).
 */
export const QBO_DEFAULT_LIMITS: QboLimits = { concurrent: 10, requestsPerWindow: 45, batchesPerWindow: 3, windowMs: 6_000 };

export type QboCallKind = 'request' | 'batch';

export interface QboLimiter {
  readonly limits: QboLimits;
  /** Runs `fn` once the realm has a free slot and room in its window(s). */
  run<T>(realmId: string, kind: QboCallKind, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export interface QboLimiterOptions {
  db: Db;
  clock: () => Date;
  limits?: Partial<QboLimits>;
}

// The first call of a new window deletes older windows, keeping a few for operators to look at.
const WINDOWS_KEPT = 10;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted while waiting for a QBO rate window'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}

  async acquire(): Promise<() => void> {
    if (this.active < this.size) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; `active` only drops when nobody waits.
      if (next) next();
      else this.active--;
    };
  }
}

export function createQboLimiter(opts: QboLimiterOptions): QboLimiter {
  const limits: QboLimits = { ...QBO_DEFAULT_LIMITS, ...opts.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new InvalidInputError(`QBO limit ${name} must be a positive integer (got ${value})`);
  }
  const { db, clock } = opts;
  const semaphores = new Map<string, Semaphore>();

  async function takeWindowSlot(realmId: string, bucket: QboCallKind, limit: number, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const nowMs = clock().getTime();
      const start = Math.floor(nowMs / limits.windowMs) * limits.windowMs;
      // One atomic statement: the count only grows while it is below the limit, whoever else is counting.
      const rows = await db
        .insert(qboRateWindows)
        .values({ realmId, bucket, windowStart: new Date(start), count: 1 })
        .onConflictDoUpdate({
          target: [qboRateWindows.realmId, qboRateWindows.bucket, qboRateWindows.windowStart],
          set: { count: sql`${qboRateWindows.count} + 1` },
          setWhere: sql`${qboRateWindows.count} < ${limit}`,
        })
        .returning({ count: qboRateWindows.count });
      const taken = rows[0];
      if (taken) {
        if (taken.count === 1) {
          await db.delete(qboRateWindows).where(and(
            eq(qboRateWindows.realmId, realmId),
            lt(qboRateWindows.windowStart, new Date(start - WINDOWS_KEPT * limits.windowMs)),
          ));
        }
        return;
      }
      await sleep(start + limits.windowMs - nowMs, signal);
    }
  }

  return {
    limits,
    async run(realmId, kind, fn, signal) {
      let sem = semaphores.get(realmId);
      if (!sem) semaphores.set(realmId, (sem = new Semaphore(limits.concurrent)));
      const release = await sem.acquire();
      try {
        if (kind === 'batch') await takeWindowSlot(realmId, 'batch', limits.batchesPerWindow, signal);
        await takeWindowSlot(realmId, 'request', limits.requestsPerWindow, signal);
        return await fn();
      } finally {
        release();
      }
    },
  };
}
