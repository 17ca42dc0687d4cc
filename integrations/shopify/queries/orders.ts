/**
 * The GraphQL documents Ledgerline reads orders with (Admin API 2026-10). All of them select the same
 * order fields, built once below, so the paged, single-order and bulk results share one TS type
 * (domain/shopify/types.ts). test/domain/shopify-queries.test.ts validates each against the real schema
 * and recomputes the requested costs quoted here.
 *
 * Requested cost (docs/shopify-facts.md §1: scalar/enum 0, object 1, connection 2 + first × node cost with pageInfo
 * counted as 1; a plain list with `first` costs first × item, an unsized list one item):
 *   one line item 17 (item 1, variant+product+inventoryItem 3, three money bags 6, discount allocation 4,
 *   tax line 3) · one shipping line 8 · one discount application 2 · one transaction 9 (item, parent,
 *   money bag with both currencies 3, fee list 4) · one refund summary 3 · the order itself 28 (order, customer, two addresses,
 *   ten money bags 21, tax line 3).
 */
import { LINE_ITEMS_PAGE_SIZE, ORDER_PAGE_LIMITS, SINGLE_ORDER_LIMITS, type OrderQueryLimits } from '../../../domain/shopify/limits';

type Limits = Omit<OrderQueryLimits, 'orders'>;

const MONEY = 'shopMoney { amount currencyCode }';
const MONEY_BOTH = 'shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }';
const TAX_LINE = `title rate ratePercentage channelLiable priceSet { ${MONEY} }`;
const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';

/** `first: n` in paged documents; nothing in bulk ones (bulk queries take no `first`, docs/shopify-facts.md §2). */
const first = (n: number | null, extra = ''): string =>
  n === null ? (extra ? `(${extra})` : '') : `(first: ${n}${extra ? `, ${extra}` : ''})`;

/** Paged documents read `nodes` plus pageInfo; bulk documents use `edges { node }` without pageInfo. */
function connection(field: string, size: number | null, selection: string, extra = ''): string {
  return size === null
    ? `${field}${first(null, extra)} { edges { node { ${selection} } } }`
    : `${field}${first(size, extra)} { ${PAGE_INFO} nodes { ${selection} } }`;
}

const LINE_ITEM_FIELDS = `
  id sku name title variantTitle vendor isGiftCard quantity currentQuantity refundableQuantity requiresShipping taxable
  variant { id sku title product { id title } inventoryItem { id } }
  originalUnitPriceSet { ${MONEY} }
  discountedUnitPriceAfterAllDiscountsSet { ${MONEY} }
  totalDiscountSet { ${MONEY} }
  discountAllocations { allocatedAmountSet { ${MONEY} } discountApplication { index } }
  taxLines { ${TAX_LINE} }`;

const SHIPPING_LINE_FIELDS = `
  id title code source
  originalPriceSet { ${MONEY} }
  discountedPriceSet { ${MONEY} }
  taxLines { ${TAX_LINE} }`;

const DISCOUNT_APPLICATION_FIELDS = `
  index allocationMethod targetSelection targetType
  value { ... on MoneyV2 { amount currencyCode } ... on PricingPercentageValue { percentage } }
  ... on DiscountCodeApplication { code }
  ... on ManualDiscountApplication { title }
  ... on AutomaticDiscountApplication { title }
  ... on ScriptDiscountApplication { title }`;

const FEE_FIELDS =
  'id type rate rateName flatFeeName amount { amount currencyCode } flatFee { amount currencyCode } taxAmount { amount currencyCode }';

const TRANSACTION_FIELDS = `
  id kind status gateway formattedGateway processedAt test parentTransaction { id }
  amountSet { ${MONEY_BOTH} }
  fees { ${FEE_FIELDS} }`;

const REFUND_SUMMARY_FIELDS = `id legacyResourceId createdAt note totalRefundedSet { ${MONEY} }`;

/** The order selection; `limits` null builds the bulk variant (no `first`, no pageInfo). */
function orderFields(limits: Limits | null): string {
  const size = (key: keyof Limits): number | null => (limits === null ? null : limits[key]);
  return `
    id legacyResourceId name email note createdAt updatedAt processedAt cancelledAt cancelReason test
    displayFinancialStatus displayFulfillmentStatus currencyCode presentmentCurrencyCode taxesIncluded paymentGatewayNames
    customer { id email displayName firstName lastName }
    shippingAddress { address1 city provinceCode countryCodeV2 zip }
    billingAddress { address1 city provinceCode countryCodeV2 zip }
    subtotalPriceSet { ${MONEY} }
    totalPriceSet { ${MONEY_BOTH} }
    totalTaxSet { ${MONEY} }
    totalDiscountsSet { ${MONEY} }
    totalShippingPriceSet { ${MONEY} }
    totalRefundedSet { ${MONEY} }
    currentTotalPriceSet { ${MONEY} }
    totalTipReceivedSet { ${MONEY} }
    originalTotalDutiesSet { ${MONEY} }
    currentTotalDutiesSet { ${MONEY} }
    taxLines { ${TAX_LINE} }
    ${connection('lineItems', size('lineItems'), LINE_ITEM_FIELDS)}
    ${connection('shippingLines', size('shippingLines'), SHIPPING_LINE_FIELDS)}
    ${connection('discountApplications', size('discountApplications'), DISCOUNT_APPLICATION_FIELDS)}
    transactions${first(size('transactions'))} { ${TRANSACTION_FIELDS} }
    refunds${first(size('refunds'))} { ${REFUND_SUMMARY_FIELDS} }`;
}

/**
 * Orders updated at or after a time, oldest first (docs/shopify-facts.md §2). Variables: `query`, e.g.
 * `updated_at:>='2026-11-01T00:00:00Z'`, and `after` (the previous page's endCursor). The page size is
 * fixed in the document so the requested cost is known (limits in domain/shopify/limits.ts):
 * 2 + pageInfo 1 + 2 orders × (28 + lineItems 3+8×17 + shippingLines 3+3×8 + discountApplications 3+5×2
 * + transactions 10×9 + refunds 10×3) = 3 + 2 × 327 = 657, which keeps the 20 % margin under Shopify's
 * 1000-point cap that MAX_PAGE_QUERY_COST (800) asks for.
 * The `read_all_orders` scope is needed for orders older than 60 days.
 */
export const ORDERS_UPDATED_SINCE = `query OrdersUpdatedSince($after: String, $query: String!) {
  orders(first: ${ORDER_PAGE_LIMITS.orders}, after: $after, query: $query, sortKey: UPDATED_AT) {
    ${PAGE_INFO}
    nodes { ${orderFields(ORDER_PAGE_LIMITS)} }
  }
}`;

/**
 * Orders by gid (re-trying parked orders), at most ORDER_PAGE_LIMITS.orders ids per call so the
 * requested cost stays that of a page: 2 × 327 = 654 (≤ 800; `nodes` costs each node's selection).
 */
export const ORDERS_BY_IDS = `query OrdersByIds($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Order { ${orderFields(ORDER_PAGE_LIMITS)} } }
}`;

/**
 * One order by gid, with larger lists than the paged document. Requested cost: 28 + (3 + 25×17)
 * + (3 + 5×8) + (3 + 10×2) + 35×9 + 40×3 = 957 (< 1000).
 */
export const ORDER_BY_ID = `query OrderById($id: ID!) {
  order(id: $id) { ${orderFields(SINGLE_ORDER_LIMITS)} }
}`;

/**
 * Further pages of one order's line items (orders with more lines than the order documents hold).
 * Requested cost: order 1 + 3 + 55×17 = 939 (< 1000).
 */
export const ORDER_LINE_ITEMS_PAGE = `query OrderLineItemsPage($id: ID!, $after: String) {
  order(id: $id) {
    id
    ${connection('lineItems', LINE_ITEMS_PAGE_SIZE, LINE_ITEM_FIELDS, 'after: $after')}
  }
}`;

/**
 * One refund with its details, for booking refunds (RefundReceipt / CreditMemo). Requested cost:
 * refund 3 + order 1 + (3 + 50×6) + (3 + 5×6) + (3 + 10×5) + (3 + 20×3) + duties 3 = 459 (< 1000). Only what the refund
 * mapping reads: the restock location, the refunded unit price and the transactions' fees are left out (every
 * field costs points, and a backfill reads every refund once under the shop's cost budget).
 */
export const REFUND_BY_ID = `query RefundById($id: ID!) {
  refund(id: $id) {
    ${REFUND_SUMMARY_FIELDS}
    order { id }
    ${connection(
      'refundLineItems',
      50,
      `quantity restockType restocked lineItem { id sku } subtotalSet { ${MONEY} } totalTaxSet { ${MONEY} }`,
    )}
    ${connection('refundShippingLines', 5, `shippingLine { id title } subtotalAmountSet { ${MONEY} } taxAmountSet { ${MONEY} }`)}
    ${connection('orderAdjustments', 10, `id reason amountSet { ${MONEY} } taxAmountSet { ${MONEY} }`)}
    ${connection('transactions', 20, `id kind status gateway processedAt amountSet { ${MONEY} }`)}
    duties { amountSet { ${MONEY} } }
  }
}`;

/** The shop's IANA time zone (QBO TxnDate is the processing date there) and currency. */
export const SHOP_CONTEXT = `query ShopContext {
  shop { id ianaTimezone currencyCode }
}`;

/**
 * The inner query of a bulk operation for backfills (run with bulkOperationRunQuery, docs/shopify-facts.md §2):
 * the same order fields with no `first`, 4 connections (orders, lineItems, shippingLines,
 * discountApplications; limit 5) nested 2 deep (limit 2). Refund details cannot come this way: `Order.refunds`
 * is a list, and Shopify refuses a bulk query with a connection inside a list field ("Queries that contain
 * a connection field within a list field are not currently supported.", docs/shopify-facts.md §2), and
 * no root connection lists refunds. So the bulk result carries the refund headers, and each refund that
 * still needs booking is read once with REFUND_BY_ID. `search` is Shopify search syntax, e.g.
 * `updated_at:>='2025-01-01T00:00:00Z'`.
 */
export function ordersBulkQuery(search: string): string {
  // JSON string escaping is valid GraphQL string escaping for any search text.
  return `{
  orders(query: ${JSON.stringify(search)}, sortKey: UPDATED_AT) {
    edges { node { ${orderFields(null)} } }
  }
}`;
}
