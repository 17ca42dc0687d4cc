/**
 * Review before posting through the JSON API (GET /stores/:id/review, POST /stores/:id/review/approve | reject;
 * docs/review.md), with Fastify's inject against the Temporal dev server with a worker running the real activities,
 * both emulators and PostgreSQL: precise 400s for bad bodies, 404 for an unknown store or a key with no document,
 * 409 for a document that is not held; read and operate scopes as for other store routes; every POST in the audit
 * log; approving posts exactly the approved documents once, approving again is refused and a run adds nothing.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../api/app';
import { createApiToken } from '../../api/tokens';
import type { Database } from '../../db/client';
import { auditLog, ledgerEntries, stores } from '../../db/schema';
import type { QboClient } from '../../integrations/qbo/client';
import type { SyncRunSummary } from '../../workflows/definitions';
import { processPacing } from '../support/app';
import { postgresDatabase } from '../support/db';
import {
  insertConnectedStore,
  qboReader,
  startWorld,
  testCipher,
  usSettings,
  worldActivities,
  type SyncWorld,
} from '../support/sync-fixture';
import { devServerEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

type Obj = Record<string, any>;
type Row = typeof ledgerEntries.$inferSelect;

const API_TOKEN = `test-${randomBytes(12).toString('hex')}`;
const admin = { authorization: `Bearer ${API_TOKEN}` };
const cipher = testCipher();
const taskQueue = uniqueTaskQueue('review-api');

let env: TestWorkflowEnvironment;
let database: Database;
let world: SyncWorld;
let app: FastifyInstance;
let worker: Worker;
let workerRun: Promise<void>;
let person: QboClient;
let syncs = 0;

const call = (opts: InjectOptions) => app.inject({ ...opts, headers: { ...admin, ...(opts.headers ?? {}) } });
const approve = (payload: unknown, store = world.storeId) =>
  call({ method: 'POST', url: `/stores/${store}/review/approve`, payload: payload as Obj });
const reject = (payload: unknown, store = world.storeId) =>
  call({ method: 'POST', url: `/stores/${store}/review/reject`, payload: payload as Obj });
const rows = (): Promise<Row[]> =>
  database.db
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.storeId, world.storeId), eq(ledgerEntries.role, 'sale')));

function sync(): Promise<SyncRunSummary> {
  return env.client.workflow.execute('syncRunWorkflow', {
    taskQueue,
    workflowId: `store:${world.shopDomain}:sync:review-test-${++syncs}`,
    args: [{ storeId: world.storeId, shopDomain: world.shopDomain, trigger: 'manual' }],
  });
}

const salesInQbo = async () => [...(await person.query('SalesReceipt')), ...(await person.query('Invoice'))];

let held: Row[];

beforeAll(async () => {
  [env, database, world] = await Promise.all([devServerEnv(), postgresDatabase(), startWorld({ seed: 1818, orders: 16, days: 4 })]);
  await insertConnectedStore(database.db, cipher, world, usSettings({ posting: 'review' }));
  person = qboReader(world, database.db);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: worldActivities(world, database.db, cipher),
  });
  workerRun = worker.run();
  app = await buildApp({
    database,
    apiToken: API_TOKEN,
    log: pino({ level: 'silent' }),
    cipher,
    taskQueue,
    temporal: async () => env.client,
    integrations: { shopifyApiBaseUrl: world.shopify.url, qboEndpoint: world.qbo.v3Endpoint, qboTokenUrl: world.qbo.tokenUrl },
    ...processPacing(database.db),
  });
  await sync();
  held = (await rows()).filter((r) => r.status === 'held');
}, 240_000);

afterAll(async () => {
  await app?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerRun?.catch(() => undefined);
  await env?.teardown();
  await world?.close();
  await database?.close();
});

describe('GET /stores/:id/review', () => {
  it('lists the held documents with their lines, tax, accounts and totals; nothing is in QBO', async () => {
    expect(held.length).toBeGreaterThanOrEqual(5);
    expect(await salesInQbo()).toEqual([]);
    const res = await call({ method: 'GET', url: `/stores/${world.storeId}/review` });
    expect(res.statusCode).toBe(200);
    const body = res.json<Obj>();
    expect(body).toMatchObject({ posting: 'review', count: held.length });
    expect(body.items.map((i: Obj) => i.sourceKey).sort()).toEqual(held.map((r) => r.sourceKey).sort());
    const item = body.items[0] as Obj;
    expect(item).toMatchObject({ state: 'awaiting_review', orderId: expect.stringMatching(/^\d+$/) });
    expect(item.document.lines.length).toBeGreaterThan(0);
    expect(item.document.lines[0]).toMatchObject({
      kind: 'item',
      itemId: expect.any(String),
      amount: expect.stringMatching(/^-?\d+\.\d{2}$/),
    });
    expect(item.document.tax.total).toMatch(/^\d+\.\d{2}$/);
    expect(['SalesReceipt', 'Invoice']).toContain(item.document.docType);
    if (item.document.docType === 'SalesReceipt') expect(item.document.depositAccountId).toEqual(expect.any(String));
  });

  it('answers 404 for an unknown store', async () => {
    const res = await call({ method: 'GET', url: '/stores/no-such-shop/review' });
    expect(res.statusCode).toBe(404);
  });
});

describe('POST /stores/:id/review/approve | reject: input', () => {
  it.each<[string, unknown]>([
    ['an empty body object', {}],
    ['no body', undefined],
    ['both ids and all', { ids: ['order:gid://shopify/Order/1'], all: true }],
    ['all false', { all: false }],
    ['all as text', { all: 'true' }],
    ['an empty list', { ids: [] }],
    ['a key that is no order key', { ids: ['x'] }],
    ['a refund key', { ids: ['refund:gid://shopify/Refund/1'] }],
    ['a key twice', { ids: ['order:gid://shopify/Order/1', 'order:gid://shopify/Order/1'] }],
    ['ids as a string', { ids: 'order:gid://shopify/Order/1' }],
    ['an unknown field', { ids: ['order:gid://shopify/Order/1'], note: 'x' }],
  ])('approve refuses %s with a 400', async (_, payload) => {
    const res = await approve(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json<Obj>().error.code).toMatch(/invalid_request|invalid_body|bad_request|empty_body/);
  });

  it.each<[string, unknown]>([
    ['all', { all: true }],
    ['an empty list', { ids: [] }],
    ['no ids', {}],
  ])('reject refuses %s with a 400', async (_, payload) => {
    expect((await reject(payload)).statusCode).toBe(400);
  });

  it('answers 404 for an unknown store and for keys with no document, naming them; nothing changes', async () => {
    expect((await approve({ all: true }, 'no-such-shop')).statusCode).toBe(404);
    const unknown = 'order:gid://shopify/Order/999999999';
    const res = await approve({ ids: [held[0]!.sourceKey, unknown] });
    expect(res.statusCode).toBe(404);
    expect(res.json<Obj>().error.message).toContain(unknown);
    expect((await reject({ ids: [unknown] })).statusCode).toBe(404);
    expect((await rows()).find((r) => r.sourceKey === held[0]!.sourceKey)).toMatchObject({ status: 'held', reasonCode: 'awaiting_review' });
  });
});

describe('access', () => {
  it('a read token of the store reads the review but may not approve; another store’s token gets 404; each POST is audited', async () => {
    const read = await createApiToken(database.db, { storeId: world.storeId, scope: 'read' });
    // Another store of the same installation, and an operate token for it alone.
    const [mine] = await database.db.select().from(stores).where(eq(stores.id, world.storeId));
    await database.db.insert(stores).values({ ...mine!, id: 'review-other-shop', shopDomain: 'review-other-shop.myshopify.com' });
    const other = await createApiToken(database.db, { storeId: 'review-other-shop', scope: 'operate' });
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await call({ method: 'GET', url: `/stores/${world.storeId}/review`, headers: as(read.token) })).statusCode).toBe(200);
    const denied = await call({
      method: 'POST',
      url: `/stores/${world.storeId}/review/approve`,
      headers: as(read.token),
      payload: { all: true },
    });
    expect(denied.statusCode).toBe(403);
    expect((await call({ method: 'GET', url: `/stores/${world.storeId}/review`, headers: as(other.token) })).statusCode).toBe(404);
    expect(
      (
        await call({
          method: 'POST',
          url: `/stores/${world.storeId}/review/reject`,
          headers: as(other.token),
          payload: { ids: [held[0]!.sourceKey] },
        })
      ).statusCode,
    ).toBe(404);
    const audited = await database.db.select().from(auditLog).where(eq(auditLog.route, '/stores/:id/review/approve'));
    expect(audited.some((a) => a.actorId === read.row.id && a.status === 403)).toBe(true);
    expect((await rows()).filter((r) => r.status === 'held')).toHaveLength(held.length);
  });
});

describe('approve and reject', () => {
  it('approving two posts exactly those once; approving again is a 409; another run adds nothing', async () => {
    const chosen = held.slice(0, 2).map((r) => r.sourceKey);
    const res = await approve({ ids: chosen });
    expect(res.statusCode).toBe(200);
    expect(res.json<Obj>()).toMatchObject({ action: 'approve', changed: chosen, unchanged: [], changedMeanwhile: [] });
    // No store workflow runs in this test, so the requested sync did not start; the run below is the one it asks for.
    expect(res.json<Obj>().sync).toMatchObject({ started: false });
    const list = (await call({ method: 'GET', url: `/stores/${world.storeId}/review` })).json<Obj>();
    expect(
      list.items
        .filter((i: Obj) => i.state === 'approved')
        .map((i: Obj) => i.sourceKey)
        .sort(),
    ).toEqual([...chosen].sort());
    // Approving an approved one again changes nothing.
    expect((await approve({ ids: [chosen[0]] })).json<Obj>()).toMatchObject({ changed: [], unchanged: [chosen[0]] });

    await sync();
    const posted = await salesInQbo();
    const markers = posted.map((d) => /\[(gid:\/\/shopify\/Order\/\d+)\]/.exec(String(d.PrivateNote))?.[1]);
    expect(markers.sort()).toEqual(chosen.map((k) => k.replace(/^order:/, '')).sort());

    const again = await approve({ ids: chosen });
    expect(again.statusCode).toBe(409);
    expect(again.json<Obj>().error.message).toMatch(/not held for review \(synced/);
    await sync();
    expect((await salesInQbo()).map((d) => `${String(d.Id)}:${String(d.SyncToken)}`).sort()).toEqual(
      posted.map((d) => `${String(d.Id)}:${String(d.SyncToken)}`).sort(),
    );
    const audited = await database.db.select().from(auditLog).where(eq(auditLog.route, '/stores/:id/review/approve'));
    expect(audited.map((a) => a.status)).toEqual(expect.arrayContaining([200, 409]));
  });

  it('rejecting ignores the document (reason rejected); it leaves the review list and is not posted', async () => {
    const key = held[2]!.sourceKey;
    const res = await reject({ ids: [key] });
    expect(res.statusCode).toBe(200);
    expect(res.json<Obj>()).toMatchObject({ action: 'reject', changed: [key], sync: null });
    expect((await rows()).find((r) => r.sourceKey === key)).toMatchObject({ status: 'ignored', reasonCode: 'rejected' });
    const list = (await call({ method: 'GET', url: `/stores/${world.storeId}/review` })).json<Obj>();
    expect(list.items.map((i: Obj) => i.sourceKey)).not.toContain(key);
    expect((await reject({ ids: [key] })).statusCode).toBe(409);
    // Un-ignore has the next run build and hold it again.
    const unignored = await call({ method: 'POST', url: `/stores/${world.storeId}/documents/${encodeURIComponent(key)}/unignore` });
    expect(unignored.statusCode).toBe(200);
    await sync();
    expect((await rows()).find((r) => r.sourceKey === key)).toMatchObject({ status: 'held', reasonCode: 'awaiting_review' });
  });

  it('approve all approves every held document', async () => {
    const waiting = (await rows()).filter((r) => r.status === 'held' && r.reasonCode === 'awaiting_review').map((r) => r.sourceKey);
    const res = await approve({ all: true });
    expect(res.statusCode).toBe(200);
    expect([...res.json<Obj>().changed].sort()).toEqual(waiting.sort());
    await sync();
    expect((await rows()).filter((r) => r.status === 'held')).toEqual([]);
    const docs = await salesInQbo();
    const byOrder = new Set(docs.map((d) => /\[(gid:\/\/shopify\/Order\/\d+)\]/.exec(String(d.PrivateNote))?.[1]));
    expect(byOrder.size).toBe(docs.length);
    expect(docs.length).toBe(held.length);
  });
});
