/**
 * Refund → QBO document, table-driven over the shapes a Shopify refund takes (partial, restocked or not,
 * shipping only, adjustments, gift-card portions, pending money) in the three tax regimes (US automated
 * sales tax; UK VAT-inclusive; Canada GST + PST). Every figure was worked out by hand: the document's
 * total must be the money that went back and its tax Shopify's refunded tax, to the cent (invariant 3).
 */
import { describe, expect, it } from 'vitest';
import {
  buildRefundDocument,
  planRefundReferences,
  qboDocumentTotal,
  refundOrdinal,
  type RefundDocument,
  type ResolvedRefs,
} from '../../domain/mapping';
import { UnsupportedOrderError } from '../../domain/errors';
import type { Settings } from '../../domain/settings';
import type { ShopifyOrderCore, ShopifyRefund, ShopifyTransaction } from '../../domain/shopify/types';
import { decideRefund, nextEntry, type LedgerEntry, type LedgerEntryChanges } from '../../domain/sync';
import { bag, line, order, shipping, tax, txn } from './fixtures/builders';
import { CA, CATEGORY_ITEM_IDS, GB, US } from './fixtures/scenarios';

let seq = 0;

interface RefundSpec {
  lines?: Array<{ lineItemId: string; quantity: number; subtotal: string; tax: string; restock?: 'RETURN' | 'NO_RESTOCK' }>;
  shipping?: Array<{ title: string; subtotal: string; tax: string }>;
  adjustments?: Array<{ amount: string; tax?: string; reason?: 'RESTOCK' | 'REFUND_DISCREPANCY' }>;
  money: Array<{ gateway: string; amount: string; status?: ShopifyTransaction['status'] }>;
  total: string;
  currency?: string;
  createdAt?: string;
}

function refundOf(o: ShopifyOrderCore, spec: RefundSpec): ShopifyRefund {
  const id = ++seq;
  const c = spec.currency ?? o.currencyCode;
  return {
    id: `gid://shopify/Refund/${700 + id}`,
    legacyResourceId: String(700 + id),
    createdAt: spec.createdAt ?? '2026-11-09T10:00:00Z',
    note: null,
    totalRefundedSet: bag(spec.total, c),
    refundLineItems: {
      nodes: (spec.lines ?? []).map((l) => ({
        quantity: l.quantity,
        restockType: l.restock ?? 'RETURN',
        restocked: (l.restock ?? 'RETURN') !== 'NO_RESTOCK',
        location: null,
        lineItem: { id: l.lineItemId, sku: null },
        priceSet: bag('0.00', c),
        subtotalSet: bag(l.subtotal, c),
        totalTaxSet: bag(l.tax, c),
      })),
    },
    refundShippingLines: {
      nodes: (spec.shipping ?? []).map((s) => ({
        shippingLine: { id: null, title: s.title },
        subtotalAmountSet: bag(s.subtotal, c),
        taxAmountSet: bag(s.tax, c),
      })),
    },
    orderAdjustments: {
      nodes: (spec.adjustments ?? []).map((a, i) => ({
        id: `gid://shopify/OrderAdjustment/${id * 10 + i}`,
        reason: a.reason ?? 'REFUND_DISCREPANCY',
        amountSet: bag(a.amount, c),
        taxAmountSet: bag(a.tax ?? '0.00', c),
      })),
    },
    transactions: {
      nodes: spec.money.map((m) => {
        const t = txn('REFUND', m.gateway, m.amount, { status: m.status ?? 'SUCCESS', processedAt: '2026-11-09T10:00:05Z', currency: c });
        return {
          id: t.id,
          kind: t.kind,
          status: t.status,
          gateway: t.gateway,
          processedAt: t.processedAt,
          amountSet: t.amountSet,
          fees: [],
        };
      }),
    },
  };
}

const withRefunds = (o: ShopifyOrderCore, refunds: ShopifyRefund[]): ShopifyOrderCore => ({ ...o, refunds });

function refsFor(o: ShopifyOrderCore, r: ShopifyRefund, settings: Settings): ResolvedRefs {
  const plan = planRefundReferences(o, r, settings, 'UTC');
  return {
    customerId: '58',
    items: Object.fromEntries(plan.items.map((item, i) => [item.keyId, `${100 + i}`])),
    categoryItems: Object.fromEntries(plan.categories.map((c) => [c.category, CATEGORY_ITEM_IDS[c.category]])),
  };
}

function build(o: ShopifyOrderCore, r: ShopifyRefund, settings: Settings, docType: 'RefundReceipt' | 'CreditMemo' = 'RefundReceipt') {
  const full = withRefunds(o, [r]);
  return buildRefundDocument(full, r, { settings, refs: refsFor(full, r, settings), timeZone: 'UTC', docType, ordinal: 1 });
}

const itemLines = (d: RefundDocument) =>
  d.Line.filter((l) => l.DetailType === 'SalesItemLineDetail').map((l) => ({
    item: l.DetailType === 'SalesItemLineDetail' ? l.SalesItemLineDetail.ItemRef.value : '',
    qty: l.DetailType === 'SalesItemLineDetail' ? l.SalesItemLineDetail.Qty : 0,
    amount: l.Amount,
    code: l.DetailType === 'SalesItemLineDetail' ? l.SalesItemLineDetail.TaxCodeRef?.value : '',
  }));

// --- Orders, by hand -------------------------------------------------------------------------------

/** US: 3 × $20.00 mug taxed 8.25 % (4.95), $6.00 shipping taxed (0.50): 60 + 6 + 5.45 = 71.45 via Shopify Payments. */
function usOrder() {
  const mug = line({ title: 'Mug', quantity: 3, price: '20.00', taxes: [tax('CA State Tax', 0.0825, '4.95')] });
  const ship = shipping('Standard', '6.00', '6.00', [tax('CA State Tax', 0.0825, '0.50')]);
  const o = order({
    lines: [mug],
    shipping: [ship],
    taxLines: [tax('CA State Tax', 0.0825, '5.45')],
    subtotal: '60.00',
    totalShipping: '6.00',
    totalTax: '5.45',
    total: '71.45',
    transactions: [txn('SALE', 'shopify_payments', '71.45')],
  });
  return { o, mug };
}

/** UK, VAT-inclusive 20 %: 2 × £30.00 jumper (VAT 10.00 inside), £4.80 shipping (VAT 0.80 inside): total 64.80. */
function gbOrder() {
  const jumper = line({ title: 'Jumper', quantity: 2, price: '30.00', currency: 'GBP', taxes: [tax('VAT', 0.2, '10.00', 'GBP')] });
  const ship = shipping('Royal Mail', '4.80', '4.80', [tax('VAT', 0.2, '0.80', 'GBP')], 'GBP');
  const o = order({
    currency: 'GBP',
    taxesIncluded: true,
    lines: [jumper],
    shipping: [ship],
    taxLines: [tax('VAT', 0.2, '10.80', 'GBP')],
    subtotal: '60.00',
    totalShipping: '4.80',
    totalTax: '10.80',
    total: '64.80',
    transactions: [txn('SALE', 'shopify_payments', '64.80', { currency: 'GBP' })],
  });
  return { o, jumper };
}

/** Canada (BC): 2 × $50.00 boots, GST 5 % (5.00) + PST 7 % (7.00): 100 + 12 = 112.00, paid $100 card + $12 gift card. */
function caOrder() {
  const boots = line({
    title: 'Boots',
    quantity: 2,
    price: '50.00',
    currency: 'CAD',
    taxes: [tax('GST', 0.05, '5.00', 'CAD'), tax('PST BC', 0.07, '7.00', 'CAD')],
  });
  const o = order({
    currency: 'CAD',
    lines: [boots],
    taxLines: [tax('GST', 0.05, '5.00', 'CAD'), tax('PST BC', 0.07, '7.00', 'CAD')],
    subtotal: '100.00',
    totalTax: '12.00',
    total: '112.00',
    transactions: [txn('SALE', 'shopify_payments', '100.00', { currency: 'CAD' }), txn('SALE', 'gift_card', '12.00', { currency: 'CAD' })],
  });
  return { o, boots };
}

describe('refund documents, by tax regime', () => {
  it('US: one returned mug with its share of tax is a RefundReceipt of 21.65 with the AST total-tax override', () => {
    const { o, mug } = usOrder();
    // 20.00 + 1.65 tax = 21.65
    const r = refundOf(o, {
      lines: [{ lineItemId: mug.id, quantity: 1, subtotal: '20.00', tax: '1.65' }],
      money: [{ gateway: 'shopify_payments', amount: '21.65' }],
      total: '21.65',
    });
    const d = build(o, r, US);
    expect(qboDocumentTotal(d, 'USD').minor).toBe(2165);
    expect(d.TxnTaxDetail).toEqual({ TotalTax: 1.65 });
    expect(itemLines(d)).toEqual([{ item: '100', qty: 1, amount: 20, code: 'TAX' }]);
    expect(d.DepositToAccountRef).toEqual({ value: US.accounts.undepositedFunds });
    expect(d.PrintStatus).toBe('NotSet');
    expect(d.PaymentRefNum).toBe(r.legacyResourceId);
    expect(d.GlobalTaxCalculation).toBeUndefined();
    expect(d.PrivateNote).toContain(`[${r.id}]`);
  });

  it('US company preferences: a taxed refund parks while sales tax is off, and a non-AST company gets its tax code (issue #12 items 4, 5)', () => {
    const { o, mug } = usOrder();
    const r = refundOf(o, {
      lines: [{ lineItemId: mug.id, quantity: 1, subtotal: '20.00', tax: '1.65' }],
      money: [{ gateway: 'shopify_payments', amount: '21.65' }],
      total: '21.65',
    });
    const full = withRefunds(o, [r]);
    const input = { settings: US, refs: refsFor(full, r, US), timeZone: 'UTC', docType: 'RefundReceipt' as const, ordinal: 1 };
    expect(() => buildRefundDocument(full, r, { ...input, company: { salesTax: false, discounts: true } })).toThrow(
      /gave back 1\.65 USD tax.*does not use sales tax/,
    );
    const legacy = { ...US, taxCodeMap: { ...US.taxCodeMap, usTaxCodeId: '200' } };
    expect(buildRefundDocument(full, r, { ...input, settings: legacy }).TxnTaxDetail).toEqual({
      TxnTaxCodeRef: { value: '200' },
      TotalTax: 1.65,
    });
  });

  it('US: units not restocked go to the returns item, restocked ones to the product, shipping to the shipping item', () => {
    const { o, mug } = usOrder();
    // 2 mugs (40.00 + 3.30) + shipping 6.00 + 0.50 = 49.80
    const r = refundOf(o, {
      lines: [
        { lineItemId: mug.id, quantity: 1, subtotal: '20.00', tax: '1.65', restock: 'RETURN' },
        { lineItemId: mug.id, quantity: 1, subtotal: '20.00', tax: '1.65', restock: 'NO_RESTOCK' },
      ],
      shipping: [{ title: 'Standard', subtotal: '6.00', tax: '0.50' }],
      money: [{ gateway: 'shopify_payments', amount: '49.80' }],
      total: '49.80',
    });
    const d = build(o, r, US);
    expect(qboDocumentTotal(d, 'USD').minor).toBe(4980);
    expect(itemLines(d).map((l) => l.item)).toEqual(['100', CATEGORY_ITEM_IDS.returnNotRestocked, CATEGORY_ITEM_IDS.shipping]);
    expect(d.TxnTaxDetail.TotalTax).toBe(3.8);
  });

  it('US: a restocking fee is a negative adjustment line and the document is the money actually returned', () => {
    const { o, mug } = usOrder();
    // 20.00 + 1.65 − 5.00 fee = 16.65
    const r = refundOf(o, {
      lines: [{ lineItemId: mug.id, quantity: 1, subtotal: '20.00', tax: '1.65' }],
      adjustments: [{ amount: '-5.00', reason: 'RESTOCK' }],
      money: [{ gateway: 'shopify_payments', amount: '16.65' }],
      total: '16.65',
    });
    const d = build(o, r, US);
    expect(qboDocumentTotal(d, 'USD').minor).toBe(1665);
    expect(itemLines(d).at(-1)).toEqual({ item: CATEGORY_ITEM_IDS.refundAdjustment, qty: 1, amount: -5, code: 'NON' });
  });

  it('UK VAT-inclusive: a returned jumper is booked tax-exclusive, 25.00 net + 5.00 VAT = 30.00, with the VAT line per rate', () => {
    const { o, jumper } = gbOrder();
    const r = refundOf(o, {
      lines: [{ lineItemId: jumper.id, quantity: 1, subtotal: '25.00', tax: '5.00' }],
      money: [{ gateway: 'shopify_payments', amount: '30.00' }],
      total: '30.00',
    });
    const d = build(o, r, GB);
    expect(d.GlobalTaxCalculation).toBe('TaxExcluded');
    expect(qboDocumentTotal(d, 'GBP').minor).toBe(3000);
    expect(itemLines(d)).toEqual([{ item: '100', qty: 1, amount: 25, code: '10' }]);
    expect(d.TxnTaxDetail.TaxLine).toEqual([
      {
        DetailType: 'TaxLineDetail',
        Amount: 5,
        TaxLineDetail: { TaxRateRef: { value: '20' }, PercentBased: true, TaxPercent: 20, NetAmountTaxable: 25 },
      },
    ]);
    expect(d.DepositToAccountRef).toEqual({ value: '40' });
    expect(d.PaymentMethodRef).toEqual({ value: '7' });
    expect(d.DocNumber).toBe(`UK-${o.name.replace('#', '')}-R1`);
  });

  it('UK VAT-inclusive: a shipping-only refund is one shipping line and its VAT', () => {
    const { o } = gbOrder();
    const r = refundOf(o, {
      shipping: [{ title: 'Royal Mail', subtotal: '4.00', tax: '0.80' }],
      money: [{ gateway: 'shopify_payments', amount: '4.80' }],
      total: '4.80',
    });
    const d = build(o, r, GB);
    expect(itemLines(d)).toEqual([{ item: CATEGORY_ITEM_IDS.shipping, qty: 1, amount: 4, code: '10' }]);
    expect(qboDocumentTotal(d, 'GBP').minor).toBe(480);
  });

  it('Canada GST + PST: refunded tax splits per rate to the cent, and a gift-card portion restores the liability, not cash', () => {
    const { o, boots } = caOrder();
    // One boot: 50.00 + 6.00 tax (GST 2.50, PST 3.50) = 56.00: 50.00 back to the card, 6.00 to the gift card.
    const r = refundOf(o, {
      lines: [{ lineItemId: boots.id, quantity: 1, subtotal: '50.00', tax: '6.00' }],
      money: [
        { gateway: 'shopify_payments', amount: '50.00' },
        { gateway: 'gift_card', amount: '6.00' },
      ],
      total: '56.00',
    });
    const d = build(o, r, CA);
    // The document is the cash: 50 + 6 tax − 6 gift card = 50.00.
    expect(qboDocumentTotal(d, 'CAD').minor).toBe(5000);
    expect(itemLines(d)).toEqual([
      { item: '100', qty: 1, amount: 50, code: '7' },
      { item: CATEGORY_ITEM_IDS.giftCardRedemption, qty: 1, amount: -6, code: '9' },
    ]);
    expect(d.TxnTaxDetail.TaxLine?.map((t) => [t.TaxLineDetail.TaxRateRef.value, t.Amount])).toEqual([
      ['31', 2.5],
      ['32', 3.5],
    ]);
    expect(d.ClassRef).toEqual({ value: '300' });
  });

  it('Canada: an odd cent of refunded tax goes to the rate whose share is largest, and the total still matches', () => {
    const { o, boots } = caOrder();
    // 33.33 net; tax 4.00 split 5:7 → GST 1.67, PST 2.33 (largest remainder), total 37.33.
    const r = refundOf(o, {
      lines: [{ lineItemId: boots.id, quantity: 1, subtotal: '33.33', tax: '4.00' }],
      money: [{ gateway: 'shopify_payments', amount: '37.33' }],
      total: '37.33',
    });
    const d = build(o, r, CA);
    const perRate = d.TxnTaxDetail.TaxLine!.map((t) => Math.round(t.Amount * 100));
    expect(perRate.reduce((s, x) => s + x, 0)).toBe(400);
    expect(perRate).toEqual([167, 233]);
    expect(qboDocumentTotal(d, 'CAD').minor).toBe(3733);
  });

  it('an invoiced order can take a CreditMemo: no deposit account, no payment fields', () => {
    const { o, mug } = usOrder();
    const r = refundOf(o, {
      lines: [{ lineItemId: mug.id, quantity: 1, subtotal: '20.00', tax: '1.65' }],
      money: [{ gateway: 'shopify_payments', amount: '21.65' }],
      total: '21.65',
    });
    const d = build(o, r, US, 'CreditMemo');
    expect(d.DepositToAccountRef).toBeUndefined();
    expect(d.PaymentRefNum).toBeUndefined();
    expect(qboDocumentTotal(d, 'USD').minor).toBe(2165);
  });
});

describe('refunded tips', () => {
  it("US: a refunded tip is Shopify's tip line coming back, booked on the tips item, untaxed", () => {
    const { o: base, mug } = usOrder();
    // The same order plus a $5.00 tip (a line item and totalTipReceivedSet): 76.45.
    const tipLine = {
      ...line({ title: 'Tip', quantity: 1, price: '5.00', taxable: false, sku: null }),
      variant: null,
      requiresShipping: false,
    };
    const o: ShopifyOrderCore = {
      ...base,
      lineItems: { nodes: [mug, tipLine] },
      totalTipReceivedSet: bag('5.00'),
      totalPriceSet: bag('76.45'),
      transactions: [txn('SALE', 'shopify_payments', '76.45')],
    };
    const r = refundOf(o, {
      lines: [{ lineItemId: tipLine.id, quantity: 1, subtotal: '5.00', tax: '0.00', restock: 'NO_RESTOCK' }],
      money: [{ gateway: 'shopify_payments', amount: '5.00' }],
      total: '5.00',
    });
    const d = build(o, r, US);
    expect(itemLines(d)).toEqual([{ item: CATEGORY_ITEM_IDS.tip, qty: 1, amount: 5, code: 'NON' }]);
    expect(d.TxnTaxDetail).toEqual({ TotalTax: 0 });
  });
});

describe('refunded duties', () => {
  it('a refund of the duties charged goes back on the duties item, untaxed, with the returned goods', () => {
    const { o, mug } = usOrder();
    // One mug 20.00 + 1.65 tax, and 3.40 of duties: 25.05 back to the card.
    const r = {
      ...refundOf(o, {
        lines: [{ lineItemId: mug.id, quantity: 1, subtotal: '20.00', tax: '1.65' }],
        money: [{ gateway: 'shopify_payments', amount: '25.05' }],
        total: '25.05',
      }),
      duties: [{ amountSet: bag('3.40') }],
    };
    const d = build(o, r, US);
    expect(itemLines(d)).toEqual([
      { item: '100', qty: 1, amount: 20, code: 'TAX' },
      { item: CATEGORY_ITEM_IDS.duties, qty: 1, amount: 3.4, code: 'NON' },
    ]);
    expect(qboDocumentTotal(d, 'USD').minor).toBe(2505);
    expect(d.TxnTaxDetail).toEqual({ TotalTax: 1.65 });
  });
});

describe('refunds that cannot be booked exactly are refused', () => {
  it('parts that do not add up to the refunded total', () => {
    const { o, mug } = usOrder();
    const r = refundOf(o, {
      lines: [{ lineItemId: mug.id, quantity: 1, subtotal: '20.00', tax: '1.65' }],
      money: [{ gateway: 'shopify_payments', amount: '25.00' }],
      total: '25.00',
    });
    expect(() => build(o, r, US)).toThrow(UnsupportedOrderError);
    expect(() => build(o, r, US)).toThrow(/add up to 21.65 USD, not 25.00 USD/);
  });

  it('money back through two card gateways (one document has one account)', () => {
    const { o, mug } = usOrder();
    const r = refundOf(o, {
      lines: [{ lineItemId: mug.id, quantity: 1, subtotal: '20.00', tax: '1.65' }],
      money: [
        { gateway: 'shopify_payments', amount: '11.65' },
        { gateway: 'paypal', amount: '10.00' },
      ],
      total: '21.65',
    });
    expect(() => build(o, r, US)).toThrow(/several gateways/);
  });

  it('a line the order does not list', () => {
    const { o } = usOrder();
    const r = refundOf(o, {
      lines: [{ lineItemId: 'gid://shopify/LineItem/1', quantity: 1, subtotal: '1.00', tax: '0.00' }],
      money: [{ gateway: 'shopify_payments', amount: '1.00' }],
      total: '1.00',
    });
    expect(() => build(o, r, US)).toThrow(/does not list/);
  });
});

const row = (changes: LedgerEntryChanges): LedgerEntry =>
  nextEntry({ storeId: 's', sourceKey: 'order:gid://shopify/Order/1', role: 'sale', sourceType: 'order' }, undefined, changes, new Date(0));

describe('which refunds are booked, and as what', () => {
  const { o, mug } = usOrder();
  const money = (status: ShopifyTransaction['status'] = 'SUCCESS') =>
    refundOf(o, {
      lines: [{ lineItemId: mug.id, quantity: 1, subtotal: '20.00', tax: '1.65' }],
      money: [{ gateway: 'shopify_payments', amount: '21.65', status }],
      total: '21.65',
    });
  const noMoney = refundOf(o, { lines: [{ lineItemId: mug.id, quantity: 1, subtotal: '0.00', tax: '0.00' }], money: [], total: '0.00' });
  const receipt = row({ status: 'synced', qboType: 'SalesReceipt', qboId: '9' });
  const invoice = row({ status: 'synced', qboType: 'Invoice', qboId: '9' });

  it.each([
    ['a paid sale', receipt, money(), US, { action: 'write', docType: 'RefundReceipt' }],
    ['an invoiced sale, money back', invoice, money(), US, { action: 'write', docType: 'RefundReceipt' }],
    [
      'an invoiced sale, money back, refundsAs credit_memo',
      invoice,
      money(),
      { ...US, refundsAs: 'credit_memo' },
      { action: 'write', docType: 'CreditMemo' },
    ],
    ['a sale not yet booked', undefined, money(), US, { action: 'park', code: 'sale_not_booked' }],
    ['a parked sale', row({ status: 'parked', reason: 'needs an item' }), money(), US, { action: 'park', code: 'sale_not_booked' }],
    [
      'a sale before the start date',
      row({ status: 'skipped', reason: 'before the start date' }),
      money(),
      US,
      { action: 'skip', code: 'order_not_booked' },
    ],
    ['a voided invoice', row({ status: 'voided', qboType: 'Invoice', qboId: '9' }), money(), US, { action: 'skip', code: 'order_voided' }],
    ['money still pending', receipt, money('PENDING'), US, { action: 'park', code: 'refund_money_pending' }],
    ['a refund of nothing: no money, no value', receipt, noMoney, US, { action: 'skip', code: 'nothing_refunded' }],
  ] as const)('%s', (_what, sale, refund, settings, want) => {
    expect(decideRefund(withRefunds(o, [refund]), refund, sale, settings as Settings)).toMatchObject(want);
  });

  it('numbers refunds by age, so "-R2" always names the same refund', () => {
    const later = refundOf(o, { money: [], total: '0.00', createdAt: '2026-11-20T00:00:00Z' });
    const earlier = refundOf(o, { money: [], total: '0.00', createdAt: '2026-11-10T00:00:00Z' });
    const both = withRefunds(o, [later, earlier]);
    expect(refundOrdinal(both, earlier.id)).toBe(1);
    expect(refundOrdinal(both, later.id)).toBe(2);
  });
});
