/**
 * `inventory_runs` and `inventory_changes` (db/schema.ts, docs/inventory.md): one row per inventory run and one per
 * row of its diff. The workflow's activities write them (activities/inventory); the API lists them.
 */
import { and, asc, desc, eq, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { inventoryChanges, inventoryRuns, ledgerEntries, stores } from '../schema';
import type { Executor } from './executor';
import { ROLE } from '../../domain/sync/ledger-entry';

export type InventoryRunRow = typeof inventoryRuns.$inferSelect;
export type InventoryChangeRow = typeof inventoryChanges.$inferSelect;
export type InventoryChangeWrite = Omit<typeof inventoryChanges.$inferInsert, 'runId' | 'storeId' | 'seq'>;

/** Run states after which nothing more happens to the run. */
export const FINAL_INVENTORY_STATUSES = ['completed', 'previewed', 'expired', 'blocked', 'failed'] as const;

/** Records a run's start; a retried begin (same run id) keeps the row it already wrote. */
export async function beginInventoryRun(
  db: Executor,
  p: { id: string; storeId: string; mode: string; trigger: string; locationId: string | null; at: Date },
): Promise<InventoryRunRow> {
  await db
    .insert(inventoryRuns)
    .values({
      id: p.id,
      storeId: p.storeId,
      mode: p.mode,
      trigger: p.trigger,
      status: 'running',
      locationId: p.locationId,
      startedAt: p.at,
    })
    .onConflictDoNothing();
  return (await getInventoryRun(db, { storeId: p.storeId, runId: p.id }))!;
}

export async function getInventoryRun(db: Executor, p: { storeId: string; runId: string }): Promise<InventoryRunRow | undefined> {
  const [row] = await db
    .select()
    .from(inventoryRuns)
    .where(and(eq(inventoryRuns.storeId, p.storeId), eq(inventoryRuns.id, p.runId)));
  return row;
}

export async function updateInventoryRun(
  db: Executor,
  p: { runId: string; set: Partial<Omit<typeof inventoryRuns.$inferInsert, 'id' | 'storeId'>> },
): Promise<void> {
  await db.update(inventoryRuns).set(p.set).where(eq(inventoryRuns.id, p.runId));
}

/** Replaces the run's diff (a retried plan writes the same run's rows again, not twice). */
export async function replaceInventoryChanges(
  db: Executor,
  p: { runId: string; storeId: string; rows: InventoryChangeWrite[] },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(inventoryChanges).where(eq(inventoryChanges.runId, p.runId));
    const CHUNK = 500;
    for (let i = 0; i < p.rows.length; i += CHUNK) {
      await tx
        .insert(inventoryChanges)
        .values(p.rows.slice(i, i + CHUNK).map((r, j) => ({ ...r, runId: p.runId, storeId: p.storeId, seq: i + j })));
    }
  });
}

/**
 * The run's rows still to write: raise or lower, not applied and not settled otherwise (a row Shopify refused, or
 * found at its target on a re-read, has its `after`), in diff order.
 */
export async function listPendingInventoryChanges(db: Executor, p: { runId: string }): Promise<InventoryChangeRow[]> {
  return db
    .select()
    .from(inventoryChanges)
    .where(
      and(
        eq(inventoryChanges.runId, p.runId),
        eq(inventoryChanges.applied, false),
        isNull(inventoryChanges.after),
        inArray(inventoryChanges.action, ['raise', 'lower']),
      ),
    )
    .orderBy(asc(inventoryChanges.seq));
}

/** What became of one row: written (with the value Shopify now holds) or not, and why. */
export async function markInventoryChange(
  db: Executor,
  p: { runId: string; seq: number; applied: boolean; after: number | null; target?: number | null; reason?: string; at: Date },
): Promise<void> {
  await db
    .update(inventoryChanges)
    .set({
      applied: p.applied,
      after: p.after,
      ...(p.applied ? { appliedAt: p.at } : {}),
      ...(p.target !== undefined ? { target: p.target } : {}),
      ...(p.reason !== undefined ? { reason: p.reason } : {}),
    })
    .where(and(eq(inventoryChanges.runId, p.runId), eq(inventoryChanges.seq, p.seq)));
}

export async function countAppliedInventoryChanges(db: Executor, p: { runId: string }): Promise<{ applied: number; pending: number }> {
  const [row] = await db
    .select({
      applied: sql<number>`count(*) filter (where ${inventoryChanges.applied})`.mapWith(Number),
      pending:
        sql<number>`count(*) filter (where not ${inventoryChanges.applied} and ${inventoryChanges.action} in ('raise', 'lower'))`.mapWith(
          Number,
        ),
    })
    .from(inventoryChanges)
    .where(eq(inventoryChanges.runId, p.runId));
  return row ?? { applied: 0, pending: 0 };
}

/** A page of a store's changes, newest run first then in diff order; `runId` narrows to one run, `changedOnly` to raise/lower. */
export async function listInventoryChanges(
  db: Executor,
  p: { storeId: string; runId?: string; changedOnly?: boolean; limit: number; after?: { startedAt: Date; runId: string; seq: number } },
): Promise<Array<InventoryChangeRow & { runStartedAt: Date; runMode: string; runStatus: string }>> {
  const conditions = [eq(inventoryChanges.storeId, p.storeId)];
  if (p.runId) conditions.push(eq(inventoryChanges.runId, p.runId));
  if (p.changedOnly) conditions.push(inArray(inventoryChanges.action, ['raise', 'lower']));
  if (p.after) {
    const a = p.after;
    conditions.push(
      or(
        lt(inventoryRuns.startedAt, a.startedAt),
        and(eq(inventoryRuns.startedAt, a.startedAt), lt(inventoryRuns.id, a.runId)),
        and(eq(inventoryRuns.startedAt, a.startedAt), eq(inventoryRuns.id, a.runId), sql`${inventoryChanges.seq} > ${a.seq}`),
      )!,
    );
  }
  const rows = await db
    .select({
      change: inventoryChanges,
      runStartedAt: inventoryRuns.startedAt,
      runMode: inventoryRuns.mode,
      runStatus: inventoryRuns.status,
    })
    .from(inventoryChanges)
    .innerJoin(inventoryRuns, eq(inventoryRuns.id, inventoryChanges.runId))
    .where(and(...conditions))
    .orderBy(desc(inventoryRuns.startedAt), desc(inventoryRuns.id), asc(inventoryChanges.seq))
    .limit(p.limit);
  return rows.map((r) => ({ ...r.change, runStartedAt: r.runStartedAt, runMode: r.runMode, runStatus: r.runStatus }));
}

export async function listInventoryRuns(db: Executor, p: { storeId: string; limit: number }): Promise<InventoryRunRow[]> {
  return db
    .select()
    .from(inventoryRuns)
    .where(eq(inventoryRuns.storeId, p.storeId))
    .orderBy(desc(inventoryRuns.startedAt), desc(inventoryRuns.id))
    .limit(p.limit);
}

/**
 * The orders Shopify sold that QBO has not booked yet, as the sync ledger knows them: orders whose row is pending,
 * parked or failed (the sync will book them, or a person must), undone (an undo deleted the document, so QBO's
 * stock got the units back, though Shopify sold them; docs/undo.md), held for review (not in QBO until approved;
 * docs/review.md), and orders whose sale was booked at or after
 * `bookedSince` (the start of the inventory run: QBO's quantities it read may not include them yet). Orders the sync
 * has not examined yet (updated after the store's cursor) have no row; the caller reads those from Shopify.
 */
export async function listUnbookedOrderKeys(db: Executor, p: { storeId: string; bookedSince: Date }): Promise<string[]> {
  const rows = await db
    .selectDistinct({ sourceKey: ledgerEntries.sourceKey })
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.storeId, p.storeId),
        eq(ledgerEntries.sourceType, 'order'),
        or(
          inArray(ledgerEntries.status, ['pending', 'parked', 'failed', 'undone', 'held']),
          and(eq(ledgerEntries.role, ROLE.sale), eq(ledgerEntries.status, 'synced'), gte(ledgerEntries.updatedAt, p.bookedSince)),
        ),
      ),
    );
  return rows.map((r) => r.sourceKey);
}

/**
 * Of these order source keys, those the ledger has settled: booked before `bookedBefore` (their units are out of the
 * QtyOnHand the run read), or skipped, ignored or voided (never to be booked: the sync will not move QBO's stock for
 * them, so neither does this). A sale booked at or after it is not settled for this run: QBO may have answered the
 * run's item read before that sale reached it.
 */
export async function listSettledOrderKeys(
  db: Executor,
  p: { storeId: string; sourceKeys: string[]; bookedBefore: Date },
): Promise<Set<string>> {
  if (p.sourceKeys.length === 0) return new Set();
  const rows = await db
    .select({
      sourceKey: ledgerEntries.sourceKey,
      role: ledgerEntries.role,
      status: ledgerEntries.status,
      updatedAt: ledgerEntries.updatedAt,
    })
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.storeId, p.storeId),
        inArray(ledgerEntries.sourceKey, p.sourceKeys),
        inArray(ledgerEntries.status, ['synced', 'skipped', 'ignored', 'voided']),
      ),
    );
  const recent = new Set(
    rows.filter((r) => r.role === ROLE.sale && r.status === 'synced' && r.updatedAt >= p.bookedBefore).map((r) => r.sourceKey),
  );
  return new Set(rows.map((r) => r.sourceKey).filter((k) => !recent.has(k)));
}

/** The sync's cursor: orders updated at or after it have not been examined by the sales sync yet. */
export async function storeSyncCursor(db: Executor, p: { storeId: string }): Promise<{ cursor: Date | null; startDate: Date } | undefined> {
  const [row] = await db
    .select({ cursor: stores.cursorUpdatedAt, startDate: stores.startDate })
    .from(stores)
    .where(eq(stores.id, p.storeId));
  return row;
}
