/**
 * How many of each nested list the order documents request. Shopify prices a query before running it
 * (docs/shopify-facts.md §1: connection = 2 + first × child cost) and refuses any query above 1000 points, so the
 * sizes are small; an order that fills a list is re-read completely (see `truncatedLists`).
 */
import type { ShopifyOrderCore } from './types';

export interface OrderQueryLimits {
  orders: number;
  lineItems: number;
  shippingLines: number;
  discountApplications: number;
  transactions: number;
  refunds: number;
}

/**
 * `OrdersUpdatedSince`: requested cost 657 (breakdown in integrations/shopify/queries/orders.ts). The hourly
 * query keeps at least 20 % below Shopify's 1000-point single-query cap (at most 800), so a field Shopify prices
 * higher than our reading of its rules, or one more field, does not make every page fail: 2 orders a page
 * (cost rules and the 1000-point cap: https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits).
 */
export const MAX_PAGE_QUERY_COST = 800;

export const ORDER_PAGE_LIMITS: OrderQueryLimits = {
  orders: 2,
  lineItems: 8,
  shippingLines: 3,
  discountApplications: 5,
  transactions: 10,
  refunds: 10,
};

/** `OrderById`: one order with room for more of everything; requested cost 957. */
export const SINGLE_ORDER_LIMITS: Omit<OrderQueryLimits, 'orders'> = {
  lineItems: 25,
  shippingLines: 5,
  discountApplications: 10,
  transactions: 35,
  refunds: 40,
};

/** `OrderLineItemsPage`: further pages of one order's line items. */
export const LINE_ITEMS_PAGE_SIZE = 55;

/**
 * The lists of `order` that may hold more than the document returned: a connection with another page,
 * or a plain list (transactions, refunds) that came back exactly full.
 */
export function truncatedLists(order: ShopifyOrderCore, limits: Omit<OrderQueryLimits, 'orders'>): string[] {
  const truncated: string[] = [];
  if (order.lineItems.pageInfo?.hasNextPage) truncated.push('lineItems');
  if (order.shippingLines.pageInfo?.hasNextPage) truncated.push('shippingLines');
  if (order.discountApplications.pageInfo?.hasNextPage) truncated.push('discountApplications');
  if (order.transactions.length >= limits.transactions) truncated.push('transactions');
  if (order.refunds.length >= limits.refunds) truncated.push('refunds');
  return truncated;
}
