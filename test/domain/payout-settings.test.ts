/**
 * The `payouts` section of the store settings (domain/settings.ts; README "Payouts"): optional with defaults, so
 * settings saved before it existed still validate, and checked against the rest of the settings when enabled.
 */
import { describe, expect, it } from 'vitest';
import { SettingsValidationError, type SettingsIssue } from '../../domain/errors';
import { resolvePayoutAccounts } from '../../domain/payouts';
import { parseSettings } from '../../domain/settings';
import { ACCOUNTS } from './fixtures/scenarios';
import { A, PAYOUT_ACCOUNTS, SETTINGS } from './payout-fixtures';

function issuesOf(input: unknown): SettingsIssue[] {
  try {
    parseSettings(input);
  } catch (e) {
    if (e instanceof SettingsValidationError) return e.issues;
    throw e;
  }
  throw new Error('expected a SettingsValidationError');
}

const base = { taxMode: 'us_automated', accounts: ACCOUNTS };

describe('payout settings', () => {
  it('fills the defaults for settings saved before payouts existed: off, Shopify Payments, 7 days each', () => {
    expect(parseSettings(base).payouts).toEqual({
      enabled: false,
      gateways: ['shopify_payments'],
      documentGraceDays: 7,
      failureWatchDays: 7,
    });
  });

  it('keeps every account given and resolves the fallbacks', () => {
    expect(resolvePayoutAccounts(SETTINGS)).toMatchObject({
      bank: A.bank,
      clearing: A.clearing,
      fees: A.fees,
      feeVendor: A.vendor,
      paymentsClearing: A.undepositedFunds,
    });
    const sparse = parseSettings({
      ...base,
      payouts: { enabled: true, bankAccountId: A.bank, adjustmentsAccountId: A.adjustments, feesAccountId: '77' },
    });
    expect(resolvePayoutAccounts(sparse)).toMatchObject({
      fees: '77',
      disputes: A.adjustments,
      shippingLabels: A.adjustments,
      billing: A.adjustments,
      reserve: undefined,
      capital: undefined,
      duties: ACCOUNTS.duties,
    });
  });

  it.each<[string, unknown, SettingsIssue[]]>([
    [
      'an enabled section without a bank account',
      { enabled: true },
      [{ path: 'payouts.bankAccountId', message: 'is required when payouts.enabled is true: the QBO Bank Account id payouts arrive in' }],
    ],
    ['an unknown key', { bankAcount: '35' }, [{ path: 'payouts', message: 'unknown setting "bankAcount"' }]],
    [
      'a grace period in fractions',
      { documentGraceDays: 1.5 },
      [{ path: 'payouts.documentGraceDays', message: 'must be a whole number of days' }],
    ],
    ['a negative watch', { failureWatchDays: -1 }, [{ path: 'payouts.failureWatchDays', message: 'must be at least 0 days' }]],
    ['a grace period over 90 days', { documentGraceDays: 91 }, [{ path: 'payouts.documentGraceDays', message: 'must be at most 90 days' }]],
    [
      'the gift card gateway',
      { gateways: ['shopify_payments', 'gift_card'] },
      [{ path: 'payouts.gateways.1', message: 'gift card money never reaches a payout; remove this entry' }],
    ],
    [
      'a gateway twice',
      { gateways: ['shopify_payments', 'shopify_payments'] },
      [{ path: 'payouts.gateways.1', message: 'lists "shopify_payments" twice' }],
    ],
    [
      'an empty account id',
      { bankAccountId: ' ' },
      [{ path: 'payouts.bankAccountId', message: 'must not be empty: the QBO Bank Account id Shopify Payments pays out to' }],
    ],
    [
      'no gateway while enabled',
      { ...PAYOUT_ACCOUNTS, gateways: [] },
      [{ path: 'payouts.gateways', message: 'must list at least one gateway when payouts.enabled is true' }],
    ],
    [
      'the clearing account as the bank',
      { ...PAYOUT_ACCOUNTS, clearingAccountId: A.bank },
      [
        {
          path: 'payouts.clearingAccountId',
          message: 'must not be the payout bank account: the clearing line takes money out of it into the bank',
        },
      ],
    ],
  ])('refuses %s', (_title, payouts, want) => {
    expect(issuesOf({ ...base, payouts })).toEqual(want);
  });

  it('refuses a reconciled gateway that deposits straight into the payout bank account', () => {
    expect(issuesOf({ ...base, gateways: { shopify_payments: { depositAccountId: A.bank } }, payouts: PAYOUT_ACCOUNTS })).toEqual([
      {
        path: 'payouts.gateways.0',
        message:
          '"shopify_payments" deposits straight into the payout bank account; its documents must sit in a clearing account for the payout to clear them',
      },
    ]);
  });
});
