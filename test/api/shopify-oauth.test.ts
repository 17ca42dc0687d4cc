/**
 * "Connect with Shopify" (docs/oauth.md) end to end over real HTTP: the API listening on a port, the Shopify
 * emulator's install page and token endpoint, PostgreSQL, and the Temporal dev server (POST /stores starts the store's
 * workflow). The test acts as the merchant's browser: it follows the redirect to the install page, submits its form
 * with fetch, and lands on the callback. Where it forges a callback it signs it with the app's secret, as only
 * Shopify could, so that the check under test is the one that refuses it.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../api/app';
import { createCipher } from '../../config/secrets';
import type { Database } from '../../db/client';
import { oauthStates, shopifyGrants, storeCredentials } from '../../db/schema';
import { startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { oauthHmac, startShopifyEmulator, type ShopifyEmulator } from '../../emulators/shopify';
import { SHOPIFY_SCOPES } from '../../services/oauth/shopify';
import { signState } from '../../services/oauth/state';
import { processPacing } from '../support/app';
import { postgresDatabase } from '../support/db';
import { devServerEnv, uniqueTaskQueue } from '../support/temporal';

const API_TOKEN = `test-${randomBytes(12).toString('hex')}`;
const auth = { authorization: `Bearer ${API_TOKEN}` };
const cipher = createCipher(`test:${randomBytes(32).toString('base64')}`);
const stateKey = randomBytes(32);
const APP = { clientId: `ledgerline-${randomBytes(4).toString('hex')}`, clientSecret: randomBytes(24).toString('hex'), name: 'Ledgerline' };

let env: TestWorkflowEnvironment;
let database: Database;
let shopify: ShopifyEmulator;
let qbo: QboEmulatorHandle;
let app: FastifyInstance;
let api: string;
let redirectUri: string;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  redirectUri = `${api}/connect/shopify/callback`;
  [env, database, shopify, qbo] = await Promise.all([
    devServerEnv(),
    postgresDatabase(),
    startShopifyEmulator({ shops: [], apps: [{ ...APP, redirectUris: [redirectUri] }] }),
    startQboEmulator({ limits: false }),
  ]);
  app = await buildApp({
    database,
    temporal: async () => env.client,
    apiToken: API_TOKEN,
    log: pino({ level: 'silent' }),
    cipher,
    taskQueue: uniqueTaskQueue('shopify-oauth'),
    integrations: { shopifyApiBaseUrl: shopify.url, qboEndpoint: qbo.v3Endpoint, qboTokenUrl: qbo.tokenUrl },
    shopifyOAuth: { clientId: APP.clientId, clientSecret: APP.clientSecret, redirectUri },
    oauthStateKey: stateKey,
    ...processPacing(database.db),
  });
  await app.listen({ host: '127.0.0.1', port });
}, 180_000);

afterAll(async () => {
  await app?.close();
  await env?.teardown();
  await database?.close();
  await shopify?.close();
  await qbo?.close();
});

let seq = 0;
function newShop(name: string) {
  const domain = `${name}-${process.pid}-${++seq}.myshopify.com`;
  const token = `shpat_${randomBytes(12).toString('hex')}`;
  shopify.admin.createShop({ domain, accessToken: token, name: `Shop ${name}`, currencyCode: 'USD', ianaTimezone: 'America/New_York' });
  return { domain, token };
}

/** Pasted QBO credentials of a fresh company (the QBO side is not what this file tests). */
function qboBody() {
  const company = qbo.admin.createCompany({ country: 'US', companyName: `Books ${++seq}` });
  return {
    realmId: company.realmId,
    clientId: qbo.clientId,
    clientSecret: qbo.clientSecret,
    accessToken: company.accessToken,
    refreshToken: company.refreshToken,
    accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
}

/** GET /connect/shopify/start as the operator: the 302 to the shop's (the emulator's) install page. */
async function start(shop: string): Promise<URL> {
  const res = await fetch(`${api}/connect/shopify/start?shop=${encodeURIComponent(shop)}`, { headers: auth, redirect: 'manual' });
  expect(res.status, await res.clone().text()).toBe(302);
  return new URL(res.headers.get('location')!);
}

/** The merchant on the install page: presses Install (or Cancel); the signed 302 back to Ledgerline. */
async function consent(authorize: URL, decision: 'install' | 'cancel' = 'install'): Promise<URL> {
  const page = await fetch(authorize);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<button type="submit" name="decision" value="install">Install</button>');
  expect(html).toContain('<button type="submit" name="decision" value="cancel">Cancel</button>');
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1]!, m[2]!.replace(/&amp;/g, '&'));
  form.set('decision', decision);
  const res = await fetch(new URL(action, authorize), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

/** A callback URL with these parameters, signed with the app's secret (a fresh timestamp unless given). */
function signed(params: Record<string, string>, secret = APP.clientSecret): string {
  const all = { timestamp: String(Math.floor(Date.now() / 1000)), ...params };
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(all)) url.searchParams.set(k, v);
  url.searchParams.set('hmac', oauthHmac(secret, all));
  return url.toString();
}

async function callback(url: URL | string) {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

async function postStores(body: unknown) {
  const res = await fetch(`${api}/stores`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

describe('Connect with Shopify (the app install flow)', () => {
  it('runs the whole flow: start → install page → callback → POST /stores with the grant; the token is stored encrypted, never shown', async () => {
    const shop = newShop('flow');

    const authorize = await start(shop.domain);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${shopify.url}/admin/oauth/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe(APP.clientId);
    expect(authorize.searchParams.get('scope')).toBe(SHOPIFY_SCOPES.join(','));
    expect(authorize.searchParams.get('redirect_uri')).toBe(redirectUri);
    expect(authorize.searchParams.get('shop')).toBe(shop.domain);
    const state = authorize.searchParams.get('state')!;
    expect(state).toMatch(/^v1\.[\w-]+\.[\w-]+$/);

    const back = await consent(authorize);
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect([...back.searchParams.keys()].sort()).toEqual(['code', 'hmac', 'host', 'shop', 'state', 'timestamp']);
    expect(back.searchParams.get('state')).toBe(state);
    expect(back.searchParams.get('shop')).toBe(shop.domain);

    const landed = await callback(back);
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    expect(landed.body).toMatchObject({ shopDomain: shop.domain, scopes: [...SHOPIFY_SCOPES] });
    expect(landed.body.next).toMatch(/POST \/stores/);
    const grantId = landed.body.grantId as string;
    expect(grantId).toMatch(/^shpg_/);
    const [grant] = await database.db.select().from(shopifyGrants).where(eq(shopifyGrants.id, grantId));
    expect(grant).toMatchObject({ shopDomain: shop.domain, shopifyClientId: APP.clientId, scopes: SHOPIFY_SCOPES.join(',') });
    const token = cipher.decrypt(grant!.shopifyAccessTokenEnc);
    expect(token).toMatch(/^shpat_/);
    expect(token).not.toBe(shop.token);
    expect(grant!.shopifyAccessTokenEnc).not.toContain(token);
    expect(JSON.stringify(landed.body)).not.toContain(token);

    // The same callback again (the back button, or someone who saw the URL): the state is spent.
    const replay = await callback(back);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toMatchObject({ code: 'state_replayed' });
    expect(replay.body.error!.message).toMatch(/already used.*GET \/connect\/shopify\/start/);

    // The grant and the token beside it: refused, naming the field; then the grant alone connects.
    const both = await postStores({ shopDomain: shop.domain, shopifyAccessToken: shop.token, shopify: { grantId }, qbo: qboBody() });
    expect(both.status).toBe(400);
    expect(both.text).toMatch(/shopify.grantId comes alone/);
    const connected = await postStores({ shopDomain: shop.domain, shopify: { grantId }, qbo: qboBody() });
    expect(connected.status, connected.text).toBe(201);
    expect(connected.text).not.toContain(token);
    const view = JSON.parse(connected.text) as { id: string; state: string; shop: { name: string } };
    expect(view.state).toBe('active');
    const [creds] = await database.db.select().from(storeCredentials).where(eq(storeCredentials.storeId, view.id));
    expect(cipher.decrypt(creds!.shopifyAccessTokenEnc)).toBe(token);
    expect(await database.db.select().from(shopifyGrants).where(eq(shopifyGrants.id, grantId))).toEqual([]);

    // The grant went with the connect: naming it again is refused.
    const again = await postStores({ shopDomain: shop.domain, shopify: { grantId }, qbo: qboBody() });
    expect(again.status).toBe(400);
    expect(again.text).toMatch(/names no pending Shopify grant/);

    // The pasted custom-app token path still works.
    const pasted = newShop('pasted');
    const viaToken = await postStores({ shopDomain: pasted.domain, shopifyAccessToken: pasted.token, qbo: qboBody() });
    expect(viaToken.status, viaToken.text).toBe(201);
  });

  it('reconnects a store after the app was uninstalled: a reinstall, then PUT /stores/:id/credentials with the grant', async () => {
    const shop = newShop('reinstall');
    const connected = await postStores({ shopDomain: shop.domain, shopifyAccessToken: shop.token, qbo: qboBody() });
    expect(connected.status, connected.text).toBe(201);
    const { id } = JSON.parse(connected.text) as { id: string };
    shopify.admin.uninstallApp(shop.domain);

    const landed = await callback(await consent(await start(shop.domain)));
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    const grantId = landed.body.grantId as string;
    const [grant] = await database.db.select().from(shopifyGrants).where(eq(shopifyGrants.id, grantId));
    const token = cipher.decrypt(grant!.shopifyAccessTokenEnc);
    const put = (body: unknown) =>
      fetch(`${api}/stores/${id}/credentials`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const both = await put({ shopify: { grantId }, shopifyAccessToken: token });
    expect(both.status).toBe(400);
    expect(await both.text()).toMatch(/shopify.grantId comes alone/);
    const replaced = await put({ shopify: { grantId } });
    const text = await replaced.text();
    expect(replaced.status, text).toBe(200);
    expect(text).not.toContain(token);
    const [creds] = await database.db.select().from(storeCredentials).where(eq(storeCredentials.storeId, id));
    expect(cipher.decrypt(creds!.shopifyAccessTokenEnc)).toBe(token);
    expect(await database.db.select().from(shopifyGrants).where(eq(shopifyGrants.id, grantId))).toEqual([]);
    const spent = await put({ shopify: { grantId } });
    expect(spent.status).toBe(400);
    expect(await spent.text()).toMatch(/names no pending Shopify grant/);
  });

  it('refuses a callback whose HMAC does not match, is missing or is stale, before it spends the state', async () => {
    const shop = newShop('hmac');
    const back = await consent(await start(shop.domain));
    const state = back.searchParams.get('state')!;

    const changed = new URL(back);
    changed.searchParams.set('code', `${changed.searchParams.get('code')}0`);
    const noHmac = new URL(back);
    noHmac.searchParams.delete('hmac');
    const params = Object.fromEntries([...back.searchParams.entries()].filter(([k]) => k !== 'hmac'));
    const stale = signed({ ...params, timestamp: String(Math.floor(Date.now() / 1000) - 600) });
    const otherSecret = signed(params, 'another-apps-secret');
    const { timestamp: _dropped, ...untimed } = params;
    const noTimestamp = new URL(redirectUri);
    for (const [k, v] of Object.entries(untimed)) noTimestamp.searchParams.set(k, v);
    noTimestamp.searchParams.set('hmac', oauthHmac(APP.clientSecret, untimed));
    for (const [url, message] of [
      [changed, /does not match/],
      [noHmac, /hmac is missing/],
      [stale, /tolerance/],
      [otherSecret, /does not match/],
      [noTimestamp, /timestamp is missing/],
    ] as const) {
      const res = await callback(url);
      expect(res.status, String(url)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'hmac_invalid' });
      expect(res.body.error!.message).toMatch(message);
    }
    // None of them used the state up: the genuine callback still lands.
    const [row] = await database.db
      .select()
      .from(oauthStates)
      .where(eq(oauthStates.nonce, nonceOf(state)));
    expect(row!.usedAt).toBeNull();
    expect((await callback(back)).status).toBe(200);
  });

  it('refuses a tampered, expired, unknown, QuickBooks-issued or other-shop state with 400 and says which', async () => {
    const shop = newShop('state');
    const other = newShop('state-other');
    const authorize = await start(shop.domain);
    const state = authorize.searchParams.get('state')!;
    const [v, payload, sig] = state.split('.') as [string, string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { n: string; s: string; e: number; p: string };
    expect(decoded.p).toBe('shopify');
    const base = { code: 'whatever', shop: shop.domain };

    const swapped = Buffer.from(JSON.stringify({ ...decoded, s: other.domain })).toString('base64url');
    const cases: Array<[string, string, RegExp]> = [
      [`${v}.${swapped}.${sig}`, 'state_tampered', /signature does not match/],
      [
        signState(randomBytes(32), { nonce: decoded.n, shopDomain: shop.domain, expiresAt: new Date(decoded.e), provider: 'shopify' }),
        'state_tampered',
        /signature/,
      ],
      [
        signState(stateKey, { nonce: decoded.n, shopDomain: shop.domain, expiresAt: new Date(decoded.e) }),
        'state_tampered',
        /another connect flow/,
      ],
      [
        signState(stateKey, { nonce: decoded.n, shopDomain: shop.domain, expiresAt: new Date(Date.now() - 1000), provider: 'shopify' }),
        'state_expired',
        /expired at/,
      ],
      [
        signState(stateKey, {
          nonce: 'never-issued',
          shopDomain: shop.domain,
          expiresAt: new Date(Date.now() + 60_000),
          provider: 'shopify',
        }),
        'state_unknown',
        /not one this server issued/,
      ],
      ['v1..', 'state_malformed', /malformed/],
    ];
    for (const [bad, code, message] of cases) {
      const res = await callback(signed({ ...base, state: bad }));
      expect(res.status, code).toBe(400);
      expect(res.body.error).toMatchObject({ code });
      expect(res.body.error!.message).toMatch(message);
    }
    const noState = await callback(signed(base));
    expect(noState.status).toBe(400);
    expect(noState.body.error!.message).toMatch(/state is missing/);

    // A Shopify state at the QuickBooks callback is refused too (that flow is not configured here: 503 first).
    expect((await fetch(`${api}/connect/qbo/callback?state=${encodeURIComponent(state)}&code=x&realmId=1`)).status).toBe(503);

    // The merchant installs on another shop than the connect was started for (the shop is in the signed query).
    const elsewhere = new URL(authorize);
    elsewhere.searchParams.set('shop', other.domain);
    const landedElsewhere = await callback(await consent(elsewhere));
    expect(landedElsewhere.status).toBe(400);
    expect(landedElsewhere.body.error).toMatchObject({ code: 'shop_mismatch' });
    expect(landedElsewhere.body.error!.message).toContain(`started for ${shop.domain}`);
    // That spent the state: a second try with it is a replay.
    const retry = await callback(signed({ ...base, state }));
    expect(retry.body.error).toMatchObject({ code: 'state_replayed' });
  });

  it('refuses a merchant who cancels, an app granted too few scopes, and a code used twice', async () => {
    const shop = newShop('refuse');

    const cancelled = await consent(await start(shop.domain), 'cancel');
    expect(cancelled.searchParams.get('error')).toBe('access_denied');
    const denied = await callback(cancelled);
    expect(denied.status).toBe(400);
    expect(denied.body.error).toMatchObject({ code: 'shopify_access_denied' });

    // The app is configured (at Shopify) with fewer scopes than Ledgerline needs: Shopify grants those only.
    shopify.admin.registerApp({ ...APP, redirectUris: [redirectUri], scopes: ['read_orders', 'read_products', 'read_inventory'] });
    try {
      const narrow = await callback(await consent(await start(shop.domain)));
      expect(narrow.status).toBe(400);
      expect(narrow.body.error).toMatchObject({ code: 'shopify_scopes_missing' });
      expect(narrow.body.error!.message).toContain(
        'read_all_orders, read_customers, write_inventory, read_locations, read_shopify_payments_payouts',
      );
      expect((narrow.body.error as unknown as { details: { missing: string[] } }).details.missing).not.toContain('read_inventory');
    } finally {
      shopify.admin.registerApp({ ...APP, redirectUris: [redirectUri] });
    }
    expect(await database.db.select().from(shopifyGrants).where(eq(shopifyGrants.shopDomain, shop.domain))).toEqual([]);

    // A code used once, sent again with a fresh, valid state: Shopify (the emulator) refuses it, the API says so.
    const first = await consent(await start(shop.domain));
    expect((await callback(first)).status).toBe(200);
    const second = await start(shop.domain);
    const reuse = await callback(
      signed({ code: first.searchParams.get('code')!, shop: shop.domain, state: second.searchParams.get('state')! }),
    );
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toMatchObject({ code: 'shopify_authorization_refused' });
    expect(reuse.body.error!.message).toMatch(/invalid_request/);
  });

  it('validates the start parameters and shopify in POST /stores', async () => {
    const shop = newShop('grant');
    const other = newShop('grant-other');
    const landed = await callback(await consent(await start(shop.domain)));
    const grantId = landed.body.grantId as string;

    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ shopify: { grantId: 'shpg_nope' } }, /names no pending Shopify grant/],
      [{ shopify: { grantId, extra: 1 } }, /must NOT have additional properties/],
      [{ shopify: {} }, /must have required property 'grantId'/],
      [{ shopify: { grantId: 42 } }, /grantId/],
      [{}, /shopifyAccessToken is required \(or send shopify.grantId/],
    ];
    for (const [part, message] of cases) {
      const res = await postStores({ shopDomain: shop.domain, ...part, qbo: qboBody() });
      expect(res.status, res.text).toBe(400);
      expect(res.text).toMatch(message);
    }
    const elsewhere = await postStores({ shopDomain: other.domain, shopify: { grantId }, qbo: qboBody() });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.text).toMatch(/issued for another shop/);

    for (const query of [
      '',
      'shop=',
      'shop=evil.com',
      `shop=${encodeURIComponent('https://x.myshopify.com.evil.com')}`,
      `shopDomain=${shop.domain}`,
    ]) {
      const res = await fetch(`${api}/connect/shopify/start?${query}`, { headers: auth, redirect: 'manual' });
      expect(res.status, query).toBe(400);
    }
    const anonymous = await fetch(`${api}/connect/shopify/start?shop=${shop.domain}`, { redirect: 'manual' });
    expect(anonymous.status).toBe(401);
  });

  it('answers 503 oauth_not_configured on both routes when no Shopify app is configured', async () => {
    const bare = await buildApp(
      {
        database,
        temporal: async () => env.client,
        apiToken: API_TOKEN,
        log: pino({ level: 'silent' }),
        cipher,
        taskQueue: uniqueTaskQueue('shopify-oauth-bare'),
        integrations: { shopifyApiBaseUrl: shopify.url, qboEndpoint: qbo.v3Endpoint, qboTokenUrl: qbo.tokenUrl },
        oauthStateKey: stateKey,
        ...processPacing(database.db),
      },
      { logger: false },
    );
    try {
      for (const url of ['/connect/shopify/start?shop=a.myshopify.com', '/connect/shopify/callback?state=x&hmac=y&shop=a.myshopify.com']) {
        const res = await bare.inject({ method: 'GET', url, headers: auth });
        expect(res.statusCode, url).toBe(503);
        expect(res.json()).toMatchObject({ error: { code: 'oauth_not_configured' } });
        expect(res.body).toMatch(/SHOPIFY_CLIENT_ID/);
      }
    } finally {
      await bare.close();
    }
  });
});

function nonceOf(state: string): string {
  return (JSON.parse(Buffer.from(state.split('.')[1]!, 'base64url').toString()) as { n: string }).n;
}
