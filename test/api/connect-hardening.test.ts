/**
 * Connect hardening (issue #13 item 13, and per-shop webhook secrets) through Fastify's inject against real
 * components: the Temporal CLI dev server, PostgreSQL, and the Shopify and QBO emulators through the real
 * clients. No worker runs the store workflows: they are started and signalled as in production, but no sync
 * reads QBO meanwhile, so a fault injected into QBO reaches the request under test and nothing else. The QBO emulator rotates refresh tokens as Intuit may: a refresh issues a new
 * refresh token and invalidates the one sent (emulators/qbo/api/tokens.ts).
 *
 * - A connect or credential replacement that refreshed the QBO tokens and then failed keeps the rotated tokens
 *   (encrypted, in `pending_connects`); its retry with the same, now dead, refresh token succeeds with them.
 * - A shop connected with its own API secret has its webhooks verified with that secret alone; shops without
 *   one keep the configured app secret.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../api/app';
import { createCipher } from '../../config/secrets';
import type { Database } from '../../db/client';
import { pendingConnects, storeCredentials } from '../../db/schema';
import { QboConnectionRevokedError } from '../../domain/errors';
import { defaultCompany, startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { generateShop } from '../../emulators/scenario/generate';
import { startShopifyEmulator, webhookHmac, type ShopifyEmulator } from '../../emulators/shopify';
import { requestRefresh } from '../../integrations/qbo/oauth';
import { processPacing } from '../support/app';
import { postgresDatabase } from '../support/db';
import { devServerEnv, uniqueTaskQueue } from '../support/temporal';

const API_TOKEN = `test-${randomBytes(12).toString('hex')}`;
const auth = { authorization: `Bearer ${API_TOKEN}` };
const cipher = createCipher(`test:${randomBytes(32).toString('base64')}`);
const taskQueue = uniqueTaskQueue('connect-hardening');
const APP_WEBHOOK_SECRET = `shpss_${randomBytes(16).toString('hex')}`;

let env: TestWorkflowEnvironment;
let database: Database;
let shopify: ShopifyEmulator;
let qbo: QboEmulatorHandle;
let app: FastifyInstance;
/** Every line the API logged, to prove no secret reaches the logs. */
const logLines: string[] = [];
/** Every secret handed to the API or issued by QBO, to prove none is logged or answered. */
const secrets = new Set<string>();

beforeAll(async () => {
  [env, database, shopify, qbo] = await Promise.all([
    devServerEnv(),
    postgresDatabase(),
    startShopifyEmulator({ shops: [{ domain: 'seed.myshopify.com', accessToken: 'shpat_seed' }] }),
    startQboEmulator({ limits: false }),
  ]);
  const integrations = { shopifyApiBaseUrl: shopify.url, qboEndpoint: qbo.v3Endpoint, qboTokenUrl: qbo.tokenUrl };
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  const pacing = processPacing(database.db);
  app = await buildApp({
    database,
    temporal: async () => env.client,
    apiToken: API_TOKEN,
    log,
    cipher,
    taskQueue,
    integrations,
    shopifyWebhookSecret: APP_WEBHOOK_SECRET,
    ...pacing,
  });
}, 180_000);

afterAll(async () => {
  await app?.close();
  await env?.teardown();
  await database?.close();
  await shopify?.close();
  await qbo?.close();
});

let seq = 0;
interface Shop {
  domain: string;
  handle: string;
  token: string;
}
interface Company {
  realmId: string;
  accessToken: string;
  refreshToken: string;
}

function newShop(name: string): Shop {
  const handle = `${name}-${process.pid}-${++seq}`;
  const domain = `${handle}.myshopify.com`;
  const token = `shpat_${randomBytes(12).toString('hex')}`;
  shopify.admin.createShop({ domain, accessToken: token, name: `Shop ${name}`, currencyCode: 'USD', ianaTimezone: 'America/New_York' });
  secrets.add(token);
  return { domain, handle, token };
}

function remember<T extends { accessToken: string; refreshToken: string }>(issued: T): T {
  secrets.add(issued.accessToken);
  secrets.add(issued.refreshToken);
  return issued;
}

const newCompany = (input: Parameters<QboEmulatorHandle['admin']['createCompany']>[0] = { country: 'US' }): Company =>
  remember(qbo.admin.createCompany(input));

/** A US company without automated sales tax, several tax codes and no default: connect needs a usTaxCodeId. */
function legacyTaxCompany(): Company {
  const realmId = `91303599${String(process.pid).padStart(6, '0').slice(-6)}${String(++seq).padStart(2, '0')}`;
  return newCompany(defaultCompany({ realmId, country: 'US', automatedSalesTax: false }));
}

const expired = () => new Date(Date.now() - 60_000).toISOString();

function connectBody(shop: Shop, company: Company, extra: Record<string, unknown> = {}) {
  secrets.add(qbo.clientSecret);
  return {
    shopDomain: shop.domain,
    shopifyAccessToken: shop.token,
    qbo: {
      realmId: company.realmId,
      clientId: qbo.clientId,
      clientSecret: qbo.clientSecret,
      accessToken: company.accessToken,
      refreshToken: company.refreshToken,
      accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
    ...extra,
  };
}

async function call(method: InjectOptions['method'], url: string, payload?: unknown) {
  const res = await app.inject({
    method,
    url,
    headers: auth,
    ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
  });
  return { status: res.statusCode, body: res.body ? res.json() : undefined, text: res.body };
}

async function pendingRows(shopDomain: string) {
  return database.db.select().from(pendingConnects).where(eq(pendingConnects.shopDomain, shopDomain));
}

async function credentials(storeId: string) {
  const [row] = await database.db.select().from(storeCredentials).where(eq(storeCredentials.storeId, storeId));
  return row!;
}

/** Asks QBO's token endpoint to refresh `refreshToken` (this rotates it when it is alive). */
const refreshWith = (company: Company, refreshToken: string) =>
  requestRefresh({
    tokenUrl: qbo.tokenUrl,
    clientId: qbo.clientId,
    clientSecret: qbo.clientSecret,
    refreshToken,
    realmId: company.realmId,
  });

describe('a connect that fails after refreshing the QBO tokens (issue #13 item 13)', () => {
  it('keeps the rotated tokens encrypted, and its retry with the same refresh token connects with them', async () => {
    const shop = newShop('retry');
    const company = legacyTaxCompany();
    const body = connectBody(shop, company);
    // The access token is expired, so the check refreshes first; then connect fails: no tax code chosen.
    const first = await call('POST', '/stores', { ...body, qbo: { ...body.qbo, accessTokenExpiresAt: expired() } });
    expect(first.status, first.text).toBe(422);
    expect(first.body.error.code).toBe('us_tax_code_needed');
    expect(first.body.error.message).toContain('retry with the same refresh token');

    // The rotated pair is saved, encrypted, before the failure; the token the merchant holds is dead now.
    const [pending, ...more] = await pendingRows(shop.domain);
    expect(more).toEqual([]);
    expect(pending).toMatchObject({ realmId: company.realmId, qboClientId: qbo.clientId });
    expect(pending!.qboRefreshTokenEnc).toMatch(/^v1\./);
    expect(pending!.qboAccessTokenEnc).toMatch(/^v1\./);
    const rotated = { accessToken: cipher.decrypt(pending!.qboAccessTokenEnc), refreshToken: cipher.decrypt(pending!.qboRefreshTokenEnc) };
    remember(rotated);
    expect(rotated.refreshToken).not.toBe(company.refreshToken);
    expect(pending!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const dump = JSON.stringify(await database.db.execute(sql`select row_to_json(p)::text as j from pending_connects p`));
    expect(dump).toContain(pending!.qboRefreshTokenEnc);
    for (const s of [company.refreshToken, company.accessToken, rotated.refreshToken, rotated.accessToken]) expect(dump).not.toContain(s);
    for (const s of secrets) expect(first.text).not.toContain(s);
    await expect(refreshWith(company, company.refreshToken)).rejects.toBeInstanceOf(QboConnectionRevokedError);

    // The retry sends what the merchant has (the dead refresh token, the expired access token) and the fix.
    const retry = await call('POST', '/stores', {
      ...body,
      qbo: { ...body.qbo, accessTokenExpiresAt: expired() },
      settings: { taxCodeMap: { usTaxCodeId: '200' } },
    });
    expect(retry.status, retry.text).toBe(201);
    for (const s of secrets) expect(retry.text).not.toContain(s);
    const stored = await credentials(shop.handle);
    expect(cipher.decrypt(stored.qboRefreshTokenEnc)).toBe(rotated.refreshToken);
    expect(cipher.decrypt(stored.qboAccessTokenEnc!)).toBe(rotated.accessToken);
    expect(stored.refreshedAt?.getTime()).toBe(pending!.refreshedAt.getTime());
    expect(await pendingRows(shop.domain)).toEqual([]);
    // What the store holds is the live grant.
    remember(await refreshWith(company, rotated.refreshToken));
  });

  it('stores the rotated refresh token, not the dead one sent, when the retry sends an access token QBO still takes', async () => {
    const shop = newShop('liveaccess');
    const company = legacyTaxCompany();
    const body = connectBody(shop, company);
    // Told the access token is expired, the first attempt refreshes (QBO keeps the old access token alive).
    expect((await call('POST', '/stores', { ...body, qbo: { ...body.qbo, accessTokenExpiresAt: expired() } })).status).toBe(422);
    const [pending] = await pendingRows(shop.domain);
    const rotated = remember({
      accessToken: cipher.decrypt(pending!.qboAccessTokenEnc),
      refreshToken: cipher.decrypt(pending!.qboRefreshTokenEnc),
    });
    // The retry's access token would pass the check without a refresh; the dead refresh token must not be stored.
    const retry = await call('POST', '/stores', { ...body, settings: { taxCodeMap: { usTaxCodeId: '200' } } });
    expect(retry.status, retry.text).toBe(201);
    expect(cipher.decrypt((await credentials(shop.handle)).qboRefreshTokenEnc)).toBe(rotated.refreshToken);
    expect(await pendingRows(shop.domain)).toEqual([]);
  });

  it('takes a fresh authorization over what an earlier attempt saved, and drops the saved tokens on success', async () => {
    const shop = newShop('reauth');
    const company = legacyTaxCompany();
    const body = connectBody(shop, company);
    const first = await call('POST', '/stores', { ...body, qbo: { ...body.qbo, accessTokenExpiresAt: expired() } });
    expect(first.status, first.text).toBe(422);
    expect(await pendingRows(shop.domain)).toHaveLength(1);

    // The merchant authorizes again instead: the new grant is used and the saved row goes on success.
    const fresh = remember(qbo.admin.issueTokens(company.realmId));
    const again = await call('POST', '/stores', {
      ...connectBody(shop, { ...company, ...fresh }),
      settings: { taxCodeMap: { usTaxCodeId: '200' } },
    });
    expect(again.status, again.text).toBe(201);
    expect(cipher.decrypt((await credentials(shop.handle)).qboRefreshTokenEnc)).toBe(fresh.refreshToken);
    expect(await pendingRows(shop.domain)).toEqual([]);
  });

  it('keeps the tokens a credential replacement rotated when QBO fails after the refresh, and the retry stores them', async () => {
    const shop = newShop('replace');
    const company = newCompany();
    const connected = await call('POST', '/stores', connectBody(shop, company));
    expect(connected.status, connected.text).toBe(201);
    const before = await credentials(shop.handle);

    const fresh = remember(qbo.admin.issueTokens(company.realmId));
    const replacement = { qbo: { accessToken: fresh.accessToken, refreshToken: fresh.refreshToken, accessTokenExpiresAt: expired() } };
    // The refresh answers, CompanyInfo answers, then Preferences fails once.
    qbo.admin.setFaults([{ match: 'Preferences:read', rate5xx: 1, times: 1 }]);
    let failed;
    try {
      failed = await call('PUT', `/stores/${shop.handle}/credentials`, replacement);
    } finally {
      qbo.admin.setFaults([]);
    }
    expect(failed.status, failed.text).toBe(502);
    expect(failed.body.error.code).toBe('qbo_unavailable');
    expect(failed.body.error.message).toContain('retry with the same refresh token');
    expect((await credentials(shop.handle)).version).toBe(before.version);
    const [pending] = await pendingRows(shop.domain);
    const rotated = remember({
      accessToken: cipher.decrypt(pending!.qboAccessTokenEnc),
      refreshToken: cipher.decrypt(pending!.qboRefreshTokenEnc),
    });
    await expect(refreshWith(company, fresh.refreshToken)).rejects.toBeInstanceOf(QboConnectionRevokedError);

    const retried = await call('PUT', `/stores/${shop.handle}/credentials`, replacement);
    expect(retried.status, retried.text).toBe(200);
    const after = await credentials(shop.handle);
    expect(cipher.decrypt(after.qboRefreshTokenEnc)).toBe(rotated.refreshToken);
    expect(cipher.decrypt(after.qboAccessTokenEnc!)).toBe(rotated.accessToken);
    expect(await pendingRows(shop.domain)).toEqual([]);
  });
});

function signedDelivery(shopDomain: string, secret: string) {
  const payload = JSON.stringify({
    id: 820982911946154500,
    admin_graphql_api_id: `gid://shopify/Order/${820982911946154500 + ++seq}`,
    name: '#1001',
    updated_at: new Date().toISOString(),
  });
  return {
    method: 'POST' as const,
    url: '/webhooks/shopify',
    payload,
    headers: {
      'content-type': 'application/json',
      'x-shopify-hmac-sha256': webhookHmac(secret, payload),
      'x-shopify-topic': 'orders/updated',
      'x-shopify-shop-domain': shopDomain,
      'x-shopify-webhook-id': randomUUID(),
      'x-shopify-api-version': '2026-10',
      'x-shopify-triggered-at': new Date().toISOString(),
    },
  };
}

async function deliver(shopDomain: string, secret: string) {
  const res = await app.inject(signedDelivery(shopDomain, secret));
  return [res.statusCode, res.json().status ?? res.json().error.code] as const;
}

describe("a shop's own webhook secret", () => {
  it("is stored encrypted at connect, never answered, and verifies the shop's webhooks instead of the app secret", async () => {
    const own = newShop('ownsecret');
    const OWN = `shpss_${randomBytes(16).toString('hex')}`;
    secrets.add(OWN);
    const res = await call('POST', '/stores', connectBody(own, newCompany(), { shopifyApiSecret: OWN }));
    expect(res.status, res.text).toBe(201);
    for (const s of secrets) expect(res.text).not.toContain(s);
    const stored = await credentials(own.handle);
    expect(stored.shopifyApiSecretEnc).toMatch(/^v1\./);
    expect(cipher.decrypt(stored.shopifyApiSecretEnc!)).toBe(OWN);

    const plain = newShop('appsecret');
    expect((await call('POST', '/stores', connectBody(plain, newCompany()))).status).toBe(201);
    const other = newShop('othersecret');
    const OTHER = `shpss_${randomBytes(16).toString('hex')}`;
    secrets.add(OTHER);
    expect((await call('POST', '/stores', connectBody(other, newCompany(), { shopifyApiSecret: OTHER }))).status).toBe(201);

    expect(await deliver(own.domain, OWN)).toEqual([200, 'nudged']);
    // Another shop's secret, or the app's, does not verify a shop that has its own.
    expect(await deliver(own.domain, OTHER)).toEqual([401, 'invalid_hmac']);
    expect(await deliver(own.domain, APP_WEBHOOK_SECRET)).toEqual([401, 'invalid_hmac']);
    // A shop without its own secret keeps the configured app secret, and only it.
    expect(await deliver(plain.domain, APP_WEBHOOK_SECRET)).toEqual([200, 'nudged']);
    expect(await deliver(plain.domain, OWN)).toEqual([401, 'invalid_hmac']);
  });

  it('is validated, replaced or forgotten with PUT /stores/:id/credentials, without touching the connection', async () => {
    const shop = newShop('rotateown');
    expect((await call('POST', '/stores', connectBody(shop, newCompany()))).status).toBe(201);
    const url = `/stores/${shop.handle}/credentials`;

    const short = await call('PUT', url, { shopifyApiSecret: 'shpss_short' });
    expect(short.status).toBe(400);
    expect(short.body.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('shopifyApiSecret') });
    const token = await call('PUT', url, { shopifyApiSecret: shop.token });
    expect(token.status).toBe(400);
    expect(token.text).not.toContain(shop.token);
    expect((await call('PUT', url, { shopifyApiSecret: 'shpss_with space inside it' })).status).toBe(400);
    expect((await call('POST', '/stores', { ...connectBody(newShop('x'), newCompany()), shopifyApiSecret: 'tiny' })).status).toBe(400);

    const OWN = `shpss_${randomBytes(16).toString('hex')}`;
    secrets.add(OWN);
    const before = await credentials(shop.handle);
    const set = await call('PUT', url, { shopifyApiSecret: OWN });
    expect(set.status, set.text).toBe(200);
    expect(set.body.state).toBe('active');
    for (const s of secrets) expect(set.text).not.toContain(s);
    const after = await credentials(shop.handle);
    expect(cipher.decrypt(after.shopifyApiSecretEnc!)).toBe(OWN);
    expect(after.qboRefreshTokenEnc).toBe(before.qboRefreshTokenEnc);
    expect(await deliver(shop.domain, OWN)).toEqual([200, 'nudged']);
    expect(await deliver(shop.domain, APP_WEBHOOK_SECRET)).toEqual([401, 'invalid_hmac']);

    const forgotten = await call('PUT', url, { shopifyApiSecret: null });
    expect(forgotten.status, forgotten.text).toBe(200);
    expect((await credentials(shop.handle)).shopifyApiSecretEnc).toBeNull();
    expect(await deliver(shop.domain, APP_WEBHOOK_SECRET)).toEqual([200, 'nudged']);
    expect(await deliver(shop.domain, OWN)).toEqual([401, 'invalid_hmac']);
  });

  it('keeps verifying with the replaced secret while the merchant rotates it, until the new one signs a delivery', async () => {
    const shop = newShop('rotatewindow');
    const OLD = `shpss_${randomBytes(16).toString('hex')}`;
    const NEW = `shpss_${randomBytes(16).toString('hex')}`;
    const NEWER = `shpss_${randomBytes(16).toString('hex')}`;
    for (const s of [OLD, NEW, NEWER]) secrets.add(s);
    expect((await call('POST', '/stores', connectBody(shop, newCompany(), { shopifyApiSecret: OLD }))).status).toBe(201);
    const url = `/stores/${shop.handle}/credentials`;

    // Shopify keeps signing with the old secret until the merchant revokes it: both verify meanwhile.
    expect((await call('PUT', url, { shopifyApiSecret: NEW })).status).toBe(200);
    const during = await credentials(shop.handle);
    expect(cipher.decrypt(during.shopifyApiSecretPreviousEnc!)).toBe(OLD);
    expect(during.shopifyApiSecretPreviousUntil!.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3_600_000);
    expect(await deliver(shop.domain, OLD)).toEqual([200, 'nudged']);
    expect(await deliver(shop.domain, OLD)).toEqual([200, 'nudged']);
    expect(await deliver(shop.domain, APP_WEBHOOK_SECRET)).toEqual([401, 'invalid_hmac']);
    // Sending the same secret again leaves the window open.
    expect((await call('PUT', url, { shopifyApiSecret: NEW })).status).toBe(200);
    expect(await deliver(shop.domain, OLD)).toEqual([200, 'nudged']);

    // The first delivery signed with the new secret shows Shopify switched: the old one stops verifying.
    expect(await deliver(shop.domain, NEW)).toEqual([200, 'nudged']);
    expect((await credentials(shop.handle)).shopifyApiSecretPreviousEnc).toBeNull();
    expect(await deliver(shop.domain, OLD)).toEqual([401, 'invalid_hmac']);
    expect(await deliver(shop.domain, NEW)).toEqual([200, 'nudged']);

    // A window past its end verifies nothing old either.
    expect((await call('PUT', url, { shopifyApiSecret: NEWER })).status).toBe(200);
    expect(await deliver(shop.domain, NEW)).toEqual([200, 'nudged']);
    await database.db
      .update(storeCredentials)
      .set({ shopifyApiSecretPreviousUntil: new Date(Date.now() - 1000) })
      .where(eq(storeCredentials.storeId, shop.handle));
    expect(await deliver(shop.domain, NEW)).toEqual([401, 'invalid_hmac']);

    // Forgetting the secret forgets the previous one too.
    expect((await call('PUT', url, { shopifyApiSecret: NEWER })).status).toBe(200);
    expect((await call('PUT', url, { shopifyApiSecret: null })).status).toBe(200);
    const forgotten = await credentials(shop.handle);
    expect([forgotten.shopifyApiSecretEnc, forgotten.shopifyApiSecretPreviousEnc, forgotten.shopifyApiSecretPreviousUntil]).toEqual([
      null,
      null,
      null,
    ]);
  });
});

describe('inventory on from the start (POST /stores)', () => {
  it('makes the checks turning it on later makes: an unknown location or a company not tracking quantities is a 400, and nothing is saved', async () => {
    const shop = newShop('inv');
    const generated = generateShop({
      seed: 11,
      orders: 1,
      start: new Date(Date.now() - 3 * 86_400_000).toISOString(),
      days: 2,
      domain: shop.domain,
    });
    shopify.admin.addProducts(shop.domain, generated.products);
    const locationId = (generated.products as Array<Record<string, any>>)
      .flatMap((p) => p.variants.nodes)
      .flatMap((v: Record<string, any>) => v.inventoryItem?.inventoryLevels?.nodes ?? [])
      .map((l: Record<string, any>) => l.location.id as string)[0]!;
    expect(locationId).toMatch(/^gid:\/\/shopify\/Location\//);
    const company = newCompany();
    const withInventory = (inventory: Record<string, unknown>) => connectBody(shop, company, { settings: { inventory } });

    const unknown = await call('POST', '/stores', withInventory({ mode: 'preview', locationId: 'gid://shopify/Location/999999999' }));
    expect(unknown.status, unknown.text).toBe(400);
    expect(unknown.body.error.code).toBe('invalid_settings');
    expect(unknown.body.error.details.issues).toEqual([
      { path: 'inventory.locationId', message: `${shop.domain} has no location gid://shopify/Location/999999999` },
    ]);
    expect((await call('GET', `/stores/${shop.handle}`)).status).toBe(404);

    qbo.admin.setPreferences(company.realmId, { ProductAndServicesPrefs: { QuantityOnHand: false } });
    const untracked = await call('POST', '/stores', withInventory({ mode: 'apply', locationId }));
    expect(untracked.status, untracked.text).toBe(400);
    expect(untracked.body.error.details.issues[0].path).toBe('inventory.mode');
    expect(untracked.body.error.message).toContain('does not track quantity on hand');
    expect((await call('GET', `/stores/${shop.handle}`)).status).toBe(404);

    qbo.admin.setPreferences(company.realmId, { ProductAndServicesPrefs: { QuantityOnHand: true } });
    const connected = await call('POST', '/stores', withInventory({ mode: 'preview', locationId }));
    expect(connected.status, connected.text).toBe(201);
    const saved = await call('GET', `/stores/${shop.handle}/settings`);
    expect(saved.body.inventory).toMatchObject({ mode: 'preview', locationId });
  });
});

describe('secrets', () => {
  it('never wrote a token, client secret or webhook secret to the API log, nor in plaintext to a table', async () => {
    const log = logLines.join('');
    expect(log.length).toBeGreaterThan(0);
    for (const s of secrets) expect(log).not.toContain(s);
    const dump = JSON.stringify(
      await database.db.execute(
        sql`select row_to_json(a)::text as j from audit_log a
            union all select row_to_json(c)::text from store_credentials c
            union all select row_to_json(p)::text from pending_connects p`,
      ),
    );
    expect(dump).toContain('shopifyApiSecret'); // the audit log recorded the requests that carried one
    for (const s of secrets) expect(dump).not.toContain(s);
  });
});
