/**
 * Controlling a connected store: pause/resume (signals + stores.state), replacing credentials after a
 * lost connection, settings updates, and the resync window's checks. The workflow is told first and the
 * row written after, so a Temporal outage changes nothing rather than half of it.
 */
import { getStoreCredentials, updateStoreCredentials } from '../../db/queries/credentials';
import { deletePendingConnect } from '../../db/queries/pending-connects';
import * as storeRows from '../../db/queries/stores';
import type { StoreRow } from '../../db/queries/stores';
import type { Settings } from '../../domain/settings';
import { pauseSignal, setIntervalSignal, type SyncWindow } from '../../workflows/definitions';
import { HttpError, badRequest, conflict } from '../errors';
import { SettingsValidationError } from '../../domain/errors';
import { checkAccountIds, type AccountKey } from './accounts';
import { resolvePayoutAccounts } from './payout-accounts';
import {
  activeTaxCodes,
  checkShopifyApiSecret,
  checkTaxCodeId,
  credentialColumns,
  parseSettingsOr400,
  qboCredentialsFor,
  shopifyTokenFor,
} from './connect';
import { deleteQboGrant, deleteShopifyGrant } from '../../db/queries/oauth';
import type { StoreContext } from './context';
import { checkQbo, qboHttpError, storeQboClient, withRotationNote, type QboCheck } from './qbo-check';
import { mergeSettings, settingsHttpError, startDateIssue, startInstant } from './settings-input';
import { checkShopify } from './shopify-check';
import { applyAuditScheduleOrLog } from './audit-schedule';
import { checkInventoryEnable, inventoryNeedsCheck } from './inventory';
import { applyInventoryScheduleOrLog } from './inventory-schedule';
import { inventorySettingsOf } from '../../domain/settings';
import { resumeOrStartWorkflow, signalStore } from './workflow';

async function reload(ctx: StoreContext, id: string): Promise<StoreRow> {
  return (await storeRows.getStore(ctx.db, { storeId: id }))!;
}

const intervalOf = (row: StoreRow): number => parseSettingsOr400(row.settings).syncIntervalMinutes;

function disconnected(row: StoreRow, doing: string): HttpError {
  return conflict(
    `Store ${row.id} is disconnected${row.connectionError ? ` (${row.connectionError})` : ''}: it cannot ${doing} until its credentials are replaced with PUT /stores/${row.id}/credentials, which also resumes it`,
  );
}

export async function pauseStore(ctx: StoreContext, row: StoreRow, reason: string | undefined): Promise<StoreRow> {
  if (row.state === 'disconnected') throw disconnected(row, 'be paused');
  // No running workflow means nothing is syncing: the row alone records the pause.
  await signalStore(ctx, row.shopDomain, pauseSignal, reason === undefined ? {} : { reason });
  await applyAuditScheduleOrLog(ctx, { ...row, state: 'paused' });
  await applyInventoryScheduleOrLog(ctx, { ...row, state: 'paused' });
  await storeRows.pauseStore(ctx.db, { storeId: row.id, at: ctx.clock() });
  return reload(ctx, row.id);
}

export async function resumeStore(ctx: StoreContext, row: StoreRow): Promise<StoreRow> {
  if (row.state === 'disconnected') throw disconnected(row, 'resume');
  await resumeOrStartWorkflow(ctx, row, intervalOf(row));
  await applyAuditScheduleOrLog(ctx, { ...row, state: 'active' });
  await applyInventoryScheduleOrLog(ctx, { ...row, state: 'active' });
  await storeRows.resumeStore(ctx.db, { storeId: row.id, at: ctx.clock() });
  return reload(ctx, row.id);
}

export interface CredentialsBody {
  shopifyAccessToken?: string;
  /** A pending grant of a Shopify reinstall (GET /connect/shopify/start), in place of shopifyAccessToken. */
  shopify?: { grantId: string };
  /** The shop's own API secret key (webhook signatures); null: forget it, the configured app secret applies. */
  shopifyApiSecret?: string | null;
  qbo?: {
    /** A pending grant of an OAuth reconnect, alone (services/stores/connect.ts qboCredentialsFor). */
    grantId?: string;
    realmId?: string;
    clientId?: string;
    clientSecret?: string;
    accessToken?: string;
    refreshToken: string;
    accessTokenExpiresAt?: string;
    refreshTokenExpiresAt?: string;
  };
}

/**
 * How long a shop's replaced API secret still verifies its webhooks at most. Shopify signs with the old secret
 * until the merchant revokes it in the app's settings, and asks apps to accept both meanwhile ("Rotate or revoke
 * client credentials", step 2: https://shopify.dev/docs/apps/build/authentication-authorization/client-secrets/rotate-revoke-client-credentials).
 * The window closes sooner, at the first delivery signed with the new secret (api/routes/webhooks.ts).
 */
export const SHOP_SECRET_ROTATION_WINDOW_MS = 30 * 24 * 3_600_000;

/**
 * The columns for a new own secret: the one it replaces (if different) keeps verifying for the rotation window;
 * null forgets both.
 */
function webhookSecretColumns(
  ctx: StoreContext,
  current: { shopifyApiSecretEnc: string | null; shopifyApiSecretPreviousEnc: string | null; shopifyApiSecretPreviousUntil: Date | null },
  secret: string | null,
): {
  shopifyApiSecretEnc: string | null;
  shopifyApiSecretPreviousEnc?: string | null;
  shopifyApiSecretPreviousUntil?: Date | null;
} {
  if (secret === null) return { shopifyApiSecretEnc: null, shopifyApiSecretPreviousEnc: null, shopifyApiSecretPreviousUntil: null };
  const enc = ctx.cipher.encrypt(secret);
  let old: string | undefined;
  try {
    old = current.shopifyApiSecretEnc === null ? undefined : ctx.cipher.decrypt(current.shopifyApiSecretEnc);
  } catch {
    old = undefined; // unreadable here: it cannot verify anything, so there is nothing to keep
  }
  if (old === secret) return { shopifyApiSecretEnc: enc }; // the same secret again: an open window stays as it is
  if (old === undefined) return { shopifyApiSecretEnc: enc, shopifyApiSecretPreviousEnc: null, shopifyApiSecretPreviousUntil: null };
  return {
    shopifyApiSecretEnc: enc,
    shopifyApiSecretPreviousEnc: current.shopifyApiSecretEnc,
    shopifyApiSecretPreviousUntil: new Date(ctx.clock().getTime() + SHOP_SECRET_ROTATION_WINDOW_MS),
  };
}

/** Replaces the Shopify token and/or the QBO tokens (checked like at connect), then resumes the store. */
export async function replaceCredentials(ctx: StoreContext, row: StoreRow, body: CredentialsBody): Promise<StoreRow> {
  if (
    body.shopifyAccessToken === undefined &&
    body.shopify === undefined &&
    body.qbo === undefined &&
    body.shopifyApiSecret === undefined
  ) {
    throw badRequest('Send shopifyAccessToken (or shopify.grantId), shopifyApiSecret, qbo, or several of them');
  }
  // A reinstall through the Shopify install flow: the grant's token, checked below as a pasted one is.
  let shopifyGrantId: string | undefined;
  if (body.shopify !== undefined) {
    const granted = await shopifyTokenFor(ctx, row.shopDomain, body);
    shopifyGrantId = granted.grantId;
    body = { ...body, shopify: undefined, shopifyAccessToken: granted.accessToken };
  }
  const current = await getStoreCredentials(ctx.db, { storeId: row.id });
  if (!current) throw new HttpError(409, 'conflict', `Store ${row.id} has no stored credentials; remove and connect it again`);

  if (typeof body.shopifyApiSecret === 'string') {
    checkShopifyApiSecret(body.shopifyApiSecret, body.shopifyAccessToken ?? ctx.cipher.decrypt(current.shopifyAccessTokenEnc));
  }
  if (body.shopifyAccessToken === undefined && body.qbo === undefined) {
    // Only the webhook secret: no connection changes, so the store's state and connection error stay as they are.
    await updateStoreCredentials(ctx.db, {
      storeId: row.id,
      columns: webhookSecretColumns(ctx, current, body.shopifyApiSecret ?? null),
      at: ctx.clock(),
    });
    ctx.log.info({ storeId: row.id, ownWebhookSecret: body.shopifyApiSecret ? 'replaced' : 'removed' }, 'store webhook secret replaced');
    return reload(ctx, row.id);
  }
  if (body.shopifyAccessToken !== undefined) await checkShopify(ctx, row.shopDomain, body.shopifyAccessToken);
  let check: QboCheck | undefined;
  // A reconnect through OAuth (GET /connect/qbo/start after `disconnected`): the grant's tokens, checked as connect checks them.
  let grantId: string | undefined;
  if (body.qbo?.grantId !== undefined) {
    const granted = await qboCredentialsFor(ctx, row.shopDomain, body.qbo, ctx.qboOAuthApp);
    grantId = granted.grantId;
    body = { ...body, qbo: granted.body };
  }
  if (body.qbo) {
    if (body.qbo.realmId !== undefined && body.qbo.realmId !== row.qboRealmId) {
      throw new HttpError(
        422,
        'qbo_realm_mismatch',
        `Store ${row.id} books to QBO realm ${row.qboRealmId}, not ${body.qbo.realmId}; another company needs its own store`,
      );
    }
    const q = body.qbo;
    check = await checkQbo(ctx, {
      shopDomain: row.shopDomain,
      realmId: row.qboRealmId,
      clientId: q.clientId ?? current.qboClientId,
      clientSecret: q.clientSecret ?? ctx.cipher.decrypt(current.qboClientSecretEnc),
      accessToken: q.accessToken,
      refreshToken: q.refreshToken,
      accessTokenExpiresAt: q.accessTokenExpiresAt === undefined ? undefined : new Date(q.accessTokenExpiresAt),
      refreshTokenExpiresAt: q.refreshTokenExpiresAt === undefined ? undefined : new Date(q.refreshTokenExpiresAt),
    });
  }

  const columns = {
    ...(check
      ? credentialColumns(ctx, body.shopifyAccessToken ?? ctx.cipher.decrypt(current.shopifyAccessTokenEnc), check.tokens())
      : body.shopifyAccessToken !== undefined
        ? { shopifyAccessTokenEnc: ctx.cipher.encrypt(body.shopifyAccessToken) }
        : {}),
    ...(body.shopifyApiSecret === undefined ? {} : webhookSecretColumns(ctx, current, body.shopifyApiSecret)),
  };
  // Under the token refresh's lock (db/queries/stores.ts): a refresh in flight finishes first, and the
  // version bump makes it retry with these tokens rather than overwrite them. New QBO tokens replace the
  // pending connect they may have come from in the same commit.
  try {
    await ctx.db.transaction(async (tx) => {
      await storeRows.replaceStoreCredentials(tx, {
        storeId: row.id,
        realmId: row.qboRealmId,
        columns,
        wasDisconnected: row.state === 'disconnected',
        at: ctx.clock(),
      });
      if (check) await deletePendingConnect(tx, { shopDomain: row.shopDomain, realmId: row.qboRealmId });
      if (grantId) await deleteQboGrant(tx, { id: grantId });
      if (shopifyGrantId) await deleteShopifyGrant(tx, { id: shopifyGrantId });
    });
  } catch (err) {
    throw withRotationNote(err, check?.rotation() ?? 'none');
  }
  ctx.log.info(
    {
      storeId: row.id,
      shopify: body.shopifyAccessToken !== undefined,
      shopifyOAuthGrant: shopifyGrantId !== undefined,
      qbo: body.qbo !== undefined,
      ownWebhookSecret: body.shopifyApiSecret === undefined ? 'unchanged' : body.shopifyApiSecret === null ? 'removed' : 'replaced',
    },
    'store credentials replaced',
  );

  await resumeOrStartWorkflow(ctx, row, intervalOf(row));
  await applyAuditScheduleOrLog(ctx, { ...row, state: 'active' });
  await applyInventoryScheduleOrLog(ctx, { ...row, state: 'active' });
  await storeRows.resumeStore(ctx.db, { storeId: row.id, at: ctx.clock() });
  return reload(ctx, row.id);
}

/** Merges, validates and stores settings; a new interval reaches the running workflow first. */
export async function updateSettings(ctx: StoreContext, row: StoreRow, patch: Record<string, unknown>): Promise<Settings> {
  const current = parseSettingsOr400(row.settings);
  const settings = parseSettingsOr400(mergeSettings(current, patch));
  if (settings.startDate !== current.startDate) {
    const issue = startDateIssue(settings.startDate, ctx.clock());
    if (issue) throw settingsHttpError(new SettingsValidationError([issue]));
  }
  // Account ids that changed are checked against the company as connect checks them; the others were.
  const changed = Object.fromEntries(
    Object.entries(settings.accounts).filter(([key, id]) => id !== undefined && current.accounts[key as AccountKey] !== id),
  ) as Partial<Record<AccountKey, string>>;
  if (Object.keys(changed).length > 0) {
    if (row.state === 'disconnected') throw disconnected(row, 'change its QBO accounts');
    try {
      await checkAccountIds(storeQboClient(ctx, row), changed);
    } catch (err) {
      throw settingsHttpError(qboHttpError(err, row.qboRealmId, false));
    }
  }
  // A new US tax code (TxnTaxCodeRef with the total tax, docs/qbo-facts.md §4) is checked as connect checks it.
  const taxCode = settings.taxCodeMap.usTaxCodeId;
  if (taxCode !== undefined && taxCode !== current.taxCodeMap.usTaxCodeId) {
    if (row.state === 'disconnected') throw disconnected(row, 'change its QBO tax code');
    let codes;
    try {
      codes = await activeTaxCodes(storeQboClient(ctx, row));
    } catch (err) {
      throw qboHttpError(err, row.qboRealmId, false);
    }
    checkTaxCodeId(codes, taxCode);
  }
  // Payouts switched on (or their accounts changed): found, created or checked as connect does.
  let saved = settings;
  if (settings.payouts.enabled && JSON.stringify(settings.payouts) !== JSON.stringify(current.payouts)) {
    if (row.state === 'disconnected') throw disconnected(row, 'reconcile its payouts');
    try {
      saved = { ...settings, payouts: (await resolvePayoutAccounts(storeQboClient(ctx, row), settings.payouts)).payouts };
    } catch (err) {
      throw settingsHttpError(qboHttpError(err, row.qboRealmId, false));
    }
  }
  // Inventory turned on (or moved to another location): the QBO company must track quantities and the location exist.
  if (inventoryNeedsCheck(current, settings)) await checkInventoryEnable(ctx, row, inventorySettingsOf(settings));
  if (settings.syncIntervalMinutes !== current.syncIntervalMinutes) {
    await signalStore(ctx, row.shopDomain, setIntervalSignal, { intervalMinutes: settings.syncIntervalMinutes });
  }
  await storeRows.updateStoreSettings(ctx.db, {
    storeId: row.id,
    settings: saved,
    ...(settings.startDate !== current.startDate ? { startDate: startInstant(settings.startDate, row.shopTimezone) } : {}),
    at: ctx.clock(),
  });
  // The inventory schedule follows the section: created, updated (interval), or removed when turned off.
  if (JSON.stringify(inventorySettingsOf(saved)) !== JSON.stringify(inventorySettingsOf(current))) {
    await applyInventoryScheduleOrLog(ctx, { ...row, settings: saved }, { settingsChanged: true });
  }
  return saved;
}

/**
 * The earliest instant a resync may name. No Shopify order is older (Shopify opened in 2006), and
 * every database Ledgerline runs on stores it; year 0 or 10000 reach PostgreSQL as "out of range".
 */
export const EARLIEST_RESYNC = Date.parse('2000-01-01T00:00:00Z');

/**
 * A resync window from the API's strings: real instants, from before to, neither in the future nor
 * before EARLIEST_RESYNC. A `from` before the store's start date starts at the start date (orders
 * before it are not booked anyway, so nothing is lost and the window stays as short as it can be).
 */
export function resyncWindow(ctx: StoreContext, from: string, to: string | undefined, startDate?: Date): SyncWindow {
  const now = ctx.clock().getTime();
  const parsed = Date.parse(from);
  if (Number.isNaN(parsed)) throw badRequest(`from must be an ISO date-time, got ${JSON.stringify(from)}`);
  if (parsed < EARLIEST_RESYNC)
    throw badRequest(`from (${from}) is before ${new Date(EARLIEST_RESYNC).toISOString()}, the earliest a resync may start`);
  if (parsed >= now) throw badRequest(`from (${from}) is in the future; a resync re-examines the past`);
  const f = startDate && parsed < startDate.getTime() ? startDate.getTime() : parsed;
  if (to === undefined) return { from: new Date(f).toISOString() };
  const t = Date.parse(to);
  if (Number.isNaN(t)) throw badRequest(`to must be an ISO date-time, got ${JSON.stringify(to)}`);
  if (parsed >= t) throw badRequest(`from (${from}) must be before to (${to})`);
  if (f >= t) {
    throw badRequest(`The window ends (${to}) before the store's start date (${new Date(f).toISOString()}): nothing in it is booked`);
  }
  if (t > now) throw badRequest(`to (${to}) is in the future; leave it out to resync up to now`);
  return { from: new Date(f).toISOString(), to: new Date(t).toISOString() };
}
