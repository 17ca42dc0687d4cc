/**
 * The inventory run's reads (docs/inventory.md "The target"): every QBO item, every Shopify variant with its
 * quantities at the mapped location, and the units Shopify sold that QBO has not booked yet. Each is paged through
 * the project's clients (QBO's STARTPOSITION paging; Shopify's cursors under the shared cost pacer).
 */
import type { Executor } from '../../db/queries';
import { listSettledOrderKeys, listUnbookedOrderKeys, storeSyncCursor } from '../../db/queries/inventory';
import type { QboStockItem, ShopifyStockItem } from '../../domain/inventory';
import { orderSourceKey, parseSourceKey } from '../../domain/ledger';
import { cursorReadFrom } from '../../domain/sync/window';
import type { QboClient } from '../../integrations/qbo/client';
import type { ShopifyClient } from '../../integrations/shopify/client';
import {
  INVENTORY_ITEMS_BY_IDS,
  INVENTORY_VARIANTS_PAGE,
  ITEMS_BY_IDS_MAX,
  UNAVAILABLE_NAMES,
  UNBOOKED_ORDER_LINES,
  UNBOOKED_ORDERS_BY_IDS,
  UNBOOKED_ORDERS_PAGE_SIZE,
  UNBOOKED_ORDERS_SINCE,
} from '../../integrations/shopify/queries/inventory';
import { heartbeat } from '../heartbeat';

type Entity = Record<string, unknown>;
interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
interface Quantity {
  name: string;
  quantity: number;
}
interface Level {
  quantities: Quantity[];
}

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

function decimal(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

/**
 * Every QBO item, active ones (a plain query returns only those, docs/qbo-facts.md §5), paged by the client. Items
 * that do not track quantity are read too so a Shopify item that sells into one is reported (`qbo_untracked`), never set.
 */
export async function readQboItems(qbo: QboClient): Promise<QboStockItem[]> {
  const rows = await qbo.query('Item');
  return rows.map((e: Entity) => ({
    id: str(e.Id),
    name: str(e.Name),
    sku: typeof e.Sku === 'string' ? e.Sku : null,
    trackQtyOnHand: e.TrackQtyOnHand === true,
    qtyOnHand: decimal(e.QtyOnHand),
    active: e.Active !== false,
  }));
}

/** `available` and the sum of the set-aside states from a level; null available when the item is not stocked there. */
export function levelQuantities(level: Level | null | undefined): { available: number | null; unavailable: number } {
  if (!level) return { available: null, unavailable: 0 };
  const of = (name: string) => level.quantities.find((q) => q.name === name)?.quantity ?? 0;
  const available = level.quantities.find((q) => q.name === 'available')?.quantity;
  return { available: available ?? null, unavailable: UNAVAILABLE_NAMES.reduce((sum, n) => sum + of(n), 0) };
}

interface VariantNode {
  id: string;
  title: string | null;
  sku: string | null;
  product: { title: string } | null;
  inventoryItem: { id: string; sku: string | null; tracked: boolean; inventoryLevel: Level | null } | null;
}

/** Every Shopify variant's inventory item with its quantities at `locationId`. */
export async function readShopifyItems(shopify: ShopifyClient, locationId: string): Promise<ShopifyStockItem[]> {
  const out: ShopifyStockItem[] = [];
  let after: string | null = null;
  for (;;) {
    const data: { productVariants: { pageInfo: PageInfo; nodes: VariantNode[] } } = await shopify.request(INVENTORY_VARIANTS_PAGE, {
      after,
      locationId,
    });
    for (const v of data.productVariants.nodes) {
      if (!v.inventoryItem) continue;
      out.push({
        inventoryItemId: v.inventoryItem.id,
        sku: v.inventoryItem.sku ?? v.sku,
        productTitle: v.product?.title ?? '',
        variantTitle: v.title,
        tracked: v.inventoryItem.tracked,
        ...levelQuantities(v.inventoryItem.inventoryLevel),
      });
    }
    heartbeat({ shopifyItems: out.length });
    if (!data.productVariants.pageInfo.hasNextPage) return out;
    after = data.productVariants.pageInfo.endCursor;
  }
}

/** Quantities of some inventory items at the location, read again (after a stale compare). */
export async function readLevels(
  shopify: ShopifyClient,
  locationId: string,
  ids: string[],
): Promise<Map<string, { available: number | null; unavailable: number }>> {
  const out = new Map<string, { available: number | null; unavailable: number }>();
  for (let i = 0; i < ids.length; i += ITEMS_BY_IDS_MAX) {
    const data = await shopify.request<{ nodes: Array<{ id?: string; inventoryLevel?: Level | null } | null> }>(INVENTORY_ITEMS_BY_IDS, {
      ids: ids.slice(i, i + ITEMS_BY_IDS_MAX),
      locationId,
    });
    for (const n of data.nodes) if (n?.id) out.set(n.id, levelQuantities(n.inventoryLevel));
  }
  return out;
}

interface OrderNode {
  id: string;
  createdAt: string;
  cancelledAt: string | null;
  lineItems: { pageInfo: PageInfo; nodes: LineNode[] };
}
interface LineNode {
  currentQuantity: number;
  variant: { inventoryItem: { id: string } | null } | null;
}

/**
 * Units sold in Shopify and not yet booked in QBO, by inventory item (docs/inventory.md "The target"): the orders the
 * ledger holds as pending, parked or failed, and the orders the sales sync has not examined yet (updated at or after
 * its cursor less its overlap) unless the ledger already settled them. A sale the sync booked at or after `bookedSince` (the run's
 * start) still counts: the QBO quantities the run read may predate it, and counting it
 * twice only holds back a few units until the next run, where missing it would let Shopify sell stock QBO no longer
 * has. Cancelled orders and orders before the store's start date are
 * left out (Shopify restocks the first, the sync never books the second). Each line counts its current quantity
 * (what refunds and edits left).
 */
export async function readUnbookedSold(
  db: Executor,
  shopify: ShopifyClient,
  storeId: string,
  opts: { bookedSince: Date },
): Promise<Record<string, number>> {
  const store = await storeSyncCursor(db, { storeId });
  if (!store) return {};
  const orders = new Map<string, OrderNode>();
  // Where the sync's next window starts (domain/sync/window.ts, overlap included): Shopify's updatedAt has whole
  // seconds, so an order placed just after a run began can carry an updatedAt before that run's window end, which
  // becomes the cursor. The sync reads it again in its next window's overlap; until then it is unbooked and must count
  // here too. Orders in the overlap the ledger settled before `bookedSince` are taken out below.
  const since = cursorReadFrom(store.cursor, store.startDate);
  let after: string | null = null;
  for (;;) {
    const data: { orders: { pageInfo: PageInfo; nodes: OrderNode[] } } = await shopify.request(UNBOOKED_ORDERS_SINCE, {
      after,
      query: `updated_at:>='${since}'`,
    });
    for (const o of data.orders.nodes) orders.set(o.id, o);
    if (!data.orders.pageInfo.hasNextPage) break;
    after = data.orders.pageInfo.endCursor;
  }
  const settled = await listSettledOrderKeys(db, {
    storeId,
    sourceKeys: [...orders.keys()].map(orderSourceKey),
    bookedBefore: opts.bookedSince,
  });
  for (const id of orders.keys()) if (settled.has(orderSourceKey(id))) orders.delete(id);
  const pending = (await listUnbookedOrderKeys(db, { storeId, bookedSince: opts.bookedSince }))
    .map((k) => parseSourceKey(k).gid)
    .filter((id) => !orders.has(id));
  for (let i = 0; i < pending.length; i += UNBOOKED_ORDERS_PAGE_SIZE) {
    const data = await shopify.request<{ nodes: Array<OrderNode | null> }>(UNBOOKED_ORDERS_BY_IDS, {
      ids: pending.slice(i, i + UNBOOKED_ORDERS_PAGE_SIZE),
    });
    for (const o of data.nodes) if (o?.id) orders.set(o.id, o);
  }
  const out: Record<string, number> = {};
  const startMs = store.startDate.getTime();
  for (const order of orders.values()) {
    if (order.cancelledAt || Date.parse(order.createdAt) < startMs) continue;
    const lines = [...order.lineItems.nodes];
    let page = order.lineItems.pageInfo;
    while (page.hasNextPage) {
      const more = await shopify.request<{ order: { lineItems: { pageInfo: PageInfo; nodes: LineNode[] } } | null }>(UNBOOKED_ORDER_LINES, {
        id: order.id,
        after: page.endCursor,
      });
      if (!more.order) break;
      lines.push(...more.order.lineItems.nodes);
      page = more.order.lineItems.pageInfo;
    }
    for (const line of lines) {
      const item = line.variant?.inventoryItem?.id;
      if (item && line.currentQuantity > 0) out[item] = (out[item] ?? 0) + line.currentQuantity;
    }
  }
  heartbeat({ unbookedOrders: orders.size });
  return out;
}
