/**
 * Deadlines on calls that answer an HTTP request: a caller (Shopify's webhook sender wants an answer
 * within 5 s, docs/shopify-facts.md §4; a health probe; a merchant waiting on a page) gets an answer in
 * time even when Temporal or the database hangs.
 */

/** A Temporal call made while a request waits: one round trip, or a query a worker answers. */
export const TEMPORAL_CALL_TIMEOUT_MS = 3_000;

/** `p`, or a rejection saying what did not answer within `ms`; the timer never outlives the race. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
