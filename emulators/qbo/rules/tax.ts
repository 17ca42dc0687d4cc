import { faults } from '../core/faults';
import { SCALE, centsToNumber, decimalToNumber, parseDecimal, percentOf, roundDiv, toCents } from '../core/money';
import type { Entity } from '../types';
import type { RuleContext } from './context';
import { lines } from './common';
import { checkRef, lookup, refId } from './refs';

/**
 * Sales tax as QBO computes it (docs/qbo-facts.md §4; rounding and allocation choices in README "Tax"):
 * - US: lines carry TAX/NON; with Automated Sales Tax the rate comes from the ShipAddr (ZIP, then state) or
 *   the company address, otherwise from TxnTaxCodeRef. Tax = rate × Σ TAX lines, per rate, rounded.
 * - Global: each line's TaxCodeRef names its rates. TaxExcluded: tax = rate × Σ net per rate, rounded.
 *   TaxInclusive: the tax is extracted from each line's gross (TaxInclusiveAmt, else the sent Amount).
 * Sent TaxLine amounts and TxnTaxDetail.TotalTax are kept; only absent amounts are computed.
 * TaxInclusive keeps each line's gross (what the customer pays), so a sent tax that differs from the extracted one
 * moves a net Amount, and TotalAmt (sales.ts) is Σ grosses − discount lines: a discount line reads, like every
 * amount on a tax-inclusive form, with its tax in it (docs/qbo-facts.md §4 "Tax-inclusive documents";
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/salesreceipt TaxInclusiveAmt and
 * TotalAmt; https://github.com/intuit/QuickBooks-V3-PHP-SDK/issues/232).
 */
export type TaxMode = 'US' | 'TaxExcluded' | 'TaxInclusive' | 'NotApplicable';

export interface TaxLineInput {
  index: number;
  net: number;
  /** TaxInclusive: the sent TaxInclusiveAmt, null when the sent Amount is the gross. */
  gross: number | null;
  codeId: string | undefined;
}

export interface TaxOutcome {
  detail: Entity;
  totalTax: number;
  /** Final net Amount (and TaxInclusive gross) per line index. */
  amounts: Map<number, { net: number; gross?: number }>;
}

interface Rate {
  id: string;
  rate: bigint;
}

interface Bucket extends Rate {
  base: number;
  amount: number;
  delta?: number;
}

function ratesOf(ctx: RuleContext, code: Entity | undefined): Rate[] {
  const details: Entity[] = code?.SalesTaxRateList?.TaxRateDetail ?? [];
  return details.flatMap((d) => {
    const id = refId(d.TaxRateRef);
    const rate = lookup(ctx, 'TaxRate', id);
    return id && rate ? [{ id, rate: parseDecimal(rate.RateValue) ?? 0n }] : [];
  });
}

/** AST's rate table: the ShipAddr's ZIP, then its state; without a ShipAddr, the company address. */
export function astTaxCode(ctx: RuleContext, doc: Entity): Entity | undefined {
  const address: Entity | undefined = doc.ShipAddr ?? ctx.company.companyInfo().CompanyAddr;
  const zip = String(address?.PostalCode ?? '').slice(0, 5);
  const state = String(address?.CountrySubDivisionCode ?? '').toUpperCase();
  const table = ctx.company.state.jurisdictions;
  const hit =
    table.find((j) => j.postalCode !== undefined && j.postalCode === zip) ??
    table.find((j) => j.postalCode === undefined && j.state.toUpperCase() === state);
  return hit ? lookup(ctx, 'TaxCode', hit.taxCodeId) : undefined;
}

function bucketFor(buckets: Map<string, Bucket>, rate: Rate): Bucket {
  let bucket = buckets.get(rate.id);
  if (!bucket) buckets.set(rate.id, (bucket = { ...rate, base: 0, amount: 0 }));
  return bucket;
}

/** Splits a line's tax over its code's rates in proportion to the rates; the last rate takes the remainder. */
function split(tax: number, rates: Rate[]): number[] {
  const total = rates.reduce((s, r) => s + r.rate, 0n);
  let left = tax;
  return rates.map((r, i) => {
    if (i === rates.length - 1) return left;
    const share = total === 0n ? 0 : Number(roundDiv(BigInt(tax) * r.rate, total));
    left -= share;
    return share;
  });
}

export function computeTax(ctx: RuleContext, doc: Entity, inputs: TaxLineInput[], mode: TaxMode): TaxOutcome {
  const amounts = new Map<number, { net: number; gross?: number }>(inputs.map((l) => [l.index, { net: l.net }]));
  if (mode === 'NotApplicable') return { detail: { TotalTax: 0 }, totalTax: 0, amounts };
  const buckets = new Map<string, Bucket>();
  let usCode: Entity | undefined;
  if (mode === 'US') {
    if (ctx.company.usesAst()) usCode = astTaxCode(ctx, doc);
    else {
      // Without AST a US form's rate is the TxnTaxCodeRef it names, and a TotalTax override needs one: Intuit's answer
      // is that an override is sent as TxnTaxDetail.TxnTaxCodeRef with TxnTaxDetail.TotalTax
      // (https://github.com/intuit/QuickBooks-V3-PHP-SDK/issues/199, comment by Intuit's hlu2; docs/qbo-facts.md §4).
      // A TotalTax of 0 without a code overrides nothing (no code, no tax): QBO reads such a form back with
      // TxnTaxDetail {TotalTax: 0} (test/fixtures/qbo-recorded/qbo_api/update/sales_receipt.yml), so a sparse update
      // or a read-modify-write sends it again.
      const sentTotal = doc.TxnTaxDetail?.TotalTax;
      const overrides = sentTotal !== undefined && sentTotal !== null && toCents(sentTotal) !== 0;
      if (overrides && refId(doc.TxnTaxDetail?.TxnTaxCodeRef) === undefined) {
        throw faults.business(
          'TxnTaxDetail.TotalTax needs TxnTaxDetail.TxnTaxCodeRef: a company without automated sales tax takes the rate from the tax code named',
          'TxnTaxDetail.TxnTaxCodeRef',
        );
      }
      usCode = checkRef(ctx, 'TaxCode', doc.TxnTaxDetail?.TxnTaxCodeRef, 'TxnTaxCodeRef');
    }
    const base = usTaxableBase(doc, inputs);
    for (const rate of ratesOf(ctx, usCode)) bucketFor(buckets, rate).base += base;
  } else {
    for (const line of inputs) {
      const rates = ratesOf(ctx, lookup(ctx, 'TaxCode', line.codeId));
      const entry = amounts.get(line.index) as { net: number; gross?: number };
      if (mode === 'TaxInclusive') {
        const totalRate = rates.reduce((s, r) => s + r.rate, 0n);
        const gross = line.gross ?? line.net;
        const net = line.gross === null ? gross - Number(roundDiv(BigInt(gross) * totalRate, 100n * SCALE + totalRate)) : line.net;
        entry.net = net;
        entry.gross = gross;
        split(gross - net, rates).forEach((share, i) => {
          const bucket = bucketFor(buckets, rates[i] as Rate);
          bucket.base += net;
          bucket.amount += share;
        });
      } else {
        for (const rate of rates) bucketFor(buckets, rate).base += line.net;
      }
    }
  }
  if (mode !== 'TaxInclusive') for (const bucket of buckets.values()) bucket.amount = percentOf(bucket.base, bucket.rate);
  const computedTotal = [...buckets.values()].reduce((s, b) => s + b.amount, 0);
  const totalTax = applyOverrides(ctx, doc.TxnTaxDetail, buckets);
  if (mode === 'TaxInclusive') keepGross(inputs, amounts, totalTax);
  const detail: Entity = {
    TotalTax: centsToNumber(totalTax),
    TaxLine: [...buckets.values()].map((b) => taxLine(b, mode)),
  };
  if (usCode) detail.TxnTaxCodeRef = { value: String(usCode.Id) };
  if (mode === 'US' && ctx.company.usesAst() && totalTax !== computedTotal) detail.TaxReviewStatus = 'AST_TAX_OVERRIDE';
  return { detail, totalTax, amounts };
}

/**
 * The taxable amount of a US form: Σ TAX lines, less their share of the form's discount lines when
 * `ApplyTaxAfterDiscount` is true. Intuit's XSD (Finance.xsd, SalesTransaction.ApplyTaxAfterDiscount): "If false or
 * null, calculate the sales tax first, and then apply the discount. If true, subtract the discount first and then
 * calculate the sales tax." How QBO splits a form's discount between taxable and untaxed lines is not documented;
 * the emulator spreads it in proportion to the lines (docs/qbo-facts.md §4 "Company preferences").
 */
function usTaxableBase(doc: Entity, inputs: TaxLineInput[]): number {
  const taxable = inputs.filter((l) => l.codeId === 'TAX').reduce((s, l) => s + l.net, 0);
  if (doc.ApplyTaxAfterDiscount !== true && doc.ApplyTaxAfterDiscount !== 'true') return taxable;
  const all = inputs.reduce((s, l) => s + l.net, 0);
  const discount = lines(doc)
    .filter((l) => l.DetailType === 'DiscountLineDetail')
    .reduce((s, l) => s + (toCents(l.Amount) ?? 0), 0);
  if (all === 0 || discount === 0) return taxable;
  return taxable - Number(roundDiv(BigInt(discount) * BigInt(taxable), BigInt(all)));
}

/** Sent TaxLine amounts replace their rate's amount; a sent TotalTax wins, its difference shown as OverrideDeltaAmount. */
function applyOverrides(ctx: RuleContext, sent: Entity | undefined, buckets: Map<string, Bucket>): number {
  let overridden = 0;
  for (const line of (sent?.TaxLine ?? []) as Entity[]) {
    const rateRef = line.TaxLineDetail?.TaxRateRef;
    const amount = toCents(line.Amount);
    if (refId(rateRef) === undefined || amount === null) continue;
    const rate = checkRef(ctx, 'TaxRate', rateRef, 'TxnTaxDetail.TaxLine.TaxLineDetail.TaxRateRef') as Entity;
    const bucket = bucketFor(buckets, { id: String(rate.Id), rate: parseDecimal(rate.RateValue) ?? 0n });
    bucket.amount = amount;
    overridden += 1;
  }
  const lineTotal = [...buckets.values()].reduce((s, b) => s + b.amount, 0);
  const sentTotal = sent?.TotalTax === undefined || sent.TotalTax === null ? null : toCents(sent.TotalTax);
  if (sentTotal === null || sentTotal === lineTotal) return lineTotal;
  if (overridden > 0) {
    throw faults.business(
      `TxnTaxDetail.TotalTax ${centsToNumber(sentTotal)} does not equal the sum of the sent TaxLine amounts ${centsToNumber(lineTotal)}`,
      'TxnTaxDetail.TotalTax',
    );
  }
  const largest = [...buckets.values()].sort((a, b) => Math.abs(b.amount) - Math.abs(a.amount))[0];
  if (largest) {
    largest.delta = sentTotal - lineTotal;
    largest.amount += largest.delta;
  }
  return sentTotal;
}

/** TaxInclusive: the customer paid the gross, so a tax that differs from the extracted one moves the net of the largest line. */
function keepGross(inputs: TaxLineInput[], amounts: Map<number, { net: number; gross?: number }>, totalTax: number): void {
  let extracted = 0;
  let largest: { net: number; gross?: number } | undefined;
  for (const line of inputs) {
    const entry = amounts.get(line.index) as { net: number; gross?: number };
    extracted += (entry.gross ?? entry.net) - entry.net;
    if (!largest || Math.abs(entry.gross ?? 0) > Math.abs(largest.gross ?? 0)) largest = entry;
  }
  if (largest && extracted !== totalTax) largest.net += extracted - totalTax;
}

function taxLine(bucket: Bucket, mode: TaxMode): Entity {
  const detail: Entity = {
    TaxRateRef: { value: bucket.id },
    PercentBased: true,
    TaxPercent: decimalToNumber(bucket.rate),
    NetAmountTaxable: centsToNumber(bucket.base),
  };
  if (mode === 'TaxInclusive') detail.TaxInclusiveAmount = centsToNumber(bucket.base + bucket.amount);
  if (bucket.delta !== undefined) detail.OverrideDeltaAmount = centsToNumber(bucket.delta);
  return { Amount: centsToNumber(bucket.amount), DetailType: 'TaxLineDetail', TaxLineDetail: detail };
}
