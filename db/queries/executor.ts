/** What every query function takes: the database, or an open transaction of it. */
import type { Db } from '../client';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Executor = Db | Tx;

/** `items` in consecutive parts of at most `size` (statements stay under PostgreSQL's parameter limit). */
export function parts<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
