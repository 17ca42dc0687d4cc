/**
 * "Connect to QuickBooks" (docs/oauth.md) end to end over real HTTP: the API listening on a port, the QBO emulator's
 * consent page and token and revoke endpoints, PostgreSQL, and the Temporal dev server (POST /stores starts the
 * store's workflow). The test acts as the merchant's browser: it follows the redirect to the consent page, submits
 * its form with fetch, and lands on the callback. Also removing a store (DELETE /stores/:id, services/stores/remove.ts):
 * its tokens revoked at Intuit and credentials deleted, its workflows and schedules stopped, its ledger kept, nothing
 * may act on it, and connecting the shop again to the same QBO company brings it back on the same ledger.
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
import { ledgerEntries, oauthStates, qboGrants, storeCredentials, stores } from '../../db/schema';
import { disconnectStore, resumeStore as resumeStoreRow } from '../../db/queries/stores';
import { startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { startShopifyEmulator, type ShopifyEmulator } from '../../emulators/shopify';
import { signState } from '../../services/oauth/state';
import { processPacing } from '../support/app';
import { postgresDatabase } from '../support/db';
import { devServerEnv, uniqueTaskQueue } from '../support/temporal';

const API_TOKEN = `test-${randomBytes(12).toString('hex')}`;
const auth = { authorization: `Bearer ${API_TOKEN}` };
const cipher = createCipher(`test:${randomBytes(32).toString('base64')}`);
const stateKey = randomBytes(32);

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
  redirectUri = `${api}/connect/qbo/callback`;
  [env, database, shopify, qbo] = await Promise.all([
    devServerEnv(),
    postgresDatabase(),
    startShopifyEmulator({ shops: [] }),
    startQboEmulator({ limits: false, redirectUris: [redirectUri] }),
  ]);
  app = await buildApp({
    database,
    temporal: async () => env.client,
    apiToken: API_TOKEN,
    log: pino({ level: 'silent' }),
    cipher,
    taskQueue: uniqueTaskQueue('qbo-oauth'),
    integrations: { shopifyApiBaseUrl: shopify.url, qboEndpoint: qbo.v3Endpoint, qboTokenUrl: qbo.tokenUrl },
    qboOAuth: {
      clientId: qbo.clientId,
      clientSecret: qbo.clientSecret,
      redirectUri,
      authorizeUrl: qbo.authorizeUrl,
      revokeUrl: qbo.revokeUrl,
    },
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

function newCompany(name: string): string {
  return qbo.admin.createCompany({ country: 'US', companyName: `Books of ${name}` }).realmId;
}

/** GET /connect/qbo/start as the operator: the 302 to Intuit's (the emulator's) consent page. */
async function start(shopDomain: string): Promise<URL> {
  const res = await fetch(`${api}/connect/qbo/start?shopDomain=${encodeURIComponent(shopDomain)}`, { headers: auth, redirect: 'manual' });
  expect(res.status, await res.clone().text()).toBe(302);
  return new URL(res.headers.get('location')!);
}

/** The merchant on the consent page: reads its form, picks the company and presses Connect (or Cancel); the 302 back. */
async function consent(authorize: URL, realmId: string, decision: 'connect' | 'cancel' = 'connect'): Promise<URL> {
  const pageRes = await fetch(authorize);
  expect(pageRes.status).toBe(200);
  const html = await pageRes.text();
  expect(html).toContain('<button type="submit" name="decision" value="connect">Connect</button>');
  expect(html).toContain(`value="${realmId}"`);
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(
      m[1]!,
      m[2]!
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>'),
    );
  }
  form.set('realmId', realmId);
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

async function callback(url: URL | string) {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

async function postToken(form: Record<string, string>, client = { id: qbo.clientId, secret: qbo.clientSecret }) {
  const res = await fetch(qbo.tokenUrl, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function postStores(body: unknown) {
  const res = await fetch(`${api}/stores`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

describe('Connect to QuickBooks (OAuth 2.0 authorization code)', () => {
  it('runs the whole flow: start → consent → callback → POST /stores with the grant, disconnect, reconnect with PUT …/credentials; the tokens are stored encrypted, never shown', async () => {
    const shop = newShop('flow');
    const realmId = newCompany('flow');

    const authorize = await start(shop.domain);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(qbo.authorizeUrl);
    expect(authorize.searchParams.get('client_id')).toBe(qbo.clientId);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('scope')).toBe('com.intuit.quickbooks.accounting');
    expect(authorize.searchParams.get('redirect_uri')).toBe(redirectUri);
    const state = authorize.searchParams.get('state')!;
    expect(state).toMatch(/^v1\.[\w-]+\.[\w-]+$/);

    const back = await consent(authorize, realmId);
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe(state);
    expect(back.searchParams.get('realmId')).toBe(realmId);
    const code = back.searchParams.get('code')!;
    expect(code).toBeTruthy();

    const landed = await callback(back);
    expect(landed.status, JSON.stringify(landed.body)).toBe(200);
    expect(landed.body).toMatchObject({ shopDomain: shop.domain, realmId });
    const grantId = landed.body.grantId as string;
    expect(grantId).toMatch(/^qbog_/);
    const [grant] = await database.db.select().from(qboGrants).where(eq(qboGrants.id, grantId));
    expect(grant).toMatchObject({ shopDomain: shop.domain, realmId, qboClientId: qbo.clientId });
    const refreshToken = cipher.decrypt(grant!.qboRefreshTokenEnc);
    const accessToken = cipher.decrypt(grant!.qboAccessTokenEnc);
    expect(grant!.qboRefreshTokenEnc).not.toContain(refreshToken);
    expect(JSON.stringify(landed.body)).not.toContain(refreshToken);
    expect(JSON.stringify(landed.body)).not.toContain(accessToken);

    // The same callback again (the browser's back button, or an attacker who saw the URL): the state is spent.
    const replay = await callback(back);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toMatchObject({ code: 'state_replayed' });
    expect(replay.body.error!.message).toMatch(/already used/);

    const connected = await postStores({ shopDomain: shop.domain, shopifyAccessToken: shop.token, qbo: { grantId } });
    expect(connected.status, connected.text).toBe(201);
    expect(connected.text).not.toContain(refreshToken);
    expect(connected.text).not.toContain(accessToken);
    const view = JSON.parse(connected.text) as { id: string; state: string; qbo: { realmId: string; companyName: string } };
    expect(view.state).toBe('active');
    expect(view.qbo).toMatchObject({ realmId, companyName: 'Books of flow' });
    const [creds] = await database.db.select().from(storeCredentials).where(eq(storeCredentials.storeId, view.id));
    expect(creds!.qboClientId).toBe(qbo.clientId);
    expect(cipher.decrypt(creds!.qboRefreshTokenEnc)).toBe(refreshToken);
    expect(await database.db.select().from(qboGrants).where(eq(qboGrants.id, grantId))).toEqual([]);

    // The grant went with the connect: naming it again is refused.
    const again = await postStores({ shopDomain: shop.domain, shopifyAccessToken: shop.token, qbo: { grantId } });
    expect(again.status).toBe(400);
    expect(again.text).toMatch(/names no pending QBO grant/);

    // Disconnect: the tokens are revoked at Intuit (the emulator then refuses the refresh token) and the store is disconnected.
    const disc = await fetch(`${api}/stores/${view.id}/qbo/disconnect`, { method: 'POST', headers: auth });
    const discBody = (await disc.json()) as { state: string };
    expect(disc.status, JSON.stringify(discBody)).toBe(200);
    expect(discBody.state).toBe('disconnected');
    const [row] = await database.db.select().from(stores).where(eq(stores.id, view.id));
    expect(row!.state).toBe('disconnected');
    expect(row!.connectionError).toMatch(/revoked at Intuit/);
    const refused = await postToken({ grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(refused).toEqual({ status: 400, body: { error: 'invalid_grant' } });

    // Reconnect through the same flow: the new grant replaces the store's credentials, and the store is active again.
    const relanded = await callback(await consent(await start(shop.domain), realmId));
    expect(relanded.status, JSON.stringify(relanded.body)).toBe(200);
    const regrant = relanded.body.grantId as string;
    const [fresh] = await database.db.select().from(qboGrants).where(eq(qboGrants.id, regrant));
    const newRefresh = cipher.decrypt(fresh!.qboRefreshTokenEnc);
    const put = (qboBody: unknown) =>
      fetch(`${api}/stores/${view.id}/credentials`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ qbo: qboBody }),
      });
    const mixed = await put({ grantId: regrant, refreshToken: 'x'.repeat(40) });
    expect(mixed.status).toBe(400);
    expect(await mixed.text()).toMatch(/grantId comes alone/);
    const reconnected = await put({ grantId: regrant });
    const reconnectedText = await reconnected.text();
    expect(reconnected.status, reconnectedText).toBe(200);
    expect(reconnectedText).not.toContain(newRefresh);
    const [again2] = await database.db.select().from(stores).where(eq(stores.id, view.id));
    expect(again2!.state).toBe('active');
    const [creds2] = await database.db.select().from(storeCredentials).where(eq(storeCredentials.storeId, view.id));
    expect(cipher.decrypt(creds2!.qboRefreshTokenEnc)).not.toBe(refreshToken);
    expect(await database.db.select().from(qboGrants).where(eq(qboGrants.id, regrant))).toEqual([]);
    const spent = await put({ grantId: regrant });
    expect(spent.status).toBe(400);
    expect(await spent.text()).toMatch(/names no pending QBO grant/);
  });

  it('refuses a tampered, a forged, an expired and an unknown state with 400 and says which', async () => {
    const shop = newShop('tamper');
    const authorize = await start(shop.domain);
    const state = authorize.searchParams.get('state')!;
    const [v, payload, sig] = state.split('.') as [string, string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { n: string; s: string; e: number };
    const base = `${redirectUri}?code=whatever&realmId=123`;

    // Another shop swapped into the payload, the signature kept.
    const swapped = Buffer.from(JSON.stringify({ ...decoded, s: 'victim.myshopify.com' })).toString('base64url');
    for (const bad of [
      `${v}.${swapped}.${sig}`,
      `${v}.${payload}.${sig.slice(0, -2)}AA`,
      `${v}.${payload}.${Buffer.alloc(32).toString('base64url')}`,
    ]) {
      const res = await callback(`${base}&state=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'state_tampered' });
      expect(res.body.error!.message).toMatch(/signature does not match/);
    }
    // Signed with another key: the same refusal.
    const forged = signState(randomBytes(32), { nonce: decoded.n, shopDomain: decoded.s, expiresAt: new Date(decoded.e) });
    expect((await callback(`${base}&state=${encodeURIComponent(forged)}`)).body.error).toMatchObject({ code: 'state_tampered' });
    for (const junk of ['', 'abc', 'v1..', 'v2.a.b', 'v1.%%%.x']) {
      const res = await callback(`${base}&state=${encodeURIComponent(junk)}`);
      expect(res.status, junk).toBe(400);
    }
    // Ten minutes later: expired (signed with the server's key, so only the expiry is wrong).
    const expiredAt = new Date(Date.now() - 1000);
    const expired = signState(stateKey, { nonce: decoded.n, shopDomain: decoded.s, expiresAt: expiredAt });
    const late = await callback(`${base}&state=${encodeURIComponent(expired)}`);
    expect(late.status).toBe(400);
    expect(late.body.error).toMatchObject({ code: 'state_expired' });
    expect(late.body.error!.message).toContain(expiredAt.toISOString());
    // Well signed, but never issued (no nonce row).
    const unknown = signState(stateKey, { nonce: 'never-issued', shopDomain: decoded.s, expiresAt: new Date(Date.now() + 60_000) });
    expect((await callback(`${base}&state=${encodeURIComponent(unknown)}`)).body.error).toMatchObject({ code: 'state_unknown' });
    // None of these used up the genuine state: its nonce is still unused.
    const [row] = await database.db.select().from(oauthStates).where(eq(oauthStates.nonce, decoded.n));
    expect(row!.usedAt).toBeNull();
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(10 * 60_000);
  });

  it('refuses an authorization code used twice, a code sent to another redirect_uri, and a merchant who cancels', async () => {
    const shop = newShop('twice');
    const realmId = newCompany('twice');
    const first = await consent(await start(shop.domain), realmId);
    expect((await callback(first)).status).toBe(200);

    // The same code with a fresh, valid state: Intuit (the emulator) refuses the used code, the API says so (400, not 5xx).
    const second = await start(shop.domain);
    const reuse = new URL(redirectUri);
    reuse.searchParams.set('code', first.searchParams.get('code')!);
    reuse.searchParams.set('realmId', realmId);
    reuse.searchParams.set('state', second.searchParams.get('state')!);
    const refused = await callback(reuse);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'qbo_authorization_refused' });
    expect(refused.body.error!.message).toMatch(/invalid_grant/);

    // At the token endpoint itself: a consent code needs its own redirect_uri and is gone after one try.
    const third = await consent(await start(shop.domain), realmId);
    const code = third.searchParams.get('code')!;
    expect(await postToken({ grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:1/elsewhere' })).toEqual({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    expect((await postToken({ grant_type: 'authorization_code', code, redirect_uri: redirectUri })).status).toBe(400);

    // Cancel on the consent page: Intuit sends error=access_denied with the state.
    const cancelled = await consent(await start(shop.domain), realmId, 'cancel');
    expect(cancelled.searchParams.get('error')).toBe('access_denied');
    const denied = await callback(cancelled);
    expect(denied.status).toBe(400);
    expect(denied.body.error).toMatchObject({ code: 'qbo_access_denied' });
  });

  it('validates qbo.grantId in POST /stores and the start parameters', async () => {
    const shop = newShop('grant');
    const other = newShop('grant-other');
    const realmId = newCompany('grant');
    const landed = await callback(await consent(await start(shop.domain), realmId));
    const grantId = landed.body.grantId as string;

    const cases: Array<[unknown, RegExp]> = [
      [{ grantId: 'qbog_nope' }, /names no pending QBO grant/],
      [{ grantId, refreshToken: 'x' }, /qbo.grantId comes alone/],
      [{ realmId: '1', clientId: 'c', clientSecret: 's' }, /body\/qbo must have required property 'refreshToken'/],
      [{ grantId: 42 }, /grantId/],
    ];
    for (const [qboBody, message] of cases) {
      const res = await postStores({ shopDomain: shop.domain, shopifyAccessToken: shop.token, qbo: qboBody });
      expect(res.status, res.text).toBe(400);
      expect(res.text).toMatch(message);
    }
    const elsewhere = await postStores({ shopDomain: other.domain, shopifyAccessToken: other.token, qbo: { grantId } });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.text).toMatch(/issued for another shop/);

    const noShop = await fetch(`${api}/connect/qbo/start`, { headers: auth, redirect: 'manual' });
    expect(noShop.status).toBe(400);
    const badShop = await fetch(`${api}/connect/qbo/start?shopDomain=${encodeURIComponent('not a shop')}`, {
      headers: auth,
      redirect: 'manual',
    });
    expect(badShop.status).toBe(400);
    const anonymous = await fetch(`${api}/connect/qbo/start?shopDomain=${encodeURIComponent(shop.domain)}`, { redirect: 'manual' });
    expect(anonymous.status).toBe(401);
    const noState = await callback(`${redirectUri}?code=x&realmId=1`);
    expect(noState.status).toBe(400);
    expect(noState.body.error!.message).toMatch(/state is missing/);
    const disconnectUnknown = await fetch(`${api}/stores/nope-${seq}/qbo/disconnect`, { method: 'POST', headers: auth });
    expect(disconnectUnknown.status).toBe(404);
  });
});

/** A store connected through the OAuth flow (start → consent → callback → POST /stores with the grant). */
async function connect(shop: { domain: string; token: string }, realmId: string, extra: Record<string, unknown> = {}) {
  const landed = await callback(await consent(await start(shop.domain), realmId));
  expect(landed.status, JSON.stringify(landed.body)).toBe(200);
  return postStores({ shopDomain: shop.domain, shopifyAccessToken: shop.token, qbo: { grantId: landed.body.grantId as string }, ...extra });
}

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const statusOf = async (workflowId: string) => (await env.client.workflow.getHandle(workflowId).describe()).status.name;

describe('DELETE /stores/:id', () => {
  it('revokes the tokens, deletes the credentials, stops every workflow and schedule, keeps the ledger; the same company brings it back', async () => {
    const shop = newShop('remove');
    const realmId = newCompany('remove');
    const connected = await connect(shop, realmId, { startDate: '2026-11-01' });
    expect(connected.status, connected.text).toBe(201);
    const id = (JSON.parse(connected.text) as { id: string }).id;
    const [creds] = await database.db.select().from(storeCredentials).where(eq(storeCredentials.storeId, id));
    const refreshToken = cipher.decrypt(creds!.qboRefreshTokenEnc);
    // What Ledgerline booked (a ledger row), and a payout saga of the store still running (no worker polls this queue).
    await database.db.insert(ledgerEntries).values({
      storeId: id,
      sourceKey: 'order:gid://shopify/Order/1',
      role: 'sale',
      sourceType: 'order',
      status: 'synced',
      qboType: 'SalesReceipt',
      qboId: '42',
    });
    const storeWf = `store:${shop.domain}`;
    const sagaWf = `store:${shop.domain}:payout:gid://shopify/ShopifyPaymentsPayout/7`;
    await env.client.workflow.start('payoutWorkflow', { workflowId: sagaWf, taskQueue: uniqueTaskQueue('remove-saga'), args: [{}] });
    expect(await statusOf(storeWf)).toBe('RUNNING');
    expect(await statusOf(sagaWf)).toBe('RUNNING');
    const auditSchedule = env.client.schedule.getHandle(`audit:${id}`);
    await expect(auditSchedule.describe()).resolves.toBeTruthy();

    const removed = await call('DELETE', `/stores/${id}`);
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body).toMatchObject({ id, state: 'removed', connection: { ok: false } });
    expect(removed.body.connection.error).toMatch(/Removed by an operator .*QBO tokens revoked at Intuit.*ledger is kept/);
    expect(JSON.stringify(removed.body)).not.toContain(refreshToken);
    // Revoked at Intuit: the emulator refuses the refresh token now.
    expect(await postToken({ grant_type: 'refresh_token', refresh_token: refreshToken })).toEqual({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    expect(await database.db.select().from(storeCredentials).where(eq(storeCredentials.storeId, id))).toEqual([]);
    expect(await statusOf(storeWf)).toBe('TERMINATED');
    expect(await statusOf(sagaWf)).toBe('TERMINATED');
    await expect(auditSchedule.describe()).rejects.toThrow(/not found/i);
    const kept = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, id));
    expect(kept.map((r) => [r.sourceKey, r.status, r.qboId])).toEqual([['order:gid://shopify/Order/1', 'synced', '42']]);

    // It can be read, not acted on.
    expect((await call('GET', `/stores/${id}`)).body).toMatchObject({ state: 'removed', workflow: { ok: false } });
    const listed = (await call('GET', '/stores')).body.stores as Array<{ id: string; state: string }>;
    expect(listed.find((s) => s.id === id)?.state).toBe('removed');
    for (const [method, path, body] of [
      ['POST', `/stores/${id}/sync`, undefined],
      ['POST', `/stores/${id}/resume`, undefined],
      ['PUT', `/stores/${id}/settings`, { syncIntervalMinutes: 30 }],
      ['POST', `/stores/${id}/qbo/disconnect`, undefined],
    ] as const) {
      const refused = await call(method, path, body);
      expect([path, refused.status, refused.body.error?.code]).toEqual([path, 409, 'store_removed']);
    }
    // An activity or request that read the store before its removal cannot bring it back as disconnected or active.
    await disconnectStore(database.db, { storeId: id, reason: 'QBO refused the revoked refresh token', at: new Date() });
    await resumeStoreRow(database.db, { storeId: id, at: new Date() });
    expect((await database.db.select().from(stores).where(eq(stores.id, id)))[0]!.state).toBe('removed');
    // Removing it again changes nothing.
    const again = await call('DELETE', `/stores/${id}`);
    expect([again.status, again.body.state]).toEqual([200, 'removed']);

    // Another QBO company would not know what the ledger says was booked: refused.
    const elsewhere = await connect(shop, newCompany('elsewhere'));
    expect(elsewhere.status, elsewhere.text).toBe(409);
    expect(elsewhere.text).toMatch(/removed while connected to QBO company .*connected again to that company only/);

    // Not from earlier than it started: orders before its start date were left out on purpose.
    const earlier = await connect(shop, realmId, { startDate: '2026-10-01' });
    expect(earlier.status, earlier.text).toBe(409);
    expect(earlier.text).toMatch(/removed with start date 2026-11-01; .* may not start earlier/);

    // The same company: the store comes back on its row and ledger, active, with a new workflow, from its start date.
    const back = await connect(shop, realmId);
    expect(back.status, back.text).toBe(201);
    expect(JSON.parse(back.text)).toMatchObject({ id, state: 'active' });
    expect(await statusOf(storeWf)).toBe('RUNNING');
    const [row] = await database.db.select().from(stores).where(eq(stores.id, id));
    expect([row!.state, row!.connectionError, row!.cursorUpdatedAt, row!.settings.startDate]).toEqual(['active', null, null, '2026-11-01']);
    expect((await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, id))).map((r) => r.status)).toEqual(['synced']);
    expect(await database.db.select().from(storeCredentials).where(eq(storeCredentials.storeId, id))).toHaveLength(1);
  });

  it('answers an unknown store 404 and a request without the bearer token 401', async () => {
    expect((await call('DELETE', '/stores/no-such-store')).status).toBe(404);
    const res = await fetch(`${api}/stores/no-such-store`, { method: 'DELETE' });
    expect(res.status).toBe(401);
  });
});
