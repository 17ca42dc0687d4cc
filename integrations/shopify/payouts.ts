/**
 * Reading Shopify Payments payouts and their balance transactions, page by page, through the paced client
 * (queries/payouts.ts). Amounts stay Shopify's decimal strings: the payout domain turns them into cents.
 */
import type { BalanceTransactionNode, PayoutNode } from '../../domain/payouts/types';
import type { ShopifyClient } from './client';
import { PAYOUT_BALANCE_TRANSACTIONS, PAYOUTS_PAGE, payoutsIssuedSince, payoutTransactionsSearch } from './queries/payouts';

/** A payout as PAYOUTS_PAGE reads it (the payout domain's readPayout takes it). */
export type ShopifyPayout = PayoutNode;
/** A balance transaction as PAYOUT_BALANCE_TRANSACTIONS reads it (readBalanceTransaction takes it). */
export type ShopifyBalanceTransaction = BalanceTransactionNode;

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
