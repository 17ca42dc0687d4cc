// bulkOperationRunQuery, bulkOperation(id:), currentBulkOperation(type:) (docs/shopify-facts.md §2 "Bulk").
import type { ResolverTable } from '../field-resolver';
import type { Obj } from '../state';

export const bulkResolvers: ResolverTable = {
  override: {
    'Mutation.bulkOperationRunQuery': (_s, args: { query: string }, ctx) => ctx.startBulkQuery(args.query),
    'Query.bulkOperation': (_s, args: { id: string }, ctx) => ctx.shop.bulkOperations.get(args.id) ?? null,
    'Query.currentBulkOperation': (_s, args: { type?: string | null }, ctx) => {
      const type = args.type ?? 'QUERY';
      const ops = [...ctx.shop.bulkOperations.values()].filter((o: Obj) => o.type === type);
      return ops[ops.length - 1] ?? null;
    },
  },
  computed: {},
  args: {
    'Mutation.bulkOperationRunQuery': ['query', 'groupObjects'],
    'Query.bulkOperation': ['id'],
    'Query.currentBulkOperation': ['type'],
  },
};
