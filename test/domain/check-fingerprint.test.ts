import { describe, expect, it } from 'vitest';
import {
  buildInvoice,
  buildSalesReceipt,
  checkDocumentAgainstOrder,
  documentFingerprint,
  expectedTotals,
  qboDocumentTotal,
} from '../../domain/mapping';
import { toDecimalString } from '../../domain/money';
import { ALL_SCENARIOS, CATEGORY_ITEM_IDS, GB, gbInclusive, resolveAll, US, usGiftCardsAndTip } from './fixtures/scenarios';

const TZ = 'UTC';

describe('expectedTotals', () => {
  it("states Shopify's totals and the document total net of gift-card redemptions", () => {
    const t = expectedTotals(usGiftCardsAndTip());
    expect([t.total, t.tax, t.giftCardRedemptions, t.documentTotal].map(toDecimalString)).toEqual(['86.80', '1.80', '20.00', '66.80']);
    expect(Object.fromEntries(Object.entries(t.categories).map(([k, v]) => [k, toDecimalString(v)]))).toEqual({
      products: '30.00',
      giftCardSales: '50.00',
      discounts: '0.00',
      shipping: '0.00',
      tips: '5.00',
      duties: '0.00',
      giftCardRedemptions: '-20.00',
    });
  });
});

describe('invariant 2 on every scenario', () => {
  it.each(ALL_SCENARIOS)('%s books to the cent as a SalesReceipt and as an Invoice', (_name, make, settings) => {
    const o = make();
    const refs = resolveAll(o, settings);
    for (const doc of [buildSalesReceipt(o, settings, refs, TZ), buildInvoice(o, settings, refs, TZ)]) {
      expect(checkDocumentAgainstOrder(o, doc, { categoryItems: CATEGORY_ITEM_IDS })).toEqual([]);
    }
  });
});

describe('checkDocumentAgainstOrder', () => {
  const order = usGiftCardsAndTip();
  const receipt = buildSalesReceipt(order, US, resolveAll(order, US), TZ);

  it('computes the total the way QBO does', () => {
    expect(toDecimalString(qboDocumentTotal(receipt, 'USD'))).toBe('66.80');
  });

  it('reports a document whose total drifted by a cent', () => {
    const drifted = { ...receipt, Line: receipt.Line.map((l, i) => (i === 0 ? { ...l, Amount: 50.01 } : l)) };
    expect(checkDocumentAgainstOrder(order, drifted, { categoryItems: CATEGORY_ITEM_IDS })).toEqual([
      { check: 'document_total', expected: '66.80', actual: '66.81' },
      { check: 'category:giftCardSales', expected: '50.00', actual: '50.01' },
    ]);
  });

  it('reports tax QBO recalculated and a TotalAmt that disagrees', () => {
    const recalculated = { ...receipt, TxnTaxDetail: { TotalTax: 1.79 }, TotalAmt: 66.79 };
    expect(checkDocumentAgainstOrder(order, recalculated)).toEqual([
      { check: 'document_total', expected: '66.80', actual: '66.79' },
      { check: 'total_amt', expected: '66.80', actual: '66.79' },
      { check: 'tax', expected: '1.80', actual: '1.79' },
    ]);
  });

  it('reports a redemption booked as revenue instead of against the liability', () => {
    const asRevenue = {
      ...receipt,
      Line: receipt.Line.filter((l) => l.DetailType !== 'SalesItemLineDetail' || l.SalesItemLineDetail.ItemRef.value !== '903'),
    };
    expect(checkDocumentAgainstOrder(order, asRevenue, { categoryItems: CATEGORY_ITEM_IDS })).toEqual([
      { check: 'document_total', expected: '66.80', actual: '86.80' },
      { check: 'category:giftCardRedemptions', expected: '-20.00', actual: '0.00' },
    ]);
  });

  it('reports tax lines that do not add up to the total tax', () => {
    const o = gbInclusive();
    const doc = buildSalesReceipt(o, GB, resolveAll(o, GB), TZ);
    const broken = {
      ...doc,
      TxnTaxDetail: { ...doc.TxnTaxDetail, TaxLine: doc.TxnTaxDetail.TaxLine?.map((t) => ({ ...t, Amount: 7.42 })) },
    };
    expect(checkDocumentAgainstOrder(o, broken)).toEqual([{ check: 'tax_lines', expected: '7.43', actual: '7.42' }]);
  });

  it('accepts the document as QBO returns it, with ids and computed totals', () => {
    const readBack = {
      ...receipt,
      Id: '201',
      SyncToken: '0',
      TotalAmt: 66.8,
      Line: receipt.Line.map((l, i) => ({ ...l, Id: String(i + 1), LineNum: i + 1 })),
    };
    expect(checkDocumentAgainstOrder(order, readBack, { categoryItems: CATEGORY_ITEM_IDS })).toEqual([]);
  });
});

describe('documentFingerprint', () => {
  const order = usGiftCardsAndTip();
  const receipt = buildSalesReceipt(order, US, resolveAll(order, US), TZ);

  it('is the same for the same content in any key order and ignores what QBO adds', () => {
    const reordered = Object.fromEntries(Object.entries(receipt).reverse());
    const withQboFields = {
      ...receipt,
      Id: '201',
      SyncToken: '3',
      MetaData: { CreateTime: '2026-11-02T10:00:00-08:00' },
      CustomerRef: { value: '58', name: 'Shopify Customer' },
      Line: receipt.Line.map((l, i) => ({ ...l, Id: String(i + 1), LineNum: i + 1 })),
    };
    expect(documentFingerprint(reordered)).toBe(documentFingerprint(receipt));
    expect(documentFingerprint(withQboFields)).toBe(documentFingerprint(receipt));
  });

  it('changes when the order was edited', () => {
    const edited = { ...receipt, Line: receipt.Line.map((l, i) => (i === 1 ? { ...l, Amount: 31 } : l)) };
    expect(documentFingerprint(edited)).not.toBe(documentFingerprint(receipt));
    expect(documentFingerprint({ ...receipt, TxnDate: '2026-11-03' })).not.toBe(documentFingerprint(receipt));
  });

  it('is the same on every build of the same order', () => {
    expect(documentFingerprint(buildSalesReceipt(order, US, resolveAll(order, US), TZ))).toBe(documentFingerprint(receipt));
  });
});
