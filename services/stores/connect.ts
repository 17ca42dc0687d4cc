/**
 * POST /stores: connect a Shopify shop to a QBO company. Checks the settings first (a typo costs no
 * API call), then both sets of credentials against the real services, resolves the accounts in QBO,
 * stores the store and its encrypted credentials in one transaction, and starts the store's workflow.
 * QBO tokens the check rotated are saved as the shop's pending connect the moment QBO issues them
 * (qbo-check.ts), so an attempt that fails afterwards costs no re-authorisation: its retry uses them, and
 * the transaction that stores the store deletes them.
 */
import { deleteQboGrant, deleteShopifyGrant, getQboGrant, getShopifyGrant } from '../../db/queries/oauth';
import { deletePendingConnect } from '../../db/queries/pending-connects';
import { connectStore as insertConnectedStore, getStore, reviveRemovedStore, type NewStore, type StoreRow } from '../../db/queries/stores';
import { InvalidInputError, SettingsValidationError } from '../../domain/errors';
import { detectTaxMode, inventorySettingsOf, parsePayoutSettings, parseSettings, type Settings, type TaxMode } from '../../domain/settings';
import { normalizeShopDomain, storeIdFor } from '../../domain/store';
import type { QboClient } from '../../integrations/qbo/client';
import { HttpError, badRequest, conflict } from '../errors';
import { resolveAccounts, type AccountKey, type ResolvedAccount } from './accounts';
import { resolvePayoutAccounts } from './payout-accounts';
import type { StoreContext } from './context';
import { checkQbo, qboHttpError, withRotationNote, type QboCheck, type QboTokens } from './qbo-check';
import { isPlainObject, precheckSettings, settingsHttpError, startDateIssue, startInstant } from './settings-input';
import { checkInventoryTarget } from './inventory';
import { createShopifyClient } from '../../integrations/shopify/client';
import { checkShopify } from './shopify-check';
import { applyAuditSchedule } from './audit-schedule';
import { applyInventoryScheduleOrLog } from './inventory-schedule';
import { startStoreWorkflow } from './workflow';
import { connectTaxMapping, type TaxMappingView } from './tax-mapping';

export interface QboConnectBody {
  realmId: string;
  clientId: string;
  clientSecret: string;
  accessToken?: string;
  refreshToken: string;
  accessTokenExpiresAt?: string;
  refreshTokenExpiresAt?: string;
}

/** What POST /stores accepts for QBO: pasted tokens, or the grant an OAuth connect left (services/oauth/). */
export type QboConnectInput = Partial<QboConnectBody> & { grantId?: string };

/** The Intuit app OAuth grants were issued to (config QBO_CLIENT_ID/SECRET); undefined: grants cannot be used. */
export interface GrantApp {
  clientId: string;
  clientSecret: string;
}

const PASTED_FIELDS = ['realmId', 'clientId', 'clientSecret', 'refreshToken'] as const;

/**
 * The QBO credentials of a connect: the grant's (checked: it exists, is for this shop, and this server's app holds
 * it) or the pasted ones (all four required fields present). 400 naming the field otherwise; never a token.
 */
export async function qboCredentialsFor(
  ctx: StoreContext,
  shopDomain: string,
  qbo: QboConnectInput,
  grantApp: GrantApp | undefined,
): Promise<{ body: QboConnectBody; grantId: string | undefined }> {
  if (qbo.grantId !== undefined) {
    const extra = Object.keys(qbo).filter((k) => k !== 'grantId');
    if (extra.length) throw badRequest(`qbo.grantId comes alone: drop qbo.${extra.join(', qbo.')}`, { field: 'qbo.grantId' });
    const grant = await getQboGrant(ctx.db, { id: qbo.grantId });
    if (!grant)
      throw badRequest('qbo.grantId names no pending QBO grant (already used, or never issued); connect with GET /connect/qbo/start', {
        field: 'qbo.grantId',
      });
    if (grant.shopDomain !== shopDomain)
      throw badRequest(`qbo.grantId was issued for another shop than ${shopDomain}`, { field: 'qbo.grantId' });
    if (!grantApp || grantApp.clientId !== grant.qboClientId) {
      throw badRequest('qbo.grantId was issued to an Intuit app this server is no longer configured with (QBO_CLIENT_ID); connect again', {
        field: 'qbo.grantId',
      });
    }
    return {
      grantId: grant.id,
      body: {
        realmId: grant.realmId,
        clientId: grantApp.clientId,
        clientSecret: grantApp.clientSecret,
        accessToken: ctx.cipher.decrypt(grant.qboAccessTokenEnc),
        accessTokenExpiresAt: grant.qboAccessTokenExpiresAt.toISOString(),
        refreshToken: ctx.cipher.decrypt(grant.qboRefreshTokenEnc),
        ...(grant.qboRefreshTokenExpiresAt ? { refreshTokenExpiresAt: grant.qboRefreshTokenExpiresAt.toISOString() } : {}),
      },
    };
  }
  const missing = PASTED_FIELDS.find((f) => qbo[f] === undefined);
  if (missing)
    throw badRequest(`qbo.${missing} is required (or send qbo.grantId alone, from GET /connect/qbo/callback)`, { field: `qbo.${missing}` });
  return { body: qbo as QboConnectBody, grantId: undefined };
}

/**
 * The Shopify access token of a connect: the grant's (checked: it exists, is for this shop, and this server's app
 * installed it) or the pasted one (a custom app's). Exactly one of them; 400 naming the field otherwise.
 */
export async function shopifyTokenFor(
  ctx: StoreContext,
  shopDomain: string,
  input: { shopifyAccessToken?: string | undefined; shopify?: { grantId: string } | undefined },
): Promise<{ accessToken: string; grantId: string | undefined }> {
  if (input.shopify !== undefined) {
    if (input.shopifyAccessToken !== undefined)
      throw badRequest('shopify.grantId comes alone: drop shopifyAccessToken', { field: 'shopify.grantId' });
    const grant = await getShopifyGrant(ctx.db, { id: input.shopify.grantId });
    if (!grant || grant.expiresAt.getTime() <= ctx.clock().getTime())
      throw badRequest(
        'shopify.grantId names no pending Shopify grant (already used, expired, or never issued); connect with GET /connect/shopify/start',
        { field: 'shopify.grantId' },
      );
    if (grant.shopDomain !== shopDomain)
      throw badRequest(`shopify.grantId was issued for another shop than ${shopDomain}`, { field: 'shopify.grantId' });
    if (ctx.shopifyOAuthApp?.clientId !== grant.shopifyClientId) {
      throw badRequest(
        'shopify.grantId was issued to a Shopify app this server is no longer configured with (SHOPIFY_CLIENT_ID); connect again',
        { field: 'shopify.grantId' },
      );
    }
    return { accessToken: ctx.cipher.decrypt(grant.shopifyAccessTokenEnc), grantId: grant.id };
  }
  if (input.shopifyAccessToken === undefined)
    throw badRequest('shopifyAccessToken is required (or send shopify.grantId, from GET /connect/shopify/callback)', {
      field: 'shopifyAccessToken',
    });
  return { accessToken: input.shopifyAccessToken, grantId: undefined };
}

export interface ConnectBody {
  shopDomain: string;
  /** A custom app's Admin API access token; or `shopify.grantId` from the install flow instead. */
  shopifyAccessToken?: string;
  shopify?: { grantId: string };
  /** The API secret key of the shop's own custom app, which signs its webhooks (stored encrypted, never shown). */
  shopifyApiSecret?: string;
  qbo: QboConnectInput;
  startDate?: string | null;
  settings?: Record<string, unknown>;
}

export interface Connected {
  row: StoreRow;
  accounts: Partial<Record<AccountKey, ResolvedAccount>>;
  /** Global tax mode: the proposed tax code map, its unambiguous matches applied (docs/tax-mapping.md). */
  taxMapping?: TaxMappingView | null;
}

export function parseSettingsOr400(input: unknown): Settings {
  try {
    return parseSettings(input);
  } catch (err) {
    throw settingsHttpError(err);
  }
}

const optionalDate = (value: string | undefined): Date | undefined => (value === undefined ? undefined : new Date(value));

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code === '23505' || e?.cause?.code === '23505';
}

/**
 * Prefixes of Shopify access tokens (admin, custom app, private app, user): an API secret key never has
 * one, so a value with one is a token pasted into the wrong field.
 */
const SHOPIFY_TOKEN_PREFIXES = ['shpat_', 'shpca_', 'shppa_', 'shpua_'];

/**
 * A shop's own API secret key (a custom app's client secret, or the signing key of webhooks made in the
 * shop's admin) as far as it can be checked without using it: its length, and that it is not an access
 * token. 400 naming the field; the value is never repeated.
 */
export function checkShopifyApiSecret(secret: string, shopifyAccessToken: string | undefined): void {
  const issue =
    secret.length < 16
      ? 'is too short for a Shopify API secret key'
      : secret === shopifyAccessToken || SHOPIFY_TOKEN_PREFIXES.some((p) => secret.toLowerCase().startsWith(p))
        ? "is an access token, not the app's API secret key"
        : undefined;
  if (issue) throw badRequest(`shopifyApiSecret ${issue}`, { field: 'shopifyApiSecret' });
}

/** The credentials row as tokens.ts reads it back: every secret an AES-256-GCM envelope. */
export function credentialColumns(ctx: StoreContext, shopifyAccessToken: string, t: QboTokens) {
  return {
    shopifyAccessTokenEnc: ctx.cipher.encrypt(shopifyAccessToken),
    qboClientId: t.clientId,
    qboClientSecretEnc: ctx.cipher.encrypt(t.clientSecret),
    qboAccessTokenEnc: t.accessToken === null ? null : ctx.cipher.encrypt(t.accessToken),
    qboAccessTokenExpiresAt: t.accessTokenExpiresAt,
    qboRefreshTokenEnc: ctx.cipher.encrypt(t.refreshToken),
    qboRefreshTokenExpiresAt: t.refreshTokenExpiresAt,
    refreshedAt: t.refreshedAt,
  };
}

/** Ledgerline books in the shop's currency, which QBO takes as its home currency (no CurrencyRef is sent). */
function checkCurrency(shopCurrency: string, preferences: Record<string, unknown>): void {
  const home = ((preferences.CurrencyPrefs as Record<string, unknown> | undefined)?.HomeCurrency as { value?: unknown } | undefined)?.value;
  if (typeof home === 'string' && home !== shopCurrency) {
    throw new HttpError(
      422,
      'currency_mismatch',
      `The shop sells in ${shopCurrency} but the QBO company's home currency is ${home}; connect a company whose home currency is ${shopCurrency}`,
    );
  }
}

/**
 * Ledgerline numbers each document after its Shopify order and finds one whose create answer was lost by that
 * number (docs/qbo-facts.md §2). A company with custom transaction numbers off numbers its sales forms itself from
 * one running sequence and stores a sent number even when it repeats another (Intuit's DocNumber reference,
 * docs/qbo-facts.md §4 "Company preferences"): Shopify's order numbers and QBO's own would mix and collide
 * unnoticed, so such a company is refused here, and a run that finds the setting turned off later books nothing.
 */
function checkCustomTxnNumbers(preferences: Record<string, unknown>): void {
  const forms = preferences.SalesFormsPrefs as Record<string, unknown> | undefined;
  if (forms?.CustomTxnNumbers === false) {
    throw new HttpError(
      422,
      'custom_txn_numbers_off',
      'The QBO company numbers sales forms itself (Account and Settings → Sales → Custom transaction numbers is off) and then accepts repeated numbers; turn custom transaction numbers on so Ledgerline can number documents after the Shopify order and find them again',
    );
  }
}

type Entity = Record<string, unknown>;

export async function activeTaxCodes(client: QboClient): Promise<Entity[]> {
  return (await client.query('TaxCode')).filter((c) => c.Active !== false);
}

/** A usTaxCodeId a merchant names (at connect, and in a settings update) must be an active TaxCode of the company. */
export function checkTaxCodeId(codes: Entity[], id: string): void {
  if (!codes.some((c) => String(c.Id) === id)) {
    throw settingsHttpError(
      new SettingsValidationError([{ path: 'taxCodeMap.usTaxCodeId', message: `QBO has no active TaxCode with Id "${id}"` }]),
    );
  }
}

const refValue = (ref: unknown): string | undefined => {
  const value = typeof ref === 'object' && ref !== null ? (ref as Entity).value : ref;
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * A US company without automated sales tax (Preferences.TaxPrefs.PartnerTaxEnabled not true) that uses sales tax
 * takes Shopify's total tax only with the TaxCode it applies to (TxnTaxDetail.TxnTaxCodeRef; docs/qbo-facts.md §4
 * "Company preferences", https://github.com/intuit/QuickBooks-V3-PHP-SDK/issues/199). The code is the one given in
 * settings (checked: it exists and is active), else the company's default (Preferences.TaxPrefs.TaxGroupCodeRef),
 * else the company's only active taxable code; with several and none chosen, connect is refused with the choices.
 */
async function resolveUsTaxCode(qbo: QboCheck, settingsIn: Record<string, unknown>, country: string | null): Promise<string | undefined> {
  const taxPrefs = qbo.preferences.TaxPrefs as Entity | undefined;
  const map = isPlainObject(settingsIn.taxCodeMap) ? (settingsIn.taxCodeMap as Entity) : {};
  const given = typeof map.usTaxCodeId === 'string' ? map.usTaxCodeId.trim() : undefined;
  const nonAst = country === 'US' && taxPrefs?.PartnerTaxEnabled !== true && taxPrefs?.UsingSalesTax !== false;
  if (!given && !nonAst) return undefined;
  const codes = await activeTaxCodes(qbo.client);
  if (given) {
    checkTaxCodeId(codes, given);
    return given;
  }
  const preferred = refValue(taxPrefs?.TaxGroupCodeRef);
  if (preferred && codes.some((c) => String(c.Id) === preferred)) return preferred;
  const taxable = codes.filter((c) => c.Taxable !== false && c.Id !== 'TAX' && c.Id !== 'NON');
  if (taxable.length === 1) return String(taxable[0]!.Id);
  const choices = taxable
    .slice(0, 10)
    .map((c) => `${String(c.Id)} (${String(c.Name ?? '')})`)
    .join(', ');
  throw new HttpError(
    422,
    'us_tax_code_needed',
    `The QBO company is a US company without automated sales tax: QBO takes Shopify's tax only with the tax code it applies to (TxnTaxCodeRef). It has ${taxable.length} tax codes and no default; choose one as settings.taxCodeMap.usTaxCodeId${choices ? `, e.g. ${choices}` : ''}`,
  );
}

/** Currency and numbering checks, accounts found or created in QBO, taxMode detected: the complete settings. */
async function settle(settingsIn: Record<string, unknown>, qbo: QboCheck, shopCurrency: string) {
  checkCurrency(shopCurrency, qbo.preferences);
  checkCustomTxnNumbers(qbo.preferences);
  const accountsIn = isPlainObject(settingsIn.accounts) ? (settingsIn.accounts as Partial<Record<AccountKey, string>>) : {};
  const inventory = (settingsIn.missingItems ?? 'auto_create') === 'auto_create' && settingsIn.autoCreateItemType === 'Inventory';
  let resolution;
  try {
    resolution = await resolveAccounts(qbo.client, qbo.preferences, accountsIn, { inventoryAccountsNeeded: inventory });
  } catch (err) {
    throw settingsHttpError(err);
  }
  const country = typeof qbo.companyInfo.Country === 'string' ? qbo.companyInfo.Country : null;
  const taxMode =
    (settingsIn.taxMode as TaxMode | undefined) ??
    detectTaxMode(qbo.preferences as { TaxPrefs?: { PartnerTaxEnabled?: boolean } }, country);
  const usTaxCodeId = taxMode === 'us_automated' ? await resolveUsTaxCode(qbo, settingsIn, country) : undefined;
  const taxCodeMap = usTaxCodeId
    ? { ...(isPlainObject(settingsIn.taxCodeMap) ? (settingsIn.taxCodeMap as Entity) : {}), usTaxCodeId }
    : settingsIn.taxCodeMap;
  // Payouts switched on at connect: their accounts and vendor are found or created as the sales accounts are.
  let payouts;
  try {
    payouts = (await resolvePayoutAccounts(qbo.client, parsePayoutSettings(settingsIn.payouts))).payouts;
  } catch (err) {
    throw settingsHttpError(err);
  }
  const settings = parseSettingsOr400({
    ...settingsIn,
    taxMode,
    accounts: resolution.accounts,
    payouts,
    ...(taxCodeMap === undefined ? {} : { taxCodeMap }),
  });
  return { settings, country, resolved: resolution.resolved };
}

export async function connectStore(ctx: StoreContext, input: ConnectBody): Promise<Connected> {
  let shopDomain: string;
  try {
    shopDomain = normalizeShopDomain(input.shopDomain);
  } catch (err) {
    throw err instanceof InvalidInputError ? badRequest(err.message) : err;
  }
  const id = storeIdFor(shopDomain);
  const shopifyToken = await shopifyTokenFor(ctx, shopDomain, input);
  const { body: qboBody, grantId } = await qboCredentialsFor(ctx, shopDomain, input.qbo, ctx.qboOAuthApp);
  const body = { ...input, shopifyAccessToken: shopifyToken.accessToken, qbo: qboBody };
  // A removed store (DELETE /stores/:id) comes back on its own row and ledger, so nothing it booked is booked again;
  // its ledger names documents in one QBO company, so it comes back to that company only.
  const existing = await getStore(ctx.db, { storeId: id });
  if (existing && existing.state !== 'removed') {
    throw conflict(
      `Store ${id} (${shopDomain}) is already connected; change it with PUT /stores/${id}/credentials or PUT /stores/${id}/settings`,
    );
  }
  if (existing && existing.qboRealmId !== body.qbo.realmId) {
    throw conflict(
      `Store ${id} (${shopDomain}) was removed while connected to QBO company ${existing.qboRealmId}; its ledger records what Ledgerline booked there, so the shop can be connected again to that company only`,
      { field: 'qbo.realmId' },
    );
  }

  const settingsIn: Record<string, unknown> = { ...(body.settings ?? {}) };
  if (body.startDate !== undefined) {
    if (settingsIn.startDate !== undefined && settingsIn.startDate !== body.startDate) {
      throw badRequest(
        `startDate (${JSON.stringify(body.startDate)}) and settings.startDate (${JSON.stringify(settingsIn.startDate)}) disagree; send one of them`,
      );
    }
    settingsIn.startDate = body.startDate;
  }
  // A removed store comes back from where it started, never earlier: orders before its start date were left out on
  // purpose (history already in QBO) and have no ledger rows, so an earlier start would book them now.
  if (existing) {
    const kept = (existing.settings as { startDate?: string | null }).startDate ?? null;
    if (settingsIn.startDate === undefined) settingsIn.startDate = kept;
    else if (kept !== null && (typeof settingsIn.startDate !== 'string' || settingsIn.startDate < kept)) {
      throw conflict(
        `Store ${id} (${shopDomain}) was removed with start date ${kept}; connected again it may not start earlier (orders before it were left out on purpose and would be booked now)`,
        { field: 'startDate' },
      );
    }
  }
  try {
    precheckSettings(settingsIn);
    const issue = startDateIssue((settingsIn.startDate as string | null | undefined) ?? null, ctx.clock());
    if (issue) throw new SettingsValidationError([issue]);
  } catch (err) {
    throw settingsHttpError(err);
  }
  if (body.shopifyApiSecret !== undefined) checkShopifyApiSecret(body.shopifyApiSecret, body.shopifyAccessToken);

  const shop = await checkShopify(ctx, shopDomain, body.shopifyAccessToken);
  const qbo = await checkQbo(ctx, {
    shopDomain,
    realmId: body.qbo.realmId,
    clientId: body.qbo.clientId,
    clientSecret: body.qbo.clientSecret,
    accessToken: body.qbo.accessToken,
    refreshToken: body.qbo.refreshToken,
    accessTokenExpiresAt: optionalDate(body.qbo.accessTokenExpiresAt),
    refreshTokenExpiresAt: optionalDate(body.qbo.refreshTokenExpiresAt),
  });

  let settled: Awaited<ReturnType<typeof settle>>;
  try {
    settled = await settle(settingsIn, qbo, shop.currencyCode);
  } catch (err) {
    throw withRotationNote(qboHttpError(err, body.qbo.realmId, qbo.rotated()), qbo.rotation());
  }
  const { country, resolved } = settled;
  // Inventory on from the start: the same checks as turning it on later (the QBO company tracks quantities, the
  // location exists and is active), against the credentials being connected.
  const inventory = inventorySettingsOf(settled.settings);
  if (inventory.mode !== 'off') {
    const shopify = createShopifyClient({
      shopDomain,
      accessToken: body.shopifyAccessToken,
      pacer: ctx.pacer,
      logger: ctx.log,
      timeoutMs: 15_000,
      ...(ctx.shopifyApiBaseUrl ? { apiBaseUrl: ctx.shopifyApiBaseUrl } : {}),
    });
    try {
      await checkInventoryTarget(ctx, { storeId: id, shopDomain, preferences: qbo.preferences, shopify, inv: inventory });
    } catch (err) {
      throw withRotationNote(err, qbo.rotation());
    }
  }
  const { settings, taxMapping } = await connectTaxMapping(ctx, {
    shopDomain,
    shopifyAccessToken: body.shopifyAccessToken,
    qbo: qbo.client,
    settings: settled.settings,
  });
  const now = ctx.clock();
  const row: NewStore = {
    id,
    shopDomain,
    shopName: shop.name,
    shopCurrency: shop.currencyCode,
    shopTimezone: shop.ianaTimezone,
    qboRealmId: body.qbo.realmId,
    qboCompanyName: typeof qbo.companyInfo.CompanyName === 'string' ? qbo.companyInfo.CompanyName : null,
    qboCountry: country,
    state: 'active',
    settings,
    startDate: startInstant(settings.startDate, shop.ianaTimezone),
    createdAt: now,
    updatedAt: now,
  };
  const credentials = {
    storeId: id,
    ...credentialColumns(ctx, body.shopifyAccessToken, qbo.tokens()),
    ...(body.shopifyApiSecret === undefined ? {} : { shopifyApiSecretEnc: ctx.cipher.encrypt(body.shopifyApiSecret) }),
    updatedAt: now,
  };
  try {
    // The tokens are the store's now: the pending connect they may have come from goes with the same commit.
    await ctx.db.transaction(async (tx) => {
      if (!existing) await insertConnectedStore(tx, { store: row, credentials });
      else if (!(await reviveRemovedStore(tx, { store: row, credentials }))) {
        throw conflict(`Store ${id} (${shopDomain}) was connected by another request meanwhile`);
      }
      await deletePendingConnect(tx, { shopDomain, realmId: body.qbo.realmId });
      if (grantId) await deleteQboGrant(tx, { id: grantId });
      if (shopifyToken.grantId) await deleteShopifyGrant(tx, { id: shopifyToken.grantId });
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw withRotationNote(conflict(`Store ${id} (${shopDomain}) was connected by another request meanwhile`), qbo.rotation());
    throw withRotationNote(err, qbo.rotation());
  }
  ctx.log.info(
    {
      storeId: id,
      shopDomain,
      realmId: body.qbo.realmId,
      refreshed: qbo.rotated(),
      oauthGrant: grantId !== undefined,
      shopifyOAuthGrant: shopifyToken.grantId !== undefined,
      ownWebhookSecret: body.shopifyApiSecret !== undefined,
    },
    'store connected',
  );

  try {
    await startStoreWorkflow(ctx, { id, shopDomain }, settings.syncIntervalMinutes);
  } catch (err) {
    // The row stays (it holds the tokens, possibly just rotated); resume starts the workflow later.
    const reason = err instanceof Error ? err.message : String(err);
    throw new HttpError(
      503,
      'workflow_not_started',
      `Store ${id} was saved, but its workflow could not be started (${reason}); POST /stores/${id}/resume starts it`,
    );
  }
  try {
    await applyAuditSchedule(ctx, { id, shopDomain, shopTimezone: shop.ianaTimezone, state: 'active' });
  } catch (err) {
    // The store syncs without it; the worker creates missing audit schedules when it starts (reconcileAuditSchedules).
    ctx.log.warn({ err, storeId: id }, "could not create the store's nightly audit schedule");
  }
  await applyInventoryScheduleOrLog(ctx, { id, shopDomain, state: 'active', settings });
  const saved = await getStore(ctx.db, { storeId: id });
  return { row: saved!, accounts: resolved, taxMapping };
}
