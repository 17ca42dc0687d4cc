/**
 * Shopify webhooks on a real Temporal dev server with a real worker (the real workflow bundle and
 * activities), a real database and the Shopify emulator delivering signed webhooks over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createActivities } from '../../activities';
import { buildApp } from '../../api/app';
import { createCipher } from '../../config/secrets';
import type { Database } from '../../db/client';
import { ledgerEntries, storeCredentials, stores, webhookDeliveries } from '../../db/schema';
import { subscribeWebhooks } from '../../demo/webhooks';
import { startShopifyEmulator, webhookHmac, type ShopifyEmulator } from '../../emulators/shopify';
import { STATE_SEARCH_ATTRIBUTE, STORE_SEARCH_ATTRIBUTE } from '../../workflows/search-attributes';
import { nudgeSignal, setIntervalSignal, statusQuery, workflowIds, type StoreStatus, type SyncRunInput } from '../../workflows/definitions';
import { storeWorkflow } from '../../workflows/store';
import { processPacing } from '../support/app';
import { databaseKinds } from '../support/db';
import { devServerEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';
import type { Settings } from '../../domain/settings';

const SECRET = 'shpss_test_webhook_secret_0123456789';
const API_TOKEN = 'test-token-0123456789abcdef';
const log = pino({ level: 'silent' });
const cipher = createCipher(`test:${Buffer.alloc(32, 7).toString('base64')}`);

let env: TestWorkflowEnvironment;
let shopify: ShopifyEmulator;

beforeAll(async () => {
  [env, shopify] = await Promise.all([
    devServerEnv(),
    startShopifyEmulator({ shops: [{ domain: 'seed-only.myshopify.com', accessToken: 'shpat_unused' }], webhookSecret: SECRET }),
  ]);
}, 120_000);

afterAll(async () => {
  await shopify?.close();
  await env?.teardown();
});

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let shopSeq = 0;
const newShopDomain = (kind: string) => `wh-${kind}-${process.pid}-${Date.now().toString(36)}-${++shopSeq}.myshopify.com`;

function signedDelivery(opts: {
  shopDomain: string;
  topic: string;
  webhookId?: string;
  body?: unknown;
  secret?: string;
  triggeredAt?: string;
}) {
  const payload = JSON.stringify(
    opts.body ?? {
      id: 820982911946154500,
      admin_graphql_api_id: 'gid://shopify/Order/820982911946154508',
      name: '#1001',
      updated_at: new Date().toISOString(),
    },
  );
  return {
    method: 'POST' as const,
    url: '/webhooks/shopify',
    payload,
    headers: {
      'content-type': 'application/json',
      'x-shopify-hmac-sha256': webhookHmac(opts.secret ?? SECRET, payload),
      'x-shopify-topic': opts.topic,
      'x-shopify-shop-domain': opts.shopDomain,
      'x-shopify-webhook-id': opts.webhookId ?? randomUUID(),
      'x-shopify-api-version': '2026-10',
      'x-shopify-triggered-at': opts.triggeredAt ?? new Date().toISOString(),
    },
  };
}

describe.each(databaseKinds)('POST /webhooks/shopify on %s', (_kind, openDatabase) => {
  let database: Database;
  let app: FastifyInstance;
  let worker: Worker;
  let workerDone: Promise<void>;
  let taskQueue: string;
  let pacing: ReturnType<typeof processPacing>;
  const started: WorkflowHandle[] = [];

  beforeAll(async () => {
    database = await openDatabase();
    taskQueue = uniqueTaskQueue('webhooks');
    // One pacer and QBO limiter for this test process, shared by the worker's activities and the API.
    pacing = processPacing(database.db);
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities(
        {
          db: database.db,
          cipher,
          log,
          clock: () => new Date(),
          qboTokenUrl: undefined,
          shopifyApiBaseUrl: shopify.url,
        },
        pacing,
      ),
    });
    workerDone = worker.run();
    app = await buildApp({
      database,
      temporal: async () => env.client,
      apiToken: API_TOKEN,
      log,
      cipher,
      taskQueue,
      ...pacing,
      shopifyWebhookSecret: SECRET,
      integrations: { shopifyApiBaseUrl: shopify.url },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);

  afterAll(async () => {
    for (const h of started) await h.terminate('test finished').catch(() => undefined);
    await app?.close();
    worker?.shutdown();
    await workerDone;
    await database?.close();
  });

  /**
   * A connected store: its row, its Shopify credentials (a shop of the emulator with that token), and its
   * workflow started as the store API starts it (no run queued yet).
   */
  async function connectedStore(kind: string, state: 'active' | 'paused' = 'active', startWorkflow = true) {
    const shopDomain = newShopDomain(kind);
    const storeId = shopDomain.split('.')[0]!;
    const accessToken = `shpat_${storeId}`;
    shopify.admin.createShop({ domain: shopDomain, accessToken });
    await database.db.insert(stores).values({
      id: storeId,
      shopDomain,
      qboRealmId: '4620816365000000001',
      settings: {} as Settings,
      startDate: new Date('2026-01-01T00:00:00Z'),
      state,
    });
    await database.db.insert(storeCredentials).values({
      storeId,
      shopifyAccessTokenEnc: cipher.encrypt(accessToken),
      qboClientId: 'client-id',
      qboClientSecretEnc: cipher.encrypt('client-secret'),
      qboRefreshTokenEnc: cipher.encrypt('refresh-token'),
    });
    let handle: WorkflowHandle<typeof storeWorkflow> | undefined;
    if (startWorkflow) {
      handle = await env.client.workflow.start(storeWorkflow, {
        taskQueue,
        workflowId: workflowIds.store(shopDomain),
        args: [{ storeId, shopDomain, intervalMinutes: 60 }],
        typedSearchAttributes: [
          { key: STORE_SEARCH_ATTRIBUTE, value: shopDomain },
          { key: STATE_SEARCH_ATTRIBUTE, value: state },
        ],
      });
      started.push(handle);
    }
    return { shopDomain, storeId, accessToken, handle };
  }

  const barriers = new Map<string, number>();
  /**
   * The nudge signals the workflow has recorded: what a duplicate delivery must not add to. Signals that
   * arrive during a workflow task reach the history only when it completes, so a barrier signal is sent
   * last and waited for: every signal sent before it is then in the history, in order.
   */
  async function nudgesIn(handle: WorkflowHandle): Promise<string[]> {
    return (await nudgePayloadsIn(handle)).map((n) => n.reason);
  }
  async function nudgePayloadsIn(handle: WorkflowHandle): Promise<Array<{ reason: string; receivedAt?: string }>> {
    const sent = (barriers.get(handle.workflowId) ?? 0) + 1;
    barriers.set(handle.workflowId, sent);
    await handle.signal(setIntervalSignal, { intervalMinutes: 60 });
    const signals = await waitFor('the barrier signal in the history', async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const signalled = events.map((e) => e.workflowExecutionSignaledEventAttributes).filter((a) => a != null);
      return signalled.filter((a) => a.signalName === setIntervalSignal.name).length === sent ? signalled : undefined;
    });
    return signals
      .filter((a) => a.signalName === nudgeSignal.name)
      .map((a) => env.client.options.loadedDataConverter.payloadConverter.fromPayload(a.input!.payloads![0]!) as { reason: string });
  }

  /** Waits for the run a nudge started and reads the trigger it was started with. */
  async function firstRunTrigger(handle: WorkflowHandle<typeof storeWorkflow>): Promise<string> {
    const status = await waitFor<StoreStatus>('a sync run', async () => {
      const s = await handle.query(statusQuery);
      return s.runCount >= 1 && (s.currentRunId ?? s.lastRun?.runId) ? s : undefined;
    });
    const childId = (status.currentRunId ?? status.lastRun?.runId)!;
    const history = await env.client.workflow.getHandle(childId).fetchHistory();
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    return (env.client.options.loadedDataConverter.payloadConverter.fromPayload(input) as SyncRunInput).trigger;
  }

  it('starts a webhook-triggered sync when the Shopify emulator delivers a signed orders/create', async () => {
    const { shopDomain, accessToken, handle } = await connectedStore('delivered');
    const address = app.server.address() as { port: number };
    const callbackUrl = `http://127.0.0.1:${address.port}/webhooks/shopify`;
    const subs = await subscribeWebhooks({
      apiBaseUrl: shopify.url,
      shopDomain,
      accessToken,
      callbackUrl,
      topics: ['ORDERS_CREATE'],
      log,
      pacer: pacing.pacer,
    });
    expect(subs).toEqual({ created: ['ORDERS_CREATE'], existing: [] });

    shopify.admin.upsertOrders(shopDomain, [
      { id: 'gid://shopify/Order/5001', name: '#5001', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() },
    ]);
    await shopify.admin.webhooksIdle();
    const delivery = shopify.admin.webhookDeliveries().find((d) => d.shop === shopDomain)!;
    expect(delivery).toMatchObject({ topic: 'orders/create', status: 'delivered', attempts: 1, lastStatusCode: 200 });

    expect(await nudgesIn(handle!)).toEqual(['orders/create']);
    expect(await firstRunTrigger(handle!)).toBe('webhook');
    const recorded = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, delivery.webhookId));
    expect(recorded).toMatchObject([{ shopDomain, topic: 'orders/create' }]);

    // Subscribing again is a no-op, as after a restart of the demo.
    expect(
      await subscribeWebhooks({
        apiBaseUrl: shopify.url,
        shopDomain,
        accessToken,
        callbackUrl,
        topics: ['ORDERS_CREATE'],
        log,
        pacer: pacing.pacer,
      }),
    ).toEqual({ created: [], existing: ['ORDERS_CREATE'] });
  });

  it('answers a repeated delivery 200 without nudging again, even when the repeats arrive together', async () => {
    const { shopDomain, handle } = await connectedStore('dedupe');
    const first = signedDelivery({ shopDomain, topic: 'orders/updated' });
    const res = await app.inject(first);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'nudged' });

    const repeats = await Promise.all([app.inject(first), app.inject(first), app.inject(first)]);
    expect(repeats.map((r) => [r.statusCode, r.json()])).toEqual(Array(3).fill([200, { status: 'duplicate' }]));
    expect(await nudgesIn(handle!)).toEqual(['orders/updated']);

    // Concurrent first deliveries of one event: exactly one acts.
    const twin = signedDelivery({ shopDomain, topic: 'orders/paid' });
    const both = await Promise.all([app.inject(twin), app.inject(twin)]);
    expect(both.map((r) => r.json().status).sort()).toEqual(['duplicate', 'nudged']);
    expect(await nudgesIn(handle!)).toEqual(['orders/updated', 'orders/paid']);
  });

  it('refuses a missing or wrong signature with 401 and records nothing', async () => {
    const shopDomain = newShopDomain('unsigned');
    const good = signedDelivery({ shopDomain, topic: 'orders/create' });
    const { 'x-shopify-hmac-sha256': _omit, ...unsigned } = good.headers;
    const cases = [
      { ...good, headers: unsigned },
      signedDelivery({ shopDomain, topic: 'orders/create', secret: 'another-apps-secret' }),
      { ...good, payload: good.payload.replace('#1001', '#1002') },
      { ...good, headers: { ...good.headers, 'x-shopify-hmac-sha256': 'not base64 at all' } },
    ];
    const answers = [];
    for (const c of cases) answers.push(await app.inject(c));
    expect(answers.map((r) => r.statusCode)).toEqual([401, 401, 401, 401]);
    expect(answers[0]!.json()).toEqual({ error: { code: 'invalid_hmac', message: 'Missing X-Shopify-Hmac-Sha256 header' } });
    expect(answers[1]!.json().error.message).toMatch(/does not match the request body/);
    expect(await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.shopDomain, shopDomain))).toEqual([]);
  });

  it('names the missing headers and a malformed shop domain with 400', async () => {
    const shopDomain = newShopDomain('headers');
    const d = signedDelivery({ shopDomain, topic: 'orders/create' });
    const { 'x-shopify-topic': _t, 'x-shopify-webhook-id': _w, ...partial } = d.headers;
    const missing = await app.inject({ ...d, headers: partial });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({
      error: {
        code: 'bad_request',
        message: 'Missing webhook headers: X-Shopify-Topic, X-Shopify-Webhook-Id',
        details: { missing: ['X-Shopify-Topic', 'X-Shopify-Webhook-Id'] },
      },
    });
    const longId = await app.inject(signedDelivery({ shopDomain, topic: 'orders/create', webhookId: 'w'.repeat(256) }));
    expect(longId.statusCode).toBe(400);
    expect(longId.json().error).toMatchObject({ code: 'invalid_request', details: { field: 'headers.x-shopify-webhook-id' } });
    const badDomain = await app.inject(signedDelivery({ shopDomain: 'shop.example.com', topic: 'orders/create' }));
    expect(badDomain.statusCode).toBe(400);
    expect(badDomain.json().error.message).toMatch(
      /^X-Shopify-Shop-Domain: shopDomain must be the shop's permanent <handle>\.myshopify\.com domain/,
    );
  });

  it('acknowledges a webhook for a shop that is not connected here without acting', async () => {
    const res = await app.inject(signedDelivery({ shopDomain: newShopDomain('stranger'), topic: 'orders/create' }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ignored', reason: 'unknown_shop' });
  });

  it('disconnects the store in the database and in its workflow when Shopify delivers app/uninstalled and confirms it', async () => {
    const { shopDomain, storeId, accessToken, handle } = await connectedStore('uninstalled');
    const address = app.server.address() as { port: number };
    await subscribeWebhooks({
      apiBaseUrl: shopify.url,
      shopDomain,
      accessToken,
      callbackUrl: `http://127.0.0.1:${address.port}/webhooks/shopify`,
      topics: ['APP_UNINSTALLED'],
      log,
      pacer: pacing.pacer,
    });
    shopify.admin.uninstallApp(shopDomain);
    await shopify.admin.webhooksIdle();
    const delivery = shopify.admin.webhookDeliveries().find((d) => d.shop === shopDomain && d.topic === 'app/uninstalled')!;
    expect(delivery).toMatchObject({ status: 'delivered', lastStatusCode: 200 });

    const [row] = await database.db.select().from(stores).where(eq(stores.id, storeId));
    expect(row).toMatchObject({
      state: 'disconnected',
      connectionError: expect.stringMatching(/uninstalled .*PUT \/stores\/:id\/credentials/),
    });
    const status = await waitFor('the disconnected state', async () => {
      const s = await handle!.query(statusQuery);
      return s.state === 'disconnected' ? s : undefined;
    });
    expect(status.lastError).toMatch(/uninstalled/);

    // Later order webhooks of the disconnected store do not reach its workflow.
    const after = await app.inject(signedDelivery({ shopDomain, topic: 'orders/updated' }));
    expect(after.json()).toEqual({ status: 'ignored', reason: 'store_disconnected' });
    expect(await nudgesIn(handle!)).toEqual([]);
  });

  it('disconnects nothing when Shopify still accepts the store token, even for a fresh signed app/uninstalled', async () => {
    const { shopDomain, storeId, handle } = await connectedStore('stillinstalled');
    const res = await app.inject(
      signedDelivery({ shopDomain, topic: 'app/uninstalled', body: { id: 1, domain: shopDomain, myshopify_domain: shopDomain } }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ignored', reason: 'app_still_installed' });
    const [row] = await database.db.select().from(stores).where(eq(stores.id, storeId));
    expect(row).toMatchObject({ state: 'active', connectionError: null });
    expect((await handle!.query(statusQuery)).state).toBe('active');
  });

  it("refuses a signed app/uninstalled body replayed with another shop's domain with 403, disconnecting neither", async () => {
    const victim = await connectedStore('victim');
    const attacker = await connectedStore('attacker');
    // The attacker's own shop really uninstalled the app, so Shopify would confirm an uninstall of it.
    shopify.admin.uninstallApp(attacker.shopDomain);
    const captured = signedDelivery({
      shopDomain: attacker.shopDomain,
      topic: 'app/uninstalled',
      body: { id: 2, domain: attacker.shopDomain, myshopify_domain: attacker.shopDomain },
    });
    const replay = await app.inject({ ...captured, headers: { ...captured.headers, 'x-shopify-shop-domain': victim.shopDomain } });
    expect(replay.statusCode).toBe(403);
    expect(replay.json()).toEqual({
      error: {
        code: 'webhook_shop_mismatch',
        message: 'The app/uninstalled body is about another shop than X-Shopify-Shop-Domain',
        details: { field: 'X-Shopify-Shop-Domain' },
      },
    });
    const noShop = await app.inject(signedDelivery({ shopDomain: victim.shopDomain, topic: 'app/uninstalled', body: { id: 2 } }));
    expect([noShop.statusCode, noShop.json().error.code]).toEqual([400, 'webhook_body_mismatch']);
    const [row] = await database.db.select().from(stores).where(eq(stores.id, victim.storeId));
    expect(row!.state).toBe('active');
    expect(await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.shopDomain, victim.shopDomain))).toEqual([]);
  });

  it('refuses an order delivery replayed with the domain of a shop the order is not booked for, with 403, and nudges nothing', async () => {
    const owner = await connectedStore('owner');
    const other = await connectedStore('other');
    const order = 'gid://shopify/Order/7300000000001';
    await database.db
      .insert(ledgerEntries)
      .values({ storeId: owner.storeId, sourceKey: `order:${order}`, role: 'receipt', sourceType: 'order', status: 'synced' });
    const body = { id: 7300000000001, admin_graphql_api_id: order, updated_at: new Date().toISOString() };
    const replay = await app.inject(signedDelivery({ shopDomain: other.shopDomain, topic: 'orders/updated', body }));
    expect(replay.statusCode).toBe(403);
    expect(replay.json().error).toMatchObject({ code: 'webhook_shop_mismatch', message: expect.stringContaining(order) });
    const refund = await app.inject(
      signedDelivery({ shopDomain: other.shopDomain, topic: 'refunds/create', body: { id: 9, order_id: 7300000000001 } }),
    );
    expect(refund.statusCode).toBe(403);
    expect(await nudgesIn(other.handle!)).toEqual([]);

    // The shop the order belongs to is nudged; a body that names no order is a 400.
    expect((await app.inject(signedDelivery({ shopDomain: owner.shopDomain, topic: 'orders/updated', body }))).json()).toEqual({
      status: 'nudged',
    });
    const nameless = await app.inject(signedDelivery({ shopDomain: owner.shopDomain, topic: 'orders/paid', body: { name: '#1' } }));
    expect(nameless.statusCode).toBe(400);
    expect(nameless.json().error).toEqual({
      code: 'webhook_body_mismatch',
      message: 'The body of a orders/paid delivery does not identify an order',
      details: { topic: 'orders/paid' },
    });
    expect(await nudgesIn(owner.handle!)).toEqual(['orders/updated']);
  });

  it('refuses stale, future and undated deliveries with 400 naming X-Shopify-Triggered-At, and records none', async () => {
    const { shopDomain, handle } = await connectedStore('stale');
    const hour = 3_600_000;
    const answers = [];
    for (const triggeredAt of [
      '2020-01-01T00:00:00Z',
      new Date(Date.now() - 5 * hour).toISOString(),
      new Date(Date.now() + hour).toISOString(),
      'yesterday',
    ])
      answers.push(await app.inject(signedDelivery({ shopDomain, topic: 'orders/updated', triggeredAt })));
    expect(answers.map((r) => [r.statusCode, r.json().error.code, r.json().error.details])).toEqual([
      [400, 'stale_delivery', { field: 'X-Shopify-Triggered-At' }],
      [400, 'stale_delivery', { field: 'X-Shopify-Triggered-At' }],
      [400, 'invalid_triggered_at', { field: 'X-Shopify-Triggered-At' }],
      [400, 'invalid_triggered_at', { field: 'X-Shopify-Triggered-At' }],
    ]);
    // One signed delivery, its date header taken off (a second signedDelivery call may sign another body).
    const delivery = signedDelivery({ shopDomain, topic: 'orders/updated' });
    const { 'x-shopify-triggered-at': _omit, ...undated } = delivery.headers;
    const missing = await app.inject({ ...delivery, headers: undated });
    expect(missing.json().error).toMatchObject({ code: 'bad_request', details: { missing: ['X-Shopify-Triggered-At'] } });
    expect(await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.shopDomain, shopDomain))).toEqual([]);

    // Within the bound (Shopify's own retries of a 3-hour-old event) the delivery is processed.
    const late = await app.inject(
      signedDelivery({ shopDomain, topic: 'orders/updated', triggeredAt: new Date(Date.now() - 3 * hour).toISOString() }),
    );
    expect(late.json()).toEqual({ status: 'nudged' });
    expect(await nudgesIn(handle!)).toEqual(['orders/updated']);
  });

  it('does not signal a paused store, and says when a store has no running workflow', async () => {
    const paused = await connectedStore('paused', 'paused');
    const res = await app.inject(signedDelivery({ shopDomain: paused.shopDomain, topic: 'orders/paid' }));
    expect(res.json()).toEqual({ status: 'ignored', reason: 'store_paused' });
    expect(await nudgesIn(paused.handle!)).toEqual([]);

    const idle = await connectedStore('noworkflow', 'active', false);
    const res2 = await app.inject(signedDelivery({ shopDomain: idle.shopDomain, topic: 'orders/paid' }));
    expect(res2.json()).toEqual({ status: 'ignored', reason: 'workflow_not_running' });
  });

  it('acknowledges topics that need no sync without signalling', async () => {
    const { shopDomain, handle } = await connectedStore('othertopics');
    const answers = [];
    for (const topic of ['customers/redact', 'products/update', 'orders/delete'])
      answers.push((await app.inject(signedDelivery({ shopDomain, topic }))).json());
    expect(answers).toEqual([
      { status: 'ignored', reason: 'topic_not_handled' },
      { status: 'ignored', reason: 'topic_not_handled' },
      { status: 'ignored', reason: 'order_deleted' },
    ]);
    expect(await nudgesIn(handle!)).toEqual([]);
  });

  it("answers 503 when Temporal is unreachable and processes Shopify's retry of the same delivery", async () => {
    const { shopDomain, handle } = await connectedStore('retry');
    const broken = await buildApp({
      database,
      apiToken: API_TOKEN,
      log,
      cipher,
      taskQueue,
      ...pacing,
      shopifyWebhookSecret: SECRET,
      temporal: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      },
    });
    const delivery = signedDelivery({ shopDomain, topic: 'orders/create' });
    const res = await broken.inject(delivery);
    await broken.close();
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('temporal_unavailable');

    const retry = await app.inject(delivery);
    expect(retry.json()).toEqual({ status: 'nudged' });
    expect(await nudgesIn(handle!)).toEqual(['orders/create']);
  });
  it('folds a burst of order webhooks for one shop into a leading and a trailing nudge, and sends a waiting one on close', async () => {
    const { shopDomain, handle } = await connectedStore('burst');
    const debounced = await buildApp({
      database,
      temporal: async () => env.client,
      apiToken: API_TOKEN,
      log,
      cipher,
      taskQueue,
      ...pacing,
      shopifyWebhookSecret: SECRET,
      integrations: { shopifyApiBaseUrl: shopify.url },
      webhookNudgeWindowMs: 1_500,
    });
    try {
      const deliveries = [
        signedDelivery({ shopDomain, topic: 'orders/create' }),
        ...Array.from({ length: 30 }, (_, i) => signedDelivery({ shopDomain, topic: i % 2 ? 'orders/paid' : 'orders/updated' })),
      ];
      const beforeFirst = Date.now();
      const first = await debounced.inject(deliveries[0]!);
      expect(first.json()).toEqual({ status: 'nudged' });
      const beforeBurst = Date.now();
      const burst = await Promise.all(deliveries.slice(1).map((d) => debounced.inject(d)));
      const afterBurst = Date.now();
      expect(burst.map((r) => [r.statusCode, r.json().status])).toEqual(Array(30).fill([200, 'coalesced']));
      // Every delivery is still recorded (de-duplication needs its id), though only two signals are sent.
      const recorded = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.shopDomain, shopDomain));
      expect(new Set(recorded.map((r) => r.webhookId))).toEqual(new Set(deliveries.map((d) => d.headers['x-shopify-webhook-id'])));
      // The window ends: one trailing nudge, with the reason of the last webhook folded into it.
      const trailing = await waitFor('the trailing nudge', async () => {
        const nudges = await nudgesIn(handle!);
        return nudges.length === 2 ? nudges : undefined;
      });
      expect(trailing[0]).toBe('orders/create');
      expect(['orders/paid', 'orders/updated']).toContain(trailing[1]);
      // Each nudge says when its newest webhook arrived: the store loop drops a queued run that a later one covered.
      const [lead, trail] = (await nudgePayloadsIn(handle!)).map((n) => Date.parse(n.receivedAt ?? ''));
      expect(lead).toBeGreaterThanOrEqual(beforeFirst);
      expect(lead).toBeLessThanOrEqual(beforeBurst);
      expect(trail).toBeGreaterThanOrEqual(beforeBurst);
      expect(trail).toBeLessThanOrEqual(afterBurst);
      expect(await firstRunTrigger(handle!)).toBe('webhook');

      // The trailing nudge opened the next window: one more webhook folds, and closing the API sends it.
      expect((await debounced.inject(signedDelivery({ shopDomain, topic: 'orders/updated' }))).json()).toEqual({ status: 'coalesced' });
    } finally {
      await debounced.close();
    }
    expect(await nudgesIn(handle!)).toHaveLength(3);
  });
});

describe("the webhook receiver's raw-body parsing", () => {
  it('verifies a body sent without a content type, and leaves JSON parsing to the other routes', async () => {
    const [, openPglite] = databaseKinds[0];
    const database = await openPglite();
    const app = await buildApp({
      database,
      temporal: async () => env.client,
      apiToken: API_TOKEN,
      log,
      cipher,
      taskQueue: uniqueTaskQueue('webhooks-raw'),
      ...processPacing(database.db),
      shopifyWebhookSecret: SECRET,
    });
    try {
      const d = signedDelivery({ shopDomain: newShopDomain('notype'), topic: 'orders/create' });
      const { 'content-type': _ct, ...headers } = d.headers;
      const res = await app.inject({ ...d, headers });
      expect(res.json()).toEqual({ status: 'ignored', reason: 'unknown_shop' });
      // A JSON route of the same app still gets a parsed body: its schema validation reads the object's keys.
      const json = await app.inject({
        method: 'POST',
        url: '/stores',
        headers: { authorization: `Bearer ${API_TOKEN}` },
        payload: { a: 1 },
      });
      expect(json.statusCode).toBe(400);
      expect(json.json().error).toMatchObject({
        code: 'invalid_request',
        message: expect.stringMatching(/must have required property 'shopDomain'/),
      });
    } finally {
      await app.close();
      await database.close();
    }
  });
});

describe('POST /webhooks/shopify with per-shop secrets', () => {
  it("verifies a shop with its own secret with that secret only, so another shop's signed delivery cannot be replayed against it", async () => {
    const [, openPglite] = databaseKinds[0];
    const database = await openPglite();
    const own = newShopDomain('ownsecret');
    const OWN_SECRET = 'shpss_own_custom_app_secret_for_one_shop';
    const app = await buildApp({
      database,
      temporal: async () => env.client,
      apiToken: API_TOKEN,
      log,
      cipher,
      taskQueue: uniqueTaskQueue('webhooks-pershop'),
      ...processPacing(database.db),
      shopifyWebhookSecret: SECRET,
      shopifyWebhookSecrets: { [own]: OWN_SECRET },
    });
    try {
      // Signed with its own secret: verified (the shop is not connected here, so acknowledged only).
      const ownDelivery = await app.inject(signedDelivery({ shopDomain: own, topic: 'orders/create', secret: OWN_SECRET }));
      expect(ownDelivery.json()).toEqual({ status: 'ignored', reason: 'unknown_shop' });

      // A delivery another shop's app signed, replayed with this shop's domain: refused.
      const captured = signedDelivery({ shopDomain: newShopDomain('elsewhere'), topic: 'orders/create' });
      expect((await app.inject(captured)).json()).toEqual({ status: 'ignored', reason: 'unknown_shop' });
      const replay = await app.inject({ ...captured, headers: { ...captured.headers, 'x-shopify-shop-domain': own } });
      expect(replay.statusCode).toBe(401);
      // Another spelling of the same domain selects the same key.
      const respelled = await app.inject({
        ...captured,
        headers: { ...captured.headers, 'x-shopify-shop-domain': `HTTPS://${own.toUpperCase()}/` },
      });
      expect(respelled.statusCode).toBe(401);
      expect(replay.json().error).toEqual({
        code: 'invalid_hmac',
        message: `X-Shopify-Hmac-Sha256 does not match the request body with ${own}'s own secret (signed for another shop, or the body was altered)`,
      });
      expect(await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.shopDomain, own))).toHaveLength(1);
    } finally {
      await app.close();
      await database.close();
    }
  });
});

describe('POST /webhooks/shopify during a secret rotation', () => {
  it('accepts deliveries signed with the new or the previous app secret, and no other', async () => {
    const [, openPglite] = databaseKinds[0];
    const database = await openPglite();
    const NEW_SECRET = 'shpss_rotated_in_secret_0123456789';
    const app = await buildApp({
      database,
      temporal: async () => env.client,
      apiToken: API_TOKEN,
      log,
      cipher,
      taskQueue: uniqueTaskQueue('webhooks-rotation'),
      ...processPacing(database.db),
      shopifyWebhookSecret: NEW_SECRET,
      shopifyWebhookSecretPrevious: SECRET,
    });
    try {
      const answers = [];
      for (const secret of [NEW_SECRET, SECRET, 'shpss_some_other_apps_secret'])
        answers.push(await app.inject(signedDelivery({ shopDomain: newShopDomain('rotation'), topic: 'orders/create', secret })));
      expect(answers.map((r) => [r.statusCode, r.json().status ?? r.json().error.code])).toEqual([
        [200, 'ignored'],
        [200, 'ignored'],
        [401, 'invalid_hmac'],
      ]);
    } finally {
      await app.close();
      await database.close();
    }
  });
});

describe('POST /webhooks/shopify without a configured secret', () => {
  it('answers 503 naming the setting, and is documented as needing no bearer token', async () => {
    const [, openPglite] = databaseKinds[0];
    const database = await openPglite();
    const app = await buildApp({
      database,
      temporal: async () => env.client,
      apiToken: API_TOKEN,
      log,
      cipher,
      taskQueue: uniqueTaskQueue('webhooks-nosecret'),
      ...processPacing(database.db),
    });
    try {
      const res = await app.inject(signedDelivery({ shopDomain: newShopDomain('nosecret'), topic: 'orders/create' }));
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ error: { code: 'webhooks_not_configured', message: expect.stringMatching(/SHOPIFY_WEBHOOK_SECRET/) } });
      const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
      expect(doc.paths['/webhooks/shopify'].post.security).toEqual([]);
    } finally {
      await app.close();
      await database.close();
    }
  });
});
