// Query.orders / order / node / nodes (docs/shopify-facts.md §2: orders, filters, sort keys, opaque cursors).
import { sortKeyOf, sortedPage, type PageArgs } from '../connection';
import type { ResolverContext } from '../context';
import type { ResolverTable } from '../field-resolver';
import { boolFilter, dateFilter, type FieldFilter, idFilter, SearchSyntaxError, textFilter } from '../search';
import { findNode, type Obj, type ShopState } from '../state';
import { numericId, searchPredicate } from './search-error';

const SIXTY_DAYS_MS = 60 * 86_400_000;

const statusFilter: FieldFilter = (op, value) => {
  const v = value.toLowerCase();
  if (op !== ':') throw new SearchSyntaxError(`Comparison ${op} is not emulated for status`);
  if (v === 'any') return () => true;
  if (v === 'cancelled') return (o) => Boolean(o.cancelledAt);
  if (v === 'open') return (o) => !o.cancelledAt && o.closed !== true;
  if (v === 'closed') return (o) => o.closed === true;
  throw new SearchSyntaxError(`status:${value} is not emulated (any, open, closed, cancelled)`);
};

export const ORDER_FILTERS: Record<string, FieldFilter> = {
  updated_at: dateFilter((o) => o.updatedAt),
  created_at: dateFilter((o) => o.createdAt),
  processed_at: dateFilter((o) => o.processedAt),
  financial_status: textFilter((o) => o.displayFinancialStatus),
  status: statusFilter,
  test: boolFilter((o) => o.test),
  name: textFilter(
    (o) => o.name,
    (s) => s.replace(/^#/, ''),
  ),
  id: idFilter((o) => o.id),
};

const ORDER_SORT: Record<string, (o: Obj) => (string | number)[]> = {
  UPDATED_AT: (o) => [Date.parse(o.updatedAt), numericId(o.id)],
  CREATED_AT: (o) => [Date.parse(o.createdAt), numericId(o.id)],
  PROCESSED_AT: (o) => [Date.parse(o.processedAt), numericId(o.id)],
  ID: (o) => [numericId(o.id)],
};

/** Without `read_all_orders`, only orders created in the last 60 days are visible (docs/shopify-facts.md §2). */
export function orderVisible(shop: ShopState, order: Obj, now: Date): boolean {
  if (shop.scopes.includes('read_all_orders')) return true;
  return Date.parse(order.createdAt) >= now.getTime() - SIXTY_DAYS_MS;
}

export function listOrders(ctx: ResolverContext, args: PageArgs & { query?: string | null; sortKey?: string }) {
  const match = searchPredicate(args.query, ORDER_FILTERS, 'orders');
  const now = ctx.now();
  const visible = [...ctx.shop.orders.values()].filter((o) => orderVisible(ctx.shop, o, now) && match(o));
  return sortedPage(visible, sortKeyOf(args.sortKey ?? 'PROCESSED_AT', ORDER_SORT, 'orders'), args, ctx.bulk);
}

function nodeById(ctx: ResolverContext, id: string): Obj | null {
  const found = findNode(ctx.shop, id);
  if (!found) return null;
  if (found.id?.includes('/Order/') && !orderVisible(ctx.shop, found, ctx.now())) return null;
  if (found.id?.includes('/Refund/')) {
    const order = ctx.shop.orders.get(found.order?.id);
    if (!order || !orderVisible(ctx.shop, order, ctx.now())) return null;
  }
  return found;
}

export const orderResolvers: ResolverTable = {
  override: {
    'Query.orders': (_s, args, ctx) => listOrders(ctx, args),
    'Query.order': (_s, args: { id: string }, ctx) => {
      const order = ctx.shop.orders.get(args.id);
      return order && orderVisible(ctx.shop, order, ctx.now()) ? order : null;
    },
    'Query.refund': (_s, args: { id: string }, ctx) => (args.id.includes('/Refund/') ? nodeById(ctx, args.id) : null),
    'Query.node': (_s, args: { id: string }, ctx) => nodeById(ctx, args.id),
    'Query.nodes': (_s, args: { ids: string[] }, ctx) => args.ids.map((id) => nodeById(ctx, id)),
  },
  computed: {},
  args: {
    'Query.orders': ['query', 'sortKey'],
    'Query.order': ['id'],
    'Query.refund': ['id'],
    'Query.node': ['id'],
    'Query.nodes': ['ids'],
  },
};
