/**
 * Small pieces the sync activities share when talking to QBO: query literals, IN-list queries, a
 * bounded pool. (Fault codes: domain/sync/faults.ts; chunking: domain/collections.ts.)
 */
import { chunk } from '../../domain/collections';
import { QboValidationError } from '../../domain/errors';
import type { QboClient } from '../../integrations/qbo/client';

/** A QBO query string literal (docs/qbo-facts.md §5: single quotes, backslash-escaped). */
export function qboLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Values per `field IN (…)` query. */
export const DOC_NUMBER_IN_LIST_MAX = 30;

/**
 * Runs `fn` over `items` with at most `limit` at once, results in input order. After the first
 * failure no new item starts, and the failure is thrown only once the calls in flight have ended:
 * a failed activity attempt must not leave writes running that its retry would race.
 */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !failure) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(workers);
  if (failure) throw failure.error;
  return results;
}

/**
 * Entities whose `field` is one of `values`: `field IN (…)` in lists of `listMax`. docs/qbo-facts.md §4/§2
 * only show `=` for Sku and DocNumber; should a company refuse IN on a field (a ValidationFault), the
 * values are asked one by one instead.
 */
export async function queryIn(
  qbo: QboClient,
  entity: string,
  field: string,
  values: string[],
  listMax: number,
): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  for (const part of chunk(values, listMax)) {
    try {
      rows.push(...(await qbo.query(entity, `${field} IN (${part.map(qboLiteral).join(', ')})`)));
    } catch (err) {
      if (!(err instanceof QboValidationError)) throw err;
      for (const value of part) {
        // A value QBO refuses even alone matches nothing (the caller then creates or parks).
        rows.push(
          ...(await qbo.query(entity, `${field} = ${qboLiteral(value)}`).catch((e: unknown) => {
            if (e instanceof QboValidationError) return [];
            throw e;
          })),
        );
      }
    }
  }
  return rows;
}
