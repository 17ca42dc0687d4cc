// Per-shop leaky bucket of query cost points (docs/shopify-facts.md §1): the requested cost is taken before
// execution, the difference to the actual cost is given back afterwards, points restore linearly.
import type { Bucket } from './state';

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export function refill(bucket: Bucket, nowMs: number): void {
  const elapsed = Math.max(0, nowMs - bucket.atMs) / 1000;
  bucket.available = Math.min(bucket.maximumAvailable, bucket.available + elapsed * bucket.restoreRate);
  bucket.atMs = nowMs;
}

/** Takes `cost` points if the bucket holds them; false means THROTTLED. */
export function take(bucket: Bucket, cost: number, nowMs: number): boolean {
  refill(bucket, nowMs);
  if (bucket.available < cost) return false;
  bucket.available -= cost;
  return true;
}

export function giveBack(bucket: Bucket, points: number, nowMs: number): void {
  refill(bucket, nowMs);
  bucket.available = Math.min(bucket.maximumAvailable, bucket.available + Math.max(0, points));
}

export function throttleStatus(bucket: Bucket): ThrottleStatus {
  return {
    maximumAvailable: bucket.maximumAvailable,
    currentlyAvailable: Math.floor(bucket.available),
    restoreRate: bucket.restoreRate,
  };
}
