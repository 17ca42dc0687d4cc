/**
 * Builders for the payout tests: a payout, its balance transactions and the documents they link, in USD
 * minor units, with settings that map every payout account (ids chosen to read well in assertions).
 */
import type { Money } from '../../domain/money';
import {
  buildDeposit,
  type BalanceTransaction,
  type BuildDepositInput,
  type ClearingDocument,
  type DepositPlan,
  type DocumentLookup,
  type Payout,
} from '../../domain/payouts';
import { parseSettings, type Settings } from '../../domain/settings';
import { ACCOUNTS } from './fixtures/scenarios';

export const A = {
  undepositedFunds: '4',
  fees: '93',
  duties: '92',
  bank: '35',
  clearing: '60',
  vendor: '41',
  disputes: '61',
  reserve: '62',
  capital: '63',
  shippingLabels: '64',
  billing: '65',
  adjustments: '66',
} as const;

export const PAYOUT_ACCOUNTS = {
  enabled: true,
  bankAccountId: A.bank,
  clearingAccountId: A.clearing,
  feeVendorId: A.vendor,
  disputesAccountId: A.disputes,
  reserveAccountId: A.reserve,
  capitalAccountId: A.capital,
  shippingLabelsAccountId: A.shippingLabels,
  billingAccountId: A.billing,
  adjustmentsAccountId: A.adjustments,
};

export const SETTINGS: Settings = parseSettings({ taxMode: 'us_automated', accounts: ACCOUNTS, payouts: PAYOUT_ACCOUNTS });

export const usd = (minor: number): Money => ({ currency: 'USD', minor });
const ZERO = usd(0);

export const PAYOUT_GID = 'gid://shopify/ShopifyPaymentsPayout/9001';

export function payout(netMinor: number, over: Partial<Payout> = {}): Payout {
  return {
    id: PAYOUT_GID,
    legacyResourceId: '9001',
    status: 'PAID',
    issuedAt: '2026-11-03T10:00:00Z',
    transactionType: 'DEPOSIT',
    net: usd(netMinor),
    summary: {
      chargesGross: ZERO,
      chargesFee: ZERO,
      refundsFeeGross: ZERO,
      refundsFee: ZERO,
      adjustmentsGross: ZERO,
      adjustmentsFee: ZERO,
      reservedFundsGross: ZERO,
      reservedFundsFee: ZERO,
      retriedPayoutsGross: ZERO,
      retriedPayoutsFee: ZERO,
      advanceGross: ZERO,
      advanceFees: ZERO,
    },
    ...over,
  };
}

let nextId = 100;

/** A balance transaction of `type` with `amount` and `fee` in cents; net = amount − fee. */
export function tx(type: string, amount: number, fee = 0, over: Partial<BalanceTransaction> = {}): BalanceTransaction {
  const id = nextId++;
  const linked = type === 'CHARGE' || type === 'REFUND';
  return {
    id: `gid://shopify/ShopifyPaymentsBalanceTransaction/${id}`,
    type,
    sourceType: linked ? type : 'ADJUSTMENT',
    sourceId: String(id),
    sourceOrderTransactionId: linked ? `ot-${id}` : null,
    amount: usd(amount),
    fee: usd(fee),
    net: usd(amount - fee),
    associatedOrder: linked ? { id: `gid://shopify/Order/${id}`, name: `#${id}` } : null,
    associatedPayout: { id: PAYOUT_GID, status: 'PAID' },
    adjustmentReason: null,
    transactionDate: '2026-11-02T12:00:00Z',
    test: false,
    ...over,
  };
}

/** A payout whose summary and net agree with `rows` (every fee in chargesFee: the check sums them all). */
export function payoutOf(rows: readonly BalanceTransaction[], over: Partial<Payout> = {}): Payout {
  const counted = rows.filter((r) => r.type !== 'TRANSFER');
  const base = payout(
    counted.reduce((s, r) => s + r.net.minor, 0),
    over,
  );
  return { ...base, summary: { ...base.summary, chargesFee: usd(counted.reduce((s, r) => s + r.fee.minor, 0)) }, ...over };
}

export function document(
  txnType: ClearingDocument['txnType'],
  txnId: string,
  amount: number,
  over: Partial<ClearingDocument> = {},
): ClearingDocument {
  return { txnType, txnId, docNumber: `D-${txnId}`, amount: usd(amount), clearingAccountId: A.undepositedFunds, ...over };
}

export const booked = (d: ClearingDocument): DocumentLookup => ({ status: 'booked', document: d });

/** Every charge and refund of `rows` booked 1:1 (a SalesReceipt per charge, a RefundReceipt per refund). */
export function bookAll(rows: readonly BalanceTransaction[]): Record<string, DocumentLookup> {
  const out: Record<string, DocumentLookup> = {};
  for (const r of rows) {
    if (r.sourceOrderTransactionId === null) continue;
    const type = r.type === 'REFUND' ? 'RefundReceipt' : 'SalesReceipt';
    out[r.sourceOrderTransactionId] = booked(document(type, `q${r.sourceOrderTransactionId}`, r.amount.minor, { amount: r.amount }));
  }
  return out;
}

export function input(rows: BalanceTransaction[], over: Partial<BuildDepositInput> = {}): BuildDepositInput {
  return {
    payout: payoutOf(rows),
    transactions: rows,
    documents: bookAll(rows),
    settings: SETTINGS,
    timeZone: 'America/New_York',
    ...over,
  };
}

/** buildDeposit that must succeed. */
export function plan(i: BuildDepositInput): DepositPlan {
  const result = buildDeposit(i);
  if (!result.ok) throw new Error(`expected a plan, got ${result.code}: ${result.reason}`);
  return result.plan;
}

/** Σ of the Deposit's line amounts in cents (read back from the JSON numbers, as QBO would). */
export function lineTotal(p: DepositPlan): number {
  return p.deposit.Line.reduce((s, l) => s + Math.round(l.Amount * 100), 0);
}
