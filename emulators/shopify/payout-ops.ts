// Shopify Payments payouts as a test moves them: a payout's status changes (SCHEDULED → PAID, or FAILED /
// CANCELED with the money optionally returned to the balance), and a payout is issued from the balance
// transactions not yet in any payout. The summary and the payout's own TRANSFER row are built here for the
// scenario generator too (emulators/scenario/payouts.ts), so generated and issued payouts have the same shape.
import { gid, gidType, legacyId } from './gid';
import { moneyV2, toCents } from './money';
import { AdminError, type OpsEnv } from './order-helpers';
import type { Obj, ShopState } from './state';
import { isoSeconds } from './time';

/**
 * ShopifyPaymentsPayoutStatus (https://shopify.dev/docs/api/admin-graphql/latest/enums/ShopifyPaymentsPayoutStatus):
 * SCHEDULED (created, transactions assigned, not yet submitted to the bank), PAID, FAILED (declined by the bank),
 * CANCELED (canceled by Shopify); IN_TRANSIT is deprecated but still in the enum.
 */
export const PAYOUT_STATUSES = ['SCHEDULED', 'IN_TRANSIT', 'PAID', 'FAILED', 'CANCELED'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

/** The statuses a payout can be issued with (`POST …/payouts/issue`). */
export const ISSUE_STATUSES = ['SCHEDULED', 'PAID'] as const;

/** The balance transaction that brings a failed or canceled payout's money back to the balance. */
const RETURN_TYPE: Partial<Record<PayoutStatus, string>> = { FAILED: 'TRANSFER_FAILURE', CANCELED: 'TRANSFER_CANCEL' };

type SummaryCategory = 'charges' | 'refunds' | 'adjustments' | 'reservedFunds' | 'retriedPayouts';

// Which ShopifyPaymentsPayoutSummary category a balance transaction type counts in; any other type counts as an
// adjustment. The payout's own TRANSFER row counts in none (it is the payout, not its contents).
const SUMMARY_CATEGORY: Record<string, SummaryCategory> = {
  CHARGE: 'charges',
  REFUND: 'refunds',
  ADJUSTMENT: 'adjustments',
  RESERVED_FUNDS: 'reservedFunds',
  RESERVED_FUNDS_REVERSAL: 'reservedFunds',
  TRANSFER_FAILURE: 'retriedPayouts',
  TRANSFER_CANCEL: 'retriedPayouts',
  TRANSFER_REFUND: 'retriedPayouts',
};

/**
 * ShopifyPaymentsPayoutSummary of a payout's balance transactions: gross (Σ amount) and fee (Σ fee) per category,
 * so Σ gross − Σ fee over the categories is the payout's net and Σ fee its fees.
 */
export function payoutSummary(currency: string, rows: readonly Obj[]): Obj {
  const sums = Object.fromEntries(
    (['charges', 'refunds', 'adjustments', 'reservedFunds', 'retriedPayouts'] as const).map((k) => [k, { gross: 0, fee: 0 }]),
  ) as Record<SummaryCategory, { gross: number; fee: number }>;
  for (const row of rows) {
    if (row.type === 'TRANSFER') continue;
    const s = sums[SUMMARY_CATEGORY[row.type] ?? 'adjustments'];
    s.gross += toCents(row.amount.amount);
    s.fee += toCents(row.fee.amount);
  }
  const m = (c: number): Obj => moneyV2(c, currency);
  return {
    chargesGross: m(sums.charges.gross),
    chargesFee: m(sums.charges.fee),
    refundsFeeGross: m(sums.refunds.gross),
    refundsFee: m(sums.refunds.fee),
    adjustmentsGross: m(sums.adjustments.gross),
    adjustmentsFee: m(sums.adjustments.fee),
    reservedFundsGross: m(sums.reservedFunds.gross),
    reservedFundsFee: m(sums.reservedFunds.fee),
    retriedPayoutsGross: m(sums.retriedPayouts.gross),
    retriedPayoutsFee: m(sums.retriedPayouts.fee),
    advanceGross: m(0),
    advanceFees: m(0),
    usdcRebateCreditAmount: m(0),
  };
}

/** The money a payout moves out of the Shopify Payments balance, in cents (a WITHDRAWAL moves it in). */
function balanceMovement(payout: Obj): number {
  const net = toCents(payout.net.amount);
  return payout.transactionType === 'WITHDRAWAL' ? -Math.abs(net) : net;
}

function balanceRow(
  id: number,
  fields: { type: string; cents: number; currency: string; at: string; payout: Obj; attached: boolean },
): Obj {
  return {
    id: gid('ShopifyPaymentsBalanceTransaction', id),
    type: fields.type,
    test: false,
    transactionDate: fields.at,
    sourceType: 'TRANSFER',
    sourceId: String(fields.payout.legacyResourceId),
    sourceOrderTransactionId: null,
    adjustmentReason: null,
    adjustmentsOrders: [],
    amount: moneyV2(fields.cents, fields.currency),
    fee: moneyV2(0, fields.currency),
    net: moneyV2(fields.cents, fields.currency),
    associatedOrder: null,
    associatedPayout: fields.attached ? { id: fields.payout.id, status: fields.payout.status } : { id: null, status: 'PENDING' },
  };
}

/**
 * The payout's own TRANSFER balance transaction: the payout leaving the balance, so amount = net = −(payout net),
 * fee 0, sourceType TRANSFER, sourceId the payout's legacy id, in the payout. This is the shape of the TRANSFER
 * rows in Shopify's example response for `shopifyPaymentsAccount { balanceTransactions }`
 * (https://shopify.dev/docs/api/admin-graphql/2025-10/queries/shopifypaymentsaccount: amount "-41.9", fee "0.0",
 * net "-41.9", sourceType TRANSFER, sourceId = the payout's id); an example, not a stated rule.
 */
export function transferRow(id: number, payout: Obj): Obj {
  const cents = balanceMovement(payout);
  return balanceRow(id, {
    type: 'TRANSFER',
    cents: cents === 0 ? 0 : -cents,
    currency: payout.net.currencyCode,
    at: payout.issuedAt,
    payout,
    attached: true,
  });
}

/** A payout by gid or legacy id; 404 when the shop has none. */
export function findPayout(shop: ShopState, id: string): Obj {
  const key = gidType(id) ? id : /^\d+$/.test(id) ? gid('ShopifyPaymentsPayout', id) : undefined;
  const payout = key ? shop.payouts.get(key) : undefined;
  if (!payout) throw new AdminError(`Payout ${id} not found in ${shop.domain}`, 404);
  return payout;
}

const rowsOf = (shop: ShopState, payoutId: string): Obj[] =>
  [...shop.balanceTransactions.values()].filter((t) => t.associatedPayout?.id === payoutId);

export interface PayoutStatusRequest {
  status: string;
  /** FAILED / CANCELED only: add the TRANSFER_FAILURE / TRANSFER_CANCEL row returning the payout's net to the balance. */
  returnFunds?: boolean;
}

/**
 * Moves a payout to `status`; its balance transactions' `associatedPayout.status` follows. With `returnFunds`, a
 * FAILED or CANCELED payout's money comes back to the balance as one pending row (TRANSFER_FAILURE /
 * TRANSFER_CANCEL, amount = net = what the payout took out, in no payout yet), which a later payout carries.
 *
 * Shopify's help page on failed payouts (https://help.shopify.com/en/manual/payments/shopify-payments/getting-paid-with-shopify-payments/failed-payouts)
 * says a failed payout is marked Failed, scheduled payouts are held until the bank details are fixed, and the
 * payout is then retried. That the money is retried through such a row in a later payout is UNVERIFIED: the
 * ShopifyPaymentsTransactionType enum lists TRANSFER_FAILURE, TRANSFER_CANCEL and TRANSFER_REFUND with no more
 * description than their names, and its sign (+net here) is our reading.
 */
export function setPayoutStatus(
  env: OpsEnv,
  shop: ShopState,
  payoutId: string,
  request: PayoutStatusRequest,
): { payout: Obj; returned: Obj | null } {
  const payout = findPayout(shop, payoutId);
  const status = request?.status;
  if (!(PAYOUT_STATUSES as readonly unknown[]).includes(status)) {
    throw new AdminError(`status must be one of ${PAYOUT_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
  }
  if (request.returnFunds !== undefined && typeof request.returnFunds !== 'boolean') throw new AdminError('returnFunds must be a boolean');
  const returnType = RETURN_TYPE[status as PayoutStatus];
  if (request.returnFunds && !returnType) throw new AdminError(`returnFunds needs status FAILED or CANCELED, got ${status}`);
  const legacy = String(payout.legacyResourceId ?? legacyId(payout.id));
  if (
    request.returnFunds &&
    [...shop.balanceTransactions.values()].some((t) => Object.values(RETURN_TYPE).includes(t.type) && t.sourceId === legacy)
  ) {
    throw new AdminError(`The money of payout ${payout.id} was already returned to the balance`, 409);
  }
  payout.status = status;
  for (const row of rowsOf(shop, payout.id)) row.associatedPayout = { id: payout.id, status };
  let returned: Obj | null = null;
  if (request.returnFunds && returnType) {
    returned = balanceRow(env.nextId(), {
      type: returnType,
      cents: balanceMovement(payout),
      currency: payout.net.currencyCode,
      at: isoSeconds(env.now()),
      payout,
      attached: false,
    });
    shop.balanceTransactions.set(returned.id, returned);
  }
  return { payout, returned };
}

export interface IssuePayoutRequest {
  /** ISO 8601; the payout takes every pending balance transaction processed at or before it. */
  issuedAt: string;
  status?: string;
}

/**
 * Issues a payout from the pending balance: every balance transaction in no payout whose transactionDate is at or
 * before `issuedAt` ("The payout only contains balance transactions that were available at this time", the
 * ShopifyPaymentsPayout.issuedAt description). Net = Σ their nets (a negative balance makes a WITHDRAWAL), the
 * summary per category, the rows attached, and the payout's own TRANSFER row added. 409 when nothing is pending.
 */
export function issuePayout(env: OpsEnv, shop: ShopState, request: IssuePayoutRequest): Obj {
  const at = typeof request?.issuedAt === 'string' ? Date.parse(request.issuedAt) : NaN;
  if (Number.isNaN(at)) throw new AdminError(`issuedAt must be an ISO 8601 date-time, got ${JSON.stringify(request?.issuedAt)}`);
  const status = request.status ?? 'SCHEDULED';
  if (!(ISSUE_STATUSES as readonly unknown[]).includes(status)) {
    throw new AdminError(`status must be one of ${ISSUE_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
  }
  const rows = [...shop.balanceTransactions.values()]
    .filter((t) => (t.associatedPayout?.id ?? null) === null && Date.parse(t.transactionDate) <= at)
    .sort((a, b) => Date.parse(a.transactionDate) - Date.parse(b.transactionDate));
  if (rows.length === 0) throw new AdminError(`No pending balance transactions in ${shop.domain} at ${request.issuedAt}`, 409);
  const currency = String(shop.paymentsAccount.defaultCurrency ?? shop.info.currencyCode);
  const other = rows.find((r) => r.net.currencyCode !== currency);
  if (other) throw new AdminError(`Balance transaction ${other.id} is in ${other.net.currencyCode}, the payouts in ${currency}`);
  const net = rows.reduce((s, r) => s + toCents(r.net.amount), 0);
  const id = env.nextId();
  const payout: Obj = {
    id: gid('ShopifyPaymentsPayout', id),
    legacyResourceId: String(id),
    issuedAt: isoSeconds(at),
    status,
    transactionType: net < 0 ? 'WITHDRAWAL' : 'DEPOSIT',
    externalTraceId: null,
    net: moneyV2(net, currency),
    summary: payoutSummary(currency, rows),
  };
  shop.payouts.set(payout.id, payout);
  for (const row of rows) row.associatedPayout = { id: payout.id, status };
  const transfer = transferRow(env.nextId(), payout);
  shop.balanceTransactions.set(transfer.id, transfer);
  return payout;
}
