/**
 * The sync's decision table (domain/sync/orders.ts), branch by branch, without emulators or a
 * database: what an order needs given its ledger rows, what to do when a document cannot be built,
 * create / update / unchanged, the adoption rule for a pending row met again, how QBO's answer is read,
 * the totals check, and the payment and void steps. docs/sync-decisions.md is the same table in prose.
 */
import { describe, expect, it } from 'vitest';
import {
  NeedsMappingError,
  QboThrottledError,
  QboValidationError,
  TransientUpstreamError,
  UnsupportedOrderError,
} from '../../domain/errors';
import { orderSourceKey, qboRequestId } from '../../domain/ledger';
import { buildSalesReceipt, documentFingerprint, holdsFingerprint, orderNoteMarker } from '../../domain/mapping';
import type { ShopifyOrderCore } from '../../domain/shopify/types';
import {
  adoptPending,
  bookedSale,
  decideBuildFailure,
  decideDocumentWrite,
  decideOrder,
  decidePayment,
  discardedSale,
  discardMismatch,
  RETRYABLE_PARK_CODES,
  existingDocument,
  groupOrderRows,
  interpretWriteResult,
  keepDocument,
  latestVersions,
  nextEntry,
  paymentForInvoice,
  paymentRequestId,
  answeredByQbo,
  pendingCreate,
  pendingToSettle,
  resolveDuplicateNumber,
  resolveNameClash,
  resolveStale,
  saleVerdict,
  voidedInvoice,
  type LedgerEntry,
  type LedgerEntryChanges,
} from '../../domain/sync';
import { txn } from './fixtures/builders';
import { resolveAll, US, usCaptured, usSimple, usUnpaid } from './fixtures/scenarios';

const T0 = new Date('2026-11-01T00:00:00.000Z');
const NOW = new Date('2026-11-05T00:00:00.000Z');

function row(over: Partial<LedgerEntry> = {}): LedgerEntry {
  return nextEntry(
    { storeId: 's1', sourceKey: 'order:gid://shopify/Order/1', role: 'sale', sourceType: 'order' },
    undefined,
    {
      status: 'synced',
      qboType: 'SalesReceipt',
      qboId: '77',
      qboSyncToken: '2',
      qboDocNumber: 'SH-1001',
      fingerprint: 'fp-1',
      sourceUpdatedAt: T0,
      ...over,
    } as LedgerEntryChanges,
    T0,
  );
}

const validation = (message: string, code?: string) => new QboValidationError(message, code ? { code } : undefined);

/** A SalesReceipt exactly as QBO would answer for the order (TotalAmt and tax as Shopify's). */
function receiptFor(order: ShopifyOrderCore, over: Record<string, unknown> = {}): Record<string, unknown> {
  const doc = buildSalesReceipt(order, US, resolveAll(order, US), 'UTC') as unknown as Record<string, unknown>;
  const total = Number(order.totalPriceSet.shopMoney.amount);
  return {
    ...doc,
    Id: '501',
    SyncToken: '0',
    TotalAmt: total,
    TxnTaxDetail: { TotalTax: Number(order.totalTaxSet?.shopMoney.amount ?? 0) },
    ...over,
  };
}

describe('latestVersions', () => {
  it('keeps the newest version of each order, whatever the order of reads', () => {
    const a = { ...usSimple(), updatedAt: '2026-11-01T10:00:00Z' };
    const a2 = { ...a, updatedAt: '2026-11-01T11:00:00Z', note: 'edited' };
    const b = { ...usUnpaid() };
    expect(latestVersions([a2, b, a]).map((o) => [o.id, o.updatedAt])).toEqual([
      [a.id, a2.updatedAt],
      [b.id, b.updatedAt],
    ]);
    expect(latestVersions([a, a2])[0]!.note).toBe('edited');
  });
});

describe('decideOrder: what the order needs, given its rows', () => {
  const paid = usSimple();
  const invoice = row({ qboType: 'Invoice' });
  it.each([
    ['a new paid order: a SalesReceipt', paid, {}, { action: 'write', docType: 'SalesReceipt', payment: false }],
    ['a new unpaid order: an Invoice', usUnpaid(), {}, { action: 'write', docType: 'Invoice', payment: false }],
    [
      'an invoiced order now paid: the Invoice, then its Payment',
      usCaptured(),
      { sale: invoice },
      { action: 'write', docType: 'Invoice', payment: true },
    ],
    [
      'an invoiced order paid whose Payment is booked: only the Invoice kept in step',
      usCaptured(),
      { sale: invoice, payment: row({ role: 'payment', qboType: 'Payment', qboId: '90' }) },
      { action: 'write', docType: 'Invoice', payment: false },
    ],
    [
      'an invoiced order cancelled unpaid: void',
      { ...usUnpaid(), cancelledAt: '2026-11-03T00:00:00Z' },
      { sale: invoice },
      { action: 'void' },
    ],
    ['a new test order: skipped, and recorded', { ...paid, test: true }, {}, { action: 'skip', code: 'test_order', record: true }],
    [
      'a booked order that became a test order: counted skipped, its row kept',
      { ...paid, test: true },
      { sale: row() },
      { action: 'skip', code: 'test_order', record: false },
    ],
    [
      'an ignored order: skipped, the row says ignored still',
      paid,
      { sale: row({ status: 'ignored', qboId: null }) },
      { action: 'skip', code: 'ignored', record: false },
    ],
    [
      'a voided invoice: skipped, the row stays voided',
      usUnpaid(),
      { sale: row({ status: 'voided', qboType: 'Invoice' }) },
      { action: 'skip', code: 'document_voided', record: false },
    ],
    [
      'split tender: parked',
      { ...paid, transactions: [txn('SALE', 'shopify_payments', '28.30'), txn('SALE', 'paypal', '20.00')] },
      {},
      { action: 'park', code: 'multi_gateway' },
    ],
  ] as const)('%s', (_name, order, rows, want) => {
    expect(decideOrder(order as ShopifyOrderCore, rows, US, 'UTC')).toMatchObject(want);
  });

  it('an order that could not be read whole is parked with why, whatever else it is', () => {
    expect(decideOrder(paid, { sale: row() }, US, 'UTC', 'too many refunds')).toEqual({
      action: 'park',
      code: 'order_too_long',
      reason: 'too many refunds',
    });
  });

  it('existingDocument tells classifyOrder what the ledger holds', () => {
    expect(existingDocument({})).toBeUndefined();
    expect(existingDocument({ sale: row({ status: 'pending', qboId: null }) })).toBeUndefined();
    expect(existingDocument({ sale: row() })).toEqual({ type: 'SalesReceipt', status: 'synced' });
    expect(existingDocument({ sale: row({ status: 'parked' }) })).toEqual({ type: 'SalesReceipt', status: 'synced' });
    expect(existingDocument({ sale: row({ status: 'voided', qboType: 'Invoice' }) })).toEqual({ type: 'Invoice', status: 'voided' });
    expect(
      existingDocument({ sale: row({ qboType: 'Invoice' }), payment: row({ role: 'payment', status: 'parked', qboId: null }) }),
    ).toEqual({ type: 'Invoice', status: 'synced', paymentStatus: 'parked' });
  });
});

describe('decideBuildFailure: a document that cannot be built', () => {
  const booked = row();
  it.each([
    [
      'missing mapping: parked with what is missing, the booked document kept',
      new NeedsMappingError([{ kind: 'item', key: 'SKU-1', message: 'Needs mapping: item SKU "SKU-1"' }] as never),
      booked,
      ['no item SKU-1'],
      { action: 'park', code: 'needs_mapping', keep: {} },
    ],
    [
      'missing mapping, nothing booked: the planned document is cleared',
      new NeedsMappingError([{ kind: 'item', key: 'SKU-1', message: 'x' }] as never),
      undefined,
      [],
      { action: 'park', code: 'needs_mapping', keep: keepDocument(undefined) },
    ],
    [
      'an order we cannot express: parked with its own code',
      new UnsupportedOrderError('tax_inclusive_us', 'no'),
      undefined,
      [],
      { action: 'park', code: 'tax_inclusive_us' },
    ],
    [
      'a transient upstream failure: the attempt fails, Temporal retries',
      new TransientUpstreamError('503'),
      undefined,
      [],
      { action: 'rethrow' },
    ],
    [
      'a bug of ours: failed with the message, never silent',
      new TypeError('x is undefined'),
      undefined,
      [],
      { action: 'fail', code: 'mapping_error', reason: 'Could not build the QBO document: x is undefined' },
    ],
  ] as const)('%s', (_n, err, sale, problems, want) => {
    expect(decideBuildFailure(err, sale, problems)).toMatchObject(want);
  });

  it('names the unresolved references in the reason', () => {
    const d = decideBuildFailure(
      new NeedsMappingError([{ kind: 'item', key: 'A', message: 'Needs mapping: item SKU "A"' }] as never),
      undefined,
      ['no item A', 'no customer'],
    );
    expect(d).toMatchObject({ action: 'park' });
    expect((d as { reason: string }).reason).toMatch(/\(no item A; no customer\)$/);
  });
});

describe('decideDocumentWrite: create, update or leave alone', () => {
  const at = '2026-11-01T00:00:00.000Z';
  it.each([
    ['no row: create', undefined, 'SalesReceipt', 'fp-1', at, { action: 'create' }],
    ['a pending row QBO did not hold: create', row({ status: 'pending', qboId: null }), 'SalesReceipt', 'fp-1', at, { action: 'create' }],
    [
      'a voided invoice re-opened: a new document',
      row({ status: 'voided', qboType: 'Invoice' }),
      'Invoice',
      'fp-1',
      at,
      { action: 'create' },
    ],
    [
      'same fingerprint, synced: unchanged',
      row(),
      'SalesReceipt',
      'fp-1',
      at,
      { action: 'unchanged', qboId: '77', syncToken: '2', older: false },
    ],
    [
      'same fingerprint but parked (e.g. a totals mismatch): updated',
      row({ status: 'parked' }),
      'SalesReceipt',
      'fp-1',
      at,
      { action: 'update', qboId: '77', syncToken: '2' },
    ],
    [
      'new fingerprint: update with Id and SyncToken',
      row(),
      'SalesReceipt',
      'fp-2',
      '2026-11-02T00:00:00.000Z',
      { action: 'update', qboId: '77', syncToken: '2' },
    ],
    [
      'an older version of the order: unchanged, never overwrites the newer',
      row(),
      'SalesReceipt',
      'fp-2',
      '2026-10-31T00:00:00.000Z',
      { action: 'unchanged', older: true },
    ],
    ['no SyncToken recorded: 0', row({ qboSyncToken: null }), 'SalesReceipt', 'fp-2', at, { action: 'update', syncToken: '0' }],
    [
      'booked as a SalesReceipt, now needs an Invoice: parked for a person',
      row(),
      'Invoice',
      'fp-1',
      at,
      { action: 'park', code: 'document_type_changed', keep: {} },
    ],
  ] as const)('%s', (_n, sale, type, fp, updatedAt, want) => {
    expect(decideDocumentWrite(sale, type, fp, updatedAt)).toMatchObject(want);
  });

  it('a create is first recorded pending, with a requestid from the order and version', () => {
    const key = orderSourceKey('gid://shopify/Order/1');
    expect(pendingCreate(key, row({ status: 'parked', qboId: null, attempts: 2 }), 'SalesReceipt', 'SH-1001', 'fp-9')).toEqual({
      status: 'pending',
      reasonCode: null,
      reason: null,
      qboType: 'SalesReceipt',
      qboDocNumber: 'SH-1001',
      fingerprint: 'fp-9',
      requestId: qboRequestId(key, 'SalesReceipt', 'fp-9'),
      attempts: 3,
    });
    expect(pendingCreate(key, undefined, 'Invoice', '', 'fp-9')).toMatchObject({ qboDocNumber: null, attempts: 1 });
  });
});

describe('settling a pending row met again (the adoption rule)', () => {
  const order = usSimple();
  const key = orderSourceKey(order.id);
  const pending = row({ sourceKey: key, status: 'pending', qboId: null, qboSyncToken: null, qboDocNumber: 'SH-1001' });
  const orders = new Map([[key as string, order]]);

  it('collects pending creates by type and DocNumber; rows with an id or no number are not searched', () => {
    const inv = row({
      sourceKey: 'order:gid://shopify/Order/2',
      status: 'pending',
      qboId: null,
      qboType: 'Invoice',
      qboDocNumber: 'SH-1002',
    });
    const plan = pendingToSettle([
      { sale: pending },
      { sale: inv },
      { sale: row() },
      { sale: row({ status: 'pending', qboId: null, qboDocNumber: null }) },
      {},
    ]);
    expect(plan.map((p) => [p.type, [...p.byNumber.keys()]])).toEqual([
      ['SalesReceipt', ['SH-1001']],
      ['Invoice', ['SH-1002']],
    ]);
  });

  it("adopts the document carrying the order's marker, checked against Shopify", () => {
    const doc = receiptFor(order, { Id: '808', SyncToken: '0', DocNumber: 'SH-1001' });
    expect(String(doc.PrivateNote)).toContain(orderNoteMarker(order.id));
    const [adopted, ...rest] = adoptPending(new Map([['SH-1001', [pending]]]), [doc], orders);
    expect(rest).toEqual([]);
    expect(adopted!.changes).toMatchObject({ status: 'synced', qboId: '808', qboSyncToken: '0', qboTotalMinor: 4830 });
  });

  it('adopts a committed document that does not match Shopify, parked as total_mismatch', () => {
    const doc = receiptFor(order, { DocNumber: 'SH-1001', TotalAmt: 50 });
    expect(adoptPending(new Map([['SH-1001', [pending]]]), [doc], orders)[0]!.changes).toMatchObject({
      status: 'parked',
      reasonCode: 'total_mismatch',
      qboId: '501',
    });
  });

  it.each([
    ["the same number on someone else's document", { PrivateNote: 'typed by a bookkeeper' }],
    ["another order's document under the number", { PrivateNote: `Shopify order #9 ${orderNoteMarker('gid://shopify/Order/9')}` }],
    ['a document under another number', { DocNumber: 'SH-9999' }],
  ])('does not adopt %s', (_n, over) => {
    const doc = { ...receiptFor(order, { DocNumber: 'SH-1001' }), ...over };
    expect(adoptPending(new Map([['SH-1001', [pending]]]), [doc], orders)).toEqual([]);
  });
});

describe('resolveNameClash: a 6240 Duplicate Name, the holder found by query (QBO names no Id)', () => {
  const item = (Id: string, Name: string, extra: Record<string, unknown> = {}) => ({ Id, Name, Active: true, ...extra });
  const noOtherSku = (found: Record<string, unknown>) => !found.Sku || found.Sku === 'MUG-1';
  it.each([
    ['an active holder of this product: adopt it', [item('7', 'Ceramic Mug')], { action: 'adopt', qboId: '7' }],
    ['matched without regard to case', [item('7', 'ceramic mug')], { action: 'adopt', qboId: '7' }],
    ['an inactive holder: a person decides', [item('8', 'Ceramic Mug', { Active: false })], { action: 'inactive', qboId: '8' }],
    ["another product's Item (another SKU): the next name", [item('9', 'Ceramic Mug', { Sku: 'MUG-2' })], { action: 'next' }],
    ['no holder of this type (a Vendor holds the name): the next name', [], { action: 'next' }],
    ['only other names came back: the next name', [item('10', 'Ceramic Mug XL')], { action: 'next' }],
  ] as const)('%s', (_n, rows, want) => {
    expect(resolveNameClash(rows, 'Name', 'Ceramic Mug', noOtherSku)).toEqual(want);
  });
});

describe('interpretWriteResult: what QBO answered for one batch item', () => {
  const entity = { Id: '1', SyncToken: '0' };
  it.each([
    ['an entity: booked', { entity }, 'create', { kind: 'booked', entity }],
    ['no entity and no fault: retry the attempt', {}, 'create', { kind: 'retry', error: undefined }],
    ['throttled: retry', { fault: new QboThrottledError('429') }, 'update', { kind: 'retry' }],
    ['5xx: retry', { fault: new TransientUpstreamError('503') }, 'create', { kind: 'retry' }],
    [
      '6140 on a create, Id named: check who holds the number',
      { fault: validation('Duplicate Document Number Error: Id=42', '6140') },
      'create',
      { kind: 'duplicate_number', existingId: '42' },
    ],
    [
      'a duplicate number reported under 6240: matched by message',
      { fault: validation('Duplicate Document Number Error', '6240') },
      'create',
      { kind: 'duplicate_number', existingId: undefined },
    ],
    ['5010 on an update: re-read and update', { fault: validation('Stale Object Error', '5010') }, 'update', { kind: 'stale' }],
    [
      '5010 on a create is just a rejection',
      { fault: validation('Stale Object Error', '5010') },
      'create',
      { kind: 'rejected', forgetReferences: false },
    ],
    [
      'an invalid reference: parked, cached references forgotten',
      { fault: validation('Invalid Reference Id: Item 12', '2500') },
      'create',
      { kind: 'rejected', reason: 'Invalid Reference Id: Item 12', forgetReferences: true },
    ],
    [
      'object not found: parked, references forgotten',
      { fault: validation('Object Not Found', '610') },
      'update',
      { kind: 'rejected', forgetReferences: true },
    ],
    [
      "any other ValidationFault: parked with QBO's message",
      { fault: validation('Amount is invalid', '2050') },
      'create',
      { kind: 'rejected', reason: 'Amount is invalid', forgetReferences: false },
    ],
  ] as const)('%s', (_n, result, op, want) => {
    expect(interpretWriteResult(result, op)).toMatchObject(want);
  });

  it('on a duplicate number, adopts only our own document', () => {
    const order = usSimple();
    expect(resolveDuplicateNumber(receiptFor(order, { Id: '42', SyncToken: '3' }), order, 'dup')).toEqual({
      action: 'adopt',
      qboId: '42',
      syncToken: '3',
    });
    expect(resolveDuplicateNumber({ Id: '42', PrivateNote: 'manual' }, order, 'Duplicate Document Number Error')).toMatchObject({
      action: 'park',
      code: 'duplicate_doc_number',
    });
    expect(resolveDuplicateNumber(undefined, order, 'dup')).toMatchObject({ action: 'park', code: 'duplicate_doc_number' });
  });
});

describe('the totals check (invariant 2) and the booked row', () => {
  const order = usSimple();
  it('a document that matches Shopify to the cent is synced', () => {
    expect(saleVerdict(order, receiptFor(order))).toEqual({
      verdict: { status: 'synced', reason: null, reasonCode: null },
      violations: [],
    });
  });

  it.each([
    ['TotalAmt off by a cent', { TotalAmt: 48.31 }, ['total_amt']],
    ['tax off by a cent', { TxnTaxDetail: { TotalTax: 3.29 } }, ['document_total', 'tax']],
  ])('%s: parked as total_mismatch with both figures', (_n, over, checks) => {
    const { verdict, violations } = saleVerdict(order, receiptFor(order, over));
    expect(verdict).toMatchObject({ status: 'parked', reasonCode: 'total_mismatch' });
    expect(violations.map((v) => v.check)).toEqual(checks);
    expect(verdict.reason).toMatch(/QBO booked different figures than Shopify/);
  });

  it('bookedSale records the document, its number, total and fingerprint', () => {
    const booked = bookedSale(order, 'SalesReceipt', receiptFor(order, { Id: '9', SyncToken: '4', DocNumber: 'SH-7' }), 'fp-x');
    expect(booked).toMatchObject({
      synced: true,
      changes: {
        status: 'synced',
        qboType: 'SalesReceipt',
        qboId: '9',
        qboSyncToken: '4',
        qboDocNumber: 'SH-7',
        qboTotalMinor: 4830,
        fingerprint: 'fp-x',
      },
    });
    expect(bookedSale(order, 'SalesReceipt', receiptFor(order, { TotalAmt: 1 }), 'fp-x').synced).toBe(false);
  });
});

describe('a stale SyncToken (5010): was the document edited in QBO?', () => {
  const order = usSimple();
  const built = buildSalesReceipt(order, US, resolveAll(order, US), 'UTC') as unknown as Record<string, unknown>;
  const written = documentFingerprint(built);
  type Line = Record<string, unknown>;
  const lines = built.Line as Line[];
  /** The document as QBO answers it: ids, line numbers, ref names, its SubTotal line, discounts after it, computed tax lines. */
  const asQboHoldsIt = (over: Record<string, unknown> = {}): Record<string, unknown> => {
    const withIds: Line[] = lines.map((l, i) => ({ ...l, Id: String(i + 1), LineNum: i + 1 }));
    const sales = withIds.filter((l) => l.DetailType !== 'DiscountLineDetail');
    const discounts = withIds.filter((l) => l.DetailType === 'DiscountLineDetail');
    return {
      ...built,
      Id: '77',
      SyncToken: '5',
      MetaData: { LastUpdatedTime: '2026-11-02T00:00:00-00:00' },
      CustomerRef: { ...(built.CustomerRef as object), name: 'Shopify Customer' },
      Line: [...sales, { DetailType: 'SubTotalLineDetail', Amount: 1, SubTotalLineDetail: {} }, ...discounts],
      TxnTaxDetail: { ...(built.TxnTaxDetail as object), TaxLine: [{ Amount: 1, DetailType: 'TaxLineDetail' }] },
      ...over,
    };
  };

  it.each([
    ['as QBO answers it, untouched', {}, true],
    ['a memo of its own added (a field Ledgerline does not write)', { CustomerMemo: { value: 'Thanks!' } }, true],
    ['its date moved', { TxnDate: '2020-02-02' }, false],
    ['its private note rewritten', { PrivateNote: 'fixed by hand' }, false],
    ['a line amount changed', { Line: lines.map((l, i) => (i === 0 ? { ...l, Amount: Number(l.Amount) + 1 } : l)) }, false],
    ['a line removed', { Line: lines.slice(1) }, false],
    ['a line added', { Line: [...lines, { ...lines[0]!, Description: 'added in QBO' }] }, false],
    ['the customer changed', { CustomerRef: { value: '999' } }, false],
  ])('holdsFingerprint: %s → %s', (_n, over, want) => {
    expect(holdsFingerprint(asQboHoldsIt(over), written)).toBe(want);
  });

  it('an unreadable fingerprint matches nothing', () => {
    expect(holdsFingerprint(asQboHoldsIt(), 'not json')).toBe(false);
  });

  const sale = row({ qboId: '77', fingerprint: written });
  it('QBO already holds the version being written (our own update, answer lost): record it', () => {
    expect(resolveStale(asQboHoldsIt(), 'SalesReceipt', written, row({ qboId: '77', fingerprint: 'an older version' }))).toEqual({
      action: 'record',
    });
  });

  it('only fields Ledgerline does not write changed: update once more with the fresh SyncToken', () => {
    expect(resolveStale(asQboHoldsIt({ CustomerMemo: { value: 'Thanks!' } }), 'SalesReceipt', 'the next version', sale)).toEqual({
      action: 'update',
      syncToken: '5',
    });
  });

  it.each([
    ['a person edited what Ledgerline wrote', sale],
    ['Ledgerline cannot tell what it last wrote', row({ qboId: '77', fingerprint: null })],
  ])('%s: parked edited_in_qbo, the document kept, never overwritten', (_n, current) => {
    const d = resolveStale(asQboHoldsIt({ TxnDate: '2020-02-02', DocNumber: 'SH-1001' }), 'SalesReceipt', 'the next version', current);
    expect(d).toMatchObject({ action: 'park', code: 'edited_in_qbo', keep: {} });
    expect(d.action === 'park' && d.reason).toMatch(/^The SalesReceipt 77 \(SH-1001\) was edited in QBO since Ledgerline wrote it/);
  });

  it('edited_in_qbo is not re-tried automatically', () => {
    expect(RETRYABLE_PARK_CODES).not.toContain('edited_in_qbo');
  });
});

describe('a document that fails the totals check never stays in QBO', () => {
  const order = usSimple();
  // QBO booked 7 cents more tax than Shopify collected: TotalAmt 48.37 against 48.30.
  const wrong = receiptFor(order, { Id: '61', SyncToken: '0', DocNumber: 'SH-1001', TotalAmt: 48.37, TxnTaxDetail: { TotalTax: 3.37 } });

  it.each([['SalesReceipt'], ['Invoice']] as const)('a %s is deleted (not voided: a voided one keeps its number)', (type) => {
    expect(discardMismatch(type, wrong)).toEqual({ action: 'delete', docType: type, qboId: '61', syncToken: '0' });
  });

  it('deleted: parked total_mismatch with both figures and the difference, holding no document', () => {
    const changes = discardedSale(order, 'SalesReceipt', wrong, { deleted: true });
    expect(changes).toMatchObject({
      status: 'parked',
      reasonCode: 'total_mismatch',
      qboType: null,
      qboId: null,
      qboSyncToken: null,
      qboDocNumber: null,
      fingerprint: null,
      qboTotalMinor: 4837,
    });
    expect(changes.reason).toMatch(/total_amt: QBO 48\.37, Shopify 48\.30/);
    expect(changes.reason).toMatch(/Difference 0\.07 USD\. The SalesReceipt 61 \(SH-1001\) was deleted from QBO at once/);
  });

  it('QBO refused the delete: parked, the document kept for a person, with the refusal', () => {
    const changes = discardedSale(order, 'Invoice', wrong, { deleted: false, refusal: 'Invoice 61 has payments applied' });
    expect(changes).toMatchObject({ status: 'parked', reasonCode: 'total_mismatch', qboType: 'Invoice', qboId: '61', fingerprint: null });
    expect(changes.reason).toMatch(
      /QBO refused to delete the Invoice 61 \(SH-1001\) \(Invoice 61 has payments applied\): correct or delete it in QBO/,
    );
  });

  it('total_mismatch is re-tried with the parked orders (the retry creates a fresh document)', () => {
    expect(RETRYABLE_PARK_CODES).toContain('total_mismatch');
  });
});

describe('payments and voids', () => {
  it.each([
    ['no payment row: create', undefined, 'create'],
    ['a payment recorded in QBO: nothing to do', row({ role: 'payment', qboType: 'Payment', qboId: '5' }), 'booked'],
    ['a pending payment: search QBO before creating', row({ role: 'payment', status: 'pending', qboId: null }), 'search'],
    ['a parked payment: create again', row({ role: 'payment', status: 'parked', qboId: null }), 'create'],
  ] as const)('%s', (_n, payment, want) => {
    expect(decidePayment(payment)).toBe(want);
  });

  describe('paymentRequestId: stable for a lost answer, new after a fault (QBO replays a stored fault)', () => {
    const key = orderSourceKey('gid://shopify/Order/1');
    const sent = (over: Partial<LedgerEntry>) =>
      row({ role: 'payment', qboType: null, qboId: null, fingerprint: 'pay-fp', requestId: 'll-sent-once', attempts: 1, ...over });
    it.each([
      ['a first send: numbered 1', undefined, qboRequestId(key, 'Payment', 'pay-fp', 1)],
      ['pending with an id for this body (the answer was lost): the same id', sent({ status: 'pending' }), 'll-sent-once'],
      [
        'pending after a fault answer (id cleared): a new one',
        sent({ status: 'pending', requestId: null }),
        qboRequestId(key, 'Payment', 'pay-fp', 2),
      ],
      [
        'pending for another body: a new one',
        sent({ status: 'pending', fingerprint: 'older-fp' }),
        qboRequestId(key, 'Payment', 'pay-fp', 2),
      ],
      ['parked after QBO refused it: a new one', sent({ status: 'parked', attempts: 3 }), qboRequestId(key, 'Payment', 'pay-fp', 4)],
    ] as const)('%s', (_n, payment, want) => {
      expect(paymentRequestId(key, 'pay-fp', payment)).toBe(want);
    });

    it('every numbered id differs, fits QBO (≤ 36 characters for batch, 50 alone) and is the same on every run', () => {
      const ids = [1, 2, 3].map((n) => qboRequestId(key, 'Payment', 'pay-fp', n));
      expect(new Set([...ids, qboRequestId(key, 'Payment', 'pay-fp')]).size).toBe(4);
      for (const id of ids) expect(id.length).toBeLessThanOrEqual(36);
      expect(qboRequestId(key, 'Payment', 'pay-fp', 2)).toBe(ids[1]);
    });

    it('tells a fault QBO answered (it may be replayed) from an answer lost on the way', () => {
      expect(answeredByQbo(new TransientUpstreamError('QBO answered with HTTP 503', { status: 503 }))).toBe(true);
      expect(answeredByQbo(new TransientUpstreamError('QBO create Payment got no response (ECONNRESET)'))).toBe(false);
    });
  });

  it("finds the Payment linked to the invoice among the customer's", () => {
    const linked = (id: string, txnId: string, type = 'Invoice') => ({ Id: id, Line: [{ LinkedTxn: [{ TxnId: txnId, TxnType: type }] }] });
    expect(paymentForInvoice([linked('1', '70'), linked('2', '77', 'CreditMemo'), linked('3', '77')], '77')?.Id).toBe('3');
    expect(paymentForInvoice([linked('1', '70'), { Id: '2' }], '77')).toBeUndefined();
  });

  it('a voided invoice is recorded with a zero total and the reason', () => {
    expect(voidedInvoice({ SyncToken: '5' })).toEqual({
      status: 'voided',
      reasonCode: 'cancelled_unpaid',
      reason: 'Cancelled before it was paid: the invoice was voided in QBO',
      qboSyncToken: '5',
      qboTotalMinor: 0,
    });
  });
});

describe('ledger rows', () => {
  it("nextEntry keeps the row's keys and creation time, applies changes, refreshes updatedAt", () => {
    const current = row({ attempts: 2 });
    const next = nextEntry(
      { storeId: 's1', sourceKey: current.sourceKey, role: 'sale', sourceType: 'order' },
      current,
      { status: 'parked', reason: 'why' },
      NOW,
    );
    expect(next).toMatchObject({ status: 'parked', reason: 'why', qboId: '77', attempts: 2, createdAt: T0, updatedAt: NOW });
  });

  it('keepDocument: a booked document stays, a planned one is cleared', () => {
    expect(keepDocument(row())).toEqual({});
    expect(keepDocument(row({ qboId: null }))).toMatchObject({ qboType: null, qboDocNumber: null, fingerprint: null });
  });

  it('groupOrderRows sorts rows by order and role', () => {
    const sale = row();
    const payment = row({ role: 'payment' });
    const other = row({ sourceKey: 'order:gid://shopify/Order/2' });
    const grouped = groupOrderRows([payment, other, sale]);
    expect(grouped.get(sale.sourceKey)).toEqual({ sale, payment });
    expect(grouped.get(other.sourceKey)).toEqual({ sale: other });
  });

  it('the fingerprint of a rebuilt document is stable (unchanged orders are left alone)', () => {
    const order = usSimple();
    expect(documentFingerprint(buildSalesReceipt(order, US, resolveAll(order, US), 'UTC'))).toBe(
      documentFingerprint(buildSalesReceipt(order, US, resolveAll(order, US), 'UTC')),
    );
  });
});
