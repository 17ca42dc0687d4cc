/**
 * Which QBO document an order needs now. Never silent: every order that gets no document gets a reason.
 */
import type { DocumentStatus, QboDocumentType } from '../ledger';
import type { Settings } from '../settings';
import type { ShopifyOrderCore } from '../shopify/types';
import { txnDateFor } from './names';
import { orderAmounts } from './order-amounts';

/** The ledger's current document for the order, if any. */
export interface ExistingOrderDocument {
  type: QboDocumentType;
  status: DocumentStatus;
  /** For an invoiced order: the status of the Payment recorded against the invoice, if any. */
  paymentStatus?: DocumentStatus;
}

export type SkipCode =
  | 'ignored'
  | 'document_voided'
  | 'document_undone'
  | 'test_order'
  | 'before_start_date'
  | 'unpaid_order'
  | 'cancelled_unpaid'
  | 'authorization_voided'
  | 'authorization_expired'
  | 'no_financial_status';

/** order_too_long: set by the activities when an order has more nested rows than one Shopify read returns. */
export type ParkCode = 'multi_gateway' | 'tax_inclusive_us' | 'order_too_long';

export type OrderClassification =
  | { kind: 'SalesReceipt' }
  | { kind: 'Invoice' }
  /** Invoiced earlier, now captured: record a Payment against the invoice (and update the invoice if it changed). */
  | { kind: 'InvoiceAndPayment' }
  | { kind: 'VoidInvoice' }
  | { kind: 'Skip'; code: SkipCode; reason: string }
  | { kind: 'Park'; code: ParkCode; reason: string };

export interface ClassifyContext {
  existing?: ExistingOrderDocument;
  /** The shop's IANA zone, for comparing processedAt with settings.startDate; UTC when absent. */
  timeZone?: string;
}

const PAID = new Set(['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED']);
const UNPAID = new Set(['PENDING', 'AUTHORIZED', 'PARTIALLY_PAID']);

const skip = (code: SkipCode, reason: string): OrderClassification => ({ kind: 'Skip', code, reason });

/**
 * A sale collected by two gateways (split tender) needs two deposit accounts, and a SalesReceipt has one
 * DepositToAccountRef. Moving the second share with a negative line would need an Item posting to that
 * gateway's clearing account, and nothing in docs/qbo-facts.md says an Item may post to Undeposited Funds (the
 * default deposit account); Invoice + one Payment per gateway would be correct but is several documents.
 * So such orders are parked with this reason for a person to book.
 * US Automated Sales Tax has no tax-inclusive pricing (docs/qbo-facts.md §4 "US tax model"), so a tax-inclusive
 * order in a US company is parked too rather than booked with revenue that contains tax.
 */
function parkReason(order: ShopifyOrderCore, settings: Settings): OrderClassification | null {
  const gateways = orderAmounts(order).collected.map((c) => c.gateway);
  if (gateways.length > 1) {
    return {
      kind: 'Park',
      code: 'multi_gateway',
      reason: `Paid through several gateways (${gateways.join(', ')}); one QBO document has one deposit account`,
    };
  }
  if (settings.taxMode === 'us_automated' && order.taxesIncluded) {
    return {
      kind: 'Park',
      code: 'tax_inclusive_us',
      reason:
        'Prices include tax, which US automated sales tax cannot book; switch the store to the global tax mode if the QBO company is not US',
    };
  }
  return null;
}

function bookable(
  kind: 'SalesReceipt' | 'Invoice' | 'InvoiceAndPayment',
  order: ShopifyOrderCore,
  settings: Settings,
): OrderClassification {
  return parkReason(order, settings) ?? { kind };
}

export function classifyOrder(order: ShopifyOrderCore, settings: Settings, context: ClassifyContext = {}): OrderClassification {
  const { existing } = context;
  if (existing?.status === 'ignored') return skip('ignored', 'A person chose to ignore this order');
  if (existing?.status === 'voided') return skip('document_voided', `The ${existing.type} was voided in QBO; it is not re-created`);
  if (existing?.status === 'undone') {
    return skip('document_undone', `The ${existing.type} was deleted from QBO by an undo; it is not re-created unless redone`);
  }
  if (order.test) return skip('test_order', 'Test order (Shopify test mode)');
  if (!existing && settings.startDate && txnDateFor(order.processedAt, context.timeZone ?? 'UTC') < settings.startDate) {
    return skip('before_start_date', `Processed before the store's start date ${settings.startDate}`);
  }

  const status = order.displayFinancialStatus;
  const invoiced = existing?.type === 'Invoice' && existing.status === 'synced';
  const cancelled = order.cancelledAt !== null;

  if (status !== null && PAID.has(status)) {
    // Refunds become their own documents later; the sale itself stays booked as it happened.
    if (!invoiced) return bookable('SalesReceipt', order, settings);
    // Once its payment is booked, a settled invoice is only kept in step with edits.
    return bookable(existing.paymentStatus === 'synced' ? 'Invoice' : 'InvoiceAndPayment', order, settings);
  }
  if (status !== null && UNPAID.has(status)) {
    if (cancelled) return invoiced ? { kind: 'VoidInvoice' } : skip('cancelled_unpaid', 'Cancelled before it was paid or booked');
    if (invoiced || settings.unpaidOrders === 'invoice') return bookable('Invoice', order, settings);
    return skip('unpaid_order', 'Not paid yet and the store books unpaid orders only once paid');
  }
  if (status === 'VOIDED') {
    return invoiced ? { kind: 'VoidInvoice' } : skip('authorization_voided', 'The payment authorization was voided; nothing was collected');
  }
  if (status === 'EXPIRED') {
    if (invoiced) return cancelled ? { kind: 'VoidInvoice' } : bookable('Invoice', order, settings);
    return skip('authorization_expired', 'The payment authorization expired; nothing was collected');
  }
  return skip('no_financial_status', 'Shopify reports no financial status for this order');
}
