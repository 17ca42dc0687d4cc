// inventorySetQuantities / inventoryAdjustQuantities: compare-and-set through `changeFromQuantity`
// and the `@idempotent(key:)` directive, required from 2026-04 (docs/shopify-facts.md §2 "Inventory").
import { GraphQLError, getDirectiveValues, type GraphQLResolveInfo } from 'graphql';
import type { ResolverContext } from '../context';
import type { ResolverTable } from '../field-resolver';
import { gid } from '../gid';
import type { Obj } from '../state';
import { QUANTITY_NAMES } from './catalog';
import { isoSeconds } from '../time';

// Shopify's documented adjustment reasons.
const REASONS = new Set([
  'correction',
  'cycle_count_available',
  'damaged',
  'movement_canceled',
  'movement_created',
  'movement_received',
  'movement_updated',
  'other',
  'promotion',
  'quality_control',
  'received',
  'reservation_created',
  'reservation_deleted',
  'reservation_updated',
  'restock',
  'safety_stock',
  'shrinkage',
]);
// The states that are part of on_hand: changing one moves on_hand by the same delta.
const ON_HAND_PARTS = new Set(['available', 'committed', 'reserved', 'damaged', 'safety_stock', 'quality_control']);
const ADJUSTABLE = new Set(['available', 'damaged', 'incoming', 'quality_control', 'reserved', 'safety_stock']);

interface Change {
  inventoryItemId: string;
  locationId: string;
  delta?: number;
  quantity?: number;
  changeFromQuantity?: number | null;
}
type UserError = { field: string[]; message: string; code: string };

// "The total quantity can't be higher than 1,000,000,000" (InventorySetQuantitiesUserErrorCode, 2026-10).
const QUANTITY_MAX = 1_000_000_000;

/** A URI with a scheme and content; a gid must name app, entity and id (InventorySetQuantitiesInput.referenceDocumentUri). */
function validReferenceDocumentUri(uri: unknown): boolean {
  if (uri === undefined || uri === null) return true;
  if (typeof uri !== 'string' || !/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri)) return false;
  return !/^gid:/i.test(uri) || /^gid:\/\/[^/\s]+\/[^/\s]+\/\S+$/i.test(uri);
}

/** The set-only rules: absolute quantities within Shopify's bounds, one entry per item and location. */
function setQuantityErrors(change: Change, at: string[], seen: Set<string>): UserError[] {
  const errors: UserError[] = [];
  const pair = `${change.inventoryItemId}@${change.locationId}`;
  if (seen.has(pair))
    errors.push({
      field: at,
      message: 'The combination of inventoryItemId and locationId must be unique.',
      code: 'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR',
    });
  seen.add(pair);
  const quantity = change.quantity ?? 0;
  if (quantity < 0)
    errors.push({ field: [...at, 'quantity'], message: "The quantity can't be negative.", code: 'INVALID_QUANTITY_NEGATIVE' });
  if (quantity > QUANTITY_MAX)
    errors.push({
      field: [...at, 'quantity'],
      message: "The total quantity can't be higher than 1,000,000,000.",
      code: 'INVALID_QUANTITY_TOO_HIGH',
    });
  return errors;
}

function idempotencyRequired(apiVersion: string): boolean {
  return apiVersion === 'unstable' || apiVersion >= '2026-04';
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${k}:${stable((value as Obj)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Replays the first result for a key; applies the mutation at most once per key. */
function withIdempotency(ctx: ResolverContext, info: GraphQLResolveInfo, input: Obj, run: () => Obj): Obj {
  const directive = ctx.schema.getDirective('idempotent');
  const fieldNode = info.fieldNodes[0];
  const key =
    directive && fieldNode ? (getDirectiveValues(directive, fieldNode, info.variableValues)?.key as string | undefined) : undefined;
  if (key === undefined) {
    if (idempotencyRequired(ctx.apiVersion)) {
      throw new GraphQLError(`The @idempotent directive is required for ${info.fieldName} as of 2026-04.`, {
        extensions: { code: 'BAD_REQUEST' },
      });
    }
    return run();
  }
  if (!key.trim())
    throw new GraphQLError('The idempotency key cannot be an empty string or whitespace only.', { extensions: { code: 'BAD_REQUEST' } });
  const slot = `${info.fieldName}:${key}`;
  const fingerprint = stable(input);
  const seen = ctx.shop.idempotency.get(slot);
  if (seen) {
    if (seen.fingerprint === fingerprint) return seen.payload;
    return {
      inventoryAdjustmentGroup: null,
      userErrors: [
        {
          field: ['input'],
          message: 'The idempotency key was already used with different parameters.',
          code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
        },
      ],
    };
  }
  const payload = run();
  ctx.shop.idempotency.set(slot, { fingerprint, payload });
  return payload;
}

function quantityEntry(level: Obj, name: string): Obj {
  const entry = (level.quantities as Obj[] | undefined)?.find((q) => q.name === name);
  if (!entry)
    throw new GraphQLError(`Quantity "${name}" is not stored for InventoryLevel ${level.id}: not emulated.`, {
      extensions: { code: 'NOT_EMULATED' },
    });
  return entry;
}

function applyChanges(ctx: ResolverContext, input: Obj, changes: Change[], listField: string, mode: 'set' | 'adjust'): Obj {
  const errors: UserError[] = [];
  if (mode === 'set' && !['available', 'on_hand'].includes(input.name))
    errors.push({ field: ['input', 'name'], message: 'The quantity name must be available or on_hand.', code: 'INVALID_NAME' });
  if (mode === 'adjust' && !ADJUSTABLE.has(input.name))
    errors.push({
      field: ['input', 'name'],
      message: `The quantity name ${input.name} cannot be adjusted.`,
      code: 'INVALID_QUANTITY_NAME',
    });
  if (!REASONS.has(input.reason))
    errors.push({ field: ['input', 'reason'], message: `The reason ${input.reason} is not valid.`, code: 'INVALID_REASON' });
  if (!validReferenceDocumentUri(input.referenceDocumentUri))
    errors.push({
      field: ['input', 'referenceDocumentUri'],
      message: 'The specified reference document is invalid.',
      code: 'INVALID_REFERENCE_DOCUMENT',
    });
  const pairs = new Set<string>();
  const planned: { level: Obj; item: Obj; delta: number }[] = [];
  changes.forEach((change, i) => {
    const at = ['input', listField, String(i)];
    if (!Object.prototype.hasOwnProperty.call(change, 'changeFromQuantity')) {
      throw new GraphQLError(
        `${at.join('.')}.changeFromQuantity is mandatory: pass the expected quantity, or null to skip the compare-and-set check.`,
        { extensions: { code: 'BAD_REQUEST' } },
      );
    }
    if (mode === 'set') {
      const invalid = setQuantityErrors(change, at, pairs);
      errors.push(...invalid);
      if (invalid.length > 0) return;
    }
    const item = ctx.shop.inventoryItems.get(change.inventoryItemId)?.item;
    if (!item) {
      errors.push({
        field: [...at, 'inventoryItemId'],
        message: 'The specified inventory item could not be found.',
        code: 'INVALID_INVENTORY_ITEM',
      });
      return;
    }
    const level = (item.inventoryLevels?.nodes as Obj[] | undefined)?.find((l) => l.location?.id === change.locationId);
    if (!level) {
      errors.push({ field: [...at, 'locationId'], message: 'The specified location could not be found.', code: 'INVALID_LOCATION' });
      return;
    }
    if (!QUANTITY_NAMES.includes(input.name)) return;
    const current = quantityEntry(level, input.name).quantity as number;
    if (change.changeFromQuantity !== null && change.changeFromQuantity !== undefined && change.changeFromQuantity !== current) {
      errors.push({
        field: [...at, 'changeFromQuantity'],
        message: `The quantity is ${current}, not the expected changeFromQuantity ${change.changeFromQuantity}.`,
        code: 'CHANGE_FROM_QUANTITY_STALE',
      });
      return;
    }
    planned.push({ level, item, delta: mode === 'set' ? (change.quantity ?? 0) - current : (change.delta ?? 0) });
  });
  // All or nothing: any user error leaves every quantity untouched.
  if (errors.length > 0) return { inventoryAdjustmentGroup: null, userErrors: errors };
  const now = isoSeconds(ctx.now());
  const applied: Obj[] = [];
  for (const { level, item, delta } of planned) {
    const names = [input.name];
    if (input.name === 'on_hand') names.push('available');
    else if (ON_HAND_PARTS.has(input.name)) names.push('on_hand');
    for (const name of names) {
      const entry = quantityEntry(level, name);
      entry.quantity += delta;
      entry.updatedAt = now;
      applied.push({
        name,
        delta,
        quantityAfterChange: entry.quantity,
        item: { id: item.id },
        location: { id: level.location.id },
        ledgerDocumentUri: null,
      });
    }
    level.updatedAt = now;
    ctx.emitWebhook('INVENTORY_LEVELS_UPDATE', {
      inventory_item_id: Number(item.id.split('/').pop()),
      location_id: Number(level.location.id.split('/').pop()),
      available: quantityEntry(level, 'available').quantity,
      updated_at: now,
      admin_graphql_api_id: level.id,
    });
  }
  const group = {
    id: gid('InventoryAdjustmentGroup', ctx.nextId()),
    createdAt: now,
    reason: input.reason,
    referenceDocumentUri: input.referenceDocumentUri ?? null,
    changes: applied,
    app: null,
    staffMember: null,
  };
  ctx.shop.inventoryAdjustmentGroups.set(group.id, group);
  return { inventoryAdjustmentGroup: group, userErrors: [] };
}

export const inventoryResolvers: ResolverTable = {
  override: {
    'Mutation.inventorySetQuantities': (_s, args: { input: Obj }, ctx, info) =>
      withIdempotency(ctx, info, args.input, () => applyChanges(ctx, args.input, args.input.quantities, 'quantities', 'set')),
    'Mutation.inventoryAdjustQuantities': (_s, args: { input: Obj }, ctx, info) =>
      withIdempotency(ctx, info, args.input, () => applyChanges(ctx, args.input, args.input.changes, 'changes', 'adjust')),
  },
  computed: {},
  args: { 'Mutation.inventorySetQuantities': ['input'], 'Mutation.inventoryAdjustQuantities': ['input'] },
};
