/**
 * The ledger rows an undo covers (domain/sync/undo.ts, services/stores/undo.ts) and a redo's write. The window is
 * over the source's own time, as a resync's is: an order's `updatedAt` as last booked (`source_updated_at`), a
 * refund's creation. An order in the window brings its sale, its Payment and all its refunds; a refund in the
 * window comes alone.
 */
import { and, eq, gte, inArray, lt, or } from 'drizzle-orm';
import { ledgerEntries } from '../schema';
import { UNDONE_ORDER_CODE, type UndoKind } from '../../domain/sync/undo';
import type { Executor } from './executor';
import type { LedgerRow } from './ledger';

export async function listUndoRows(
  db: Executor,
  p: { storeId: string; from: Date; to: Date; kinds: readonly UndoKind[] },
): Promise<LedgerRow[]> {
  const inWindow = and(gte(ledgerEntries.sourceUpdatedAt, p.from), lt(ledgerEntries.sourceUpdatedAt, p.to));
  const out = new Map<string, LedgerRow>();
  const add = (rows: LedgerRow[]) => rows.forEach((r) => out.set(`${r.sourceKey}|${r.role}`, r));
  if (p.kinds.includes('orders')) {
    const sales = await db
      .select({ sourceKey: ledgerEntries.sourceKey })
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.storeId, p.storeId), eq(ledgerEntries.role, 'sale'), inWindow));
    const keys = sales.map((s) => s.sourceKey);
    for (let i = 0; i < keys.length; i += 500) {
      const part = keys.slice(i, i + 500);
      add(
        await db
          .select()
          .from(ledgerEntries)
          .where(
            and(
              eq(ledgerEntries.storeId, p.storeId),
              or(inArray(ledgerEntries.sourceKey, part), inArray(ledgerEntries.parentSourceKey, part)),
            ),
          ),
      );
    }
  }
  if (p.kinds.includes('refunds')) {
    add(
      await db
        .select()
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.storeId, p.storeId), eq(ledgerEntries.role, 'refund'), inWindow)),
    );
  }
  return [...out.values()];
}

/** The undone rows of a source and of its refunds (a redo of an order redoes its refunds too). */
export async function listUndoneRowsOf(db: Executor, p: { storeId: string; sourceKey: string }): Promise<LedgerRow[]> {
  return db
    .select()
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.storeId, p.storeId),
        or(
          and(
            eq(ledgerEntries.status, 'undone'),
            or(eq(ledgerEntries.sourceKey, p.sourceKey), eq(ledgerEntries.parentSourceKey, p.sourceKey)),
          ),
          // Refunds made while their order was undone were skipped for it (domain/sync/refunds.ts order_undone):
          // the order's redo brings them back too, or they would never be booked.
          and(
            eq(ledgerEntries.parentSourceKey, p.sourceKey),
            eq(ledgerEntries.status, 'skipped'),
            eq(ledgerEntries.reasonCode, UNDONE_ORDER_CODE),
          ),
        ),
      ),
    );
}

/** Writes `changes` on one row if it is still `undone` (or a refund skipped for its undone order) (a redo racing another redo changes it once); true when it did. */
export async function redoUndoneRow(
  db: Executor,
  p: { storeId: string; sourceKey: string; role: string; changes: Partial<typeof ledgerEntries.$inferInsert>; at: Date },
): Promise<boolean> {
  const rows = await db
    .update(ledgerEntries)
    .set({ ...p.changes, updatedAt: p.at })
    .where(
      and(
        eq(ledgerEntries.storeId, p.storeId),
        eq(ledgerEntries.sourceKey, p.sourceKey),
        eq(ledgerEntries.role, p.role),
        or(eq(ledgerEntries.status, 'undone'), and(eq(ledgerEntries.status, 'skipped'), eq(ledgerEntries.reasonCode, UNDONE_ORDER_CODE))),
      ),
    )
    .returning({ sourceKey: ledgerEntries.sourceKey });
  return rows.length > 0;
}
