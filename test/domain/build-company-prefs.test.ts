import { describe, expect, it } from 'vitest';
import { UnsupportedOrderError } from '../../domain/errors';
import { buildInvoice, buildSalesReceipt, checkDocumentAgainstOrder, isPickup, qboDocumentTotal } from '../../domain/mapping';
import { toDecimalString } from '../../domain/money';
import { companyPrefsFrom, parseSettings, type Settings } from '../../domain/settings';
import { decideBuildFailure, RETRYABLE_PARK_CODES } from '../../domain/sync';
import { line, order, shipping, txn } from './fixtures/builders';
import { CATEGORY_ITEM_IDS, resolveAll, US, usDiscounts, usSimple } from './fixtures/scenarios';

const TZ = 'America/Los_Angeles';
const home = { address1: '9 Elm St', city: 'Austin', provinceCode: 'TX', countryCodeV2: 'US', zip: '73301' };

describe('company preferences read from QBO (issue #12 item 4)', () => {
  it('reads sales tax and discounts as on unless QBO says false', () => {
    expect(companyPrefsFrom({})).toEqual({ salesTax: true, discounts: true, customTxnNumbers: true });
    expect(companyPrefsFrom({ TaxPrefs: { UsingSalesTax: false }, SalesFormsPrefs: { AllowDiscount: false } })).toEqual({
      salesTax: false,
      discounts: false,
      customTxnNumbers: true,
    });
  });

  it('books nothing while the company has custom transaction numbers off, and re-tries the order later', () => {
    expect(companyPrefsFrom({ SalesFormsPrefs: { CustomTxnNumbers: false } }).customTxnNumbers).toBe(false);
    const o = usSimple();
    let error: unknown;
    try {
      buildSalesReceipt(o, US, resolveAll(o, US), TZ, { salesTax: true, discounts: true, customTxnNumbers: false });
    } catch (err) {
      error = err;
    }
    expect(decideBuildFailure(error, undefined, [])).toMatchObject({ action: 'park', code: 'custom_txn_numbers_off' });
    expect(RETRYABLE_PARK_CODES).toContain('custom_txn_numbers_off');
  });

  it('books lines after their discounts with no discount line when the company has discounts off', () => {
    const o = usDiscounts();
    const receipt = buildSalesReceipt(o, US, resolveAll(o, US), TZ, { salesTax: true, discounts: false });
    expect(receipt.Line.map((l) => [l.DetailType, l.Amount])).toEqual([
      ['SalesItemLineDetail', 40.5],
      ['SalesItemLineDetail', 27],
      ['SalesItemLineDetail', 6],
    ]);
    expect(receipt.Line[0]?.Description).toContain('after a 9.50 USD discount');
    expect(receipt.TxnTaxDetail.TotalTax).toBe(4.73);
    expect(toDecimalString(qboDocumentTotal(receipt, 'USD'))).toBe('78.23');
    expect(checkDocumentAgainstOrder(o, receipt, { categoryItems: CATEGORY_ITEM_IDS })).toEqual([]);
  });

  it('refuses to book a taxed order in a company with sales tax off, with a reason that says what to change, and re-tries it later', () => {
    const o = usSimple();
    let error: unknown;
    try {
      buildInvoice(o, US, resolveAll(o, US), TZ, { salesTax: false, discounts: true });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UnsupportedOrderError);
    const failure = decideBuildFailure(error, undefined, []);
    expect(failure).toMatchObject({ action: 'park', code: 'sales_tax_off' });
    expect((failure as { reason: string }).reason).toMatch(/charged 3\.30 USD tax.*does not use sales tax.*turn sales tax on/);
    expect(RETRYABLE_PARK_CODES).toContain('sales_tax_off');
  });

  it('books an untaxed order in a company with sales tax off', () => {
    const o = order({
      lines: [line({ title: 'Gift wrap', sku: 'WRAP', quantity: 1, price: '5.00', taxes: [] })],
      subtotal: '5.00',
      totalTax: '0.00',
      total: '5.00',
      transactions: [txn('SALE', 'shopify_payments', '5.00')],
    });
    const receipt = buildSalesReceipt(o, US, resolveAll(o, US), TZ, { salesTax: false, discounts: true });
    expect(receipt.TxnTaxDetail.TotalTax).toBe(0);
    expect(toDecimalString(qboDocumentTotal(receipt, 'USD'))).toBe('5.00');
  });
});

describe('US tax edges (issue #12 item 5)', () => {
  const legacy: Settings = parseSettings({ ...US, taxCodeMap: { ...US.taxCodeMap, usTaxCodeId: '200' } });

  it('sends the tax code with the total-tax override when one is set (US companies without automated sales tax)', () => {
    const o = usSimple();
    expect(buildSalesReceipt(o, legacy, resolveAll(o, legacy), TZ).TxnTaxDetail).toEqual({
      TxnTaxCodeRef: { value: '200' },
      TotalTax: 3.3,
    });
    expect(buildSalesReceipt(o, US, resolveAll(o, US), TZ).TxnTaxDetail).toEqual({ TotalTax: 3.3 });
  });

  it('asks QBO to take the discount off before the tax, as Shopify does, on US documents with a discount line', () => {
    const discounted = usDiscounts();
    expect(buildSalesReceipt(discounted, US, resolveAll(discounted, US), TZ).ApplyTaxAfterDiscount).toBe(true);
    const plain = usSimple();
    expect(buildSalesReceipt(plain, US, resolveAll(plain, US), TZ).ApplyTaxAfterDiscount).toBeUndefined();
    // Discounts off: no discount line, the lines are already after their discounts.
    expect(
      buildSalesReceipt(discounted, US, resolveAll(discounted, US), TZ, { salesTax: true, discounts: false }).ApplyTaxAfterDiscount,
    ).toBeUndefined();
  });

  it('uses the billing address as the ship-to address of an order with none, so AST does not tax it at the company', () => {
    const o = usSimple();
    o.shippingAddress = null;
    o.billingAddress = home;
    const receipt = buildSalesReceipt(o, US, resolveAll(o, US), TZ);
    expect(receipt.ShipAddr).toEqual({
      Line1: '9 Elm St',
      City: 'Austin',
      CountrySubDivisionCode: 'TX',
      PostalCode: '73301',
      Country: 'US',
    });
    expect(receipt.BillAddr).toEqual(receipt.ShipAddr);
  });

  it('leaves a pickup order without a ship-to address: it is taxed where the shop is', () => {
    const o = usSimple();
    o.shippingAddress = null;
    o.billingAddress = home;
    o.shippingLines.nodes = [shipping('Pickup at Main St store', '5.00', '5.00')];
    expect(isPickup(o)).toBe(true);
    const receipt = buildSalesReceipt(o, US, resolveAll(o, US), TZ);
    expect(receipt.ShipAddr).toBeUndefined();
    expect(receipt.BillAddr).toBeDefined();
  });
});
