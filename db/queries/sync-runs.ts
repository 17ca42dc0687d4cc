/**
 * `sync_runs`: one row per sync run (id = the child workflow's id), written when it starts and when it
 * completes or fails; completing and failing also record the outcome on the store (stores.ts).
 */
import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import { syncRuns } from '../schema';
import type { Executor } from './executor';
import { recordRunCompleted, recordRunFailed } from './stores';

export type SyncRunRow = typeof syncRuns.$inferSelect;

export interface RunCounts {
  fetched: number;
  synced: number;
  parked: number;
  skipped: number;
  failed: number;
}

/**
 * Records a run as started (`running`), or as failed at once when `blocked` says why it cannot run.
 * A reset or re-run of the same child workflow starts its record afresh.
 */
export async function startSyncRun(
  db: Executor,
  p: {
    runId: string;
    storeId: string;
    workflowId: string;
    trigger: string;
    windowFrom: Date;
    windowTo: Date;
    at: Date;
    blocked?: string | undefined;
  },
): Promise<void> {
  const { blocked, at: now } = p;
  await db
    .insert(syncRuns)
    .values({
      id: p.runId,
      storeId: p.storeId,
      workflowId: p.workflowId,
      trigger: p.trigger,
      status: blocked ? 'failed' : 'running',
      windowFrom: p.windowFrom,
      windowTo: p.windowTo,
      startedAt: now,
      ...(blocked ? { error: blocked, finishedAt: now } : {}),
    })
    .onConflictDoUpdate({
      target: syncRuns.id,
      set: {
        status: blocked ? 'failed' : 'running',
        error: blocked ?? null,
        finishedAt: blocked ? now : null,
        windowFrom: p.windowFrom,
        windowTo: p.windowTo,
      },
    });
}

/** The run completed: its counts, and on its store the last run and (with `cursorTo`) the cursor, in one transaction. */
export async function completeSyncRun(
  db: Executor,
  p: { runId: string; storeId: string; counts: RunCounts; at: Date; cursorTo?: Date },
): Promise<void> {
  const { counts: c, at: now } = p;
  await db.transaction(async (tx) => {
    await tx
      .update(syncRuns)
      .set({
        status: 'completed',
        fetched: c.fetched,
        synced: c.synced,
        parked: c.parked,
        skipped: c.skipped,
        failed: c.failed,
        finishedAt: now,
        error: null,
      })
      .where(eq(syncRuns.id, p.runId));
    await recordRunCompleted(tx, { storeId: p.storeId, at: now, ...(p.cursorTo !== undefined ? { cursorTo: p.cursorTo } : {}) });
  });
}

/** The run failed: on the run, then on its store (two statements, as the activity always wrote them). */
export async function failSyncRun(db: Executor, p: { runId: string; storeId: string; error: string; at: Date }): Promise<void> {
  await db.update(syncRuns).set({ status: 'failed', error: p.error, finishedAt: p.at }).where(eq(syncRuns.id, p.runId));
  await recordRunFailed(db, { storeId: p.storeId, at: p.at, error: p.error });
}

/** Each store's latest run (by start, then id). */
export async function latestSyncRuns(db: Executor, p: { storeIds: string[] }): Promise<Map<string, SyncRunRow>> {
  if (p.storeIds.length === 0) return new Map();
  const rows = await db
    .selectDistinctOn([syncRuns.storeId])
    .from(syncRuns)
    .where(inArray(syncRuns.storeId, p.storeIds))
    .orderBy(syncRuns.storeId, desc(syncRuns.startedAt), desc(syncRuns.id));
  return new Map(rows.map((r) => [r.storeId, r]));
}

/** A store's runs (unordered). */
export function listSyncRuns(db: Executor, p: { storeId: string }): Promise<SyncRunRow[]> {
  return db.select().from(syncRuns).where(eq(syncRuns.storeId, p.storeId));
}

/** When the store's newest run started by anything but a webhook began (such runs retry parked orders and list payouts). */
export async function lastFullRunStartedAt(db: Executor, p: { storeId: string }): Promise<Date | null> {
  const [row] = await db
    .select({ startedAt: syncRuns.startedAt })
    .from(syncRuns)
    .where(and(eq(syncRuns.storeId, p.storeId), ne(syncRuns.trigger, 'webhook')))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1);
  return row?.startedAt ?? null;
}
