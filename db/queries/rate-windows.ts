/**
 * `qbo_rate_windows`: per-realm call counters in narrow time buckets, shared by every worker
 * (integrations/qbo/limiter.ts holds the counting rules; this module only reads and writes rows).
 */
import { and, asc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { qboRateWindows } from '../schema';
import type { Executor, Tx } from './executor';
import { qboUsageRecorder } from './qbo-usage';

export interface RateWindowCount {
  bucket: string;
  windowStart: Date;
  count: number;
}

/** Locks each (realm, bucket) until the transaction ends, in the order given (callers fix the order). */
export async function lockRateBuckets(tx: Tx, p: { realmId: string; buckets: readonly string[] }): Promise<void> {
  for (const bucket of p.buckets) {
    // Works in PostgreSQL and PGlite; released at commit or rollback.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`qbo-rate:${p.realmId}:${bucket}`}))`);
  }
}

/** The buckets' counts that started after `since`, oldest first. */
export function rateWindowCountsSince(
  db: Executor,
  p: { realmId: string; buckets: readonly string[]; since: Date },
): Promise<RateWindowCount[]> {
  return db
    .select({ bucket: qboRateWindows.bucket, windowStart: qboRateWindows.windowStart, count: qboRateWindows.count })
    .from(qboRateWindows)
    .where(
      and(eq(qboRateWindows.realmId, p.realmId), inArray(qboRateWindows.bucket, [...p.buckets]), gt(qboRateWindows.windowStart, p.since)),
    )
    .orderBy(asc(qboRateWindows.windowStart));
}

/** Adds one call to each bucket at `windowStart`, in one statement; answers the new counts. */
export function addRateWindowCall(
  db: Executor,
  p: { realmId: string; buckets: readonly string[]; windowStart: Date },
): Promise<Array<{ bucket: string; count: number }>> {
  return db
    .insert(qboRateWindows)
    .values(p.buckets.map((bucket) => ({ realmId: p.realmId, bucket, windowStart: p.windowStart, count: 1 })))
    .onConflictDoUpdate({
      target: [qboRateWindows.realmId, qboRateWindows.bucket, qboRateWindows.windowStart],
      set: { count: sql`${qboRateWindows.count} + 1` },
    })
    .returning({ bucket: qboRateWindows.bucket, count: qboRateWindows.count });
}

/** Removes one call from each bucket at `windowStart` (never below zero; a missing row is left alone). */
export async function removeRateWindowCall(
  db: Executor,
  p: { realmId: string; buckets: readonly string[]; windowStart: Date },
): Promise<void> {
  await db
    .update(qboRateWindows)
    .set({ count: sql`greatest(${qboRateWindows.count} - 1, 0)` })
    .where(
      and(
        eq(qboRateWindows.realmId, p.realmId),
        inArray(qboRateWindows.bucket, [...p.buckets]),
        eq(qboRateWindows.windowStart, p.windowStart),
      ),
    );
}

/** Deletes the buckets' rows that started at or before `until`. */
export async function clearRateWindowsUpTo(db: Executor, p: { realmId: string; buckets: readonly string[]; until: Date }): Promise<void> {
  await db
    .delete(qboRateWindows)
    .where(
      and(eq(qboRateWindows.realmId, p.realmId), inArray(qboRateWindows.bucket, [...p.buckets]), lte(qboRateWindows.windowStart, p.until)),
    );
}

/** The QBO limiter's store (integrations/qbo/limiter.ts QboRateWindowStore) and usage history, over `db`. */
export function qboRateWindowStore(db: Db) {
  const ops = (x: Executor) => ({
    countsSince: (realmId: string, buckets: readonly string[], since: Date) => rateWindowCountsSince(x, { realmId, buckets, since }),
    addCall: (realmId: string, buckets: readonly string[], windowStart: Date) => addRateWindowCall(x, { realmId, buckets, windowStart }),
    clearUpTo: (realmId: string, buckets: readonly string[], until: Date) => clearRateWindowsUpTo(x, { realmId, buckets, until }),
  });
  return {
    ...ops(db),
    removeCall: (realmId: string, buckets: readonly string[], windowStart: Date) =>
      removeRateWindowCall(db, { realmId, buckets, windowStart }),
    withLocks: <T>(realmId: string, buckets: readonly string[], body: (locked: ReturnType<typeof ops>) => Promise<T>): Promise<T> =>
      db.transaction(async (tx) => {
        await lockRateBuckets(tx, { realmId, buckets });
        return body(ops(tx));
      }),
    // Each minute's calls, for the store page's chart (qbo_usage_minutes).
    recordUsage: qboUsageRecorder(db),
  };
}
