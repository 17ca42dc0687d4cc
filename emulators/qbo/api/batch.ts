import { QboFault, faults } from '../core/faults';
import { canonicalEntity, type EntityName } from '../company/company';
import type { RuleContext } from '../rules/context';
import { createEntity, deleteEntity, updateEntity, voidEntity } from '../rules/operations';
import type { Entity } from '../types';
import { runQuery } from './query';

/**
 * POST /batch (docs/qbo-facts.md §1, §6): at most 30 items, run serially; an item's Fault is reported in its
 * BatchItemResponse and does not fail the batch; an item cannot see what earlier items created.
 */
export const MAX_BATCH_ITEMS = 30;
/** docs/qbo-facts.md §2: with a requestid, each bId may be at most 10 characters. */
export const MAX_BID_WITH_REQUESTID = 10;

function runItem(ctx: RuleContext, item: Entity): Entity {
  if (typeof item.Query === 'string') return { QueryResponse: runQuery(ctx, item.Query) };
  const key = Object.keys(item).find((k) => k !== 'bId' && k !== 'operation' && k !== 'optionsData' && canonicalEntity(k) === k);
  if (!key) throw faults.requiredMissing('BatchItemRequest entity');
  const name = key as EntityName;
  switch (item.operation) {
    case 'create': {
      const doc = createEntity(ctx, name, item[key]);
      ctx.hidden.add(`${name}:${doc.Id}`);
      return { [name]: doc };
    }
    case 'update':
      return { [name]: updateEntity(ctx, name, item[key]) };
    case 'delete':
      return { [name]: deleteEntity(ctx, name, item[key]) };
    case 'void':
      return { [name]: voidEntity(ctx, name, item[key]) };
    case undefined:
      throw faults.requiredMissing('BatchItemRequest.operation');
    default:
      throw faults.unsupportedOperation(`Batch operation ${String(item.operation)} is not supported`);
  }
}

export function runBatch(ctx: RuleContext, body: unknown, withRequestId: boolean): Entity {
  const items = (body as { BatchItemRequest?: unknown } | null)?.BatchItemRequest;
  if (!Array.isArray(items)) throw faults.requiredMissing('BatchItemRequest');
  if (items.length > MAX_BATCH_ITEMS)
    throw faults.business(`A batch may hold at most ${MAX_BATCH_ITEMS} items; this one has ${items.length}`, 'BatchItemRequest');
  for (const item of items as Entity[]) {
    if (item?.bId === undefined || item.bId === '') throw faults.requiredMissing('BatchItemRequest.bId');
    const length = String(item.bId).length;
    if (withRequestId && length > MAX_BID_WITH_REQUESTID) throw faults.stringLength('bId', MAX_BID_WITH_REQUESTID, length);
  }
  const responses = (items as Entity[]).map((item) => {
    try {
      return { bId: String(item.bId), ...runItem(ctx, item) };
    } catch (error) {
      if (error instanceof QboFault) return { bId: String(item.bId), Fault: error.body.Fault };
      throw error;
    }
  });
  return { BatchItemResponse: responses };
}
