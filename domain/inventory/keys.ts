import { stableHashHex } from '../hash';

/** One write of `available`: from the value just read (compare-and-set) to the target, within one run. */
export interface InventoryChange {
  /** The run (workflow run or schedule firing) the change belongs to. */
  runId: string;
  from: number;
  to: number;
}

const tail = (gid: string): string => gid.slice(gid.lastIndexOf('/') + 1) || gid;

/**
 * The `@idempotent(key:)` of one `inventorySetQuantities` call (docs/inventory.md "Idempotency"): the same store,
 * item, location and change always give the same key, so a retried activity replays Shopify's first answer
 * instead of setting twice. The run id is part of the change on purpose: the same move (5 → 7) may be right
 * again tomorrow after a sale took the stock back to 5, and a key reused across runs would make Shopify replay
 * the old result and write nothing. A changed compare value (a stale read, re-read) gives a new key too.
 */
export function inventoryIdempotencyKey(store: string, inventoryItemId: string, locationId: string, change: InventoryChange): string {
  const digest = stableHashHex(JSON.stringify([store, inventoryItemId, locationId, change.runId, change.from, change.to]));
  return `ledgerline-inv-${tail(inventoryItemId)}-${tail(locationId)}-${change.from}-${change.to}-${digest}`;
}
