/**
 * Small pieces the sync activities share when talking to QBO: query literals, chunking, fault codes.
 */
import { QboValidationError } from '../../domain/errors';
import type { QboClient } from '../../integrations/qbo/client';

/** A QBO query string literal (docs/qbo-facts.md §5: single quotes, backslash-escaped). */
export function qboLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** QBO fault codes Ledgerline reacts to (docs/qbo-facts.md §7; emulators/qbo/core/faults.ts mirrors them). */
export const FAULT = { duplicateName: '6240', duplicateDocNumber: '6140', stale: '5010', notFound: '610' } as const;

export function faultCode(err: unknown): string | undefined {
  if (!(err instanceof QboValidationError)) return undefined;
  const code = err.details?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Some integrations report a duplicate DocNumber as 6240 (docs/qbo-facts.md §7): match the message too. */
export function isDuplicateDocNumber(err: unknown): boolean {
  return faultCode(err) === FAULT.duplicateDocNumber || (err instanceof QboValidationError && /Duplicate Document Number/i.test(err.message));
}

/** The `Id=…` QBO names in duplicate faults, when it does. */
export function existingIdFrom(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  return /(?:Id|TxnId)=(\d+)/.exec(err.message)?.[1];
}

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
export async function queryIn(qbo: QboClient, entity: string, field: string, values: string[], listMax = 30): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  for (const part of chunk(values, listMax)) {
    try {
      rows.push(...(await qbo.query(entity, `${field} IN (${part.map(qboLiteral).join(', ')})`)));
    } catch (err) {
      if (!(err instanceof QboValidationError)) throw err;
      for (const value of part) {
        // A value QBO refuses even alone matches nothing (the caller then creates or parks).
        rows.push(...(await qbo.query(entity, `${field} = ${qboLiteral(value)}`).catch((e: unknown) => {
          if (e instanceof QboValidationError) return [];
          throw e;
        })));
      }
    }
  }
  return rows;
}
