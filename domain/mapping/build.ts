/**
 * QBO payloads for an order: SalesReceipt (paid), Invoice (unpaid) and the Payment that settles an
 * invoice. Pure: the caller passes settings, the resolved QBO ids and the shop's IANA time zone.
 * A payload is only returned when it books Shopify's total and tax to the cent (invariant 2);
 * otherwise a typed error says why (NeedsMappingError, UnsupportedOrderError).
 */
import { NeedsMappingError, UnsupportedOrderError, type MappingNeed } from '../errors';
import { equalsMoney, sumMoney, toDecimalString, toQboAmount, type Money } from '../money';
import { DEFAULT_COMPANY_PREFS, type CompanyPrefs, type Settings } from '../settings';
import type { ShopifyMailingAddress, ShopifyOrderCore } from '../shopify/types';
import { docNumberFor, privateNoteFor, txnDateFor } from './names';
import { orderAmounts, taxFromParts, totalFromParts, type OrderAmounts } from './order-amounts';
import type { QboInvoice, QboPayment, QboPhysicalAddress, QboSalesReceipt, QboTxnTaxDetail } from './qbo-types';
import { depositReference, type ResolvedRefs } from './references';
import { buildSaleLines } from './sale-lines';
import { globalTaxLines } from './tax';

function address(a: ShopifyMailingAddress | null): QboPhysicalAddress | undefined {
  if (!a) return undefined;
  const out: QboPhysicalAddress = {};
  if (a.address1) out.Line1 = a.address1;
  if (a.city) out.City = a.city;
  if (a.provinceCode) out.CountrySubDivisionCode = a.provinceCode;
  if (a.zip) out.PostalCode = a.zip;
  if (a.countryCodeV2) out.Country = a.countryCodeV2;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Refuses orders whose parts do not add up to Shopify's totals: their document could not be exact. */
function assertBalances(order: ShopifyOrderCore, a: OrderAmounts): void {
  const parts = totalFromParts(a);
  const tax = taxFromParts(a);
  const orderTax = sumMoney(
    a.orderTaxes.map((t) => t.amount),
    a.currency,
  );
  const problems: string[] = [];
  const show = (m: Money): string => `${toDecimalString(m)} ${m.currency}`;
  if (!equalsMoney(parts, a.total))
    problems.push(`lines, shipping, tips, duties and tax add up to ${show(parts)}, not the total ${show(a.total)}`);
  if (!equalsMoney(tax, a.tax)) problems.push(`line and shipping tax add up to ${show(tax)}, not the total tax ${show(a.tax)}`);
  if (!equalsMoney(orderTax, a.tax)) problems.push(`order tax lines add up to ${show(orderTax)}, not the total tax ${show(a.tax)}`);
  if (problems.length > 0) {
    throw new UnsupportedOrderError('order_does_not_balance', `Order ${order.name} cannot be booked exactly: ${problems.join('; ')}`, {
      orderId: order.id,
    });
  }
}

function discountNames(order: ShopifyOrderCore): string[] {
  const names = order.discountApplications.nodes
    .filter((d) => d.targetType === 'LINE_ITEM')
    .map((d) => d.code ?? d.title)
    .filter((n): n is string => typeof n === 'string' && n.trim() !== '');
  return [...new Set(names)];
}

/**
 * A local pickup: no shipping address and a shipping line Shopify names as a pickup (its code or title says
 * "pickup", as Shopify's local pickup and in-store pickup delivery methods do). The goods change hands at the
 * shop, so the sale is taxed where the company is, which is where AST puts a form with no ShipAddr.
 */
export function isPickup(order: ShopifyOrderCore): boolean {
  if (order.shippingAddress) return false;
  return order.shippingLines.nodes.some((s) => /pick[\s-]?up/i.test(`${s.code ?? ''} ${s.title}`));
}

type SaleDocument = Omit<QboSalesReceipt, 'DepositToAccountRef' | 'PaymentMethodRef'>;

function buildSaleDocument(
  order: ShopifyOrderCore,
  settings: Settings,
  refs: ResolvedRefs,
  timeZone: string,
  company: CompanyPrefs,
): SaleDocument {
  if (settings.taxMode === 'us_automated' && order.taxesIncluded) {
    throw new UnsupportedOrderError(
      'tax_inclusive_us',
      `Order ${order.name} has tax-inclusive prices, which US automated sales tax cannot book`,
    );
  }
  if (company.customTxnNumbers === false) {
    throw new UnsupportedOrderError(
      'custom_txn_numbers_off',
      `Order ${order.name} was not booked: the QBO company turned custom transaction numbers off (Account and Settings → Sales), so QBO numbers sales forms itself and accepts repeated numbers; turn them back on and the order is booked on the next run`,
      { orderId: order.id },
    );
  }
  const a = orderAmounts(order);
  assertBalances(order, a);
  if (!company.salesTax && a.tax.minor !== 0) {
    // QBO ignores TxnTaxDetail in a company that does not use sales tax: the document would book the sale without
    // its tax and the tax would be lost from the books (docs/qbo-facts.md §4 "Company preferences").
    throw new UnsupportedOrderError(
      'sales_tax_off',
      `Order ${order.name} charged ${toDecimalString(a.tax)} ${a.currency} tax, but the QBO company does not use sales tax (Taxes → Sales tax is off, Preferences.TaxPrefs.UsingSalesTax false), so QBO would drop the tax; turn sales tax on in QBO and the order is booked on the next run`,
      { orderId: order.id },
    );
  }
  const needs: MappingNeed[] = [];
  if (!refs.customerId) needs.push({ kind: 'customer', key: order.customer?.email ?? order.email ?? settings.genericCustomerName });
  const { lines, bases } = buildSaleLines(a, settings, refs, needs, discountNames(order), company);
  const taxDetail: QboTxnTaxDetail = { TotalTax: toQboAmount(a.tax) };
  // A US company without automated sales tax takes the override only with the tax code it applies to
  // (docs/qbo-facts.md §4; https://github.com/intuit/QuickBooks-V3-PHP-SDK/issues/199); with AST the code is
  // AST's own choice and sending one does no harm.
  if (settings.taxMode === 'us_automated' && settings.taxCodeMap.usTaxCodeId)
    taxDetail.TxnTaxCodeRef = { value: settings.taxCodeMap.usTaxCodeId };
  if (settings.taxMode === 'global') {
    const taxLines = globalTaxLines(a.orderTaxes, bases, settings, needs);
    if (taxLines.length > 0) taxDetail.TaxLine = taxLines;
  }
  if (needs.length > 0) throw new NeedsMappingError(needs);

  const doc: SaleDocument = {
    TxnDate: txnDateFor(order.processedAt, timeZone),
    DocNumber: docNumberFor(order.name, settings.docNumberPrefix, order.id),
    PrivateNote: privateNoteFor(order.name, order.id),
    CustomerRef: { value: refs.customerId },
    Line: lines,
    TxnTaxDetail: taxDetail,
    // QBO fills PrintStatus "NeedToPrint" on a sales form sent without one (recorded real traffic,
    // test/fixtures/qbo-recorded; docs/qbo-behaviours.md), which would put every booked sale in the company's
    // print queue. A bookkeeper who prints receipts can still do so from QBO.
    PrintStatus: 'NotSet',
  };
  if (settings.taxMode === 'global') doc.GlobalTaxCalculation = order.taxesIncluded ? 'TaxInclusive' : 'TaxExcluded';
  // Shopify taxes the discounted price. QBO keeps the TotalTax sent either way, but with ApplyTaxAfterDiscount
  // false or absent it works out its taxable amount (NetAmountTaxable, what its sales tax reports show) before the
  // discount; true makes it subtract the discount first, as Shopify did (Finance.xsd SalesTransaction; docs/qbo-facts.md §4).
  if (settings.taxMode === 'us_automated' && lines.some((l) => l.DetailType === 'DiscountLineDetail')) doc.ApplyTaxAfterDiscount = true;
  if (settings.classId) doc.ClassRef = { value: settings.classId };
  if (settings.departmentId) doc.DepartmentRef = { value: settings.departmentId };
  const bill = address(order.billingAddress);
  const ship = address(order.shippingAddress);
  if (bill) doc.BillAddr = bill;
  // Automated sales tax reads the ship-to address for the jurisdiction it reports, and without one the company's
  // address (docs/qbo-facts.md §4; https://developer.intuit.com/app/developer/qbo/docs/workflows/manage-sales-tax-for-us-locales).
  // An order with no shipping address (digital goods, services) is the customer's, so the billing address stands
  // in for it; a pickup happens at the shop, so it keeps the company's address.
  const shipTo = ship ?? (isPickup(order) ? undefined : bill);
  if (shipTo) doc.ShipAddr = shipTo;
  return doc;
}

function singleDeposit(order: ShopifyOrderCore, settings: Settings) {
  const deposit = depositReference(order, settings);
  if (!deposit) {
    throw new UnsupportedOrderError(
      'multi_gateway',
      `Order ${order.name} was paid through several gateways; one QBO document has one deposit account`,
    );
  }
  return deposit;
}

export function buildSalesReceipt(
  order: ShopifyOrderCore,
  settings: Settings,
  refs: ResolvedRefs,
  timeZone: string,
  company: CompanyPrefs = DEFAULT_COMPANY_PREFS,
): QboSalesReceipt {
  const { target } = singleDeposit(order, settings);
  return {
    ...buildSaleDocument(order, settings, refs, timeZone, company),
    DepositToAccountRef: { value: target.depositAccountId },
    ...(target.paymentMethodId ? { PaymentMethodRef: { value: target.paymentMethodId } } : {}),
  };
}

export function buildInvoice(
  order: ShopifyOrderCore,
  settings: Settings,
  refs: ResolvedRefs,
  timeZone: string,
  company: CompanyPrefs = DEFAULT_COMPANY_PREFS,
): QboInvoice {
  return buildSaleDocument(order, settings, refs, timeZone, company);
}

/** The Payment that settles `invoiceId` with what the order's gateway collected (gift cards are on the invoice). */
export function buildPayment(
  order: ShopifyOrderCore,
  invoiceId: string,
  settings: Settings,
  refs: ResolvedRefs,
  timeZone: string,
): QboPayment {
  const { gateway, target } = singleDeposit(order, settings);
  const collected = orderAmounts(order).collected[0];
  if (!collected || collected.amount.minor <= 0) {
    throw new UnsupportedOrderError('nothing_collected', `Order ${order.name} has no captured payment to apply to its invoice`);
  }
  if (!refs.customerId)
    throw new NeedsMappingError([{ kind: 'customer', key: order.customer?.email ?? order.email ?? settings.genericCustomerName }]);
  const amount = toQboAmount(collected.amount);
  return {
    TxnDate: txnDateFor(collected.lastProcessedAt ?? order.processedAt, timeZone),
    PrivateNote: privateNoteFor(order.name, order.id, `Payment via ${gateway ?? 'unknown gateway'}`),
    CustomerRef: { value: refs.customerId },
    TotalAmt: amount,
    DepositToAccountRef: { value: target.depositAccountId },
    ...(target.paymentMethodId ? { PaymentMethodRef: { value: target.paymentMethodId } } : {}),
    Line: [{ Amount: amount, LinkedTxn: [{ TxnId: invoiceId, TxnType: 'Invoice' }] }],
  };
}
