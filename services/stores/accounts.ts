/**
 * Resolves the QBO accounts a store books to (settings.accounts) at connect time. Ids the merchant gave
 * are checked against the company's chart (exists, active, a sensible AccountType); each missing key is
 * found — a "Shopify …" account first, then QBO's own default (Preferences.SalesFormsPrefs), then the
 * usual name or AccountSubType (docs/qbo-facts.md §4) — or else created under a "Shopify …" name. Creating is
 * idempotent: the chart is read (by name) before anything is created, so a retried connect reuses what
 * an earlier attempt made.
 */
import { randomUUID } from 'node:crypto';
import { QboValidationError, SettingsValidationError, type SettingsIssue } from '../../domain/errors';
import type { SettingsAccounts } from '../../domain/settings';
import type { QboClient } from '../../integrations/qbo/client';
import { HttpError } from '../errors';

export type AccountKey = keyof SettingsAccounts;
type Entity = Record<string, unknown>;

export interface QboAccount {
  id: string;
  name: string;
  accountType: string;
  accountSubType: string | null;
}

export interface ResolvedAccount {
  id: string;
  name: string | null;
  /** given: in the request; found: an existing account; created: made by Ledgerline now. */
  source: 'given' | 'found' | 'created';
}

type Finder = (accounts: QboAccount[], preferences: Entity) => QboAccount | undefined;

interface AccountRule {
  /** Tried in order; the first hit wins. */
  finders: Finder[];
  /** Created when nothing is found; absent: the key stays unset. */
  create?: { Name: string; AccountType: string; AccountSubType: string };
  /** AccountTypes a given id may have. */
  types: string[];
}

const lower = (s: string) => s.trim().toLowerCase();
const named =
  (...names: string[]): Finder =>
  (accounts) => {
    for (const n of names) {
      const hit = accounts.find((a) => lower(a.name) === lower(n));
      if (hit) return hit;
    }
    return undefined;
  };
const bySubType =
  (subType: string, exclude: RegExp = /$^/): Finder =>
  (accounts) =>
    accounts.find((a) => a.accountSubType === subType && !exclude.test(a.name));
const byType =
  (type: string): Finder =>
  (accounts) =>
    accounts.find((a) => a.accountType === type);
/** QBO's own choice of shipping/discount account (Preferences.SalesFormsPrefs). */
const preferred =
  (key: 'DefaultShippingAccount' | 'DefaultDiscountAccount'): Finder =>
  (accounts, preferences) => {
    const forms = preferences.SalesFormsPrefs as Entity | undefined;
    const ref = forms?.[key];
    const id = typeof ref === 'object' && ref !== null ? (ref as Entity).value : ref;
    return id === undefined || id === null ? undefined : accounts.find((a) => a.id === String(id));
  };

const LIABILITY = ['Other Current Liability', 'Long Term Liability'];
const INCOME = ['Income', 'Other Income'];

/** Keys every store needs; the optional ones are only looked up (inventory ones created when needed). */
export const ACCOUNT_RULES: Record<AccountKey, AccountRule> = {
  undepositedFunds: {
    finders: [bySubType('UndepositedFunds'), named('Undeposited Funds')],
    create: { Name: 'Undeposited Funds', AccountType: 'Other Current Asset', AccountSubType: 'UndepositedFunds' },
    types: ['Other Current Asset', 'Bank'],
  },
  productIncome: {
    finders: [named('Shopify Sales'), named('Sales of Product Income'), bySubType('SalesOfProductIncome', /shipping/i)],
    create: { Name: 'Shopify Sales', AccountType: 'Income', AccountSubType: 'SalesOfProductIncome' },
    types: INCOME,
  },
  shippingIncome: {
    finders: [named('Shopify Shipping Income'), preferred('DefaultShippingAccount'), named('Shipping Income')],
    create: { Name: 'Shopify Shipping Income', AccountType: 'Income', AccountSubType: 'SalesOfProductIncome' },
    types: INCOME,
  },
  discounts: {
    finders: [named('Shopify Discounts'), preferred('DefaultDiscountAccount'), bySubType('DiscountsRefundsGiven')],
    create: { Name: 'Shopify Discounts', AccountType: 'Income', AccountSubType: 'DiscountsRefundsGiven' },
    types: [...INCOME, 'Expense', 'Other Expense'],
  },
  giftCardLiability: {
    finders: [named('Shopify Gift Card Liability', 'Gift Card Liability')],
    create: { Name: 'Shopify Gift Card Liability', AccountType: 'Other Current Liability', AccountSubType: 'OtherCurrentLiabilities' },
    types: LIABILITY,
  },
  tips: {
    finders: [named('Shopify Tips Payable', 'Shopify Tips', 'Tips Payable')],
    create: { Name: 'Shopify Tips Payable', AccountType: 'Other Current Liability', AccountSubType: 'OtherCurrentLiabilities' },
    types: [...LIABILITY, ...INCOME],
  },
  duties: {
    finders: [named('Shopify Duties Payable', 'Duties Payable')],
    create: { Name: 'Shopify Duties Payable', AccountType: 'Other Current Liability', AccountSubType: 'OtherCurrentLiabilities' },
    types: [...LIABILITY, ...INCOME, 'Expense'],
  },
  fees: {
    finders: [named('Shopify Fees')],
    create: { Name: 'Shopify Fees', AccountType: 'Expense', AccountSubType: 'BankCharges' },
    types: ['Expense', 'Other Expense', 'Cost of Goods Sold'],
  },
  refundsFrom: { finders: [], types: ['Bank', 'Other Current Asset'] },
  refundAdjustments: { finders: [], types: [...INCOME, 'Expense', 'Other Expense'] },
  salesTaxPayable: {
    finders: [bySubType('SalesTaxPayable'), bySubType('GlobalTaxPayable')],
    types: LIABILITY,
  },
  inventoryAsset: {
    finders: [named('Inventory Asset'), bySubType('Inventory')],
    create: { Name: 'Inventory Asset', AccountType: 'Other Current Asset', AccountSubType: 'Inventory' },
    types: ['Other Current Asset'],
  },
  costOfGoodsSold: {
    finders: [named('Shopify Cost of Goods Sold', 'Cost of Goods Sold'), byType('Cost of Goods Sold')],
    create: { Name: 'Cost of Goods Sold', AccountType: 'Cost of Goods Sold', AccountSubType: 'SuppliesMaterialsCogs' },
    types: ['Cost of Goods Sold'],
  },
};

export const REQUIRED_ACCOUNT_KEYS: AccountKey[] = [
  'undepositedFunds',
  'productIncome',
  'shippingIncome',
  'discounts',
  'giftCardLiability',
  'tips',
  'duties',
  'fees',
];
const INVENTORY_KEYS: AccountKey[] = ['inventoryAsset', 'costOfGoodsSold'];

function toAccount(e: Entity): QboAccount {
  return {
    id: String(e.Id),
    name: String(e.Name ?? ''),
    accountType: String(e.AccountType ?? ''),
    accountSubType: typeof e.AccountSubType === 'string' ? e.AccountSubType : null,
  };
}

/** QBO's query language quotes with single quotes and escapes them with a backslash. */
export const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

async function createAccount(client: QboClient, spec: NonNullable<AccountRule['create']>, key: AccountKey): Promise<QboAccount> {
  try {
    // A fresh requestid: the name lookup before creating is what makes a retried connect reuse it.
    return toAccount(await client.create('Account', { ...spec }, { requestId: `ll-acct-${randomUUID()}` }));
  } catch (err) {
    if (!(err instanceof QboValidationError) || !/6240|duplicate/i.test(err.message)) throw err;
    // Another connect made it meanwhile, or an inactive account holds the name (docs/qbo-facts.md §7: 6240).
    const [existing] = await client.query('Account', `Name = ${quote(spec.Name)}`);
    if (existing) return toAccount(existing);
    throw new HttpError(
      422,
      'qbo_account_conflict',
      `QBO already has an inactive account named "${spec.Name}": make it active, or set settings.accounts.${key} to the account to use`,
    );
  }
}

export interface AccountResolution {
  accounts: Partial<Record<AccountKey, string>>;
  resolved: Partial<Record<AccountKey, ResolvedAccount>>;
}

/**
 * Fills settings.accounts: checks the given ids, finds or creates the required ones (and the inventory
 * ones when auto-created items are Inventory items); throws SettingsValidationError for bad given ids.
 */
export async function resolveAccounts(
  client: QboClient,
  preferences: Entity,
  given: Partial<Record<AccountKey, string>>,
  opts: { inventoryAccountsNeeded: boolean },
): Promise<AccountResolution> {
  const chart = (await client.query('Account')).map(toAccount);
  const { accounts, resolved } = checkGivenAccounts(chart, given);
  return findOrCreateMissing(client, chart, preferences, accounts, resolved, opts);
}

/**
 * Checks account ids a merchant names (at connect, and in a settings update) against the company's chart:
 * each must exist, be active and have a sensible AccountType; throws SettingsValidationError naming each
 * bad one by its path (`accounts.<key>`).
 */
export async function checkAccountIds(client: QboClient, given: Partial<Record<AccountKey, string>>): Promise<void> {
  if (Object.values(given).every((id) => id === undefined)) return;
  checkGivenAccounts((await client.query('Account')).map(toAccount), given);
}

function checkGivenAccounts(chart: QboAccount[], given: Partial<Record<AccountKey, string>>): AccountResolution {
  const byId = new Map(chart.map((a) => [a.id, a]));
  const accounts: Partial<Record<AccountKey, string>> = {};
  const resolved: Partial<Record<AccountKey, ResolvedAccount>> = {};
  const issues: SettingsIssue[] = [];
  for (const [key, id] of Object.entries(given) as [AccountKey, string | undefined][]) {
    if (id === undefined) continue;
    const account = byId.get(id);
    const rule = ACCOUNT_RULES[key];
    if (!account) {
      issues.push({ path: `accounts.${key}`, message: `QBO has no active Account with Id "${id}"` });
    } else if (!rule.types.includes(account.accountType)) {
      issues.push({
        path: `accounts.${key}`,
        message: `Account ${id} ("${account.name}") is of type ${account.accountType}; expected ${rule.types.join(' or ')}`,
      });
    } else {
      accounts[key] = id;
      resolved[key] = { id, name: account.name, source: 'given' };
    }
  }
  if (issues.length > 0) throw new SettingsValidationError(issues);
  return { accounts, resolved };
}

async function findOrCreateMissing(
  client: QboClient,
  chart: QboAccount[],
  preferences: Entity,
  accounts: Partial<Record<AccountKey, string>>,
  resolved: Partial<Record<AccountKey, ResolvedAccount>>,
  opts: { inventoryAccountsNeeded: boolean },
): Promise<AccountResolution> {
  const mustHave = new Set<AccountKey>([...REQUIRED_ACCOUNT_KEYS, ...(opts.inventoryAccountsNeeded ? INVENTORY_KEYS : [])]);
  for (const key of Object.keys(ACCOUNT_RULES) as AccountKey[]) {
    if (accounts[key] !== undefined) continue;
    const rule = ACCOUNT_RULES[key];
    let found: QboAccount | undefined;
    for (const finder of rule.finders) {
      found = finder(chart, preferences);
      if (found) break;
    }
    if (found) {
      accounts[key] = found.id;
      resolved[key] = { id: found.id, name: found.name, source: 'found' };
      continue;
    }
    if (!mustHave.has(key) || !rule.create) continue;
    const created = await createAccount(client, rule.create, key);
    chart.push(created);
    accounts[key] = created.id;
    resolved[key] = { id: created.id, name: created.name, source: 'created' };
  }
  return { accounts, resolved };
}
