/**
 * Invariant 4 over generated shops (emulators/scenario: months of orders, refunds, fees, a chargeback, a reserve
 * and its release, grouped into payouts), as a property over seeds and regions: with every sale and refund
 * booked 1:1, each payout adds up, and its Deposit totals the payout's net, books Σ fees, links every charge and
 * refund once and leaves the clearing account unchanged. (fast-check is not installed; the seeds stand in for it.)
 */
import { describe, expect, it } from 'vitest';
import { generateShop, type TaxRegion } from '../../emulators/scenario';
import {
  buildDeposit,
  checkPayoutArithmetic,
  expectedDepositTotal,
  readBalanceTransaction,
  readPayout,
  type BalanceTransaction,
  type BalanceTransactionNode,
  type PayoutNode,
} from '../../domain/payouts';
import { SETTINGS, bookAll, lineTotal } from './payout-fixtures';

const CASES: [number, TaxRegion][] = [
  [1, 'US'],
  [2, 'US'],
  [3, 'CA'],
  [4, 'GB'],
  [5, 'AU'],
  [6, 'US'],
];

describe('every generated payout becomes a Deposit equal to its net', () => {
  it.each(CASES)('seed %i (%s)', (seed, taxRegion) => {
    const shop = generateShop({ seed, orders: 400, start: '2026-03-01', days: 120, taxRegion });
    const rows = shop.balanceTransactions.map((n) => readBalanceTransaction(n as BalanceTransactionNode));
    const byPayout = new Map<string, BalanceTransaction[]>();
    for (const r of rows)
      if (r.associatedPayout.id) byPayout.set(r.associatedPayout.id, [...(byPayout.get(r.associatedPayout.id) ?? []), r]);
    expect(shop.payouts.length).toBeGreaterThan(20);
    const linkedEverywhere = new Set<string>();
    for (const node of shop.payouts) {
      const payout = readPayout(node as PayoutNode);
      const contents = byPayout.get(payout.id) ?? [];
      expect(checkPayoutArithmetic(payout, contents), payout.legacyResourceId).toMatchObject({ ok: true });
      const result = buildDeposit({
        payout,
        transactions: contents,
        documents: bookAll(contents),
        settings: SETTINGS,
        timeZone: shop.shop.ianaTimezone,
      });
      if (!result.ok) throw new Error(`${payout.legacyResourceId}: ${result.reason}`);
      const { report } = result.plan;
      expect(lineTotal(result.plan)).toBe(expectedDepositTotal(payout).minor);
      expect(report.depositTotal).toEqual(payout.net);
      expect(report.feesBooked).toEqual({ currency: payout.net.currency, minor: contents.reduce((s, r) => s + r.fee.minor, 0) });
      expect(report.clearingBalanced).toBe(true);
      expect(report.needsAttention).toBe(false);
      for (const line of result.plan.deposit.Line) {
        if (!('LinkedTxn' in line)) continue;
        const key = `${line.LinkedTxn[0].TxnType}:${line.LinkedTxn[0].TxnId}`;
        expect(linkedEverywhere.has(key), `${key} linked twice`).toBe(false);
        linkedEverywhere.add(key);
        expect(line).not.toHaveProperty('DetailType');
      }
    }
    const chargesAndRefunds = rows.filter((r) => r.associatedPayout.id && (r.type === 'CHARGE' || r.type === 'REFUND'));
    expect(linkedEverywhere.size).toBe(chargesAndRefunds.length);
  });
});
