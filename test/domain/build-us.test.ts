import { describe, expect, it } from 'vitest';
import {
  buildInvoice,
  buildPayment,
  buildSalesReceipt,
  checkDocumentAgainstOrder,
  planOrderReferences,
  qboDocumentTotal,
  type QboSalesItemLine,
} from '../../domain/mapping';
import { toDecimalString } from '../../domain/money';
import { NeedsMappingError, UnsupportedOrderError } from '../../domain/errors';
import { bag, line, order, tax, txn } from './fixtures/builders';
import {
  CATEGORY_ITEM_IDS,
  resolveAll,
  US,
  usCaptured,
  usDiscounts,
  usDuties,
  usGiftCardsAndTip,
  usSimple,
  usUnpaid,
} from './fixtures/scenarios';

const TZ = 'America/Los_Angeles';
const itemLines = (lines: unknown[]) =>
  lines.filter((l): l is QboSalesItemLine => (l as QboSalesItemLine).DetailType === 'SalesItemLineDetail');

describe('US automated sales tax: SalesReceipt', () => {
  it.each([
    ['a simple taxed sale with shipping', usSimple, '48.30'],
    ['line, order-level and shipping discounts', usDiscounts, '78.23'],
    ['a gift card sold, a gift card redeemed and a tip', usGiftCardsAndTip, '66.80'],
    ['duties on a cross-border order paid by authorisation and capture', usDuties, '127.34'],
  ])('books %s to the cent', (_title, make, documentTotal) => {
    const o = make();
    const refs = resolveAll(o, US);
    const receipt = buildSalesReceipt(o, US, refs, TZ);
    expect(checkDocumentAgainstOrder(o, receipt, { categoryItems: CATEGORY_ITEM_IDS })).toEqual([]);
    expect(toDecimalString(qboDocumentTotal(receipt, 'USD'))).toBe(documentTotal);
  });

  it('writes the header fields activities and bookkeepers rely on', () => {
    const o = usSimple();
    const receipt = buildSalesReceipt(o, US, resolveAll(o, US), TZ);
    expect(receipt.TxnDate).toBe('2026-11-02');
    expect(receipt.DocNumber).toBe(o.name.replace('#', ''));
    expect(receipt.PrivateNote).toContain(`[${o.id}]`);
    expect(receipt.CustomerRef).toEqual({ value: '58' });
    expect(receipt.DepositToAccountRef).toEqual({ value: '4' });
    expect(receipt.PaymentMethodRef).toBeUndefined();
    expect(receipt.GlobalTaxCalculation).toBeUndefined();
    expect(receipt.ShipAddr).toEqual({
      Line1: '1 Main St',
      City: 'Springfield',
      CountrySubDivisionCode: 'CA',
      PostalCode: '94000',
      Country: 'US',
    });
  });

  it('marks taxed lines TAX and everything else NON, and overrides the total tax', () => {
    const o = usSimple();
    const receipt = buildSalesReceipt(o, US, resolveAll(o, US), TZ);
    const [tee, ship] = itemLines(receipt.Line);
    expect(tee).toMatchObject({
      Amount: 40,
      Description: 'Blue Tee - M (SKU TEE-BLU-M)',
      SalesItemLineDetail: { ItemRef: { value: '100' }, Qty: 2, UnitPrice: 20, TaxCodeRef: { value: 'TAX' } },
    });
    expect(ship).toMatchObject({ Amount: 5, SalesItemLineDetail: { ItemRef: { value: '900' }, TaxCodeRef: { value: 'NON' } } });
    expect(receipt.TxnTaxDetail).toEqual({ TotalTax: 3.3 });
  });

  it('books products gross, line discounts as one discount line and shipping net of its discount', () => {
    const o = usDiscounts();
    const receipt = buildSalesReceipt(o, US, resolveAll(o, US), TZ);
    expect(receipt.Line.map((l) => [l.DetailType, l.Amount])).toEqual([
      ['SalesItemLineDetail', 50],
      ['SalesItemLineDetail', 30],
      ['DiscountLineDetail', 12.5],
      ['SalesItemLineDetail', 6],
    ]);
    expect(receipt.Line[2]).toMatchObject({ DiscountLineDetail: { PercentBased: false, DiscountAccountRef: { value: '86' } } });
    expect(receipt.Line[3]?.Description).toBe('Shipping: Express (after a 4.00 USD shipping discount)');
  });

  it('credits a sold gift card to its item and redeems an old one with a negative line', () => {
    const o = usGiftCardsAndTip();
    const receipt = buildSalesReceipt(o, US, resolveAll(o, US), TZ);
    const byItem = Object.fromEntries(itemLines(receipt.Line).map((l) => [l.SalesItemLineDetail.ItemRef.value, l.Amount]));
    expect(byItem).toEqual({ '902': 50, '100': 30, '901': 5, '903': -20 });
  });

  it("books a tip once, on the tips item, though Shopify records it both as a line item and as the order's tip total", () => {
    const o = usGiftCardsAndTip();
    expect(o.lineItems.nodes.filter((l) => l.title === 'Tip')).toHaveLength(1);
    const receipt = buildSalesReceipt(o, US, resolveAll(o, US), TZ);
    expect(itemLines(receipt.Line).filter((l) => l.Description === 'Tip' || l.Description?.startsWith('Tip ('))).toHaveLength(1);
    expect(
      itemLines(receipt.Line)
        .filter((l) => l.SalesItemLineDetail.ItemRef.value === CATEGORY_ITEM_IDS.tip)
        .map((l) => l.Amount),
    ).toEqual([5]);
    // No QBO item is looked up or created for the tip's line item.
    const plan = planOrderReferences(o, { ...US, missingItems: 'auto_create' }, TZ);
    expect(plan.items.map((i) => i.nameCandidates[0])).toEqual(['Mug']);
    expect(plan.categories.map((c) => c.category)).toContain('tip');
  });

  it('parks an order whose tip line items do not add up to its tip total instead of booking the tip twice', () => {
    const o = usGiftCardsAndTip();
    const shifted = {
      ...o,
      lineItems: {
        ...o.lineItems,
        nodes: o.lineItems.nodes.map((l) =>
          l.title === 'Tip' ? { ...l, originalUnitPriceSet: bag('4.00'), discountedUnitPriceAfterAllDiscountsSet: bag('4.00') } : l,
        ),
      },
    };
    expect(() => buildSalesReceipt(shifted, US, resolveAll(shifted, US), TZ)).toThrow(UnsupportedOrderError);
  });

  it('books duties on the duties item', () => {
    const o = usDuties();
    const receipt = buildSalesReceipt(o, US, resolveAll(o, US), TZ);
    expect(itemLines(receipt.Line).find((l) => l.SalesItemLineDetail.ItemRef.value === '904')?.Amount).toBe(12.34);
  });

  it('deposits to the mapped gateway account with its payment method', () => {
    const settings = { ...US, gateways: { shopify_payments: { depositAccountId: '41', paymentMethodId: '8' } } };
    const o = usSimple();
    const receipt = buildSalesReceipt(o, settings, resolveAll(o, settings), TZ);
    expect(receipt.DepositToAccountRef).toEqual({ value: '41' });
    expect(receipt.PaymentMethodRef).toEqual({ value: '8' });
  });

  it('nets cash handed back as change out of what the gateway collected', () => {
    const o = { ...usSimple(), transactions: [txn('SALE', 'cash', '50.00'), txn('CHANGE', 'cash', '1.70')] };
    expect(() => buildSalesReceipt(o, US, resolveAll(o, US), TZ)).not.toThrow();
    expect(checkDocumentAgainstOrder(o, buildSalesReceipt(o, US, resolveAll(o, US), TZ))).toEqual([]);
  });
});

describe('refusals', () => {
  it('names every missing reference in one NeedsMappingError', () => {
    const o = usSimple();
    const error = (() => {
      try {
        buildSalesReceipt(o, US, { customerId: '', items: {}, categoryItems: {} }, TZ);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NeedsMappingError);
    expect((error as NeedsMappingError).needs).toEqual([
      { kind: 'customer', key: 'ada@example.com' },
      { kind: 'item', key: 'SKU TEE-BLU-M' },
      { kind: 'categoryItem', key: 'shipping' },
    ]);
  });

  it('refuses an order whose parts do not add up to its total', () => {
    const o = { ...usSimple(), totalPriceSet: { shopMoney: { amount: '48.31', currencyCode: 'USD' } } };
    expect(() => buildSalesReceipt(o, US, resolveAll(o, US), TZ)).toThrow(UnsupportedOrderError);
    expect(() => buildSalesReceipt(o, US, resolveAll(o, US), TZ)).toThrow('add up to 48.30 USD, not the total 48.31 USD');
  });

  it('refuses a split-tender order: one receipt has one deposit account', () => {
    const o = { ...usSimple(), transactions: [txn('SALE', 'shopify_payments', '28.30'), txn('SALE', 'paypal', '20.00')] };
    expect(() => buildSalesReceipt(o, US, resolveAll(o, US), TZ)).toThrow(/several gateways/);
  });

  it('refuses tax-inclusive prices in a US automated sales tax company', () => {
    const o = { ...usSimple(), taxesIncluded: true };
    expect(() => buildSalesReceipt(o, US, resolveAll(o, US), TZ)).toThrow(expect.objectContaining({ code: 'tax_inclusive_us' }));
  });
});

describe('unpaid orders: Invoice, then Payment', () => {
  it('books an unpaid order as an invoice without a deposit account', () => {
    const o = usUnpaid();
    const invoice = buildInvoice(o, US, resolveAll(o, US), TZ);
    expect(invoice).not.toHaveProperty('DepositToAccountRef');
    expect(invoice.TxnTaxDetail.TotalTax).toBe(25);
    expect(checkDocumentAgainstOrder(o, invoice)).toEqual([]);
  });

  it('settles the invoice with a payment of what was captured, dated at the capture', () => {
    const o = usCaptured();
    const payment = buildPayment(o, '345', US, resolveAll(o, US), TZ);
    expect(payment).toEqual({
      TxnDate: '2026-11-20',
      PrivateNote: expect.stringContaining(`[${o.id}]`),
      CustomerRef: { value: '58' },
      TotalAmt: 525,
      DepositToAccountRef: { value: '4' },
      Line: [{ Amount: 525, LinkedTxn: [{ TxnId: '345', TxnType: 'Invoice' }] }],
    });
  });

  it('refuses a payment when nothing was captured', () => {
    const o = usUnpaid();
    expect(() => buildPayment(o, '345', US, resolveAll(o, US), TZ)).toThrow(expect.objectContaining({ code: 'nothing_collected' }));
  });
});

describe('free and zero lines', () => {
  it('keeps a free product line (stock still moves) and drops zero shipping', () => {
    const o = order({
      lines: [
        line({ title: 'Sticker', sku: 'STK', quantity: 1, price: '0.00' }),
        line({ title: 'Pin', sku: 'PIN', quantity: 1, price: '3.00', taxes: [tax('T', 0.1, '0.30')] }),
      ],
      taxLines: [tax('T', 0.1, '0.30')],
      subtotal: '3.00',
      totalTax: '0.30',
      total: '3.30',
      transactions: [txn('SALE', 'shopify_payments', '3.30')],
    });
    const receipt = buildSalesReceipt(o, US, resolveAll(o, US), TZ);
    expect(itemLines(receipt.Line).map((l) => [l.Amount, l.SalesItemLineDetail.TaxCodeRef?.value])).toEqual([
      [0, 'NON'],
      [3, 'TAX'],
    ]);
    expect(checkDocumentAgainstOrder(o, receipt)).toEqual([]);
  });
});
