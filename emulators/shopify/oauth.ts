// Shopify's authorization code grant, enough of it for an app install to run end to end here
// (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant):
// - GET /admin/oauth/authorize?client_id&scope&redirect_uri&state: the install page of the shop (named by the Host
//   header, as on Shopify, or by a `shop` parameter, since every shop shares the emulator's host) for a registered
//   app, with "Install" and "Cancel" buttons; POST /admin/oauth/authorize (its form) redirects to redirect_uri with
//   code, hmac, host, shop, state and timestamp, `hmac` the hex HMAC-SHA256 of the other parameters, sorted and
//   query-encoded, keyed by the app's client secret (Shopify's "verify a request").
// - POST /admin/oauth/access_token {client_id, client_secret, code} (JSON or a form): `{access_token, scope}`. A code
//   is single use, lives five minutes and is bound to its app and shop.
// Emulator choices: no merchant sign-in; Cancel redirects with `error=access_denied` (RFC 6749 §4.1.2.1), signed like
// the rest; an app registered with `scopes` is granted those (Shopify-managed scopes win over the requested ones),
// otherwise the requested ones; the issued tokens read the shop like its own token and are not persisted with
// `stateFile`; an install clears an earlier uninstall.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { EmulatorCore } from './emulator';
import { sendJson } from './graphql-handler';
import type { ShopState } from './state';

export interface AppOptions {
  /** The app's client id (API key). */
  clientId: string;
  /** The app's client secret: it signs the redirect's hmac (and, on Shopify, the app's webhooks). */
  clientSecret: string;
  /** The allowed redirection URLs; unset: any http(s) URL. */
  redirectUris?: string[];
  /** The scopes the app is configured with; set: granted whatever is requested. */
  scopes?: string[];
  name?: string;
}

interface IssuedCode {
  clientId: string;
  shop: string;
  scopes: string[];
  expiresAtMs: number;
  used: boolean;
}

export const CODE_TTL_MS = 5 * 60_000;
const SCOPE = /^(?:unauthenticated_)?(?:read|write)_[a-z_]+$/;

/** The apps registered in the emulator, and the codes and tokens their installs produced. */
export class OAuthState {
  readonly apps = new Map<string, AppOptions>();
  readonly codes = new Map<string, IssuedCode>();
  /** access token → shop domain */
  readonly tokens = new Map<string, { shop: string; clientId: string; scopes: string[] }>();

  registerApp(app: AppOptions): void {
    if (!app?.clientId || !app.clientSecret) throw new Error('An app needs a clientId and a clientSecret');
    this.apps.set(app.clientId, { ...app });
  }

  /** Codes and tokens forgotten (the apps stay registered). */
  reset(): void {
    this.codes.clear();
    this.tokens.clear();
  }
}

/** Shopify's signature of a redirect's query: hex HMAC-SHA256 of `k=v&…` sorted by key, without `hmac`. */
export function oauthHmac(secret: string, params: URLSearchParams | Record<string, string>): string {
  const entries = [...new URLSearchParams(params as Record<string, string>).entries()].filter(([k]) => k !== 'hmac' && k !== 'signature');
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHmac('sha256', secret).update(new URLSearchParams(entries).toString()).digest('hex');
}

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function sendPage(res: ServerResponse, status: number, title: string, inner: string): void {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${inner}</main></body></html>`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

const errorPage = (res: ServerResponse, status: number, message: string): void =>
  sendPage(res, status, 'Something went wrong', `<p role="alert">${escape(message)}</p>`);

function redirectUriOk(app: AppOptions, uri: string | null): uri is string {
  if (!uri) return false;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return app.redirectUris === undefined || app.redirectUris.includes(uri);
}

interface Checked {
  app: AppOptions;
  shop: ShopState;
  redirectUri: string;
  scopes: string[];
  state: string;
}

/** The request's own parameters, checked before anything is shown; a string names what is wrong. */
function checkRequest(
  core: EmulatorCore,
  params: URLSearchParams,
  hostHeader: string | undefined,
): Checked | { status: number; error: string } {
  const host = (hostHeader ?? '').toLowerCase().replace(/:\d+$/, '');
  const domain = params.get('shop') ?? host;
  const shop = core.shop(domain);
  if (!shop) return { status: 404, error: `There is no shop ${domain} in this emulator` };
  const app = core.oauth.apps.get(params.get('client_id') ?? '');
  if (!app) return { status: 400, error: 'client_id is not an app registered in this emulator' };
  const redirectUri = params.get('redirect_uri');
  if (!redirectUriOk(app, redirectUri))
    return { status: 400, error: 'redirect_uri is missing or not an allowed redirection URL of the app' };
  const scopes = (params.get('scope') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = scopes.find((s) => !SCOPE.test(s));
  if (bad) return { status: 400, error: `scope ${bad} is not an access scope` };
  return { app, shop, redirectUri, scopes, state: params.get('state') ?? '' };
}

function installPage(res: ServerResponse, c: Checked, params: URLSearchParams): void {
  const hidden = ['client_id', 'scope', 'redirect_uri', 'state']
    .map((k) => `<input type="hidden" name="${k}" value="${escape(params.get(k) ?? '')}">`)
    .join('');
  const granted = c.app.scopes ?? c.scopes;
  const list = granted.map((s) => `<li>${escape(s)}</li>`).join('');
  sendPage(
    res,
    200,
    `Install ${c.app.name ?? 'the app'}`,
    `<p>${escape(c.app.name ?? c.app.clientId)} wants to access ${escape(String(c.shop.info.name ?? c.shop.domain))} (${escape(c.shop.domain)}):</p>
<ul>${list}</ul>
<form method="post" action="/admin/oauth/authorize?shop=${encodeURIComponent(c.shop.domain)}">${hidden}
<button type="submit" name="decision" value="install">Install</button> <button type="submit" name="decision" value="cancel">Cancel</button></form>`,
  );
}

/** The redirect back to the app, signed as Shopify signs it. */
function redirectBack(core: EmulatorCore, res: ServerResponse, c: Checked, extra: Record<string, string>): void {
  const handle = c.shop.domain.replace(/\.myshopify\.com$/, '');
  const params: Record<string, string> = {
    ...extra,
    host: Buffer.from(`admin.shopify.com/store/${handle}`).toString('base64'),
    shop: c.shop.domain,
    ...(c.state ? { state: c.state } : {}),
    timestamp: String(Math.floor(core.now().getTime() / 1000)),
  };
  const target = new URL(c.redirectUri);
  const sorted = Object.entries({ ...params, hmac: oauthHmac(c.app.clientSecret, params) }).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [k, v] of sorted) target.searchParams.set(k, v);
  res.writeHead(302, { Location: target.toString(), 'Cache-Control': 'no-store', 'Content-Length': 0 });
  res.end();
}

function decide(core: EmulatorCore, res: ServerResponse, c: Checked, form: URLSearchParams): void {
  if (form.get('decision') !== 'install') return redirectBack(core, res, c, { error: 'access_denied' });
  const code = randomBytes(16).toString('hex');
  core.oauth.codes.set(code, {
    clientId: c.app.clientId,
    shop: c.shop.domain,
    scopes: c.app.scopes ?? c.scopes,
    expiresAtMs: core.now().getTime() + CODE_TTL_MS,
    used: false,
  });
  redirectBack(core, res, c, { code });
}

const secretsEqual = (a: string, b: string): boolean => {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
};

function tokenEndpoint(
  core: EmulatorCore,
  res: ServerResponse,
  contentType: string,
  rawBody: string,
  hostHeader: string | undefined,
): void {
  let body: Record<string, unknown>;
  try {
    body = contentType.includes('application/json')
      ? (JSON.parse(rawBody) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(rawBody).entries());
  } catch {
    return sendJson(res, 400, { error: 'invalid_request', error_description: 'The body is not JSON' });
  }
  const str = (k: string): string => (typeof body?.[k] === 'string' ? (body[k] as string) : '');
  const app = core.oauth.apps.get(str('client_id'));
  if (!app || !secretsEqual(str('client_secret'), app.clientSecret)) {
    return sendJson(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
  }
  const issued = core.oauth.codes.get(str('code'));
  const host = (hostHeader ?? '').toLowerCase().replace(/:\d+$/, '');
  if (
    !issued ||
    issued.used ||
    issued.clientId !== app.clientId ||
    issued.expiresAtMs <= core.now().getTime() ||
    (core.shop(host) !== undefined && host !== issued.shop)
  ) {
    if (issued) issued.used = true;
    return sendJson(res, 400, {
      error: 'invalid_request',
      error_description: 'The authorization code was not found, has expired or was already used',
    });
  }
  issued.used = true;
  const shop = core.shop(issued.shop);
  if (!shop) return sendJson(res, 400, { error: 'invalid_request', error_description: 'The shop no longer exists' });
  const accessToken = `shpat_${randomBytes(16).toString('hex')}`;
  core.oauth.tokens.set(accessToken, { shop: shop.domain, clientId: app.clientId, scopes: issued.scopes });
  shop.uninstalled = false;
  sendJson(res, 200, { access_token: accessToken, scope: issued.scopes.join(',') });
}

/** The /admin/oauth/ routes; false when the path is not one of them. */
export function handleOAuth(
  core: EmulatorCore,
  req: { method: string; url: URL; host: string | undefined; contentType: string },
  rawBody: string,
  res: ServerResponse,
): boolean {
  const { method, url } = req;
  if (url.pathname === '/admin/oauth/access_token') {
    if (method !== 'POST') sendJson(res, 405, { errors: 'Method Not Allowed' });
    else tokenEndpoint(core, res, req.contentType, rawBody, req.host);
    return true;
  }
  if (url.pathname !== '/admin/oauth/authorize') return false;
  if (method !== 'GET' && method !== 'POST') {
    sendJson(res, 405, { errors: 'Method Not Allowed' });
    return true;
  }
  const params = method === 'GET' ? url.searchParams : new URLSearchParams(rawBody);
  if (method === 'POST' && url.searchParams.get('shop') && !params.get('shop')) params.set('shop', url.searchParams.get('shop')!);
  const checked = checkRequest(core, params, req.host);
  if ('error' in checked) {
    errorPage(res, checked.status, checked.error);
    return true;
  }
  if (method === 'GET') installPage(res, checked, params);
  else decide(core, res, checked, params);
  return true;
}
