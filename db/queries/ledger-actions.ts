/**
 * What a person does to a source's ledger rows (retry, ignore, un-ignore: services/stores/documents.ts):
 * one conditional update, so a row that changed status in the meantime (a run booked it) is left alone.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { ledgerEntries } from '../schema';
import type { Executor } from './executor';
import type { LedgerRow } from './ledger';

/**
 * Sets `status` and/or `reasonCode` on the rows of `sourceKey` (of `roles`) that are in `from`; answers the
 * rows changed. `updatedAt` becomes `at`: a run started after it re-reads a row it retries (db/queries/ledger.ts
 * listRetryableRows' `before`).
 */
export async function setLedgerRowsStatus(
  db: Executor,
  p: {
    storeId: string;
    sourceKey: string;
    roles: readonly string[];
    from: readonly string[];
    set: { status?: string; reasonCode?: string };
    at: Date;
  },
): Promise<LedgerRow[]> {
  return db
    .update(ledgerEntries)
    .set({ ...p.set, updatedAt: p.at })
    .where(
      and(
        eq(ledgerEntries.storeId, p.storeId),
        eq(ledgerEntries.sourceKey, p.sourceKey),
        inArray(ledgerEntries.role, [...p.roles]),
        inArray(ledgerEntries.status, [...p.from]),
      ),
    )
    .returning();
}
