/**
 * The sync ledger in PostgreSQL (db/schema.ts `ledger_entries`; the row as the decisions see it:
 * domain/sync/ledger-entry.ts): read an order's rows, write rows as whole values (insert … on conflict
 * do update), so every write is idempotent and a retried activity lands on the same row.
 */
import { and, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { ledgerEntries } from '../../db/schema';
import { groupOrderRows, type LedgerEntryWrite, type OrderRows } from '../../domain/sync';
import { chunk } from './qbo-helpers';

export async function readOrderRows(db: Db, storeId: string, sourceKeys: string[]): Promise<Map<string, OrderRows>> {
  const rows = [];
  for (const part of chunk(sourceKeys, 500)) {
    rows.push(...(await db.select().from(ledgerEntries).where(and(eq(ledgerEntries.storeId, storeId), inArray(ledgerEntries.sourceKey, part)))));
  }
  return groupOrderRows(rows);
}

const KEY_COLUMNS = new Set(['storeId', 'sourceKey', 'role', 'createdAt']);
const columns = getTableColumns(ledgerEntries);
const UPSERT_SET: Record<string, SQL> = Object.fromEntries(
  Object.entries(columns)
    .filter(([key]) => !KEY_COLUMNS.has(key))
    .map(([key, column]) => [key, sql.raw(`excluded."${column.name}"`)]),
);

/** Writes whole rows (every column given): the last write of a row wins, nothing is merged. */
export async function writeRows(db: Db, rows: LedgerEntryWrite[]): Promise<void> {
  // One statement may not touch a row twice: keep the last write per key.
  const byKey = new Map(rows.map((r) => [`${r.sourceKey}|${r.role}`, r]));
  for (const part of chunk([...byKey.values()], 200)) {
    await db.insert(ledgerEntries).values(part).onConflictDoUpdate({
      target: [ledgerEntries.storeId, ledgerEntries.sourceKey, ledgerEntries.role],
      set: UPSERT_SET,
    });
  }
}
