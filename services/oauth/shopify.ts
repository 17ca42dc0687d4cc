/**
 * Shopify's authorization code grant (docs/oauth.md "Connect with Shopify"):
 * https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
 *
 * - The callback's HMAC and the shop domain are checked with Shopify's own Node library, `@shopify/shopify-api`
 *   (`utils.validateHmac`: hex HMAC-SHA256 of the sorted query without `hmac`, keyed by the app's client secret,
 *   and a `timestamp` within 90 seconds; `utils.sanitizeShop`).
 * - The authorize URL and the code exchange are built here: the library's `auth.begin`/`auth.callback` keep the state
 *   in their own signed cookie and always call `https://{shop}/admin/oauth/access_token`, so they can reach neither the
 *   emulator (plain http, one host for every shop) nor Ledgerline's state in `oauth_states`. The endpoints are the
 *   shop's own, `https://{shop}/admin/oauth/authorize` and `…/access_token`; with SHOPIFY_API_BASE_URL set (the
 *   emulator) they are `<base>/admin/oauth/…`, the authorize URL then naming the shop in a `shop` parameter.
 */
import '@shopify/shopify-api/adapters/node';
import { AuthScopes, LogSeverity, shopifyApi, type Shopify } from '@shopify/shopify-api';
import { SHOPIFY_API_VERSION } from '../../integrations/shopify/client';

/**
 * What Ledgerline reads and writes in a shop (https://shopify.dev/docs/api/usage/access-scopes; docs/oauth.md lists
 * each one with what needs it). A write scope grants the read one too, so `read_inventory` is covered by
 * `write_inventory` when Shopify lists only the latter.
 */
export const SHOPIFY_SCOPES = [
  'read_orders',
  'read_all_orders',
  'read_customers',
  'read_products',
  'read_inventory',
  'write_inventory',
  'read_locations',
  'read_shopify_payments_payouts',
] as const;

export interface ShopifyApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** Shopify answered, and refused the exchange (a used, expired or foreign code; a wrong client). */
export class ShopifyRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`Shopify refused the request (HTTP ${status}${detail ? `: ${detail}` : ''})`);
    this.name = 'ShopifyRefusedError';
  }
}

/** Shopify could not be reached or answered 5xx or nonsense. */
export class ShopifyOAuthUnavailableError extends Error {
  constructor(readonly detail: string) {
    super(`Shopify's OAuth endpoint could not be reached (${detail})`);
    this.name = 'ShopifyOAuthUnavailableError';
  }
}

const libraries = new Map<string, Shopify>();

/** The library configured with the app (one per client id and secret; it holds no per-request state). */
export function shopifyLibrary(app: ShopifyApp): Shopify {
  const key = `${app.clientId}\u0000${app.clientSecret}`;
  let lib = libraries.get(key);
  if (!lib) {
    lib = shopifyApi({
      apiKey: app.clientId,
      apiSecretKey: app.clientSecret,
      hostName: new URL(app.redirectUri).host,
      hostScheme: new URL(app.redirectUri).protocol === 'http:' ? 'http' : 'https',
      apiVersion: SHOPIFY_API_VERSION as never,
      isEmbeddedApp: false,
      scopes: [...SHOPIFY_SCOPES],
      logger: { level: LogSeverity.Error, log: async () => undefined },
    });
    libraries.set(key, lib);
  }
  return lib;
}

function base(shopDomain: string, apiBaseUrl: string | undefined): string {
  return apiBaseUrl ? apiBaseUrl.replace(/\/+$/, '') : `https://${shopDomain}`;
}

/** Step 2 of the grant: where the merchant approves the install. */
export function authorizeUrl(app: ShopifyApp, shopDomain: string, state: string, apiBaseUrl: string | undefined): string {
  const url = new URL(`${base(shopDomain, apiBaseUrl)}/admin/oauth/authorize`);
  url.searchParams.set('client_id', app.clientId);
  url.searchParams.set('scope', SHOPIFY_SCOPES.join(','));
  url.searchParams.set('redirect_uri', app.redirectUri);
  url.searchParams.set('state', state);
  if (apiBaseUrl) url.searchParams.set('shop', shopDomain);
  return url.toString();
}

/** The scopes of `required` that `granted` (Shopify's comma-separated list) does not cover. */
export function missingScopes(granted: string, required: readonly string[] = SHOPIFY_SCOPES): string[] {
  const scopes = new AuthScopes(granted);
  return required.filter((s) => !scopes.has(s));
}

const EXCHANGE_TIMEOUT_MS = 15_000;

/** Step 4: the code for an offline access token (`POST /admin/oauth/access_token`, JSON). */
export async function exchangeCode(
  app: ShopifyApp,
  shopDomain: string,
  code: string,
  apiBaseUrl: string | undefined,
): Promise<{ accessToken: string; scope: string }> {
  let res: Response;
  try {
    res = await fetch(`${base(shopDomain, apiBaseUrl)}/admin/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ client_id: app.clientId, client_secret: app.clientSecret, code }),
      signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS),
    });
  } catch (err) {
    throw new ShopifyOAuthUnavailableError(err instanceof Error ? err.message : String(err));
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 400 && res.status < 500) {
    let detail = '';
    try {
      const body = JSON.parse(text) as { error?: unknown; error_description?: unknown; errors?: unknown };
      const found = body.error ?? body.errors;
      detail = typeof found === 'string' ? found : '';
    } catch {
      // Shopify's answer was not JSON: the status says enough.
    }
    throw new ShopifyRefusedError(res.status, detail.slice(0, 200));
  }
  if (!res.ok) throw new ShopifyOAuthUnavailableError(`HTTP ${res.status}`);
  let body: { access_token?: unknown; scope?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new ShopifyOAuthUnavailableError('the token answer is not JSON');
  }
  if (typeof body.access_token !== 'string' || !body.access_token || typeof body.scope !== 'string') {
    throw new ShopifyOAuthUnavailableError('the token answer has no access_token or scope');
  }
  return { accessToken: body.access_token, scope: body.scope };
}
