/** Shopify's DateTime format: ISO 8601 in UTC to the second, e.g. "2026-11-01T12:00:00Z". */
export function isoSeconds(at: Date | number): string {
  return `${new Date(typeof at === 'number' ? at : at.getTime()).toISOString().slice(0, 19)}Z`;
}

/**
 * A stated timestamp as Shopify would store it: a value with a fraction of a second loses the fraction (Shopify's
 * DateTime values are whole seconds, docs/shopify-facts.md §2); anything else is kept as given.
 */
export function toWholeSeconds(value: unknown): unknown {
  if (typeof value !== 'string' || !/T\d\d:\d\d:\d\d\.\d+/.test(value)) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : isoSeconds(Math.floor(ms / 1000) * 1000);
}

/** An order's own timestamps to whole seconds (`toWholeSeconds`), as Shopify keeps them; the order is changed in place. */
export function orderTimesToSeconds(order: Record<string, unknown>): void {
  for (const key of ['createdAt', 'updatedAt', 'processedAt', 'cancelledAt', 'closedAt'] as const) {
    if (key in order) order[key] = toWholeSeconds(order[key]);
  }
}
