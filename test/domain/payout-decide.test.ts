/**
 * The payout saga's decision table (domain/payouts decide.ts; docs/payouts.md "States"), row by row, and the
 * documents a payout waits for: what a ledger row means for the charge or refund that links it.
 */
import { describe, expect, it } from 'vitest';
import {
  checkPayoutArithmetic,
  decidePayout,
  documentLookupFromRow,
  failureWatchUntil,
  payoutBlockers,
  rowForCharge,
  type PayoutBlocker,
  type PayoutSituation,
  type PayoutStatus,
} from '../../domain/payouts';
import { nextEntry, type LedgerEntry, type LedgerEntryChanges } from '../../domain/sync';
import { payout, payoutOf, tx, usd } from './payout-fixtures';

const ISSUED = '2026-11-03T10:00:00.000Z';
const rows = [tx('CHARGE', 10_000, 300)];

function situation(over: Partial<PayoutSituation> = {}, status: PayoutStatus = 'PAID'): PayoutSituation {
  const p = payoutOf(rows, { status, issuedAt: ISSUED });
  return {
    payout: p,
    now: '2026-11-04T00:00:00.000Z',
    posted: null,
    paidObservedAt: null,
    documentsWaitingSince: null,
    arithmetic: checkPayoutArithmetic(p, rows),
    blockers: [],
    settings: { documentGraceDays: 7, failureWatchDays: 7 },
    ...over,
  };
}

const parked: PayoutBlocker = {
  transactionId: rows[0]!.id,
  orderTransactionId: rows[0]!.sourceOrderTransactionId,
  orderId: 'gid://shopify/Order/1',
  orderName: '#1001',
  kind: 'waits',
  code: 'order_parked',
  reason: 'order #1001 is parked: Needs mapping: item SKU TEE-BLU-M',
};
const skipped: PayoutBlocker = {
  ...parked,
  kind: 'permanent',
  code: 'order_skipped',
  reason: 'order #1001 is not booked in QBO (skipped: before the start date)',
};
const posted = { depositId: '700', postedAt: '2026-11-04T00:00:00.000Z' };

describe('decidePayout', () => {
  it.each<[string, PayoutSituation, Record<string, unknown>]>([
    ['waits for a SCHEDULED payout to be paid', situation({}, 'SCHEDULED'), { action: 'wait_paid' }],
    [
      'treats the deprecated IN_TRANSIT as scheduled',
      situation({}, 'IN_TRANSIT'),
      { action: 'wait_paid', reason: 'Payout 9001 is in transit; it is posted once paid' },
    ],
    ['closes a FAILED payout it never posted', situation({}, 'FAILED'), { action: 'done', outcome: 'failed' }],
    ['closes a CANCELED payout it never posted', situation({}, 'CANCELED'), { action: 'done', outcome: 'canceled' }],
    [
      'compensates a payout declined by the bank after it was posted',
      situation({ posted }, 'FAILED'),
      { action: 'compensate', reason: 'Payout 9001 was declined by the bank after its Deposit 700 was posted' },
    ],
    ['compensates a payout canceled after it was posted', situation({ posted }, 'CANCELED'), { action: 'compensate' }],
    ['reads the rows of a paid payout first', situation({ arithmetic: null, blockers: null }), { action: 'read' }],
    ['posts a paid payout that adds up and has every document', situation(), { action: 'post', fallback: [], needsAttention: false }],
    [
      'holds a payout that does not add up, never posting it',
      situation({ arithmetic: checkPayoutArithmetic(payout(1), rows) }),
      {
        action: 'hold',
        code: 'arithmetic_mismatch',
        differences: [
          'the 1 balance transaction net 97.00 USD, the payout 0.01 USD (difference 96.99 USD)',
          "their fees are 3.00 USD, the payout summary's 0.00 USD (difference 3.00 USD)",
        ],
      },
    ],
    [
      'waits for a parked order, naming it, for the grace period from when it started waiting',
      situation({ blockers: [parked] }),
      { action: 'wait_documents', waitingSince: '2026-11-04T00:00:00.000Z', until: '2026-11-11T00:00:00.000Z', blockers: [parked] },
    ],
    [
      'keeps waiting inside the grace period',
      situation({ blockers: [parked], documentsWaitingSince: '2026-11-01T00:00:00.000Z', now: '2026-11-07T23:59:59.000Z' }),
      { action: 'wait_documents', until: '2026-11-08T00:00:00.000Z' },
    ],
    [
      'posts with the clearing line and needs attention once the grace period is over',
      situation({ blockers: [parked], documentsWaitingSince: '2026-11-01T00:00:00.000Z', now: '2026-11-08T00:00:00.000Z' }),
      { action: 'post', fallback: [parked], needsAttention: true },
    ],
    [
      'does not wait for an order that will never be booked',
      situation({ blockers: [skipped] }),
      { action: 'post', fallback: [skipped], needsAttention: true },
    ],
    [
      'waits for the waiting kind only, then falls back with both',
      situation({ blockers: [skipped, parked], documentsWaitingSince: '2026-10-01T00:00:00.000Z' }),
      { action: 'post', fallback: [skipped, parked] },
    ],
    [
      'honours a grace period of zero days',
      situation({ blockers: [parked], settings: { documentGraceDays: 0, failureWatchDays: 7 } }),
      { action: 'post', needsAttention: true },
    ],
    ['watches a posted payout for a late failure', situation({ posted }), { action: 'watch', until: '2026-11-10T10:00:00.000Z' }],
    [
      'watches from when it saw the payout turn paid',
      situation({ posted, paidObservedAt: '2026-11-06T00:00:00.000Z', now: '2026-11-12T00:00:00.000Z' }),
      { action: 'watch', until: '2026-11-13T00:00:00.000Z' },
    ],
    ['is done once the watch is over', situation({ posted, now: '2026-11-10T10:00:00.000Z' }), { action: 'done', outcome: 'posted' }],
    [
      'is done with a paid payout that holds nothing',
      (() => {
        const p = payout(0, { issuedAt: ISSUED });
        return situation({ payout: p, arithmetic: checkPayoutArithmetic(p, []) });
      })(),
      { action: 'done', outcome: 'empty' },
    ],
  ])('%s', (_title, s, want) => {
    expect(decidePayout(s)).toMatchObject(want);
  });

  it('names at most five waiting orders in its reason', () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ ...parked, orderName: `#${1000 + i}` }));
    const decision = decidePayout(situation({ blockers: many }));
    expect(decision.action).toBe('wait_documents');
    expect(decision.reason).toContain('#1004');
    expect(decision.reason).not.toContain('#1005');
    expect(decision.reason).toContain('and 2 more');
  });

  it('computes the failure watch from the issue date when it found the payout already paid', () => {
    expect(failureWatchUntil({ payout: payout(1, { issuedAt: ISSUED }), paidObservedAt: null, settings: { failureWatchDays: 3 } })).toBe(
      '2026-11-06T10:00:00.000Z',
    );
  });
});

describe('the documents a payout links', () => {
  const T0 = new Date('2026-11-01T00:00:00.000Z');
  const row = (changes: LedgerEntryChanges, sourceType = 'order'): LedgerEntry =>
    nextEntry({ storeId: 's1', sourceKey: 'order:gid://shopify/Order/1', role: 'sale', sourceType }, undefined, changes, T0);

  it.each<[string, LedgerEntry | undefined, Record<string, unknown>]>([
    ['waits for an order not synced yet', undefined, { status: 'missing', code: 'not_synced', reason: 'order #1001 is not synced yet' }],
    [
      'links a booked SalesReceipt for its total, in the gateway’s clearing account',
      row({ status: 'synced', qboType: 'SalesReceipt', qboId: '201', qboDocNumber: 'SH-1001', qboTotalMinor: 4_530 }),
      {
        status: 'booked',
        document: { txnType: 'SalesReceipt', txnId: '201', docNumber: 'SH-1001', amount: usd(4_530), clearingAccountId: '4' },
      },
    ],
    [
      'links a RefundReceipt for minus its total',
      row({ status: 'synced', qboType: 'RefundReceipt', qboId: '402', qboTotalMinor: 2_000 }, 'refund'),
      { status: 'booked', document: { txnType: 'RefundReceipt', amount: usd(-2_000) } },
    ],
    [
      'waits for a parked order with the order’s own reason',
      row({ status: 'parked', reason: 'Needs mapping: item SKU TEE-BLU-M', reasonCode: 'needs_mapping' }),
      { status: 'missing', code: 'order_parked', reason: 'order #1001 is parked: Needs mapping: item SKU TEE-BLU-M' },
    ],
    [
      'waits for an invoiced order’s payment',
      row({ status: 'synced', qboType: 'Invoice', qboId: '9', qboTotalMinor: 1 }),
      { status: 'missing', code: 'payment_not_booked' },
    ],
    [
      'never waits for a skipped order',
      row({ status: 'skipped', reason: 'before the start date' }),
      { status: 'never', code: 'order_skipped' },
    ],
    [
      'never waits for a CreditMemo, which holds no money',
      row({ status: 'synced', qboType: 'CreditMemo', qboId: '9', qboTotalMinor: 1 }, 'refund'),
      { status: 'never', code: 'no_clearing_document' },
    ],
  ])('%s', (_title, entry, want) => {
    expect(documentLookupFromRow(entry, 'order #1001', '4', 'USD')).toMatchObject(want);
  });

  it('links an invoiced order’s charge to its Payment, any other to the sale', () => {
    const invoice = row({ status: 'synced', qboType: 'Invoice' });
    const payment = { ...row({ status: 'synced', qboType: 'Payment' }), role: 'payment' };
    const receipt = row({ status: 'synced', qboType: 'SalesReceipt' });
    expect(rowForCharge({ sale: invoice, payment })).toBe(payment);
    expect(rowForCharge({ sale: receipt })).toBe(receipt);
  });

  it('lists the charges and refunds without a booked document as blockers, each with its order', () => {
    const charge = tx('CHARGE', 1_000);
    const refund = tx('REFUND', -100);
    const fee = tx('CHARGEBACK_FEE', -1_500);
    const blockers = payoutBlockers([charge, refund, fee], {
      [charge.sourceOrderTransactionId!]: { status: 'missing', code: 'order_parked', reason: 'parked' },
      [refund.sourceOrderTransactionId!]: { status: 'never', code: 'refund_skipped', reason: 'skipped' },
    });
    expect(blockers.map((b) => [b.transactionId, b.kind, b.code, b.orderName])).toEqual([
      [charge.id, 'waits', 'order_parked', charge.associatedOrder!.name],
      [refund.id, 'permanent', 'refund_skipped', refund.associatedOrder!.name],
    ]);
  });
});
