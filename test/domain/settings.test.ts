import { describe, expect, it } from 'vitest';
import { defaultSettings, detectTaxMode, gatewayTargetFor, parseSettings } from '../../domain/settings';
import { SettingsValidationError, type SettingsIssue } from '../../domain/errors';
import { ACCOUNTS } from './fixtures/scenarios';

function issuesOf(input: unknown): SettingsIssue[] {
  try {
    parseSettings(input);
  } catch (e) {
    if (e instanceof SettingsValidationError) return e.issues;
    throw e;
  }
  throw new Error('expected a SettingsValidationError');
}

const valid = { taxMode: 'global', accounts: ACCOUNTS };

describe('defaults', () => {
  it('fills every default from the account ids alone', () => {
    expect(defaultSettings(ACCOUNTS)).toEqual({
      taxMode: 'us_automated',
      taxCodeMap: { codes: [], rates: [] },
      productMatch: 'sku',
      missingItems: 'auto_create',
      autoCreateItemType: 'NonInventory',
      customers: 'generic',
      genericCustomerName: 'Shopify Customer',
      unpaidOrders: 'invoice',
      gateways: {},
      accounts: ACCOUNTS,
      docNumberPrefix: '',
      inventorySync: false,
      syncIntervalMinutes: 60,
      refundsAs: 'refund_receipt',
      posting: 'auto',
      feesAs: 'deposit_line',
      startDate: null,
      payouts: { enabled: false, gateways: ['shopify_payments'], documentGraceDays: 7, failureWatchDays: 7 },
    });
  });

  it('deposits unmapped gateways into Undeposited Funds unless a default gateway is set', () => {
    const settings = parseSettings({ ...valid, gateways: { paypal: { depositAccountId: '44' } } });
    expect(gatewayTargetFor(settings, 'paypal')).toEqual({ depositAccountId: '44' });
    expect(gatewayTargetFor(settings, 'manual')).toEqual({ depositAccountId: '4' });
    expect(gatewayTargetFor(settings, 'constructor')).toEqual({ depositAccountId: '4' });
    expect(gatewayTargetFor(settings, null)).toEqual({ depositAccountId: '4' });
    expect(gatewayTargetFor(parseSettings({ ...valid, defaultGateway: { depositAccountId: '45' } }), 'manual')).toEqual({
      depositAccountId: '45',
    });
  });

  it('detects the tax model from QBO preferences and the company country', () => {
    expect(detectTaxMode({ TaxPrefs: { PartnerTaxEnabled: true } }, 'US')).toBe('us_automated');
    expect(detectTaxMode({ TaxPrefs: { PartnerTaxEnabled: false } }, 'US')).toBe('us_automated');
    expect(detectTaxMode({ TaxPrefs: {} }, 'GB')).toBe('global');
    expect(detectTaxMode({}, 'CA')).toBe('global');
  });
});

describe('validation messages', () => {
  it.each<[string, unknown, SettingsIssue[]]>([
    [
      'a missing tax mode and accounts',
      {},
      [
        { path: 'taxMode', message: 'is required: one of "us_automated", "global"' },
        { path: 'accounts', message: 'is required: the QBO Account ids Ledgerline books to' },
      ],
    ],
    ['an unknown enum value', { ...valid, productMatch: 'barcode' }, [{ path: 'productMatch', message: 'must be one of "sku", "name"' }]],
    [
      'a missing account',
      { ...valid, accounts: { ...ACCOUNTS, tips: undefined } },
      [{ path: 'accounts.tips', message: 'is required: the QBO Account id for tips' }],
    ],
    [
      'an empty account id',
      { ...valid, accounts: { ...ACCOUNTS, productIncome: ' ' } },
      [{ path: 'accounts.productIncome', message: 'must not be empty: the QBO Income Account id for product sales' }],
    ],
    [
      'a long DocNumber prefix',
      { ...valid, docNumberPrefix: 'SHOPIFY-US' },
      [{ path: 'docNumberPrefix', message: 'must be at most 8 characters (QBO DocNumber holds 21)' }],
    ],
    [
      'a prefix with a space',
      { ...valid, docNumberPrefix: 'A B' },
      [{ path: 'docNumberPrefix', message: 'must not contain spaces or "#"' }],
    ],
    [
      'a sync interval below 5 minutes',
      { ...valid, syncIntervalMinutes: 2 },
      [{ path: 'syncIntervalMinutes', message: 'must be at least 5 minutes' }],
    ],
    [
      'a sync interval above a day',
      { ...valid, syncIntervalMinutes: 1441 },
      [{ path: 'syncIntervalMinutes', message: 'must be at most 1440 minutes (one day)' }],
    ],
    [
      'a fractional sync interval',
      { ...valid, syncIntervalMinutes: 7.5 },
      [{ path: 'syncIntervalMinutes', message: 'must be a whole number of minutes' }],
    ],
    [
      'an impossible start date',
      { ...valid, startDate: '2026-02-29' },
      [{ path: 'startDate', message: 'must be a real calendar date written YYYY-MM-DD' }],
    ],
    [
      'a start date in another format',
      { ...valid, startDate: '01/11/2026' },
      [{ path: 'startDate', message: 'must be a real calendar date written YYYY-MM-DD' }],
    ],
    [
      'a generic customer name with a colon',
      { ...valid, genericCustomerName: 'Shopify: Online' },
      [{ path: 'genericCustomerName', message: 'must not contain ":", tabs or line breaks (QBO DisplayName)' }],
    ],
    [
      'a tax rate written as a percentage',
      { ...valid, taxCodeMap: { rates: [{ title: 'GST', rate: 5, taxRateId: '1' }] } },
      [{ path: 'taxCodeMap.rates.0.rate', message: 'must be a proportion between 0 and 1 (0.05 for 5%)' }],
    ],
    [
      'a tax code entry without tax lines',
      { ...valid, taxCodeMap: { codes: [{ taxLines: [], taxCodeId: '5' }] } },
      [{ path: 'taxCodeMap.codes.0.taxLines', message: 'must list at least one Shopify tax line' }],
    ],
    ['an unknown setting', { ...valid, fooBar: 1 }, [{ path: '', message: 'unknown setting "fooBar"' }]],
    [
      'an unknown nested setting',
      { ...valid, accounts: { ...ACCOUNTS, revenue: '1' } },
      [{ path: 'accounts', message: 'unknown setting "revenue"' }],
    ],
  ])('explains %s', (_title, input, issues) => {
    expect(issuesOf(input)).toEqual(issues);
  });

  it.each<[string, unknown, SettingsIssue[]]>([
    [
      'Inventory auto-creation without inventory accounts',
      { ...valid, autoCreateItemType: 'Inventory' },
      [
        { path: 'accounts.inventoryAsset', message: 'is required when auto-created items are Inventory items' },
        { path: 'accounts.costOfGoodsSold', message: 'is required when auto-created items are Inventory items' },
      ],
    ],
    [
      'a deposit mapping for gift cards',
      { ...valid, gateways: { gift_card: { depositAccountId: '4' } } },
      [
        {
          path: 'gateways.gift_card',
          message: 'gift card redemptions are booked against the gift card liability, not deposited; remove this entry',
        },
      ],
    ],
    [
      'the same tax lines mapped twice, in any order and case',
      {
        ...valid,
        taxCodeMap: {
          codes: [
            {
              taxLines: [
                { title: 'GST', rate: 0.05 },
                { title: 'PST', rate: 0.07 },
              ],
              taxCodeId: '1',
            },
            {
              taxLines: [
                { title: 'pst', rate: 0.07 },
                { title: 'gst', rate: 0.05 },
              ],
              taxCodeId: '2',
            },
          ],
        },
      },
      [{ path: 'taxCodeMap.codes.1', message: 'maps the same tax lines (gst@0.05+pst@0.07) twice' }],
    ],
  ])('rejects %s', (_title, input, issues) => {
    expect(issuesOf(input)).toEqual(issues);
  });

  it('puts every issue in the error message for logs', () => {
    expect(() => parseSettings({ ...valid, syncIntervalMinutes: 1 })).toThrow(
      'Invalid settings: syncIntervalMinutes: must be at least 5 minutes',
    );
  });
});
