/**
 * When a store's scheduled sync falls due. A fleet of stores connected together would otherwise all run at the same
 * minute every hour (the loop waited "one interval after the last run"), a burst on Shopify, QBO and the workers
 * followed by an idle hour. Each store instead gets a fixed slot inside its interval, derived from its shop domain:
 * stable across restarts, replays and continue-as-new, spread evenly over a fleet, and not drifting with how long
 * the runs take. Pure, so it runs in the workflow sandbox.
 */
import { stableHashHex } from './hash';

/** The store's slot: an offset in [0, interval) from the epoch's interval boundaries, the same for every replay. */
export function scheduleSlotOffsetMs(shopDomain: string, intervalMs: number): number {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`interval must be positive, got ${intervalMs}`);
  // 32 bits of the stable hash, then whole seconds inside the interval (readable times in the status query).
  const h = parseInt(stableHashHex(`schedule:${shopDomain}`).slice(0, 8), 16);
  const seconds = Math.max(1, Math.floor(intervalMs / 1000));
  return (h % seconds) * 1000;
}

/**
 * Milliseconds from `nowMs` to the store's next slot: the first instant after `nowMs` that is `offsetMs` past an
 * interval boundary. Never 0, so a run that ends exactly on its slot waits for the next one.
 */
export function msUntilNextSlot(nowMs: number, intervalMs: number, offsetMs: number): number {
  const since = (((nowMs - offsetMs) % intervalMs) + intervalMs) % intervalMs;
  return intervalMs - since;
}
