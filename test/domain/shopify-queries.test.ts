import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, validate, type SelectionSetNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  ORDER_BY_ID,
  ORDER_LINE_ITEMS_PAGE,
  ORDERS_UPDATED_SINCE,
  ordersBulkQuery,
  REFUND_BY_ID,
  SHOP_CONTEXT,
} from '../../integrations/shopify/queries/orders';
import { PAYOUT_BALANCE_TRANSACTIONS, PAYOUT_BY_ID, PAYOUTS_PAGE, REFUND_TRANSACTIONS } from '../../integrations/shopify/queries/payouts';
import { MAX_PAGE_QUERY_COST, truncatedLists, ORDER_PAGE_LIMITS } from '../../domain/shopify/limits';
import { requestedCost } from './helpers/graphql-cost';
import { loadShopifySchema } from './helpers/shopify-schema';
import { usSimple } from './fixtures/scenarios';

const schema = loadShopifySchema('2026-10');
const BULK = ordersBulkQuery("updated_at:>='2025-01-01T00:00:00Z'");

const documents: Array<[string, string]> = [
  ['OrdersUpdatedSince', ORDERS_UPDATED_SINCE],
  ['OrderById', ORDER_BY_ID],
  ['OrderLineItemsPage', ORDER_LINE_ITEMS_PAGE],
  ['RefundById', REFUND_BY_ID],
  ['ShopContext', SHOP_CONTEXT],
  ['the bulk inner query', BULK],
  ['LedgerlinePayouts', PAYOUTS_PAGE],
  ['LedgerlinePayoutTransactions', PAYOUT_BALANCE_TRANSACTIONS],
  ['LedgerlinePayout', PAYOUT_BY_ID],
  ['LedgerlineRefundTransactions', REFUND_TRANSACTIONS],
];

/** Field paths of a document, with `edges { node }` read as `nodes` and inline fragments flattened. */
function fieldPaths(set: SelectionSetNode | undefined, prefix = ''): string[] {
  if (!set) return [];
  return set.selections.flatMap((sel) => {
    if (sel.kind === Kind.INLINE_FRAGMENT) return fieldPaths(sel.selectionSet, prefix);
    if (sel.kind !== Kind.FIELD) return [];
    if (sel.name.value === 'edges') {
      const node = sel.selectionSet?.selections.find((s) => s.kind === Kind.FIELD && s.name.value === 'node');
      return node && node.kind === Kind.FIELD ? [`${prefix}nodes`, ...fieldPaths(node.selectionSet, `${prefix}nodes.`)] : [];
    }
    const path = `${prefix}${sel.name.value}`;
    return [path, ...fieldPaths(sel.selectionSet, `${path}.`)];
  });
}

const pathsOf = (document: string): string[] => {
  const op = parse(document).definitions[0];
  return op && op.kind === Kind.OPERATION_DEFINITION ? fieldPaths(op.selectionSet) : [];
};

describe('Shopify order documents', () => {
  it.each(documents)('%s validates against the real Admin 2026-10 schema', (_name, document) => {
    expect(validate(schema, parse(document)).map((e) => e.message)).toEqual([]);
  });

  it.each([
    ['OrdersUpdatedSince', 657, ORDERS_UPDATED_SINCE],
    ['OrderById', 957, ORDER_BY_ID],
    ['OrderLineItemsPage', 939, ORDER_LINE_ITEMS_PAGE],
    ['RefundById', 459, REFUND_BY_ID],
    ['LedgerlinePayouts', 604, PAYOUTS_PAGE],
    ['LedgerlinePayoutTransactions', 724, PAYOUT_BALANCE_TRANSACTIONS],
    ['LedgerlinePayout', 15, PAYOUT_BY_ID],
  ])('%s stays under the 1000-point single query limit (cost %i, as its comment says)', (_name, cost, document) => {
    expect(requestedCost(schema, document).cost).toBe(cost);
    expect(cost).toBeLessThan(1000);
  });

  it('the hourly orders query keeps a margin of at least 20 % under the 1000-point cap', () => {
    expect(MAX_PAGE_QUERY_COST).toBeLessThanOrEqual(0.8 * 1000);
    expect(requestedCost(schema, ORDERS_UPDATED_SINCE).cost).toBeLessThanOrEqual(MAX_PAGE_QUERY_COST);
  });

  it('the bulk inner query has no first arguments, at most 5 connections and nesting depth 2', () => {
    const report = requestedCost(schema, BULK);
    expect(report.firstArguments).toBe(0);
    expect(report.connections).toBeGreaterThanOrEqual(1);
    expect(report.connections).toBeLessThanOrEqual(5);
    expect(report.maxConnectionDepth).toBeLessThanOrEqual(2);
    expect(BULK).toContain(`orders(query: "updated_at:>='2025-01-01T00:00:00Z'"`);
  });

  it('the bulk inner query escapes its search text as a GraphQL string', () => {
    expect(validate(schema, parse(ordersBulkQuery('tag:"vip" AND name:\\#1'))).map((e) => e.message)).toEqual([]);
  });

  it('the paged, single and bulk documents select the same order fields', () => {
    const strip = (paths: string[], prefix: string) =>
      paths
        .filter((p) => p.startsWith(prefix))
        .map((p) => p.slice(prefix.length))
        .filter((p) => !p.includes('pageInfo'));
    const paged = strip(pathsOf(ORDERS_UPDATED_SINCE), 'orders.nodes.');
    expect(strip(pathsOf(ORDER_BY_ID), 'order.')).toEqual(paged);
    expect(strip(pathsOf(BULK), 'orders.nodes.')).toEqual(paged);
  });

  it("selects every field of the project's orders.graphql and the contract's additions", () => {
    // The researched example orders query (docs/shopify-facts.md §2): Ledgerline's documents select every field it selects.
    const shared = readFileSync(join(__dirname, '..', 'fixtures', 'shopify-queries', 'orders.graphql'), 'utf8');
    const ours = new Set([
      ...pathsOf(ORDERS_UPDATED_SINCE),
      // Refund details live in RefundById (their connections would break the cost and bulk limits).
      ...pathsOf(REFUND_BY_ID).map((p) => p.replace(/^refund\./, 'orders.nodes.refunds.')),
    ]);
    const contract = [
      'email',
      'note',
      'cancelReason',
      'paymentGatewayNames',
      'totalTipReceivedSet',
      'originalTotalDutiesSet',
      'currentTotalDutiesSet',
      'customer.firstName',
      'customer.lastName',
      'shippingAddress.countryCodeV2',
      'billingAddress.zip',
      'lineItems.nodes.title',
      'lineItems.nodes.variantTitle',
      'lineItems.nodes.vendor',
      'lineItems.nodes.isGiftCard',
      'lineItems.nodes.variant.title',
      'lineItems.nodes.variant.product.title',
    ].map((p) => `orders.nodes.${p}`);
    // Left out of RefundById on purpose: the refund mapping does not read them, and each costs points.
    const notNeeded = /^orders\.nodes\.refunds\.(refundLineItems\.nodes\.(location|priceSet)|transactions\.nodes\.fees)(\.|$)/;
    const missing = [...pathsOf(shared), ...contract].filter((p) => !ours.has(p) && !notNeeded.test(p));
    expect(missing).toEqual([]);
  });
});

describe('truncated lists', () => {
  it('reports the lists an order document may have cut short, so the activity re-reads the order', () => {
    const full = usSimple();
    expect(truncatedLists(full, ORDER_PAGE_LIMITS)).toEqual([]);
    const cut = {
      ...full,
      lineItems: { ...full.lineItems, pageInfo: { hasNextPage: true, endCursor: 'abc' } },
      transactions: Array.from({ length: ORDER_PAGE_LIMITS.transactions }, () => full.transactions[0]!),
    };
    expect(truncatedLists(cut, ORDER_PAGE_LIMITS)).toEqual(['lineItems', 'transactions']);
  });
});
