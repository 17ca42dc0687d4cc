/**
 * The GraphQL documents Ledgerline reads Shopify Payments payouts with (Admin API 2026-10, scope
 * `read_shopify_payments_payouts`; docs/shopify-facts.md "Shopify Payments"). Shopify sends no payout webhook,
 * so payouts are polled: a page of payouts issued since the store's payout cursor, then, per payout, the
 * balance transactions it holds (`payments_transfer_id:<payout legacy id>`), which the payout saga checks and
 * turns into one QBO Deposit. test/domain/shopify-queries.test.ts validates both against the real schema and
 * recomputes the requested costs quoted here (object 1, connection 2 + first × node, pageInfo 1).
 */
import { PAYOUT_SUMMARY_FIELDS } from '../../../domain/payouts/types';

const MONEY_V2 = 'amount currencyCode';

/** Every money field of ShopifyPaymentsPayoutSummary (gross and fee per category; net = Σ gross − Σ fee). */
const SUMMARY_FIELDS = PAYOUT_SUMMARY_FIELDS.map((f) => `${f} { ${MONEY_V2} }`).join(' ');

/** The fields the saga reads of a payout, in every document that reads one. */
const PAYOUT_FIELDS = `id legacyResourceId status issuedAt transactionType externalTraceId
        net { ${MONEY_V2} }
        summary { ${SUMMARY_FIELDS} }`;

/** Payouts per page. One payout costs 1 + net 1 + summary 1 + 12 amounts = 15. */
export const PAYOUTS_PAGE_SIZE = 40;

/**
 * Payouts matching `query` (e.g. `issued_at:>=2026-11-01`), oldest first. Requested cost: account 1 +
 * connection 2 + pageInfo 1 + 40 × 15 = 604 (≤ 800, the 20 % margin under the 1000-point cap).
 */
export const PAYOUTS_PAGE = `query LedgerlinePayouts($query: String!, $after: String) {
  shopifyPaymentsAccount {
    payouts(first: ${PAYOUTS_PAGE_SIZE}, after: $after, query: $query, sortKey: ISSUED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        ${PAYOUT_FIELDS}
      }
    }
  }
}`;

/**
 * One payout by gid: the saga re-reads its status while it waits for PAID and watches for FAILED. Requested cost:
 * node 1 + net 1 + summary 1 + 12 amounts = 15.
 */
export const PAYOUT_BY_ID = `query LedgerlinePayout($id: ID!) {
  node(id: $id) {
    ... on ShopifyPaymentsPayout {
        ${PAYOUT_FIELDS}
    }
  }
}`;

/** Refunds per REFUND_TRANSACTIONS call. */
export const REFUND_TRANSACTIONS_BATCH = 30;

/**
 * The order transactions of refunds (by gid): a payout's REFUND row names the OrderTransaction that paid the money
 * back, and the saga finds the refund (and so its RefundReceipt) whose transactions hold it. Requested cost:
 * 30 × (refund 1 + connection 2 + 20 × 1) = 690 (≤ 800).
 */
export const REFUND_TRANSACTIONS = `query LedgerlineRefundTransactions($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Refund { id transactions(first: 20) { nodes { id } } }
  }
}`;

/** Balance transactions per page. One costs 1 + amount, fee, net 3 + associatedOrder 1 + associatedPayout 1 = 6. */
export const BALANCE_TRANSACTIONS_PAGE_SIZE = 120;

/**
 * The balance transactions of one payout (`query: "payments_transfer_id:<legacy id>"`), oldest first, the
 * transfer row included (the saga leaves it out of the sums). Requested cost: account 1 + connection 2 +
 * pageInfo 1 + 120 × 6 = 724 (≤ 800).
 */
export const PAYOUT_BALANCE_TRANSACTIONS = `query LedgerlinePayoutTransactions($query: String!, $after: String) {
  shopifyPaymentsAccount {
    balanceTransactions(first: ${BALANCE_TRANSACTIONS_PAGE_SIZE}, after: $after, query: $query, sortKey: PROCESSED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id type test transactionDate sourceType sourceId sourceOrderTransactionId adjustmentReason
        amount { ${MONEY_V2} }
        fee { ${MONEY_V2} }
        net { ${MONEY_V2} }
        associatedOrder { id name }
        associatedPayout { id status }
      }
    }
  }
}`;

/** Shopify search text for the balance transactions of one payout. */
export function payoutTransactionsSearch(payoutLegacyId: string): string {
  if (!/^\d+$/.test(payoutLegacyId)) throw new Error(`A payout's legacy id is numeric, got "${payoutLegacyId}"`);
  return `payments_transfer_id:${payoutLegacyId}`;
}

/** Shopify search text for payouts issued on or after a date (the store's payout cursor). */
export function payoutsIssuedSince(isoDate: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) throw new Error(`Expected a YYYY-MM-DD date, got "${isoDate}"`);
  return `issued_at:>=${isoDate}`;
}
