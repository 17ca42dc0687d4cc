/**
 * Invariant 2, checked: a QBO sale document (built, or read back for the nightly audit) against its
 * Shopify order. Document total + gift-card redemptions = Shopify total price; tax = Shopify tax; and,
 * when the category items are known, every category sums to Shopify's figure.
 *
 * QBO's TotalAmt is recomputed the way QBO computes it: Σ sales item lines − Σ discount lines + tax.
 * Ledgerline writes tax-inclusive lines with `Amount` net of tax (TaxInclusiveAmt holds the gross), so the
 * tax is added in both regimes.
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

/** Σ sales item lines − Σ discount lines + TotalTax, as QBO computes TotalAmt. */
export function qboDocumentTotal(doc: QboSaleDocumentLike, currency: string): Money {
  let total = fromQboAmount(doc.TxnTaxDetail?.TotalTax ?? 0, currency);
  for (const line of doc.Line) {
    const amount = fromQboAmount(line.Amount, currency);
    if (line.DetailType === 'SalesItemLineDetail') total = addMoney(total, amount);
    else if (line.DetailType === 'DiscountLineDetail') total = subtractMoney(total, amount);
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
 * category item ids to compare each category too; discounts are compared only for tax-exclusive
 * documents (tax-inclusive discount lines are net of tax, which Shopify does not report).
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
    for (const key of Object.keys(expected.categories) as Array<keyof CategoryTotals>) {
      if (key === 'discounts' && doc.GlobalTaxCalculation === 'TaxInclusive') continue;
      compare(`category:${key}`, expected.categories[key], actual[key]);
    }
  }
  return violations;
}
