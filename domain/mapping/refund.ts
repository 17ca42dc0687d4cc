/**
 * A Shopify Refund → its own QBO document (docs/invariants.md, invariant 3): a RefundReceipt paid from the
 * clearing account the sale's money went to, or a CreditMemo for an invoiced order. Pure: the caller
 * passes the order (for its line items, tax lines and names), the refund with its details, settings,
 * resolved QBO ids and the shop's time zone.
 *
 * What a refund is made of (Shopify Admin GraphQL 2026-10 `Refund`, docs/shopify-facts.md §6):
 *  - refund line items: quantity, restock type, `subtotalSet` (after discounts, before tax) and `totalTaxSet`;
 *  - refunded shipping: `subtotalAmountSet` and `taxAmountSet`;
 *  - order adjustments (refund discrepancies, restocking fees): `amountSet` and `taxAmountSet`, signed as
 *    they change the refund;
 *  - refunded duties (`duties[].amountSet`), untaxed;
 *  - transactions: the money, by gateway; only SUCCESS ones moved money.
 * Parts + their tax = `totalRefundedSet` = Σ successful refund transactions; a refund that does not add up
 * is refused (UnsupportedOrderError) rather than booked inexactly.
 *
 * Refund documents are always sent tax-exclusive (`GlobalTaxCalculation: TaxExcluded` outside the US):
 * Shopify reports each refunded part net of tax with its tax beside it, so the document is exact without
 * QBO re-deriving net amounts from tax-inclusive ones (docs/qbo-facts.md §8).
 */
import { NeedsMappingError, UnsupportedOrderError, type MappingNeed } from '../errors';
import {
  addMoney,
  allocateMoney,
  equalsMoney,
  negateMoney,
  subtractMoney,
  sumMoney,
  toDecimalString,
  toQboAmount,
  zeroMoney,
  type Money,
} from '../money';
import { gatewayTargetFor, type CompanyPrefs, type GatewayTarget, type Settings } from '../settings';
import type { ShopifyLineItem, ShopifyOrderCore, ShopifyRefund } from '../shopify/types';
import { docNumberFor, privateNoteFor, txnDateFor } from './names';
import { bagMoney, GIFT_CARD_GATEWAY, orderAmounts, tipLineItemIds, type TaxPortion } from './order-amounts';
import type { QboRef, QboSalesItemLine, QboSalesLine, QboTxnTaxDetail, QboPhysicalAddress } from './qbo-types';
import {
  CATEGORY_ITEM_NAMES,
  categoryAccountId,
  depositReference,
  itemKeyFor,
  itemKeyId,
  lineDescription,
  type CategoryItemReference,
  type LineCategory,
  type OrderReferencePlan,
  type ResolvedRefs,
} from './references';
import { planOrderReferences } from './references';
import { itemLine } from './sale-lines';
import { createTaxCoder, effectiveTaxes, globalTaxLines, TaxableBases } from './tax';

export type RefundDocumentType = 'RefundReceipt' | 'CreditMemo';

/** What one refunded part is booked as. */
export type RefundPartKind = 'product' | 'notRestocked' | 'giftCardSale' | 'tip' | 'shipping' | 'duties' | 'adjustment';

export interface RefundPart {
  kind: RefundPartKind;
  /** The order's line item, for product and gift-card parts. */
  line?: ShopifyLineItem;
  quantity: number;
  /** Before tax. */
  net: Money;
  tax: Money;
  /** `tax` split over the taxes the sold part carried (title and rate), so per-rate totals stay exact. */
  taxes: TaxPortion[];
  taxable: boolean;
  description: string;
}

export interface RefundMoney {
  gateway: string;
  amount: Money;
  processedAt: string | null;
}

export interface RefundAmounts {
  currency: string;
  /** Shopify's `totalRefundedSet`. */
  total: Money;
  tax: Money;
  parts: RefundPart[];
  /** Successful refund transactions other than gift cards: money that left a gateway. */
  cash: RefundMoney[];
  /** Successful refund transactions back onto gift cards: restores the liability, never cash. */
  giftCard: Money;
  /** Refund transactions still pending (or awaiting a response): their money has not moved yet. */
  pending: Money;
}

const PENDING_STATUSES = new Set(['PENDING', 'AWAITING_RESPONSE']);

/**
 * `tax` spread over the tax lines the sold part carried, in proportion to what each charged (by rate
 * when none charged anything), so GST and PST, say, each get their exact share.
 */
export function splitTax(tax: Money, sold: readonly TaxPortion[], what: string): TaxPortion[] {
  const effective = effectiveTaxes(sold);
  if (tax.minor === 0) return effective.map((t) => ({ ...t, amount: zeroMoney(tax.currency) }));
  if (effective.length === 0) {
    throw new UnsupportedOrderError(
      'refund_tax_unallocated',
      `${what} refunds ${toDecimalString(tax)} of tax, but the sold part carried no tax line`,
    );
  }
  const byAmount = effective.map((t) => Math.abs(t.amount.minor));
  const weights = byAmount.some((w) => w > 0) ? byAmount : effective.map((t) => Math.round(t.rate * 1_000_000));
  if (!weights.some((w) => w > 0)) {
    throw new UnsupportedOrderError('refund_tax_unallocated', `${what} refunds ${toDecimalString(tax)} of tax at a zero rate`);
  }
  const shares = allocateMoney(tax, weights);
  return effective.map((t, i) => ({ title: t.title, rate: t.rate, amount: shares[i]! }));
}

function productPart(order: ShopifyOrderCore, refund: ShopifyRefund, index: number, tips: ReadonlySet<string>): RefundPart {
  const c = order.currencyCode;
  const rli = refund.refundLineItems.nodes[index]!;
  const line = order.lineItems.nodes.find((l) => l.id === rli.lineItem.id);
  if (!line) {
    throw new UnsupportedOrderError(
      'refund_line_unknown',
      `Refund ${refund.id} returns line item ${rli.lineItem.id}, which order ${order.name} does not list`,
    );
  }
  const net = bagMoney(rli.subtotalSet, c);
  const tax = bagMoney(rli.totalTaxSet, c);
  const sold = line.taxLines.map((t) => ({ title: t.title, rate: t.rate ?? 0, amount: bagMoney(t.priceSet, c) }));
  // Units that do not go back on the shelf must not go back into QBO stock (invariant 3).
  const restocked = rli.restocked && rli.restockType !== 'NO_RESTOCK';
  // A refunded tip is Shopify's tip line item coming back: the tips item, never a product.
  const kind: RefundPartKind = tips.has(line.id) ? 'tip' : line.isGiftCard ? 'giftCardSale' : restocked ? 'product' : 'notRestocked';
  const label = lineDescription(line);
  if (kind === 'tip') return { kind, line, quantity: 1, net, tax, taxes: [], taxable: false, description: 'Tip refunded' };
  return {
    kind,
    line,
    quantity: rli.quantity,
    net,
    tax,
    taxes: line.isGiftCard ? [] : splitTax(tax, sold, `Refunded line "${label}"`),
    taxable: line.taxable && !line.isGiftCard,
    description:
      kind === 'giftCardSale'
        ? `Gift card refunded: ${label}`
        : kind === 'notRestocked'
          ? `Returned, not restocked: ${label}`
          : `Returned: ${label}`,
  };
}

export function refundAmounts(order: ShopifyOrderCore, refund: ShopifyRefund): RefundAmounts {
  const c = order.currencyCode;
  const sold = orderAmounts(order);
  const tips = tipLineItemIds(order);
  const parts: RefundPart[] = refund.refundLineItems.nodes.map((_, i) => productPart(order, refund, i, tips));
  for (const s of refund.refundShippingLines.nodes) {
    const shipping =
      sold.shipping.find((x) => x.line.id !== null && x.line.id === s.shippingLine.id) ??
      sold.shipping.find((x) => x.line.title === s.shippingLine.title);
    const tax = bagMoney(s.taxAmountSet, c);
    parts.push({
      kind: 'shipping',
      quantity: 1,
      net: bagMoney(s.subtotalAmountSet, c),
      tax,
      taxes: splitTax(tax, shipping?.taxes ?? [], `Refunded shipping "${s.shippingLine.title}"`),
      taxable: true,
      description: `Shipping refunded: ${s.shippingLine.title}`,
    });
  }
  for (const d of refund.duties ?? []) {
    const amount = bagMoney(d.amountSet, c);
    if (amount.minor === 0) continue;
    // Duties were collected on the sale's duties item, untaxed: they go back the same way.
    parts.push({ kind: 'duties', quantity: 1, net: amount, tax: zeroMoney(c), taxes: [], taxable: false, description: 'Duties refunded' });
  }
  for (const a of refund.orderAdjustments.nodes) {
    const tax = bagMoney(a.taxAmountSet, c);
    parts.push({
      kind: 'adjustment',
      quantity: 1,
      net: bagMoney(a.amountSet, c),
      tax,
      taxes: splitTax(tax, sold.orderTaxes, 'A refund adjustment'),
      taxable: tax.minor !== 0,
      description: `Refund adjustment${a.reason ? ` (${a.reason.toLowerCase().replace(/_/g, ' ')})` : ''}`,
    });
  }
  let giftCard = zeroMoney(c);
  let pending = zeroMoney(c);
  const cash = new Map<string, RefundMoney>();
  for (const t of refund.transactions.nodes) {
    if (t.kind !== 'REFUND') continue;
    const amount = bagMoney(t.amountSet, c);
    if (PENDING_STATUSES.has(t.status)) pending = addMoney(pending, amount);
    if (t.status !== 'SUCCESS') continue;
    const gateway = t.gateway ?? 'unknown';
    if (gateway === GIFT_CARD_GATEWAY) {
      giftCard = addMoney(giftCard, amount);
      continue;
    }
    const entry = cash.get(gateway) ?? { gateway, amount: zeroMoney(c), processedAt: null };
    entry.amount = addMoney(entry.amount, amount);
    if (t.processedAt && (entry.processedAt === null || t.processedAt > entry.processedAt)) entry.processedAt = t.processedAt;
    cash.set(gateway, entry);
  }
  return {
    currency: c,
    total: bagMoney(refund.totalRefundedSet, c),
    tax: sumMoney(
      parts.map((p) => p.tax),
      c,
    ),
    parts,
    cash: [...cash.values()].filter((m) => m.amount.minor !== 0),
    giftCard,
    pending,
  };
}

/** Σ of the money that moved: what the refund's document must add up to with its gift-card line. */
export function refundCash(a: RefundAmounts): Money {
  return sumMoney(
    a.cash.map((m) => m.amount),
    a.currency,
  );
}

/** Refuses refunds whose parts, total and money do not agree: their document could not be exact. */
export function assertRefundBalances(order: ShopifyOrderCore, refund: ShopifyRefund, a: RefundAmounts): void {
  const c = a.currency;
  const show = (m: Money): string => `${toDecimalString(m)} ${c}`;
  const parts = sumMoney(
    a.parts.map((p) => addMoney(p.net, p.tax)),
    c,
  );
  const money = addMoney(refundCash(a), a.giftCard);
  const problems: string[] = [];
  if (!equalsMoney(parts, a.total))
    problems.push(`its lines, shipping, adjustments and tax add up to ${show(parts)}, not ${show(a.total)}`);
  if (!equalsMoney(money, a.total)) problems.push(`its successful refund transactions add up to ${show(money)}, not ${show(a.total)}`);
  if (problems.length > 0) {
    throw new UnsupportedOrderError(
      'refund_does_not_balance',
      `Refund ${refund.id} of order ${order.name} cannot be booked exactly: ${problems.join('; ')}`,
    );
  }
}

/** `#1001` refund 2 → "1001-R2" (with the store's prefix; long names shortened like sale numbers). */
export function refundDocNumber(order: ShopifyOrderCore, refund: ShopifyRefund, ordinal: number, settings: Settings): string {
  return docNumberFor(`${order.name}-R${ordinal}`, settings.docNumberPrefix, refund.id);
}

/** The text a refund document's PrivateNote carries; brackets keep …/12 from matching …/123. */
export function refundNoteMarker(refundGid: string): string {
  return `[${refundGid}]`;
}

/**
 * The refund's 1-based position among the order's refunds, oldest first (ties by id): stable, because
 * Shopify never removes a refund, so "-R2" always names the same refund.
 */
export function refundOrdinal(order: ShopifyOrderCore, refundId: string): number {
  const sorted = [...order.refunds].sort((x, y) => {
    const at = Date.parse(x.createdAt ?? '') - Date.parse(y.createdAt ?? '');
    if (Number.isFinite(at) && at !== 0) return at;
    return Number(x.legacyResourceId) - Number(y.legacyResourceId);
  });
  const index = sorted.findIndex((r) => r.id === refundId);
  return index < 0 ? sorted.length + 1 : index + 1;
}

/** Where the refund's money came from: its gateway's clearing account (the one the sale was deposited to). */
export function refundSource(
  order: ShopifyOrderCore,
  a: RefundAmounts,
  settings: Settings,
): { gateway: string | null; target: GatewayTarget } {
  if (a.cash.length > 1) {
    throw new UnsupportedOrderError(
      'multi_gateway',
      `A refund of order ${order.name} went back through several gateways; one QBO document has one account`,
    );
  }
  const gateway = a.cash[0]?.gateway ?? depositReference(order, settings)?.gateway ?? null;
  return { gateway, target: gatewayTargetFor(settings, gateway) };
}

/** The Items and category Items a refund's document needs, on top of the order's own. */
export function planRefundReferences(
  order: ShopifyOrderCore,
  refund: ShopifyRefund,
  settings: Settings,
  timeZone: string,
): OrderReferencePlan {
  const plan = planOrderReferences(order, settings, timeZone);
  const a = refundAmounts(order, refund);
  const returned = new Set(a.parts.filter((p) => p.kind === 'product').map((p) => p.line!.id));
  const needed = new Set<LineCategory>();
  for (const p of a.parts) {
    if (p.kind === 'notRestocked') needed.add('returnNotRestocked');
    if (p.kind === 'giftCardSale') needed.add('giftCardSale');
    if (p.kind === 'tip') needed.add('tip');
    if (p.kind === 'duties') needed.add('duties');
    if (p.kind === 'shipping') needed.add('shipping');
    if (p.kind === 'adjustment') needed.add('refundAdjustment');
  }
  if (a.giftCard.minor !== 0) needed.add('giftCardRedemption');
  const categories: CategoryItemReference[] = [...needed].map((category) => ({
    category,
    name: CATEGORY_ITEM_NAMES[category],
    accountId: categoryAccountId(category, settings),
  }));
  return {
    ...plan,
    items: plan.items.filter((i) => i.lineItemIds.some((id) => returned.has(id))),
    categories,
  };
}

export interface RefundDocument {
  TxnDate: string;
  DocNumber: string;
  PrivateNote: string;
  CustomerRef: QboRef;
  Line: QboSalesLine[];
  TxnTaxDetail: QboTxnTaxDetail;
  GlobalTaxCalculation?: 'TaxExcluded';
  ClassRef?: QboRef;
  DepartmentRef?: QboRef;
  BillAddr?: QboPhysicalAddress;
  /** RefundReceipt only. */
  DepositToAccountRef?: QboRef;
  PaymentMethodRef?: QboRef;
  PaymentRefNum?: string;
  PrintStatus?: 'NotSet';
}

export interface RefundBuildInput {
  settings: Settings;
  refs: ResolvedRefs;
  timeZone: string;
  docType: RefundDocumentType;
  ordinal: number;
  /** The QBO company's preferences now (absent: all on); docs/qbo-facts.md §4 "Company preferences". */
  company?: CompanyPrefs | undefined;
}

/** The document's expected figures (invariant 3): what QBO's TotalAmt and TotalTax must come back as. */
export interface RefundExpectation {
  total: Money;
  tax: Money;
}

export function expectedRefundTotals(order: ShopifyOrderCore, refund: ShopifyRefund): RefundExpectation {
  const a = refundAmounts(order, refund);
  // The document books the cash; a gift-card portion rides on it as a negative line.
  return { total: subtractMoney(a.total, a.giftCard), tax: a.tax };
}

export function buildRefundDocument(order: ShopifyOrderCore, refund: ShopifyRefund, input: RefundBuildInput): RefundDocument {
  const { settings, refs, timeZone, docType } = input;
  const a = refundAmounts(order, refund);
  assertRefundBalances(order, refund, a);
  if (input.company?.customTxnNumbers === false) {
    throw new UnsupportedOrderError(
      'custom_txn_numbers_off',
      `Refund ${refund.legacyResourceId} of order ${order.name} was not booked: the QBO company turned custom transaction numbers off (Account and Settings → Sales); turn them back on and the refund is booked on the next run`,
      { orderId: order.id },
    );
  }
  if (input.company?.salesTax === false && a.tax.minor !== 0) {
    // QBO would ignore the refund's tax in a company with sales tax off, as it would a sale's (build.ts).
    throw new UnsupportedOrderError(
      'sales_tax_off',
      `Refund ${refund.legacyResourceId} of order ${order.name} gave back ${toDecimalString(a.tax)} ${a.currency} tax, but the QBO company does not use sales tax (Preferences.TaxPrefs.UsingSalesTax false), so QBO would drop it; turn sales tax on in QBO and the refund is booked on the next run`,
      { orderId: order.id },
    );
  }
  const needs: MappingNeed[] = [];
  if (!refs.customerId) needs.push({ kind: 'customer', key: order.customer?.email ?? order.email ?? settings.genericCustomerName });
  const coder = createTaxCoder(settings, needs);
  const bases = new TaxableBases();
  const ctx = { settings, refs, needs, inclusive: false };
  const category = (c: LineCategory): QboRef => {
    const id = refs.categoryItems[c];
    if (!id) needs.push({ kind: 'categoryItem', key: c });
    return { value: id ?? '' };
  };
  const lines: QboSalesItemLine[] = [];
  for (const p of a.parts) {
    let item: QboRef;
    if (p.kind === 'product') {
      const key = itemKeyFor(p.line!, settings);
      const id = refs.items[itemKeyId(key)];
      if (!id) needs.push({ kind: 'item', key: key.by === 'sku' ? `SKU ${key.sku}` : `name "${key.name}"` });
      item = { value: id ?? '' };
    } else {
      item = category(
        (
          {
            notRestocked: 'returnNotRestocked',
            giftCardSale: 'giftCardSale',
            tip: 'tip',
            duties: 'duties',
            shipping: 'shipping',
            adjustment: 'refundAdjustment',
          } as const
        )[p.kind],
      );
    }
    const code = p.kind === 'giftCardSale' || p.kind === 'tip' || p.kind === 'duties' ? coder.exempt() : coder.codeFor(p.taxes, p.taxable);
    bases.add(p.taxes, p.net);
    lines.push(itemLine(item, p.net, p.net, p.quantity, code, ctx, p.description));
  }
  if (a.giftCard.minor !== 0) {
    const back = negateMoney(a.giftCard);
    lines.push(itemLine(category('giftCardRedemption'), back, back, 1, coder.exempt(), ctx, 'Refunded to a gift card'));
  }
  const taxDetail: QboTxnTaxDetail = { TotalTax: toQboAmount(a.tax) };
  // As on the sale (build.ts): a US company without automated sales tax needs the code with the override.
  if (settings.taxMode === 'us_automated' && settings.taxCodeMap.usTaxCodeId)
    taxDetail.TxnTaxCodeRef = { value: settings.taxCodeMap.usTaxCodeId };
  if (settings.taxMode === 'global') {
    const byKey = new Map<string, TaxPortion>();
    for (const t of a.parts.flatMap((p) => p.taxes)) {
      const key = `${t.title}|${t.rate}`;
      const seen = byKey.get(key);
      byKey.set(key, seen ? { ...seen, amount: addMoney(seen.amount, t.amount) } : t);
    }
    const taxLines = globalTaxLines([...byKey.values()], bases, settings, needs);
    if (taxLines.length > 0) taxDetail.TaxLine = taxLines;
  }
  const source = docType === 'RefundReceipt' ? refundSource(order, a, settings) : undefined;
  if (needs.length > 0) throw new NeedsMappingError(needs);

  const processedAt = a.cash[0]?.processedAt ?? refund.createdAt ?? order.processedAt;
  const doc: RefundDocument = {
    TxnDate: txnDateFor(processedAt, timeZone),
    DocNumber: refundDocNumber(order, refund, input.ordinal, settings),
    PrivateNote: privateNoteFor(
      order.name,
      order.id,
      `Refund ${refund.legacyResourceId} ${refundNoteMarker(refund.id)}${refund.note ? `: ${refund.note}` : ''}`,
    ),
    CustomerRef: { value: refs.customerId },
    Line: lines,
    TxnTaxDetail: taxDetail,
  };
  if (settings.taxMode === 'global') doc.GlobalTaxCalculation = 'TaxExcluded';
  if (settings.classId) doc.ClassRef = { value: settings.classId };
  if (settings.departmentId) doc.DepartmentRef = { value: settings.departmentId };
  if (source) {
    doc.DepositToAccountRef = { value: source.target.depositAccountId };
    if (source.target.paymentMethodId) doc.PaymentMethodRef = { value: source.target.paymentMethodId };
    // Without these QBO marks a refund from a Bank account "NeedToPrint" / "To Print" (docs/qbo-facts.md §8).
    doc.PaymentRefNum = refund.legacyResourceId.slice(0, 100);
    doc.PrintStatus = 'NotSet';
  }
  return doc;
}
