/**
 * QBO's per-realm limits (docs/qbo-facts.md §1), kept by pacing rather than by retrying after 429s:
 * - at most `concurrent` calls in flight per realm in this process. QBO allows 10 per realm; with N
 *   worker processes configure floor(10 / N) (an in-process semaphore cannot see other processes);
 * - at most `requestsPerWindow` calls and `batchesPerWindow` batch calls per realm in any SLIDING
 *   window of `windowMs`, the way QBO counts them (and the emulator, emulators/qbo/api/limits.ts: a
 *   call is refused when `limit` calls reached it in the window before it). Calls are counted in
 *   narrow time buckets in PostgreSQL (`qbo_rate_windows`, through QboRateWindowStore: db/queries/rate-windows.ts),
 *   read and bumped under a per-(realm, bucket) advisory transaction lock, so every worker shares one count. A batch call counts in both buckets,
 *   since QBO does not say it is exempt from the per-minute request limit.
 *
 * When a call counts. QBO counts a call when it arrives, somewhere between the moment we take its slot
 * and the moment its answer is back. A call takes its slot in the bucket of "now" (a reservation);
 * while it runs it is moved forward every half window, and once it is over it moves to the bucket of
 * its completion, which is never before its arrival. A bucket counts while its start is less than
 * `windowMs + bucketMs + marginMs` ago. So a new call, which reaches QBO after taking its slot, always
 * sees every call that QBO still counts — finished ones by their completion, running ones by their
 * latest bucket — however long requests took to reach QBO on a loaded machine (counting from the
 * reservation alone would need a guess of that delay, and a loaded test machine exceeded 50 ms).
 * The price is the time from a call's arrival to its answer, added to its stay in the window.
 * `marginMs` only covers clock differences between worker machines (NTP). A call that finds the
 * window full sleeps until exactly enough old buckets have left it, then checks again (others may
 * have taken the room meanwhile).
 *
 * Usage history (the store page's chart). The buckets above are forgotten once they leave the window, so the
 * limiter also tallies, per realm and wall-clock minute, the calls that took a slot, the batch calls among them
 * and the calls QBO answered with 429, in memory, and adds each minute's tally to the store's `recordUsage`
 * (qbo_usage_minutes) once: when the first call of a later minute arrives, or a timer shortly after the minute
 * ends, or `flushUsage()`. The write is additive, so several processes' tallies of one minute sum up. A failed
 * write loses that tally and nothing else: it never delays or fails a call.
 */
import { InvalidInputError, QboThrottledError } from '../../domain/errors';

export interface QboLimits {
  /** Calls in flight at once per realm, in this process. */
  concurrent: number;
  /** Calls (of either kind) per realm in any sliding window. */
  requestsPerWindow: number;
  /** Batch calls per realm in any sliding window. */
  batchesPerWindow: number;
  /** Length of the sliding window; 60 000 / timeScale against a time-compressed emulator. */
  windowMs: number;
}

/**
 * docs/qbo-facts.md §1: 500 requests and 40 batch calls per minute and 10 concurrent requests per realm.
 * 490 leaves a little room for calls to the realm that do not pass through this limiter (an
 * operator's script). Batches go at the full 40: the window geometry already covers the timing
 * uncertainty (see the header).
 */
export const QBO_DEFAULT_LIMITS: QboLimits = { concurrent: 10, requestsPerWindow: 490, batchesPerWindow: 40, windowMs: 60_000 };

export type QboCallKind = 'request' | 'batch';

export interface QboLimiter {
  readonly limits: QboLimits;
  /** Runs `fn` once the realm has a free slot and room in its window(s); `signal` abandons the wait. */
  run<T>(realmId: string, kind: QboCallKind, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** createQboLimiter's limiter, which also keeps the usage history (see the header). */
export interface QboUsageLimiter extends QboLimiter {
  /** Writes the usage tallies not written yet (the current minute's too); at shutdown and in tests. */
  flushUsage(): Promise<void>;
}

/** One realm's calls in one minute, as `recordUsage` adds them. */
export interface QboUsageTally {
  calls: number;
  batches: number;
  throttled: number;
}

/** One bucket's count of calls (a row of qbo_rate_windows). */
export interface RateWindowCount {
  bucket: string;
  windowStart: Date;
  count: number;
}

interface RateWindowOps {
  /** The buckets' counts that started after `since`, oldest first. */
  countsSince(realmId: string, buckets: readonly QboCallKind[], since: Date): Promise<RateWindowCount[]>;
  /** Adds one call to each bucket at `windowStart` in one step; answers the new counts. */
  addCall(realmId: string, buckets: readonly QboCallKind[], windowStart: Date): Promise<Array<{ bucket: string; count: number }>>;
  /** Forgets the buckets' counts that started at or before `until`. */
  clearUpTo(realmId: string, buckets: readonly QboCallKind[], until: Date): Promise<void>;
}

/** Where the counts live, shared by every process that calls the realm. */
export interface QboRateWindowStore extends RateWindowOps {
  /** Removes one call from each bucket at `windowStart` (never below zero). */
  removeCall(realmId: string, buckets: readonly QboCallKind[], windowStart: Date): Promise<void>;
  /**
   * Runs `body` as one atomic step holding a lock per (realm, bucket), taken in the order given;
   * the operations handed to it are part of that step.
   */
  withLocks<T>(realmId: string, buckets: readonly QboCallKind[], body: (locked: RateWindowOps) => Promise<T>): Promise<T>;
  /** Adds a minute's tally to the realm's usage history (additive); absent: no history is kept. */
  recordUsage?(realmId: string, minute: Date, tally: QboUsageTally): Promise<void>;
}

export interface QboLimiterOptions {
  store: QboRateWindowStore;
  clock: () => Date;
  limits?: Partial<QboLimits>;
}

export interface QboWindowGeometry {
  /** Width of one counting bucket (a row of qbo_rate_windows): windowMs / 60, at least 1 ms. */
  bucketMs: number;
  /** Allowance for clock differences between worker machines. */
  marginMs: number;
  /** How long a bucket's calls count after the bucket starts: windowMs + bucketMs + marginMs. */
  spanMs: number;
}

/** NTP keeps machines within a few milliseconds; 1/240 of the window (250 ms for QBO's minute) when larger. */
const MIN_MARGIN_MS = 10;

export function qboWindowGeometry(windowMs: number): QboWindowGeometry {
  const bucketMs = Math.max(1, Math.floor(windowMs / 60));
  const marginMs = Math.max(MIN_MARGIN_MS, Math.ceil(windowMs / 240));
  return { bucketMs, marginMs, spanMs: windowMs + bucketMs + marginMs };
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted while waiting for a QBO rate limit slot');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal!));
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

  async acquire(signal: AbortSignal | undefined): Promise<() => void> {
    if (signal?.aborted) throw abortError(signal);
    if (this.active < this.size) this.active++;
    else {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const at = this.waiting.indexOf(grant);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(abortError(signal!));
        };
        const grant = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        this.waiting.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
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

interface BucketLimit {
  bucket: QboCallKind;
  limit: number;
}

/**
 * When the counted calls (`rows`, oldest first) leave room for one more, or else the moment enough
 * of the oldest buckets stop counting: a bucket counts while its start is after `now - spanMs`.
 */
function roomAt(rows: { windowStart: Date; count: number }[], limit: number, spanMs: number): number | undefined {
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  if (total < limit) return undefined;
  let leaving = 0;
  for (const row of rows) {
    leaving += row.count;
    if (total - leaving < limit) return row.windowStart.getTime() + spanMs;
  }
  // Unreachable: once every row has left, total - leaving = 0 < limit.
  return rows.at(-1)!.windowStart.getTime() + spanMs;
}

export function createQboLimiter(opts: QboLimiterOptions): QboUsageLimiter {
  const limits: QboLimits = { ...QBO_DEFAULT_LIMITS, ...opts.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new InvalidInputError(`QBO limit ${name} must be a positive integer (got ${value})`);
  }
  const { store, clock } = opts;
  const { bucketMs, spanMs } = qboWindowGeometry(limits.windowMs);
  const semaphores = new Map<string, Semaphore>();
  const probers = new Map<string, Semaphore>();

  const bucketStart = (ms: number): Date => new Date(Math.floor(ms / bucketMs) * bucketMs);
  const usage = usageTallies(store);

  /**
   * One attempt, in one transaction: reserves a slot in every bucket of `wanted` and returns the
   * reservation's bucket start, or reserves none and returns when to try again. Locks are taken in a
   * fixed order (batch before request), so a batch call and a plain call cannot deadlock.
   */
  function attempt(realmId: string, wanted: BucketLimit[]): Promise<{ reserved: Date } | { retryAt: number }> {
    const buckets = wanted.map((w) => w.bucket);
    // The store takes the locks in the order of `wanted`: batch before request.
    return store.withLocks(realmId, buckets, async (locked) => {
      // Read under the locks: the order of `nowMs` across workers is the order of their slots.
      const nowMs = clock().getTime();
      const since = new Date(nowMs - spanMs);
      const rows = await locked.countsSince(realmId, buckets, since);
      let retryAt: number | undefined;
      for (const { bucket, limit } of wanted) {
        const at = roomAt(
          rows.filter((r) => r.bucket === bucket),
          limit,
          spanMs,
        );
        if (at !== undefined) retryAt = Math.max(retryAt ?? at, at);
      }
      if (retryAt !== undefined) return { retryAt };
      const reserved = bucketStart(nowMs);
      const counts = await locked.addCall(realmId, buckets, reserved);
      // The first call of a bucket clears the buckets that no longer count (once per bucket width).
      const fresh = counts.filter((c) => c.count === 1).map((c) => c.bucket as QboCallKind);
      if (fresh.length > 0) await locked.clearUpTo(realmId, fresh, since);
      return { reserved };
    });
  }

  /**
   * Moves one call's count from the bucket `from` to the later bucket `to`. Two steps, add first:
   * a reader in between sees the call twice (holds back a little), never zero times, so no lock is
   * needed. The `from` row may be gone already (cleared once it left the window): nothing to remove.
   */
  async function shift(realmId: string, buckets: QboCallKind[], from: Date, to: Date): Promise<void> {
    await store.addCall(realmId, buckets, to);
    await store.removeCall(realmId, buckets, from);
  }

  /**
   * Keeps a running call counted at a recent bucket (half a window at most behind: it never leaves
   * the window while it runs), and once it is over, at the bucket of its completion. Moves run one
   * after the other. A failed move leaves the call counted where it was: the call happened whatever
   * the database says now, its result (or error) is what the caller needs, and the next reservation
   * meets the same database and reports its failure.
   */
  function tracker(realmId: string, buckets: QboCallKind[], reserved: Date) {
    let counted = reserved;
    let moves = Promise.resolve();
    const moveToNow = (): Promise<void> => {
      moves = moves
        .then(async () => {
          const to = bucketStart(clock().getTime());
          if (to.getTime() <= counted.getTime()) return;
          await shift(realmId, buckets, counted, to);
          counted = to;
        })
        .catch(() => undefined);
      return moves;
    };
    const keepAlive = setInterval(() => void moveToNow(), Math.max(1, Math.floor(limits.windowMs / 2)));
    keepAlive.unref();
    return {
      finished(): Promise<void> {
        clearInterval(keepAlive);
        return moveToNow();
      },
    };
  }

  const semaphoreFor = (key: string, size: number, map: Map<string, Semaphore>): Semaphore => {
    let sem = map.get(key);
    if (!sem) map.set(key, (sem = new Semaphore(size)));
    return sem;
  };

  /** Waits for a concurrency slot and a reservation in the window(s) of `kind`. */
  async function admit(realmId: string, kind: QboCallKind, signal: AbortSignal | undefined) {
    const wanted: BucketLimit[] =
      kind === 'batch'
        ? [
            { bucket: 'batch', limit: limits.batchesPerWindow },
            { bucket: 'request', limit: limits.requestsPerWindow },
          ]
        : [{ bucket: 'request', limit: limits.requestsPerWindow }];
    const buckets = wanted.map((w) => w.bucket);
    const inFlight = semaphoreFor(realmId, limits.concurrent, semaphores);
    // One prober per realm and kind in this process, the others queue behind it: they would learn
    // nothing more from the database and only add round trips each time a bucket leaves the window.
    const leaveQueue = await semaphoreFor(`${realmId}:${kind}`, 1, probers).acquire(signal);
    try {
      for (;;) {
        const release = await inFlight.acquire(signal);
        let outcome: Awaited<ReturnType<typeof attempt>>;
        try {
          if (signal?.aborted) throw abortError(signal);
          // The slot is reserved last, right before the call, so the reservation is close to its arrival.
          outcome = await attempt(realmId, wanted);
        } catch (err) {
          release();
          throw err;
        }
        if ('reserved' in outcome) return { release, buckets, reserved: outcome.reserved };
        // No concurrency slot is held while waiting for the window: other kinds of call may use it.
        release();
        await sleep(Math.max(1, outcome.retryAt - clock().getTime()), signal);
      }
    } finally {
      leaveQueue();
    }
  }

  return {
    limits,
    async run(realmId, kind, fn, signal) {
      const slot = await admit(realmId, kind, signal);
      const count = tracker(realmId, slot.buckets, slot.reserved);
      // Counted in the minute of its reservation (no further read of the clock).
      usage.add(realmId, slot.reserved.getTime(), { calls: 1, batches: kind === 'batch' ? 1 : 0, throttled: 0 });
      try {
        if (signal?.aborted) throw abortError(signal);
        return await fn();
      } catch (err) {
        if (err instanceof QboThrottledError) usage.add(realmId, clock().getTime(), { calls: 0, batches: 0, throttled: 1 });
        throw err;
      } finally {
        slot.release();
        await count.finished();
      }
    },
    flushUsage: () => usage.flush(),
  };
}

const MINUTE_MS = 60_000;

/** The per-realm, per-minute usage tallies (see the header): one write per realm and minute. */
function usageTallies(store: QboRateWindowStore) {
  interface Open extends QboUsageTally {
    minute: number;
    timer: ReturnType<typeof setTimeout>;
  }
  const open = new Map<string, Open>();
  const writing = new Set<Promise<void>>();

  function write(realmId: string, t: Open): void {
    clearTimeout(t.timer);
    if (open.get(realmId) === t) open.delete(realmId);
    if (!store.recordUsage || (t.calls === 0 && t.throttled === 0)) return;
    const done: Promise<void> = store
      .recordUsage(realmId, new Date(t.minute), { calls: t.calls, batches: t.batches, throttled: t.throttled })
      .catch(() => undefined)
      .finally(() => writing.delete(done));
    writing.add(done);
  }

  return {
    /** Adds `more` to the realm's tally of the minute of `atMs`. */
    add(realmId: string, atMs: number, more: QboUsageTally): void {
      if (!store.recordUsage) return;
      const minute = Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
      let t = open.get(realmId);
      if (t && t.minute !== minute) {
        write(realmId, t);
        t = undefined;
      }
      if (!t) {
        const fresh: Open = { minute, calls: 0, batches: 0, throttled: 0, timer: undefined as never };
        // Shortly after the minute ends, for a realm that makes no further call.
        fresh.timer = setTimeout(
          () => write(realmId, fresh),
          Math.min(MINUTE_MS + 1_000, Math.max(1_000, minute + MINUTE_MS + 1_000 - atMs)),
        );
        fresh.timer.unref();
        open.set(realmId, (t = fresh));
      }
      t.calls += more.calls;
      t.batches += more.batches;
      t.throttled += more.throttled;
    },
    async flush(): Promise<void> {
      for (const [realmId, t] of [...open]) write(realmId, t);
      await Promise.all([...writing]);
    },
  };
}
