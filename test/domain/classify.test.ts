import { describe, expect, it } from 'vitest';
import { classifyOrder, type ExistingOrderDocument, type OrderClassification } from '../../domain/mapping';
import type { ShopifyFinancialStatus, ShopifyOrderCore } from '../../domain/shopify/types';
import { parseSettings, type Settings } from '../../domain/settings';
import { txn } from './fixtures/builders';
import { ACCOUNTS, GB, US, usSimple, usUnpaid } from './fixtures/scenarios';

const SKIP_UNPAID: Settings = parseSettings({ taxMode: 'us_automated', accounts: ACCOUNTS, unpaidOrders: 'skip' });
const INVOICED: ExistingOrderDocument = { type: 'Invoice', status: 'synced' };
const CANCELLED = '2026-11-03T10:00:00Z';

const withStatus = (status: ShopifyFinancialStatus | null, patch: Partial<ShopifyOrderCore> = {}): ShopifyOrderCore => ({
  ...usSimple(),
  displayFinancialStatus: status,
  ...patch,
});

type Case = [string, ShopifyOrderCore, Settings, ExistingOrderDocument | undefined, OrderClassification['kind'], string?];

const cases: Case[] = [
  ['a paid order becomes a SalesReceipt', withStatus('PAID'), US, undefined, 'SalesReceipt'],
  [
    'a partially refunded order is still a SalesReceipt (refunds are booked separately)',
    withStatus('PARTIALLY_REFUNDED'),
    US,
    undefined,
    'SalesReceipt',
  ],
  ['a refunded order keeps its sale', withStatus('REFUNDED'), US, undefined, 'SalesReceipt'],
  ['a pending order becomes an Invoice', usUnpaid(), US, undefined, 'Invoice'],
  ['an authorised order becomes an Invoice', withStatus('AUTHORIZED', { transactions: [] }), US, undefined, 'Invoice'],
  ['a partially paid order becomes an Invoice', withStatus('PARTIALLY_PAID', { transactions: [] }), US, undefined, 'Invoice'],
  ['an unpaid order waits when the store books only paid orders', usUnpaid(), SKIP_UNPAID, undefined, 'Skip', 'unpaid_order'],
  ['an invoiced order that is now paid gets its Payment', withStatus('PAID'), US, INVOICED, 'InvoiceAndPayment'],
  [
    'a paid invoice whose payment is booked is only kept in step',
    withStatus('PAID'),
    US,
    { ...INVOICED, paymentStatus: 'synced' },
    'Invoice',
  ],
  [
    'a paid invoice whose payment was parked gets its Payment again',
    withStatus('PAID'),
    US,
    { ...INVOICED, paymentStatus: 'parked' },
    'InvoiceAndPayment',
  ],
  ['an invoiced order still unpaid keeps its Invoice in step', usUnpaid(), SKIP_UNPAID, INVOICED, 'Invoice'],
  [
    'an invoiced order cancelled unpaid is voided',
    withStatus('PENDING', { cancelledAt: CANCELLED, transactions: [] }),
    US,
    INVOICED,
    'VoidInvoice',
  ],
  [
    'an unpaid order cancelled before it was booked is skipped',
    withStatus('PENDING', { cancelledAt: CANCELLED, transactions: [] }),
    US,
    undefined,
    'Skip',
    'cancelled_unpaid',
  ],
  ['a voided authorisation is skipped', withStatus('VOIDED', { transactions: [] }), US, undefined, 'Skip', 'authorization_voided'],
  [
    'a voided authorisation on an invoiced order voids the invoice',
    withStatus('VOIDED', { transactions: [] }),
    US,
    INVOICED,
    'VoidInvoice',
  ],
  ['an expired authorisation is skipped', withStatus('EXPIRED', { transactions: [] }), US, undefined, 'Skip', 'authorization_expired'],
  ['an expired authorisation leaves an open invoice open', withStatus('EXPIRED', { transactions: [] }), US, INVOICED, 'Invoice'],
  ['a test order is skipped', withStatus('PAID', { test: true }), US, undefined, 'Skip', 'test_order'],
  ['an order without a financial status is skipped with that reason', withStatus(null), US, undefined, 'Skip', 'no_financial_status'],
  ['an order a person ignored stays ignored', withStatus('PAID'), US, { type: 'SalesReceipt', status: 'ignored' }, 'Skip', 'ignored'],
  [
    'a document voided in QBO is not re-created',
    withStatus('PAID'),
    US,
    { type: 'SalesReceipt', status: 'voided' },
    'Skip',
    'document_voided',
  ],
  ['a parked receipt is tried again', withStatus('PAID'), US, { type: 'SalesReceipt', status: 'parked' }, 'SalesReceipt'],
  [
    'a paid split-tender order is parked',
    withStatus('PAID', { transactions: [txn('SALE', 'shopify_payments', '28.30'), txn('SALE', 'paypal', '20.00')] }),
    US,
    undefined,
    'Park',
    'multi_gateway',
  ],
  [
    'gift card plus one gateway is not split tender',
    withStatus('PAID', { transactions: [txn('SALE', 'gift_card', '8.30'), txn('SALE', 'paypal', '40.00')] }),
    US,
    undefined,
    'SalesReceipt',
  ],
  [
    'a tax-inclusive order in a US company is parked',
    withStatus('PAID', { taxesIncluded: true }),
    US,
    undefined,
    'Park',
    'tax_inclusive_us',
  ],
  ['a tax-inclusive order in a global company is booked', withStatus('PAID', { taxesIncluded: true }), GB, undefined, 'SalesReceipt'],
];

describe('classifyOrder', () => {
  it.each(cases)('%s', (_title, order, settings, existing, kind, code) => {
    const result = classifyOrder(order, settings, existing ? { existing } : {});
    expect(result.kind).toBe(kind);
    if (result.kind === 'Skip' || result.kind === 'Park') {
      expect(result.code).toBe(code);
      expect(result.reason.length).toBeGreaterThan(10);
    }
  });

  it("skips orders processed before the start date, judged in the shop's time zone", () => {
    const settings = parseSettings({ taxMode: 'us_automated', accounts: ACCOUNTS, startDate: '2026-11-01' });
    // 2026-11-01T05:00Z is still October 31 in Los Angeles, but already November 1 in UTC.
    const order = withStatus('PAID', { processedAt: '2026-11-01T05:00:00Z' });
    expect(classifyOrder(order, settings, { timeZone: 'America/Los_Angeles' })).toMatchObject({ kind: 'Skip', code: 'before_start_date' });
    expect(classifyOrder(order, settings, { timeZone: 'UTC' }).kind).toBe('SalesReceipt');
  });
});
