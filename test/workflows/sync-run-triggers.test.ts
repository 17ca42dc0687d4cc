/**
 * What a sync run does by its trigger, on the time-skipping server with activity doubles typed by the real contract:
 * a webhook run whose plan says bookOnly (a scheduled run did the rest recently) books the announced orders and stops;
 * otherwise, and for a scheduled or manual run, it also retries parked orders and lists the store's payouts. When
 * syncRunBegin says bookOnly: test/activities/sync-book-only.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../workflows/contracts';
import type { SyncTrigger } from '../../workflows/definitions';
import { syncRunWorkflow } from '../../workflows/sync-run';
import { recordingActivities } from '../support/fake-activities';
import { localActivities, patchIds } from '../support/markers';
import { timeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

/** Runs one sync with the given trigger; returns the activities it called, in order, and the run's history. */
async function runSync(trigger: SyncTrigger, bookOnly?: boolean) {
  const called: string[] = [];
  const recorded = recordingActivities().activities;
  const base: Activities = {
    ...recorded,
    async syncRunBegin(input) {
      const plan = await recorded.syncRunBegin(input);
      return bookOnly === undefined ? plan : { ...plan, bookOnly };
    },
  };
  const activities = Object.fromEntries(
    Object.entries(base).map(([name, fn]) => [
      name,
      (...args: unknown[]) => {
        called.push(name);
        return (fn as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as Activities;
  const taskQueue = uniqueTaskQueue('sync-run-triggers');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
  const workflowId = `sync-run-triggers-${trigger}-${Date.now()}-${Math.random()}`;
  const summary = await worker.runUntil(
    env.client.workflow.execute(syncRunWorkflow, {
      taskQueue,
      workflowId,
      args: [{ storeId: 's', shopDomain: 's.myshopify.com', trigger }],
    }),
  );
  expect(summary).toMatchObject({ fetched: 2, synced: 2 });
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return { called, events: history.events ?? [] };
}

const activitiesCalled = async (trigger: SyncTrigger, bookOnly?: boolean) => (await runSync(trigger, bookOnly)).called;

describe('syncRunWorkflow by trigger', () => {
  it('a webhook run planned book-only books the orders and leaves parked orders and payouts to the scheduled runs', async () => {
    expect(await activitiesCalled('webhook', true)).toEqual(['syncRunBegin', 'syncOrdersPage', 'syncRunFinish']);
  });

  it('begins and finishes with local activities: a book-only webhook run is two workflow tasks and one activity task', async () => {
    const { events } = await runSync('webhook', true);
    const count = (type: keyof typeof temporal.api.enums.v1.EventType) =>
      events.filter((e) => e.eventType === temporal.api.enums.v1.EventType[type]).length;
    // The server's queue sees the page only; begin and finish are markers the worker recorded (local activities).
    expect(count('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')).toBe(1);
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes)!.activityTaskScheduledEventAttributes!;
    expect(scheduled.activityType?.name).toBe('syncOrdersPage');
    expect(localActivities(events).map((a) => a.type)).toEqual(['syncRunBegin', 'syncRunFinish']);
    expect(patchIds(events)).toEqual(['sync-run-local-bookkeeping', 'webhook-runs-book-only', 'payout-discovery']);
    expect(count('EVENT_TYPE_WORKFLOW_TASK_COMPLETED')).toBe(2);
  });

  it('a webhook run not planned book-only (no recent scheduled run) does the whole run', async () => {
    const whole = ['syncRunBegin', 'syncOrdersPage', 'syncRetryParked', 'syncRunFinish', 'payoutsDiscover'];
    expect(await activitiesCalled('webhook', false)).toEqual(whole);
    expect(await activitiesCalled('webhook')).toEqual(whole);
  });

  it.each(['scheduled', 'manual'] as const)('a %s run also retries parked orders and lists payouts', async (trigger) => {
    expect(await activitiesCalled(trigger)).toEqual([
      'syncRunBegin',
      'syncOrdersPage',
      'syncRetryParked',
      'syncRunFinish',
      'payoutsDiscover',
    ]);
  });
});
