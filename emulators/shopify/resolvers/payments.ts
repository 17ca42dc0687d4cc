// shop and shopifyPaymentsAccount { payouts, balanceTransactions } with the filters of docs/shopify-facts.md §2.
import { sortKeyOf, sortedPage, type PageArgs } from '../connection';
import type { ResolverTable } from '../field-resolver';
import { dateFilter, type FieldFilter, idFilter, textFilter } from '../search';
import type { Obj, ShopState } from '../state';
import { numericId, searchPredicate } from './search-error';

const PAYOUT_FILTERS: Record<string, FieldFilter> = {
  issued_at: dateFilter((p) => p.issuedAt),
  status: textFilter((p) => p.status),
  id: idFilter((p) => p.id),
};

const PAYOUT_SORT: Record<string, (p: Obj) => (string | number)[]> = {
  ISSUED_AT: (p) => [Date.parse(p.issuedAt), numericId(p.id)],
  ID: (p) => [numericId(p.id)],
  STATUS: (p) => [String(p.status), numericId(p.id)],
};

function payoutOf(shop: ShopState, tx: Obj): Obj | undefined {
  const id = tx.associatedPayout?.id;
  return typeof id === 'string' ? shop.payouts.get(id) : undefined;
}

function balanceFilters(shop: ShopState): Record<string, FieldFilter> {
  return {
    payments_transfer_id: idFilter((t) => t.associatedPayout?.id),
    processed_at: dateFilter((t) => t.transactionDate),
    payout_date: dateFilter((t) => payoutOf(shop, t)?.issuedAt),
    payout_status: textFilter((t) => payoutOf(shop, t)?.status ?? t.associatedPayout?.status),
    transaction_type: textFilter((t) => t.type),
    id: idFilter((t) => t.id),
  };
}

const BALANCE_SORT: Record<string, (t: Obj) => (string | number)[]> = {
  PROCESSED_AT: (t) => [Date.parse(t.transactionDate), numericId(t.id)],
  ID: (t) => [numericId(t.id)],
};

type ListArgs = PageArgs & { query?: string | null; sortKey?: string | null };

export const paymentsResolvers: ResolverTable = {
  override: {
    'Query.shop': (_s, _a, ctx) => ctx.shop.info,
    'Query.shopifyPaymentsAccount': (_s, _a, ctx) => ctx.shop.paymentsAccount,
    'ShopifyPaymentsAccount.payouts': (_s, args: ListArgs & { transactionType?: string | null }, ctx) => {
      const match = searchPredicate(args.query, PAYOUT_FILTERS, 'payouts');
      const items = [...ctx.shop.payouts.values()].filter(
        (p) => match(p) && (!args.transactionType || p.transactionType === args.transactionType),
      );
      return sortedPage(items, sortKeyOf(args.sortKey ?? 'ID', PAYOUT_SORT, 'payouts'), args, ctx.bulk);
    },
    'ShopifyPaymentsAccount.balanceTransactions': (_s, args: ListArgs & { hideTransfers?: boolean | null }, ctx) => {
      const match = searchPredicate(args.query, balanceFilters(ctx.shop), 'balanceTransactions');
      const items = [...ctx.shop.balanceTransactions.values()].filter((t) => match(t) && !(args.hideTransfers && t.type === 'TRANSFER'));
      return sortedPage(items, sortKeyOf(args.sortKey ?? 'ID', BALANCE_SORT, 'balanceTransactions'), args, ctx.bulk);
    },
    // The payout's status is live: a balance transaction reports the payout as it is now.
    'ShopifyPaymentsBalanceTransaction.associatedPayout': (tx: Obj, _a, ctx) => {
      const payout = payoutOf(ctx.shop, tx);
      return payout ? { id: payout.id, status: payout.status } : (tx.associatedPayout ?? { id: null, status: null });
    },
  },
  computed: {},
  args: {
    'ShopifyPaymentsAccount.payouts': ['query', 'sortKey', 'transactionType'],
    'ShopifyPaymentsAccount.balanceTransactions': ['query', 'sortKey', 'hideTransfers'],
  },
};
