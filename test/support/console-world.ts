/**
 * The app for the console's tests, every part real: the Temporal CLI dev server with a worker (the real workflow
 * bundle and activities), PostgreSQL, both emulators, and the production app from buildApp (listening on a
 * port when a browser drives it). `connectParkedShop` connects a generated shop whose products have no QBO item
 * (`missingItems: flag`), so its first run parks orders with `needs_mapping`.
 */
import { randomBytes } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createActivities } from '../../activities';
import { buildApp } from '../../api/app';
import { createCipher, type Cipher } from '../../config/secrets';
import type { Database } from '../../db/client';
import { ledgerEntries, syncRuns } from '../../db/schema';
import { DEFAULT_ACCOUNT_IDS, startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { generateShop } from '../../emulators/scenario/generate';
import { startShopifyEmulator, type ShopifyEmulator } from '../../emulators/shopify';
import { processPacing } from './app';
import { postgresDatabase } from './db';
import { devServerEnv, uniqueTaskQueue, workflowBundle } from './temporal';

export interface ConsoleWorld {
  env: TestWorkflowEnvironment;
  database: Database;
  shopify: ShopifyEmulator;
  qbo: QboEmulatorHandle;
  app: FastifyInstance;
  /** The process's QBO limiter (the worker's and the API's); flushUsage() writes its usage tallies now. */
  limiter: ReturnType<typeof processPacing>['limiter'];
  apiToken: string;
  password: string;
  /** The app's cipher (the console seals its session cookie with it). */
  cipher: Cipher;
  temporalUiUrl: string;
  /** The listening app's base URL, when started with `listen`. */
  url: string | undefined;
  /** A JSON API call with the admin bearer token. */
  api(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<{ status: number; body: any; text: string }>;
  connectParkedShop(name: string, orders?: number): Promise<ParkedShop>;
  close(): Promise<void>;
}

export interface ParkedShop {
  id: string;
  domain: string;
  realmId: string;
  accessToken: string;
  /** The sale rows parked by the first run. */
  parked(): Promise<Array<typeof ledgerEntries.$inferSelect>>;
  /** Creates the item a needs_mapping reason names in the shop's QBO company, as a bookkeeper would. */
  createItem(name: string): Promise<void>;
}

let seq = 0;

/** A port free on this machine now (the OAuth redirect URIs name the app's address before it listens). */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `listen`: the app listens on a port (a browser drives it). `oauth`: both OAuth flows configured against the
 * emulators (the Shopify app the emulator registers by default, the QBO emulator's Intuit app), their redirect URIs at
 * the app's own address.
 */
export async function startConsoleWorld(opts: { listen?: boolean; oauth?: boolean } = {}): Promise<ConsoleWorld> {
  const [env, database, shopify, qbo] = await Promise.all([
    devServerEnv(),
    postgresDatabase(),
    startShopifyEmulator({ shops: [] }),
    startQboEmulator({ limits: false }),
  ]);
  const integrations = { shopifyApiBaseUrl: shopify.url, qboEndpoint: qbo.v3Endpoint, qboTokenUrl: qbo.tokenUrl };
  const cipher = createCipher(`test:${randomBytes(32).toString('base64')}`);
  const taskQueue = uniqueTaskQueue('console');
  const pacing = processPacing(database.db);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(
      { db: database.db, cipher, log: pino({ level: 'silent' }), clock: () => new Date(), ...integrations },
      pacing,
    ),
  });
  const workerRun = worker.run();
  const apiToken = `test-${randomBytes(12).toString('hex')}`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const temporalUiUrl = 'http://temporal-ui.test:8233';
  const port = opts.oauth ? await freePort() : 0;
  const base = `http://127.0.0.1:${port}`;
  const oauth = opts.oauth
    ? {
        qboOAuth: {
          clientId: qbo.clientId,
          clientSecret: qbo.clientSecret,
          redirectUri: `${base}/connect/qbo/callback`,
          authorizeUrl: qbo.authorizeUrl,
          revokeUrl: qbo.revokeUrl,
        },
        shopifyOAuth: { clientId: shopify.clientId, clientSecret: shopify.clientSecret, redirectUri: `${base}/connect/shopify/callback` },
      }
    : {};
  const app = await buildApp(
    {
      database,
      temporal: async () => env.client,
      apiToken,
      log: pino({ level: 'silent' }),
      cipher,
      taskQueue,
      integrations,
      console: { password, temporalUiUrl, temporalNamespace: 'default' },
      ...oauth,
      ...pacing,
    },
    { logger: false },
  );
  let url: string | undefined;
  if (opts.listen) {
    await app.listen({ host: '127.0.0.1', port });
    const address = app.server.address();
    url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : undefined;
  }

  async function api(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) {
    const res = await app.inject({
      method,
      url: path,
      headers: { authorization: `Bearer ${apiToken}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: res.statusCode, body: res.body ? (res.json() as unknown) : undefined, text: res.body };
  }

  async function connectParkedShop(name: string, orders = 6): Promise<ParkedShop> {
    const handle = `${name}-${process.pid}-${++seq}`;
    const domain = `${handle}.myshopify.com`;
    const token = `shpat_${randomBytes(12).toString('hex')}`;
    shopify.admin.createShop({ domain, accessToken: token, name: `Shop ${name}`, currencyCode: 'USD', ianaTimezone: 'America/New_York' });
    const generated = generateShop({ seed: 31, orders, start: new Date(Date.now() - 4 * 86_400_000).toISOString(), days: 3, domain });
    shopify.admin.addProducts(domain, generated.products);
    shopify.admin.upsertOrders(domain, generated.orders);
    const company = qbo.admin.createCompany({ country: 'US', companyName: `Books of ${name}` });
    const res = await api('POST', '/stores', {
      shopDomain: domain,
      shopifyAccessToken: token,
      qbo: {
        realmId: company.realmId,
        clientId: qbo.clientId,
        clientSecret: qbo.clientSecret,
        accessToken: company.accessToken,
        refreshToken: company.refreshToken,
        accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      settings: { missingItems: 'flag', productMatch: 'name' },
    });
    if (res.status !== 201) throw new Error(`connect answered ${res.status}: ${res.text}`);
    const id = (res.body as { id: string }).id;
    // The first run (started by connect) has finished.
    await eventually(async () => {
      const runs = await database.db.select().from(syncRuns).where(eq(syncRuns.storeId, id));
      return runs.some((r) => r.status !== 'running');
    }, `first run of ${id}`);
    const parked = () =>
      database.db
        .select()
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.storeId, id), eq(ledgerEntries.role, 'sale'), eq(ledgerEntries.status, 'parked')));
    return {
      id,
      domain,
      realmId: company.realmId,
      accessToken: company.accessToken,
      parked,
      async createItem(itemName) {
        const r = await fetch(`${qbo.v3Endpoint}${company.realmId}/item?minorversion=75`, {
          method: 'POST',
          headers: { authorization: `Bearer ${company.accessToken}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ Name: itemName, Type: 'NonInventory', IncomeAccountRef: { value: DEFAULT_ACCOUNT_IDS.salesOfProduct } }),
        });
        if (!r.ok) throw new Error(`QBO emulator refused the item ${itemName}: ${r.status} ${await r.text()}`);
      },
    };
  }

  return {
    env,
    database,
    shopify,
    qbo,
    app,
    limiter: pacing.limiter,
    apiToken,
    password,
    cipher,
    temporalUiUrl,
    url,
    api,
    connectParkedShop,
    async close() {
      // Runs the tests started (a retry's sync) finish first: the database is dropped under nothing in flight.
      await eventually(
        async () => (await database.db.select().from(syncRuns).where(eq(syncRuns.status, 'running'))).length === 0,
        'runs in flight finished',
        30_000,
      ).catch(() => undefined);
      await app.close();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun.catch(() => undefined);
      await env.teardown();
      await database.close();
      await shopify.close();
      await qbo.close();
    },
  };
}

/** Polls until `probe` is true, or fails after the deadline. */
export async function eventually(probe: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The item names a needs_mapping reason asks for (`item name "X"`). */
export function missingItemNames(reason: string | null): string[] {
  return [...(reason ?? '').matchAll(/item name "([^"]+)"/g)].map((m) => m[1]!);
}
