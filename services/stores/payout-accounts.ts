/**
 * The accounts and vendor a store's payouts book to (settings.payouts, docs/payouts.md "Settings"), resolved when
 * payouts are switched on (at connect, or by a settings update): ids the merchant gave are checked against the
 * company's chart (exists, active, a sensible AccountType); each missing one is found by its usual name or created
 * under a "Shopify …" name, as the sales accounts are (accounts.ts). The bank account is never created: it is the
 * company's only Bank account, or the merchant names it. Creating is idempotent: the chart is read by name first.
 * Payouts that are off resolve nothing, so a store that does not reconcile payouts gets no new accounts.
 */
import { randomUUID } from 'node:crypto';
import { QboValidationError, SettingsValidationError, type SettingsIssue } from '../../domain/errors';
import type { PayoutSettings } from '../../domain/settings';
import type { QboClient } from '../../integrations/qbo/client';
import { quote } from './accounts';

type Entity = Record<string, unknown>;

type PayoutAccountKey =
  | 'bankAccountId'
  | 'clearingAccountId'
  | 'feesAccountId'
  | 'disputesAccountId'
  | 'reserveAccountId'
  | 'capitalAccountId'
  | 'shippingLabelsAccountId'
  | 'billingAccountId'
  | 'adjustmentsAccountId';

interface Rule {
  names: string[];
  create?: { Name: string; AccountType: string; AccountSubType: string };
  types: string[];
}

const EXPENSE = ['Expense', 'Other Expense'];

/**
 * Account types follow QBO's chart (docs/qbo-facts.md §4 "Deposit"): the clearing and reserve accounts hold the
 * shop's own money (Other Current Asset), Shopify Capital is a debt (a liability), the rest are costs. The fee
 * account is left unset when not given: the payout domain then uses the sales sync's fee account (accounts.fees).
 */
const RULES: Record<PayoutAccountKey, Rule> = {
  bankAccountId: { names: [], types: ['Bank'] },
  clearingAccountId: {
    names: ['Shopify Payments Clearing', 'Shopify Clearing'],
    create: { Name: 'Shopify Payments Clearing', AccountType: 'Other Current Asset', AccountSubType: 'OtherCurrentAssets' },
    types: ['Other Current Asset'],
  },
  feesAccountId: { names: [], types: [...EXPENSE, 'Cost of Goods Sold'] },
  disputesAccountId: {
    names: ['Shopify Chargebacks', 'Chargebacks'],
    create: { Name: 'Shopify Chargebacks', AccountType: 'Expense', AccountSubType: 'OtherMiscellaneousServiceCost' },
    types: EXPENSE,
  },
  reserveAccountId: {
    names: ['Shopify Reserve'],
    create: { Name: 'Shopify Reserve', AccountType: 'Other Current Asset', AccountSubType: 'OtherCurrentAssets' },
    types: ['Other Current Asset'],
  },
  capitalAccountId: {
    names: ['Shopify Capital'],
    create: { Name: 'Shopify Capital', AccountType: 'Other Current Liability', AccountSubType: 'LoanPayable' },
    types: ['Other Current Liability', 'Long Term Liability'],
  },
  shippingLabelsAccountId: {
    names: ['Shopify Shipping Labels'],
    create: { Name: 'Shopify Shipping Labels', AccountType: 'Expense', AccountSubType: 'ShippingFreightDelivery' },
    types: [...EXPENSE, 'Cost of Goods Sold'],
  },
  billingAccountId: {
    names: ['Shopify Billing'],
    create: { Name: 'Shopify Billing', AccountType: 'Expense', AccountSubType: 'OtherMiscellaneousServiceCost' },
    types: EXPENSE,
  },
  adjustmentsAccountId: {
    names: ['Shopify Adjustments'],
    create: { Name: 'Shopify Adjustments', AccountType: 'Expense', AccountSubType: 'OtherMiscellaneousServiceCost' },
    types: EXPENSE,
  },
};

const FEE_VENDOR_NAME = 'Shopify';

const lower = (s: unknown) =>
  String(s ?? '')
    .trim()
    .toLowerCase();

async function createOrAdopt(
  client: QboClient,
  entity: 'Account' | 'Vendor',
  body: Entity,
  name: string,
  nameField: string,
): Promise<Entity> {
  try {
    // A fresh requestid: the name lookup before creating is what makes a retried connect reuse it.
    return await client.create(entity, body, { requestId: `ll-payout-${randomUUID()}` });
  } catch (err) {
    if (!(err instanceof QboValidationError) || !/6240|duplicate/i.test(err.message)) throw err;
    const [existing] = await client.query(entity, `${nameField} = ${quote(name)}`);
    if (existing && existing.Active !== false) return existing;
    throw new SettingsValidationError([
      { path: `payouts`, message: `QBO already has an inactive ${entity} named "${name}": make it active, or name the one to use` },
    ]);
  }
}

export interface PayoutResolution {
  payouts: PayoutSettings;
  /** What was found or created, by setting, for the connect answer. */
  resolved: Partial<Record<PayoutAccountKey | 'feeVendorId', { id: string; name: string; source: 'given' | 'found' | 'created' }>>;
}

/**
 * Fills the payout accounts of `payouts` (already validated by the settings schema) when payouts are on; throws
 * SettingsValidationError naming each bad or missing one by its path (`payouts.<key>`).
 */
export async function resolvePayoutAccounts(client: QboClient, payouts: PayoutSettings): Promise<PayoutResolution> {
  if (!payouts.enabled) return { payouts, resolved: {} };
  const chart = (await client.query('Account')).filter((a) => a.Active !== false);
  const byId = new Map(chart.map((a) => [String(a.Id), a]));
  const out: PayoutSettings = { ...payouts };
  const resolved: PayoutResolution['resolved'] = {};
  const issues: SettingsIssue[] = [];

  const keys = Object.keys(RULES) as PayoutAccountKey[];
  // First what the merchant named, and the bank account (never created): nothing is created while these are wrong.
  for (const key of keys) {
    const rule = RULES[key];
    const given = payouts[key];
    if (given !== undefined) {
      const account = byId.get(given);
      if (!account) issues.push({ path: `payouts.${key}`, message: `QBO has no active Account with Id "${given}"` });
      else if (!rule.types.includes(String(account.AccountType)))
        issues.push({
          path: `payouts.${key}`,
          message: `Account ${given} ("${String(account.Name)}") is of type ${String(account.AccountType)}; expected ${rule.types.join(' or ')}`,
        });
      else resolved[key] = { id: given, name: String(account.Name), source: 'given' };
    } else if (key === 'bankAccountId') {
      const banks = chart.filter((a) => a.AccountType === 'Bank');
      if (banks.length === 1) {
        out.bankAccountId = String(banks[0]!.Id);
        resolved[key] = { id: out.bankAccountId, name: String(banks[0]!.Name), source: 'found' };
      } else {
        const choices = banks.map((b) => `${String(b.Id)} (${String(b.Name)})`).join(', ');
        issues.push({
          path: 'payouts.bankAccountId',
          message:
            banks.length === 0
              ? 'the QBO company has no Bank account: add the account Shopify Payments pays out to, then name it here'
              : `the QBO company has ${banks.length} Bank accounts; name the one Shopify Payments pays out to: ${choices}`,
        });
      }
    }
  }
  if (payouts.feeVendorId !== undefined) {
    const [vendor] = await client.query('Vendor', `Id = ${quote(payouts.feeVendorId)}`);
    if (!vendor || vendor.Active === false)
      issues.push({ path: 'payouts.feeVendorId', message: `QBO has no active Vendor with Id "${payouts.feeVendorId}"` });
    else resolved.feeVendorId = { id: payouts.feeVendorId, name: String(vendor.DisplayName), source: 'given' };
  }
  if (issues.length > 0) throw new SettingsValidationError(issues);

  for (const key of keys) {
    if (out[key] !== undefined) continue;
    const rule = RULES[key];
    const found = chart.find((a) => rule.names.some((n) => lower(a.Name) === lower(n)) && rule.types.includes(String(a.AccountType)));
    if (found) {
      out[key] = String(found.Id);
      resolved[key] = { id: String(found.Id), name: String(found.Name), source: 'found' };
      continue;
    }
    if (!rule.create) continue;
    const created = await createOrAdopt(client, 'Account', { ...rule.create }, rule.create.Name, 'Name');
    chart.push(created);
    out[key] = String(created.Id);
    resolved[key] = { id: String(created.Id), name: String(created.Name), source: 'created' };
  }
  if (out.feeVendorId === undefined) {
    const [vendor] = await client.query('Vendor', `DisplayName = ${quote(FEE_VENDOR_NAME)}`);
    const use = vendor ?? (await createOrAdopt(client, 'Vendor', { DisplayName: FEE_VENDOR_NAME }, FEE_VENDOR_NAME, 'DisplayName'));
    out.feeVendorId = String(use.Id);
    resolved.feeVendorId = { id: out.feeVendorId, name: String(use.DisplayName), source: vendor ? 'found' : 'created' };
  }
  return { payouts: out, resolved };
}
