/**
 * Undo's decisions (domain/sync/undo.ts) and the sync's decisions for an undone row (domain/sync/orders.ts,
 * refunds.ts): which rows an undo deletes, in which order, how QBO's answer to a delete is read, what an undone
 * row says, that no run books an undone source again, and that a redo books it with a requestid of its own.
 */
import { describe, expect, it } from 'vitest';
import { QboThrottledError, QboValidationError, TransientUpstreamError } from '../../domain/errors';
import { orderSourceKey, qboRequestId } from '../../domain/ledger';
import {
  capUndoItems,
  decideDocumentWrite,
  decideOrder,
  decideUndo,
  existingDocument,
  holdsDocument,
  interpretDeleteFault,
  nextEntry,
  pendingCreate,
  redoChanges,
  REDO_CODE,
  refundNeedsWork,
  UNDO_RESULT_ITEMS,
  RETRYABLE_PARK_CODES,
  RETRYABLE_REFUND_CODES,
  undoneChanges,
  undoOrder,
  undoOwner,
  type LedgerEntry,
  type LedgerEntryChanges,
} from '../../domain/sync';
import { US, usSimple } from './fixtures/scenarios';

const T0 = new Date('2026-11-01T00:00:00.000Z');
const KEY = 'order:gid://shopify/Order/1';

function row(over: Partial<LedgerEntry> = {}): LedgerEntry {
  return nextEntry(
    { storeId: 's1', sourceKey: KEY, role: 'sale', sourceType: 'order' },
    undefined,
    {
      status: 'synced',
      qboType: 'SalesReceipt',
      qboId: '77',
      qboSyncToken: '2',
      qboDocNumber: 'SH-1001',
      fingerprint: 'fp-1',
      ...over,
    } as LedgerEntryChanges,
    T0,
  );
}

const validation = (message: string, code?: string) => new QboValidationError(message, code ? { code } : undefined);

describe('decideUndo: what an undo does with one ledger row', () => {
  it.each([
    ['a synced SalesReceipt', row(), { action: 'delete', qboType: 'SalesReceipt', qboId: '77' }],
    ['a synced Invoice', row({ qboType: 'Invoice' }), { action: 'delete', qboType: 'Invoice' }],
    [
      'an invoice Payment',
      row({ role: 'payment', qboType: 'Payment', qboId: '80' }),
      { action: 'delete', qboType: 'Payment', qboId: '80' },
    ],
    ['a RefundReceipt', row({ role: 'refund', qboType: 'RefundReceipt' }), { action: 'delete', qboType: 'RefundReceipt' }],
    ['a CreditMemo', row({ role: 'refund', qboType: 'CreditMemo' }), { action: 'delete', qboType: 'CreditMemo' }],
    ['a parked row that still holds a document', row({ status: 'parked', reasonCode: 'document_type_changed' }), { action: 'delete' }],
    ['a row undone already', row({ status: 'undone', reason: 'Deleted by undo u-1' }), { action: 'skip', code: 'already_undone' }],
    ['a row with no document (skipped)', row({ status: 'skipped', qboId: null }), { action: 'skip', code: 'no_document' }],
    ['a parked row with no document', row({ status: 'parked', qboId: null }), { action: 'skip', code: 'no_document' }],
    ['a voided invoice', row({ status: 'voided', qboType: 'Invoice' }), { action: 'skip', code: 'voided' }],
    ['a document Ledgerline adopted', row({ createdByLedgerline: false }), { action: 'skip', code: 'not_created_by_ledgerline' }],
    ['a write in doubt', row({ status: 'pending' }), { action: 'refuse', code: 'write_in_doubt' }],
    [
      'a payout Deposit',
      row({ sourceKey: 'payout:gid://shopify/ShopifyPaymentsPayout/1', role: 'deposit', qboType: 'Deposit' }),
      { action: 'refuse', code: 'payout_document' },
    ],
    ['a JournalEntry', row({ qboType: 'JournalEntry' }), { action: 'refuse', code: 'unsupported_type' }],
  ] as const)('%s', (_what, r, want) => {
    expect(decideUndo(r)).toMatchObject(want);
  });
});

describe('undoOrder: Payments, then refunds, then sales', () => {
  it('deletes what links a sale before the sale, each kind by source key', () => {
    const rows = [
      { role: 'sale', sourceKey: 'order:b' },
      { role: 'refund', sourceKey: 'refund:z' },
      { role: 'sale', sourceKey: 'order:a' },
      { role: 'payment', sourceKey: 'order:b' },
      { role: 'refund', sourceKey: 'refund:y' },
    ];
    expect(undoOrder(rows).map((r) => `${r.role} ${r.sourceKey}`)).toEqual([
      'payment order:b',
      'refund refund:y',
      'refund refund:z',
      'sale order:a',
      'sale order:b',
    ]);
  });
});

describe('undoOwner: the order whose sale stays when a row stays in QBO', () => {
  it('is the order itself for its sale and its Payment (keyed by the order, no parent), the parent for a refund', () => {
    expect(undoOwner({ role: 'sale', sourceKey: 'order:1', parentSourceKey: null })).toBe('order:1');
    expect(undoOwner({ role: 'payment', sourceKey: 'order:1', parentSourceKey: null })).toBe('order:1');
    expect(undoOwner({ role: 'refund', sourceKey: 'refund:9', parentSourceKey: 'order:1' })).toBe('order:1');
  });
});

describe("interpretDeleteFault: QBO's answer to a read or delete", () => {
  it.each([
    ['610 Object Not Found', validation('Object Not Found', '610'), { kind: 'gone' }],
    ['a message saying it was deleted', validation('The transaction has been deleted'), { kind: 'gone' }],
    ['5010 stale SyncToken', validation('Stale Object Error', '5010'), { kind: 'stale' }],
    ['a stale message without code', validation('Stale Object Error : You and someone else edited it'), { kind: 'stale' }],
    [
      'a deposited transaction',
      validation('This transaction is linked to a deposit and cannot be deleted', '6000'),
      { kind: 'refused', reason: 'This transaction is linked to a deposit and cannot be deleted' },
    ],
    ['throttled', new QboThrottledError(), { kind: 'retry' }],
    ['a 5xx or lost answer', new TransientUpstreamError('socket hang up'), { kind: 'retry' }],
    ['anything else', new Error('boom'), { kind: 'retry' }],
  ] as const)('%s', (_what, err, want) => {
    expect(interpretDeleteFault(err)).toEqual(want);
  });
});

describe('an undone row', () => {
  const undone = row({ ...undoneChanges('u-0123456789abcdef', T0, false) });

  it('says when and by which undo, and keeps the document it deleted on record', () => {
    expect(undone).toMatchObject({ status: 'undone', reasonCode: 'undone', qboId: '77', qboDocNumber: 'SH-1001' });
    expect(undone.reason).toBe('Deleted from QBO by undo u-0123456789abcdef at 2026-11-01T00:00:00.000Z');
    expect(undoneChanges('u-1', T0, true).reason).toBe('Already gone from QBO when undo u-1 at 2026-11-01T00:00:00.000Z ran');
  });

  it('holds no live document, and no run books its order again (nor records it skipped)', () => {
    expect(holdsDocument(undone)).toBe(false);
    expect(existingDocument({ sale: undone })).toEqual({ type: 'SalesReceipt', status: 'undone' });
    expect(decideOrder(usSimple(), { sale: undone }, US, 'UTC')).toMatchObject({ action: 'skip', code: 'document_undone', record: false });
  });

  it('is settled for refunds: an undone refund is never read again', () => {
    expect(refundNeedsWork(row({ role: 'refund', status: 'undone' }))).toBe(false);
  });
});

describe('a redo (unignore of an undone source)', () => {
  it('forgets the deleted document and parks the row with a code every run re-tries', () => {
    const redone = row({ ...undoneChanges('u-1', T0, false), ...redoChanges({ role: 'sale' }) });
    expect(redone).toMatchObject({ status: 'parked', reasonCode: REDO_CODE, qboId: null, qboSyncToken: null, fingerprint: null });
    expect(RETRYABLE_PARK_CODES).toContain(REDO_CODE);
    expect(RETRYABLE_REFUND_CODES).toContain(REDO_CODE);
    expect(redoChanges({ role: 'payment' })).toMatchObject({ status: 'skipped', reasonCode: REDO_CODE, qboId: null });
  });

  it('creates the document again, under a requestid of its own (QBO would replay the deleted one otherwise)', () => {
    const redone = row({ ...redoChanges({ role: 'sale' }), attempts: 1 });
    expect(decideDocumentWrite(redone, 'SalesReceipt', 'fp-1', '2026-11-01T00:00:00Z')).toEqual({ action: 'create' });
    expect(decideDocumentWrite(row({ status: 'undone' }), 'SalesReceipt', 'fp-1', '2026-11-01T00:00:00Z')).toEqual({ action: 'create' });
    const key = orderSourceKey('gid://shopify/Order/1');
    const first = pendingCreate(key, undefined, 'SalesReceipt', 'SH-1001', 'fp-1');
    const again = pendingCreate(key, redone, 'SalesReceipt', 'SH-1001', 'fp-1');
    expect(first.requestId).toBe(qboRequestId(key, 'SalesReceipt', 'fp-1'));
    expect(again.requestId).not.toBe(first.requestId);
    expect(again.requestId).toBe(qboRequestId(key, 'SalesReceipt', 'fp-1', 2));
  });
});

describe('capUndoItems (a result small enough for a Temporal payload)', () => {
  const item = (n: number, outcome: string) => ({ sourceKey: `order:${n}`, outcome });

  it('lists every document up to the cap and leaves none out', () => {
    const items = Array.from({ length: UNDO_RESULT_ITEMS }, (_, n) => item(n, 'deleted'));
    expect(capUndoItems(items)).toEqual({ items, omitted: 0 });
  });

  it('past the cap lists those left in QBO first, then the rest in order, and counts what it left out', () => {
    const items = [item(1, 'deleted'), item(2, 'gone'), item(3, 'refused'), item(4, 'skipped'), item(5, 'refused'), item(6, 'deleted')];
    expect(capUndoItems(items, 4)).toEqual({
      items: [item(3, 'refused'), item(5, 'refused'), item(1, 'deleted'), item(2, 'gone')],
      omitted: 2,
    });
  });

  it('keeps a 5,000-document result well under 2 MB', () => {
    const big = Array.from({ length: 5000 }, (_, n) => ({
      sourceKey: `order:gid://shopify/Order/${1_000_000 + n}`,
      role: 'sale',
      sourceName: `#${n}`,
      qboType: 'SalesReceipt',
      qboId: String(n),
      qboDocNumber: `SH${n}`,
      totalMinor: 12345,
      outcome: n % 50 === 0 ? 'refused' : 'deleted',
      code: null,
      reason: n % 50 === 0 ? 'A Deposit links this document in QuickBooks; remove it from the deposit first' : null,
    }));
    const capped = capUndoItems(big);
    expect(capped.omitted).toBe(4000);
    expect(capped.items.filter((i) => i.outcome === 'refused')).toHaveLength(100);
    expect(JSON.stringify(capped).length).toBeLessThan((2 * 1024 * 1024) / 4);
    expect(JSON.stringify(big).length).toBeGreaterThan(JSON.stringify(capped).length * 4);
  });
});
