/**
 * domain/audit's decisions as a table (issue #12 item 17): which findings a document Ledgerline booked gives under
 * the sync's own checks, where the change-data-capture read starts, and which changed documents need a Shopify read.
 */
import { describe, expect, it } from 'vitest';
import { auditDocument, cdcWindowStart, needsFullCheck, nextChangedSince, type AuditedRow } from '../../domain/audit';
import { buildSalesReceipt, documentFingerprint } from '../../domain/mapping';
import { resolveAll, US, usGiftCardsAndTip } from './fixtures/scenarios';

const order = usGiftCardsAndTip();
const written = buildSalesReceipt(order, US, resolveAll(order, US), 'UTC');
/** The document as QBO holds it after Ledgerline's create: what was written, plus what QBO adds. */
const held = { ...written, Id: '71', SyncToken: '0', TotalAmt: 66.8, MetaData: { LastUpdatedTime: '2026-12-01T10:00:00-00:00' } };
const row: AuditedRow = {
  sourceKey: order.id.replace('gid://shopify/Order/', 'order:gid://shopify/Order/'),
  role: 'sale',
  parentSourceKey: null,
  sourceName: order.name,
  qboType: 'SalesReceipt',
  qboId: '71',
  qboSyncToken: '0',
  qboDocNumber: String(written.DocNumber),
  qboTotalMinor: 6680,
  fingerprint: documentFingerprint(written),
};
const source = { kind: 'order' as const, order };

describe('auditDocument', () => {
  it('finds nothing in the document as Ledgerline wrote it', () => {
    expect(auditDocument(row, held, source, 'USD')).toBeNull();
  });

  it.each([
    ['deleted (CDC status "Deleted")', { Id: '71', status: 'Deleted', domain: 'QBO' }, 'deleted', 'was deleted in QBO (it totalled 66.80)'],
    ['deleted (no longer found)', null, 'deleted', 'was deleted in QBO'],
    [
      'voided',
      {
        ...held,
        SyncToken: '1',
        TotalAmt: 0,
        PrivateNote: `Voided - ${String(written.PrivateNote)}`,
        Line: held.Line.map((l) => ({ ...l, Amount: 0 })),
      },
      'voided',
      'was voided in QBO (its total is now 0.00, Ledgerline booked 66.80)',
    ],
    [
      'edited by a person, figures unchanged',
      { ...held, SyncToken: '1', PrivateNote: 'note by the bookkeeper' },
      'edited',
      'was edited in QBO since Ledgerline wrote it (SyncToken 0 → 1). Ledgerline does not overwrite',
    ],
    [
      'edited by a person, a line changed',
      { ...held, SyncToken: '2', TotalAmt: 76.8, Line: held.Line.map((l, i) => (i === 0 ? { ...l, Amount: Number(l.Amount) + 10 } : l)) },
      'edited',
      'and now differs from Shopify: document_total: QBO 76.80, Shopify 66.80',
    ],
  ] as const)('reports a document %s', (_name, doc, kind, text) => {
    const finding = auditDocument(row, doc as Record<string, unknown> | null, source, 'USD');
    expect(finding?.kind).toBe(kind);
    expect(finding?.difference).toContain(text);
    expect(finding).toMatchObject({ sourceKey: row.sourceKey, role: 'sale', qboType: 'SalesReceipt', qboId: '71' });
  });

  it('reports a document that still holds what Ledgerline wrote but no longer agrees with its Shopify order (drifted)', () => {
    const edited = { ...order, totalPriceSet: { shopMoney: { amount: '96.80', currencyCode: 'USD' } } };
    const finding = auditDocument(row, held, { kind: 'order', order: edited }, 'USD');
    expect(finding?.kind).toBe('drifted');
    expect(finding?.difference).toContain('no longer agrees with Shopify: document_total: QBO 66.80, Shopify 76.80');
  });

  it('compares with what Ledgerline wrote only when Shopify no longer has the source', () => {
    expect(auditDocument(row, held, { kind: 'gone' }, 'USD')).toBeNull();
    expect(auditDocument(row, { ...held, SyncToken: '1', TxnDate: '2020-01-01' }, { kind: 'gone' }, 'USD')?.kind).toBe('edited');
  });
});

describe('the change-data-capture window', () => {
  const now = new Date('2026-12-03T02:00:00Z');

  it("starts at the stored cursor, or QBO's 30 days back (less an hour) when there is none or it is older", () => {
    expect(cdcWindowStart(new Date('2026-12-02T02:00:00Z'), now)).toEqual({ since: new Date('2026-12-02T02:00:00Z'), clipped: false });
    expect(cdcWindowStart(null, now)).toEqual({ since: new Date('2026-11-03T03:00:00Z'), clipped: false });
    expect(cdcWindowStart(new Date('2026-10-01T00:00:00Z'), now)).toEqual({ since: new Date('2026-11-03T03:00:00Z'), clipped: true });
  });

  it('makes the next audit read from five minutes before this one read, to the whole second', () => {
    expect(nextChangedSince(new Date('2026-12-03T02:10:30.750Z'))).toEqual(new Date('2026-12-03T02:05:30Z'));
  });

  it("reads Shopify only for a changed document that no longer holds Ledgerline's last write", () => {
    expect(needsFullCheck(row, held)).toBe(false);
    expect(needsFullCheck(row, { ...held, SyncToken: '1' })).toBe(true);
    expect(needsFullCheck(row, null)).toBe(false);
  });
});
