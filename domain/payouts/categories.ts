/**
 * What each ShopifyPaymentsTransactionType is for the books (docs/payouts.md "The Deposit's lines"). All 113
 * values of the 2026-10 enum are listed; a type not listed (Shopify adds some every few releases) is `unknown`:
 * it goes to the adjustments account and flags the payout, so it is booked and seen, and never breaks the sum.
 */
import type { BalanceTransaction } from './types';

export type PayoutCategory =
  /** The payout's own transfer out of the balance: not a line, not in the sums. */
  | 'transfer'
  /** A sale's money: linked to the SalesReceipt / Payment that holds it in the clearing account. */
  | 'charge'
  /** A refund's money: linked to the RefundReceipt paid from the clearing account. */
  | 'refund'
  /** A correction of a sale's or refund's money, or a refund that failed: no document holds it (flagged). */
  | 'sale_adjustment'
  /** Chargebacks and inquiries: withdrawals, reversals, holds and chargeback protection. */
  | 'dispute'
  /** Fees charged as transactions of their own (a chargeback fee and its refund, Stripe and referral fees). */
  | 'fee'
  /** Reserves and risk holds: the money is still the shop's, held back. */
  | 'reserve'
  /** Shopify Capital advances and their repayments. */
  | 'capital'
  | 'shipping_label'
  /** Shopify bills (subscription, apps, Shop Cash campaigns) paid from the balance. */
  | 'billing'
  /** Duties and import taxes Shopify remits for the shop (Managed Markets). */
  | 'duties'
  /** A failed or cancelled payout's money coming back into the balance, to leave again in this payout. */
  | 'retried_payout'
  /** Known adjustments and credits with no account of their own. */
  | 'adjustment'
  /** A type this table does not know (flagged). */
  | 'unknown';

const EXACT: Readonly<Record<string, PayoutCategory>> = {
  TRANSFER: 'transfer',
  TRANSFER_FAILURE: 'retried_payout',
  TRANSFER_CANCEL: 'retried_payout',
  TRANSFER_REFUND: 'retried_payout',
  CHARGE: 'charge',
  REFUND: 'refund',
  CHARGE_ADJUSTMENT: 'sale_adjustment',
  REFUND_ADJUSTMENT: 'sale_adjustment',
  REFUND_FAILURE: 'sale_adjustment',
  DISPUTE_WITHDRAWAL: 'dispute',
  DISPUTE_REVERSAL: 'dispute',
  CHARGEBACK_HOLD: 'dispute',
  CHARGEBACK_HOLD_RELEASE: 'dispute',
  CHARGEBACK_FEE: 'fee',
  CHARGEBACK_FEE_REFUND: 'fee',
  STRIPE_FEE: 'fee',
  REFERRAL_FEE: 'fee',
  REFERRAL_FEE_TAX: 'fee',
  APPLICATION_FEE_REFUND: 'fee',
  ACH_BANK_FAILURE_DEBIT_FEE: 'fee',
  ACH_BANK_FAILURE_DEBIT_REVERSAL_FEE: 'fee',
  RESERVED_FUNDS: 'reserve',
  RESERVED_FUNDS_REVERSAL: 'reserve',
  RESERVED_FUNDS_WITHDRAWAL: 'reserve',
  RISK_WITHDRAWAL: 'reserve',
  RISK_REVERSAL: 'reserve',
  ADVANCE: 'capital',
  ADVANCE_FUNDING: 'capital',
  BILLING_DEBIT: 'billing',
  BILLING_DEBIT_REVERSAL: 'billing',
  ADJUSTMENT: 'adjustment',
  MARKETS_PRO_CREDIT: 'adjustment',
};

/** Families named by prefix, checked in order after the exact names. */
const PREFIXES: readonly (readonly [string, PayoutCategory])[] = [
  ['CHARGEBACK_PROTECTION_', 'dispute'],
  ['LENDING_', 'capital'],
  ['SHIPPING_', 'shipping_label'],
  ['SHOP_CASH_', 'billing'],
  ['CUSTOMS_DUTY', 'duties'],
  ['IMPORT_TAX', 'duties'],
  ['MARKETPLACE_FEE_CREDIT', 'fee'],
  ['ANOMALY_', 'adjustment'],
  ['MERCHANT_GOODWILL_CREDIT', 'adjustment'],
  ['SELLER_PROTECTION_CREDIT', 'adjustment'],
  ['TAX_ADJUSTMENT_', 'adjustment'],
  ['VAT_REFUND_CREDIT', 'adjustment'],
  ['PROMOTION_CREDIT', 'adjustment'],
  ['COLLECTIONS_CREDIT', 'adjustment'],
  ['CHANNEL_', 'adjustment'],
  ['SHOPIFY_COLLECTIVE_', 'adjustment'],
  ['SHOPIFY_SOURCE_', 'adjustment'],
  ['BALANCE_TRANSFER_', 'adjustment'],
  ['MERCHANT_TO_MERCHANT_', 'adjustment'],
  ['ADS_PUBLISHER_CREDIT', 'adjustment'],
];

/**
 * The category of a balance transaction type. An `ADJUSTMENT` whose source is a DISPUTE is a chargeback (Shopify
 * books lost disputes that way as well as with DISPUTE_WITHDRAWAL).
 */
export function categoryOf(tx: Pick<BalanceTransaction, 'type' | 'sourceType'>): PayoutCategory {
  if (tx.sourceType === 'DISPUTE' && (tx.type === 'ADJUSTMENT' || tx.type === 'ADJUSTMENT_REVERSAL')) return 'dispute';
  const exact = EXACT[tx.type];
  if (exact) return exact;
  return PREFIXES.find(([prefix]) => tx.type.startsWith(prefix))?.[1] ?? 'unknown';
}
