/** Order → QBO mapping: pure functions the activities call to plan, build and check documents. */
export {
  classifyOrder,
  type ClassifyContext,
  type ExistingOrderDocument,
  type OrderClassification,
  type ParkCode,
  type SkipCode,
} from './classify';
export { buildInvoice, buildPayment, buildSalesReceipt, isPickup } from './build';
export {
  checkDocumentAgainstOrder,
  expectedTotals,
  qboDocumentTotal,
  type CategoryTotals,
  type ExpectedTotals,
  type InvariantViolation,
  type QboSaleDocumentLike,
} from './check';
export { documentFingerprint, holdsFingerprint } from './fingerprint';
export {
  customerDisplayNameCandidates,
  docNumberFor,
  orderNoteMarker,
  privateNoteFor,
  qboName,
  sanitizeQboName,
  txnDateFor,
} from './names';
export { orderAmounts, type OrderAmounts } from './order-amounts';
export {
  CATEGORY_ITEM_NAMES,
  itemKeyFor,
  itemKeyId,
  itemNameFor,
  LINE_CATEGORIES,
  matchItemBySku,
  planOrderReferences,
  type CategoryItemReference,
  type CustomerReference,
  type DepositReference,
  type ItemKey,
  type ItemReference,
  type ItemSkuRow,
  type LineCategory,
  type OrderReferencePlan,
  type ResolvedRefs,
  type SkuMatch,
} from './references';
export type * from './qbo-types';
export {
  buildRefundDocument,
  expectedRefundTotals,
  planRefundReferences,
  refundAmounts,
  refundDocNumber,
  refundNoteMarker,
  refundOrdinal,
  type RefundAmounts,
  type RefundDocument,
  type RefundDocumentType,
} from './refund';
