/** Small pure helpers used across layers (one copy each). */

/** `items` in consecutive parts of at most `size` (QBO batches and IN lists, SQL parameter limits). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A QBO JSON value as text: strings as they are, absent as '', anything else through String(). */
export function asText(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}
