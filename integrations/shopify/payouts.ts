/**
 * Reading Shopify Payments payouts and their balance transactions, page by page, through the paced client
 * (queries/payouts.ts). Amounts stay Shopify's decimal strings: the payout domain turns them into cents.
 */
import type { ShopifyClient } from './client';
import { PAYOUT_BALANCE_TRANSACTIONS, PAYOUTS_PAGE, payoutsIssuedSince, payoutTransactionsSearch } from './queries/payouts';

export interface MoneyV2 {
  amount: string;
  currencyCode: string;
}

/** A payout as PAYOUTS_PAGE reads it. */
export interface ShopifyPayout {
  id: string;
  legacyResourceId: string;
  /** SCHEDULED | IN_TRANSIT (deprecated) | PAID | FAILED | CANCELED */
  status: string;
  issuedAt: string;
  /** DEPOSIT | WITHDRAWAL */
  transactionType: string;
  externalTraceId: string | null;
  net: MoneyV2;
  summary: Record<string, MoneyV2>;
}

/** A balance transaction as PAYOUT_BALANCE_TRANSACTIONS reads it. */
export interface ShopifyBalanceTransaction {
  id: string;
  type: string;
  test: boolean;
  transactionDate: string;
  sourceType: string | null;
  sourceId: string | null;
  sourceOrderTransactionId: string | null;
  adjustmentReason: string | null;
  amount: MoneyV2;
  fee: MoneyV2;
  net: MoneyV2;
  associatedOrder: { id: string; name: string } | null;
  associatedPayout: { id: string | null; status: string | null } | null;
}

interface Page<T> {
  shopifyPaymentsAccount: { [key: string]: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: T[] } } | null;
}

async function* pages<T>(shopify: ShopifyClient, document: string, field: string, query: string): AsyncGenerator<T[]> {
  let after: string | null = null;
  for (;;) {
    const data: Page<T> = await shopify.request<Page<T>>(document, { query, after });
    // A shop without Shopify Payments has no account: nothing to reconcile.
    const conn = data.shopifyPaymentsAccount?.[field];
    if (!conn) return;
    yield conn.nodes;
    if (!conn.pageInfo.hasNextPage || !conn.pageInfo.endCursor) return;
    after = conn.pageInfo.endCursor;
  }
}

/** Payouts issued on or after `sinceDate` (YYYY-MM-DD), oldest first. */
export async function listPayoutsSince(shopify: ShopifyClient, sinceDate: string): Promise<ShopifyPayout[]> {
  const out: ShopifyPayout[] = [];
  for await (const page of pages<ShopifyPayout>(shopify, PAYOUTS_PAGE, 'payouts', payoutsIssuedSince(sinceDate))) out.push(...page);
  return out;
}

/** Every balance transaction of one payout, its transfer row included, oldest first. */
export async function listPayoutTransactions(shopify: ShopifyClient, payoutLegacyId: string): Promise<ShopifyBalanceTransaction[]> {
  const out: ShopifyBalanceTransaction[] = [];
  const search = payoutTransactionsSearch(payoutLegacyId);
  for await (const page of pages<ShopifyBalanceTransaction>(shopify, PAYOUT_BALANCE_TRANSACTIONS, 'balanceTransactions', search))
    out.push(...page);
  return out;
}
