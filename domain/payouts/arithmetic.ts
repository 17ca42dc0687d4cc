/**
 * A payout's sums, asserted before anything is written (docs/payouts.md "Arithmetic"): Σ net of its balance
 * transactions (without the payout's own TRANSFER row) = the payout's net, Σ fee = the summary's fees, and each
 * row's net = amount − fee. A payout that does not add up is held with the differences shown, never posted;
 * this function reports, it never throws on the data it is given.
 */
import { toDecimalString, zeroMoney, type Money } from '../money';
import { categoryOf } from './categories';
import type { BalanceTransaction, Payout, PayoutSummary } from './types';

export interface RowProblem {
  transactionId: string;
  problem: string;
}

export interface PayoutArithmetic {
  ok: boolean;
  currency: string;
  /** Rows counted (every row but the payout's TRANSFER). */
  rows: number;
  /** The bank movement the payout stands for: net, negative for a WITHDRAWAL (signedPayoutNet). */
  payoutNet: Money;
  netOfRows: Money;
  /** netOfRows − payoutNet, in minor units of `currency` (cents). */
  netDifference: Money;
  summaryFees: Money;
  feesOfRows: Money;
  /** feesOfRows − summaryFees. */
  feeDifference: Money;
  rowProblems: RowProblem[];
  /** Every difference in words, for the hold reason and the API. */
  differences: string[];
}

/** The summary's fee fields (every `*Fee`/`*Fees`); the USDC rebate is a credit, not a fee. */
export function summaryFees(summary: PayoutSummary, currency: string): Money {
  const fees = [
    summary.chargesFee,
    summary.refundsFee,
    summary.adjustmentsFee,
    summary.reservedFundsFee,
    summary.retriedPayoutsFee,
    summary.advanceFees,
  ];
  return { currency, minor: fees.reduce((s, m) => s + (m.currency === currency ? m.minor : 0), 0) };
}

/**
 * The payout's movement of the bank balance. Shopify reports `net` as "the total amount" of the payout; for a
 * WITHDRAWAL (Shopify debiting the bank) the movement is negative whichever sign `net` is served with
 * (UNVERIFIED which it is: docs/payouts.md, docs/payouts.md "Negative and zero payouts").
 */
export function signedPayoutNet(payout: Payout): Money {
  const abs = Math.abs(payout.net.minor);
  const minor = payout.transactionType === 'WITHDRAWAL' ? -abs : payout.net.minor;
  return { currency: payout.net.currency, minor: minor === 0 ? 0 : minor };
}

/** The rows the sums run over: all but the payout's own TRANSFER out of the balance. */
export function countedRows(transactions: readonly BalanceTransaction[]): BalanceTransaction[] {
  return transactions.filter((t) => categoryOf(t) !== 'transfer');
}

const text = (m: Money): string => `${toDecimalString(m)} ${m.currency}`;

export function checkPayoutArithmetic(payout: Payout, transactions: readonly BalanceTransaction[]): PayoutArithmetic {
  const currency = payout.net.currency;
  const rows = countedRows(transactions);
  const rowProblems: RowProblem[] = [];
  let net = 0;
  let fees = 0;
  for (const row of rows) {
    const currencies = new Set([row.amount.currency, row.fee.currency, row.net.currency]);
    if (currencies.size !== 1 || !currencies.has(currency)) {
      rowProblems.push({ transactionId: row.id, problem: `is in ${[...currencies].join('/')}, the payout in ${currency}` });
      continue;
    }
    net += row.net.minor;
    fees += row.fee.minor;
    if (row.amount.minor - row.fee.minor !== row.net.minor) {
      rowProblems.push({
        transactionId: row.id,
        problem: `net ${text(row.net)} is not amount ${text(row.amount)} − fee ${text(row.fee)}`,
      });
    }
    if (row.associatedPayout.id !== null && row.associatedPayout.id !== payout.id) {
      rowProblems.push({ transactionId: row.id, problem: `belongs to payout ${row.associatedPayout.id}` });
    }
  }
  const payoutNet = signedPayoutNet(payout);
  const netOfRows = { currency, minor: net };
  const fromSummary = summaryFees(payout.summary, currency);
  const feesOfRows = { currency, minor: fees };
  const netDifference = { currency, minor: net - payoutNet.minor };
  const feeDifference = { currency, minor: fees - fromSummary.minor };
  const differences: string[] = [];
  if (netDifference.minor !== 0) {
    differences.push(
      `the ${rows.length} balance transaction${rows.length === 1 ? '' : 's'} net ${text(netOfRows)}, the payout ${text(payoutNet)} (difference ${text(netDifference)})`,
    );
  }
  if (feeDifference.minor !== 0) {
    differences.push(`their fees are ${text(feesOfRows)}, the payout summary's ${text(fromSummary)} (difference ${text(feeDifference)})`);
  }
  for (const p of rowProblems) differences.push(`balance transaction ${p.transactionId} ${p.problem}`);
  return {
    ok: differences.length === 0,
    currency,
    rows: rows.length,
    payoutNet,
    netOfRows,
    netDifference,
    summaryFees: fromSummary,
    feesOfRows,
    feeDifference,
    rowProblems,
    differences,
  };
}

/**
 * What the Deposit's TotalAmt must be: the payout's net, or 0 for a negative payout (QBO refuses a negative
 * Deposit; the JournalEntry carries the money out of the bank, docs/payouts.md).
 */
export function expectedDepositTotal(payout: Payout): Money {
  const net = signedPayoutNet(payout);
  return net.minor < 0 ? zeroMoney(net.currency) : net;
}
