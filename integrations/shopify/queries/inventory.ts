/**
 * The GraphQL documents of the inventory run (docs/inventory.md, Admin API 2026-10). Page sizes are fixed in the
 * documents so each requested cost is known and stays under the 800 points the other documents keep to (20 %
 * under Shopify's 1000-point cap, docs/shopify-facts.md §1: object 1, connection 2 + first × node, pageInfo 1,
 * a list one item).
 *
 * `unavailable` is read as its four parts (reserved, damaged, safety_stock, quality_control) and added: those names
 * are documented quantity names, while `unavailable` itself as a `quantities(names:)` argument is not verified.
 */

/** The set-aside states Shopify shows as Unavailable; their sum is the `unavailable` term of the target. */
export const UNAVAILABLE_NAMES = ['reserved', 'damaged', 'safety_stock', 'quality_control'] as const;
const QUANTITY_NAMES = JSON.stringify(['available', ...UNAVAILABLE_NAMES]);
const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';

export const VARIANTS_PAGE_SIZE = 150;
/**
 * Every variant with its inventory item and its quantities at the location. Requested cost: 2 + pageInfo 1 + 150 ×
 * (variant 1, product 1, inventoryItem 1, inventoryLevel 1, quantities 1) = 753.
 */
export const INVENTORY_VARIANTS_PAGE = `query LedgerlineInventoryVariants($after: String, $locationId: ID!) {
  productVariants(first: ${VARIANTS_PAGE_SIZE}, after: $after, sortKey: ID) {
    ${PAGE_INFO}
    nodes {
      id title sku
      product { title }
      inventoryItem {
        id sku tracked
        inventoryLevel(locationId: $locationId) { quantities(names: ${QUANTITY_NAMES}) { name quantity } }
      }
    }
  }
}`;

export const ITEMS_BY_IDS_MAX = 250;
/** Inventory items again by id (a stale compare): 250 × (item 1, level 1, quantities 1) = 750. */
export const INVENTORY_ITEMS_BY_IDS = `query LedgerlineInventoryItems($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    ... on InventoryItem {
      id
      inventoryLevel(locationId: $locationId) { quantities(names: ${QUANTITY_NAMES}) { name quantity } }
    }
  }
}`;

export const UNBOOKED_ORDERS_PAGE_SIZE = 5;
export const UNBOOKED_LINES_PAGE_SIZE = 45;
const UNBOOKED_ORDER_FIELDS = `id createdAt cancelledAt
  lineItems(first: ${UNBOOKED_LINES_PAGE_SIZE}) { ${PAGE_INFO} nodes { currentQuantity variant { inventoryItem { id } } } }`;

/**
 * Orders the sales sync has not examined yet (updated at or after its cursor), only what the unbooked term needs.
 * Requested cost: 2 + 1 + 5 × (order 1 + lineItems 2 + 1 + 45 × (line 1, variant 1, inventoryItem 1)) = 698.
 */
export const UNBOOKED_ORDERS_SINCE = `query LedgerlineUnbookedOrdersSince($after: String, $query: String!) {
  orders(first: ${UNBOOKED_ORDERS_PAGE_SIZE}, after: $after, query: $query, sortKey: UPDATED_AT) {
    ${PAGE_INFO}
    nodes { ${UNBOOKED_ORDER_FIELDS} }
  }
}`;

/** The same for orders the ledger holds as not booked, by gid (at most 5 per call: 5 × 139 = 695). */
export const UNBOOKED_ORDERS_BY_IDS = `query LedgerlineUnbookedOrders($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Order { ${UNBOOKED_ORDER_FIELDS} } }
}`;

export const ORDER_LINES_PAGE_SIZE = 240;
/** Further line items of an order with more than 45: 1 + 2 + 1 + 240 × 3 = 724. */
export const UNBOOKED_ORDER_LINES = `query LedgerlineUnbookedOrderLines($id: ID!, $after: String) {
  order(id: $id) {
    lineItems(first: ${ORDER_LINES_PAGE_SIZE}, after: $after) { ${PAGE_INFO} nodes { currentQuantity variant { inventoryItem { id } } } }
  }
}`;

/** Shopify accepts at most 250 quantities in one inventorySetQuantities call. */
export const SET_QUANTITIES_MAX = 250;
/** A mutation root field costs 10 whatever its payload. */
export const INVENTORY_SET_QUANTITIES = `mutation LedgerlineInventorySet($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes(quantityNames: ["available"]) { name quantityAfterChange item { id } } }
    userErrors { field message code }
  }
}`;

/** The location the settings name (null when the shop has none with that id). Cost 1. */
export const LOCATION_BY_ID = `query LedgerlineLocation($id: ID!) { location(id: $id) { id name isActive } }`;
