import type { Entity } from '../types';
import type { Company } from './company';

/**
 * Accounts QBO keeps for itself. Like QBO (which adds Accounts Receivable on the first invoice), a missing
 * one is created on first use, so a seeded chart of accounts need not list them.
 */
type Spec = { match: (a: Entity) => boolean; create: Entity };

const bySubType = (subType: string) => (a: Entity) => a.AccountSubType === subType;

const SPECS = {
  undepositedFunds: {
    match: bySubType('UndepositedFunds'),
    create: { Name: 'Undeposited Funds', AccountType: 'Other Current Asset', AccountSubType: 'UndepositedFunds' },
  },
  accountsReceivable: {
    match: (a) => a.AccountType === 'Accounts Receivable',
    create: { Name: 'Accounts Receivable (A/R)', AccountType: 'Accounts Receivable', AccountSubType: 'AccountsReceivable' },
  },
  accountsPayable: {
    match: (a) => a.AccountType === 'Accounts Payable',
    create: { Name: 'Accounts Payable (A/P)', AccountType: 'Accounts Payable', AccountSubType: 'AccountsPayable' },
  },
  taxPayable: {
    match: (a) => a.AccountSubType === 'SalesTaxPayable' || a.AccountSubType === 'GlobalTaxPayable',
    create: { Name: 'Sales Tax Payable', AccountType: 'Other Current Liability', AccountSubType: 'SalesTaxPayable' },
  },
  openingBalanceEquity: {
    match: bySubType('OpeningBalanceEquity'),
    create: { Name: 'Opening Balance Equity', AccountType: 'Equity', AccountSubType: 'OpeningBalanceEquity' },
  },
  retainedEarnings: {
    match: bySubType('RetainedEarnings'),
    create: { Name: 'Retained Earnings', AccountType: 'Equity', AccountSubType: 'RetainedEarnings' },
  },
  discounts: {
    match: bySubType('DiscountsRefundsGiven'),
    create: { Name: 'Discounts given', AccountType: 'Income', AccountSubType: 'DiscountsRefundsGiven' },
  },
  shipping: {
    match: (a) => a.Name === 'Shipping Income',
    create: { Name: 'Shipping Income', AccountType: 'Income', AccountSubType: 'SalesOfProductIncome' },
  },
  shrinkage: {
    match: (a) => a.Name === 'Inventory Shrinkage',
    create: { Name: 'Inventory Shrinkage', AccountType: 'Cost of Goods Sold', AccountSubType: 'SuppliesMaterialsCogs' },
  },
} satisfies Record<string, Spec>;

export type SystemAccount = keyof typeof SPECS;

/** Preferences.SalesFormsPrefs names the default discount and shipping accounts by Id. */
const PREFERENCE: Partial<Record<SystemAccount, string>> = {
  discounts: 'DefaultDiscountAccount',
  shipping: 'DefaultShippingAccount',
};

export function systemAccount(company: Company, kind: SystemAccount, now: string): string {
  const prefKey = PREFERENCE[kind];
  const preferred = prefKey ? company.preferences().SalesFormsPrefs?.[prefKey] : undefined;
  if (preferred && company.get('Account', String(preferred))) return String(preferred);
  const spec: Spec = SPECS[kind];
  const found = company.list('Account').find((a) => a.Active !== false && spec.match(a));
  if (found) return String(found.Id);
  const id = company.newId();
  company.put('Account', newAccount(id, spec.create, now));
  return id;
}

export function newAccount(id: string, fields: Entity, now: string): Entity {
  return {
    ...fields,
    Id: id,
    SyncToken: '0',
    domain: 'QBO',
    sparse: false,
    Active: fields.Active ?? true,
    SubAccount: fields.SubAccount ?? false,
    FullyQualifiedName: fields.Name,
    Classification: classificationOf(String(fields.AccountType)),
    CurrentBalance: 0,
    CurrentBalanceWithSubAccounts: 0,
    MetaData: { CreateTime: now, LastUpdatedTime: now },
  };
}

const CLASSIFICATION: Record<string, string> = {
  Bank: 'Asset',
  'Accounts Receivable': 'Asset',
  'Other Current Asset': 'Asset',
  'Fixed Asset': 'Asset',
  'Other Asset': 'Asset',
  'Accounts Payable': 'Liability',
  'Credit Card': 'Liability',
  'Other Current Liability': 'Liability',
  'Long Term Liability': 'Liability',
  Equity: 'Equity',
  Income: 'Revenue',
  'Other Income': 'Revenue',
  'Cost of Goods Sold': 'Expense',
  Expense: 'Expense',
  'Other Expense': 'Expense',
  'Non-Posting': 'Asset',
};

export function classificationOf(accountType: string): string {
  return CLASSIFICATION[accountType] ?? 'Asset';
}

/** Assets and expenses carry a debit balance; QBO shows each account's balance positive on its normal side. */
export function isDebitNormal(account: Entity): boolean {
  const c = classificationOf(String(account.AccountType));
  return c === 'Asset' || c === 'Expense';
}
