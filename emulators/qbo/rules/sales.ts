import { faults } from '../core/faults';
import { centsToNumber, parseDecimal, percentOf, qtyTimesPrice, toCents } from '../core/money';
import { qtyText } from '../books/ledger';
import type { Posting } from '../company/state';
import { systemAccount } from '../company/systemAccounts';
import type { Entity } from '../types';
import { isDepositAccount, lines, prepareTxnHeader } from './common';
import type { EntityRules, Prepared, RuleContext } from './context';
import { checkRef, lookup, refId, requireRef } from './refs';
import { parseLines, type SalesLine, type SalesType } from './salesLines';
import { computeTax, type TaxLineInput, type TaxMode } from './tax';

/**
 * SalesReceipt, Invoice, RefundReceipt and CreditMemo share QBO's sales-form rules (docs/qbo-facts.md §4): lines,
 * discounts, tax, a server-computed TotalAmt, and the postings of each form (README "Books").
 */
function taxMode(ctx: RuleContext, doc: Entity): TaxMode {
  // A company with sales tax off (Preferences.TaxPrefs.UsingSalesTax false) charges none: the TxnTaxDetail and
  // line tax codes sent are ignored and the form books no tax (docs/qbo-facts.md §4 "Company preferences";
  // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/preferences TaxPrefs).
  if (ctx.company.preferences().TaxPrefs?.UsingSalesTax === false) return 'NotApplicable';
  if (ctx.company.country === 'US') return 'US';
  doc.GlobalTaxCalculation ??= 'TaxExcluded';
  return doc.GlobalTaxCalculation as TaxMode;
}

/** Whole days added to a YYYY-MM-DD date. */
function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * What QBO fills on a SalesReceipt or Invoice that was sent without it, as the recorded answers show
 * (test/fixtures/qbo-recorded/qbo_api/create/invoice.yml, update/sales_receipt.yml):
 * - `CustomerRef.name` (the customer's DisplayName);
 * - `PrintStatus` "NeedToPrint" and `EmailStatus` "NotSet" (so a form sent without PrintStatus joins the print queue);
 * - `ApplyTaxAfterDiscount` false in a US company;
 * - on an Invoice, the customer's `BillAddr` and `ShipAddr` (Id included) when the form has none, and `DueDate`:
 *   the recorded invoice of 2020-09-29 is due 2020-10-29, 30 days on, in a company whose default term is Net 30,
 *   with no SalesTermRef on the form. The term is the form's, else the customer's, else
 *   `Preferences.SalesFormsPrefs.DefaultTerms` (that order is our reading); with none the XSD's rule applies
 *   ("If the date is not supplied, the current date on the server is used", Finance.xsd `Invoice.DueDate`).
 */
function fillSalesDefaults(ctx: RuleContext, type: SalesType, doc: Entity, customer: Entity | undefined): void {
  if (customer && doc.CustomerRef && typeof doc.CustomerRef === 'object')
    doc.CustomerRef = { ...doc.CustomerRef, name: customer.DisplayName };
  if (type !== 'SalesReceipt' && type !== 'Invoice') return;
  if (ctx.company.country === 'US') doc.ApplyTaxAfterDiscount ??= false;
  doc.PrintStatus ??= 'NeedToPrint';
  doc.EmailStatus ??= 'NotSet';
  if (type !== 'Invoice') return;
  if (customer?.BillAddr && doc.BillAddr === undefined) doc.BillAddr = { ...customer.BillAddr };
  if (customer?.ShipAddr && doc.ShipAddr === undefined) doc.ShipAddr = { ...customer.ShipAddr };
  if (doc.DueDate === undefined) {
    const termRef = doc.SalesTermRef ?? customer?.SalesTermRef ?? ctx.company.preferences().SalesFormsPrefs?.DefaultTerms;
    const term = lookup(ctx, 'Term', refId(termRef));
    const days = Number(term?.DueDays);
    doc.DueDate = term && Number.isFinite(days) ? addDays(String(doc.TxnDate), days) : ctx.clock.today();
  }
}

export function prepareSales(ctx: RuleContext, type: SalesType, doc: Entity, previous?: Entity): Prepared {
  const { company } = ctx;
  const now = ctx.clock.timestamp();
  prepareTxnHeader(ctx, type, doc);
  const customer =
    type === 'Invoice' || type === 'CreditMemo'
      ? requireRef(ctx, 'Customer', doc.CustomerRef, 'CustomerRef')
      : checkRef(ctx, 'Customer', doc.CustomerRef, 'CustomerRef');
  checkRef(ctx, 'PaymentMethod', doc.PaymentMethodRef, 'PaymentMethodRef');
  checkRef(ctx, 'Term', doc.SalesTermRef, 'SalesTermRef');
  fillSalesDefaults(ctx, type, doc, customer);
  let targetAccountId: string;
  if (type === 'SalesReceipt' || type === 'RefundReceipt') {
    if (type === 'RefundReceipt' && refId(doc.DepositToAccountRef) === undefined) throw faults.requiredMissing('DepositToAccountRef');
    doc.DepositToAccountRef ??= { value: systemAccount(company, 'undepositedFunds', now) };
    const account = requireRef(ctx, 'Account', doc.DepositToAccountRef, 'DepositToAccountRef');
    // QBO names the account in the reference it returns ("Undeposited Funds": test/fixtures/qbo-recorded/qbo_api/update/sales_receipt.yml).
    doc.DepositToAccountRef = { ...doc.DepositToAccountRef, name: account.Name };
    if (!isDepositAccount(account))
      throw faults.business(
        `DepositToAccountRef must be a Bank or Other Current Asset account (account ${account.Id} is ${account.AccountType})`,
        'DepositToAccountRef',
      );
    targetAccountId = String(account.Id);
    // Intuit's RefundReceipt sample (docs/qbo-facts.md §8): refunded from a Bank account with no print
    // status given, QBO queues a cheque to print and fills the reference number with "To Print".
    if (type === 'RefundReceipt' && account.AccountType === 'Bank' && doc.PrintStatus === undefined) {
      doc.PrintStatus = 'NeedToPrint';
      doc.PaymentRefNum ??= 'To Print';
    }
  } else {
    targetAccountId = systemAccount(company, 'accountsReceivable', now);
  }

  const mode = taxMode(ctx, doc);
  const parsed = parseLines(ctx, type, doc, mode, now);
  const taxInputs: TaxLineInput[] = [];
  parsed.forEach((l, index) => {
    if (l.kind !== 'item') return;
    const detail = l.line.SalesItemLineDetail as Entity;
    taxInputs.push({
      index,
      net: l.net,
      gross: mode === 'TaxInclusive' ? toCents(detail.TaxInclusiveAmt) : null,
      codeId: refId(detail.TaxCodeRef),
    });
  });
  const tax = computeTax(ctx, doc, taxInputs, mode);
  for (const [index, amounts] of tax.amounts) {
    const l = parsed[index] as SalesLine;
    l.net = amounts.net;
    if (amounts.gross !== undefined) (l.line.SalesItemLineDetail as Entity).TaxInclusiveAmt = centsToNumber(amounts.gross);
  }
  const subtotal = parsed.filter((l) => l.kind === 'item').reduce((s, l) => s + l.net, 0);
  for (const l of parsed) {
    const detail = l.line.DiscountLineDetail;
    if (l.kind === 'discount' && (detail.PercentBased === true || detail.PercentBased === 'true') && detail.DiscountPercent !== undefined) {
      l.net = percentOf(subtotal, parseDecimal(detail.DiscountPercent) ?? 0n);
    }
  }
  const discounts = parsed.filter((l) => l.kind === 'discount').reduce((s, l) => s + l.net, 0);
  // Intuit's field docs: TotalAmt is "calculated by QuickBooks business logic; any value you supply is over-written".
  // Under TaxInclusive the item nets already carry the tax to their grosses (tax.ts keepGross), so this is
  // Σ grosses − discounts: a discount line is read with its tax in it (docs/qbo-facts.md §4 "Tax-inclusive documents").
  const total = subtotal - discounts + tax.totalTax;
  if (total < 0) throw faults.business(`Transaction total ${centsToNumber(total)} cannot be negative`, 'TotalAmt');

  writeLines(doc, parsed, subtotal, previous);
  doc.TxnTaxDetail = tax.detail;
  doc.TotalAmt = centsToNumber(total);
  if (type === 'Invoice') {
    const applied = company.state.applied[String(doc.Id)] ?? 0;
    if (total < applied)
      throw faults.business(`Invoice total ${centsToNumber(total)} is less than the ${centsToNumber(applied)} already paid`, 'TotalAmt');
    doc.Balance = centsToNumber(total - applied);
  } else if (type === 'CreditMemo') {
    doc.Balance = doc.TotalAmt;
    doc.RemainingCredit = doc.TotalAmt;
  } else {
    doc.Balance = 0;
  }
  return { effects: salesEffects(ctx, type, doc, parsed, targetAccountId, total, tax.totalTax, now) };
}

/**
 * Lines in QBO's order (items, its SubTotal line, discounts), numbered 1…n. On an update a line sent with the Id of
 * one of the stored lines keeps it, and a line sent without one is a new line with the next Id: re-sending
 * SalesReceipt 17's only line (Id 5) without its Id came back as line 6 (test/fixtures/qbo-recorded/qbo_api/update/sales_receipt.yml).
 */
function writeLines(doc: Entity, parsed: SalesLine[], subtotal: number, previous: Entity | undefined): void {
  const storedIds = new Set(lines(previous ?? {}).map((l) => String(l.Id ?? '')));
  let nextId = Math.max(0, ...[...storedIds].map(Number).filter(Number.isInteger));
  let lineNum = 0;
  const out: Entity[] = [];
  const numbered = (l: SalesLine): Entity => {
    const sentId = l.line.Id === undefined ? undefined : String(l.line.Id);
    const id = previous && sentId !== undefined && storedIds.has(sentId) ? sentId : String(++nextId);
    return { ...l.line, Id: id, LineNum: ++lineNum, Amount: centsToNumber(l.net) };
  };
  const subtotalLine = { Amount: centsToNumber(subtotal), DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} };
  for (const l of parsed.filter((p) => p.kind !== 'discount')) out.push(numbered(l));
  out.push(subtotalLine);
  for (const l of parsed.filter((p) => p.kind === 'discount')) out.push(numbered(l));
  doc.Line = out;
}

function salesEffects(
  ctx: RuleContext,
  type: SalesType,
  doc: Entity,
  parsed: SalesLine[],
  targetAccountId: string,
  total: number,
  totalTax: number,
  now: string,
): Prepared['effects'] {
  // Receipts and invoices debit the money side and credit income; refunds and credit memos do the reverse.
  const sign = type === 'RefundReceipt' || type === 'CreditMemo' ? -1 : 1;
  const postings: Posting[] = [{ accountId: targetAccountId, cents: total }];
  const qty: { itemId: string; delta: string }[] = [];
  for (const l of parsed) {
    if (l.kind === 'item' && l.incomeAccountId) postings.push({ accountId: l.incomeAccountId, cents: -l.net });
    if (l.kind === 'discount' && l.discountAccountId) postings.push({ accountId: l.discountAccountId, cents: l.net });
    if (l.inventory) {
      const { item, qty: units } = l.inventory;
      const cost = qtyTimesPrice(units, parseDecimal(item.PurchaseCost) ?? 0n);
      const cogs = refId(item.ExpenseAccountRef);
      const asset = refId(item.AssetAccountRef);
      if (cost !== 0 && cogs && asset) postings.push({ accountId: cogs, cents: cost }, { accountId: asset, cents: -cost });
      qty.push({ itemId: String(item.Id), delta: qtyText(-BigInt(sign) * units) });
    }
  }
  if (totalTax !== 0) postings.push({ accountId: systemAccount(ctx.company, 'taxPayable', now), cents: -totalTax });
  return {
    date: String(doc.TxnDate),
    postings: postings.filter((p) => p.cents !== 0).map((p) => ({ accountId: p.accountId, cents: p.cents * sign })),
    qty,
  };
}

export function salesRules(type: SalesType): EntityRules {
  return {
    prepare: (ctx, doc, previous) => prepareSales(ctx, type, doc, previous),
    computed: ['TotalAmt', 'HomeTotalAmt', 'Balance', 'HomeBalance', 'RemainingCredit'],
    create: true,
    update: true,
    delete: true,
    void: type !== 'CreditMemo',
  };
}
