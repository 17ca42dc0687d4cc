/**
 * `ledger_entries`, the idempotent sync ledger: rows are written as whole values (insert … on conflict
 * do update), so a retried write lands on the same row; one row per (store, source key, role).
 */
import { and, count, desc, eq, getTableColumns, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { auditFindings, ledgerEntries } from '../schema';
import { chunk } from '../../domain/collections';
import type { LedgerEntry } from '../../domain/sync';
import type { Executor } from './executor';

export type LedgerRow = typeof ledgerEntries.$inferSelect;
export type LedgerWrite = typeof ledgerEntries.$inferInsert;

/**
 * The sync's decisions read rows as domain/sync's LedgerEntry: the two types must stay the same, so
 * a column added to the table without the domain knowing (or the other way round) fails to compile.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const ledgerRowIsLedgerEntry: Same<LedgerRow, LedgerEntry> = true;
void ledgerRowIsLedgerEntry;

/** The store's rows for these source keys (every role). */
export async function listLedgerRows(db: Executor, p: { storeId: string; sourceKeys: string[] }): Promise<LedgerRow[]> {
  const out: LedgerRow[] = [];
  for (const part of chunk(p.sourceKeys, 500)) {
    out.push(
      ...(await db
        .select()
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.storeId, p.storeId), inArray(ledgerEntries.sourceKey, part)))),
    );
  }
  return out;
}

const KEY_COLUMNS = new Set(['storeId', 'sourceKey', 'role', 'createdAt']);
const UPSERT_SET: Record<string, SQL> = Object.fromEntries(
  Object.entries(getTableColumns(ledgerEntries))
    .filter(([key]) => !KEY_COLUMNS.has(key))
    .map(([key, column]) => [key, sql.raw(`excluded."${column.name}"`)]),
);

/** Writes whole rows (every column given): the last write of a row wins, nothing is merged. */
export async function upsertLedgerRows(db: Executor, p: { rows: LedgerWrite[] }): Promise<void> {
  // One statement may not touch a row twice: keep the last write per key.
  const byKey = new Map(p.rows.map((r) => [`${r.sourceKey}|${r.role}`, r]));
  for (const part of chunk([...byKey.values()], 200)) {
    await db
      .insert(ledgerEntries)
      .values(part)
      .onConflictDoUpdate({
        target: [ledgerEntries.storeId, ledgerEntries.sourceKey, ledgerEntries.role],
        set: UPSERT_SET,
      });
  }
}

/** Source keys of `role` rows in `statuses` with a reason code in `reasonCodes`, last touched before `before`; oldest first. */
export async function listRetryableRows(
  db: Executor,
  p: {
    storeId: string;
    role: string;
    statuses: string[];
    reasonCodes: string[];
    before: Date;
    limit: number;
  },
): Promise<string[]> {
  const rows = await db
    .select({ sourceKey: ledgerEntries.sourceKey })
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.storeId, p.storeId),
        eq(ledgerEntries.role, p.role),
        inArray(ledgerEntries.status, p.statuses),
        inArray(ledgerEntries.reasonCode, p.reasonCodes),
        lt(ledgerEntries.updatedAt, p.before),
      ),
    )
    .orderBy(ledgerEntries.updatedAt)
    .limit(p.limit);
  return rows.map((r) => r.sourceKey);
}

/** Stops re-trying rows whose source Shopify no longer returns: a new reason code, and a note appended to the reason. */
export async function markSourcesGone(
  db: Executor,
  p: {
    storeId: string;
    role: string;
    sourceKeys: string[];
    reasonCode: string;
    note: string;
    at: Date;
  },
): Promise<void> {
  if (p.sourceKeys.length === 0) return;
  await db
    .update(ledgerEntries)
    .set({
      reasonCode: p.reasonCode,
      updatedAt: p.at,
      reason: sql`coalesce(${ledgerEntries.reason}, '') || ${p.note}`,
    })
    .where(and(eq(ledgerEntries.storeId, p.storeId), eq(ledgerEntries.role, p.role), inArray(ledgerEntries.sourceKey, p.sourceKeys)));
}

/**
 * Rows of `role` whose parent source is gone (an order Shopify no longer returns): those still waiting
 * (pending, or parked/failed) are parked with `reasonCode`, which no retry list selects, so they stop
 * being re-read every run. A pending row keeps its document fields: what may have been written stays
 * visible to the operator.
 */
export async function markChildrenGone(
  db: Executor,
  p: { storeId: string; role: string; parentSourceKeys: string[]; reasonCode: string; note: string; at: Date },
): Promise<number> {
  if (p.parentSourceKeys.length === 0) return 0;
  const rows = await db
    .update(ledgerEntries)
    .set({
      status: 'parked',
      reasonCode: p.reasonCode,
      updatedAt: p.at,
      reason: sql`coalesce(${ledgerEntries.reason}, '') || ${p.note}`,
    })
    .where(
      and(
        eq(ledgerEntries.storeId, p.storeId),
        eq(ledgerEntries.role, p.role),
        inArray(ledgerEntries.parentSourceKey, p.parentSourceKeys),
        inArray(ledgerEntries.status, ['pending', 'parked', 'failed']),
      ),
    )
    .returning({ sourceKey: ledgerEntries.sourceKey });
  return rows.length;
}

/** Rows per (store, role, status) for these stores. */
export async function countLedgerByStatus(
  db: Executor,
  p: { storeIds: string[] },
): Promise<Array<{ storeId: string; role: string; status: string; n: number }>> {
  if (p.storeIds.length === 0) return [];
  const rows = await db
    .select({ storeId: ledgerEntries.storeId, role: ledgerEntries.role, status: ledgerEntries.status, n: count() })
    .from(ledgerEntries)
    .where(inArray(ledgerEntries.storeId, p.storeIds))
    .groupBy(ledgerEntries.storeId, ledgerEntries.role, ledgerEntries.status);
  return rows.map((r) => ({ storeId: r.storeId, role: r.role, status: r.status, n: Number(r.n) }));
}

/** (created_at as PostgreSQL's own text, so microseconds survive a round trip; source key; role). */
export type LedgerPosition = [createdAt: string, sourceKey: string, role: string];

/**
 * One page of a store's ledger, newest first by (created_at, source_key, role), after `after` when
 * given; `limit` rows at most. Each row comes with its position, for the next page.
 */
export async function listLedgerPage(
  db: Executor,
  p: {
    storeId: string;
    statuses?: string[] | undefined;
    /** The attention list: parked or failed rows, or rows with an open audit finding (db/queries/audit.ts). */
    attention?: boolean;
    after?: LedgerPosition | undefined;
    limit: number;
  },
): Promise<Array<{ entry: LedgerRow; position: LedgerPosition }>> {
  const where: SQL[] = [eq(ledgerEntries.storeId, p.storeId)];
  if (p.statuses) where.push(inArray(ledgerEntries.status, p.statuses));
  if (p.attention) {
    where.push(
      sql`(${ledgerEntries.status} in ('parked', 'failed') or exists (select 1 from ${auditFindings} where ${auditFindings.storeId} = ${ledgerEntries.storeId} and ${auditFindings.sourceKey} = ${ledgerEntries.sourceKey} and ${auditFindings.role} = ${ledgerEntries.role} and ${auditFindings.resolvedAt} is null))`,
    );
  }
  if (p.after) {
    const [createdAt, sourceKey, role] = p.after;
    where.push(
      sql`(${ledgerEntries.createdAt}, ${ledgerEntries.sourceKey}, ${ledgerEntries.role}) < (${createdAt}::timestamptz, ${sourceKey}, ${role})`,
    );
  }
  const rows = await db
    .select({ entry: ledgerEntries, createdAtText: sql<string>`${ledgerEntries.createdAt}::text` })
    .from(ledgerEntries)
    .where(and(...where))
    .orderBy(desc(ledgerEntries.createdAt), desc(ledgerEntries.sourceKey), desc(ledgerEntries.role))
    .limit(p.limit);
  return rows.map((r) => ({ entry: r.entry, position: [r.createdAtText, r.entry.sourceKey, r.entry.role] }));
}

/** Rows that belong to these parent sources (a refund's rows by its order's key). */
export async function listChildRows(db: Executor, p: { storeId: string; parentKeys: string[] }): Promise<LedgerRow[]> {
  const out: LedgerRow[] = [];
  for (const part of chunk(p.parentKeys, 500)) {
    out.push(
      ...(await db
        .select()
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.storeId, p.storeId), inArray(ledgerEntries.parentSourceKey, part)))),
    );
  }
  return out;
}

/**
 * Parent keys (orders) of `role` rows that a run should try again — in `statuses` with a code in
 * `reasonCodes`, or `pending` (a write in doubt) — last touched before `before`; oldest first.
 */
export async function listRetryableParents(
  db: Executor,
  p: { storeId: string; role: string; statuses: string[]; reasonCodes: string[]; before: Date; limit: number },
): Promise<string[]> {
  const rows = await db
    .selectDistinct({ parent: ledgerEntries.parentSourceKey, updatedAt: ledgerEntries.updatedAt })
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.storeId, p.storeId),
        eq(ledgerEntries.role, p.role),
        or(
          and(inArray(ledgerEntries.status, p.statuses), inArray(ledgerEntries.reasonCode, p.reasonCodes)),
          eq(ledgerEntries.status, 'pending'),
        ),
        lt(ledgerEntries.updatedAt, p.before),
        sql`${ledgerEntries.parentSourceKey} is not null`,
      ),
    )
    .orderBy(ledgerEntries.updatedAt)
    .limit(p.limit);
  return [...new Set(rows.map((r) => r.parent!))];
}
