/** Shopify's DateTime format: ISO 8601 in UTC to the second, e.g. "2026-11-01T12:00:00Z". */
export function isoSeconds(at: Date | number): string {
  return `${new Date(typeof at === 'number' ? at : at.getTime()).toISOString().slice(0, 19)}Z`;
}
