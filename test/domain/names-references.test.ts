import { describe, expect, it } from 'vitest';
import {
  customerDisplayNameCandidates,
  docNumberFor,
  itemKeyId,
  planOrderReferences,
  privateNoteFor,
  qboName,
  sanitizeQboName,
  txnDateFor,
} from '../../domain/mapping';
import { parseSettings } from '../../domain/settings';
import { line, order, txn } from './fixtures/builders';
import { ACCOUNTS, US, usDuties, usGiftCardsAndTip, usSimple } from './fixtures/scenarios';

describe('QBO names', () => {
  it.each([
    ['Tea: Earl Grey', 'Tea - Earl Grey'],
    ['Tab\there', 'Tab here'],
    ['Two\nlines\r\n', 'Two lines'],
    ['Party 🎉 Hat', 'Party Hat'],
    ['  spaced   out  ', 'spaced out'],
    ['Crème brûlée', 'Crème brûlée'],
    ['湯呑み', '湯呑み'],
  ])('sanitises %j to %j', (input, output) => {
    expect(sanitizeQboName(input)).toBe(output);
  });

  it('fits long names into 100 characters and keeps two long names distinct', () => {
    const a = qboName(`${'Very long product title '.repeat(5)} - Red`, 100);
    const b = qboName(`${'Very long product title '.repeat(5)} - Blue`, 100);
    expect(Array.from(a).length).toBeLessThanOrEqual(100);
    expect(Array.from(b).length).toBeLessThanOrEqual(100);
    expect(a).not.toBe(b);
    expect(a).toBe(qboName(`${'Very long product title '.repeat(5)} - Red`, 100));
  });
});

describe('DocNumber', () => {
  it.each([
    ['#1001', '', '1001'],
    ['#1001', 'SHOP-', 'SHOP-1001'],
    ['#EU 1001', 'X', 'XEU-1001'],
  ])('turns %j with prefix %j into %j', (name, prefix, docNumber) => {
    expect(docNumberFor(name, prefix, 'gid://shopify/Order/1')).toBe(docNumber);
  });

  // README "DocNumbers": prefix + order number first, then a 6-character hash when the name is too long.
  it.each([
    ['fits exactly', '#ABCDEFGHI-123456', 'SHOP-', /^SHOP-ABCDEFGHI-123456$/],
    ["a shop's long order prefix", '#ACME-STORE-WHOLESALE-1001', 'SH-', /^SH-1001-[0-9A-Z]{6}$/],
    ['a long suffix', '#1001-REPLACEMENT-FOR-DAMAGED', '', /^1001-[0-9A-Z]{6}$/],
    ['a very long number keeps its last digits', '#MARKETPLACE-EU-2026-000123456', 'SHOPIFY-', /^SHOPIFY-123456-[0-9A-Z]{6}$/],
    ['a name without digits keeps its start', '#GIFT-ORDER-FOR-GRANDMOTHER', 'SH-', /^SH-GIFT-ORDER-[0-9A-Z]{6}$/],
  ])('a long name (%s): %j with prefix %j becomes %s', (_case, name, prefix, shape) => {
    const docNumber = docNumberFor(name, prefix, 'gid://shopify/Order/1');
    expect(docNumber).toMatch(shape);
    expect(Array.from(docNumber).length).toBeLessThanOrEqual(21);
    expect(docNumberFor(name, prefix, 'gid://shopify/Order/1')).toBe(docNumber);
  });

  it('never gives two different long names, or two orders under one name, the same number', () => {
    const a = docNumberFor('#EU-WHOLESALE-STORE-1001', 'SH-', 'gid://shopify/Order/111');
    const b = docNumberFor('#US-WHOLESALE-STORE-1001', 'SH-', 'gid://shopify/Order/111');
    const c = docNumberFor('#EU-WHOLESALE-STORE-1001', 'SH-', 'gid://shopify/Order/222');
    expect(new Set([a, b, c]).size).toBe(3);
    for (const d of [a, b, c]) expect(d.startsWith('SH-1001-')).toBe(true);
    // Over many orders with one long shape, no two numbers collide.
    const many = Array.from({ length: 5000 }, (_, i) =>
      docNumberFor(`#MARKETPLACE-ORDER-${100000 + i}`, 'SH-', `gid://shopify/Order/${i}`),
    );
    expect(new Set(many).size).toBe(many.length);
  });
});

describe('customer display names', () => {
  it('offers the name, then the name with the email, then the name with the Shopify number', () => {
    expect(
      customerDisplayNameCandidates({ id: 'gid://shopify/Customer/77', displayName: 'Ada Lovelace', email: 'ada@example.com' }),
    ).toEqual(['Ada Lovelace', 'Ada Lovelace (ada@example.com)', 'Ada Lovelace (Shopify 77)']);
  });

  it('falls back to first and last name, then the email, and strips forbidden characters', () => {
    expect(
      customerDisplayNameCandidates({ id: 'gid://shopify/Customer/9', displayName: '', firstName: 'Grace', lastName: 'Hopper' })[0],
    ).toBe('Grace Hopper');
    expect(customerDisplayNameCandidates({ id: null, displayName: null, email: 'x@y.z' })).toEqual(['x@y.z']);
    expect(customerDisplayNameCandidates({ id: 'gid://shopify/Customer/5', displayName: 'ACME: Sales' })[0]).toBe('ACME - Sales');
  });
});

describe('dates and notes', () => {
  it("dates a document on the processing day in the shop's time zone", () => {
    expect(txnDateFor('2026-11-01T03:30:00Z', 'America/Los_Angeles')).toBe('2026-10-31');
    expect(txnDateFor('2026-11-01T03:30:00Z', 'Europe/London')).toBe('2026-11-01');
    expect(txnDateFor('2026-12-31T15:30:00Z', 'Asia/Tokyo')).toBe('2027-01-01');
  });

  it('rejects an unknown time zone and a malformed timestamp', () => {
    expect(() => txnDateFor('2026-11-01T03:30:00Z', 'Mars/Olympus')).toThrow('Invalid IANA time zone');
    expect(() => txnDateFor('yesterday', 'UTC')).toThrow('Invalid timestamp');
  });

  it('puts the order gid in brackets so /12 never matches /123', () => {
    expect(privateNoteFor('#1001', 'gid://shopify/Order/12')).toContain('[gid://shopify/Order/12]');
    expect(privateNoteFor('#1001', 'gid://shopify/Order/123')).not.toContain('[gid://shopify/Order/12]');
  });
});

describe('planOrderReferences', () => {
  it('plans one item per SKU, the category items, the customer and the deposit', () => {
    const plan = planOrderReferences(
      usGiftCardsAndTip(),
      parseSettings({ taxMode: 'us_automated', accounts: ACCOUNTS, customers: 'per_customer' }),
      'UTC',
    );
    expect(plan.items.map((i) => i.key)).toEqual([{ by: 'sku', sku: 'MUG' }]);
    expect(plan.items[0]?.create).toMatchObject({ Name: 'Mug', Sku: 'MUG', Type: 'NonInventory', IncomeAccountRef: { value: '79' } });
    expect(plan.categories).toEqual([
      { category: 'tip', name: 'Shopify Tips', accountId: '91' },
      { category: 'giftCardSale', name: 'Shopify Gift Card Sold', accountId: '90' },
      { category: 'giftCardRedemption', name: 'Shopify Gift Card Redeemed', accountId: '90' },
    ]);
    expect(plan.customer).toEqual({
      kind: 'customer',
      shopifyCustomerId: 'gid://shopify/Customer/77',
      email: 'ada@example.com',
      displayNameCandidates: ['Ada Lovelace', 'Ada Lovelace (ada@example.com)', 'Ada Lovelace (Shopify 77)'],
      givenName: 'Ada',
      familyName: 'Lovelace',
    });
    expect(plan.deposit).toEqual({ gateway: 'shopify_payments', target: { depositAccountId: '4' } });
  });

  it('matches by name when settings say so, sharing one item between equal lines', () => {
    const settings = parseSettings({ taxMode: 'us_automated', accounts: ACCOUNTS, productMatch: 'name', missingItems: 'flag' });
    const o = order({
      lines: [
        line({ title: 'Tea: Earl Grey', variantTitle: '250g', sku: 'A', quantity: 1, price: '5.00' }),
        line({ title: 'tea: earl grey', variantTitle: '250g', sku: 'B', quantity: 1, price: '5.00' }),
        line({ title: 'Custom engraving', variantTitle: null, sku: null, quantity: 1, price: '1.00' }),
      ],
      subtotal: '11.00',
      total: '11.00',
      transactions: [txn('SALE', 'shopify_payments', '11.00')],
    });
    const plan = planOrderReferences(o, settings, 'UTC');
    expect(plan.items.map((i) => [i.key, i.lineItemIds.length, i.create])).toEqual([
      [{ by: 'name', name: 'Tea - Earl Grey - 250g' }, 2, null],
      [{ by: 'name', name: 'Custom engraving' }, 1, null],
    ]);
    expect(itemKeyId({ by: 'name', name: 'Tea - Earl Grey - 250g' })).toBe(itemKeyId({ by: 'name', name: 'tea - earl grey - 250g' }));
  });

  it('falls back to the name for a line without a SKU and offers a SKU-qualified name for duplicates', () => {
    const plan = planOrderReferences(usSimple(), US, 'UTC');
    expect(plan.items[0]?.nameCandidates).toEqual(['Blue Tee - M', 'Blue Tee - M (TEE-BLU-M)']);
  });

  it('uses the generic customer when the store says so or the order has nobody', () => {
    expect(planOrderReferences(usSimple(), US, 'UTC').customer).toEqual({ kind: 'generic', displayName: 'Shopify Customer' });
    const perCustomer = parseSettings({ taxMode: 'us_automated', accounts: ACCOUNTS, customers: 'per_customer' });
    const anonymous = { ...usSimple(), customer: null, email: null };
    expect(planOrderReferences(anonymous, perCustomer, 'UTC').customer.kind).toBe('generic');
  });

  it('gives auto-created Inventory items their accounts and a start date no later than the sale', () => {
    const settings = parseSettings({
      taxMode: 'us_automated',
      accounts: { ...ACCOUNTS, inventoryAsset: '81', costOfGoodsSold: '82' },
      autoCreateItemType: 'Inventory',
    });
    const plan = planOrderReferences(usDuties(), settings, 'America/Los_Angeles');
    expect(plan.items[0]?.create).toMatchObject({
      Type: 'Inventory',
      TrackQtyOnHand: true,
      QtyOnHand: 0,
      InvStartDate: '2026-11-02',
      ExpenseAccountRef: { value: '82' },
      AssetAccountRef: { value: '81' },
    });
  });

  it('has no single deposit for a split-tender order', () => {
    const o = { ...usSimple(), transactions: [txn('SALE', 'shopify_payments', '28.30'), txn('SALE', 'paypal', '20.00')] };
    expect(planOrderReferences(o, US, 'UTC').deposit).toBeNull();
  });
});
