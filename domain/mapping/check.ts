/**
 * Invariant 2, checked: a QBO sale document (built, or read back for the nightly audit) against its
 * Shopify order. Document total + gift-card redemptions = Shopify total price; tax = Shopify tax; and,
 * when the category items are known, every category sums to Shopify's figure.
 *
 * QBO's TotalAmt is recomputed the way QBO computes it (docs/qbo-facts.md §4 "Tax-inclusive documents"):
 * tax-exclusive, Σ sales item lines − Σ discount lines + tax; tax-inclusive, Σ line grosses (TaxInclusiveAmt,
 * or Amount without it) − Σ discount lines, the tax being inside the grosses. A tax-inclusive document with a
 * discount line net of tax therefore comes out high by the discount's tax, as it would in QBO.
 */
import { addMoney, fromQboAmount, negateMoney, subtractMoney, sumMoney, toDecimalString, zeroMoney, type Money } from '../money';
import type { ShopifyOrderCore } from '../shopify/types';
import { orderAmounts } from './order-amounts';
import type { LineCategory } from './references';

export interface CategoryTotals {
  products: Money;
  giftCardSales: Money;
  /** Line discounts (shipping discounts are inside `shipping`). */
  discounts: Money;
  shipping: Money;
  tips: Money;
  duties: Money;
  /** Negative: the redemption line reduces the document. */
  giftCardRedemptions: Money;
}

export interface ExpectedTotals {
  currency: string;
  /** Shopify's totalPriceSet. */
  total: Money;
  tax: Money;
  giftCardRedemptions: Money;
  /** total − gift-card redemptions: the QBO document's TotalAmt. */
  documentTotal: Money;
  /** Gross amounts per category, tax-inclusive when the order's prices are. */
  categories: CategoryTotals;
  /** Products and gift cards sold after their line discounts (tax-inclusive documents carry no discount line). */
  afterDiscounts: { products: Money; giftCardSales: Money };
}

export function expectedTotals(order: ShopifyOrderCore): ExpectedTotals {
  const a = orderAmounts(order);
  const c = a.currency;
  const sum = (items: Money[]): Money => sumMoney(items, c);
  return {
    currency: c,
    total: a.total,
    tax: a.tax,
    giftCardRedemptions: a.giftCardRedemptions,
    documentTotal: subtractMoney(a.total, a.giftCardRedemptions),
    categories: {
      products: sum(a.lines.filter((l) => !l.isGiftCard).map((l) => l.gross)),
      giftCardSales: sum(a.lines.filter((l) => l.isGiftCard).map((l) => l.gross)),
      discounts: sum(a.lines.map((l) => l.discount)),
      shipping: sum(a.shipping.map((s) => s.price)),
      tips: a.tip,
      duties: a.duties,
      giftCardRedemptions: negateMoney(a.giftCardRedemptions),
    },
    afterDiscounts: {
      products: sum(a.lines.filter((l) => !l.isGiftCard).map((l) => subtractMoney(l.gross, l.discount))),
      giftCardSales: sum(a.lines.filter((l) => l.isGiftCard).map((l) => subtractMoney(l.gross, l.discount))),
    },
  };
}

/** The parts of a QBO sale document this check reads; documents read back from QBO fit it too. */
export interface QboSaleDocumentLike {
  Line: Array<{
    DetailType: string;
    Amount: number;
    SalesItemLineDetail?: { ItemRef?: { value: string }; TaxInclusiveAmt?: number };
  }>;
  TxnTaxDetail?: { TotalTax?: number; TaxLine?: Array<{ Amount: number }> };
  GlobalTaxCalculation?: string;
  TotalAmt?: number;
}

export interface InvariantViolation {
  check: 'document_total' | 'total_amt' | 'tax' | 'tax_lines' | `category:${keyof CategoryTotals}`;
  expected: string;
  actual: string;
}

/**
 * TotalAmt as QBO computes it: Σ sales item lines − Σ discount lines + TotalTax; under TaxInclusive the
 * line grosses (TaxInclusiveAmt, or the Amount sent without one) − Σ discount lines, tax included.
 */
export function qboDocumentTotal(doc: QboSaleDocumentLike, currency: string): Money {
  const inclusive = doc.GlobalTaxCalculation === 'TaxInclusive';
  let total = inclusive ? zeroMoney(currency) : fromQboAmount(doc.TxnTaxDetail?.TotalTax ?? 0, currency);
  for (const line of doc.Line) {
    if (line.DetailType === 'SalesItemLineDetail') {
      const gross = inclusive ? (line.SalesItemLineDetail?.TaxInclusiveAmt ?? line.Amount) : line.Amount;
      total = addMoney(total, fromQboAmount(gross, currency));
    } else if (line.DetailType === 'DiscountLineDetail') {
      total = subtractMoney(total, fromQboAmount(line.Amount, currency));
    }
  }
  return total;
}

const CATEGORY_OF: Readonly<Record<LineCategory, keyof CategoryTotals>> = {
  shipping: 'shipping',
  tip: 'tips',
  giftCardSale: 'giftCardSales',
  giftCardRedemption: 'giftCardRedemptions',
  duties: 'duties',
  // Refund-only items; a sale document never carries them.
  returnNotRestocked: 'products',
  refundAdjustment: 'products',
};

function documentCategories(
  doc: QboSaleDocumentLike,
  currency: string,
  categoryItems: Partial<Record<LineCategory, string>>,
): CategoryTotals {
  const totals: CategoryTotals = {
    products: zeroMoney(currency),
    giftCardSales: zeroMoney(currency),
    discounts: zeroMoney(currency),
    shipping: zeroMoney(currency),
    tips: zeroMoney(currency),
    duties: zeroMoney(currency),
    giftCardRedemptions: zeroMoney(currency),
  };
  const byItem = new Map(Object.entries(categoryItems).map(([category, id]) => [id, CATEGORY_OF[category as LineCategory]]));
  for (const line of doc.Line) {
    if (line.DetailType === 'DiscountLineDetail') {
      totals.discounts = addMoney(totals.discounts, fromQboAmount(line.Amount, currency));
    } else if (line.DetailType === 'SalesItemLineDetail') {
      const gross = fromQboAmount(line.SalesItemLineDetail?.TaxInclusiveAmt ?? line.Amount, currency);
      const category = byItem.get(line.SalesItemLineDetail?.ItemRef?.value ?? '') ?? 'products';
      totals[category] = addMoney(totals[category], gross);
    }
  }
  return totals;
}

/**
 * Violations of invariant 2 for `doc` as the document of `order` (empty when it holds). Pass the
 * category item ids to compare each category too; a document with no discount line (tax-inclusive, or a
 * company with discounts off) books products and gift cards after their discounts, so those are compared net.
 */
export function checkDocumentAgainstOrder(
  order: ShopifyOrderCore,
  doc: QboSaleDocumentLike,
  options: { categoryItems?: Partial<Record<LineCategory, string>> } = {},
): InvariantViolation[] {
  const expected = expectedTotals(order);
  const c = expected.currency;
  const violations: InvariantViolation[] = [];
  const compare = (check: InvariantViolation['check'], want: Money, got: Money): void => {
    if (want.minor !== got.minor) violations.push({ check, expected: toDecimalString(want), actual: toDecimalString(got) });
  };

  compare('document_total', expected.documentTotal, qboDocumentTotal(doc, c));
  if (doc.TotalAmt !== undefined) compare('total_amt', expected.documentTotal, fromQboAmount(doc.TotalAmt, c));
  compare('tax', expected.tax, fromQboAmount(doc.TxnTaxDetail?.TotalTax ?? 0, c));
  if (doc.TxnTaxDetail?.TaxLine) {
    compare(
      'tax_lines',
      expected.tax,
      sumMoney(
        doc.TxnTaxDetail.TaxLine.map((t) => fromQboAmount(t.Amount, c)),
        c,
      ),
    );
  }
  if (options.categoryItems) {
    const actual = documentCategories(doc, c, options.categoryItems);
    // Tax-inclusive documents, and those of a company with discounts off, book lines after their discounts
    // with no discount line (sale-lines.ts); a document without one is compared that way.
    const afterDiscounts = doc.GlobalTaxCalculation === 'TaxInclusive' || !doc.Line.some((l) => l.DetailType === 'DiscountLineDetail');
    const want: CategoryTotals = afterDiscounts
      ? { ...expected.categories, ...expected.afterDiscounts, discounts: zeroMoney(c) }
      : expected.categories;
    for (const key of Object.keys(want) as Array<keyof CategoryTotals>) compare(`category:${key}`, want[key], actual[key]);
  }
  return violations;
}
