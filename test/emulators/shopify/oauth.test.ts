// The emulator's app install flow (emulators/shopify/oauth.ts) over HTTP: the install page, the signed redirect back
// (checked with Shopify's own library, @shopify/shopify-api), the token endpoint's rules, and the issued token reading
// the shop through the real Admin API client.
import '@shopify/shopify-api/adapters/node';
import { shopifyApi, LogSeverity } from '@shopify/shopify-api';
import { afterEach, describe, expect, it } from 'vitest';
import { oauthHmac, type ShopifyEmulator } from '../../../emulators/shopify';
import { adminPost, clientFor, SHOP, startEmulator } from './helpers';

const APP = { clientId: 'app-client-id', clientSecret: 'app-client-secret-0123456789', name: 'Books' };
const REDIRECT = 'http://127.0.0.1:9/connect/shopify/callback';

let emu: ShopifyEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const library = shopifyApi({
  apiKey: APP.clientId,
  apiSecretKey: APP.clientSecret,
  hostName: '127.0.0.1:9',
  hostScheme: 'http',
  apiVersion: '2026-10' as never,
  isEmbeddedApp: false,
  logger: { level: LogSeverity.Error, log: async () => undefined },
});

function authorizeUrl(e: ShopifyEmulator, params: Record<string, string> = {}): string {
  const q = new URLSearchParams({
    client_id: APP.clientId,
    scope: 'read_orders,write_inventory',
    redirect_uri: REDIRECT,
    state: 'opaque-state',
    shop: SHOP,
    ...params,
  });
  return `${e.url}/admin/oauth/authorize?${q.toString()}`;
}

/** The merchant on the install page: presses Install (or Cancel) on its form; the 302 back to the app. */
async function decide(e: ShopifyEmulator, url: string, decision: 'install' | 'cancel' = 'install'): Promise<URL> {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<button type="submit" name="decision" value="install">Install</button>');
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1]!, m[2]!.replace(/&amp;/g, '&'));
  form.set('decision', decision);
  const res = await fetch(new URL(action, e.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

async function exchange(e: ShopifyEmulator, body: Record<string, string>, json = true) {
  const res = await fetch(`${e.url}/admin/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: json ? JSON.stringify(body) : new URLSearchParams(body).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

describe('the Shopify emulator: app install (authorization code grant)', () => {
  it('shows the install page, redirects back signed as Shopify signs, and the code buys a token that reads the shop', async () => {
    emu = await startEmulator({ apps: [{ ...APP, redirectUris: [REDIRECT] }] });
    expect(emu.clientId).toBe(APP.clientId);
    const back = await decide(emu, authorizeUrl(emu));
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect([...back.searchParams.keys()]).toEqual(['code', 'hmac', 'host', 'shop', 'state', 'timestamp']);
    expect(back.searchParams.get('shop')).toBe(SHOP);
    expect(back.searchParams.get('state')).toBe('opaque-state');
    expect(Buffer.from(back.searchParams.get('host')!, 'base64').toString()).toBe('admin.shopify.com/store/alpha');
    expect(Math.abs(Number(back.searchParams.get('timestamp')) - Date.now() / 1000)).toBeLessThan(5);
    const query = Object.fromEntries(back.searchParams.entries());
    // Shopify's library accepts the signature; a changed parameter or another secret does not pass.
    expect(await library.utils.validateHmac(query)).toBe(true);
    expect(await library.utils.validateHmac({ ...query, shop: 'beta.myshopify.com' })).toBe(false);
    expect(back.searchParams.get('hmac')).toBe(oauthHmac(APP.clientSecret, back.searchParams));
    expect(back.searchParams.get('hmac')).not.toBe(oauthHmac('another-secret', back.searchParams));

    const code = back.searchParams.get('code')!;
    const wrongSecret = await exchange(emu, { client_id: APP.clientId, client_secret: 'nope', code });
    expect(wrongSecret).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } });
    const issued = await exchange(emu, { client_id: APP.clientId, client_secret: APP.clientSecret, code }, false);
    expect(issued.status).toBe(200);
    expect(issued.body.scope).toBe('read_orders,write_inventory');
    expect(issued.body.access_token).toMatch(/^shpat_[0-9a-f]{32}$/);
    const shop = await clientFor(emu, issued.body.access_token).request('{ shop { myshopifyDomain } }');
    expect(shop.data).toEqual({ shop: { myshopifyDomain: SHOP } });

    // Single use: the same code again is refused.
    const again = await exchange(emu, { client_id: APP.clientId, client_secret: APP.clientSecret, code });
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_request');

    // Uninstalling the app revokes the installed token too.
    expect((await adminPost(emu, `/_emulator/shops/${SHOP}/uninstall`)).status).toBe(201);
    const revoked = await clientFor(emu, issued.body.access_token).request('{ shop { myshopifyDomain } }');
    expect(revoked.errors?.networkStatusCode).toBe(401);
  });

  it("binds a code to its app, expires it, grants an app's configured scopes, and signs a cancel", async () => {
    let now = Date.now();
    const other = { clientId: 'other-app', clientSecret: 'other-secret-0123456789' };
    emu = await startEmulator({ apps: [APP, other], clock: () => new Date(now) });

    const forApp = (await decide(emu, authorizeUrl(emu))).searchParams.get('code')!;
    const stolen = await exchange(emu, { client_id: other.clientId, client_secret: other.clientSecret, code: forApp });
    expect(stolen.status).toBe(400);

    const late = (await decide(emu, authorizeUrl(emu))).searchParams.get('code')!;
    now += 5 * 60_000 + 1;
    expect((await exchange(emu, { client_id: APP.clientId, client_secret: APP.clientSecret, code: late })).status).toBe(400);

    // The app's configured scopes win over the requested ones (registered again over HTTP).
    const registered = await adminPost(emu, '/_emulator/apps', { ...APP, scopes: ['read_orders'] });
    expect(registered.status).toBe(201);
    const narrow = (await decide(emu, authorizeUrl(emu))).searchParams.get('code')!;
    const granted = await exchange(emu, { client_id: APP.clientId, client_secret: APP.clientSecret, code: narrow });
    expect(granted.body.scope).toBe('read_orders');

    const cancelled = await decide(emu, authorizeUrl(emu), 'cancel');
    expect(cancelled.searchParams.get('error')).toBe('access_denied');
    expect(cancelled.searchParams.get('code')).toBeNull();
    expect(cancelled.searchParams.get('hmac')).toBe(oauthHmac(APP.clientSecret, cancelled.searchParams));
  });

  it('refuses an unknown app, shop or redirect URI, and a malformed scope, with an error page', async () => {
    emu = await startEmulator({ apps: [{ ...APP, redirectUris: [REDIRECT] }] });
    const cases: Array<[Record<string, string>, number, RegExp]> = [
      [{ client_id: 'nobody' }, 400, /client_id is not an app/],
      [{ redirect_uri: 'http://127.0.0.1:9/elsewhere' }, 400, /redirect_uri/],
      [{ redirect_uri: 'javascript:alert(1)' }, 400, /redirect_uri/],
      [{ shop: 'nobody.myshopify.com' }, 404, /no shop nobody\.myshopify\.com/],
      [{ scope: 'read_orders,drop tables' }, 400, /not an access scope/],
    ];
    for (const [params, status, message] of cases) {
      const res = await fetch(authorizeUrl(emu, params), { redirect: 'manual' });
      expect(res.status, JSON.stringify(params)).toBe(status);
      expect(await res.text()).toMatch(message);
    }
    expect((await fetch(`${emu.url}/admin/oauth/access_token`)).status).toBe(405);
    expect((await adminPost(emu, '/_emulator/apps', { clientId: 'x' })).status).toBe(400);
  });
});
