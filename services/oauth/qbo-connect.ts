/**
 * "Connect to QuickBooks" with the OAuth 2.0 authorization-code flow (docs/oauth.md):
 * - start: a signed, single-use, 10-minute `state` for the shop (its nonce recorded in `oauth_states`), and the
 *   Intuit authorize URL to send the merchant to;
 * - callback: the state checked (signature, expiry, then the nonce consumed in one statement), the code exchanged
 *   for tokens, and the tokens stored encrypted as a pending QBO grant for that shop and realm, which POST /stores
 *   then names (`qbo.grantId`) instead of pasted tokens;
 * - disconnect: the store's refresh token revoked at Intuit, the store marked disconnected.
 */
import { randomBytes } from 'node:crypto';
import { getStoreCredentials } from '../../db/queries/credentials';
import type { Executor } from '../../db/queries/executor';
import { consumeOAuthState, insertOAuthState, insertQboGrant, pruneOAuthStates, pruneQboGrants } from '../../db/queries/oauth';
import { disconnectStore, getStore, type StoreRow } from '../../db/queries/stores';
import { InvalidInputError } from '../../domain/errors';
import { normalizeShopDomain } from '../../domain/store';
import { disconnectedSignal } from '../../workflows/definitions';
import { HttpError, badRequest } from '../errors';
import { applyAuditScheduleOrLog } from '../stores/audit-schedule';
import { applyInventoryScheduleOrLog } from '../stores/inventory-schedule';
import type { StoreContext } from '../stores/context';
import { signalStore } from '../stores/workflow';
import {
  IntuitRefusedError,
  IntuitUnavailableError,
  authorizeUrl,
  exchangeCode,
  revokeToken,
  type IntuitApp,
  type IntuitEndpoints,
} from './intuit';
import { STATE_TTL_MS, StateError, newNonce, signState, verifyState } from './state';

export interface QboOAuthSettings extends IntuitApp {
  authorizeUrl?: string | undefined;
  revokeUrl?: string | undefined;
}

export interface OAuthContext {
  store: StoreContext;
  /** The Intuit app; undefined when QBO_CLIENT_ID etc. are unset (start and callback answer 503). */
  qbo: QboOAuthSettings | undefined;
  /** HMAC key of the state (config/secrets.ts oauthStateKey). */
  stateKey: Buffer;
}

const GRANT_ID = /^qbog_[A-Za-z0-9_-]{16,64}$/;
export const isGrantId = (id: string): boolean => GRANT_ID.test(id);

function endpoints(ctx: OAuthContext): IntuitEndpoints {
  return { authorizeUrl: ctx.qbo?.authorizeUrl, tokenUrl: ctx.store.qboTokenUrl, revokeUrl: ctx.qbo?.revokeUrl };
}

function app(ctx: OAuthContext): QboOAuthSettings {
  if (!ctx.qbo) {
    throw new HttpError(
      503,
      'oauth_not_configured',
      'Connecting with QuickBooks is not configured on this server (set QBO_CLIENT_ID, QBO_CLIENT_SECRET and QBO_REDIRECT_URI, docs/oauth.md); paste the tokens into POST /stores instead',
    );
  }
  return ctx.qbo;
}

function shopDomainOr400(raw: string): string {
  try {
    return normalizeShopDomain(raw);
  } catch (err) {
    throw err instanceof InvalidInputError ? badRequest(err.message, { field: 'shopDomain' }) : err;
  }
}

function intuitHttpError(err: unknown, doing: string): unknown {
  if (err instanceof IntuitRefusedError) {
    return new HttpError(
      400,
      'qbo_authorization_refused',
      `Intuit refused to ${doing} (${err.code || `HTTP ${err.status}`}): the authorization code was already used, has expired or was issued to another app or redirect URI; start again with GET /connect/qbo/start`,
    );
  }
  if (err instanceof IntuitUnavailableError) return new HttpError(502, 'qbo_unavailable', `Could not ${doing}: ${err.message}; try again`);
  return err;
}

/** GET /connect/qbo/start: where to send the merchant (Intuit's consent page), with a fresh state. */
export async function startQboConnect(
  ctx: OAuthContext,
  rawShopDomain: string,
  opts: { returnTo?: 'console' } = {},
): Promise<{ location: string; expiresAt: Date; nonce: string; shopDomain: string }> {
  const qbo = app(ctx);
  const shopDomain = shopDomainOr400(rawShopDomain);
  const now = ctx.store.clock();
  const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
  const nonce = newNonce();
  await pruneOAuthStates(ctx.store.db, { before: new Date(now.getTime() - STATE_TTL_MS) });
  await insertOAuthState(ctx.store.db, { nonce, shopDomain, createdAt: now, expiresAt });
  const state = signState(ctx.stateKey, { nonce, shopDomain, expiresAt, ...opts });
  return { location: authorizeUrl(qbo, endpoints(ctx), state), expiresAt, nonce, shopDomain };
}

export interface CallbackQuery {
  code?: string | undefined;
  state?: string | undefined;
  realmId?: string | undefined;
  error?: string | undefined;
}

export interface GrantView {
  grantId: string;
  shopDomain: string;
  realmId: string;
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date | null;
}

function stateHttpError(err: StateError): HttpError {
  return new HttpError(400, `state_${err.reason}`, err.message, { field: 'state' });
}

/** GET /connect/qbo/callback: the state checked and used up, the code exchanged, the tokens kept as a grant. */
export async function finishQboConnect(ctx: OAuthContext, q: CallbackQuery): Promise<GrantView> {
  const qbo = app(ctx);
  if (!q.state) throw badRequest('state is missing: open this page only through GET /connect/qbo/start', { field: 'state' });
  const now = ctx.store.clock();
  let payload;
  try {
    payload = verifyState(ctx.stateKey, q.state, now);
  } catch (err) {
    throw err instanceof StateError ? stateHttpError(err) : err;
  }
  // The nonce is used up before anything else: whatever happens next, this state is spent.
  const consumed = await consumeOAuthState(ctx.store.db, { nonce: payload.nonce, at: now });
  if (!consumed.consumed) {
    throw stateHttpError(
      consumed.row
        ? new StateError(
            'replayed',
            `state was already used at ${consumed.row.usedAt?.toISOString() ?? 'an earlier callback'}; start again with GET /connect/qbo/start`,
          )
        : new StateError('unknown', 'state is not one this server issued (or it was pruned); start again with GET /connect/qbo/start'),
    );
  }
  if (consumed.row.shopDomain !== payload.shopDomain) {
    throw stateHttpError(
      new StateError('tampered', 'state names another shop than the connect it was issued for; start again with GET /connect/qbo/start'),
    );
  }
  // The merchant chose Cancel on Intuit's page: Intuit redirects with error=access_denied and no code.
  if (q.error) {
    throw new HttpError(
      400,
      'qbo_access_denied',
      `QuickBooks did not grant access (${q.error}); start again with GET /connect/qbo/start to connect`,
    );
  }
  if (!q.code) throw badRequest('code is missing from the callback', { field: 'code' });
  if (!q.realmId || !/^[0-9]{1,32}$/.test(q.realmId))
    throw badRequest('realmId is missing or not a QBO company id (digits)', { field: 'realmId' });

  let tokens;
  try {
    tokens = await exchangeCode(qbo, endpoints(ctx), { code: q.code, realmId: q.realmId, now });
  } catch (err) {
    throw intuitHttpError(err, 'exchange the authorization code');
  }
  await pruneQboGrants(ctx.store.db, { at: now });
  const grantId = `qbog_${randomBytes(18).toString('base64url')}`;
  await insertQboGrant(ctx.store.db, {
    id: grantId,
    shopDomain: payload.shopDomain,
    realmId: q.realmId,
    qboClientId: qbo.clientId,
    qboAccessTokenEnc: ctx.store.cipher.encrypt(tokens.accessToken),
    qboAccessTokenExpiresAt: tokens.accessTokenExpiresAt,
    qboRefreshTokenEnc: ctx.store.cipher.encrypt(tokens.refreshToken),
    qboRefreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
    createdAt: now,
  });
  ctx.store.log.info({ shopDomain: payload.shopDomain, realmId: q.realmId, grantId }, 'qbo oauth grant received');
  return {
    grantId,
    shopDomain: payload.shopDomain,
    realmId: q.realmId,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
  };
}

/**
 * Revokes the store's QBO refresh token at Intuit (which ends its access tokens too). True when Intuit revoked it,
 * false when Intuit no longer knew it; Intuit out of reach is an error (502/503), so nothing is marked revoked that
 * was not. `db`: where the credentials are read (a caller's transaction, e.g. one holding the refresh lock).
 */
export async function revokeStoreQboTokens(ctx: OAuthContext, storeId: string, db: Executor = ctx.store.db): Promise<boolean> {
  const creds = await getStoreCredentials(db, { storeId });
  if (!creds) throw new HttpError(404, 'not_found', `Store ${storeId} has no credentials`);
  const clientSecret = ctx.store.cipher.decrypt(creds.qboClientSecretEnc);
  const refreshToken = ctx.store.cipher.decrypt(creds.qboRefreshTokenEnc);
  try {
    await revokeToken({ clientId: creds.qboClientId, clientSecret }, endpoints(ctx), refreshToken);
    return true;
  } catch (err) {
    if (!(err instanceof IntuitRefusedError)) throw intuitHttpError(err, 'revoke the QuickBooks tokens');
    return false;
  }
}

/**
 * POST /stores/:id/qbo/disconnect: revokes the store's QBO grant at Intuit with the app that holds it, then marks
 * the store disconnected and tells its workflow. Intuit refusing the token (already revoked, expired) still
 * disconnects: the grant is gone either way. Intuit unreachable: 502, nothing changed.
 */
export async function disconnectQbo(ctx: OAuthContext, row: StoreRow): Promise<StoreRow> {
  const revoked = await revokeStoreQboTokens(ctx, row.id);
  const at = ctx.store.clock();
  const reason = revoked
    ? 'Disconnected from QuickBooks by an operator (tokens revoked at Intuit); connect again to resume'
    : 'Disconnected from QuickBooks by an operator (Intuit no longer knew the tokens); connect again to resume';
  await disconnectStore(ctx.store.db, { storeId: row.id, reason, at });
  try {
    await signalStore(ctx.store, row.shopDomain, disconnectedSignal, { reason });
  } catch (err) {
    // The row says disconnected: the workflow reads it before its next run.
    ctx.store.log.warn({ err, storeId: row.id }, 'could not signal the disconnect to the store workflow');
  }
  await applyAuditScheduleOrLog(ctx.store, {
    id: row.id,
    shopDomain: row.shopDomain,
    shopTimezone: row.shopTimezone,
    state: 'disconnected',
  });
  await applyInventoryScheduleOrLog(ctx.store, { ...row, state: 'disconnected' });
  ctx.store.log.info({ storeId: row.id, realmId: row.qboRealmId, revoked }, 'store disconnected from qbo');
  return (await getStore(ctx.store.db, { storeId: row.id }))!;
}
