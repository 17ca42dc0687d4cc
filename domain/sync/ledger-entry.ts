/**
 * The ledger row as the sync's decisions see it (db/schema.ts `ledger_entries` has the same columns):
 * one row per Shopify source object and role, holding the QBO document it became and its status. An
 * order has at most one `sale` row (its SalesReceipt or Invoice: the table's primary key is what makes
 * "one document per order" hold) and one `payment` row (the Payment of an invoice paid later).
 */
import type { DocumentStatus } from '../ledger';
import type { HeldDocument } from './review';

export interface LedgerEntry {
  storeId: string;
  sourceKey: string;
  role: string;
  sourceType: string;
  /** A refund's order (`order:<gid>`); null for orders themselves. */
  parentSourceKey: string | null;
  sourceName: string | null;
  sourceUpdatedAt: Date | null;
  status: string;
  reason: string | null;
  reasonCode: string | null;
  qboType: string | null;
  qboId: string | null;
  qboSyncToken: string | null;
  qboDocNumber: string | null;
  qboTotalMinor: number | null;
  sourceTotalMinor: number | null;
  fingerprint: string | null;
  requestId: string | null;
  attempts: number;
  createdByLedgerline: boolean;
  /** A `held` row's built document, kept for a person's review (domain/sync/review.ts); null otherwise. */
  heldDocument: HeldDocument | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A whole row to write: every column given (the last write of a row wins, nothing is merged). */
export type LedgerEntryWrite = LedgerEntry;

export type LedgerEntryChanges = Partial<Omit<LedgerEntry, 'status'>> & { status?: DocumentStatus };

export const ROLE = { sale: 'sale', payment: 'payment' } as const;

/** An order's rows by role. */
export interface OrderRows {
  sale?: LedgerEntry;
  payment?: LedgerEntry;
}

/** Groups an order's rows (any order of rows) by role. */
export function groupOrderRows(rows: readonly LedgerEntry[]): Map<string, OrderRows> {
  const out = new Map<string, OrderRows>();
  for (const row of rows) {
    const entry = out.get(row.sourceKey) ?? {};
    if (row.role === ROLE.sale) entry.sale = row;
    else if (row.role === ROLE.payment) entry.payment = row;
    out.set(row.sourceKey, entry);
  }
  return out;
}

/** A full row from the current one (if any) with `changes` applied; timestamps refreshed. */
export function nextEntry(
  base: Pick<LedgerEntry, 'storeId' | 'sourceKey' | 'role' | 'sourceType'>,
  current: LedgerEntry | undefined,
  changes: LedgerEntryChanges,
  now: Date,
): LedgerEntryWrite {
  const row: LedgerEntryWrite = {
    parentSourceKey: null,
    sourceName: null,
    sourceUpdatedAt: null,
    reason: null,
    reasonCode: null,
    qboType: null,
    qboId: null,
    qboSyncToken: null,
    qboDocNumber: null,
    qboTotalMinor: null,
    sourceTotalMinor: null,
    fingerprint: null,
    requestId: null,
    attempts: 0,
    createdByLedgerline: true,
    heldDocument: null,
    status: 'pending',
    ...(current ?? {}),
    ...base,
    ...changes,
    updatedAt: now,
    createdAt: current?.createdAt ?? now,
  };
  // Only a held row keeps a built document for review: one posted, parked or skipped since holds none.
  if (row.status !== 'held') row.heldDocument = changes.heldDocument ?? null;
  return row;
}

/**
 * The document columns to write when an order is parked: a row that holds a QBO document keeps it
 * (the document stays booked; a later run updates it), a row without one clears any half-planned
 * document (type, number, fingerprint) so nothing suggests it exists.
 */
export function keepDocument(sale: LedgerEntry | undefined): LedgerEntryChanges {
  return sale?.qboId ? {} : { qboType: null, qboId: null, qboSyncToken: null, qboDocNumber: null, qboTotalMinor: null, fingerprint: null };
}
