/**
 * The money in a Shopify order, in exact shop-currency minor units, following the money semantics the
 * project relies on (Shopify: "total_price: the sum of all line item prices, discounts, shipping, taxes,
 * and tips"): line gross = unit price × quantity, allocations are each line's share of every discount,
 * shipping is net of its discount, and with `taxesIncluded` the prices already contain the tax.
 */
import { InvalidInputError } from '../errors';
import { addMoney, multiplyMoney, negateMoney, parseMoney, subtractMoney, sumMoney, zeroMoney, type Money } from '../money';
import type {
  ShopifyLineItem,
  ShopifyMoneyBag,
  ShopifyOrderCore,
  ShopifyShippingLine,
  ShopifyTaxLine,
  ShopifyTransaction,
} from '../shopify/types';

export const GIFT_CARD_GATEWAY = 'gift_card';

export function bagMoney(bag: ShopifyMoneyBag | null | undefined, currency: string): Money {
  if (!bag) return zeroMoney(currency);
  if (bag.shopMoney.currencyCode !== currency) {
    throw new InvalidInputError(`Expected shop money in ${currency}, got ${bag.shopMoney.currencyCode}`);
  }
  return parseMoney(bag.shopMoney.amount, currency);
}

export interface TaxPortion {
  title: string;
  rate: number;
  amount: Money;
}

export interface SaleLineAmounts {
  line: ShopifyLineItem;
  isGiftCard: boolean;
  unitPrice: Money;
  /** unit price × quantity, before discounts (tax-inclusive when the order's prices are). */
  gross: Money;
  /** Σ discount allocations on the line. */
  discount: Money;
  tax: Money;
  taxes: TaxPortion[];
}

export interface ShippingAmounts {
  line: ShopifyShippingLine;
  original: Money;
  /** Net of the shipping discount: what the customer paid for shipping. */
  price: Money;
  tax: Money;
  taxes: TaxPortion[];
}

export interface GatewayCollection {
  gateway: string;
  amount: Money;
  /** processedAt of the latest successful collecting transaction. */
  lastProcessedAt: string | null;
}

export interface OrderAmounts {
  currency: string;
  taxesIncluded: boolean;
  /** The order's line items except the tip's (see `tipLineItemIds`). */
  lines: SaleLineAmounts[];
  shipping: ShippingAmounts[];
  tip: Money;
  duties: Money;
  /** Shopify's order total and tax, as reported. */
  total: Money;
  tax: Money;
  /** Σ order-level tax lines, which must equal `tax`. */
  orderTaxes: TaxPortion[];
  /** Positive sum of successful gift-card SALE/CAPTURE transactions. */
  giftCardRedemptions: Money;
  /** Money the other gateways collected (SALE and CAPTURE, less CHANGE handed back). */
  collected: GatewayCollection[];
}

function taxPortions(taxLines: readonly ShopifyTaxLine[], currency: string): TaxPortion[] {
  return taxLines.map((t) => ({ title: t.title, rate: t.rate ?? 0, amount: bagMoney(t.priceSet, currency) }));
}

function saleLine(line: ShopifyLineItem, currency: string): SaleLineAmounts {
  if (!Number.isSafeInteger(line.quantity) || line.quantity < 0) {
    throw new InvalidInputError(`Line ${line.id} has an invalid quantity ${line.quantity}`);
  }
  const unitPrice = bagMoney(line.originalUnitPriceSet, currency);
  const taxes = taxPortions(line.taxLines, currency);
  return {
    line,
    isGiftCard: line.isGiftCard,
    unitPrice,
    gross: multiplyMoney(unitPrice, line.quantity),
    discount: lineDiscount(line, currency),
    tax: sumMoney(
      taxes.map((t) => t.amount),
      currency,
    ),
    taxes,
  };
}

function shippingLine(line: ShopifyShippingLine, currency: string): ShippingAmounts {
  const taxes = taxPortions(line.taxLines, currency);
  return {
    line,
    original: bagMoney(line.originalPriceSet, currency),
    price: bagMoney(line.discountedPriceSet, currency),
    tax: sumMoney(
      taxes.map((t) => t.amount),
      currency,
    ),
    taxes,
  };
}

/** Successful money-moving transactions: SALE and CAPTURE add, CHANGE (cash handed back) subtracts. */
function collectedSign(t: ShopifyTransaction): 1 | -1 | 0 {
  if (t.status !== 'SUCCESS') return 0;
  if (t.kind === 'SALE' || t.kind === 'CAPTURE') return 1;
  if (t.kind === 'CHANGE') return -1;
  return 0;
}

function collections(transactions: readonly ShopifyTransaction[], currency: string): { giftCards: Money; others: GatewayCollection[] } {
  let giftCards = zeroMoney(currency);
  const byGateway = new Map<string, GatewayCollection>();
  for (const t of transactions) {
    const sign = collectedSign(t);
    if (sign === 0) continue;
    const amount = sign === 1 ? bagMoney(t.amountSet, currency) : negateMoney(bagMoney(t.amountSet, currency));
    const gateway = t.gateway ?? 'unknown';
    if (gateway === GIFT_CARD_GATEWAY) {
      giftCards = addMoney(giftCards, amount);
      continue;
    }
    const entry = byGateway.get(gateway) ?? { gateway, amount: zeroMoney(currency), lastProcessedAt: null };
    entry.amount = addMoney(entry.amount, amount);
    if (t.processedAt && (entry.lastProcessedAt === null || t.processedAt > entry.lastProcessedAt)) {
      entry.lastProcessedAt = t.processedAt;
    }
    byGateway.set(gateway, entry);
  }
  return { giftCards, others: [...byGateway.values()].filter((c) => c.amount.minor !== 0) };
}

/** How a tip line item looks (docs/shopify-facts.md §2 "Tips"): no variant, nothing to ship, untaxed, not a gift card. */
function looksLikeTip(line: ShopifyLineItem): boolean {
  return line.variant === null && !line.requiresShipping && !line.taxable && !line.isGiftCard && line.title.trim().toLowerCase() === 'tip';
}

/**
 * The ids of the line items that are the order's tip. Shopify records a tip twice: as a line item (the
 * TipSale agreement's `lineItem`: no variant, title "Tip", untaxed, nothing to ship) and in
 * `totalTipReceivedSet` (docs/shopify-facts.md §2 "Tips"; https://shopify.dev/docs/api/admin-graphql/latest/objects/TipSale,
 * https://shopify.dev/docs/api/admin-graphql/latest/objects/Order#field-totalTipReceivedSet). Lines are taken as the tip
 * only when they add up to `totalTipReceivedSet` exactly, so the tip is booked once, on the tips category; any other
 * shape leaves the order unbalanced and parked rather than booked twice.
 */
export function tipLineItemIds(order: ShopifyOrderCore): Set<string> {
  const currency = order.currencyCode;
  const tip = bagMoney(order.totalTipReceivedSet, currency);
  if (tip.minor === 0) return new Set();
  const candidates = order.lineItems.nodes.filter(looksLikeTip);
  const amount = sumMoney(
    candidates.map((l) => subtractMoney(multiplyMoney(bagMoney(l.originalUnitPriceSet, currency), l.quantity), lineDiscount(l, currency))),
    currency,
  );
  return amount.minor === tip.minor ? new Set(candidates.map((l) => l.id)) : new Set();
}

function lineDiscount(line: ShopifyLineItem, currency: string): Money {
  return sumMoney(
    line.discountAllocations.map((a) => bagMoney(a.allocatedAmountSet, currency)),
    currency,
  );
}

export function orderAmounts(order: ShopifyOrderCore): OrderAmounts {
  const currency = order.currencyCode;
  const { giftCards, others } = collections(order.transactions, currency);
  const tipLines = tipLineItemIds(order);
  return {
    currency,
    taxesIncluded: order.taxesIncluded,
    lines: order.lineItems.nodes.filter((l) => !tipLines.has(l.id)).map((l) => saleLine(l, currency)),
    shipping: order.shippingLines.nodes.map((s) => shippingLine(s, currency)),
    tip: bagMoney(order.totalTipReceivedSet, currency),
    duties: bagMoney(order.originalTotalDutiesSet, currency),
    total: bagMoney(order.totalPriceSet, currency),
    tax: bagMoney(order.totalTaxSet, currency),
    orderTaxes: taxPortions(order.taxLines, currency),
    giftCardRedemptions: giftCards,
    collected: others,
  };
}

/** What the order's parts add up to; equals `total` for every order Ledgerline can book exactly. */
export function totalFromParts(a: OrderAmounts): Money {
  const c = a.currency;
  const lines = sumMoney(
    a.lines.map((l) => subtractMoney(l.gross, l.discount)),
    c,
  );
  const shipping = sumMoney(
    a.shipping.map((s) => s.price),
    c,
  );
  const beforeTax = addMoney(addMoney(addMoney(lines, shipping), a.tip), a.duties);
  return a.taxesIncluded ? beforeTax : addMoney(beforeTax, a.tax);
}

/** Σ line and shipping tax lines; equals `tax` for every order Ledgerline can book exactly. */
export function taxFromParts(a: OrderAmounts): Money {
  const c = a.currency;
  return addMoney(
    sumMoney(
      a.lines.map((l) => l.tax),
      c,
    ),
    sumMoney(
      a.shipping.map((s) => s.tax),
      c,
    ),
  );
}
