/**
 * Each store's nightly audit schedule (services/stores/audit-schedule.ts) on the real Temporal CLI dev server (the
 * time-skipping server has no schedules): created when the store is connected, paused while it is paused, updated
 * and unpaused when it is resumed, and removed at worker start once the store is gone; a schedule fired now starts
 * the audit workflow with the store's ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import type { Database } from '../../db/client';
import { stores } from '../../db/schema';
import { ensureAuditSchedule, reconcileAuditSchedules } from '../../services/stores/audit-schedule';
import { ensureInventorySchedule, reconcileInventorySchedules } from '../../services/stores/inventory-schedule';
import { workflowIds } from '../../workflows/definitions';
import { scriptedAuditActivities } from '../support/audit-activities';
import { pgliteDatabase } from '../support/db';
import { usSettings } from '../support/sync-fixture';
import { devServerEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

let env: TestWorkflowEnvironment;
let database: Database;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  env = await devServerEnv();
  database = await pgliteDatabase();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
  await database?.close();
});

const store = (id: string, state = 'active') => ({ id, shopDomain: `${id}.myshopify.com`, shopTimezone: 'Europe/London', state });

describe('the nightly audit schedule of a store', () => {
  it('runs the audit at night in the shop time zone, paused while the store is paused and resumed with it', async () => {
    const taskQueue = uniqueTaskQueue('audit-schedule');
    await ensureAuditSchedule(env.client, taskQueue, store('sched-a'));
    const handle = env.client.schedule.getHandle(workflowIds.auditSchedule('sched-a'));
    const created = await handle.describe();
    expect(created.state.paused).toBe(false);
    expect(created.spec.timezone).toBe('Europe/London');
    expect(created.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 2, end: 2, step: 1 }] })]);
    expect(created.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'storeAuditWorkflow',
      workflowId: 'store:sched-a.myshopify.com:audit',
      taskQueue,
      args: [{ storeId: 'sched-a', shopDomain: 'sched-a.myshopify.com' }],
    });

    await ensureAuditSchedule(env.client, taskQueue, store('sched-a', 'paused'));
    expect((await handle.describe()).state).toMatchObject({ paused: true, note: expect.stringContaining('store paused') });

    await ensureAuditSchedule(env.client, taskQueue, { ...store('sched-a'), shopTimezone: 'America/Toronto' });
    const resumed = await handle.describe();
    expect(resumed.state.paused).toBe(false);
    expect(resumed.spec.timezone).toBe('America/Toronto');
  });

  it('starts the audit workflow with the store ids when it fires', async () => {
    const taskQueue = uniqueTaskQueue('audit-schedule-fire');
    const doubles = scriptedAuditActivities();
    await ensureAuditSchedule(env.client, taskQueue, store('sched-b'));
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: doubles.activities,
    });
    await worker.runUntil(async () => {
      await env.client.schedule.getHandle(workflowIds.auditSchedule('sched-b')).trigger();
      const deadline = Date.now() + 30_000;
      while (!doubles.record.calls.some((c) => c.startsWith('finish sched-b')) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
    });
    expect(doubles.record.calls.map((c) => c.split(' ')[0])).toEqual(['begin', 'changed', 'sample', 'finish']);
  });

  it('at worker start creates the schedule of every stored store and removes that of a store that is gone', async () => {
    const taskQueue = uniqueTaskQueue('audit-schedule-reconcile');
    for (const id of ['sched-kept', 'sched-paused']) {
      await database.db.insert(stores).values({
        id,
        shopDomain: `${id}.myshopify.com`,
        qboRealmId: '1',
        settings: usSettings(),
        startDate: new Date('2026-01-01T00:00:00Z'),
        state: id === 'sched-paused' ? 'paused' : 'active',
      });
    }
    await ensureAuditSchedule(env.client, taskQueue, store('sched-gone'));
    await reconcileAuditSchedules(env.client, database.db, taskQueue, log);
    const describe = (id: string) => env.client.schedule.getHandle(workflowIds.auditSchedule(id)).describe();
    expect((await describe('sched-kept')).state.paused).toBe(false);
    expect((await describe('sched-paused')).state.paused).toBe(true);
    // Schedules are listed through visibility, which is eventually consistent: the next start removes it if this one did not.
    const deadline = Date.now() + 20_000;
    let gone = false;
    while (!gone && Date.now() < deadline) {
      try {
        await describe('sched-gone');
        await new Promise((r) => setTimeout(r, 500));
        await reconcileAuditSchedules(env.client, database.db, taskQueue, log);
      } catch (err) {
        expect(err).toBeInstanceOf(ScheduleNotFoundError);
        gone = true;
      }
    }
    expect(gone).toBe(true);
  });
});

describe('the inventory schedule of a store, at worker start', () => {
  it('follows each stored store (on, paused, off) and removes that of a store that is gone', async () => {
    const taskQueue = uniqueTaskQueue('inventory-schedule-reconcile');
    const inventory = (mode: string) => ({
      ...usSettings(),
      inventory: { mode, locationId: 'gid://shopify/Location/1', intervalMinutes: 30 },
    });
    const rows = [
      { id: 'inv-on', mode: 'apply', state: 'active' },
      { id: 'inv-paused', mode: 'preview', state: 'paused' },
      { id: 'inv-off', mode: 'off', state: 'active' },
    ];
    for (const r of rows) {
      await database.db.insert(stores).values({
        id: r.id,
        shopDomain: `${r.id}.myshopify.com`,
        qboRealmId: '1',
        settings: inventory(r.mode) as never,
        startDate: new Date('2026-01-01T00:00:00Z'),
        state: r.state,
      });
    }
    // A schedule left from when inventory was on, and one of a store that is no longer stored.
    for (const shop of ['inv-off', 'inv-gone']) {
      await ensureInventorySchedule(env.client, taskQueue, {
        id: shop,
        shopDomain: `${shop}.myshopify.com`,
        state: 'active',
        settings: inventory('preview') as never,
      });
    }
    await reconcileInventorySchedules(env.client, database.db, taskQueue, log);
    const describe = (id: string) => env.client.schedule.getHandle(workflowIds.inventorySchedule(`${id}.myshopify.com`)).describe();
    const on = await describe('inv-on');
    expect(on.state).toMatchObject({ paused: false, note: 'inventory apply' });
    expect(on.spec.intervals).toEqual([expect.objectContaining({ every: 30 * 60_000 })]);
    expect(on.action).toMatchObject({ workflowType: 'inventoryWorkflow', taskQueue, args: [{ storeId: 'inv-on', trigger: 'scheduled' }] });
    expect((await describe('inv-paused')).state.paused).toBe(true);
    await expect(describe('inv-off')).rejects.toBeInstanceOf(ScheduleNotFoundError);
    // Listed through visibility, which is eventually consistent: the next start removes it if this one did not.
    const deadline = Date.now() + 20_000;
    let gone = false;
    while (!gone && Date.now() < deadline) {
      try {
        await describe('inv-gone');
        await new Promise((r) => setTimeout(r, 500));
        await reconcileInventorySchedules(env.client, database.db, taskQueue, log);
      } catch (err) {
        expect(err).toBeInstanceOf(ScheduleNotFoundError);
        gone = true;
      }
    }
    expect(gone).toBe(true);
  });
});
