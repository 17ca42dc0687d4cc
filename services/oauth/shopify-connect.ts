/**
 * "Connect with Shopify": the app install flow, Shopify's authorization code grant (docs/oauth.md):
 * - start: a signed, single-use, 10-minute `state` for the shop (services/oauth/state.ts, its nonce in
 *   `oauth_states`, as for QuickBooks), and the shop's authorize URL to send the merchant to;
 * - callback: Shopify's HMAC over the query checked, then the state (signature, expiry, flow, nonce used up in one
 *   statement) and that the shop is the state's; the code exchanged for an offline access token, the granted scopes
 *   checked against the ones Ledgerline needs, the token checked against the shop (it reads `shop`), and the token
 *   kept encrypted as a pending Shopify grant, which POST /stores then names (`shopify.grantId`).
 */
import { randomBytes } from 'node:crypto';
import { consumeOAuthState, insertOAuthState, insertShopifyGrant, pruneOAuthStates, pruneShopifyGrants } from '../../db/queries/oauth';
import { InvalidInputError } from '../../domain/errors';
import { normalizeShopDomain } from '../../domain/store';
import { HttpError, badRequest } from '../errors';
import type { StoreContext } from '../stores/context';
import { checkShopify } from '../stores/shopify-check';
import {
  SHOPIFY_SCOPES,
  ShopifyOAuthUnavailableError,
  ShopifyRefusedError,
  authorizeUrl,
  exchangeCode,
  missingScopes,
  shopifyLibrary,
  type ShopifyApp,
} from './shopify';
import { STATE_TTL_MS, StateError, newNonce, signState, verifyState } from './state';

export type ShopifyOAuthSettings = ShopifyApp;

export interface ShopifyOAuthContext {
  store: StoreContext;
  /** The Shopify app; undefined when SHOPIFY_CLIENT_ID etc. are unset (start and callback answer 503). */
  shopify: ShopifyOAuthSettings | undefined;
  /** HMAC key of the state (config/secrets.ts oauthStateKey), shared with the QuickBooks flow. */
  stateKey: Buffer;
}

/** A pending grant lives a day: long enough to finish the set-up, short enough not to keep tokens nobody uses. */
export const SHOPIFY_GRANT_TTL_MS = 24 * 60 * 60_000;

const RESTART = 'start again with GET /connect/shopify/start';

function app(ctx: ShopifyOAuthContext): ShopifyOAuthSettings {
  if (!ctx.shopify) {
    throw new HttpError(
      503,
      'oauth_not_configured',
      "Connecting with Shopify is not configured on this server (set SHOPIFY_CLIENT_ID, SHOPIFY_CLIENT_SECRET and SHOPIFY_REDIRECT_URI, docs/oauth.md); paste a custom app's access token into POST /stores instead",
    );
  }
  return ctx.shopify;
}

/** The shop's permanent domain, as Ledgerline and Shopify's library both accept it; 400 naming `field` otherwise. */
function shopOr400(settings: ShopifyOAuthSettings, raw: string, field: string): string {
  let domain: string;
  try {
    domain = normalizeShopDomain(raw);
  } catch (err) {
    throw err instanceof InvalidInputError ? badRequest(err.message.replace(/^shopDomain/, field), { field }) : err;
  }
  if (shopifyLibrary(settings).utils.sanitizeShop(domain) !== domain) {
    throw badRequest(`${field} is not a shop domain Shopify accepts: ${JSON.stringify(raw)}`, { field });
  }
  return domain;
}

/** GET /connect/shopify/start: where to send the merchant (the shop's install page), with a fresh state. */
export async function startShopifyConnect(
  ctx: ShopifyOAuthContext,
  rawShop: string,
  opts: { returnTo?: 'console' } = {},
): Promise<{ location: string; expiresAt: Date; nonce: string; shopDomain: string }> {
  const settings = app(ctx);
  const shopDomain = shopOr400(settings, rawShop, 'shop');
  const now = ctx.store.clock();
  const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
  const nonce = newNonce();
  await pruneOAuthStates(ctx.store.db, { before: new Date(now.getTime() - STATE_TTL_MS) });
  await insertOAuthState(ctx.store.db, { nonce, shopDomain, createdAt: now, expiresAt });
  const state = signState(ctx.stateKey, { nonce, shopDomain, expiresAt, provider: 'shopify', ...opts });
  return { location: authorizeUrl(settings, shopDomain, state, ctx.store.shopifyApiBaseUrl), expiresAt, nonce, shopDomain };
}

/** The callback's query as Fastify parsed it: Shopify's parameters, any others it may add (all are signed). */
export type ShopifyCallbackQuery = Record<string, string | string[] | undefined>;

export interface ShopifyGrantView {
  grantId: string;
  shopDomain: string;
  scopes: string[];
}

const one = (q: ShopifyCallbackQuery, key: string): string | undefined => {
  const v = q[key];
  return typeof v === 'string' ? v : undefined;
};

function stateHttpError(err: StateError): HttpError {
  return new HttpError(400, `state_${err.reason}`, err.message, { field: 'state' });
}

async function checkHmac(settings: ShopifyOAuthSettings, q: ShopifyCallbackQuery): Promise<void> {
  if (!one(q, 'hmac')) throw new HttpError(400, 'hmac_invalid', 'hmac is missing: only Shopify can send this callback', { field: 'hmac' });
  // The library lets a missing or non-numeric timestamp through its 90-second window (NaN compares false): Shopify
  // always sends one, so a callback without a number there is refused here.
  if (!/^[0-9]{1,12}$/.test(one(q, 'timestamp') ?? '')) {
    throw new HttpError(
      400,
      'hmac_invalid',
      `timestamp is missing or not a number of seconds: only Shopify can send this callback; ${RESTART}`,
      {
        field: 'timestamp',
      },
    );
  }
  const query = Object.fromEntries(Object.entries(q).filter((e): e is [string, string | string[]] => e[1] !== undefined));
  let valid: boolean;
  try {
    valid = await shopifyLibrary(settings).utils.validateHmac(query as Record<string, string>);
  } catch (err) {
    // The library refuses a missing hmac or a timestamp more than 90 seconds off.
    const reason = err instanceof Error ? err.message : String(err);
    throw new HttpError(400, 'hmac_invalid', `Shopify's signature of the callback is not acceptable (${reason}); ${RESTART}`, {
      field: 'hmac',
    });
  }
  if (!valid) {
    throw new HttpError(
      400,
      'hmac_invalid',
      `hmac does not match the query (changed on the way, or signed with another app's secret); ${RESTART}`,
      { field: 'hmac' },
    );
  }
}

function shopifyHttpError(err: unknown): unknown {
  if (err instanceof ShopifyRefusedError) {
    return new HttpError(
      400,
      'shopify_authorization_refused',
      `Shopify refused to exchange the authorization code (${err.detail || `HTTP ${err.status}`}): it was already used, has expired or was issued to another app; ${RESTART}`,
    );
  }
  if (err instanceof ShopifyOAuthUnavailableError) {
    return new HttpError(502, 'shopify_unavailable', `Could not exchange the authorization code: ${err.message}; try again`);
  }
  return err;
}

/** GET /connect/shopify/callback: Shopify's signature, the state, the code exchanged, the token kept as a grant. */
export async function finishShopifyConnect(ctx: ShopifyOAuthContext, q: ShopifyCallbackQuery): Promise<ShopifyGrantView> {
  const settings = app(ctx);
  const rawState = one(q, 'state');
  if (!rawState) throw badRequest(`state is missing: open this page only through GET /connect/shopify/start`, { field: 'state' });
  // Shopify's own signature first: nothing else in the query is believed before it.
  await checkHmac(settings, q);
  const rawShop = one(q, 'shop');
  if (!rawShop) throw badRequest('shop is missing from the callback', { field: 'shop' });
  const shop = shopOr400(settings, rawShop, 'shop');

  const now = ctx.store.clock();
  let payload;
  try {
    payload = verifyState(ctx.stateKey, rawState, now, 'shopify');
  } catch (err) {
    throw err instanceof StateError ? stateHttpError(err) : err;
  }
  // The nonce is used up before anything else: whatever happens next, this state is spent.
  const consumed = await consumeOAuthState(ctx.store.db, { nonce: payload.nonce, at: now });
  if (!consumed.consumed) {
    throw stateHttpError(
      consumed.row
        ? new StateError('replayed', `state was already used at ${consumed.row.usedAt?.toISOString() ?? 'an earlier callback'}; ${RESTART}`)
        : new StateError('unknown', `state is not one this server issued (or it was pruned); ${RESTART}`),
    );
  }
  if (consumed.row.shopDomain !== payload.shopDomain) {
    throw stateHttpError(new StateError('tampered', `state names another shop than the connect it was issued for; ${RESTART}`));
  }
  if (shop !== payload.shopDomain) {
    throw new HttpError(
      400,
      'shop_mismatch',
      `The callback is for ${shop} but the connect was started for ${payload.shopDomain}; ${RESTART} for the shop you mean`,
      { field: 'shop' },
    );
  }
  if (one(q, 'error')) {
    throw new HttpError(400, 'shopify_access_denied', `Shopify did not install the app (${one(q, 'error')}); ${RESTART} to connect`);
  }
  const code = one(q, 'code');
  if (!code) throw badRequest('code is missing from the callback', { field: 'code' });

  let issued;
  try {
    issued = await exchangeCode(settings, shop, code, ctx.store.shopifyApiBaseUrl);
  } catch (err) {
    throw shopifyHttpError(err);
  }
  const missing = missingScopes(issued.scope);
  if (missing.length) {
    throw new HttpError(
      400,
      'shopify_scopes_missing',
      `Shopify granted ${issued.scope || 'no scopes'}, without ${missing.join(', ')}, which Ledgerline needs; add them to the app's access scopes (docs/oauth.md) and ${RESTART}`,
      { missing, granted: issued.scope ? issued.scope.split(',') : [] },
    );
  }
  // The token must read this very shop before it is kept (422 shopify_rejected / 502 otherwise).
  await checkShopify(ctx.store, shop, issued.accessToken);

  await pruneShopifyGrants(ctx.store.db, { at: now });
  const grantId = `shpg_${randomBytes(18).toString('base64url')}`;
  await insertShopifyGrant(ctx.store.db, {
    id: grantId,
    shopDomain: shop,
    shopifyClientId: settings.clientId,
    shopifyAccessTokenEnc: ctx.store.cipher.encrypt(issued.accessToken),
    scopes: issued.scope,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SHOPIFY_GRANT_TTL_MS),
  });
  ctx.store.log.info({ shopDomain: shop, grantId, scopes: issued.scope }, 'shopify oauth grant received');
  return { grantId, shopDomain: shop, scopes: issued.scope.split(',').filter(Boolean) };
}

export { SHOPIFY_SCOPES };
