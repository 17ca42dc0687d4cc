/**
 * A payout's sums before anything is written (domain/payouts arithmetic.ts): Σ net of the rows without the
 * TRANSFER row = the payout's net, Σ fee = the summary's fees, each row's net = amount − fee; differences are
 * reported in cents, never thrown. And reading the GraphQL nodes the sums run on.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../domain/errors';
import {
  PAYOUT_SUMMARY_FIELDS,
  checkPayoutArithmetic,
  expectedDepositTotal,
  readBalanceTransaction,
  readPayout,
  signedPayoutNet,
  summaryFees,
  type BalanceTransaction,
  type Payout,
} from '../../domain/payouts';
import { payout, payoutOf, tx, usd } from './payout-fixtures';

describe('checkPayoutArithmetic', () => {
  const rows = (): BalanceTransaction[] => [
    tx('CHARGE', 10_000, 320),
    tx('CHARGE', 4_530, 161),
    tx('REFUND', -2_000),
    tx('RESERVED_FUNDS', -500),
  ];

  it.each<[string, () => { payout: Payout; rows: BalanceTransaction[] }, Partial<ReturnType<typeof checkPayoutArithmetic>>]>([
    [
      'adds up: Σ net of the rows is the payout net and Σ fee the summary fees',
      () => ({ payout: payoutOf(rows()), rows: rows() }),
      { ok: true },
    ],
    [
      'leaves the payout’s own TRANSFER row out of the sums',
      () => {
        const r = rows();
        const p = payoutOf(r);
        return { payout: p, rows: [...r, tx('TRANSFER', -p.net.minor, 0, { sourceType: 'TRANSFER' })] };
      },
      { ok: true, rows: 4 },
    ],
    [
      'shows a net that differs, in cents',
      () => {
        const r = rows();
        const p = payoutOf(r);
        return { payout: { ...p, net: usd(p.net.minor + 7) }, rows: r };
      },
      { ok: false, netDifference: usd(-7) },
    ],
    [
      'shows fees that differ from the summary, in cents',
      () => {
        const r = rows();
        const p = payoutOf(r);
        return { payout: { ...p, summary: { ...p.summary, chargesFee: usd(400) } }, rows: r };
      },
      { ok: false, feeDifference: usd(81) },
    ],
  ])('%s', (_title, arrange, want) => {
    const { payout: p, rows: r } = arrange();
    expect(checkPayoutArithmetic(p, r)).toMatchObject(want);
  });

  it('counts every fee field of the summary (refunds, adjustments, reserves, retried payouts, advances)', () => {
    const p = payout(0);
    const summary = {
      ...p.summary,
      chargesFee: usd(1),
      refundsFee: usd(2),
      adjustmentsFee: usd(4),
      reservedFundsFee: usd(8),
      retriedPayoutsFee: usd(16),
      advanceFees: usd(32),
      usdcRebateCreditAmount: usd(1000),
    };
    expect(summaryFees(summary, 'USD')).toEqual(usd(63));
  });

  it('holds a row whose net is not amount − fee, naming it', () => {
    const odd = { ...tx('CHARGE', 1_000, 30), net: usd(975) };
    const result = checkPayoutArithmetic(payoutOf([odd]), [odd]);
    expect(result.ok).toBe(false);
    expect(result.rowProblems).toEqual([{ transactionId: odd.id, problem: 'net 9.75 USD is not amount 10.00 USD − fee 0.30 USD' }]);
  });

  it('holds a row of another payout or another currency instead of throwing', () => {
    const foreign = tx('CHARGE', 1_000, 0, { associatedPayout: { id: 'gid://shopify/ShopifyPaymentsPayout/1', status: 'PAID' } });
    const euro: BalanceTransaction = {
      ...tx('CHARGE', 500),
      amount: { currency: 'EUR', minor: 500 },
      net: { currency: 'EUR', minor: 500 },
    };
    const result = checkPayoutArithmetic(payout(1_000), [foreign, euro]);
    expect(result.ok).toBe(false);
    expect(result.differences).toEqual([
      `balance transaction ${foreign.id} belongs to payout gid://shopify/ShopifyPaymentsPayout/1`,
      `balance transaction ${euro.id} is in EUR/USD, the payout in USD`,
    ]);
  });

  it('reads a WITHDRAWAL as money leaving the bank whatever the sign of its net', () => {
    const refund = tx('REFUND', -3_000);
    for (const served of [3_000, -3_000]) {
      const p = payout(served, { transactionType: 'WITHDRAWAL' });
      expect(signedPayoutNet(p)).toEqual(usd(-3_000));
      expect(checkPayoutArithmetic(p, [refund]).ok).toBe(true);
      expect(expectedDepositTotal(p)).toEqual(usd(0));
    }
  });

  it('expects a Deposit of the net for a positive payout and of 0 for a zero one', () => {
    expect(expectedDepositTotal(payout(12_345))).toEqual(usd(12_345));
    expect(expectedDepositTotal(payout(0))).toEqual(usd(0));
  });
});

describe('reading payouts and balance transactions from GraphQL', () => {
  const money = (amount: string) => ({ amount, currencyCode: 'USD' });
  const summary = Object.fromEntries(PAYOUT_SUMMARY_FIELDS.map((f) => [f, { amount: '0.00' }]));

  it('parses a payout node into exact money, the summary taking the payout currency when it has none', () => {
    const p = readPayout({
      id: 'gid://shopify/ShopifyPaymentsPayout/77',
      legacyResourceId: '77',
      status: 'PAID',
      issuedAt: '2026-11-03T10:00:00Z',
      transactionType: 'DEPOSIT',
      net: money('823.86'),
      summary: { ...summary, chargesFee: { amount: '25.85' } },
    });
    expect(p.net).toEqual(usd(82_386));
    expect(p.summary.chargesFee).toEqual(usd(2_585));
    expect(p.summary.usdcRebateCreditAmount).toBeUndefined();
  });

  it('keeps the deprecated IN_TRANSIT status and refuses one it does not know', () => {
    const node = { id: 'p', legacyResourceId: '1', issuedAt: '2026-11-03T10:00:00Z', net: money('1.00'), summary };
    expect(readPayout({ ...node, status: 'IN_TRANSIT' }).status).toBe('IN_TRANSIT');
    expect(() => readPayout({ ...node, status: 'LOST_IN_MAIL' })).toThrow(InvalidInputError);
  });

  it('parses a balance transaction, numeric ids as text', () => {
    const t = readBalanceTransaction({
      id: 'gid://shopify/ShopifyPaymentsBalanceTransaction/5',
      type: 'CHARGE',
      test: false,
      transactionDate: '2026-11-02T12:00:00Z',
      sourceType: 'CHARGE',
      sourceId: 123,
      sourceOrderTransactionId: '456',
      adjustmentReason: null,
      amount: money('45.30'),
      fee: money('1.61'),
      net: money('43.69'),
      associatedOrder: { id: 'gid://shopify/Order/9', name: '#1001' },
      associatedPayout: { id: 'gid://shopify/ShopifyPaymentsPayout/77', status: 'PAID' },
    });
    expect(t).toMatchObject({ sourceId: '123', sourceOrderTransactionId: '456', amount: usd(4_530), fee: usd(161), net: usd(4_369) });
  });
});
