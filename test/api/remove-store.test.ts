/**
 * Removing a store (DELETE /stores/:id, services/stores/remove.ts) over real HTTP: the API on a port, the QBO
 * emulator's consent, token and revoke endpoints, PostgreSQL and the Temporal dev server. A removed store's tokens
 * are revoked at Intuit and its credentials deleted, its workflows and schedules stopped, its ledger kept; nothing
 * may act on it; connecting the shop again to the same QBO company brings it back on the same ledger.
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
import { ledgerEntries, storeCredentials, stores } from '../../db/schema';
import { startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { startShopifyEmulator, type ShopifyEmulator } from '../../emulators/shopify';
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
    taskQueue: uniqueTaskQueue('remove-store'),
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

/** A store connected through the OAuth flow (start → consent → callback → POST /stores with the grant). */
async function connect(shop: { domain: string; token: string }, realmId: string) {
  const landed = await callback(await consent(await start(shop.domain), realmId));
  expect(landed.status, JSON.stringify(landed.body)).toBe(200);
  return postStores({ shopDomain: shop.domain, shopifyAccessToken: shop.token, qbo: { grantId: landed.body.grantId as string } });
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
    const connected = await connect(shop, realmId);
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
    // Removing it again changes nothing.
    const again = await call('DELETE', `/stores/${id}`);
    expect([again.status, again.body.state]).toEqual([200, 'removed']);

    // Another QBO company would not know what the ledger says was booked: refused.
    const elsewhere = await connect(shop, newCompany('elsewhere'));
    expect(elsewhere.status, elsewhere.text).toBe(409);
    expect(elsewhere.text).toMatch(/removed while connected to QBO company .*connected again to that company only/);

    // The same company: the store comes back on its row and ledger, active, with a new workflow.
    const back = await connect(shop, realmId);
    expect(back.status, back.text).toBe(201);
    expect(JSON.parse(back.text)).toMatchObject({ id, state: 'active' });
    expect(await statusOf(storeWf)).toBe('RUNNING');
    const [row] = await database.db.select().from(stores).where(eq(stores.id, id));
    expect([row!.state, row!.connectionError, row!.cursorUpdatedAt]).toEqual(['active', null, null]);
    expect((await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, id))).map((r) => r.status)).toEqual(['synced']);
    expect(await database.db.select().from(storeCredentials).where(eq(storeCredentials.storeId, id))).toHaveLength(1);
  });

  it('answers an unknown store 404 and a request without the bearer token 401', async () => {
    expect((await call('DELETE', '/stores/no-such-store')).status).toBe(404);
    const res = await fetch(`${api}/stores/no-such-store`, { method: 'DELETE' });
    expect(res.status).toBe(401);
  });
});
