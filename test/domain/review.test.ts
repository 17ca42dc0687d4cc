/**
 * Review before posting (domain/sync/review.ts, docs/review.md): post or hold a new document, what a held row
 * holds, which held rows a run re-reads, what approve and reject do to a row, how a held document is shown;
 * and the rest of the system seeing a held sale as not booked (its refunds wait, a payout waits, settings).
 */
import { describe, expect, it } from 'vitest';
import { qboRequestId, orderSourceKey } from '../../domain/ledger';
import { buildSalesReceipt, documentFingerprint, expectedTotals } from '../../domain/mapping';
import { documentLookupFromRow } from '../../domain/payouts';
import { parseSettings } from '../../domain/settings';
import {
  decideDocumentWrite,
  decidePosting,
  decideRefund,
  heldCodesToRetry,
  heldDocumentView,
  heldSale,
  nextEntry,
  pendingCreate,
  reviewVerdict,
  REVIEW_CODE,
  type HeldDocument,
  type LedgerEntry,
  type LedgerEntryChanges,
} from '../../domain/sync';
import { ACCOUNTS, resolveAll, US, usSimple } from './fixtures/scenarios';

const T0 = new Date('2026-11-01T00:00:00.000Z');
const KEY = orderSourceKey('gid://shopify/Order/1');

function row(changes: LedgerEntryChanges): LedgerEntry {
  return nextEntry({ storeId: 's1', sourceKey: KEY, role: 'sale', sourceType: 'order' }, undefined, changes, T0);
}

const order = usSimple();
const body = buildSalesReceipt(order, US, resolveAll(order, US), 'UTC') as unknown as Record<string, unknown>;
const fp = documentFingerprint(body as never);
const held = (reasonCode: string = REVIEW_CODE.awaiting, over: LedgerEntryChanges = {}) =>
  row({ ...heldSale(order, 'SalesReceipt', body, fp, false), reasonCode, ...over });

describe('decidePosting: post or hold a document about to be created', () => {
  it.each<[string, 'auto' | 'review' | undefined, LedgerEntry | undefined, string, ReturnType<typeof decidePosting>]>([
    ['auto posts a new document', 'auto', undefined, fp, { action: 'post' }],
    ['a store saved before the setting posts automatically', undefined, undefined, fp, { action: 'post' }],
    ['auto posts a held one (switching back to auto)', 'auto', held(), fp, { action: 'post' }],
    ['review holds a new document', 'review', undefined, fp, { action: 'hold', changedSinceApproval: false }],
    ['review holds a held one again', 'review', held(), fp, { action: 'hold', changedSinceApproval: false }],
    ['review posts an approved one', 'review', held(REVIEW_CODE.approved), fp, { action: 'post' }],
    [
      'an approved one whose order changed is held again',
      'review',
      held(REVIEW_CODE.approved),
      'other',
      { action: 'hold', changedSinceApproval: true },
    ],
    [
      'a pending create of this document (answer lost, not in QBO) is sent again',
      'review',
      row({ status: 'pending', fingerprint: fp }),
      fp,
      { action: 'post' },
    ],
    [
      'a pending create of another version is held',
      'review',
      row({ status: 'pending', fingerprint: 'old' }),
      fp,
      { action: 'hold', changedSinceApproval: false },
    ],
    [
      'a parked order re-tried (e.g. un-ignored after a rejection) is held',
      'review',
      row({ status: 'parked', reasonCode: 'retry_requested' }),
      fp,
      { action: 'hold', changedSinceApproval: false },
    ],
  ])('%s', (_, posting, sale, fingerprint, expected) => {
    expect(decidePosting(posting, sale, fingerprint)).toEqual(expected);
  });

  it('a held row holds no QBO document, so the write decision for it is a create', () => {
    expect(decideDocumentWrite(held(REVIEW_CODE.approved), 'SalesReceipt', fp, order.updatedAt)).toEqual({ action: 'create' });
  });

  it('an approved row is created with the same requestid automatic posting uses', () => {
    const pending = pendingCreate(KEY, held(REVIEW_CODE.approved), 'SalesReceipt', 'SH-1001', fp);
    expect(pending).toMatchObject({ status: 'pending', requestId: qboRequestId(KEY, 'SalesReceipt', fp), fingerprint: fp });
    // The row written pending forgets the held document: it is about to be in QBO.
    expect(row({ ...heldSale(order, 'SalesReceipt', body, fp, false) }).heldDocument).not.toBeNull();
    expect(nextEntry(held(), held(), pending, T0).heldDocument).toBeNull();
  });
});

describe('heldSale: the row of a held document', () => {
  it('keeps the built document and Shopify figures, and no QBO id', () => {
    const totals = expectedTotals(order);
    const changes = heldSale(order, 'SalesReceipt', body, fp, false);
    expect(changes).toMatchObject({
      status: 'held',
      reasonCode: 'awaiting_review',
      qboType: 'SalesReceipt',
      qboId: null,
      qboDocNumber: String(body.DocNumber),
      fingerprint: fp,
      requestId: null,
    });
    expect(changes.heldDocument).toEqual({
      docType: 'SalesReceipt',
      currency: totals.currency,
      totalMinor: totals.documentTotal.minor,
      taxMinor: totals.tax.minor,
      body,
    });
    expect(heldSale(order, 'SalesReceipt', body, fp, true).reason).toMatch(/changed in Shopify after its document was approved/);
  });
});

describe('heldCodesToRetry', () => {
  it('re-reads approved rows in review mode, and every held row once posting is automatic', () => {
    expect(heldCodesToRetry('review')).toEqual(['approved']);
    expect(heldCodesToRetry('auto')).toEqual(['awaiting_review', 'approved']);
    expect(heldCodesToRetry(undefined)).toEqual(['awaiting_review', 'approved']);
  });
});

describe('reviewVerdict: approve and reject', () => {
  it('approves a held row; approving it again changes nothing', () => {
    expect(reviewVerdict(held(), 'approve')).toEqual({
      outcome: 'change',
      changes: { status: 'held', reasonCode: 'approved', reason: expect.stringMatching(/next run posts it/) as unknown as string },
    });
    expect(reviewVerdict(held(REVIEW_CODE.approved), 'approve')).toEqual({ outcome: 'unchanged' });
  });

  it('rejects a held row (approved or not) into ignored, reversible with unignore', () => {
    for (const r of [held(), held(REVIEW_CODE.approved)]) {
      expect(reviewVerdict(r, 'reject')).toMatchObject({ outcome: 'change', changes: { status: 'ignored', reasonCode: 'rejected' } });
    }
  });

  it('refuses rows that are not held, naming what they are', () => {
    const synced = row({ status: 'synced', qboType: 'SalesReceipt', qboId: '77', sourceName: '#1001' });
    expect(reviewVerdict(synced, 'approve')).toEqual({
      outcome: 'refuse',
      reason: '#1001 is not held for review (synced, SalesReceipt 77 in QBO)',
    });
    expect(reviewVerdict(row({ status: 'ignored', reasonCode: 'rejected' }), 'reject')).toMatchObject({ outcome: 'refuse' });
  });
});

describe('heldDocumentView', () => {
  it('shows lines, tax, accounts and totals in the currency', () => {
    const view = heldDocumentView(heldSale(order, 'SalesReceipt', body, fp, false).heldDocument as HeldDocument);
    const totals = expectedTotals(order);
    expect(view).toMatchObject({
      docType: 'SalesReceipt',
      docNumber: String(body.DocNumber),
      currency: 'USD',
      customerId: '58',
      depositAccountId: ACCOUNTS.undepositedFunds,
      total: (totals.documentTotal.minor / 100).toFixed(2),
      tax: { total: (totals.tax.minor / 100).toFixed(2) },
    });
    const lines = body.Line as Array<Record<string, unknown>>;
    expect(view.lines).toHaveLength(lines.length);
    expect(view.lines[0]).toMatchObject({ kind: 'item', itemId: '100', amount: Number(lines[0]!.Amount).toFixed(2) });
  });
});

describe('a held sale is not booked', () => {
  it('its refunds wait for it (parked, re-tried every run)', () => {
    const refund = { id: 'gid://shopify/Refund/9', legacyResourceId: '9' } as never;
    expect(decideRefund(order, refund, held(), US)).toMatchObject({ action: 'park', code: 'sale_not_booked' });
  });

  it('a payout waits for it, as for a document not synced yet', () => {
    expect(documentLookupFromRow(held(), 'order #1001', '4', 'USD')).toMatchObject({ status: 'missing', code: 'order_held' });
  });

  it('posting is "auto" or "review"', () => {
    expect(parseSettings({ taxMode: 'global', accounts: ACCOUNTS }).posting).toBe('auto');
    expect(parseSettings({ taxMode: 'global', accounts: ACCOUNTS, posting: 'review' }).posting).toBe('review');
    expect(() => parseSettings({ taxMode: 'global', accounts: ACCOUNTS, posting: 'manual' })).toThrow(
      /posting: must be one of "auto", "review"/,
    );
  });
});
