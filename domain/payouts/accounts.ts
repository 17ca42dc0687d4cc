/**
 * Which QBO account each kind of Deposit line posts to, from the store's settings (docs/payouts.md "Settings").
 * Expense-like categories without an account of their own fall back to the adjustments account; balance-sheet
 * ones (reserves, Capital, the clearing line, the bank) have no fallback: posting them to an expense would
 * misstate the books, so a payout that needs one is held `needs_mapping` instead.
 */
import { gatewayTargetFor, type Settings } from '../settings';
import type { PayoutCategory } from './categories';

export interface PayoutAccounts {
  bank?: string;
  /** "Shopify Payments clearing": charges and refunds that cannot be linked, retried payouts. */
  clearing?: string;
  fees: string;
  feeVendor?: string;
  disputes?: string;
  reserve?: string;
  capital?: string;
  shippingLabels?: string;
  billing?: string;
  duties: string;
  adjustments?: string;
  /** Where Shopify Payments sales sit until deposited: the negative payout's JournalEntry moves money through it. */
  paymentsClearing: string;
  classId?: string;
  departmentId?: string;
}

export type AccountKey =
  'bank' | 'clearing' | 'fees' | 'disputes' | 'reserve' | 'capital' | 'shippingLabels' | 'billing' | 'duties' | 'adjustments';

/** The setting a person fills in for each account (what a `needs_mapping` hold names). */
export const ACCOUNT_SETTING: Readonly<Record<AccountKey, string>> = {
  bank: 'payouts.bankAccountId',
  clearing: 'payouts.clearingAccountId',
  fees: 'payouts.feesAccountId',
  disputes: 'payouts.disputesAccountId (or payouts.adjustmentsAccountId)',
  reserve: 'payouts.reserveAccountId',
  capital: 'payouts.capitalAccountId',
  shippingLabels: 'payouts.shippingLabelsAccountId (or payouts.adjustmentsAccountId)',
  billing: 'payouts.billingAccountId (or payouts.adjustmentsAccountId)',
  duties: 'accounts.duties',
  adjustments: 'payouts.adjustmentsAccountId',
};

/** The account of each category's lines; charges and refunds are linked, the transfer is no line. */
export const CATEGORY_ACCOUNT: Readonly<Record<PayoutCategory, AccountKey | null>> = {
  transfer: null,
  charge: null,
  refund: null,
  sale_adjustment: 'adjustments',
  dispute: 'disputes',
  fee: 'fees',
  reserve: 'reserve',
  capital: 'capital',
  shipping_label: 'shippingLabels',
  billing: 'billing',
  duties: 'duties',
  retried_payout: 'clearing',
  adjustment: 'adjustments',
  unknown: 'adjustments',
};

export function resolvePayoutAccounts(settings: Settings): PayoutAccounts {
  const p = settings.payouts;
  const adjustments = p.adjustmentsAccountId;
  const gateway = p.gateways[0] ?? 'shopify_payments';
  return {
    bank: p.bankAccountId,
    clearing: p.clearingAccountId,
    fees: p.feesAccountId ?? settings.accounts.fees,
    feeVendor: p.feeVendorId,
    disputes: p.disputesAccountId ?? adjustments,
    reserve: p.reserveAccountId,
    capital: p.capitalAccountId,
    shippingLabels: p.shippingLabelsAccountId ?? adjustments,
    billing: p.billingAccountId ?? adjustments,
    duties: settings.accounts.duties,
    adjustments,
    paymentsClearing: gatewayTargetFor(settings, gateway).depositAccountId,
    classId: settings.classId,
    departmentId: settings.departmentId,
  };
}
