import type { EmulatorClock } from '../core/clock';
import type { LimitSettings } from '../types';

/** docs/qbo-facts.md §1: 500 requests/min and 10 concurrent requests per realm, 40 batch requests/min per realm. */
export const QBO_LIMITS: LimitSettings = { requestsPerMinute: 500, concurrent: 10, batchesPerMinute: 40 };

const MINUTE_MS = 60_000;

interface RealmUsage {
  requests: number[];
  batches: number[];
  inFlight: number;
}

/** Sliding one-minute windows (compressed by timeScale) on the emulator clock, plus a concurrency count. */
export class RateLimiter {
  private readonly usage = new Map<string, RealmUsage>();

  constructor(
    private readonly settings: LimitSettings | null,
    private readonly timeScale: number,
    private readonly clock: EmulatorClock,
  ) {}

  /** A release function when admitted, null when the request must get 429. */
  admit(realmId: string, batch: boolean): (() => void) | null {
    if (!this.settings) return () => undefined;
    const now = this.clock.now();
    const since = now - MINUTE_MS / this.timeScale;
    let usage = this.usage.get(realmId);
    if (!usage) this.usage.set(realmId, (usage = { requests: [], batches: [], inFlight: 0 }));
    usage.requests = usage.requests.filter((t) => t > since);
    usage.batches = usage.batches.filter((t) => t > since);
    if (
      usage.requests.length >= this.settings.requestsPerMinute ||
      usage.inFlight >= this.settings.concurrent ||
      (batch && usage.batches.length >= this.settings.batchesPerMinute)
    ) {
      return null;
    }
    usage.requests.push(now);
    if (batch) usage.batches.push(now);
    usage.inFlight += 1;
    const held = usage;
    let released = false;
    return () => {
      if (!released) held.inFlight -= 1;
      released = true;
    };
  }

  reset(): void {
    this.usage.clear();
  }
}
