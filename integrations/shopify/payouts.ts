/**
 * Reading Shopify Payments payouts and their balance transactions, page by page, through the paced client
 * (queries/payouts.ts). Amounts stay Shopify's decimal strings: the payout domain turns them into cents.
 */
import type { BalanceTransactionNode, PayoutNode } from '../../domain/payouts/types';
import type { ShopifyClient } from './client';
import {
  PAYOUT_BALANCE_TRANSACTIONS,
  PAYOUT_BY_ID,
  PAYOUTS_PAGE,
  payoutsIssuedSince,
  payoutTransactionsSearch,
  REFUND_TRANSACTIONS,
  REFUND_TRANSACTIONS_BATCH,
} from './queries/payouts';

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

/** One payout by gid; undefined when the shop has no such payout (or no Shopify Payments). */
export async function readPayoutById(shopify: ShopifyClient, payoutGid: string): Promise<ShopifyPayout | undefined> {
  // `node` of another type (or an unknown id) comes back empty or null.
  const data = await shopify.request<{ node: Partial<ShopifyPayout> | null }>(PAYOUT_BY_ID, { id: payoutGid });
  const node = data.node;
  return node?.id ? (node as ShopifyPayout) : undefined;
}

/** For each refund gid Shopify still has, the gids of its order transactions. */
export async function readRefundTransactionIds(shopify: ShopifyClient, refundGids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < refundGids.length; i += REFUND_TRANSACTIONS_BATCH) {
    const ids = refundGids.slice(i, i + REFUND_TRANSACTIONS_BATCH);
    const data = await shopify.request<{ nodes: Array<{ id?: string; transactions?: { nodes: Array<{ id: string }> } } | null> }>(
      REFUND_TRANSACTIONS,
      { ids },
    );
    for (const node of data.nodes)
      if (node?.id && node.transactions)
        out.set(
          node.id,
          node.transactions.nodes.map((t) => t.id),
        );
  }
  return out;
}
