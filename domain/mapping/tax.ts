/**
 * Tax on QBO documents, both models of docs/qbo-facts.md §4.
 *  - us_automated: lines carry the pseudo-codes TAX/NON and `TxnTaxDetail.TotalTax` carries Shopify's tax,
 *    the override that stops Automated Sales Tax from recalculating.
 *  - global: every line carries a real TaxCode from `taxCodeMap` and `TxnTaxDetail.TaxLine[]` carries
 *    Shopify's exact amount per QBO tax rate (QBO keeps sent tax amounts), with GlobalTaxCalculation
 *    matching `taxesIncluded`.
 */
import type { MappingNeed } from '../errors';
import { addMoney, toQboAmount, zeroMoney, type Money } from '../money';
import { rateKey, taxLineKey, type Settings } from '../settings';
import type { TaxPortion } from './order-amounts';
import type { QboRef, QboTaxLine } from './qbo-types';

/** Tax lines that tax anything: zero-rate, zero-amount lines mark zero-rated goods, booked as exempt. */
export function effectiveTaxes(taxes: readonly TaxPortion[]): TaxPortion[] {
  return taxes.filter((t) => t.rate > 0 || t.amount.minor !== 0);
}

const describe = (t: { title: string; rate: number }): string => `"${t.title}" ${rateKey(t.rate * 100)}%`;

export interface TaxCoder {
  /** TaxCodeRef for a line with these Shopify tax lines. */
  codeFor(taxes: readonly TaxPortion[], taxable: boolean): QboRef;
  /** TaxCodeRef for lines that are never taxed (tips, gift cards, duties, redemptions). */
  exempt(): QboRef;
}

export function createTaxCoder(settings: Settings, needs: MappingNeed[]): TaxCoder {
  if (settings.taxMode === 'us_automated') {
    return {
      codeFor: (taxes, taxable) => ({ value: taxable && taxes.some((t) => t.amount.minor !== 0) ? 'TAX' : 'NON' }),
      exempt: () => ({ value: 'NON' }),
    };
  }
  const codes = new Map(
    settings.taxCodeMap.codes.map((c) => [
      c.taxLines
        .map((t) => taxLineKey(t.title, t.rate))
        .sort()
        .join('+'),
      c.taxCodeId,
    ]),
  );
  const exempt = (): QboRef => {
    const id = settings.taxCodeMap.exemptTaxCodeId;
    if (id) return { value: id };
    if (!needs.some((n) => n.kind === 'exemptTaxCode')) needs.push({ kind: 'exemptTaxCode', key: 'untaxed lines' });
    return { value: '' };
  };
  return {
    exempt,
    codeFor(taxes, taxable) {
      const effective = effectiveTaxes(taxes);
      if (!taxable || effective.length === 0) return exempt();
      const key = effective
        .map((t) => taxLineKey(t.title, t.rate))
        .sort()
        .join('+');
      const id = codes.get(key);
      if (id) return { value: id };
      const what = `tax lines ${effective.map(describe).join(' + ')}`;
      if (!needs.some((n) => n.kind === 'taxCode' && n.key === what)) needs.push({ kind: 'taxCode', key: what });
      return { value: '' };
    },
  };
}

/** Net amount taxed at each Shopify tax line key, accumulated while the lines are built. */
export class TaxableBases {
  private readonly bases = new Map<string, Money>();

  add(taxes: readonly TaxPortion[], net: Money): void {
    for (const t of effectiveTaxes(taxes)) {
      const key = taxLineKey(t.title, t.rate);
      this.bases.set(key, addMoney(this.bases.get(key) ?? zeroMoney(net.currency), net));
    }
  }

  get(key: string, currency: string): Money {
    return this.bases.get(key) ?? zeroMoney(currency);
  }
}

/** One TxnTaxDetail.TaxLine per QBO tax rate, amounts from Shopify's order tax lines. */
export function globalTaxLines(
  orderTaxes: readonly TaxPortion[],
  bases: TaxableBases,
  settings: Settings,
  needs: MappingNeed[],
): QboTaxLine[] {
  const rates = new Map(settings.taxCodeMap.rates.map((r) => [taxLineKey(r.title, r.rate), r.taxRateId]));
  const byRate = new Map<string, { amount: Money; base: Money; rate: number }>();
  const seenKeys = new Set<string>();
  for (const t of orderTaxes) {
    const key = taxLineKey(t.title, t.rate);
    const rateId = rates.get(key);
    if (!rateId) {
      if (effectiveTaxes([t]).length > 0) needs.push({ kind: 'taxRate', key: `tax line ${describe(t)}` });
      continue;
    }
    const entry = byRate.get(rateId) ?? { amount: zeroMoney(t.amount.currency), base: zeroMoney(t.amount.currency), rate: t.rate };
    entry.amount = addMoney(entry.amount, t.amount);
    if (!seenKeys.has(key)) entry.base = addMoney(entry.base, bases.get(key, t.amount.currency));
    seenKeys.add(key);
    byRate.set(rateId, entry);
  }
  return [...byRate.entries()].map(([rateId, e]) => ({
    DetailType: 'TaxLineDetail',
    Amount: toQboAmount(e.amount),
    TaxLineDetail: {
      TaxRateRef: { value: rateId },
      PercentBased: true,
      // A rate is a proportion, not money; four places cover every published rate (e.g. 9.975 %).
      TaxPercent: Number((e.rate * 100).toFixed(4)),
      NetAmountTaxable: toQboAmount(e.base),
    },
  }));
}
