/**
 * Per-store settings: one zod schema gives the TS type, the defaults and the precise messages that
 * `PUT /stores/:id/settings` returns. Unknown keys are rejected (a typo must not be silently dropped).
 */
import { z } from 'zod';
import { SettingsValidationError, type SettingsIssue } from './errors';

const ONE_OF = (values: readonly string[]) => `one of ${values.map((v) => `"${v}"`).join(', ')}`;

function enumOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (issue) => (issue.input === undefined ? `is required: ${ONE_OF(values)}` : `must be ${ONE_OF(values)}`) });
}

function requiredString(what: string) {
  return z.string({ error: (issue) => (issue.input === undefined ? `is required: ${what}` : `must be a string: ${what}`) });
}

/** QBO entity ids are opaque strings (numeric in practice). */
function qboId(what: string) {
  return requiredString(what).trim().min(1, `must not be empty: ${what}`).max(50, 'must be at most 50 characters');
}

/** QBO names may not contain ':' (sub-item/sub-customer separator), tabs or line breaks (error 2040). */
const QBO_NAME_FORBIDDEN = /[:\t\r\n]/;

/** Shopify tax rates are proportions (0.05 = 5 %); compared by this canonical text, never as floats. */
export function rateKey(rate: number): string {
  return rate.toFixed(6).replace(/\.?0+$/, '');
}

export function taxLineKey(title: string, rate: number): string {
  return `${title.trim().toLowerCase()}@${rateKey(rate)}`;
}

const rate = z
  .number({ error: 'must be a number: the tax rate as a proportion, e.g. 0.05 for 5%' })
  .min(0, 'must be at least 0')
  .max(1, 'must be a proportion between 0 and 1 (0.05 for 5%)');

const taxLineRef = z.strictObject({
  title: requiredString('the Shopify tax line title, e.g. "GST"').trim().min(1, 'must not be empty'),
  rate,
});

const taxCodeEntry = z.strictObject({
  /** The set of tax lines on one Shopify line, e.g. GST 5% + PST 7%; order does not matter. */
  taxLines: z.array(taxLineRef).min(1, 'must list at least one Shopify tax line'),
  taxCodeId: qboId('the QBO TaxCode id for lines taxed with exactly these tax lines'),
});

const taxRateEntry = z.strictObject({
  title: requiredString('the Shopify tax line title').trim().min(1, 'must not be empty'),
  rate,
  taxRateId: qboId('the QBO TaxRate id that collects this Shopify tax line'),
});

const gatewayTarget = z.strictObject({
  depositAccountId: qboId('the QBO clearing/bank Account id the gateway deposits into'),
  paymentMethodId: qboId('the QBO PaymentMethod id').optional(),
});

const accounts = z.strictObject(
  {
    undepositedFunds: qboId('the QBO Undeposited Funds (or clearing) Account id, the default deposit account'),
    productIncome: qboId('the QBO Income Account id for product sales'),
    shippingIncome: qboId('the QBO Income Account id for shipping charged'),
    discounts: qboId('the QBO Account id discounts are booked to'),
    giftCardLiability: qboId('the QBO liability Account id for gift cards sold and redeemed'),
    tips: qboId('the QBO Account id for tips'),
    duties: qboId('the QBO Account id for duties collected'),
    fees: qboId('the QBO Expense Account id for payment fees'),
    refundsFrom: qboId('the QBO Account id refunds are paid from').optional(),
    refundAdjustments: qboId('the QBO Account id for refund adjustments and restocking fees (default: productIncome)').optional(),
    salesTaxPayable: qboId('the QBO sales tax liability Account id (informational)').optional(),
    inventoryAsset: qboId('the QBO Inventory Asset Account id, for auto-created Inventory items').optional(),
    costOfGoodsSold: qboId('the QBO Cost of Goods Sold Account id, for auto-created Inventory items').optional(),
  },
  {
    error: (issue) =>
      issue.input === undefined ? 'is required: the QBO Account ids Ledgerline books to' : 'must be an object of QBO Account ids',
  },
);

const isoDate = requiredString('a date as YYYY-MM-DD').refine((value) => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return daysInMonth !== undefined && day >= 1 && day <= daysInMonth;
}, 'must be a real calendar date written YYYY-MM-DD');

/** The gateways whose money reaches the bank through Shopify Payments payouts (docs/payouts.md "Settings"). */
export const DEFAULT_PAYOUT_GATEWAYS = ['shopify_payments'] as const;

function wholeDays(what: string, max: number) {
  return z
    .number({ error: `must be a number of days: ${what}` })
    .int('must be a whole number of days')
    .min(0, 'must be at least 0 days')
    .max(max, `must be at most ${max} days`);
}

/**
 * Shopify Payments payouts → one QBO Deposit each (docs/payouts.md). Every account is optional so that stores
 * saved before payouts existed keep validating; the payout saga holds a payout `needs_mapping` when a line it
 * must write has no account (domain/payouts `resolvePayoutAccounts` says which fall back to which).
 */
const payouts = z.strictObject({
  /** Off until the accounts are chosen (connect finds or creates them): payouts are then reconciled. */
  enabled: z.boolean({ error: 'must be true or false' }).default(false),
  /** The Bank account the payouts arrive in: every Deposit goes there. */
  bankAccountId: qboId('the QBO Bank Account id Shopify Payments pays out to').optional(),
  /** "Shopify Payments clearing" (Other Current Asset): money whose document cannot be linked, and retried payouts. */
  clearingAccountId: qboId('the QBO "Shopify Payments clearing" Other Current Asset Account id').optional(),
  /** Processing and chargeback fees (default: accounts.fees). */
  feesAccountId: qboId('the QBO Expense Account id for Shopify Payments fees (default: accounts.fees)').optional(),
  /** The Vendor named on fee lines ("Shopify"). */
  feeVendorId: qboId('the QBO Vendor id fee lines name, e.g. "Shopify"').optional(),
  /** Dispute withdrawals, reversals and holds (default: adjustmentsAccountId). */
  disputesAccountId: qboId('the QBO Account id for chargebacks and disputes (default: adjustmentsAccountId)').optional(),
  /** Reserves held and released: an Other Current Asset, the money is still the shop's. */
  reserveAccountId: qboId('the QBO Other Current Asset Account id for Shopify reserves').optional(),
  /** Shopify Capital advances and repayments: a liability. */
  capitalAccountId: qboId('the QBO liability Account id for Shopify Capital').optional(),
  /** Shipping labels bought through Shopify (default: adjustmentsAccountId). */
  shippingLabelsAccountId: qboId('the QBO Expense Account id for Shopify shipping labels (default: adjustmentsAccountId)').optional(),
  /** Shopify bills taken from the balance (default: adjustmentsAccountId). */
  billingAccountId: qboId('the QBO Expense Account id for Shopify bills paid from payouts (default: adjustmentsAccountId)').optional(),
  /** The catch-all: adjustments, credits and every balance transaction type Ledgerline does not know. */
  adjustmentsAccountId: qboId('the QBO Account id for Shopify adjustments and unknown balance transaction types').optional(),
  /** Shopify gateway names whose money arrives through payouts; other gateways stay in their clearing accounts. */
  gateways: z
    .array(requiredString('a Shopify gateway name, e.g. "shopify_payments"').trim().min(1, 'gateway names must not be empty'))
    .default([...DEFAULT_PAYOUT_GATEWAYS]),
  /** How long a PAID payout waits for its orders and refunds to be booked before their money goes to the clearing line. */
  documentGraceDays: wholeDays('how long a payout waits for missing documents', 90).default(7),
  /** How long after it is paid a payout is watched for FAILED or CANCELED (banks report 3–5 business days later). */
  failureWatchDays: wholeDays('how long a paid payout is watched for a failure', 60).default(7),
});

export const TAX_MODES = ['us_automated', 'global'] as const;

/**
 * QBO quantity on hand → Shopify `available` (docs/inventory.md "Settings"). Optional, so settings saved before it
 * existed keep validating; absent means off (`inventorySettingsOf` fills the defaults).
 */
const inventory = z.strictObject({
  mode: enumOf(['off', 'preview', 'apply']).default('off'),
  /** The one Shopify location QBO's quantities map to. */
  locationId: requiredString('the Shopify Location id, e.g. gid://shopify/Location/123')
    .trim()
    .regex(/^gid:\/\/shopify\/Location\/\d+$/, 'must be a Shopify Location id such as gid://shopify/Location/123')
    .optional(),
  intervalMinutes: z
    .number({ error: 'must be a number of minutes' })
    .int('must be a whole number of minutes')
    .min(5, 'must be at least 5 minutes')
    .max(1440, 'must be at most 1440 minutes (one day)')
    .default(60),
  /** A run that would lower more than this share of the items it compares waits for a person to confirm it. */
  maxLowerShare: z
    .number({ error: 'must be a number: the share of items as a proportion, e.g. 0.2 for 20%' })
    .gt(0, 'must be more than 0')
    .max(1, 'must be a proportion of at most 1 (0.2 for 20%)')
    .default(0.2),
});

const settingsObject = z.strictObject({
  /** Detected at connect from QBO Preferences (detectTaxMode); a person may override it. */
  taxMode: enumOf(TAX_MODES),
  taxCodeMap: z
    .strictObject({
      codes: z.array(taxCodeEntry).default([]),
      rates: z.array(taxRateEntry).default([]),
      exemptTaxCodeId: qboId('the QBO TaxCode id for untaxed lines (global tax mode)').optional(),
      /**
       * US: the TaxCode sent as TxnTaxDetail.TxnTaxCodeRef with Shopify's total tax. A US company without automated
       * sales tax needs it for the override (docs/qbo-facts.md §4); found at connect when not given.
       */
      usTaxCodeId: qboId(
        'the QBO TaxCode id sent as TxnTaxCodeRef with the total tax (US companies without automated sales tax)',
      ).optional(),
    })
    .default({ codes: [], rates: [] }),
  productMatch: enumOf(['sku', 'name']).default('sku'),
  missingItems: enumOf(['auto_create', 'flag']).default('auto_create'),
  autoCreateItemType: enumOf(['NonInventory', 'Service', 'Inventory']).default('NonInventory'),
  customers: enumOf(['per_customer', 'generic']).default('generic'),
  genericCustomerName: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(500, 'must be at most 500 characters (QBO DisplayName)')
    .refine((v) => !QBO_NAME_FORBIDDEN.test(v), 'must not contain ":", tabs or line breaks (QBO DisplayName)')
    .default('Shopify Customer'),
  unpaidOrders: enumOf(['invoice', 'skip']).default('invoice'),
  /** By Shopify gateway name (e.g. "shopify_payments", "paypal"); others use `defaultGateway`. */
  gateways: z.record(z.string().min(1, 'gateway names must not be empty'), gatewayTarget).default({}),
  /** Absent: deposit into accounts.undepositedFunds. */
  defaultGateway: gatewayTarget.optional(),
  accounts,
  docNumberPrefix: z
    .string({ error: 'must be a string' })
    .max(8, 'must be at most 8 characters (QBO DocNumber holds 21)')
    .refine((v) => !/[\s#]/.test(v), 'must not contain spaces or "#"')
    .default(''),
  classId: qboId('the QBO Class id').optional(),
  departmentId: qboId('the QBO Department (location) id').optional(),
  inventorySync: z.boolean({ error: 'must be true or false' }).default(false),
  syncIntervalMinutes: z
    .number({ error: 'must be a number of minutes' })
    .int('must be a whole number of minutes')
    .min(5, 'must be at least 5 minutes')
    .max(1440, 'must be at most 1440 minutes (one day)')
    .default(60),
  refundsAs: enumOf(['refund_receipt', 'credit_memo']).default('refund_receipt'),
  /** `review`: new sale documents are built and held for a person to approve before they are posted (docs/review.md). */
  posting: enumOf(['auto', 'review']).default('auto'),
  feesAs: enumOf(['deposit_line', 'expense', 'bill']).default('deposit_line'),
  /** Orders processed before this date (shop time zone) are not booked; null books all history. */
  startDate: isoDate.nullable().default(null),
  inventory: inventory.optional(),
  payouts: payouts.default({
    enabled: false,
    gateways: [...DEFAULT_PAYOUT_GATEWAYS],
    documentGraceDays: 7,
    failureWatchDays: 7,
  }),
});

type ParsedSettings = z.output<typeof settingsObject>;

/** The payouts section's rules that need the rest of the settings (docs/payouts.md "Settings"). */
function checkPayouts(s: ParsedSettings, ctx: z.RefinementCtx): void {
  const p = s.payouts;
  const issue = (path: (string | number)[], message: string): void => {
    ctx.addIssue({ code: 'custom', path: ['payouts', ...path], message });
  };
  const seen = new Set<string>();
  p.gateways.forEach((gateway, index) => {
    if (seen.has(gateway)) issue(['gateways', index], `lists "${gateway}" twice`);
    seen.add(gateway);
    if (gateway === 'gift_card') issue(['gateways', index], 'gift card money never reaches a payout; remove this entry');
  });
  if (!p.enabled) return;
  if (!p.bankAccountId) {
    issue(['bankAccountId'], 'is required when payouts.enabled is true: the QBO Bank Account id payouts arrive in');
    return;
  }
  if (p.gateways.length === 0) issue(['gateways'], 'must list at least one gateway when payouts.enabled is true');
  if (p.clearingAccountId === p.bankAccountId) {
    issue(['clearingAccountId'], 'must not be the payout bank account: the clearing line takes money out of it into the bank');
  }
  p.gateways.forEach((gateway, index) => {
    if (gatewayTargetFor(s as Settings, gateway).depositAccountId === p.bankAccountId) {
      issue(
        ['gateways', index],
        `"${gateway}" deposits straight into the payout bank account; its documents must sit in a clearing account for the payout to clear them`,
      );
    }
  });
}

export const settingsSchema = settingsObject.superRefine((s, ctx) => {
  if (s.missingItems === 'auto_create' && s.autoCreateItemType === 'Inventory') {
    for (const key of ['inventoryAsset', 'costOfGoodsSold'] as const) {
      if (!s.accounts[key]) {
        ctx.addIssue({ code: 'custom', path: ['accounts', key], message: 'is required when auto-created items are Inventory items' });
      }
    }
  }
  if ('gift_card' in s.gateways) {
    ctx.addIssue({
      code: 'custom',
      path: ['gateways', 'gift_card'],
      message: 'gift card redemptions are booked against the gift card liability, not deposited; remove this entry',
    });
  }
  checkPayouts(s, ctx);
  if (s.inventory && s.inventory.mode !== 'off' && !s.inventory.locationId) {
    ctx.addIssue({
      code: 'custom',
      path: ['inventory', 'locationId'],
      message: `is required when inventory.mode is "${s.inventory.mode}": the Shopify location QBO's quantities map to`,
    });
  }
  const codeKeys = new Set<string>();
  s.taxCodeMap.codes.forEach((entry, index) => {
    const key = entry.taxLines
      .map((t) => taxLineKey(t.title, t.rate))
      .sort()
      .join('+');
    if (codeKeys.has(key)) {
      ctx.addIssue({ code: 'custom', path: ['taxCodeMap', 'codes', index], message: `maps the same tax lines (${key}) twice` });
    }
    codeKeys.add(key);
  });
  const rateKeys = new Set<string>();
  s.taxCodeMap.rates.forEach((entry, index) => {
    const key = taxLineKey(entry.title, entry.rate);
    if (rateKeys.has(key)) {
      ctx.addIssue({ code: 'custom', path: ['taxCodeMap', 'rates', index], message: `maps the tax line ${key} twice` });
    }
    rateKeys.add(key);
  });
});

export type Settings = z.output<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
export type TaxMode = Settings['taxMode'];
export type SettingsAccounts = Settings['accounts'];
export type GatewayTarget = z.output<typeof gatewayTarget>;
export type PayoutSettings = Settings['payouts'];
export type InventorySettings = z.output<typeof inventory>;

/** The inventory section with its defaults filled; stores without one are off. */
export function inventorySettingsOf(settings: Pick<Settings, 'inventory'>): InventorySettings {
  return settings.inventory ?? inventory.parse({});
}

/**
 * The payouts section alone, defaults filled: connect finds or creates its accounts (the bank among them) before
 * the whole settings are checked, so `enabled: true` without account ids is a valid request there.
 */
export function parsePayoutSettings(input: unknown): PayoutSettings {
  const result = payouts.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new SettingsValidationError(
    result.error.issues.map((issue) => ({ path: ['payouts', ...issue.path.map(String)].join('.'), message: issue.message })),
  );
}

/** Validates and fills defaults; throws SettingsValidationError listing every issue with its path. */
export function parseSettings(input: unknown): Settings {
  const result = settingsSchema.safeParse(input);
  if (result.success) return result.data;
  const issues: SettingsIssue[] = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return { path, message: `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
    }
    return { path, message: issue.message };
  });
  throw new SettingsValidationError(issues);
}

/** Every default filled in; `taxMode` should be the one detectTaxMode found at connect. */
export function defaultSettings(accountIds: SettingsAccounts, options: { taxMode?: TaxMode; startDate?: string | null } = {}): Settings {
  return parseSettings({ taxMode: options.taxMode ?? 'us_automated', accounts: accountIds, startDate: options.startDate ?? null });
}

/** Where a gateway's money is deposited: its own mapping, else the default, else Undeposited Funds. */
export function gatewayTargetFor(settings: Settings, gateway: string | null): GatewayTarget {
  const own = gateway !== null && Object.hasOwn(settings.gateways, gateway) ? settings.gateways[gateway] : undefined;
  return own ?? settings.defaultGateway ?? { depositAccountId: settings.accounts.undepositedFunds };
}

/**
 * docs/qbo-facts.md §4: US companies with Automated Sales Tax have `Preferences.TaxPrefs.PartnerTaxEnabled`;
 * those (and other US companies) use the TAX/NON model, everyone else per-line tax codes.
 */
export function detectTaxMode(preferences: { TaxPrefs?: { PartnerTaxEnabled?: boolean } }, companyCountry: string | null): TaxMode {
  if (preferences.TaxPrefs?.PartnerTaxEnabled === true) return 'us_automated';
  return companyCountry === 'US' ? 'us_automated' : 'global';
}

/**
 * The company preferences that change what QBO does with what Ledgerline sends (docs/qbo-facts.md §4 "Company
 * preferences"), read from QBO at connect and by every sync activity that writes to QBO: a person may change them.
 */
export interface CompanyPrefs {
  /** Preferences.TaxPrefs.UsingSalesTax: when false QBO ignores TxnTaxDetail and books no tax. */
  salesTax: boolean;
  /** Preferences.SalesFormsPrefs.AllowDiscount: when false the forms have no discount line. */
  discounts: boolean;
  /**
   * Preferences.SalesFormsPrefs.CustomTxnNumbers: when false QBO numbers sales forms itself and takes repeated
   * numbers; refused at connect, and a run that finds it off later writes nothing (absent: on).
   */
  customTxnNumbers?: boolean;
}

export const DEFAULT_COMPANY_PREFS: CompanyPrefs = { salesTax: true, discounts: true, customTxnNumbers: true };

/** Absent flags read as on (QBO's default for a new company). */
export function companyPrefsFrom(preferences: Record<string, unknown>): CompanyPrefs {
  const tax = preferences.TaxPrefs as Record<string, unknown> | undefined;
  const forms = preferences.SalesFormsPrefs as Record<string, unknown> | undefined;
  return {
    salesTax: tax?.UsingSalesTax !== false,
    discounts: forms?.AllowDiscount !== false,
    customTxnNumbers: forms?.CustomTxnNumbers !== false,
  };
}
