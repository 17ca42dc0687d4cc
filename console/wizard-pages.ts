/**
 * The console's "Add a store" set-up wizard (issue #17), its pages: 1 Shopify (install through Shopify's OAuth, or
 * a custom app's token), 2 QuickBooks (Intuit's OAuth), 3 settings (start date, accounts picked from the company's
 * own chart, tax, products, customers, payments, refunds, inventory), each choice explained in one line. Validation
 * messages are the connect service's own (services/stores/connect.ts), shown at the top and next to the field they
 * name. The routes are console/wizard.ts; every form carries the CSRF token; no script.
 */
import type { AccountKey } from '../services/stores/accounts';
import { html, type Html } from './html';
import { csrfField, layout, type PageContext } from './pages';

export interface WizardSummary {
  shopDomain?: string | undefined;
  shopName?: string | undefined;
  /** How Shopify was connected. */
  shopifyVia?: 'install' | 'token' | undefined;
  realmId?: string | undefined;
  companyName?: string | null | undefined;
}

/** A message at the top: an error the services answered, or what a step just did (the page's one status). */
export interface WizardNotice {
  kind: 'ok' | 'error';
  text: string;
}

export interface ShopifyStepData {
  summary: WizardSummary;
  notice?: WizardNotice | undefined;
  /** Whether this server has a Shopify app (SHOPIFY_CLIENT_ID…): otherwise only the token path is offered. */
  installAvailable: boolean;
  /** What was typed, shown again after an error. */
  values?: { shopDomain?: string | undefined } | undefined;
  /** The field an error names ('shopDomain', 'token'), and on which form. */
  fieldError?: { form: 'install' | 'token'; field: string; message: string } | undefined;
}

export interface QboStepData {
  summary: WizardSummary;
  notice?: WizardNotice | undefined;
  connectAvailable: boolean;
}

export interface PickerAccount {
  id: string;
  name: string;
  accountType: string;
}

export interface SettingsStepData {
  summary: WizardSummary;
  notice?: WizardNotice | undefined;
  /** The company's active accounts, by the account types each setting may take. */
  accounts: PickerAccount[];
  /** Account types each account setting accepts (services/stores/accounts.ts ACCOUNT_RULES). */
  accountTypes: Record<AccountKey, string[]>;
  /** What connect would detect: the tax mode shown for "automatic". */
  detectedTaxMode: 'us_automated' | 'global';
  /** The form's values as posted (after an error), by field name. */
  values: Record<string, string>;
  /** Messages by field name (the settings path, e.g. accounts.productIncome). */
  errors: Record<string, string>;
}

const STEPS = ['Shopify', 'QuickBooks', 'Settings'] as const;

function steps(current: 1 | 2 | 3): Html {
  return html`<ol class="wizard-steps" aria-label="Steps">
    ${STEPS.map(
      (name, i) =>
        html`<li
          class="${i + 1 < current ? 'done' : i + 1 === current ? 'current' : ''}"
          ${i + 1 === current ? html`aria-current="step"` : ''}
        >
          <span class="n">${String(i + 1)}</span> ${name}${i + 1 < current ? html`<span class="visually-hidden"> (done)</span>` : ''}
        </li>`,
    )}
  </ol>`;
}

function noticeOf(n: WizardNotice | undefined): Html {
  if (!n) return html``;
  return html`<p class="alert ${n.kind}" role="${n.kind === 'error' ? 'alert' : 'status'}">${n.text}</p>`;
}

function connected(s: WizardSummary): Html {
  if (!s.shopDomain) return html``;
  return html`<dl class="facts wizard-so-far">
    <div>
      <dt>Shopify</dt>
      <dd>
        ${s.shopName ? html`${s.shopName} (${s.shopDomain})` : s.shopDomain}
        ${s.shopifyVia ? html`· ${s.shopifyVia === 'install' ? 'app installed' : 'custom app token checked'}` : ''}
      </dd>
    </div>
    ${
      s.realmId
        ? html`<div>
            <dt>QuickBooks</dt>
            <dd>${s.companyName ?? 'company'} (realm ${s.realmId})</dd>
          </div>`
        : ''
    }
  </dl>`;
}

function frame(page: PageContext, current: 1 | 2 | 3, title: string, body: Html): Html {
  return layout(
    page,
    `Add a store: ${title}`,
    html`<link rel="stylesheet" href="/console/assets/wizard.css" />
      <p class="crumbs"><a href="/console/stores">Stores</a> /</p>
      <h1>Add a store</h1>
      ${steps(current)} ${body}`,
  );
}

const startOver = (page: PageContext) =>
  html`<form method="post" action="/console/connect/reset" class="wizard-reset">
    ${csrfField(page)}<button type="submit" class="secondary">Start over</button>
  </form>`;

/** A text input with its label, one-line hint and (after an error) the message, tied together for screen readers. */
function textField(p: {
  id: string;
  name: string;
  label: string;
  hint: string;
  value?: string | undefined;
  error?: string | undefined;
  type?: string;
  required?: boolean;
  placeholder?: string;
  autocomplete?: string;
}): Html {
  const described = [`${p.id}-hint`, p.error ? `${p.id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field">
    <label for="${p.id}">${p.label}</label>
    <p class="hint" id="${p.id}-hint">${p.hint}</p>
    <input
      id="${p.id}"
      name="${p.name}"
      type="${p.type ?? 'text'}"
      value="${p.value ?? ''}"
      aria-describedby="${described}"
      ${p.error ? html`aria-invalid="true"` : ''}
      ${p.required ? html`required` : ''}
      ${p.placeholder ? html`placeholder="${p.placeholder}"` : ''}
      autocomplete="${p.autocomplete ?? 'off'}"
      spellcheck="false"
    />
    ${p.error ? html`<p class="field-error" id="${p.id}-error">${p.error}</p>` : ''}
  </div>`;
}

export function shopifyStep(page: PageContext, d: ShopifyStepData): Html {
  const err = (form: 'install' | 'token', field: string) =>
    d.fieldError && d.fieldError.form === form && d.fieldError.field === field ? d.fieldError.message : undefined;
  return frame(
    page,
    1,
    'Shopify',
    html`${noticeOf(d.notice)}
      <section class="card" aria-labelledby="shopify-title">
        <h2 id="shopify-title">Step 1 of 3: your Shopify shop</h2>
        <p>Ledgerline reads the shop's orders, refunds and payouts. Choose one of the two ways to give it access.</p>
      </section>
      ${
        d.installAvailable
          ? html`<section class="card" aria-labelledby="install-title">
              <h2 id="install-title">Install on Shopify</h2>
              <p class="sub">The simplest way: Shopify asks you to approve Ledgerline's access, then sends you back here.</p>
              <form method="post" action="/console/connect/shopify/install" class="stack">
                ${csrfField(page)}
                ${textField({
                  id: 'install-shop',
                  name: 'shopDomain',
                  label: 'Shop domain',
                  hint: 'The shop\u2019s address at Shopify, e.g. my-shop.myshopify.com (the handle alone is enough).',
                  value: d.values?.shopDomain,
                  error: err('install', 'shopDomain'),
                  required: true,
                  placeholder: 'my-shop.myshopify.com',
                })}
                <button type="submit">Install on Shopify</button>
              </form>
            </section>`
          : ''
      }
      <section class="card" aria-labelledby="token-title">
        <h2 id="token-title">${d.installAvailable ? 'Or paste a custom app\u2019s token' : 'Paste a custom app\u2019s token'}</h2>
        <p class="sub">
          For a custom app made in the shop's admin (Settings → Apps → Develop apps) with the read scopes Ledgerline needs. The token is
          checked against the shop before anything is saved.
        </p>
        <form method="post" action="/console/connect/shopify/token" class="stack">
          ${csrfField(page)}
          ${textField({
            id: 'token-shop',
            name: 'shopDomain',
            label: 'Shop domain',
            hint: 'The shop the token belongs to, e.g. my-shop.myshopify.com.',
            value: d.values?.shopDomain,
            error: err('token', 'shopDomain'),
            required: true,
            placeholder: 'my-shop.myshopify.com',
          })}
          ${textField({
            id: 'token-token',
            name: 'token',
            label: 'Admin API access token',
            hint: 'Starts with shpat_; shown once in the custom app\u2019s API credentials. Stored encrypted, never shown again.',
            error: err('token', 'token'),
            type: 'password',
            required: true,
            autocomplete: 'off',
          })}
          <button type="submit" class="secondary">Check and use this token</button>
        </form>
      </section>`,
  );
}

export function qboStep(page: PageContext, d: QboStepData): Html {
  return frame(
    page,
    2,
    'QuickBooks',
    html`${noticeOf(d.notice)}
      <section class="card" aria-labelledby="qbo-title">
        <h2 id="qbo-title">Step 2 of 3: QuickBooks Online</h2>
        ${connected(d.summary)}
        <p>
          Ledgerline books each order, refund and payout into one QuickBooks company. Intuit asks you to sign in, choose the company and
          allow access, then sends you back here.
        </p>
        ${
          d.connectAvailable
            ? html`<form method="post" action="/console/connect/qbo" class="actions">
                ${csrfField(page)}<button type="submit">Connect to QuickBooks</button>
              </form>`
            : html`<p class="alert error">
                Connecting to QuickBooks is not configured on this server (QBO_CLIENT_ID, QBO_CLIENT_SECRET and QBO_REDIRECT_URI); connect
                the store with <code>POST /stores</code> and pasted tokens instead.
              </p>`
        }
      </section>
      ${startOver(page)}`,
  );
}

interface Choice {
  value: string;
  label: string;
}

function selectField(p: {
  name: string;
  label: string;
  hint: string;
  choices: Choice[];
  value: string | undefined;
  error: string | undefined;
}): Html {
  const id = `f-${p.name.replace(/[^A-Za-z0-9]+/g, '-')}`;
  const described = [`${id}-hint`, p.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const chosen = p.value ?? p.choices[0]?.value ?? '';
  return html`<div class="field">
    <label for="${id}">${p.label}</label>
    <p class="hint" id="${id}-hint">${p.hint}</p>
    <select id="${id}" name="${p.name}" aria-describedby="${described}" ${p.error ? html`aria-invalid="true"` : ''}>
      ${p.choices.map((c) => html`<option value="${c.value}" ${c.value === chosen ? 'selected' : ''}>${c.label}</option>`)}
    </select>
    ${p.error ? html`<p class="field-error" id="${id}-error">${p.error}</p>` : ''}
  </div>`;
}

/** The account settings the wizard offers, with what each is for and what "automatic" does. */
const ACCOUNT_FIELDS: Array<{ key: AccountKey; label: string; hint: string; auto: string }> = [
  {
    key: 'productIncome',
    label: 'Product sales',
    hint: 'Income account each product line is booked to (items Ledgerline creates use it).',
    auto: 'Automatic ("Shopify Sales")',
  },
  {
    key: 'shippingIncome',
    label: 'Shipping charged',
    hint: 'Income account for the shipping customers pay.',
    auto: 'Automatic (the shipping income account)',
  },
  {
    key: 'discounts',
    label: 'Discounts',
    hint: 'Where order discounts are booked (as a reduction of income).',
    auto: 'Automatic (the discounts account)',
  },
  {
    key: 'undepositedFunds',
    label: 'Money received (clearing)',
    hint: 'Where paid orders are deposited until the payout reaches the bank; usually Undeposited Funds.',
    auto: 'Automatic (Undeposited Funds)',
  },
  {
    key: 'fees',
    label: 'Payment fees',
    hint: 'Expense account for the fees the payment gateways take.',
    auto: 'Automatic ("Shopify Fees")',
  },
  {
    key: 'giftCardLiability',
    label: 'Gift cards',
    hint: 'Liability account for gift cards sold and redeemed (not income until used).',
    auto: 'Automatic ("Shopify Gift Card Liability")',
  },
  {
    key: 'tips',
    label: 'Tips',
    hint: 'Account for tips customers add at checkout.',
    auto: 'Automatic ("Shopify Tips Payable")',
  },
  {
    key: 'duties',
    label: 'Duties',
    hint: 'Account for import duties collected on international orders.',
    auto: 'Automatic ("Shopify Duties Payable")',
  },
  {
    key: 'refundsFrom',
    label: 'Refunds paid from',
    hint: 'Bank or clearing account refunds are paid out of.',
    auto: 'Same as money received',
  },
];

const ENUMS: Record<string, { label: string; hint: string; choices: Choice[] }> = {
  productMatch: {
    label: 'Match products by',
    hint: 'How a Shopify line finds its QuickBooks item.',
    choices: [
      { value: 'sku', label: 'SKU (recommended when every variant has one)' },
      { value: 'name', label: 'Product name' },
    ],
  },
  missingItems: {
    label: 'When QuickBooks has no such item',
    hint: 'Create it, or hold the order until you create it yourself.',
    choices: [
      { value: 'auto_create', label: 'Create the item automatically' },
      { value: 'flag', label: 'Hold the order for me (needs attention)' },
    ],
  },
  autoCreateItemType: {
    label: 'Items created as',
    hint: 'The QuickBooks item type of items Ledgerline creates (Inventory also needs inventory accounts).',
    choices: [
      { value: 'NonInventory', label: 'Non-inventory' },
      { value: 'Service', label: 'Service' },
      { value: 'Inventory', label: 'Inventory (tracks quantity)' },
    ],
  },
  customers: {
    label: 'Customers',
    hint: 'One QuickBooks customer per shopper, or all sales under one customer.',
    choices: [
      { value: 'generic', label: 'One customer for all sales' },
      { value: 'per_customer', label: 'A customer per shopper' },
    ],
  },
  unpaidOrders: {
    label: 'Unpaid orders',
    hint: 'Orders not yet paid (e.g. payment on delivery): an invoice, or nothing until paid.',
    choices: [
      { value: 'invoice', label: 'Book an invoice' },
      { value: 'skip', label: 'Skip until paid' },
    ],
  },
  feesAs: {
    label: 'Payment fees booked as',
    hint: 'How gateway fees reach QuickBooks.',
    choices: [
      { value: 'deposit_line', label: 'A line of the deposit' },
      { value: 'expense', label: 'An expense' },
      { value: 'bill', label: 'A bill' },
    ],
  },
  refundsAs: {
    label: 'Refunds booked as',
    hint: 'The QuickBooks document a refund becomes.',
    choices: [
      { value: 'refund_receipt', label: 'Refund receipt (money paid back)' },
      { value: 'credit_memo', label: 'Credit memo' },
    ],
  },
  'inventory.mode': {
    label: 'Stock levels',
    hint: 'Copy QuickBooks quantities on hand to one Shopify location: off, preview the changes only, or apply them.',
    choices: [
      { value: 'off', label: 'Off' },
      { value: 'preview', label: 'Preview only' },
      { value: 'apply', label: 'Apply to Shopify' },
    ],
  },
};

function enumField(d: SettingsStepData, name: string): Html {
  const e = ENUMS[name]!;
  return selectField({ name, label: e.label, hint: e.hint, choices: e.choices, value: d.values[name], error: d.errors[name] });
}

function accountChoices(d: SettingsStepData, types: string[], auto: string): Choice[] {
  const fitting = d.accounts.filter((a) => types.includes(a.accountType)).sort((a, b) => a.name.localeCompare(b.name));
  return [{ value: '', label: auto }, ...fitting.map((a) => ({ value: a.id, label: `${a.name} (${a.accountType})` }))];
}

function text(d: SettingsStepData, name: string, label: string, hint: string, type = 'text'): Html {
  return textField({
    id: `f-${name.replace(/[^A-Za-z0-9]+/g, '-')}`,
    name,
    label,
    hint,
    type,
    value: d.values[name],
    error: d.errors[name],
  });
}

export function settingsStep(page: PageContext, d: SettingsStepData): Html {
  const bank = ['Bank', 'Other Current Asset'];
  const unplaced = Object.entries(d.errors).filter(([field]) => !SETTINGS_FIELDS.has(field));
  const taxWords = d.detectedTaxMode === 'us_automated' ? 'US sales tax' : 'tax codes per line';
  return frame(
    page,
    3,
    'Settings',
    html`${noticeOf(d.notice)}
      ${
        unplaced.length > 0
          ? html`<ul class="alert error field-list">
              ${unplaced.map(([f, m]) => html`<li>${f}: ${m}</li>`)}
            </ul>`
          : ''
      }
      <section class="card" aria-labelledby="settings-title">
        <h2 id="settings-title">Step 3 of 3: settings</h2>
        ${connected(d.summary)}
        <p class="sub">The defaults suit most shops; every choice can be changed later (<code>PUT /stores/:id/settings</code>).</p>
        <form method="post" action="/console/connect" class="wizard-form">
          ${csrfField(page)}<input type="hidden" name="shopDomain" value="${d.summary.shopDomain ?? ''}" /><input
            type="hidden"
            name="realmId"
            value="${d.summary.realmId ?? ''}"
          />
          <fieldset>
            <legend>History</legend>
            ${text(d, 'startDate', 'Start date', 'Orders before this day (the shop\u2019s time zone) are not booked; empty books every order.', 'date')}
            ${text(d, 'syncIntervalMinutes', 'Sync every (minutes)', 'How often new orders are read and booked: 5 to 1440 minutes.', 'number')}
          </fieldset>
          <fieldset>
            <legend>Accounts</legend>
            <p class="hint">
              From the company's chart of accounts; "automatic" uses the usual account, or creates the named one when there is none.
            </p>
            ${ACCOUNT_FIELDS.map((f) =>
              selectField({
                name: `accounts.${f.key}`,
                label: f.label,
                hint: f.hint,
                choices: accountChoices(d, d.accountTypes[f.key], f.auto),
                value: d.values[`accounts.${f.key}`],
                error: d.errors[`accounts.${f.key}`],
              }),
            )}
          </fieldset>
          <fieldset>
            <legend>Tax</legend>
            ${selectField({
              name: 'taxMode',
              label: 'Tax handling',
              hint: 'US companies take Shopify\u2019s tax total; elsewhere each line carries its tax code.',
              choices: [
                { value: '', label: `Automatic (detected: ${taxWords})` },
                { value: 'us_automated', label: 'US sales tax (Shopify\u2019s total)' },
                { value: 'global', label: 'Tax codes per line (outside the US)' },
              ],
              value: d.values.taxMode,
              error: d.errors.taxMode,
            })}
          </fieldset>
          <fieldset>
            <legend>Products</legend>
            ${enumField(d, 'productMatch')} ${enumField(d, 'missingItems')} ${enumField(d, 'autoCreateItemType')}
          </fieldset>
          <fieldset>
            <legend>Customers</legend>
            ${enumField(d, 'customers')}
            ${text(d, 'genericCustomerName', 'Name of the one customer', 'Used when all sales go under one customer.')}
          </fieldset>
          <fieldset>
            <legend>Payments and fees</legend>
            ${enumField(d, 'unpaidOrders')}
            ${selectField({
              name: 'gateways.shopify_payments.depositAccountId',
              label: 'Shopify Payments deposits into',
              hint: 'Where orders paid through Shopify Payments wait for their payout.',
              choices: accountChoices(d, bank, 'Same as money received'),
              value: d.values['gateways.shopify_payments.depositAccountId'],
              error: d.errors['gateways.shopify_payments.depositAccountId'] ?? d.errors['gateways.shopify_payments'],
            })}
            ${selectField({
              name: 'defaultGateway.depositAccountId',
              label: 'Other gateways deposit into',
              hint: 'PayPal, manual payments and every other gateway.',
              choices: accountChoices(d, bank, 'Same as money received'),
              value: d.values['defaultGateway.depositAccountId'],
              error: d.errors['defaultGateway.depositAccountId'] ?? d.errors.defaultGateway,
            })}
            ${enumField(d, 'feesAs')}
            <div class="field check">
              <input
                type="checkbox"
                id="f-payouts-enabled"
                name="payouts.enabled"
                value="on"
                aria-describedby="f-payouts-enabled-hint"
                ${d.values['payouts.enabled'] === 'on' ? 'checked' : ''}
              />
              <label for="f-payouts-enabled">Reconcile Shopify Payments payouts</label>
              <p class="hint" id="f-payouts-enabled-hint">
                Books each payout as a bank deposit with its fees; its accounts are found or created.
              </p>
              ${d.errors['payouts.enabled'] ? html`<p class="field-error">${d.errors['payouts.enabled']}</p>` : ''}
            </div>
          </fieldset>
          <fieldset>
            <legend>Refunds</legend>
            ${enumField(d, 'refundsAs')}
          </fieldset>
          <fieldset>
            <legend>Inventory</legend>
            ${enumField(d, 'inventory.mode')}
            ${text(d, 'inventory.locationId', 'Shopify location', 'Only with stock levels on: the location id, e.g. gid://shopify/Location/123.')}
          </fieldset>
          <fieldset>
            <legend>Documents</legend>
            ${text(d, 'docNumberPrefix', 'Document number prefix', 'Put before the Shopify order number in QuickBooks (at most 8 characters, no spaces), e.g. SH-.')}
          </fieldset>
          <div class="actions">
            <button type="submit">Connect and start the first sync</button>
          </div>
        </form>
      </section>
      ${startOver(page)}`,
  );
}

/** Every field name the settings form has (an issue naming another path is listed at the top). */
export const SETTINGS_FIELDS = new Set<string>([
  'startDate',
  'syncIntervalMinutes',
  ...ACCOUNT_FIELDS.map((f) => `accounts.${f.key}`),
  'taxMode',
  'productMatch',
  'missingItems',
  'autoCreateItemType',
  'customers',
  'genericCustomerName',
  'unpaidOrders',
  'gateways.shopify_payments.depositAccountId',
  'gateways.shopify_payments',
  'defaultGateway.depositAccountId',
  'defaultGateway',
  'feesAs',
  'payouts.enabled',
  'refundsAs',
  'inventory.mode',
  'inventory.locationId',
  'docNumberPrefix',
]);

/** The enum fields with their allowed values (the form is parsed against them, the schema still judges). */
export const ENUM_FIELDS = Object.keys(ENUMS);
