import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS as A, DEFAULT_ITEM_IDS as I, defaultCompany } from '../../../emulators/qbo';
import { cents, connect, faultOf, itemLine, start, type Qbo, type Started } from './helpers';

const taxOf = (doc: any) => ({
  total: doc.TotalAmt,
  tax: doc.TxnTaxDetail.TotalTax,
  lines: doc.TxnTaxDetail.TaxLine.map((l: any) => [l.TaxLineDetail.TaxRateRef.value, l.Amount]),
});

describe('QBO emulator: US sales tax with Automated Sales Tax (docs/qbo-facts.md §4)', () => {
  let s: Started;
  let legacy: Qbo;
  beforeAll(async () => {
    s = await start({ country: 'US' }, { companies: [defaultCompany({ realmId: '555', country: 'US', automatedSalesTax: false })] });
    legacy = connect(s.emu, '555');
  });
  afterAll(() => s.emu.close());

  const sale = (extra: Record<string, unknown> = {}) => ({
    Line: [itemLine(I.tee, 2, 20, 40, 'TAX'), itemLine(I.shipping, 1, 5, 5, 'NON')],
    ...extra,
  });
  const nyc = { ShipAddr: { Line1: '1 Penn Plaza', City: 'New York', CountrySubDivisionCode: 'NY', PostalCode: '10001' } };

  it("recomputes tax from the ship-to ZIP's rate, on TAX lines only", async () => {
    const sr = await s.qbo.call('createSalesReceipt', sale(nyc));
    expect(sr.TxnTaxDetail.TaxLine[0].TaxLineDetail).toMatchObject({ TaxPercent: 8.875, NetAmountTaxable: 40, PercentBased: true });
    expect(taxOf(sr)).toMatchObject({ total: 48.55, tax: 3.55 });
  });

  it("falls back to the state's rate, and to the company address without a ShipAddr", async () => {
    const texas = await s.qbo.call('createSalesReceipt', sale({ ShipAddr: { CountrySubDivisionCode: 'TX', PostalCode: '73301' } }));
    expect(texas.TxnTaxDetail.TotalTax).toBe(2.5);
    const home = await s.qbo.call('createSalesReceipt', sale());
    expect(home.TxnTaxDetail.TotalTax).toBe(3.45);
    const oregon = await s.qbo.call('createSalesReceipt', sale({ ShipAddr: { CountrySubDivisionCode: 'OR', PostalCode: '97201' } }));
    expect(oregon.TxnTaxDetail.TotalTax).toBe(0);
  });

  it('rounds half away from zero', async () => {
    const sr = await s.qbo.call('createSalesReceipt', {
      ShipAddr: { CountrySubDivisionCode: 'TX' },
      Line: [itemLine(I.service, 1, 2, 2, 'TAX')],
    });
    expect(sr.TxnTaxDetail.TotalTax).toBe(0.13);
  });

  it('keeps a TxnTaxDetail.TotalTax the client sends (the override) and marks it', async () => {
    const sr = await s.qbo.call('createSalesReceipt', sale({ ...nyc, TxnTaxDetail: { TotalTax: 3.3 } }));
    expect(taxOf(sr)).toMatchObject({ total: 48.3, tax: 3.3 });
    expect(sr.TxnTaxDetail.TaxReviewStatus).toBe('AST_TAX_OVERRIDE');
    expect(sr.TxnTaxDetail.TaxLine[0].TaxLineDetail.OverrideDeltaAmount).toBe(-0.25);
    const memo = await s.qbo.call('updateSalesReceipt', { Id: sr.Id, SyncToken: sr.SyncToken, PrivateNote: 'memo only' });
    expect(memo.TxnTaxDetail.TotalTax).toBe(3.3);
    const relined = await s.qbo.call('updateSalesReceipt', {
      Id: sr.Id,
      SyncToken: memo.SyncToken,
      Line: [itemLine(I.tee, 1, 20, 20, 'TAX')],
    });
    expect(relined.TxnTaxDetail.TotalTax).toBe(1.78);
  });

  it('books the tax to Sales Tax Payable', async () => {
    const before = cents((await s.qbo.call('getAccount', A.taxPayable)).CurrentBalance);
    await s.qbo.call('createSalesReceipt', sale(nyc));
    expect(cents((await s.qbo.call('getAccount', A.taxPayable)).CurrentBalance) - before).toBe(355);
  });

  it('uses TxnTaxCodeRef on a US company without AST', async () => {
    const sr = await legacy.call('createSalesReceipt', sale({ TxnTaxDetail: { TxnTaxCodeRef: { value: '200' } } }));
    expect(taxOf(sr)).toMatchObject({ total: 47.9, tax: 2.9 });
    const none = await legacy.call('createSalesReceipt', sale(nyc));
    expect(none.TxnTaxDetail.TotalTax).toBe(0);
  });
});

describe('QBO emulator: global tax with per-line tax codes (docs/qbo-facts.md §4)', () => {
  let s: Started;
  let uk: Qbo;
  const HST_ON = '201';
  const GST_PST_BC = '202';
  const EXEMPT = '205';
  beforeAll(async () => {
    s = await start(
      { country: 'CA', realmId: '4620816365000000' },
      { companies: [defaultCompany({ realmId: '4620816365000001', country: 'GB' })] },
    );
    uk = connect(s.emu, '4620816365000001');
  });
  afterAll(() => s.emu.close());

  const line = (amount: number, code?: string, extra: Record<string, unknown> = {}) => ({
    DetailType: 'SalesItemLineDetail',
    Amount: amount,
    SalesItemLineDetail: { ItemRef: { value: I.service }, ...(code ? { TaxCodeRef: { value: code } } : {}), ...extra },
  });

  it('refuses a sale line without a tax code (a Canadian sale without a GST/HST rate) with 6000', async () => {
    const fault = await faultOf(s.qbo.call('createSalesReceipt', { Line: [line(100)] }));
    expect(fault.code).toBe('6000');
    expect(fault.element).toBe('TaxCodeRef');
  });

  it("computes tax-excluded tax from each code's rates", async () => {
    const hst = await s.qbo.call('createSalesReceipt', { GlobalTaxCalculation: 'TaxExcluded', Line: [line(100, HST_ON)] });
    expect(taxOf(hst)).toEqual({ total: 113, tax: 13, lines: [['101', 13]] });
    const bc = await s.qbo.call('createSalesReceipt', { Line: [line(100, GST_PST_BC), line(50, EXEMPT)] });
    expect(bc.GlobalTaxCalculation).toBe('TaxExcluded');
    expect(taxOf(bc)).toEqual({
      total: 162,
      tax: 12,
      lines: [
        ['100', 5],
        ['102', 7],
      ],
    });
  });

  it('extracts the tax from tax-inclusive amounts: Amount becomes the net, TaxInclusiveAmt the gross', async () => {
    const sr = await s.qbo.call('createSalesReceipt', { GlobalTaxCalculation: 'TaxInclusive', Line: [line(113, HST_ON)] });
    expect(taxOf(sr)).toEqual({ total: 113, tax: 13, lines: [['101', 13]] });
    expect(sr.Line[0].Amount).toBe(100);
    expect(sr.Line[0].SalesItemLineDetail.TaxInclusiveAmt).toBe(113);
  });

  it("keeps the tax amounts the client sends (Shopify's exact tax) and computes only the rest", async () => {
    const excluded = await s.qbo.call('createSalesReceipt', {
      Line: [line(100, HST_ON)],
      TxnTaxDetail: { TaxLine: [{ Amount: 12.99, DetailType: 'TaxLineDetail', TaxLineDetail: { TaxRateRef: { value: '101' } } }] },
    });
    expect(taxOf(excluded)).toEqual({ total: 112.99, tax: 12.99, lines: [['101', 12.99]] });
    const inclusive = await s.qbo.call('createSalesReceipt', {
      GlobalTaxCalculation: 'TaxInclusive',
      Line: [line(10, HST_ON, { TaxInclusiveAmt: 11.29 })],
      TxnTaxDetail: { TaxLine: [{ Amount: 1.29, DetailType: 'TaxLineDetail', TaxLineDetail: { TaxRateRef: { value: '101' } } }] },
    });
    expect(taxOf(inclusive)).toEqual({ total: 11.29, tax: 1.29, lines: [['101', 1.29]] });
    const grossOnly = await s.qbo.call('createSalesReceipt', {
      GlobalTaxCalculation: 'TaxInclusive',
      Line: [line(113, HST_ON)],
      TxnTaxDetail: { TotalTax: 12.99 },
    });
    expect(taxOf(grossOnly)).toMatchObject({ total: 113, tax: 12.99 });
    expect(grossOnly.Line[0].Amount).toBe(100.01);
  });

  it('refuses a TotalTax that contradicts the TaxLine amounts sent with it', async () => {
    const fault = await faultOf(
      s.qbo.call('createSalesReceipt', {
        Line: [line(100, HST_ON)],
        TxnTaxDetail: {
          TotalTax: 13,
          TaxLine: [{ Amount: 12, DetailType: 'TaxLineDetail', TaxLineDetail: { TaxRateRef: { value: '101' } } }],
        },
      }),
    );
    expect(fault.code).toBe('6000');
  });

  it('needs no tax code and computes no tax with NotApplicable', async () => {
    const sr = await s.qbo.call('createSalesReceipt', { GlobalTaxCalculation: 'NotApplicable', Line: [line(100)] });
    expect(sr.TotalAmt).toBe(100);
    expect(sr.TxnTaxDetail.TotalTax).toBe(0);
  });

  it('reads every amount of a TaxInclusive form with its tax: a discount line comes off the gross, the tax sent stays', async () => {
    // A £24 teapot sold for £21.60 (VAT 3.60). Sent as the gross with a discount net of VAT (2.00) the
    // total is high by the VAT in the discount (0.40); sent after its discount it is what was paid.
    const vat = (amount: number) => ({
      TaxLine: [{ Amount: amount, DetailType: 'TaxLineDetail', TaxLineDetail: { TaxRateRef: { value: '100' } } }],
    });
    const discount = (amount: number) => ({
      DetailType: 'DiscountLineDetail',
      Amount: amount,
      DiscountLineDetail: { PercentBased: false },
    });
    const netDiscount = await uk.call('createSalesReceipt', {
      GlobalTaxCalculation: 'TaxInclusive',
      Line: [line(20, '200', { TaxInclusiveAmt: 24 }), discount(2)],
      TxnTaxDetail: vat(3.6),
    });
    expect(taxOf(netDiscount)).toEqual({ total: 22, tax: 3.6, lines: [['100', 3.6]] });
    const grossDiscount = await uk.call('createSalesReceipt', {
      GlobalTaxCalculation: 'TaxInclusive',
      Line: [line(20, '200', { TaxInclusiveAmt: 24 }), discount(2.4)],
      TxnTaxDetail: vat(3.6),
    });
    expect(grossDiscount.TotalAmt).toBe(21.6);
    const afterDiscount = await uk.call('createSalesReceipt', {
      GlobalTaxCalculation: 'TaxInclusive',
      Line: [line(18, '200', { TaxInclusiveAmt: 21.6 })],
      TxnTaxDetail: vat(3.6),
    });
    expect(taxOf(afterDiscount)).toEqual({ total: 21.6, tax: 3.6, lines: [['100', 3.6]] });
    expect(afterDiscount.Line[0]).toMatchObject({ Amount: 18, SalesItemLineDetail: { TaxInclusiveAmt: 21.6 } });
  });

  it('takes 20 % VAT out of a UK tax-inclusive price', async () => {
    const sr = await uk.call('createSalesReceipt', { GlobalTaxCalculation: 'TaxInclusive', Line: [line(12, '200')] });
    expect(taxOf(sr)).toEqual({ total: 12, tax: 2, lines: [['100', 2]] });
    expect(sr.CurrencyRef.value).toBe('GBP');
  });
});
