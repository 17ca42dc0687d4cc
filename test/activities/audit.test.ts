/**
 * The nightly audit end to end (issue #12 item 17): orders are booked by the real sync into the QBO emulator, a
 * person then deletes one document, voids another and edits a third in QBO (through QBO's own API, behind
 * Ledgerline's back), and the real storeAuditWorkflow runs through the real activities and clients on the
 * time-skipping server. The findings name each difference; QBO is read back to show the audit overwrote,
 * re-created and deleted nothing; a second audit keeps the findings (no duplicates) and resolves one put right.
 */
import { and, eq } from 'drizzle-orm';
import pino from 'pino';
import { buildApp } from '../../api/app';
import { processPacing } from '../support/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Database } from '../../db/client';
import { auditFindings, ledgerEntries, storeAudits } from '../../db/schema';
import type { AuditSummary } from '../../domain/audit';
import type { QboClient } from '../../integrations/qbo/client';
import type { Activities } from '../../workflows/contracts';
import { storeAuditWorkflow } from '../../workflows/audit';
import { workflowIds } from '../../workflows/definitions';
import { syncRunWorkflow } from '../../workflows/sync-run';
import { pgliteDatabase } from '../support/db';
import { insertConnectedStore, qboReader, startWorld, testCipher, worldActivities, type SyncWorld } from '../support/sync-fixture';
import { timeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

type Entity = Record<string, unknown>;

let env: TestWorkflowEnvironment;
let world: SyncWorld;
let database: Database;
let activities: Activities;
let person: QboClient;
let runs = 0;

async function execute<T>(body: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('audit-e2e');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
  return worker.runUntil(body(taskQueue));
}

const audit = (): Promise<AuditSummary> =>
  execute((taskQueue) =>
    env.client.workflow.execute(storeAuditWorkflow, {
      taskQueue,
      workflowId: `${workflowIds.audit(world.shopDomain)}-${++runs}`,
      args: [{ storeId: world.storeId, shopDomain: world.shopDomain }],
    }),
  );

const synced = async () =>
  (await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, world.storeId))).filter(
    (r) => r.status === 'synced' && r.qboId !== null,
  );

const findings = () => database.db.select().from(auditFindings).where(eq(auditFindings.storeId, world.storeId));

/** Every document of the audited types QBO holds, by "Type:Id": what the audit must leave as it found it. */
async function books(): Promise<Map<string, Entity>> {
  const out = new Map<string, Entity>();
  for (const type of ['SalesReceipt', 'Invoice', 'Payment', 'RefundReceipt', 'CreditMemo']) {
    for (const doc of await person.query(type)) out.set(`${type}:${String(doc.Id)}`, doc);
  }
  return out;
}

beforeAll(async () => {
  env = await timeSkippingEnv();
  database = await pgliteDatabase();
  world = await startWorld({ seed: 1717, orders: 14, days: 10 });
  const cipher = testCipher();
  await insertConnectedStore(database.db, cipher, world);
  activities = worldActivities(world, database.db, cipher);
  person = qboReader(world, database.db);
  await execute((taskQueue) =>
    env.client.workflow.execute(syncRunWorkflow, {
      taskQueue,
      workflowId: `store:${world.shopDomain}:sync:audit-e2e`,
      args: [{ storeId: world.storeId, shopDomain: world.shopDomain, trigger: 'manual' }],
    }),
  );
}, 180_000);

afterAll(async () => {
  await env?.teardown();
  await world?.close();
  await database?.close();
});

describe('the nightly audit against the emulators', () => {
  let deleted: typeof ledgerEntries.$inferSelect;
  let voided: typeof ledgerEntries.$inferSelect;
  let edited: typeof ledgerEntries.$inferSelect;
  let before: Map<string, Entity>;

  it('finds nothing in books that nobody touched', async () => {
    const sales = (await synced()).filter((r) => r.role === 'sale' && r.qboType === 'SalesReceipt');
    expect(sales.length).toBeGreaterThanOrEqual(4);
    const summary = await audit();
    expect(summary.blocked).toBeUndefined();
    expect(summary.found).toBe(0);
    expect(summary.checked).toBeGreaterThanOrEqual(sales.length);
    expect(await findings()).toEqual([]);
  }, 120_000);

  it('reports a document deleted, one voided and one edited in QBO by a person, and changes nothing in QBO', async () => {
    const sales = (await synced()).filter((r) => r.role === 'sale' && r.qboType === 'SalesReceipt');
    [deleted, voided, edited] = sales as [typeof deleted, typeof voided, typeof edited];
    const read = (id: string | null) => person.read('SalesReceipt', String(id));
    const d = await read(deleted.qboId);
    await person.delete('SalesReceipt', { Id: d.Id, SyncToken: d.SyncToken });
    const v = await read(voided.qboId);
    await person.void('SalesReceipt', { Id: v.Id, SyncToken: v.SyncToken });
    const e = await read(edited.qboId);
    await person.update('SalesReceipt', { Id: e.Id, SyncToken: e.SyncToken, PrivateNote: 'Customer paid by cheque instead (bookkeeper)' });
    before = await books();

    const summary = await audit();
    expect(summary).toMatchObject({ found: 3, byKind: { deleted: 1, voided: 1, edited: 1 } });
    expect(summary.changed).toBeGreaterThanOrEqual(3);

    const byKey = new Map((await findings()).map((f) => [f.sourceKey, f]));
    expect(byKey.get(deleted.sourceKey)).toMatchObject({ kind: 'deleted', qboId: deleted.qboId, resolvedAt: null });
    expect(byKey.get(deleted.sourceKey)!.difference).toContain('was deleted in QBO');
    expect(byKey.get(voided.sourceKey)).toMatchObject({ kind: 'voided', qboId: voided.qboId });
    expect(byKey.get(voided.sourceKey)!.difference).toMatch(/was voided in QBO \(its total is now 0(\.00)?, Ledgerline booked \d+\.\d\d\)/);
    expect(byKey.get(edited.sourceKey)).toMatchObject({ kind: 'edited', qboId: edited.qboId });
    expect(byKey.get(edited.sourceKey)!.difference).toContain('was edited in QBO since Ledgerline wrote it (SyncToken 0 → 1)');
    expect(byKey.size).toBe(3);

    // Nothing was overwritten, re-created or deleted: QBO holds exactly what it held before the audit.
    const after = await books();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, doc] of before) expect(after.get(key)!.SyncToken, key).toBe(doc.SyncToken);
    expect(after.has(`SalesReceipt:${deleted.qboId}`)).toBe(false);
    expect(after.get(`SalesReceipt:${edited.qboId}`)!.PrivateNote).toBe('Customer paid by cheque instead (bookkeeper)');
    expect(after.get(`SalesReceipt:${voided.qboId}`)!.TotalAmt).toBe(0);
    // The ledger keeps its rows as they were: the findings sit beside them.
    const rows = await synced();
    expect(rows.map((r) => r.sourceKey)).toEqual(expect.arrayContaining([deleted.sourceKey, voided.sourceKey, edited.sourceKey]));
  }, 120_000);

  it("shows the findings in the store's status and attention list, with the difference", async () => {
    const token = 'audit-test-token';
    const app = await buildApp({
      database,
      apiToken: token,
      log: pino({ level: 'silent' }),
      cipher: testCipher(),
      taskQueue: 'audit-api',
      ...processPacing(database.db),
      integrations: { shopifyApiBaseUrl: world.shopify.url, qboEndpoint: world.qbo.v3Endpoint, qboTokenUrl: world.qbo.tokenUrl },
      temporal: async () => env.client,
    });
    try {
      const headers = { authorization: `Bearer ${token}` };
      const view = await app.inject({ method: 'GET', url: `/stores/${world.storeId}`, headers });
      expect(view.statusCode, view.body).toBe(200);
      expect(view.json().audit).toMatchObject({
        openFindings: 3,
        byKind: { deleted: 1, voided: 1, edited: 1 },
        lastAuditAt: expect.any(String),
        lastSummary: { found: 3 },
      });
      const list = await app.inject({ method: 'GET', url: `/stores/${world.storeId}/documents?attention=true`, headers });
      expect(list.statusCode, list.body).toBe(200);
      const audited = (
        list.json().items as Array<{ sourceKey: string; status: string; audit: { kind: string; difference: string } | null }>
      ).filter((i) => i.audit !== null);
      expect(audited.map((i) => [i.sourceKey, i.audit!.kind]).sort()).toEqual(
        [
          [deleted.sourceKey, 'deleted'],
          [voided.sourceKey, 'voided'],
          [edited.sourceKey, 'edited'],
        ].sort(),
      );
      expect(audited.every((i) => i.status === 'synced' && i.audit!.difference.startsWith('The SalesReceipt'))).toBe(true);
      // Without attention, a synced document the audit has no finding about shows `audit: null`.
      const all = await app.inject({ method: 'GET', url: `/stores/${world.storeId}/documents?status=synced&limit=200`, headers });
      expect((all.json().items as Array<{ audit: unknown }>).filter((i) => i.audit === null).length).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('keeps open findings across audits without duplicates, and resolves one the bookkeeper put right', async () => {
    const e = await person.read('SalesReceipt', String(edited.qboId));
    const original = (
      await database.db
        .select()
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.storeId, world.storeId), eq(ledgerEntries.sourceKey, edited.sourceKey)))
    )[0]!;
    const written = JSON.parse(original.fingerprint!) as { PrivateNote: string };
    await person.update('SalesReceipt', { Id: e.Id, SyncToken: e.SyncToken, PrivateNote: written.PrivateNote });

    const summary = await audit();
    expect(summary.resolved).toBeGreaterThanOrEqual(1);
    const all = await findings();
    expect(all).toHaveLength(3);
    const open = all
      .filter((f) => f.resolvedAt === null)
      .map((f) => f.kind)
      .sort();
    expect(open).toEqual(['deleted', 'voided']);
    expect(all.find((f) => f.sourceKey === edited.sourceKey)!.resolvedAt).not.toBeNull();
    const [cursor] = await database.db.select().from(storeAudits).where(eq(storeAudits.storeId, world.storeId));
    expect(cursor!.changedSince!.getTime()).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(cursor!.changedSince!.getTime()).toBeLessThan(Date.now() - 4 * 60_000);
    expect(cursor!.lastSummary).toMatchObject({ auditId: expect.stringContaining(':audit-') });
  }, 120_000);
});
