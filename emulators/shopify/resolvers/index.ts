import type { ResolverTable } from '../field-resolver';
import { bulkResolvers } from './bulk';
import { catalogResolvers } from './catalog';
import { inventoryResolvers } from './inventory';
import { orderResolvers } from './orders';
import { paymentsResolvers } from './payments';
import { webhookResolvers } from './webhooks';

const tables = [orderResolvers, paymentsResolvers, catalogResolvers, inventoryResolvers, bulkResolvers, webhookResolvers];

/** Every specifically emulated field; the rest is served from stored data or fails loudly. */
export const resolverTable: ResolverTable = {
  override: Object.assign({}, ...tables.map((t) => t.override)),
  computed: Object.assign({}, ...tables.map((t) => t.computed)),
  args: Object.assign({}, ...tables.map((t) => t.args)),
};
