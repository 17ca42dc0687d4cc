import { describe, expect, it } from 'vitest';
import { buildSalesReceipt, checkDocumentAgainstOrder, type QboSalesItemLine } from '../../domain/mapping';
import { NeedsMappingError } from '../../domain/errors';
import { parseSettings, type Settings } from '../../domain/settings';
import { line, order, tax, txn } from './fixtures/builders';
import {
  ACCOUNTS,
  CA,
  caDiscounted,
  caExclusive,
  CATEGORY_ITEM_IDS,
  GB,
  gbInclusive,
  JP,
  jpInclusive,
  KW,
  kwUntaxed,
  resolveAll,
} from './fixtures/scenarios';

const TZ = 'Europe/London';
const itemLines = (lines: unknown[]) =>
  lines.filter((l): l is QboSalesItemLine => (l as QboSalesItemLine).DetailType === 'SalesItemLineDetail');

function needsOf(fn: () => unknown): NeedsMappingError['needs'] {
  try {
    fn();
  } catch (e) {
    if (e instanceof NeedsMappingError) return e.needs;
    throw e;
  }
  throw new Error('expected a NeedsMappingError');
}

describe('global tax model: every case balances to the cent', () => {
  it.each([
    ['GB VAT 20 % included in prices, with an order discount', gbInclusive, GB],
    ['CA GST + PST added to prices, with a GST-only line, shipping and a tip', caExclusive, CA],
    ['JPY with 10 % consumption tax included', jpInclusive, JP],
    ['KWD (three decimals) without tax', kwUntaxed, KW],
  ])('%s', (_title, make, settings) => {
    const o = make();
    const receipt = buildSalesReceipt(o, settings, resolveAll(o, settings), TZ);
    expect(checkDocumentAgainstOrder(o, receipt, { categoryItems: CATEGORY_ITEM_IDS })).toEqual([]);
  });
});

describe('tax-inclusive lines (GB VAT)', () => {
  const o = gbInclusive();
  const receipt = buildSalesReceipt(o, GB, resolveAll(o, GB), TZ);

  it('marks the document TaxInclusive and books each line after its discount, net of tax with the gross paid beside it', () => {
    expect(receipt.GlobalTaxCalculation).toBe('TaxInclusive');
    expect(
      itemLines(receipt.Line).map((l) => [
        l.Amount,
        l.SalesItemLineDetail.TaxInclusiveAmt,
        l.SalesItemLineDetail.Qty,
        l.SalesItemLineDetail.UnitPrice,
        l.SalesItemLineDetail.TaxCodeRef?.value,
      ]),
    ).toEqual([
      [18, 21.6, 1, 18, '10'],
      [15, 18, 2, 7.5, '10'],
      [4.16, 4.99, 1, 4.16, '10'],
    ]);
    expect(itemLines(receipt.Line)[0]?.Description).toBe('Teapot (SKU POT) (after a 2.40 GBP discount)');
  });

  it('sends no discount line, so QBO (which reads every amount of a TaxInclusive form with its tax) books what the customer paid', () => {
    expect(receipt.Line.some((l) => l.DetailType === 'DiscountLineDetail')).toBe(false);
    // Σ TaxInclusiveAmt is Shopify's total; Σ Amount + TotalTax is too.
    const lines = itemLines(receipt.Line);
    const cents = (xs: number[]) => Math.round(xs.reduce((s, x) => s + x * 100, 0));
    expect(cents(lines.map((l) => l.SalesItemLineDetail.TaxInclusiveAmt ?? 0))).toBe(4459);
    expect(cents([...lines.map((l) => l.Amount), receipt.TxnTaxDetail.TotalTax ?? 0])).toBe(4459);
  });

  it('a document with the pre-discount gross and a discount net of VAT fails the totals check, high by the VAT in the discount', () => {
    const old = structuredClone(receipt);
    const [pot, tea] = itemLines(old.Line);
    Object.assign(pot!, { Amount: 20, SalesItemLineDetail: { ...pot!.SalesItemLineDetail, TaxInclusiveAmt: 24 } });
    Object.assign(tea!, { Amount: 16.67, SalesItemLineDetail: { ...tea!.SalesItemLineDetail, TaxInclusiveAmt: 20 } });
    old.Line.push({ DetailType: 'DiscountLineDetail', Amount: 3.67, DiscountLineDetail: { PercentBased: false } } as never);
    expect(checkDocumentAgainstOrder(o, old)).toContainEqual({ check: 'document_total', expected: '44.59', actual: '45.32' });
  });

  it("sends Shopify's VAT per QBO tax rate with the net amount it was charged on", () => {
    expect(receipt.TxnTaxDetail).toEqual({
      TotalTax: 7.43,
      TaxLine: [
        {
          DetailType: 'TaxLineDetail',
          Amount: 7.43,
          TaxLineDetail: { TaxRateRef: { value: '20' }, PercentBased: true, TaxPercent: 20, NetAmountTaxable: 37.16 },
        },
      ],
    });
  });

  it('uses the prefix and the mapped gateway', () => {
    expect(receipt.DocNumber).toBe(`UK-${o.name.slice(1)}`);
    expect(receipt.DepositToAccountRef).toEqual({ value: '40' });
    expect(receipt.PaymentMethodRef).toEqual({ value: '7' });
  });
});

describe('tax-exclusive lines (CA GST + PST)', () => {
  const o = caExclusive();
  const receipt = buildSalesReceipt(o, CA, resolveAll(o, CA), 'America/Vancouver');

  it('gives each line the code of its exact set of tax lines, and untaxed lines the exempt code', () => {
    expect(receipt.GlobalTaxCalculation).toBe('TaxExcluded');
    expect(
      itemLines(receipt.Line).map((l) => [
        l.Description,
        l.Amount,
        l.SalesItemLineDetail.TaxCodeRef?.value,
        l.SalesItemLineDetail.TaxInclusiveAmt,
      ]),
    ).toEqual([
      ['Jacket (SKU JKT)', 100, '7', undefined],
      ['Book (SKU BOOK)', 20, '5', undefined],
      ['Shipping: Canada Post', 10, '5', undefined],
      ['Tip', 3, '9', undefined],
    ]);
  });

  it('sends one tax line per QBO rate with its taxable base', () => {
    expect(receipt.TxnTaxDetail.TotalTax).toBe(13.5);
    expect(
      receipt.TxnTaxDetail.TaxLine?.map((t) => [
        t.TaxLineDetail.TaxRateRef.value,
        t.Amount,
        t.TaxLineDetail.TaxPercent,
        t.TaxLineDetail.NetAmountTaxable,
      ]),
    ).toEqual([
      ['31', 6.5, 5, 130],
      ['32', 7, 7, 100],
    ]);
  });

  it('charges each rate on the discounted line amount', () => {
    const d = caDiscounted();
    const doc = buildSalesReceipt(d, CA, resolveAll(d, CA), 'America/Vancouver');
    expect(doc.Line.map((l) => [l.DetailType, l.Amount])).toEqual([
      ['SalesItemLineDetail', 100],
      ['DiscountLineDetail', 10],
      ['SalesItemLineDetail', 10],
    ]);
    expect(doc.TxnTaxDetail.TaxLine?.map((t) => [t.Amount, t.TaxLineDetail.NetAmountTaxable])).toEqual([
      [5, 100],
      [6.3, 90],
    ]);
    expect(checkDocumentAgainstOrder(d, doc, { categoryItems: CATEGORY_ITEM_IDS })).toEqual([]);
  });

  it('sets the class and location', () => {
    expect(receipt.ClassRef).toEqual({ value: '300' });
    expect(receipt.DepartmentRef).toEqual({ value: '2' });
  });
});

describe('currencies without cents', () => {
  it('books yen as whole numbers, net of the included tax', () => {
    const o = jpInclusive();
    const receipt = buildSalesReceipt(o, JP, resolveAll(o, JP), 'Asia/Tokyo');
    expect(itemLines(receipt.Line).map((l) => [l.Amount, l.SalesItemLineDetail.TaxInclusiveAmt, l.SalesItemLineDetail.UnitPrice])).toEqual([
      [3000, 3300, 1500],
      [500, 550, 500],
    ]);
    expect(receipt.TxnTaxDetail.TaxLine?.[0]).toMatchObject({ Amount: 350, TaxLineDetail: { NetAmountTaxable: 3500, TaxPercent: 10 } });
  });

  it('books dinars with three decimals and no tax lines', () => {
    const o = kwUntaxed();
    const receipt = buildSalesReceipt(o, KW, resolveAll(o, KW), 'Asia/Kuwait');
    expect(
      itemLines(receipt.Line).map((l) => [l.Amount, l.SalesItemLineDetail.UnitPrice, l.SalesItemLineDetail.TaxCodeRef?.value]),
    ).toEqual([
      [12.345, 4.115, '3'],
      [1.5, 1.5, '3'],
    ]);
    expect(receipt.TxnTaxDetail).toEqual({ TotalTax: 0 });
  });
});

describe('missing tax mappings park the document with what to map', () => {
  const without = (patch: Partial<Settings['taxCodeMap']>): Settings =>
    parseSettings({ ...CA, taxCodeMap: { ...CA.taxCodeMap, ...patch } });

  it('names a combination of tax lines that has no tax code', () => {
    const settings = without({ codes: CA.taxCodeMap.codes.slice(1) });
    const o = caExclusive();
    expect(needsOf(() => buildSalesReceipt(o, settings, resolveAll(o, settings), TZ))).toEqual([
      { kind: 'taxCode', key: 'tax lines "GST" 5% + "PST BC" 7%' },
    ]);
  });

  it('names a Shopify tax line that has no QBO tax rate', () => {
    const settings = without({ rates: CA.taxCodeMap.rates.slice(0, 1) });
    const o = caExclusive();
    expect(needsOf(() => buildSalesReceipt(o, settings, resolveAll(o, settings), TZ))).toEqual([
      { kind: 'taxRate', key: 'tax line "PST BC" 7%' },
    ]);
  });

  it('asks for the exempt code when an untaxed line has none', () => {
    const settings = parseSettings({ taxMode: 'global', accounts: ACCOUNTS });
    const o = kwUntaxed();
    expect(needsOf(() => buildSalesReceipt(o, settings, resolveAll(o, settings), TZ))).toEqual([
      { kind: 'exemptTaxCode', key: 'untaxed lines' },
    ]);
  });
});

describe('edge cases of included tax', () => {
  it('books a fully discounted VAT line without inventing tax', () => {
    const o = order({
      currency: 'GBP',
      taxesIncluded: true,
      lines: [
        line({
          title: 'Free sample',
          sku: 'SMP',
          quantity: 1,
          price: '6.00',
          discounts: ['6.00'],
          totalDiscount: '6.00',
          taxes: [tax('VAT', 0.2, '0.00', 'GBP')],
          currency: 'GBP',
        }),
        line({ title: 'Mug', sku: 'MUG', quantity: 3, price: '10.00', taxes: [tax('VAT', 0.2, '5.00', 'GBP')], currency: 'GBP' }),
      ],
      taxLines: [tax('VAT', 0.2, '5.00', 'GBP')],
      subtotal: '30.00',
      totalTax: '5.00',
      totalDiscounts: '6.00',
      total: '30.00',
      transactions: [txn('SALE', 'shopify_payments', '30.00', { currency: 'GBP' })],
    });
    const receipt = buildSalesReceipt(o, GB, resolveAll(o, GB), TZ);
    expect(checkDocumentAgainstOrder(o, receipt, { categoryItems: CATEGORY_ITEM_IDS })).toEqual([]);
    expect(itemLines(receipt.Line).map((l) => [l.Amount, l.SalesItemLineDetail.TaxInclusiveAmt, l.SalesItemLineDetail.UnitPrice])).toEqual([
      [0, 0, 0],
      [25, 30, 8.33333],
    ]);
    expect(receipt.TxnTaxDetail.TaxLine?.[0]?.TaxLineDetail.NetAmountTaxable).toBe(25);
  });
});
