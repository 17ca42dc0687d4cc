/**
 * `payouts`: one row per Shopify Payments payout the saga has seen (db/schema.ts). Discovery inserts a row (or
 * refreshes Shopify's status on it); each saga step writes its state; the API lists and shows them.
 */
import { and, asc, desc, eq, getTableColumns, inArray, lt, notInArray, or, sql } from 'drizzle-orm';
import { payouts } from '../schema';
import type { Executor } from './executor';

/** A payout's row without its kept balance transactions (large; read with getPayoutContents). */
export type PayoutRow = Omit<typeof payouts.$inferSelect, 'contents'>;
const { contents: _contents, ...ROW } = getTableColumns(payouts);
export type PayoutWrite = typeof payouts.$inferInsert;

/** Saga states after which the payout needs nothing more (a later FAILED is still seen by discovery). */
export const FINAL_PAYOUT_STATES = ['posted', 'compensated', 'failed', 'canceled', 'empty'] as const;

export async function getPayout(db: Executor, p: { storeId: string; payoutId: string }): Promise<PayoutRow | undefined> {
  const [row] = await db
    .select(ROW)
    .from(payouts)
    .where(and(eq(payouts.storeId, p.storeId), eq(payouts.payoutId, p.payoutId)));
  return row;
}

/** A payout by its gid or its legacy id (the API accepts either). */
export async function findPayout(db: Executor, p: { storeId: string; id: string }): Promise<PayoutRow | undefined> {
  const [row] = await db
    .select(ROW)
    .from(payouts)
    .where(and(eq(payouts.storeId, p.storeId), or(eq(payouts.payoutId, p.id), eq(payouts.legacyId, p.id))));
  return row;
}

export async function listPayoutsByIds(db: Executor, p: { storeId: string; payoutIds: string[] }): Promise<PayoutRow[]> {
  if (p.payoutIds.length === 0) return [];
  return db
    .select(ROW)
    .from(payouts)
    .where(and(eq(payouts.storeId, p.storeId), inArray(payouts.payoutId, p.payoutIds)));
}

export async function listPayoutsByLegacyIds(db: Executor, p: { storeId: string; legacyIds: string[] }): Promise<PayoutRow[]> {
  if (p.legacyIds.length === 0) return [];
  return db
    .select(ROW)
    .from(payouts)
    .where(and(eq(payouts.storeId, p.storeId), inArray(payouts.legacyId, p.legacyIds)));
}

/**
 * Records what discovery read of each payout: a new row starts `discovered`; an existing row keeps the saga's
 * state and gets Shopify's current status.
 */
export async function upsertDiscoveredPayouts(db: Executor, p: { rows: PayoutWrite[] }): Promise<void> {
  for (const row of p.rows) {
    await db
      .insert(payouts)
      .values(row)
      .onConflictDoUpdate({
        target: [payouts.storeId, payouts.payoutId],
        set: { status: row.status, netMinor: row.netMinor, feesMinor: row.feesMinor ?? null, updatedAt: row.updatedAt ?? new Date() },
      });
  }
}

/** Writes the saga's view of one payout (the row exists once discovered; a saga started otherwise inserts it). */
export async function savePayoutState(db: Executor, p: { row: PayoutWrite }): Promise<void> {
  const keys = new Set(['storeId', 'payoutId', 'createdAt']);
  const set = Object.fromEntries(Object.entries(p.row).filter(([k]) => !keys.has(k)));
  await db
    .insert(payouts)
    .values(p.row)
    .onConflictDoUpdate({ target: [payouts.storeId, payouts.payoutId], set: { ...set, updatedAt: p.row.updatedAt ?? new Date() } });
}

/** The payout's balance transactions as read from Shopify (kept once the payout is paid); undefined when not kept. */
export async function getPayoutContents(db: Executor, p: { storeId: string; payoutId: string }): Promise<unknown[] | undefined> {
  const [row] = await db
    .select({ contents: payouts.contents })
    .from(payouts)
    .where(and(eq(payouts.storeId, p.storeId), eq(payouts.payoutId, p.payoutId)));
  return row?.contents ?? undefined;
}

/** Keeps a paid payout's balance transactions on its row (the row exists: the saga's first assessment wrote it). */
export async function savePayoutContents(db: Executor, p: { storeId: string; payoutId: string; contents: unknown[] }): Promise<void> {
  await db
    .update(payouts)
    .set({ contents: p.contents })
    .where(and(eq(payouts.storeId, p.storeId), eq(payouts.payoutId, p.payoutId)));
}

/**
 * Where the next discovery starts listing: the issue date of the oldest payout that is not settled yet (its saga
 * still needs Shopify's news of it), else of the newest payout seen; null when none was seen.
 */
export async function payoutDiscoveryFloor(db: Executor, p: { storeId: string }): Promise<Date | null> {
  const [open] = await db
    .select({ at: sql<Date | null>`min(${payouts.issuedAt})`.mapWith((v: unknown) => (v ? new Date(String(v)) : null)) })
    .from(payouts)
    .where(and(eq(payouts.storeId, p.storeId), notInArray(payouts.state, [...FINAL_PAYOUT_STATES])));
  if (open?.at) return open.at;
  const [last] = await db
    .select({ at: payouts.issuedAt })
    .from(payouts)
    .where(eq(payouts.storeId, p.storeId))
    .orderBy(desc(payouts.issuedAt))
    .limit(1);
  return last?.at ?? null;
}

export type PayoutPosition = [issuedAt: string, payoutId: string];

/** The store's payouts, newest first, keyset-paged; `attention` keeps held, waiting and flagged ones. */
export async function listPayoutsPage(
  db: Executor,
  p: { storeId: string; limit: number; before?: PayoutPosition | undefined; state?: string | undefined; attention?: boolean },
): Promise<PayoutRow[]> {
  const conds = [eq(payouts.storeId, p.storeId)];
  if (p.state) conds.push(eq(payouts.state, p.state));
  if (p.attention) conds.push(or(eq(payouts.needsAttention, true), inArray(payouts.state, ['held', 'waiting_documents']))!);
  if (p.before) {
    const at = new Date(p.before[0]);
    conds.push(or(lt(payouts.issuedAt, at), and(eq(payouts.issuedAt, at), lt(payouts.payoutId, p.before[1])))!);
  }
  return db
    .select(ROW)
    .from(payouts)
    .where(and(...conds))
    .orderBy(desc(payouts.issuedAt), desc(payouts.payoutId))
    .limit(p.limit);
}

/** Counts by saga state (the store page's summary). */
export async function countPayoutsByState(db: Executor, p: { storeId: string }): Promise<Record<string, number>> {
  const rows = await db
    .select({ state: payouts.state, n: sql<number>`count(*)::int` })
    .from(payouts)
    .where(eq(payouts.storeId, p.storeId))
    .groupBy(payouts.state)
    .orderBy(asc(payouts.state));
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}
