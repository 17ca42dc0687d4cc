import { faults } from '../core/faults';
import { centsToNumber, parseDecimal, qtyTimesPrice, toCents } from '../core/money';
import { systemAccount } from '../company/systemAccounts';
import type { Entity } from '../types';
import { lines } from './common';
import type { RuleContext } from './context';
import { checkRef, refId, requireRef } from './refs';
import type { TaxMode } from './tax';

/**
 * The lines of a sales form: item lines (Amount = Qty × UnitPrice within a cent, a tax code per QBO's
 * model), discount lines (to the discount account) and description-only lines (docs/qbo-facts.md §4).
 */
export type SalesType = 'SalesReceipt' | 'Invoice' | 'RefundReceipt' | 'CreditMemo';

/** docs/qbo-facts.md §4: the pseudo item for shipping when Preferences.SalesFormsPrefs.AllowShipping is on. */
export const SHIPPING_ITEM_ID = 'SHIPPING_ITEM_ID';

export interface SalesLine {
  line: Entity;
  kind: 'item' | 'discount' | 'other';
  net: number;
  incomeAccountId?: string;
  discountAccountId?: string;
  inventory?: { item: Entity; qty: bigint };
}

/** The brief and QBO agree: a line Amount may differ from Qty × UnitPrice by at most a cent of rounding. */
const MAX_LINE_GAP_CENTS = 1;

function itemLine(ctx: RuleContext, line: Entity, mode: TaxMode, now: string): SalesLine {
  const detail = line.SalesItemLineDetail;
  if (!detail) throw faults.requiredMissing('Line.SalesItemLineDetail');
  const itemId = refId(detail.ItemRef);
  if (itemId === undefined) throw faults.requiredMissing('Line.SalesItemLineDetail.ItemRef');
  let incomeAccountId: string;
  let item: Entity | undefined;
  if (itemId === SHIPPING_ITEM_ID && ctx.company.preferences().SalesFormsPrefs?.AllowShipping === true) {
    incomeAccountId = systemAccount(ctx.company, 'shipping', now);
  } else {
    item = requireRef(ctx, 'Item', detail.ItemRef, 'Line.SalesItemLineDetail.ItemRef');
    const account = refId(item.IncomeAccountRef);
    if (account === undefined) throw faults.business(`Item ${item.Id} has no income account`, 'ItemRef');
    incomeAccountId = account;
  }
  const qty = parseDecimal(detail.Qty);
  const price = parseDecimal(detail.UnitPrice);
  let net = toCents(line.Amount);
  const product = qty !== null && price !== null ? qtyTimesPrice(qty, price) : null;
  if (net === null) {
    if (product === null) throw faults.requiredMissing('Line.Amount');
    net = product;
  } else if (product !== null && Math.abs(net - product) > MAX_LINE_GAP_CENTS) {
    throw faults.business(`Amount is not equal to UnitPrice * Qty. Supplied value:${centsToNumber(net)}`, 'Line.Amount');
  }
  checkTaxCode(ctx, detail, item, mode);
  checkRef(ctx, 'Class', detail.ClassRef, 'Line.SalesItemLineDetail.ClassRef');
  const result: SalesLine = { line, kind: 'item', net, incomeAccountId };
  if (item?.Type === 'Inventory' && qty !== null && qty !== 0n) result.inventory = { item, qty };
  return result;
}

/** US lines say TAX or NON (default from Item.Taxable); global lines need a real tax code (docs/qbo-facts.md §4). */
function checkTaxCode(ctx: RuleContext, detail: Entity, item: Entity | undefined, mode: TaxMode): void {
  if (mode === 'US') {
    detail.TaxCodeRef ??= { value: item?.Taxable === true ? 'TAX' : 'NON' };
    const code = refId(detail.TaxCodeRef);
    if (code !== 'TAX' && code !== 'NON') throw faults.business(`US line TaxCodeRef must be TAX or NON, got ${code}`, 'TaxCodeRef');
    return;
  }
  if (mode === 'NotApplicable') return;
  if (refId(detail.TaxCodeRef) === undefined) {
    throw faults.business(
      'Make sure all your transactions have a tax code (GST/HST, VAT or GST rate) on every line before you save.',
      'TaxCodeRef',
    );
  }
  checkRef(ctx, 'TaxCode', detail.TaxCodeRef, 'Line.SalesItemLineDetail.TaxCodeRef');
}

/**
 * A company with discounts off (Preferences.SalesFormsPrefs.AllowDiscount false) has no discount on its sales forms
 * (Account and Settings → Sales → Discount; integrations tell users to turn it on before sending one:
 * https://github.com/Ubiquiti-App/UCRM-plugins/pull/89). Intuit does not document the API's answer; the emulator
 * refuses the line with a business validation fault rather than drop it, our reading (docs/qbo-facts.md §4
 * "Company preferences"), so a client that sends one is seen at once.
 */
function discountLine(ctx: RuleContext, line: Entity, now: string): SalesLine {
  const detail = line.DiscountLineDetail;
  if (!detail) throw faults.requiredMissing('Line.DiscountLineDetail');
  if (ctx.company.preferences().SalesFormsPrefs?.AllowDiscount === false) {
    throw faults.business(
      'Discounts are turned off for this company (Account and Settings, Sales, Discount): a DiscountLineDetail line cannot be saved',
      'Line.DiscountLineDetail',
    );
  }
  const account = checkRef(ctx, 'Account', detail.DiscountAccountRef, 'Line.DiscountLineDetail.DiscountAccountRef');
  const discountAccountId = account ? String(account.Id) : systemAccount(ctx.company, 'discounts', now);
  const net = toCents(line.Amount);
  const percentBased = detail.PercentBased === true || detail.PercentBased === 'true';
  if (net === null && !(percentBased && detail.DiscountPercent !== undefined)) throw faults.requiredMissing('Line.Amount');
  return { line, kind: 'discount', net: net ?? 0, discountAccountId };
}

export function parseLines(ctx: RuleContext, type: SalesType, doc: Entity, mode: TaxMode, now: string): SalesLine[] {
  const parsed = lines(doc)
    .filter((line) => line.DetailType !== 'SubTotalLineDetail')
    .map((line): SalesLine => {
      switch (line.DetailType) {
        case 'SalesItemLineDetail':
          return itemLine(ctx, line, mode, now);
        case 'DiscountLineDetail':
          return discountLine(ctx, line, now);
        case 'DescriptionOnly':
          return { line, kind: 'other', net: 0 };
        case undefined:
        case null:
          throw faults.requiredMissing('Line.DetailType');
        default:
          throw faults.business(`Line DetailType ${line.DetailType} is not allowed on a ${type}`, 'Line.DetailType');
      }
    });
  if (!parsed.some((l) => l.kind === 'item')) throw faults.business(`A ${type} needs at least one SalesItemLineDetail line`, 'Line');
  return parsed;
}
