/**
 * The payout routes (api/routes/payouts.ts) through Fastify's inject, against real components: PostgreSQL (rows
 * written with the saga's own savePayoutState) and the Temporal CLI dev server running the real payoutWorkflow,
 * whose activities are doubles typed by the real PayoutActivities contract: each payout follows a script of
 * decisions, so a saga can be held, retried and ended on cue.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../api/app';
import { createApiToken } from '../../api/tokens';
import { createCipher } from '../../config/secrets';
import type { Database } from '../../db/client';
import { getPayout, savePayoutState, type PayoutWrite } from '../../db/queries/payouts';
import { stores } from '../../db/schema';
import { defaultSettings, parseSettings } from '../../domain/settings';
import { PAYOUT_STATE_OF_STEP, type PayoutActivities, type PayoutStep } from '../../workflows/contracts';
import { type PayoutWorkflowInput, payoutWorkflowId } from '../../workflows/definitions';
import type { payoutWorkflow } from '../../workflows/payout';
import { processPacing } from '../support/app';
import { postgresDatabase } from '../support/db';
import { devServerEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

const API_TOKEN = `test-${randomBytes(12).toString('hex')}`;
const admin = { authorization: `Bearer ${API_TOKEN}` };
const cipher = createCipher(`test:${randomBytes(32).toString('base64')}`);
const taskQueue = uniqueTaskQueue('payouts-api');
const GID = (legacy: string) => `gid://shopify/ShopifyPaymentsPayout/${legacy}`;

let env: TestWorkflowEnvironment;
let database: Database;
let app: FastifyInstance;
/** The same app, with a Temporal that cannot be reached. */
let offline: FastifyInstance;
let worker: Worker;
let workerRun: Promise<void>;

// ---------------------------------------------------------------------------------------------------
// The saga's activities, scripted per payout: each assessment takes the next step of its payout's script (the last
// one repeats) and records it on the row, as the real assessment does.

interface Script {
  steps: PayoutStep[];
  /** Milliseconds an assessment takes, by its 1-based number. */
  slow?: Record<number, number>;
}
const scripts = new Map<string, Script>();
const assessed = new Map<string, number>();

const STATE_OF = PAYOUT_STATE_OF_STEP;

function scriptedPayoutActivities(db: Database['db']): PayoutActivities {
  return {
    async payoutsDiscover() {
      return { listed: 0, started: 0, signalled: 0, settled: 0, skipped: 'not in this test' };
    },
    async payoutAssess({ storeId, payoutId }) {
      const n = (assessed.get(payoutId) ?? 0) + 1;
      assessed.set(payoutId, n);
      const script = scripts.get(payoutId);
      if (!script) throw new Error(`no script for ${payoutId}`);
      const delay = script.slow?.[n];
      if (delay) await new Promise((r) => setTimeout(r, delay));
      const step = script.steps[Math.min(n, script.steps.length) - 1]!;
      const row = await getPayout(db, { storeId, payoutId });
      const state = step.action === 'done' ? (step.outcome ?? 'posted') : STATE_OF[step.action];
      if (row) await savePayoutState(db, { row: { ...row, state, reason: step.reason, updatedAt: new Date() } });
      return { status: 'PAID', step, posted: null, orderIds: [] };
    },
    async payoutRequestDocuments() {},
    async payoutPost() {
      return { ok: false, held: 'not in this test' };
    },
    async payoutRemove() {},
    async payoutRecord({ storeId, payoutId, state, reason }) {
      const row = await getPayout(db, { storeId, payoutId });
      if (row) await savePayoutState(db, { row: { ...row, state, reason, updatedAt: new Date() } });
    },
  };
}

beforeAll(async () => {
  [env, database] = await Promise.all([devServerEnv(), postgresDatabase()]);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: scriptedPayoutActivities(database.db),
  });
  workerRun = worker.run();
  const pacing = processPacing(database.db);
  const base = { database, apiToken: API_TOKEN, log: pino({ level: 'silent' }), cipher, taskQueue, ...pacing };
  app = await buildApp({ ...base, temporal: async () => env.client });
  offline = await buildApp({ ...base, temporal: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) });
}, 180_000);

afterAll(async () => {
  await app?.close();
  await offline?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerRun?.catch(() => undefined);
  await env?.teardown();
  await database?.close();
});

// ---------------------------------------------------------------------------------------------------

let seq = 0;
const ACCOUNTS = {
  undepositedFunds: '4',
  productIncome: '1',
  shippingIncome: '2',
  discounts: '3',
  giftCardLiability: '5',
  tips: '6',
  duties: '7',
  fees: '8',
};

/** A store row as connect leaves it, payouts on (unless told otherwise). */
async function newStore(opts: { state?: 'active' | 'paused' | 'disconnected'; payouts?: boolean } = {}) {
  const id = `payouts-${process.pid}-${++seq}`;
  const shopDomain = `${id}.myshopify.com`;
  const settings = parseSettings({
    ...defaultSettings(ACCOUNTS),
    payouts: { enabled: opts.payouts ?? true, bankAccountId: '35', clearingAccountId: '90' },
  });
  await database.db.insert(stores).values({
    id,
    shopDomain,
    qboRealmId: '9130000000000001',
    settings,
    state: opts.state ?? 'active',
    startDate: new Date('2026-01-01T00:00:00Z'),
  });
  return { id, shopDomain };
}

function payoutRow(store: { id: string; shopDomain: string }, legacyId: string, extra: Partial<PayoutWrite> = {}): PayoutWrite {
  return {
    storeId: store.id,
    payoutId: GID(legacyId),
    legacyId,
    status: 'PAID',
    issuedAt: new Date('2026-11-01T12:00:00Z'),
    currency: 'USD',
    netMinor: 123_45,
    feesMinor: 3_21,
    state: 'posted',
    workflowId: payoutWorkflowId(store.shopDomain, legacyId),
    ...extra,
  };
}

async function insert(row: PayoutWrite): Promise<void> {
  await savePayoutState(database.db, { row });
}

async function call(
  method: InjectOptions['method'],
  url: string,
  opts: { payload?: unknown; headers?: Record<string, string>; on?: FastifyInstance } = {},
) {
  const res = await (opts.on ?? app).inject({
    method,
    url,
    headers: opts.headers ?? admin,
    ...(opts.payload === undefined ? {} : { payload: opts.payload as InjectOptions['payload'] }),
  });
  return { status: res.statusCode, body: res.body ? res.json() : undefined, text: res.body };
}

async function eventually<T>(probe: () => Promise<T>, accept: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts the real saga for a row, as discovery would. */
async function startSaga(store: { id: string; shopDomain: string }, legacyId: string, script: Script) {
  scripts.set(GID(legacyId), script);
  const input: PayoutWorkflowInput = { storeId: store.id, shopDomain: store.shopDomain, payoutId: GID(legacyId), legacyId };
  return env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', {
    workflowId: payoutWorkflowId(store.shopDomain, legacyId),
    taskQueue,
    args: [input],
  });
}

const hold = (reason: string): PayoutStep => ({ action: 'hold', reason });
const done = (reason: string): PayoutStep => ({ action: 'done', reason, outcome: 'posted' });

// ---------------------------------------------------------------------------------------------------

describe('GET /stores/:id/payouts', () => {
  it('lists newest first with money as decimals and minor units, blockers counted, and the counts by state', async () => {
    const store = await newStore();
    const blockers = Array.from({ length: 5 }, (_, i) => ({
      transactionId: `gid://shopify/ShopifyPaymentsBalanceTransaction/${i + 1}`,
      orderTransactionId: null,
      orderId: `gid://shopify/Order/${100 + i}`,
      orderName: `#${100 + i}`,
      kind: 'waits',
      code: 'order_parked',
      reason: `Order #${100 + i} is parked: no item for SKU X${i}`,
    }));
    await insert(payoutRow(store, '1001', { issuedAt: new Date('2026-10-01T00:00:00Z'), depositId: '501', state: 'posted' }));
    await insert(
      payoutRow(store, '1002', {
        issuedAt: new Date('2026-10-02T00:00:00Z'),
        state: 'waiting_documents',
        reason: 'Waiting for 5 documents',
        blockers,
        netMinor: -2_50,
        feesMinor: null,
      }),
    );
    await insert(payoutRow(store, '1003', { issuedAt: new Date('2026-10-03T00:00:00Z'), currency: 'JPY', netMinor: 1500, feesMinor: 45 }));

    const res = await call('GET', `/stores/${store.id}/payouts`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.map((i: { legacyId: string }) => i.legacyId)).toEqual(['1003', '1002', '1001']);
    const [jpy, waiting, posted] = res.body.items;
    expect(jpy).toMatchObject({ currency: 'JPY', net: '1500', netMinor: 1500, fees: '45', feesMinor: 45 });
    expect(waiting).toMatchObject({
      payoutId: GID('1002'),
      status: 'PAID',
      issuedAt: '2026-10-02T00:00:00.000Z',
      net: '-2.50',
      netMinor: -250,
      fees: null,
      feesMinor: null,
      state: 'waiting_documents',
      reason: 'Waiting for 5 documents',
      needsAttention: false,
      depositId: null,
      workflowId: `store:${store.shopDomain}:payout:1002`,
      blockers: { count: 5, first: blockers.slice(0, 3) },
    });
    expect(posted).toMatchObject({ net: '123.45', fees: '3.21', depositId: '501', blockers: { count: 0, first: [] } });
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.counts).toMatchObject({ posted: 2, waiting_documents: 1, held: 0, discovered: 0 });
  });

  it('pages by cursor without gaps or repeats (ties on the issue date included), and filters by state and attention', async () => {
    const store = await newStore();
    const same = new Date('2026-09-15T08:00:00Z');
    const legacy = ['2001', '2002', '2003', '2004', '2005', '2006', '2007'];
    for (const [i, id] of legacy.entries()) {
      await insert(
        payoutRow(store, id, {
          // Three share an issue date: the gid breaks the tie.
          issuedAt: i < 3 ? same : new Date(Date.UTC(2026, 8, 15 + i)),
          state: i === 1 ? 'held' : i === 4 ? 'waiting_documents' : 'posted',
          needsAttention: i === 1 || i === 6,
        }),
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await call('GET', `/stores/${store.id}/payouts?limit=3${q}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((i: { legacyId: string }) => i.legacyId));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['2007', '2006', '2005', '2004', '2003', '2002', '2001']);

    const held = await call('GET', `/stores/${store.id}/payouts?state=held`);
    expect(held.body.items.map((i: { legacyId: string }) => i.legacyId)).toEqual(['2002']);
    expect(held.body.counts).toMatchObject({ held: 1, waiting_documents: 1, posted: 5 });
    const attention = await call('GET', `/stores/${store.id}/payouts?attention=true`);
    expect(attention.body.items.map((i: { legacyId: string }) => i.legacyId)).toEqual(['2007', '2005', '2002']);
    const all = await call('GET', `/stores/${store.id}/payouts?attention=false`);
    expect(all.body.items).toHaveLength(7);
    const heldAttention = await call('GET', `/stores/${store.id}/payouts?attention=true&state=posted`);
    expect(heldAttention.body.items.map((i: { legacyId: string }) => i.legacyId)).toEqual(['2007']);
  });

  it('answers 400 for a bad limit, cursor, state or attention, and 404 for an unknown store', async () => {
    const store = await newStore();
    const base = `/stores/${store.id}/payouts`;
    const forged = Buffer.from(JSON.stringify(['not a date', GID('1')])).toString('base64url');
    const foreign = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 'gid://shopify/Order/1'])).toString('base64url');
    for (const [query, field] of [
      ['limit=0', 'querystring.limit'],
      ['limit=201', 'querystring.limit'],
      ['limit=ten', 'querystring.limit'],
      ['cursor=%%%', 'query.cursor'],
      [`cursor=${forged}`, 'query.cursor'],
      [`cursor=${foreign}`, 'query.cursor'],
      ['state=paid', 'query.state'],
      ['attention=yes', 'querystring.attention'],
      ['colour=red', undefined],
    ] as const) {
      const res = await call('GET', `${base}?${query}`);
      expect(res.status, `${query}: ${res.text}`).toBe(400);
      if (field) expect(res.body.error.details.field, query).toBe(field);
    }
    const badState = await call('GET', `${base}?state=paid`);
    expect(badState.body.error.message).toContain('Unknown payout state "paid"; allowed: discovered, scheduled');
    const unknown = await call('GET', '/stores/no-such-store/payouts');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('Store no-such-store not found');
  });
});

describe('GET /stores/:id/payouts/:payoutId', () => {
  it('shows the row, every blocker and the reconciliation report, by legacy id or URL-encoded gid', async () => {
    const store = await newStore();
    const blockers = Array.from({ length: 5 }, (_, i) => ({
      transactionId: `gid://shopify/ShopifyPaymentsBalanceTransaction/${i + 1}`,
      orderTransactionId: null,
      orderId: null,
      orderName: `#${200 + i}`,
      kind: 'permanent',
      code: 'no_document',
      reason: `Order #${200 + i} went to the clearing line`,
    }));
    const report = {
      payoutId: GID('3001'),
      legacyId: '3001',
      docNumber: 'SP3001',
      currency: 'USD',
      payoutNet: { minor: 12345, currency: 'USD' },
      depositTotal: { minor: 12345, currency: 'USD' },
      fees: { minor: 321, currency: 'USD' },
      feesBooked: { minor: 321, currency: 'USD' },
      rows: [
        {
          transactionId: 'gid://shopify/ShopifyPaymentsBalanceTransaction/9',
          type: 'CHARGE',
          category: 'charge',
          amount: { minor: 12666, currency: 'USD' },
          fee: { minor: 321, currency: 'USD' },
          net: { minor: 12345, currency: 'USD' },
          orderName: '#1001',
          via: null,
          outcome: 'linked',
          lineIndex: 0,
          document: { txnType: 'SalesReceipt', txnId: '77', docNumber: 'SH-1001' },
          accountId: '4',
        },
      ],
      lines: [],
      clearing: [{ accountId: '4', change: { minor: 0, currency: 'USD' } }],
      clearingBalanced: true,
      flags: [{ code: 'clearing_line', reason: 'one charge went to the clearing line' }],
      needsAttention: true,
    };
    await insert(payoutRow(store, '3001', { depositId: '601', report, blockers, needsAttention: true }));

    const byLegacy = await call('GET', `/stores/${store.id}/payouts/3001?live=false`);
    expect(byLegacy.status, byLegacy.text).toBe(200);
    expect(byLegacy.body).toMatchObject({
      payoutId: GID('3001'),
      legacyId: '3001',
      net: '123.45',
      depositId: '601',
      needsAttention: true,
      blockers,
      report,
      liveError: 'not asked for (live=false)',
      workflowStatus: null,
    });
    expect(byLegacy.body.live).toBeUndefined();
    const byGid = await call('GET', `/stores/${store.id}/payouts/${encodeURIComponent(GID('3001'))}?live=false`);
    expect(byGid.status, byGid.text).toBe(200);
    expect(byGid.body).toEqual(byLegacy.body);

    // No saga in Temporal for it: the row still answers, and says why there is no live status.
    const live = await call('GET', `/stores/${store.id}/payouts/3001`);
    expect(live.status).toBe(200);
    expect(live.body.live).toBeUndefined();
    expect(live.body.liveError).toContain(`Temporal has no saga store:${store.shopDomain}:payout:3001`);
  });

  it("answers 404 for a payout the store has not seen (another store's included) and 400 for an id that names none", async () => {
    const store = await newStore();
    const other = await newStore();
    await insert(payoutRow(other, '4001'));
    for (const id of ['4001', '999', encodeURIComponent(GID('999'))]) {
      const res = await call('GET', `/stores/${store.id}/payouts/${id}`);
      expect(res.status, id).toBe(404);
      expect(res.body.error.message).toContain(
        `Payout ${decodeURIComponent(id)} of ${store.shopDomain} not found: Ledgerline has not seen it`,
      );
    }
    for (const id of ['abc', '12a', encodeURIComponent('gid://shopify/Order/1'), '1'.repeat(21)]) {
      const res = await call('GET', `/stores/${store.id}/payouts/${id}`);
      expect(res.status, id).toBe(400);
      expect(res.body.error.details.field, id).toBe('params.payoutId');
    }
    // The id is refused before the store is looked up, as every schema failure is.
    const both = await call('GET', '/stores/no-such-store/payouts/abc');
    expect(both.status).toBe(400);
    expect(both.body.error.details.field).toBe('params.payoutId');
  });

  it("carries the running saga's live status; with Temporal unreachable it answers without it and says why", async () => {
    const store = await newStore();
    await insert(payoutRow(store, '5001', { state: 'discovered' }));
    const handle = await startSaga(store, '5001', { steps: [hold('Needs a fee account')] });
    await eventually(
      () => getPayout(database.db, { storeId: store.id, payoutId: GID('5001') }),
      (r) => r?.state === 'held',
      'held',
    );
    const res = await call('GET', `/stores/${store.id}/payouts/5001`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      state: 'held',
      reason: 'Needs a fee account',
      workflowStatus: 'RUNNING',
      liveError: null,
      live: { payoutId: GID('5001'), legacyId: '5001', state: 'held', reason: 'Needs a fee account', assessments: 1 },
    });
    const started = Date.now();
    const cut = await call('GET', `/stores/${store.id}/payouts/5001`, { on: offline });
    expect(cut.status, cut.text).toBe(200);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(cut.body.live).toBeUndefined();
    expect(cut.body.state).toBe('held');
    expect(cut.body.liveError).toContain('ECONNREFUSED');
    await handle.terminate('test over');
  });
});

describe('POST /stores/:id/payouts/:payoutId/retry', () => {
  it('asks a held saga to decide again: 200 with its new status once it has', async () => {
    const store = await newStore();
    await insert(payoutRow(store, '6001', { state: 'discovered' }));
    const handle = await startSaga(store, '6001', { steps: [hold('Needs a fee account'), hold('Still no vendor for fees')] });
    await eventually(
      () => getPayout(database.db, { storeId: store.id, payoutId: GID('6001') }),
      (r) => r?.state === 'held',
      'held',
    );

    const res = await call('POST', `/stores/${store.id}/payouts/6001/retry`, { payload: { reason: 'fee account set', requestId: 'r-1' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      result: 'retried',
      workflowId: handle.workflowId,
      runId: handle.firstExecutionRunId,
      updateId: 'retry:r-1',
      saga: { state: 'held', reason: 'Still no vendor for fees', assessments: 2 },
    });
    expect(assessed.get(GID('6001'))).toBe(2);
    // The same requestId reaches the same update: no third assessment.
    const again = await call('POST', `/stores/${store.id}/payouts/6001/retry`, { payload: { requestId: 'r-1' } });
    expect(again.status, again.text).toBe(200);
    expect(again.body.saga.assessments).toBe(2);
    expect(assessed.get(GID('6001'))).toBe(2);
    await handle.terminate('test over');
  });

  it('answers 202 when the saga accepted the retry but had not decided within ?wait=', async () => {
    const store = await newStore();
    await insert(payoutRow(store, '6101', { state: 'discovered' }));
    const handle = await startSaga(store, '6101', { steps: [hold('Held'), done('Posted as Deposit 9')], slow: { 2: 4_000 } });
    await eventually(
      () => getPayout(database.db, { storeId: store.id, payoutId: GID('6101') }),
      (r) => r?.state === 'held',
      'held',
    );
    const res = await call('POST', `/stores/${store.id}/payouts/6101/retry?wait=1`);
    expect(res.status, res.text).toBe(202);
    expect(res.body).toMatchObject({
      result: 'accepted',
      workflowId: handle.workflowId,
      runId: handle.firstExecutionRunId,
      statusUrl: `/stores/${store.id}/payouts/6101`,
    });
    expect(res.body.updateId).toMatch(/^retry:/);
    // The saga goes on: it decides, ends posted, and the row says so.
    expect((await handle.result()).state).toBe('posted');
    expect((await getPayout(database.db, { storeId: store.id, payoutId: GID('6101') }))?.state).toBe('posted');
  });

  it('starts an ended saga again (202) with the ids discovery gives it', async () => {
    const store = await newStore();
    await insert(payoutRow(store, '7001', { state: 'discovered' }));
    const first = await startSaga(store, '7001', { steps: [done('Posted as Deposit 700')] });
    expect((await first.result()).state).toBe('posted');
    expect(assessed.get(GID('7001'))).toBe(1);

    const res = await call('POST', `/stores/${store.id}/payouts/7001/retry`);
    expect(res.status, res.text).toBe(202);
    expect(res.body).toMatchObject({
      result: 'restarted',
      workflowId: first.workflowId,
      previousStatus: 'COMPLETED',
      updateId: null,
      statusUrl: `/stores/${store.id}/payouts/7001`,
    });
    expect(res.body.runId).not.toBe(first.firstExecutionRunId);
    const rerun = env.client.workflow.getHandle(first.workflowId, res.body.runId);
    expect(await rerun.result()).toMatchObject({ payoutId: GID('7001'), legacyId: '7001', state: 'posted', assessments: 1 });
    expect(assessed.get(GID('7001'))).toBe(2);
    const described = await rerun.describe();
    expect(described.taskQueue).toBe(taskQueue);
    expect(described.status.name).toBe('COMPLETED');
  });

  it('starts a saga Temporal has never run (the row alone exists)', async () => {
    const store = await newStore();
    await insert(payoutRow(store, '7101', { state: 'held', reason: 'from an earlier cluster' }));
    scripts.set(GID('7101'), { steps: [done('Posted')] });
    const res = await call('POST', `/stores/${store.id}/payouts/${encodeURIComponent(GID('7101'))}/retry`);
    expect(res.status, res.text).toBe(202);
    expect(res.body).toMatchObject({ result: 'restarted', previousStatus: null, workflowId: `store:${store.shopDomain}:payout:7101` });
    expect((await env.client.workflow.getHandle(res.body.workflowId, res.body.runId).result()).state).toBe('posted');
  });

  it('answers 404 for an unknown payout, 409 for a paused or disconnected store or payouts off, 503 without Temporal', async () => {
    const store = await newStore();
    await insert(payoutRow(store, '8001'));
    const unknown = await call('POST', `/stores/${store.id}/payouts/8999/retry`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain(`Payout 8999 of ${store.shopDomain} not found`);

    for (const [opts, code] of [
      [{ state: 'paused' }, 'store_paused'],
      [{ state: 'disconnected' }, 'store_disconnected'],
      [{ payouts: false }, 'payouts_off'],
    ] as const) {
      const s = await newStore(opts);
      await insert(payoutRow(s, '8002'));
      const res = await call('POST', `/stores/${s.id}/payouts/8002/retry`);
      expect(res.status, res.text).toBe(409);
      expect(res.body.error.code).toBe(code);
    }
    // Nothing was started for any of them.
    await expect(env.client.workflow.getHandle(payoutWorkflowId(store.shopDomain, '8999')).describe()).rejects.toThrow();

    const cut = await call('POST', `/stores/${store.id}/payouts/8001/retry`, { on: offline });
    expect(cut.status, cut.text).toBe(503);
    expect(cut.body.error.code).toBe('temporal_unavailable');

    const badBody = await call('POST', `/stores/${store.id}/payouts/8001/retry`, { payload: { reason: 'x', extra: 1 } });
    expect(badBody.status).toBe(400);
    const badWait = await call('POST', `/stores/${store.id}/payouts/8001/retry?wait=61`);
    expect(badWait.status).toBe(400);
  });

  it("with no worker on the saga's queue: the detail answers without `live` after 3 s, the retry 503 after 10 s", async () => {
    const store = await newStore();
    await insert(payoutRow(store, '8501', { state: 'held' }));
    const input: PayoutWorkflowInput = { storeId: store.id, shopDomain: store.shopDomain, payoutId: GID('8501'), legacyId: '8501' };
    const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', {
      workflowId: payoutWorkflowId(store.shopDomain, '8501'),
      taskQueue: uniqueTaskQueue('nobody-polls'),
      args: [input],
    });
    let started = Date.now();
    const detail = await call('GET', `/stores/${store.id}/payouts/8501`);
    expect(detail.status, detail.text).toBe(200);
    // Describe and query have 3 s each; a loaded CI machine may take most of both.
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(detail.body).toMatchObject({ state: 'held', workflowStatus: 'RUNNING' });
    expect(detail.body.live).toBeUndefined();
    expect(detail.body.liveError).toBe('Temporal did not answer the status query within 3 s (is a worker running?)');

    started = Date.now();
    const retry = await call('POST', `/stores/${store.id}/payouts/8501/retry`);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(retry.status, retry.text).toBe(503);
    expect(retry.body.error).toMatchObject({ code: 'retry_not_accepted' });
    expect(retry.body.error.message).toContain('did not accept the retry within 10 s; is a Ledgerline worker running?');
    await handle.terminate('test over');
  }, 30_000);

  it('a read token lists and shows payouts but cannot retry (403)', async () => {
    const store = await newStore();
    await insert(payoutRow(store, '9001'));
    const { token } = await createApiToken(database.db, { storeId: store.id, scope: 'read', label: 'payouts reader' });
    const headers = { authorization: `Bearer ${token}` };
    expect((await call('GET', `/stores/${store.id}/payouts`, { headers })).status).toBe(200);
    expect((await call('GET', `/stores/${store.id}/payouts/9001?live=false`, { headers })).status).toBe(200);
    const retry = await call('POST', `/stores/${store.id}/payouts/9001/retry`, { headers });
    expect(retry.status).toBe(403);
    expect(retry.body.error.code).toBe('forbidden');
    // A store token for another store gets the unknown store's 404.
    const other = await newStore();
    expect((await call('GET', `/stores/${other.id}/payouts`, { headers })).status).toBe(404);
  });
});
