import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../domain/settings';
import {
  proposeTaxMapping,
  taxCodeInfo,
  taxRateInfo,
  type ObservedTaxLines,
  type ProposalStatus,
  type QboTaxCodeInfo,
  type QboTaxRateInfo,
} from '../../domain/tax/propose-mapping';

const rate = (id: string, name: string, ratePercent: number, active = true): QboTaxRateInfo => ({ id, name, ratePercent, active });
const code = (id: string, name: string, salesRateIds: string[], description = name, active = true): QboTaxCodeInfo => ({
  id,
  name,
  description,
  active,
  salesRateIds,
});

/** Shaped like a Canadian QBO company (emulators/qbo/company/taxTables.ts), plus Manitoba's RST. */
const CA = {
  taxRates: [
    rate('100', 'GST', 5),
    rate('101', 'HST ON', 13),
    rate('102', 'PST BC', 7),
    rate('103', 'QST', 9.975),
    rate('104', 'Zero-rated', 0),
    rate('106', 'HST NS (old)', 15, false),
  ],
  taxCodes: [
    code('200', 'GST', ['100'], 'GST 5%'),
    code('201', 'HST ON', ['101'], 'HST Ontario 13%'),
    code('202', 'GST/PST BC', ['100', '102'], 'GST 5% + PST BC 7%'),
    code('203', 'GST/QST QC', ['100', '103'], 'GST 5% + QST 9.975%'),
    code('204', 'Zero-rated', ['104'], 'Zero-rated 0%'),
    code('205', 'Exempt', [], 'Exempt'),
  ],
};

/** A UK company with two sales codes at 20 % (standard, and a second one a bookkeeper added). */
const GB = {
  taxRates: [rate('100', '20.0% S', 20), rate('101', '5.0% R', 5), rate('102', '0.0% Z', 0), rate('103', '20.0% ECS', 20)],
  taxCodes: [
    code('200', '20.0% S', ['100'], 'Standard rate'),
    code('201', '5.0% R', ['101'], 'Reduced rate'),
    code('202', '0.0% Z', ['102'], 'Zero rate'),
    code('203', 'Exempt', [], 'Exempt'),
    code('204', 'No VAT', [], 'Outside the scope of VAT'),
    code('205', '20.0% ECS', ['103'], 'EC services'),
  ],
};

const AU = {
  taxRates: [rate('100', 'GST (sales)', 10), rate('101', 'GST free', 0)],
  taxCodes: [code('200', 'GST', ['100'], 'GST 10%'), code('201', 'GST free', ['101'], 'GST-free'), code('202', 'Input taxed', [])],
};

const lines = (...spec: [string, number][]): ObservedTaxLines => ({ taxLines: spec.map(([title, r]) => ({ title, rate: r })) });

interface Row {
  name: string;
  company: { taxRates: QboTaxRateInfo[]; taxCodes: QboTaxCodeInfo[] };
  observed: ObservedTaxLines[];
  /** Expected per combination (titles joined by +): status and code id. */
  codes: Record<string, [ProposalStatus, string?]>;
  /** Expected per line ("GST@0.05"): status and rate id. */
  rates: Record<string, [ProposalStatus, string?]>;
  exempt: [ProposalStatus, string?];
  complete: boolean;
  reason?: RegExp;
}

const TABLE: Row[] = [
  {
    name: 'exact rate match: one QBO rate and one code at each Shopify rate (Canada GST, HST)',
    company: CA,
    observed: [lines(['GST', 0.05]), lines(['HST', 0.13]), lines(['GST', 0.05])],
    codes: { GST: ['matched', '200'], HST: ['matched', '201'] },
    rates: { 'gst@0.05': ['matched', '100'], 'hst@0.13': ['matched', '101'] },
    exempt: ['matched', '205'],
    complete: true,
  },
  {
    name: 'combined codes: GST + PST on one line → the code charging both; GST + QST (9.975 %) likewise',
    company: CA,
    observed: [lines(['GST', 0.05], ['PST', 0.07]), lines(['QST', 0.09975], ['GST', 0.05])],
    codes: { 'GST+PST': ['matched', '202'], 'QST+GST': ['matched', '203'] },
    rates: { 'gst@0.05': ['matched', '100'], 'pst@0.07': ['matched', '102'], 'qst@0.09975': ['matched', '103'] },
    exempt: ['matched', '205'],
    complete: true,
  },
  {
    name: 'two QBO codes with the same rate: ambiguous, not applied, both listed for confirmation',
    company: GB,
    observed: [lines(['GB VAT', 0.2])],
    codes: { 'GB VAT': ['ambiguous'] },
    rates: { 'gb vat@0.2': ['ambiguous'] },
    exempt: ['matched', '203'],
    complete: false,
    reason: /2 QBO tax codes charge 20% \(200 "20\.0% S", 205 "20\.0% ECS"\)/,
  },
  {
    name: 'two QBO rates at 7 %, told apart by name: Shopify "PST" → "PST BC", "RST" → "RST MB"',
    company: {
      taxRates: [rate('100', 'GST', 5), rate('101', 'PST BC', 7), rate('102', 'RST MB', 7)],
      taxCodes: [code('200', 'GST/PST BC', ['100', '101']), code('201', 'GST/RST MB', ['100', '102']), code('202', 'Exempt', [])],
    },
    observed: [lines(['GST', 0.05], ['PST', 0.07]), lines(['GST', 0.05], ['RST', 0.07])],
    codes: { 'GST+PST': ['matched', '200'], 'GST+RST': ['matched', '201'] },
    rates: { 'gst@0.05': ['matched', '100'], 'pst@0.07': ['matched', '101'], 'rst@0.07': ['matched', '102'] },
    exempt: ['matched', '202'],
    complete: true,
  },
  {
    name: 'same names too: the province the order shipped to breaks the tie',
    company: {
      taxRates: [rate('100', 'GST', 5), rate('101', 'PST BC', 7), rate('102', 'PST MB', 7)],
      taxCodes: [code('200', 'GST/PST BC', ['100', '101']), code('201', 'GST/PST MB', ['100', '102']), code('202', 'Exempt', [])],
    },
    observed: [{ ...lines(['GST', 0.05], ['PST', 0.07]), jurisdiction: 'MB' }],
    codes: { 'GST+PST': ['matched', '201'] },
    rates: { 'gst@0.05': ['matched', '100'], 'pst@0.07': ['matched', '102'] },
    exempt: ['matched', '202'],
    complete: true,
  },
  {
    name: 'zero-rated and exempt: a 0 % Shopify line needs no code of its own, untaxed lines get the exempt code',
    company: AU,
    observed: [lines(['GST', 0.1]), lines(['GST', 0]), lines()],
    codes: { GST: ['matched', '200'] },
    rates: { 'gst@0.1': ['matched', '100'] },
    exempt: ['matched', '201'],
    complete: true,
  },
  {
    name: 'a rate QBO lacks: unmapped, with a reason naming the rate',
    company: GB,
    observed: [lines(['VAT', 0.175]), lines(['VAT', 0.05])],
    codes: { VAT: ['unmapped'], 'VAT ': ['matched', '201'] },
    rates: { 'vat@0.175': ['unmapped'], 'vat@0.05': ['matched', '101'] },
    exempt: ['matched', '203'],
    complete: false,
    reason: /no active sales tax rate of 17\.5% for Shopify's tax line "VAT" 17\.5%/,
  },
  {
    name: 'inactive rates never match',
    company: CA,
    observed: [lines(['HST', 0.15])],
    codes: { HST: ['unmapped'] },
    rates: { 'hst@0.15': ['unmapped'] },
    exempt: ['matched', '205'],
    complete: false,
    reason: /no active tax code charging exactly 15%/,
  },
];

describe('proposeTaxMapping', () => {
  it.each(TABLE)('$name', (row) => {
    const proposal = proposeTaxMapping({ ...row.company, observed: row.observed });
    const byCombo = new Map<string, { status: ProposalStatus; taxCodeId?: string }>();
    for (const c of proposal.codes) {
      const key = c.taxLines.map((t) => t.title).join('+');
      byCombo.set(byCombo.has(key) ? `${key} ` : key, c);
    }
    expect(Object.fromEntries([...byCombo].map(([k, c]) => [k, c.taxCodeId ? [c.status, c.taxCodeId] : [c.status]]))).toEqual(row.codes);
    expect(
      Object.fromEntries(
        proposal.rates.map((r) => [`${r.title.toLowerCase()}@${r.rate}`, r.taxRateId ? [r.status, r.taxRateId] : [r.status]]),
      ),
    ).toEqual(row.rates);
    expect(proposal.exempt.taxCodeId ? [proposal.exempt.status, proposal.exempt.taxCodeId] : [proposal.exempt.status]).toEqual(row.exempt);
    expect(proposal.complete).toBe(row.complete);
    if (row.reason) expect([...proposal.codes, ...proposal.rates].map((p) => p.reason ?? '').join('\n')).toMatch(row.reason);
    // Only unambiguous matches are applied, and the result is a valid settings map.
    const applied = proposal.taxCodeMap;
    expect(applied.codes.map((c) => c.taxCodeId).sort()).toEqual(
      proposal.codes
        .filter((c) => c.status === 'matched')
        .map((c) => c.taxCodeId)
        .sort(),
    );
    expect(applied.rates.length).toBe(proposal.rates.filter((r) => r.status === 'matched').length);
    expect(() => parseSettings({ taxMode: 'global', accounts: ACCOUNTS, taxCodeMap: applied })).not.toThrow();
  });

  it('lists every candidate of an ambiguous code and applies none of them', () => {
    const proposal = proposeTaxMapping({ ...GB, observed: [lines(['VAT', 0.2])] });
    expect(proposal.codes[0]).toMatchObject({
      status: 'ambiguous',
      candidates: [
        { id: '200', name: '20.0% S' },
        { id: '205', name: '20.0% ECS' },
      ],
    });
    expect(proposal.taxCodeMap.codes).toEqual([]);
    expect(proposal.taxCodeMap.rates).toEqual([]);
  });

  it('keeps what the merchant gave and proposes only the rest', () => {
    const proposal = proposeTaxMapping({
      ...GB,
      observed: [lines(['VAT', 0.2]), lines(['VAT', 0.05])],
      given: {
        codes: [{ taxLines: [{ title: 'vat', rate: 0.2 }], taxCodeId: '205' }],
        rates: [{ title: 'VAT', rate: 0.2, taxRateId: '103' }],
        exemptTaxCodeId: '204',
      },
    });
    expect(proposal.codes.map((c) => [c.status, c.taxCodeId])).toEqual([
      ['given', '205'],
      ['matched', '201'],
    ]);
    expect(proposal.exempt).toMatchObject({ status: 'given', taxCodeId: '204' });
    expect(proposal.complete).toBe(true);
    expect(proposal.taxCodeMap).toEqual({
      codes: [
        { taxLines: [{ title: 'vat', rate: 0.2 }], taxCodeId: '205' },
        { taxLines: [{ title: 'VAT', rate: 0.05 }], taxCodeId: '201' },
      ],
      rates: [
        { title: 'VAT', rate: 0.2, taxRateId: '103' },
        { title: 'VAT', rate: 0.05, taxRateId: '101' },
      ],
      exemptTaxCodeId: '204',
    });
  });

  it('a rate shared by two QBO rates is settled by the one matched code that carries it', () => {
    const proposal = proposeTaxMapping({
      taxRates: [rate('100', 'GST', 5), rate('101', 'GST (old)', 5), rate('102', 'PST BC', 7)],
      taxCodes: [code('200', 'GST/PST BC', ['100', '102']), code('201', 'Exempt', [])],
      observed: [lines(['GST', 0.05], ['PST', 0.07])],
    });
    expect(proposal.rates.find((r) => r.title === 'GST')).toMatchObject({ status: 'matched', taxRateId: '100' });
  });

  it('reads QBO TaxCode and TaxRate entities as the API returns them', () => {
    expect(taxRateInfo({ Id: '7', Name: 'GST', RateValue: 5, Active: true })).toEqual({
      id: '7',
      name: 'GST',
      ratePercent: 5,
      active: true,
    });
    expect(
      taxCodeInfo({
        Id: '9',
        Name: 'GST/PST BC',
        Description: 'GST/PST BC',
        Active: true,
        Hidden: false,
        SalesTaxRateList: { TaxRateDetail: [{ TaxRateRef: { value: '7' } }, { TaxRateRef: { value: '8' } }] },
        PurchaseTaxRateList: { TaxRateDetail: [{ TaxRateRef: { value: '9' } }] },
      }),
    ).toEqual({ id: '9', name: 'GST/PST BC', description: 'GST/PST BC', active: true, salesRateIds: ['7', '8'] });
    expect(taxCodeInfo({ Id: '10', Name: 'Old', Hidden: true }).active).toBe(false);
  });
});

const ACCOUNTS = {
  undepositedFunds: '1',
  productIncome: '2',
  shippingIncome: '3',
  discounts: '4',
  giftCardLiability: '5',
  tips: '6',
  duties: '7',
  fees: '8',
};
