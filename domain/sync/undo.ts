/**
 * Undo (issue #17, docs/undo.md): the decisions behind POST /stores/:id/undo, pure, tested row by row in
 * test/domain/undo.test.ts. For a window of sources, which QBO documents Ledgerline created are deleted, in
 * which order, how QBO's answer to a delete is read, what the ledger row says afterwards (`undone`: no run
 * books it again), and what a redo (the unignore action on an undone source) writes so the next run books
 * it afresh. The activity (activities/undo) does the I/O around them.
 */
import { QboValidationError } from '../errors';
import { FAULT, faultCode } from './faults';
import type { LedgerEntry, LedgerEntryChanges } from './ledger-entry';

/** What an undo may cover: orders (their sale document, the invoice's Payment, and the order's refunds) and refunds. */
export const UNDO_KINDS = ['orders', 'refunds'] as const;
export type UndoKind = (typeof UNDO_KINDS)[number];

/** The reason code of an undone row. */
export const UNDO_CODE = 'undone';
/** The skip code of a refund whose order is undone (domain/sync/refunds.ts); the order's redo brings it back. */
export const UNDONE_ORDER_CODE = 'order_undone';
/** The park code a redo leaves on an undone row: every run re-tries it (RETRYABLE_PARK_CODES, RETRYABLE_REFUND_CODES). */
export const REDO_CODE = 'redo_requested';

/** The document types an undo deletes. Payout Deposits and fee JournalEntries are not among them (decideUndo). */
export const UNDOABLE_TYPES = ['SalesReceipt', 'Invoice', 'Payment', 'RefundReceipt', 'CreditMemo'] as const;

export type UndoVerdict =
  | { action: 'delete'; qboType: string; qboId: string }
  /** Nothing to do for this row; said in the preview and the result. */
  | { action: 'skip'; code: 'already_undone' | 'no_document' | 'voided' | 'not_created_by_ledgerline'; reason: string }
  /** The row holds a document the undo will not touch; a person decides. */
  | { action: 'refuse'; code: 'payout_document' | 'write_in_doubt' | 'unsupported_type'; reason: string };

/**
 * One ledger row's verdict. Deleted (not voided): a deleted document frees its DocNumber, so a redo books the
 * same number again, and QBO keeps the deletion in its audit log.
 */
export function decideUndo(row: LedgerEntry): UndoVerdict {
  if (row.status === 'undone') return { action: 'skip', code: 'already_undone', reason: row.reason ?? 'Already undone' };
  if (row.sourceKey.startsWith('payout')) {
    return {
      action: 'refuse',
      code: 'payout_document',
      reason:
        'Payout Deposits and fee journals are not undone: they are the payout saga’s own (POST /stores/:id/payouts/:payoutId/retry); an undo covers orders and refunds',
    };
  }
  if (!row.createdByLedgerline) {
    return { action: 'skip', code: 'not_created_by_ledgerline', reason: 'Ledgerline adopted this document, it did not create it' };
  }
  if (row.status === 'pending') {
    return {
      action: 'refuse',
      code: 'write_in_doubt',
      reason: 'A write to QBO is in doubt for this source (pending); the next sync settles it, then undo again',
    };
  }
  if (!row.qboId) return { action: 'skip', code: 'no_document', reason: `No QBO document (${row.status})` };
  if (row.status === 'voided') {
    return { action: 'skip', code: 'voided', reason: `The ${row.qboType ?? 'document'} is already voided in QBO; it is left as it is` };
  }
  if (!(UNDOABLE_TYPES as readonly string[]).includes(row.qboType ?? '')) {
    return { action: 'refuse', code: 'unsupported_type', reason: `An undo does not delete ${row.qboType ?? 'untyped'} documents` };
  }
  return { action: 'delete', qboType: row.qboType!, qboId: row.qboId };
}

/**
 * The order an undone row belongs to, whose sale must stay when the row stays in QBO: a refund names it as its
 * parent; a sale and its invoice's Payment are keyed by the order itself (their parent is empty).
 */
export const undoOwner = (row: Pick<LedgerEntry, 'role' | 'sourceKey' | 'parentSourceKey'>): string | null =>
  row.role === 'refund' ? row.parentSourceKey : row.sourceKey;

/** Payments before the invoices they pay, refunds (a CreditMemo may be applied to the invoice) before sales. */
const ROLE_RANK: Readonly<Record<string, number>> = { payment: 0, refund: 1, sale: 2 };

/** The rows in the order their documents are deleted; ties by source key, so every attempt walks them alike. */
export function undoOrder<T extends Pick<LedgerEntry, 'role' | 'sourceKey'>>(rows: readonly T[]): T[] {
  return [...rows].sort(
    (a, b) => (ROLE_RANK[a.role] ?? 3) - (ROLE_RANK[b.role] ?? 3) || (a.sourceKey < b.sourceKey ? -1 : a.sourceKey > b.sourceKey ? 1 : 0),
  );
}

export type DeleteFault =
  /** QBO no longer holds it (deleted by hand, or by an earlier attempt whose answer was lost): the undo of it is done. */
  | { kind: 'gone' }
  /** 5010: the SyncToken is stale (someone edited it): read it again and delete that version. */
  | { kind: 'stale' }
  /** QBO refuses (a Deposit links it, the books are closed): left in QBO, the reason said. */
  | { kind: 'refused'; reason: string }
  /** Anything else (throttling, 5xx, a lost answer): the attempt fails and Temporal retries it. */
  | { kind: 'retry' };

/** How QBO's answer to reading or deleting a document is read (docs/qbo-facts.md §7 for the codes). */
export function interpretDeleteFault(err: unknown): DeleteFault {
  if (faultCode(err) === FAULT.notFound) return { kind: 'gone' };
  if (faultCode(err) === FAULT.stale) return { kind: 'stale' };
  if (err instanceof QboValidationError) {
    if (/object not found|not found|has been deleted|was deleted/i.test(err.message)) return { kind: 'gone' };
    if (/stale object/i.test(err.message)) return { kind: 'stale' };
    return { kind: 'refused', reason: err.message };
  }
  return { kind: 'retry' };
}

/** What an undone row says: when, and by which undo. The document columns stay, as the record of what was deleted. */
export function undoneChanges(undoId: string, at: Date, gone: boolean): LedgerEntryChanges {
  return {
    status: 'undone',
    reasonCode: UNDO_CODE,
    reason: `${gone ? 'Already gone from QBO when' : 'Deleted from QBO by'} undo ${undoId} at ${at.toISOString()}${gone ? ' ran' : ''}`,
  };
}

/**
 * A redo of an undone row (POST /stores/:id/documents/:sourceKey/unignore): the deleted document is forgotten and the
 * row waits for the next run, which books the source afresh (a new requestid: domain/sync pendingCreate, the refund's
 * attempt count). An invoice's Payment row is set aside (`skipped`): the sale is booked again first, and its Payment
 * with it if the order is paid by then.
 */
export function redoChanges(row: Pick<LedgerEntry, 'role'>): LedgerEntryChanges {
  const forget = { qboId: null, qboSyncToken: null, qboDocNumber: null, qboTotalMinor: null, fingerprint: null, requestId: null };
  if (row.role === 'payment') {
    return { ...forget, status: 'skipped', reasonCode: REDO_CODE, reason: 'Redo requested: recorded again with its invoice' };
  }
  return { ...forget, status: 'parked', reasonCode: REDO_CODE, reason: 'Redo requested after an undo: the next run books it again' };
}

/**
 * An undo's result travels through Temporal, whose payloads are limited to 2 MB: past this many documents the result
 * lists the ones left in QBO first (they need a person), then the rest in order, and says how many it left out. The
 * ledger keeps every row the undo marked (status `undone`, its undo id), so nothing is lost by leaving them out.
 */
export const UNDO_RESULT_ITEMS = 1000;

export function capUndoItems<T extends { outcome: string }>(items: readonly T[], cap = UNDO_RESULT_ITEMS): { items: T[]; omitted: number } {
  if (items.length <= cap) return { items: [...items], omitted: 0 };
  const listed = [...items.filter((i) => i.outcome === 'refused'), ...items.filter((i) => i.outcome !== 'refused')].slice(0, cap);
  return { items: listed, omitted: items.length - listed.length };
}
