/**
 * The Shopify order as Ledgerline reads it (Admin GraphQL 2026-10, field names and nullability as in the
 * schema). Connections are `{ nodes: [...] }`; `transactions`, `refunds` and `taxLines` are plain lists.
 * Documents that produce these shapes: integrations/shopify/queries/orders.ts.
 */

export interface ShopifyMoneyV2 {
  /** Decimal string, e.g. "19.90" or "1500.0". Parse with domain/money.ts, never with parseFloat. */
  amount: string;
  currencyCode: string;
}

export interface ShopifyMoneyBag {
  shopMoney: ShopifyMoneyV2;
  /** Requested only where Ledgerline shows it; Ledgerline books in the shop currency. */
  presentmentMoney?: ShopifyMoneyV2;
}

export interface ShopifyPageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface ShopifyConnection<T> {
  nodes: T[];
  /** Present in paged documents; absent in rows reassembled from a bulk operation. */
  pageInfo?: ShopifyPageInfo;
}

export type ShopifyFinancialStatus =
  'AUTHORIZED' | 'EXPIRED' | 'PAID' | 'PARTIALLY_PAID' | 'PARTIALLY_REFUNDED' | 'PENDING' | 'REFUNDED' | 'VOIDED';

export type ShopifyCancelReason = 'CUSTOMER' | 'DECLINED' | 'FRAUD' | 'INVENTORY' | 'OTHER' | 'STAFF';

export type ShopifyTransactionKind =
  'AUTHORIZATION' | 'CAPTURE' | 'CHANGE' | 'EMV_AUTHORIZATION' | 'REFUND' | 'SALE' | 'SUGGESTED_REFUND' | 'VOID';

export type ShopifyTransactionStatus = 'AWAITING_RESPONSE' | 'ERROR' | 'FAILURE' | 'PENDING' | 'SUCCESS' | 'UNKNOWN';

export interface ShopifyTaxLine {
  title: string;
  /** Proportion of the price, e.g. 0.05 (a rate, not money). */
  rate: number | null;
  ratePercentage?: number | null;
  channelLiable?: boolean | null;
  priceSet: ShopifyMoneyBag;
}

export interface ShopifyCustomer {
  id: string;
  email: string | null;
  displayName: string;
  firstName: string | null;
  lastName: string | null;
}

export interface ShopifyMailingAddress {
  address1: string | null;
  city: string | null;
  provinceCode: string | null;
  countryCodeV2: string | null;
  zip: string | null;
}

export interface ShopifyDiscountAllocation {
  allocatedAmountSet: ShopifyMoneyBag;
  discountApplication: { index: number };
}

export interface ShopifyProductVariant {
  id: string;
  sku: string | null;
  title: string;
  product: { id: string; title: string };
  inventoryItem: { id: string };
}

export interface ShopifyLineItem {
  id: string;
  sku: string | null;
  name: string;
  title: string;
  variantTitle: string | null;
  vendor: string | null;
  isGiftCard: boolean;
  quantity: number;
  currentQuantity: number;
  refundableQuantity: number;
  requiresShipping: boolean;
  taxable: boolean;
  variant: ShopifyProductVariant | null;
  originalUnitPriceSet: ShopifyMoneyBag;
  discountedUnitPriceAfterAllDiscountsSet: ShopifyMoneyBag;
  totalDiscountSet: ShopifyMoneyBag;
  discountAllocations: ShopifyDiscountAllocation[];
  taxLines: ShopifyTaxLine[];
}

export interface ShopifyShippingLine {
  id: string | null;
  title: string;
  code: string | null;
  source: string | null;
  originalPriceSet: ShopifyMoneyBag;
  discountedPriceSet: ShopifyMoneyBag;
  taxLines: ShopifyTaxLine[];
}

export interface ShopifyDiscountApplication {
  index: number;
  allocationMethod: 'ACROSS' | 'EACH' | 'ONE';
  targetSelection: 'ALL' | 'ENTITLED' | 'EXPLICIT';
  targetType: 'LINE_ITEM' | 'SHIPPING_LINE';
  value: { amount: string; currencyCode: string } | { percentage: number };
  /** DiscountCodeApplication */
  code?: string;
  /** Manual, automatic and script applications */
  title?: string;
}

export interface ShopifyTransactionFee {
  id: string;
  type: string;
  /** Decimal string, e.g. "0.029". */
  rate: string;
  rateName: string | null;
  flatFeeName: string | null;
  amount: ShopifyMoneyV2;
  flatFee: ShopifyMoneyV2;
  taxAmount: ShopifyMoneyV2;
}

export interface ShopifyTransaction {
  id: string;
  kind: ShopifyTransactionKind;
  status: ShopifyTransactionStatus;
  gateway: string | null;
  formattedGateway: string | null;
  processedAt: string | null;
  test: boolean;
  parentTransaction: { id: string } | null;
  amountSet: ShopifyMoneyBag;
  fees: ShopifyTransactionFee[];
}

/** The refund fields every order document carries (refund details are loaded per refund). */
export interface ShopifyRefundSummary {
  id: string;
  legacyResourceId: string;
  createdAt: string | null;
  note: string | null;
  totalRefundedSet: ShopifyMoneyBag;
}

export type ShopifyRestockType = 'CANCEL' | 'LEGACY_RESTOCK' | 'NO_RESTOCK' | 'RETURN';

export type ShopifyOrderAdjustmentReason =
  'CUSTOMER' | 'DAMAGE' | 'FULL_RETURN_BALANCING_ADJUSTMENT' | 'PENDING_REFUND_DISCREPANCY' | 'REFUND_DISCREPANCY' | 'RESTOCK';

export interface ShopifyRefundLineItem {
  quantity: number;
  restockType: ShopifyRestockType;
  restocked: boolean;
  /** Not read by REFUND_BY_ID (the mapping does not need them; every field read costs Shopify points). */
  location?: { id: string } | null;
  lineItem: { id: string; sku: string | null };
  priceSet?: ShopifyMoneyBag;
  subtotalSet: ShopifyMoneyBag;
  totalTaxSet: ShopifyMoneyBag;
}

export interface ShopifyRefundShippingLine {
  shippingLine: { id: string | null; title: string };
  subtotalAmountSet: ShopifyMoneyBag;
  taxAmountSet: ShopifyMoneyBag;
}

export interface ShopifyOrderAdjustment {
  id: string;
  reason: ShopifyOrderAdjustmentReason | null;
  /** Signed as it affects the refund: a restocking fee or short refund is negative. */
  amountSet: ShopifyMoneyBag;
  taxAmountSet: ShopifyMoneyBag;
}

/** Duties refunded (a plain list on Refund; absent in documents that do not ask for it). */
export interface ShopifyRefundDuty {
  amountSet: ShopifyMoneyBag;
}

export interface ShopifyRefund extends ShopifyRefundSummary {
  duties?: ShopifyRefundDuty[] | null;
  refundLineItems: ShopifyConnection<ShopifyRefundLineItem>;
  refundShippingLines: ShopifyConnection<ShopifyRefundShippingLine>;
  orderAdjustments: ShopifyConnection<ShopifyOrderAdjustment>;
  transactions: ShopifyConnection<Omit<ShopifyTransaction, 'formattedGateway' | 'test' | 'parentTransaction' | 'fees'>>;
}

/** Everything the sale mapping reads; what the paged, single and bulk order documents all return. */
export interface ShopifyOrderCore {
  id: string;
  legacyResourceId: string;
  name: string;
  email: string | null;
  note: string | null;
  createdAt: string;
  updatedAt: string;
  processedAt: string;
  cancelledAt: string | null;
  cancelReason: ShopifyCancelReason | null;
  test: boolean;
  displayFinancialStatus: ShopifyFinancialStatus | null;
  displayFulfillmentStatus: string;
  currencyCode: string;
  presentmentCurrencyCode: string;
  taxesIncluded: boolean;
  paymentGatewayNames: string[];
  customer: ShopifyCustomer | null;
  shippingAddress: ShopifyMailingAddress | null;
  billingAddress: ShopifyMailingAddress | null;
  subtotalPriceSet: ShopifyMoneyBag | null;
  totalPriceSet: ShopifyMoneyBag;
  totalTaxSet: ShopifyMoneyBag | null;
  totalDiscountsSet: ShopifyMoneyBag | null;
  totalShippingPriceSet: ShopifyMoneyBag;
  totalRefundedSet: ShopifyMoneyBag;
  currentTotalPriceSet: ShopifyMoneyBag;
  totalTipReceivedSet: ShopifyMoneyBag;
  originalTotalDutiesSet: ShopifyMoneyBag | null;
  currentTotalDutiesSet: ShopifyMoneyBag | null;
  taxLines: ShopifyTaxLine[];
  lineItems: ShopifyConnection<ShopifyLineItem>;
  shippingLines: ShopifyConnection<ShopifyShippingLine>;
  discountApplications: ShopifyConnection<ShopifyDiscountApplication>;
  transactions: ShopifyTransaction[];
  refunds: ShopifyRefundSummary[];
}

/** An order with its refunds' details (refund lines, shipping, adjustments, transactions). */
export interface ShopifyOrder extends ShopifyOrderCore {
  refunds: ShopifyRefund[];
}
