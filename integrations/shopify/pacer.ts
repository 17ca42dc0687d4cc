/**
 * Pacing for Shopify's calculated query cost (docs/shopify-facts.md §1): a leaky bucket per app and shop holding
 * `maximumAvailable` points that refill at `restoreRate` per second; a query whose requested cost is
 * not in the bucket is THROTTLED. Each response reports the bucket (`extensions.cost.throttleStatus`),
 * so the pacer models it from those numbers and, before each request, waits just long enough for the
 * requested cost to be there. Waiting before a request is pacing, not a retry loop: a THROTTLED answer
 * still becomes ShopifyThrottledError and Temporal retries it.
 *
 * One pacer per worker process, shared by every activity (all requests to one shop pass through it).
 */
import type { CostExtension } from './errors';

// Until a shop's first answer reports its bucket, one request at a time goes out (a probe) and the
// bucket is assumed to be the smallest published one (docs/shopify-facts.md §1: 1000 points, 50/s before 2024).
const ASSUMED_MAXIMUM = 1000;
const ASSUMED_RESTORE_RATE = 50;
// Waiters re-check at least this often while a probe is out (the client settles every request it sends).
const PROBE_WAIT_MS = 60_000;

export interface PacerTicket {
  /** Records the response's cost block (or nothing, when no response came back) and frees the booking. */
  settle(cost: CostExtension | undefined, operation?: string): void;
}

export interface ShopifyPacer {
  /** Waits until `shopDomain`'s bucket should hold `cost` points, then books them for one request. */
  acquire(shopDomain: string, cost: number, signal?: AbortSignal): Promise<PacerTicket>;
  /** The requested cost Shopify last reported for this operation on this shop. */
  knownCost(shopDomain: string, operation: string): number | undefined;
  /** Milliseconds until `cost` points should be available. */
  waitMs(shopDomain: string, cost: number): number;
}

export interface ShopifyPacerOptions {
  now?: () => number;
}

interface Bucket {
  max: number;
  rate: number;
  available: number;
  atMs: number;
  /** Points booked by requests that have not answered yet (Shopify has not reported them back). */
  inFlight: number;
  requestsInFlight: number;
  /** Whether a response has reported the real bucket. */
  known: boolean;
  /** Requests for one shop are paced in arrival order. */
  queue: Promise<void>;
  /** Resolves when a response changes the model, so sleepers re-check early. */
  changed: Promise<void>;
  wake: () => void;
}

function newSignal(b: Pick<Bucket, 'changed' | 'wake'>): void {
  b.changed = new Promise<void>((resolve) => {
    b.wake = resolve;
  });
}

/** Sleeps `ms`, or less when the bucket model changes; rejects when `signal` aborts. */
function sleepOrWake(ms: number, changed: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted while pacing Shopify requests'));
    };
    const timer = setTimeout(done, ms);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    void changed.then(done);
  });
}

export function createShopifyPacer(opts: ShopifyPacerOptions = {}): ShopifyPacer {
  const now = opts.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  const costs = new Map<string, number>();

  const bucketFor = (shop: string): Bucket => {
    let b = buckets.get(shop);
    if (!b) {
      b = {
        max: ASSUMED_MAXIMUM,
        rate: ASSUMED_RESTORE_RATE,
        available: ASSUMED_MAXIMUM,
        atMs: now(),
        inFlight: 0,
        requestsInFlight: 0,
        known: false,
        queue: Promise.resolve(),
        changed: Promise.resolve(),
        wake: () => undefined,
      };
      newSignal(b);
      buckets.set(shop, b);
    }
    return b;
  };

  const refill = (b: Bucket): void => {
    const t = now();
    b.available = Math.min(b.max, b.available + (Math.max(0, t - b.atMs) / 1000) * b.rate);
    b.atMs = t;
  };

  const msUntil = (b: Bucket, cost: number): number => {
    refill(b);
    const missing = Math.min(cost, b.max) - b.available;
    return missing <= 0 ? 0 : Math.ceil((missing / b.rate) * 1000);
  };

  const ticket = (shop: string, b: Bucket, booked: number): PacerTicket => {
    let settled = false;
    return {
      settle(cost, operation) {
        if (settled) return;
        settled = true;
        b.inFlight = Math.max(0, b.inFlight - booked);
        b.requestsInFlight--;
        const t = cost?.throttleStatus;
        if (t?.currentlyAvailable !== undefined && t.maximumAvailable && t.restoreRate) {
          b.known = true;
          // Shopify's number is the truth (other workers spend from the same bucket), minus what our
          // own unanswered requests have booked and Shopify may not have counted yet.
          b.max = t.maximumAvailable;
          b.rate = t.restoreRate;
          b.available = Math.max(0, t.currentlyAvailable - b.inFlight);
          b.atMs = now();
        }
        if (operation && cost?.requestedQueryCost !== undefined) costs.set(`${shop}\n${operation}`, cost.requestedQueryCost);
        const wake = b.wake;
        newSignal(b);
        wake();
      },
    };
  };

  return {
    async acquire(shop, cost, signal) {
      const b = bucketFor(shop);
      const turn = b.queue.then(async () => {
        for (;;) {
          if (!b.known && b.requestsInFlight > 0) {
            await sleepOrWake(PROBE_WAIT_MS, b.changed, signal);
            continue;
          }
          const booked = Math.min(Math.max(0, cost), b.max);
          const wait = msUntil(b, booked);
          if (wait === 0) {
            b.available -= booked;
            b.inFlight += booked;
            b.requestsInFlight++;
            return booked;
          }
          await sleepOrWake(wait, b.changed, signal);
        }
      });
      b.queue = turn.then(
        () => undefined,
        () => undefined,
      );
      return ticket(shop, b, await turn);
    },
    knownCost: (shop, operation) => costs.get(`${shop}\n${operation}`),
    waitMs: (shop, cost) => msUntil(bucketFor(shop), cost),
  };
}
