/**
 * The sync ledger in PostgreSQL (db/schema.ts `ledger_entries`): read an order's rows, write rows as
 * whole values (insert … on conflict do update), so every write is idempotent and a retried activity
 * lands on the same row. An order has at most one `sale` row (its SalesReceipt or Invoice: the primary
 * key is what makes "one document per order" hold) and one `payment` row (the Payment of an invoice).
 * Refunds, fees and payouts add their own source keys and roles.
 */
import { and, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { ledgerEntries } from '../../db/schema';
import { chunk } from './qbo-helpers';

export type LedgerRow = typeof ledgerEntries.$inferSelect;
export type LedgerWrite = typeof ledgerEntries.$inferInsert;

export const ROLE = { sale: 'sale', payment: 'payment' } as const;

export interface OrderRows {
  sale?: LedgerRow;
  payment?: LedgerRow;
}

export async function readOrderRows(db: Db, storeId: string, sourceKeys: string[]): Promise<Map<string, OrderRows>> {
  const out = new Map<string, OrderRows>();
  for (const part of chunk(sourceKeys, 500)) {
    const rows = await db.select().from(ledgerEntries).where(and(eq(ledgerEntries.storeId, storeId), inArray(ledgerEntries.sourceKey, part)));
    for (const row of rows) {
      const entry = out.get(row.sourceKey) ?? {};
      if (row.role === ROLE.sale) entry.sale = row;
      else if (row.role === ROLE.payment) entry.payment = row;
      out.set(row.sourceKey, entry);
    }
  }
  return out;
}

const KEY_COLUMNS = new Set(['storeId', 'sourceKey', 'role', 'createdAt']);
const columns = getTableColumns(ledgerEntries);
const UPSERT_SET: Record<string, SQL> = Object.fromEntries(
  Object.entries(columns)
    .filter(([key]) => !KEY_COLUMNS.has(key))
    .map(([key, column]) => [key, sql.raw(`excluded."${column.name}"`)]),
);

/** Writes whole rows (every column given): the last write of a row wins, nothing is merged. */
export async function writeRows(db: Db, rows: LedgerWrite[]): Promise<void> {
  // One statement may not touch a row twice: keep the last write per key.
  const byKey = new Map(rows.map((r) => [`${r.sourceKey}|${r.role}`, r]));
  for (const part of chunk([...byKey.values()], 200)) {
    await db.insert(ledgerEntries).values(part).onConflictDoUpdate({
      target: [ledgerEntries.storeId, ledgerEntries.sourceKey, ledgerEntries.role],
      set: UPSERT_SET,
    });
  }
}

/** A full row from the current one (if any) with `changes` applied; timestamps refreshed. */
export function nextRow(base: Pick<LedgerWrite, 'storeId' | 'sourceKey' | 'role' | 'sourceType'>, current: LedgerRow | undefined, changes: Partial<LedgerWrite>, now: Date): LedgerWrite {
  return {
    sourceName: null, sourceUpdatedAt: null, reason: null, reasonCode: null, qboType: null, qboId: null, qboSyncToken: null,
    qboDocNumber: null, qboTotalMinor: null, sourceTotalMinor: null, fingerprint: null, requestId: null, attempts: 0,
    createdByLedgerline: true, status: 'pending',
    ...(current ?? {}),
    ...base,
    ...changes,
    updatedAt: now,
    createdAt: current?.createdAt ?? now,
  };
}
