/**
 * `store_write_leases`: one writing Temporal execution per store (activities/sync/lease.ts). Acquiring is one
 * statement (insert, or take over a row that is ours or has lapsed), so two workers racing for a store never
 * both win.
 */
import { and, eq, lt, or, sql } from 'drizzle-orm';
import { storeWriteLeases } from '../schema';
import type { Executor } from './executor';

export type LeaseResult = { acquired: true } | { acquired: false; holder: string; expiresAt: Date };

/** Takes or renews the store's lease for `holder` until `at + ttlMs`; reports the current holder when another has it. */
export async function acquireWriteLease(
  db: Executor,
  p: { storeId: string; holder: string; at: Date; ttlMs: number },
): Promise<LeaseResult> {
  const expiresAt = new Date(p.at.getTime() + p.ttlMs);
  const won = await db
    .insert(storeWriteLeases)
    .values({ storeId: p.storeId, holder: p.holder, acquiredAt: p.at, expiresAt })
    .onConflictDoUpdate({
      target: storeWriteLeases.storeId,
      set: {
        holder: p.holder,
        expiresAt,
        acquiredAt: sql`case when ${storeWriteLeases.holder} = ${p.holder} then ${storeWriteLeases.acquiredAt} else ${p.at} end`,
      },
      setWhere: or(eq(storeWriteLeases.holder, p.holder), lt(storeWriteLeases.expiresAt, p.at)),
    })
    .returning({ holder: storeWriteLeases.holder });
  if (won.length > 0) return { acquired: true };
  const [current] = await db.select().from(storeWriteLeases).where(eq(storeWriteLeases.storeId, p.storeId));
  // Released between the two statements: the caller's next attempt takes it.
  return current
    ? { acquired: false, holder: current.holder, expiresAt: current.expiresAt }
    : { acquired: false, holder: '', expiresAt: p.at };
}

/** Gives the lease up (a run that finished or failed); a no-op when another holder has it by now. */
export async function releaseWriteLease(db: Executor, p: { storeId: string; holder: string }): Promise<void> {
  await db.delete(storeWriteLeases).where(and(eq(storeWriteLeases.storeId, p.storeId), eq(storeWriteLeases.holder, p.holder)));
}

/** The store's lease as it stands (for the store view and tests). */
export async function getWriteLease(
  db: Executor,
  p: { storeId: string },
): Promise<{ holder: string; acquiredAt: Date; expiresAt: Date } | null> {
  const [row] = await db.select().from(storeWriteLeases).where(eq(storeWriteLeases.storeId, p.storeId));
  return row ? { holder: row.holder, acquiredAt: row.acquiredAt, expiresAt: row.expiresAt } : null;
}
