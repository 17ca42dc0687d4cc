/**
 * Every ShopifyPaymentsTransactionType of the real 2026-10 schema has a place in the books (domain/payouts
 * categories.ts); a type Shopify adds later is `unknown` and goes to the adjustments account, flagged.
 */
import { GraphQLEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CATEGORY_ACCOUNT, categoryOf, type PayoutCategory } from '../../domain/payouts';
import { loadShopifySchema } from './helpers/shopify-schema';

const TABLE: Record<Exclude<PayoutCategory, 'unknown'>, string[]> = {
  transfer: ['TRANSFER'],
  charge: ['CHARGE'],
  refund: ['REFUND'],
  retried_payout: ['TRANSFER_CANCEL', 'TRANSFER_FAILURE', 'TRANSFER_REFUND'],
  sale_adjustment: ['CHARGE_ADJUSTMENT', 'REFUND_ADJUSTMENT', 'REFUND_FAILURE'],
  dispute: [
    'CHARGEBACK_HOLD',
    'CHARGEBACK_HOLD_RELEASE',
    'CHARGEBACK_PROTECTION_CREDIT',
    'CHARGEBACK_PROTECTION_CREDIT_REVERSAL',
    'CHARGEBACK_PROTECTION_DEBIT',
    'CHARGEBACK_PROTECTION_DEBIT_REVERSAL',
    'DISPUTE_REVERSAL',
    'DISPUTE_WITHDRAWAL',
  ],
  fee: [
    'ACH_BANK_FAILURE_DEBIT_FEE',
    'ACH_BANK_FAILURE_DEBIT_REVERSAL_FEE',
    'APPLICATION_FEE_REFUND',
    'CHARGEBACK_FEE',
    'CHARGEBACK_FEE_REFUND',
    'MARKETPLACE_FEE_CREDIT',
    'MARKETPLACE_FEE_CREDIT_REVERSAL',
    'REFERRAL_FEE',
    'REFERRAL_FEE_TAX',
    'STRIPE_FEE',
  ],
  reserve: ['RESERVED_FUNDS', 'RESERVED_FUNDS_REVERSAL', 'RESERVED_FUNDS_WITHDRAWAL', 'RISK_REVERSAL', 'RISK_WITHDRAWAL'],
  capital: [
    'ADVANCE',
    'ADVANCE_FUNDING',
    'LENDING_CAPITAL_REFUND',
    'LENDING_CAPITAL_REFUND_REVERSAL',
    'LENDING_CAPITAL_REMITTANCE',
    'LENDING_CAPITAL_REMITTANCE_REVERSAL',
    'LENDING_CREDIT',
    'LENDING_CREDIT_REFUND',
    'LENDING_CREDIT_REFUND_REVERSAL',
    'LENDING_CREDIT_REMITTANCE',
    'LENDING_CREDIT_REMITTANCE_REVERSAL',
    'LENDING_CREDIT_REVERSAL',
    'LENDING_DEBIT',
    'LENDING_DEBIT_REVERSAL',
  ],
  shipping_label: [
    'SHIPPING_LABEL',
    'SHIPPING_LABEL_ADJUSTMENT',
    'SHIPPING_LABEL_ADJUSTMENT_BASE',
    'SHIPPING_LABEL_ADJUSTMENT_SURCHARGE',
    'SHIPPING_OTHER_CARRIER_CHARGE_ADJUSTMENT',
    'SHIPPING_RETURN_TO_ORIGIN_ADJUSTMENT',
  ],
  billing: [
    'BILLING_DEBIT',
    'BILLING_DEBIT_REVERSAL',
    'SHOP_CASH_BILLING_DEBIT',
    'SHOP_CASH_BILLING_DEBIT_REVERSAL',
    'SHOP_CASH_CAMPAIGN_BILLING_CREDIT',
    'SHOP_CASH_CAMPAIGN_BILLING_CREDIT_REVERSAL',
    'SHOP_CASH_CAMPAIGN_BILLING_DEBIT',
    'SHOP_CASH_CAMPAIGN_BILLING_DEBIT_REVERSAL',
    'SHOP_CASH_CREDIT',
    'SHOP_CASH_CREDIT_REVERSAL',
    'SHOP_CASH_REFUND_DEBIT',
    'SHOP_CASH_REFUND_DEBIT_REVERSAL',
  ],
  duties: ['CUSTOMS_DUTY', 'CUSTOMS_DUTY_ADJUSTMENT', 'IMPORT_TAX', 'IMPORT_TAX_ADJUSTMENT', 'IMPORT_TAX_REFUND'],
  adjustment: [
    'ADJUSTMENT',
    'ADS_PUBLISHER_CREDIT',
    'ADS_PUBLISHER_CREDIT_REVERSAL',
    'ANOMALY_CREDIT',
    'ANOMALY_CREDIT_REVERSAL',
    'ANOMALY_DEBIT',
    'ANOMALY_DEBIT_REVERSAL',
    'BALANCE_TRANSFER_INBOUND',
    'BALANCE_TRANSFER_OUTBOUND',
    'CHANNEL_CREDIT',
    'CHANNEL_CREDIT_REVERSAL',
    'CHANNEL_PROMOTION_CREDIT',
    'CHANNEL_PROMOTION_CREDIT_REVERSAL',
    'CHANNEL_TRANSFER_CREDIT',
    'CHANNEL_TRANSFER_CREDIT_REVERSAL',
    'CHANNEL_TRANSFER_DEBIT',
    'CHANNEL_TRANSFER_DEBIT_REVERSAL',
    'COLLECTIONS_CREDIT',
    'COLLECTIONS_CREDIT_REVERSAL',
    'MARKETS_PRO_CREDIT',
    'MERCHANT_GOODWILL_CREDIT',
    'MERCHANT_GOODWILL_CREDIT_REVERSAL',
    'MERCHANT_TO_MERCHANT_CREDIT',
    'MERCHANT_TO_MERCHANT_CREDIT_REVERSAL',
    'MERCHANT_TO_MERCHANT_DEBIT',
    'MERCHANT_TO_MERCHANT_DEBIT_REVERSAL',
    'PROMOTION_CREDIT',
    'PROMOTION_CREDIT_REVERSAL',
    'SELLER_PROTECTION_CREDIT',
    'SELLER_PROTECTION_CREDIT_REVERSAL',
    'SHOPIFY_COLLECTIVE_CREDIT',
    'SHOPIFY_COLLECTIVE_CREDIT_REVERSAL',
    'SHOPIFY_COLLECTIVE_DEBIT',
    'SHOPIFY_COLLECTIVE_DEBIT_REVERSAL',
    'SHOPIFY_SOURCE_CREDIT',
    'SHOPIFY_SOURCE_CREDIT_REVERSAL',
    'SHOPIFY_SOURCE_DEBIT',
    'SHOPIFY_SOURCE_DEBIT_REVERSAL',
    'TAX_ADJUSTMENT_CREDIT',
    'TAX_ADJUSTMENT_CREDIT_REVERSAL',
    'TAX_ADJUSTMENT_DEBIT',
    'TAX_ADJUSTMENT_DEBIT_REVERSAL',
    'VAT_REFUND_CREDIT',
    'VAT_REFUND_CREDIT_REVERSAL',
  ],
};

const ROWS = Object.entries(TABLE).flatMap(([category, types]) => types.map((type) => [type, category] as const));

describe('balance transaction categories', () => {
  it.each(ROWS)('books %s as %s', (type, category) => {
    expect(categoryOf({ type, sourceType: null })).toBe(category);
  });

  it('covers every ShopifyPaymentsTransactionType of the 2026-10 schema, and nothing of it is unknown', () => {
    const enumType = loadShopifySchema('2026-10').getType('ShopifyPaymentsTransactionType');
    expect(enumType).toBeInstanceOf(GraphQLEnumType);
    const served = (enumType as GraphQLEnumType).getValues().map((v) => v.name);
    expect(served).toHaveLength(113);
    expect([...served].sort()).toEqual(ROWS.map(([type]) => type).sort());
  });

  it('reads an ADJUSTMENT whose source is a dispute as a chargeback', () => {
    expect(categoryOf({ type: 'ADJUSTMENT', sourceType: 'DISPUTE' })).toBe('dispute');
    expect(categoryOf({ type: 'ADJUSTMENT', sourceType: 'ADJUSTMENT' })).toBe('adjustment');
  });

  it('calls a type it has never seen unknown, booked to the adjustments account', () => {
    expect(categoryOf({ type: 'HOVERBOARD_RENTAL', sourceType: 'SYSTEM_ADJUSTMENT' })).toBe('unknown');
    expect(CATEGORY_ACCOUNT.unknown).toBe('adjustments');
  });
});
