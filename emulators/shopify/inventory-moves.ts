// Stock that moves with orders (docs/inventory.md "The Shopify emulator"): placing an order commits units,
// fulfilling it ships them, cancelling it or refunding with a restock gives them back. Shopify's states: `available`
// is sellable, `committed` is in orders placed and not fulfilled, and on_hand = available + committed + the
// set-aside states (https://shopify.dev/docs/apps/build/orders-fulfillment/inventory-management-apps). Every move
// here keeps that sum.
import { gid } from './gid';
import { AdminError, bumpUpdatedAt, type OpsEnv, setIfStored } from './order-helpers';
import type { Commitment, Obj, ShopState } from './state';
import { isoSeconds } from './time';
import { orderPayload } from './webhook-payloads';

interface Move {
  level: Obj;
  item: Obj;
  deltas: Partial<Record<'available' | 'committed' | 'on_hand', number>>;
}

function quantity(level: Obj, name: string, now: string): Obj {
  const quantities = ((level.quantities as Obj[] | undefined) ??= []);
  let entry = quantities.find((q) => q.name === name);
  if (!entry) {
    // A hand-written level without this state: Shopify has every state at 0 until something moves it.
    entry = {
      id: `${String(level.id).replace('/InventoryLevel/', '/InventoryQuantity/')}?name=${name}`,
      name,
      quantity: 0,
      updatedAt: now,
    };
    quantities.push(entry);
  }
  return entry;
}

/** Applies the moves and tells `inventory_levels/update` subscribers, as Shopify does when available changes. */
function apply(env: OpsEnv, shop: ShopState, moves: Move[]): void {
  const now = isoSeconds(env.now());
  for (const { level, item, deltas } of moves) {
    for (const [name, delta] of Object.entries(deltas)) {
      if (!delta) continue;
      const entry = quantity(level, name, now);
      entry.quantity += delta;
      entry.updatedAt = now;
    }
    level.updatedAt = now;
    env.emit(shop, 'INVENTORY_LEVELS_UPDATE', {
      inventory_item_id: Number(String(item.id).split('/').pop()),
      location_id: Number(String(level.location.id).split('/').pop()),
      available: quantity(level, 'available', now).quantity,
      updated_at: now,
      admin_graphql_api_id: level.id,
    });
  }
}

function levelAt(item: Obj, locationId: string): Obj | undefined {
  return ((item.inventoryLevels?.nodes as Obj[] | undefined) ?? []).find((l) => l.location?.id === locationId);
}

const availableOf = (level: Obj): number =>
  ((level.quantities as Obj[] | undefined) ?? []).find((q) => q.name === 'available')?.quantity ?? 0;

/** Units of a line not yet fulfilled: the stored `unfulfilledQuantity`, else all of them unless the order is fulfilled. */
function unfulfilledOf(order: Obj, li: Obj): number {
  if (typeof li.unfulfilledQuantity === 'number') return li.unfulfilledQuantity;
  return order.displayFulfillmentStatus === 'FULFILLED' ? 0 : (li.currentQuantity ?? li.quantity ?? 0);
}

/**
 * Where a line's units are taken from. Shopify routes an order to the location its rules rank first (by default:
 * fewest split shipments, within the buyer's market, closest; https://help.shopify.com/manual/fulfillment/setup/order-routing/understanding-order-routing).
 * The emulator knows no addresses, so it takes the order's `retailLocation` when the item is stocked there, else the
 * first of the item's locations (in stored order) with enough available, else its first location.
 */
function chooseLevel(order: Obj, item: Obj, units: number, pending: Map<Obj, number>): Obj | undefined {
  const levels = (item.inventoryLevels?.nodes as Obj[] | undefined) ?? [];
  const retail = order.retailLocation?.id ? levelAt(item, order.retailLocation.id) : undefined;
  if (retail) return retail;
  return levels.find((l) => availableOf(l) - (pending.get(l) ?? 0) >= units) ?? levels[0];
}

/**
 * Orders placed through the admin helpers (not seeds, which are snapshots whose quantities already include their
 * orders): each line whose variant's inventory item is tracked takes its units out of `available`; the unfulfilled
 * ones go to `committed`, the ones already fulfilled leave `on_hand`. A variant whose `inventoryPolicy` is DENY cannot
 * be sold beyond what is available ("Customers can't buy this product variant after it's out of stock", the
 * ProductVariantInventoryPolicy enum); the whole call is refused and nothing moves. CONTINUE, or no policy stored,
 * oversells: available goes below zero, as Shopify's does. Cancelled orders move nothing.
 */
export function placeOrders(env: OpsEnv, shop: ShopState, orders: Obj[]): void {
  const moves: Move[] = [];
  const commitments: Commitment[] = [];
  const pending = new Map<Obj, number>();
  for (const order of orders) {
    if (order.cancelledAt) continue;
    const lines: unknown = Array.isArray(order.lineItems) ? order.lineItems : order.lineItems?.nodes;
    for (const li of Array.isArray(lines) ? (lines as Obj[]) : []) {
      const found = li?.variant?.id ? shop.variants.get(li.variant.id) : undefined;
      const item = found?.variant.inventoryItem;
      const units = li.currentQuantity ?? li.quantity ?? 0;
      if (!found || !item || item.tracked !== true || units <= 0) continue;
      const level = chooseLevel(order, item, units, pending);
      if (!level) continue;
      const left = availableOf(level) - (pending.get(level) ?? 0);
      if (found.variant.inventoryPolicy === 'DENY' && left < units) {
        throw new AdminError(
          `Order ${order.id}: ${units} × ${found.variant.sku ?? found.variant.id} but ${left} available at ${level.location.id}, and the variant's inventoryPolicy is DENY`,
          409,
        );
      }
      pending.set(level, (pending.get(level) ?? 0) + units);
      const open = Math.min(units, unfulfilledOf(order, li));
      moves.push({ level, item, deltas: { available: -units, committed: open, on_hand: open - units } });
      if (open > 0)
        commitments.push({ lineItemId: li.id, orderId: order.id, inventoryItemId: item.id, locationId: level.location.id, quantity: open });
    }
  }
  apply(env, shop, moves);
  for (const c of commitments) shop.commitments.set(c.lineItemId, c);
}

/**
 * Units of a line that go back to stock when a refund restocks them (refund-ops.ts). A CANCEL restock (units never
 * shipped) first releases the line's committed units to available; the rest, and a RETURN, come back to available
 * and on_hand, at the commitment's location unless another is named. Returns the location used, if any.
 */
export function restockUnits(
  env: OpsEnv,
  shop: ShopState,
  li: Obj,
  units: number,
  restockType: 'RETURN' | 'CANCEL',
  locationId: string | undefined,
): string | null {
  const found = li.variant?.id ? shop.variants.get(li.variant.id) : undefined;
  const item = found?.variant.inventoryItem;
  const commitment = shop.commitments.get(li.id);
  const location = locationId ?? commitment?.locationId;
  const level = item ? (location ? levelAt(item, location) : (item.inventoryLevels?.nodes?.[0] as Obj | undefined)) : undefined;
  if (!item || !level) return location ?? null;
  const fromCommitted =
    restockType === 'CANCEL' && commitment && commitment.locationId === level.location.id ? Math.min(units, commitment.quantity) : 0;
  if (commitment && fromCommitted > 0) release(shop, commitment, fromCommitted);
  const rest = units - fromCommitted;
  apply(env, shop, [{ level, item, deltas: { available: units, committed: -fromCommitted, on_hand: rest } }]);
  if (fromCommitted > 0) setIfStored(li, 'unfulfilledQuantity', Math.max(0, unfulfilledOf({}, li) - fromCommitted));
  return level.location.id;
}

function release(shop: ShopState, commitment: Commitment, units: number): void {
  commitment.quantity -= units;
  if (commitment.quantity <= 0) shop.commitments.delete(commitment.lineItemId);
}

/** A cancelled order's units still committed go back to available (Shopify restocks a cancelled order's unfulfilled items). */
export function releaseOrder(env: OpsEnv, shop: ShopState, order: Obj): void {
  const moves: Move[] = [];
  for (const c of [...shop.commitments.values()].filter((x) => x.orderId === order.id)) {
    const item = shop.inventoryItems.get(c.inventoryItemId)?.item;
    const level = item ? levelAt(item, c.locationId) : undefined;
    if (item && level) moves.push({ level, item, deltas: { available: c.quantity, committed: -c.quantity } });
    shop.commitments.delete(c.lineItemId);
  }
  apply(env, shop, moves);
}

export interface FulfilRequest {
  /** Lines and units to fulfil; all that is unfulfilled when left out. */
  lineItems?: { lineItemId: string; quantity: number }[];
}

/**
 * Ships units of an order (`POST /_emulator/shops/:domain/orders/:order/fulfil`): they leave `committed` and
 * `on_hand` at the location that committed them. The lines' `unfulfilledQuantity` and the order's
 * `displayFulfillmentStatus` (PARTIALLY_FULFILLED / FULFILLED) follow, a `fulfillments` entry is added when the order
 * stores that list, `updatedAt` moves and `orders/updated` fires. Lines of orders the emulator did not see placed (seeds)
 * have no commitment: they are marked fulfilled and no stock moves.
 */
export function fulfilOrder(env: OpsEnv, shop: ShopState, order: Obj, req: FulfilRequest = {}): Obj {
  if (order.cancelledAt) throw new AdminError(`Order ${order.id} is cancelled`, 409);
  // Lines with nothing to ship (tips, digital gift cards) are not fulfilled.
  const lines = ((order.lineItems?.nodes as Obj[] | undefined) ?? []).filter((l) => l.requiresShipping !== false);
  const wanted =
    req.lineItems ?? lines.filter((l) => unfulfilledOf(order, l) > 0).map((l) => ({ lineItemId: l.id, quantity: unfulfilledOf(order, l) }));
  if (wanted.length === 0) throw new AdminError(`Order ${order.id} has nothing left to fulfil`, 409);
  const plan = wanted.map((w) => {
    const li = lines.find((l) => l.id === w.lineItemId || String(l.id).split('/').pop() === String(w.lineItemId));
    if (!li) throw new AdminError(`Line item ${w.lineItemId} is not on order ${order.id}`);
    const open = unfulfilledOf(order, li);
    if (!Number.isInteger(w.quantity) || w.quantity <= 0 || w.quantity > open)
      throw new AdminError(`Cannot fulfil ${w.quantity} of line item ${li.id}: ${open} unfulfilled`);
    return { li, units: w.quantity, open };
  });
  const moves: Move[] = [];
  for (const { li, units, open } of plan) {
    li.unfulfilledQuantity = open - units;
    const commitment = shop.commitments.get(li.id);
    const item = commitment ? shop.inventoryItems.get(commitment.inventoryItemId)?.item : undefined;
    const level = commitment && item ? levelAt(item, commitment.locationId) : undefined;
    if (!commitment || !item || !level) continue;
    const shipped = Math.min(units, commitment.quantity);
    release(shop, commitment, shipped);
    moves.push({ level, item, deltas: { committed: -shipped, on_hand: -shipped } });
  }
  apply(env, shop, moves);
  const done = lines.every((l) => unfulfilledOf(order, l) === 0);
  order.displayFulfillmentStatus = done ? 'FULFILLED' : 'PARTIALLY_FULFILLED';
  const now = isoSeconds(env.now());
  const fulfillment = {
    id: gid('Fulfillment', env.nextId()),
    status: 'SUCCESS',
    createdAt: now,
    updatedAt: now,
    location: moves[0] ? { id: moves[0].level.location.id } : null,
    fulfillmentLineItems: {
      nodes: plan.map(({ li, units }) => ({ id: gid('FulfillmentLineItem', env.nextId()), quantity: units, lineItem: { id: li.id } })),
    },
  };
  if (Array.isArray(order.fulfillments)) order.fulfillments.push(fulfillment);
  bumpUpdatedAt(order, env.now());
  env.emit(shop, 'ORDERS_UPDATED', orderPayload(order));
  return fulfillment;
}
