/**
 * Which orders a sync run reads, and how: the window (the store's cursor minus an overlap, or the
 * window a resync names), bulk operation or paging, and the time slices of a bulk window. Pure: the
 * activity reads the store and the clock, this decides.
 */

/**
 * Re-read this much before the cursor: Shopify's search index can lag behind updatedAt, and updatedAt has whole
 * seconds, so an order changed just after a run began can carry a stamp before that run's window end (the cursor).
 */
export const CURSOR_OVERLAP_MS = 10 * 60_000;

/**
 * Where a reader of the orders the sync has not examined yet starts: the cursor less CURSOR_OVERLAP_MS, or the store's
 * start date before its first sync (orders processed before it were also updated before it). ISO 8601.
 */
export function cursorReadFrom(cursor: Date | null, startDate: Date): string {
  return cursor ? new Date(cursor.getTime() - CURSOR_OVERLAP_MS).toISOString() : startDate.toISOString();
}
/** Windows longer than this (and first syncs) use a bulk operation instead of paging (docs/shopify-facts.md §2). */
export const BULK_WINDOW_MS = 3 * 24 * 3600_000;
/** Bulk windows are read in slices of at most this span (and at most BULK_MAX_SLICES slices). */
export const BULK_SLICE_MS = 30 * 24 * 3600_000;
export const BULK_MAX_SLICES = 24;

export interface WindowStore {
  shopDomain: string;
  state: string;
  connectionError: string | null;
  startDate: Date;
  cursorUpdatedAt: Date | null;
}

export interface RequestedWindow {
  from?: string | undefined;
  to?: string | undefined;
}

export interface RunWindow {
  windowFrom: string;
  windowTo: string;
  mode: 'bulk' | 'page';
  /** Only runs that read from the cursor move it; a resync of an old window never does. */
  advanceCursor: boolean;
  /** Why the run cannot go ahead (the store is paused or disconnected). */
  blocked?: string;
}

export function planRunWindow(store: WindowStore, requested: RequestedWindow | undefined, now: Date): RunWindow {
  const blocked =
    store.state !== 'active'
      ? `Store ${store.shopDomain} is ${store.state}${store.connectionError ? `: ${store.connectionError}` : ''}`
      : undefined;
  let windowFrom: string;
  let windowTo: string;
  let advanceCursor: boolean;
  if (requested?.from) {
    windowFrom = new Date(requested.from).toISOString();
    windowTo = requested.to ? new Date(requested.to).toISOString() : now.toISOString();
    advanceCursor = false;
  } else {
    windowFrom = cursorReadFrom(store.cursorUpdatedAt, store.startDate);
    windowTo = now.toISOString();
    advanceCursor = true;
  }
  const span = Date.parse(windowTo) - Date.parse(windowFrom);
  const mode = !store.cursorUpdatedAt || span > BULK_WINDOW_MS ? 'bulk' : 'page';
  return { windowFrom, windowTo, mode, advanceCursor, ...(blocked ? { blocked } : {}) };
}

/**
 * How long after a webhook arrived a run must have begun reading for that run to count as having read the webhook's
 * order. Shopify sends an order webhook once the order is saved, but its search index (what a run reads) can trail by a
 * few seconds; the margin also absorbs a small clock difference between the API's host (which stamps the webhook) and
 * the worker's (which stamps the run's window). A nudge judged covered wrongly loses nothing: the next run re-reads
 * from the cursor minus CURSOR_OVERLAP_MS, so the order is booked then.
 */
export const WEBHOOK_COVER_MARGIN_MS = 5_000;

/**
 * Whether a queued webhook-only run can be dropped: the last run that ended read orders updated up to `windowTo`, and
 * the newest webhook folded into the queued run arrived at least WEBHOOK_COVER_MARGIN_MS before that. A burst of order
 * webhooks that lands while a run is already on its way then costs that one run, not a second identical one. Resyncs
 * do not count (their window is the one a person named, and they move no cursor).
 */
export function webhookNudgeCovered(webhookAt: string | undefined, lastRun: { trigger: string; windowTo: string } | undefined): boolean {
  if (!webhookAt || !lastRun || lastRun.trigger === 'resync') return false;
  const at = Date.parse(webhookAt);
  const readTo = Date.parse(lastRun.windowTo);
  if (Number.isNaN(at) || Number.isNaN(readTo)) return false;
  return at + WEBHOOK_COVER_MARGIN_MS <= readTo;
}

/**
 * Whether a webhook-triggered run may only book the orders (issue #18), leaving the retry of parked orders and payout
 * discovery to the store's scheduled runs: yes while a run that does them (any trigger but a webhook) began within the
 * last two intervals. A shop whose webhooks never stop keeps its loop busy with webhook runs, so its slot never comes
 * and no scheduled run starts; once the last full run is that old, its webhook runs do the whole run again.
 */
export function webhookRunMayBookOnly(p: { lastFullRunStartedAt: Date | null; intervalMinutes: number; now: Date }): boolean {
  if (!p.lastFullRunStartedAt) return false;
  return p.now.getTime() - p.lastFullRunStartedAt.getTime() < 2 * p.intervalMinutes * 60_000;
}

/** Shopify search for orders updated in [from, to). */
export function windowSearch(from: string | null, to: string): string {
  return [from ? `updated_at:>='${from}'` : null, `updated_at:<'${to}'`].filter(Boolean).join(' AND ');
}

/**
 * Equal slices of [oldest order, windowTo), each ≤ BULK_SLICE_MS (at most BULK_MAX_SLICES), the first
 * of them cut at a quarter so writing starts after a small first bulk operation. The first slice
 * starts at the window's own start so nothing before the oldest order's second can slip through.
 * No order in the window: no slice.
 */
export function planSlices(
  windowFrom: string | null,
  windowTo: string,
  oldestUpdatedAt: string | null,
): Array<{ from: string | null; to: string }> {
  if (oldestUpdatedAt === null) return [];
  const toMs = Date.parse(windowTo);
  const startMs = Math.max(Date.parse(oldestUpdatedAt), windowFrom ? Date.parse(windowFrom) : -Infinity);
  const span = Math.max(0, toMs - startMs);
  const n = Math.min(BULK_MAX_SLICES, Math.max(1, Math.ceil(span / BULK_SLICE_MS)));
  const at = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
  const bounds = Array.from({ length: n - 1 }, (_, i) => at(startMs + (span * (i + 1)) / n));
  const quarter = at(startMs + span / n / 4);
  const edges = [...new Set([windowFrom, ...(quarter > at(startMs) ? [quarter] : []), ...bounds, windowTo])];
  return edges.slice(0, -1).map((from, i) => ({ from, to: edges[i + 1]! }));
}
