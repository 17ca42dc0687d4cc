/**
 * Held sale rows (review before posting, docs/review.md): the list a person reviews, and the conditional update
 * approve and reject make (services/stores/review.ts), which leaves alone a row that a run changed meanwhile.
 */
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { ledgerEntries } from '../schema';
import type { Executor } from './executor';
import type { LedgerRow } from './ledger';

const held = (storeId: string) => and(eq(ledgerEntries.storeId, storeId), eq(ledgerEntries.role, 'sale'), eq(ledgerEntries.status, 'held'));

/** The store's held sales, oldest first (by when they were first seen), `limit` at most. */
export async function listHeldRows(db: Executor, p: { storeId: string; limit: number }): Promise<LedgerRow[]> {
  return db
    .select()
    .from(ledgerEntries)
    .where(held(p.storeId))
    .orderBy(asc(ledgerEntries.createdAt), asc(ledgerEntries.sourceKey))
    .limit(p.limit);
}

export async function countHeldRows(db: Executor, p: { storeId: string }): Promise<number> {
  const [row] = await db.select({ n: count() }).from(ledgerEntries).where(held(p.storeId));
  return Number(row?.n ?? 0);
}

/**
 * Sets status, reason code and reason on the held sale rows of `sourceKeys` that still hold the `fingerprint` each
 * was judged with; answers the rows changed. `updatedAt` becomes `at`, so the run requested next re-reads them.
 */
export async function setHeldRows(
  db: Executor,
  p: {
    storeId: string;
    rows: ReadonlyArray<{ sourceKey: string; fingerprint: string | null }>;
    set: { status: string; reasonCode: string; reason: string };
    at: Date;
  },
): Promise<LedgerRow[]> {
  const out: LedgerRow[] = [];
  const byFingerprint = new Map<string | null, string[]>();
  for (const r of p.rows) byFingerprint.set(r.fingerprint, [...(byFingerprint.get(r.fingerprint) ?? []), r.sourceKey]);
  for (const [fingerprint, keys] of byFingerprint) {
    if (fingerprint === null) continue;
    out.push(
      ...(await db
        .update(ledgerEntries)
        .set({ ...p.set, updatedAt: p.at })
        .where(and(held(p.storeId), inArray(ledgerEntries.sourceKey, keys), eq(ledgerEntries.fingerprint, fingerprint)))
        .returning()),
    );
  }
  return out;
}
