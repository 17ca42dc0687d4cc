/**
 * The lines of a sale document (SalesReceipt or Invoice), one category at a time:
 * products (gross, before discounts) · gift cards sold · one discount line · shipping · tips · duties ·
 * gift cards redeemed (negative). Tax codes and taxable bases are collected on the way.
 *
 * Shipping discounts are netted into the shipping line (its Amount is what the customer paid for
 * shipping, Shopify's `discountedPriceSet`): Shopify taxes the discounted shipping price, and QBO's
 * DiscountLineDetail is a discount on the item subtotal, so folding shipping discounts into it would
 * misstate both the shipping income and the taxable base of shipping.
 *
 * Tax-inclusive documents (GB/EU/AU VAT, `GlobalTaxCalculation: TaxInclusive`) carry no discount line:
 * each product line is booked after its discounts, `TaxInclusiveAmt` = what the customer paid for it and
 * `Amount` = that less Shopify's tax on it. Under TaxInclusive every amount on the form is read with its
 * tax in it, so a discount line would come off the tax-inclusive total while the tax sent stays Shopify's;
 * a line whose net plus its own tax equals its gross books the same total whichever of `Amount` or
 * `TaxInclusiveAmt` QBO starts from (docs/qbo-facts.md §4 "Tax-inclusive documents", issue #12 item 2; Intuit's
 * TaxInclusiveAmt and TotalAmt: https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/salesreceipt).
 */
import type { MappingNeed } from '../errors';
import {
  currencyExponent,
  divideToDecimalString,
  negateMoney,
  subtractMoney,
  sumMoney,
  toDecimalString,
  toQboAmount,
  type Money,
} from '../money';
import { DEFAULT_COMPANY_PREFS, type CompanyPrefs, type Settings } from '../settings';
import type { OrderAmounts, SaleLineAmounts } from './order-amounts';
import type { QboDiscountLine, QboSalesItemLine, QboSalesLine, QboRef } from './qbo-types';
import { itemKeyFor, itemKeyId, lineDescription, type LineCategory, type ResolvedRefs } from './references';
import { createTaxCoder, TaxableBases } from './tax';

/** QBO amounts are "10.5 format" (docs/qbo-facts.md §4): at most 5 decimal places in a unit price. */
const QBO_MAX_DECIMALS = 5;

/**
 * UnitPrice with Amount = UnitPrice × Qty: exact when the amount divides evenly, otherwise rounded to
 * QBO's 5 places, which keeps UnitPrice × Qty within half a cent of Amount for quantities below 1000.
 */
function unitPrice(amount: Money, qty: number): number {
  if (qty === 0) return 0;
  if (amount.minor % qty === 0) return toQboAmount({ minor: amount.minor / qty, currency: amount.currency });
  return Number(divideToDecimalString(amount, qty, Math.max(QBO_MAX_DECIMALS, currencyExponent(amount.currency))));
}

export interface SaleLinesResult {
  lines: QboSalesLine[];
  /** Net amounts taxed per Shopify tax line, for TxnTaxDetail.TaxLine's NetAmountTaxable. */
  bases: TaxableBases;
}

export interface LineContext {
  settings: Settings;
  refs: ResolvedRefs;
  needs: MappingNeed[];
  inclusive: boolean;
}

/**
 * Lines booked after their discounts, with no discount line: tax-inclusive documents (above), and companies with
 * discounts turned off (Preferences.SalesFormsPrefs.AllowDiscount false), whose forms take no discount line
 * (docs/qbo-facts.md §4 "Company preferences"; https://github.com/Ubiquiti-App/UCRM-plugins/pull/89). The line's
 * Amount is then what was paid for it and its description names the discount; Shopify's tax is unchanged, since
 * Shopify taxes the discounted price either way.
 */
function linesAfterDiscount(ctx: LineContext, company: CompanyPrefs): boolean {
  return ctx.inclusive || !company.discounts;
}

export function itemLine(
  item: QboRef,
  amount: Money,
  gross: Money,
  qty: number,
  taxCode: QboRef,
  ctx: LineContext,
  description?: string,
): QboSalesItemLine {
  return {
    DetailType: 'SalesItemLineDetail',
    Amount: toQboAmount(amount),
    ...(description ? { Description: description } : {}),
    SalesItemLineDetail: {
      ItemRef: item,
      Qty: qty,
      UnitPrice: unitPrice(amount, qty),
      TaxCodeRef: taxCode,
      ...(ctx.inclusive ? { TaxInclusiveAmt: toQboAmount(gross) } : {}),
    },
  };
}

function categoryRef(category: LineCategory, ctx: LineContext): QboRef {
  const id = ctx.refs.categoryItems[category];
  if (!id) ctx.needs.push({ kind: 'categoryItem', key: category });
  return { value: id ?? '' };
}

function productRef(l: SaleLineAmounts, ctx: LineContext): QboRef {
  const key = itemKeyFor(l.line, ctx.settings);
  const id = ctx.refs.items[itemKeyId(key)];
  if (!id) ctx.needs.push({ kind: 'item', key: key.by === 'sku' ? `SKU ${key.sku}` : `name "${key.name}"` });
  return { value: id ?? '' };
}

export function buildSaleLines(
  a: OrderAmounts,
  settings: Settings,
  refs: ResolvedRefs,
  needs: MappingNeed[],
  discountNames: readonly string[],
  company: CompanyPrefs = DEFAULT_COMPANY_PREFS,
): SaleLinesResult {
  const ctx: LineContext = { settings, refs, needs, inclusive: settings.taxMode === 'global' && a.taxesIncluded };
  const coder = createTaxCoder(settings, needs);
  const bases = new TaxableBases();
  const lines: QboSalesLine[] = [];
  const discounts: Money[] = [];

  for (const l of a.lines) {
    if (linesAfterDiscount(ctx, company)) {
      lines.push(productLineAfterDiscount(l, a.currency, ctx, coder, bases));
      continue;
    }
    discounts.push(l.discount);
    const paidNet = subtractMoney(l.gross, l.discount);
    if (l.isGiftCard) {
      lines.push(
        itemLine(
          categoryRef('giftCardSale', ctx),
          l.gross,
          l.gross,
          l.line.quantity,
          coder.exempt(),
          ctx,
          `Gift card: ${lineDescription(l.line)}`,
        ),
      );
      continue;
    }
    bases.add(l.taxes, paidNet);
    lines.push(
      itemLine(productRef(l, ctx), l.gross, l.gross, l.line.quantity, coder.codeFor(l.taxes, l.line.taxable), ctx, lineDescription(l.line)),
    );
  }

  const discount = sumMoney(discounts, a.currency);
  if (discount.minor !== 0) lines.push(discountLine(discount, settings, discountNames));

  for (const s of a.shipping) {
    if (s.price.minor === 0) continue;
    const net = ctx.inclusive ? subtractMoney(s.price, s.tax) : s.price;
    bases.add(s.taxes, net);
    const note =
      s.original.minor !== s.price.minor
        ? ` (after a ${toDecimalString(subtractMoney(s.original, s.price))} ${a.currency} shipping discount)`
        : '';
    lines.push(
      itemLine(categoryRef('shipping', ctx), net, s.price, 1, coder.codeFor(s.taxes, true), ctx, `Shipping: ${s.line.title}${note}`),
    );
  }
  if (a.tip.minor !== 0) lines.push(itemLine(categoryRef('tip', ctx), a.tip, a.tip, 1, coder.exempt(), ctx, 'Tip'));
  if (a.duties.minor !== 0) lines.push(itemLine(categoryRef('duties', ctx), a.duties, a.duties, 1, coder.exempt(), ctx, 'Duties'));
  if (a.giftCardRedemptions.minor !== 0) {
    // Redeeming a gift card settles part of the sale from the liability: a negative line on the
    // redemption item (bound to the gift card liability) debits it, and the deposit is what the
    // gateways actually collected.
    const redeemed = negateMoney(a.giftCardRedemptions);
    lines.push(itemLine(categoryRef('giftCardRedemption', ctx), redeemed, redeemed, 1, coder.exempt(), ctx, 'Gift card redeemed'));
  }
  return { lines, bases };
}

/**
 * A product (or gift card) line after its discounts. Tax-inclusive: TaxInclusiveAmt is what the customer paid for
 * it (gross − discounts, Shopify's prices include the tax) and Amount that less the line's own Shopify tax, so
 * Amount + tax = TaxInclusiveAmt to the cent. Tax-exclusive (discounts off): Amount is gross − discounts.
 */
function productLineAfterDiscount(
  l: SaleLineAmounts,
  currency: string,
  ctx: LineContext,
  coder: ReturnType<typeof createTaxCoder>,
  bases: TaxableBases,
): QboSalesItemLine {
  const paid = subtractMoney(l.gross, l.discount);
  const note = l.discount.minor !== 0 ? ` (after a ${toDecimalString(l.discount)} ${currency} discount)` : '';
  if (l.isGiftCard) {
    const ref = categoryRef('giftCardSale', ctx);
    return itemLine(ref, paid, paid, l.line.quantity, coder.exempt(), ctx, `Gift card: ${lineDescription(l.line)}${note}`);
  }
  const net = ctx.inclusive ? subtractMoney(paid, l.tax) : paid;
  bases.add(l.taxes, net);
  const code = coder.codeFor(l.taxes, l.line.taxable);
  return itemLine(productRef(l, ctx), net, paid, l.line.quantity, code, ctx, `${lineDescription(l.line)}${note}`);
}

function discountLine(amount: Money, settings: Settings, names: readonly string[]): QboDiscountLine {
  return {
    DetailType: 'DiscountLineDetail',
    Amount: toQboAmount(amount),
    Description: names.length > 0 ? `Discounts: ${names.join(', ')}`.slice(0, 4000) : 'Discounts',
    DiscountLineDetail: { PercentBased: false, DiscountAccountRef: { value: settings.accounts.discounts } },
  };
}
