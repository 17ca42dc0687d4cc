// What every resolver gets: the shop the access token selected and the emulator services it may use.
import type { GraphQLSchema } from 'graphql';
import type { Obj, ShopState } from './state';

export interface ResolverContext {
  shop: ShopState;
  schema: GraphQLSchema;
  apiVersion: string;
  /** True inside a bulk operation: connections read everything, no `first:` needed. */
  bulk: boolean;
  now(): Date;
  nextId(): number;
  emitWebhook(topic: string, payload: Obj): void;
  startBulkQuery(query: string): { bulkOperation: Obj | null; userErrors: Obj[] };
}
