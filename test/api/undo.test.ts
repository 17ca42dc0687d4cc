/**
 * Undo (POST /stores/:id/undo, GET /stores/:id/undo/:undoId; issue #17) through Fastify's inject, against the Temporal
 * dev server with a worker running the real activities, both emulators and PostgreSQL: precise 400s; a preview lists
 * the window's documents and writes nothing; an apply waits for a running sync's write lease, then deletes exactly the
 * window's documents from QBO and marks their rows undone; the same apply again does nothing; the next sync does not
 * book them again; a redo (unignore) books one again.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../api/app';
import type { Database } from '../../db/client';
import { acquireWriteLease, releaseWriteLease } from '../../db/queries';
import { ledgerEntries } from '../../db/schema';
import type { QboClient } from '../../integrations/qbo/client';
import type { SyncRunSummary, SyncWindow } from '../../workflows/definitions';
import { processPacing } from '../support/app';
import { postgresDatabase } from '../support/db';
import { insertConnectedStore, qboReader, startWorld, testCipher, worldActivities, type SyncWorld } from '../support/sync-fixture';
import { devServerEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

type Obj = Record<string, any>;
type Row = typeof ledgerEntries.$inferSelect;

const API_TOKEN = `test-${randomBytes(12).toString('hex')}`;
const admin = { authorization: `Bearer ${API_TOKEN}` };
const cipher = testCipher();
const taskQueue = uniqueTaskQueue('undo-api');

let env: TestWorkflowEnvironment;
let database: Database;
let world: SyncWorld;
let app: FastifyInstance;
let worker: Worker;
let workerRun: Promise<void>;
let person: QboClient;
let syncs = 0;

const call = (opts: InjectOptions) => app.inject({ ...opts, headers: { ...admin, ...(opts.headers ?? {}) } });
const undo = (payload: unknown, wait?: number) =>
  call({ method: 'POST', url: `/stores/${world.storeId}/undo${wait === undefined ? '' : `?wait=${wait}`}`, payload: payload as Obj });
const rows = (): Promise<Row[]> => database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, world.storeId));

function sync(window?: SyncWindow): Promise<SyncRunSummary> {
  return env.client.workflow.execute('syncRunWorkflow', {
    taskQueue,
    workflowId: `store:${world.shopDomain}:sync:undo-test-${++syncs}`,
    args: [{ storeId: world.storeId, shopDomain: world.shopDomain, trigger: window ? 'resync' : 'manual', ...(window ? { window } : {}) }],
  });
}

/** Does QBO still hold the document? */
async function inQbo(type: string, id: string): Promise<boolean> {
  try {
    const doc = await person.read(type, id);
    return doc.status !== 'Deleted';
  } catch {
    return false;
  }
}

const live = (r: Row) =>
  r.qboId !== null && r.status !== 'voided' && r.status !== 'undone' && r.sourceKey.startsWith('order') === (r.role !== 'refund');

let window: { from: string; to: string };

beforeAll(async () => {
  [env, database, world] = await Promise.all([devServerEnv(), postgresDatabase(), startWorld({ seed: 1717, orders: 24, days: 6 })]);
  await insertConnectedStore(database.db, cipher, world);
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
  // The window: the older half of the booked orders, by the time the ledger knows them by.
  const sales = (await rows())
    .filter((r) => r.role === 'sale' && r.status === 'synced')
    .map((r) => r.sourceUpdatedAt!.getTime())
    .sort((a, b) => a - b);
  window = { from: new Date(sales[0]!).toISOString(), to: new Date(sales[Math.floor(sales.length / 2)]!).toISOString() };
}, 240_000);

afterAll(async () => {
  await app?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerRun?.catch(() => undefined);
  await env?.teardown();
  await world?.close();
  await database?.close();
});

describe('POST /stores/:id/undo: input', () => {
  const past = '2026-01-01T00:00:00Z';
  const later = '2026-02-01T00:00:00Z';
  const future = new Date(Date.now() + 86_400_000).toISOString();

  it.each([
    ['no mode', { from: past, to: later }, /mode/],
    ['an unknown mode', { from: past, to: later, mode: 'delete' }, /mode/],
    ['no to', { from: past, mode: 'preview' }, /to/],
    ['an unknown key', { from: past, to: later, mode: 'preview', redo: true }, /additional/i],
    ['an unknown kind', { from: past, to: later, mode: 'preview', kinds: ['payouts'] }, /kinds/],
    ['no kinds at all', { from: past, to: later, mode: 'preview', kinds: [] }, /kinds/],
    ['a repeated kind', { from: past, to: later, mode: 'preview', kinds: ['orders', 'orders'] }, /kinds/],
    ['a date that is no date', { from: 'yesterday', to: later, mode: 'preview' }, /from/],
    ['from after to', { from: later, to: past, mode: 'preview' }, /from \(2026-02-01T00:00:00Z\) must be before to/],
    ['from in the future', { from: future, to: future, mode: 'preview' }, /is in the future/],
    ['to in the future', { from: past, to: future, mode: 'preview' }, /to \(.*\) is in the future/],
    ['from before 2000', { from: '1999-12-31T00:00:00Z', to: later, mode: 'preview' }, /earliest a window may start/],
  ])('refuses %s with a 400 saying why', async (_what, body, message) => {
    const res = await undo(body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toMatch(message);
  });

  it('answers 404 for a store it does not know, and for an undo it never started', async () => {
    expect((await call({ method: 'POST', url: '/stores/nope/undo', payload: { from: past, to: later, mode: 'preview' } })).statusCode).toBe(
      404,
    );
    expect((await call({ method: 'GET', url: `/stores/${world.storeId}/undo/u-0000000000000000` })).statusCode).toBe(404);
    expect((await call({ method: 'GET', url: `/stores/${world.storeId}/undo/not-an-id` })).statusCode).toBe(400);
  });
});

describe('undo a window', () => {
  let undoId: string;
  let planned: Obj[];

  it('previews every document Ledgerline created for the window, and writes nothing', async () => {
    const before = await rows();
    const res = await undo({ ...window, mode: 'preview' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.mode).toBe('preview');
    expect(body.undoId).toMatch(/^u-[0-9a-f]{16}$/);
    expect(body.notes.join(' ')).toMatch(/Payout Deposits/);
    planned = body.items.filter((i: Obj) => i.action === 'delete');
    expect(planned.length).toBeGreaterThan(0);
    expect(body.counts.delete).toBe(planned.length);
    // Exactly the live documents of the window's orders (and their refunds).
    const inWindow = new Set(
      before
        .filter((r) => r.role === 'sale' && r.sourceUpdatedAt! >= new Date(window.from) && r.sourceUpdatedAt! < new Date(window.to))
        .map((r) => r.sourceKey),
    );
    const expected = before.filter((r) => live(r) && (inWindow.has(r.sourceKey) || inWindow.has(r.parentSourceKey ?? '')));
    expect(planned.map((i) => `${i.qboType} ${i.qboId}`).sort()).toEqual(expected.map((r) => `${r.qboType} ${r.qboId}`).sort());
    for (const item of planned) {
      expect(item.qboDocNumber === null || typeof item.qboDocNumber === 'string').toBe(true);
      expect(item.total).toMatch(/^-?\d+\.\d{2}$/);
      expect(item.sourceKey).toMatch(/^(order|refund):gid:\/\/shopify\//);
    }
    expect(await rows()).toEqual(before);
    for (const item of planned) expect(await inQbo(item.qboType, item.qboId)).toBe(true);
    undoId = body.undoId;
  });

  it('waits for a running sync (the store write lease), then deletes exactly the window’s documents and marks their rows', async () => {
    const before = await rows();
    await acquireWriteLease(database.db, { storeId: world.storeId, holder: 'a-sync/run', at: new Date(), ttlMs: 60_000 });
    const started = await undo({ ...window, mode: 'apply' }, 2);
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toMatchObject({ undoId, status: 'running', statusUrl: `/stores/${world.storeId}/undo/${undoId}` });
    expect(await rows()).toEqual(before);
    await releaseWriteLease(database.db, { storeId: world.storeId, holder: 'a-sync/run' });

    const res = await call({ method: 'GET', url: `/stores/${world.storeId}/undo/${undoId}?wait=60` });
    expect(res.statusCode, res.body).toBe(200);
    const { result } = res.json();
    expect(result.deleted).toBe(planned.length);
    expect(result.refused).toBe(0);
    for (const item of planned) expect(await inQbo(item.qboType, item.qboId)).toBe(false);
    // Everything else stays booked.
    const others = before.filter((r) => live(r) && !planned.some((p) => p.qboId === r.qboId && p.qboType === r.qboType));
    expect(others.length).toBeGreaterThan(0);
    for (const r of others) expect(await inQbo(r.qboType!, r.qboId!)).toBe(true);
    const after = await rows();
    for (const item of planned) {
      const row = after.find((r) => r.sourceKey === item.sourceKey && r.role === item.role)!;
      expect(row.status).toBe('undone');
      expect(row.reason).toMatch(new RegExp(`^Deleted from QBO by undo ${undoId} at \\d{4}-`));
    }
  });

  it('does nothing the second time', async () => {
    const before = await rows();
    const res = await undo({ ...window, mode: 'apply' }, 60);
    expect(res.statusCode, res.body).toBe(200);
    const { undoId: again, result } = res.json();
    expect(again).toBe(undoId);
    expect(result).toMatchObject({ deleted: 0, gone: 0, refused: 0 });
    expect(result.items.filter((i: Obj) => i.code === 'already_undone')).toHaveLength(planned.length);
    expect(await rows()).toEqual(before);
  });

  it('is not booked again by the next sync, even one that re-reads the whole history', async () => {
    const summary = await sync({ from: '2000-01-01T00:00:00Z' });
    expect(summary.failed).toBe(0);
    const after = await rows();
    for (const item of planned) {
      const row = after.find((r) => r.sourceKey === item.sourceKey && r.role === item.role)!;
      expect(row.status).toBe('undone');
      expect(row.qboId).toBe(item.qboId);
    }
    for (const item of planned) expect(await inQbo(item.qboType, item.qboId)).toBe(false);
  });

  it('books an order again when a person redoes it (unignore)', async () => {
    const sale = planned.find((i) => i.role === 'sale')!;
    const res = await call({ method: 'POST', url: `/stores/${world.storeId}/documents/${encodeURIComponent(sale.sourceKey)}/unignore` });
    expect(res.statusCode, res.body).toBe(200);
    const parked = (await rows()).find((r) => r.sourceKey === sale.sourceKey && r.role === 'sale')!;
    expect(parked).toMatchObject({ status: 'parked', reasonCode: 'redo_requested', qboId: null });
    await sync();
    const [redone] = await database.db
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.storeId, world.storeId), eq(ledgerEntries.sourceKey, sale.sourceKey), eq(ledgerEntries.role, 'sale')));
    expect(redone!.status, redone!.reason ?? '').toBe('synced');
    expect(redone!.qboId).not.toBe(sale.qboId);
    expect(await inQbo(redone!.qboType!, redone!.qboId!)).toBe(true);
    // The others stay undone.
    const still = (await rows()).filter((r) => r.status === 'undone');
    expect(still.length).toBeGreaterThan(0);
  });

  it('books a refund made while its order was undone, once the order is redone', async () => {
    const sale = planned.filter((i) => i.role === 'sale')[1]!;
    const orderId = sale.sourceKey.slice('order:'.length);
    const order = world.shopify.admin.getOrder(world.shopDomain, orderId);
    const line = (order.lineItems.nodes as Obj[]).find((l) => l.refundableQuantity > 0)!;
    const refund = world.shopify.admin.addRefund(world.shopDomain, orderId, {
      lineItems: [{ lineItemId: line.id, quantity: 1, restockType: 'NO_RESTOCK' }],
      note: 'Refunded while the order was undone',
    });
    await new Promise((r) => setTimeout(r, 1_100)); // past the order's new updatedAt, to the second
    await sync();
    const refundRow = async () => (await rows()).find((r) => r.sourceKey === `refund:${refund.id}`);
    // Its order is undone: the refund is not booked either, for now.
    expect(await refundRow()).toMatchObject({ status: 'skipped', reasonCode: 'order_undone', parentSourceKey: sale.sourceKey });

    const res = await call({ method: 'POST', url: `/stores/${world.storeId}/documents/${encodeURIComponent(sale.sourceKey)}/unignore` });
    expect(res.statusCode, res.body).toBe(200);
    expect(await refundRow()).toMatchObject({ status: 'parked', reasonCode: 'redo_requested' });
    await sync();
    const booked = (await rows()).find((r) => r.sourceKey === sale.sourceKey && r.role === 'sale')!;
    expect(booked.status, booked.reason ?? '').toBe('synced');
    const after = (await refundRow())!;
    expect(after.status, after.reason ?? '').toBe('synced');
    expect(await inQbo(after.qboType!, after.qboId!)).toBe(true);
  });
});

/** A browser for the console: cookies kept between requests, forms posted urlencoded. */
class Browser {
  cookies = new Map<string, string>();
  async request(method: InjectOptions['method'], url: string, form?: Record<string, string>) {
    const res = await app.inject({
      method,
      url,
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
    });
    for (const c of res.cookies as Array<{ name: string; value: string }>) {
      if (c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }
  csrfOf(body: string): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(body);
    if (!m) throw new Error(`no CSRF field: ${body.slice(0, 300)}`);
    return m[1]!;
  }
}

describe('the console’s Undo a window', () => {
  it('previews the window, deletes on confirmation (CSRF) and shows the result', async () => {
    const b = new Browser();
    const signIn = await b.request('GET', '/console/sign-in');
    expect((await b.request('POST', '/console/sign-in', { _csrf: b.csrfOf(signIn.body), token: API_TOKEN })).statusCode).toBe(303);
    const storeUrl = `/console/stores/${world.storeId}`;
    const page = await b.request('GET', storeUrl);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Undo a window');
    expect(page.body).toContain(`action="${storeUrl}/undo/preview"`);

    // The later half of the history, as the form's datetime-local fields send it (UTC, to the minute).
    const minute = (d: Date) => d.toISOString().slice(0, 16);
    const from = minute(new Date(new Date(window.to).getTime() + 60_000));
    const to = minute(new Date(Date.now() - 60_000));
    const before = await rows();
    const target = before.filter(
      (r) => r.role === 'sale' && live(r) && r.sourceUpdatedAt! >= new Date(`${from}:00Z`) && r.sourceUpdatedAt! < new Date(`${to}:00Z`),
    );
    expect(target.length).toBeGreaterThan(0);

    expect((await b.request('POST', `${storeUrl}/undo/preview`, { from, to })).statusCode).toBe(403);
    const preview = await b.request('POST', `${storeUrl}/undo/preview`, { _csrf: b.csrfOf(page.body), from, to });
    expect(preview.statusCode, preview.body.slice(0, 500)).toBe(200);
    for (const r of target) expect(preview.body).toContain(`#${r.qboId}`);
    expect(await rows()).toEqual(before);

    // Confirming without the form's CSRF token changes nothing.
    expect((await b.request('POST', `${storeUrl}/undo`, { from: `${from}:00.000Z`, to: `${to}:00.000Z` })).statusCode).toBe(403);
    const fields = Object.fromEntries(
      [...preview.body.matchAll(/<input type="hidden" name="(from|to|_csrf)" value="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const confirmed = await b.request('POST', `${storeUrl}/undo`, fields);
    expect(confirmed.statusCode, confirmed.body.slice(0, 500)).toBe(303);
    expect(confirmed.headers.location).toMatch(new RegExp(`^${storeUrl}/undo/u-[0-9a-f]{16}$`));
    const result = await b.request('GET', String(confirmed.headers.location));
    expect(result.statusCode).toBe(200);
    expect(result.body).toMatch(/\d+ deleted/);
    const after = await rows();
    for (const r of target) {
      expect(after.find((a) => a.sourceKey === r.sourceKey && a.role === 'sale')!.status).toBe('undone');
      expect(await inQbo(r.qboType!, r.qboId!)).toBe(false);
    }
    // The store page lists them as undone, each with a Redo (the unignore action).
    const store = await b.request('GET', storeUrl);
    expect(store.body).toContain('<h2 id="undone-title">Undone</h2>');
    expect(store.body).toContain(`aria-label="Redo ${target[0]!.sourceName}"`);
  });

  it('documents the undo routes in the OpenAPI document, under the stores tag', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.paths['/stores/{id}/undo'].post.tags).toEqual(['stores']);
    expect(doc.paths['/stores/{id}/undo/{undoId}'].get.tags).toEqual(['stores']);
    expect(Object.keys(doc.paths['/stores/{id}/undo'].post.responses)).toEqual(expect.arrayContaining(['200', '202', '400', '404', '409']));
  });
});
