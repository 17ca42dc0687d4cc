/**
 * An error retrying cannot fix ends the run at once with a readable error, instead of retrying for as
 * long as the retry policy allows while the store waits: here a resync window whose start PostgreSQL
 * cannot store (year 0), sent straight to the workflow as a hostile or buggy caller could, against the
 * real activities, a real database (PGlite) and the worker's real error interceptor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Database } from '../../db/client';
import { ledgerlineInterceptors, toApplicationFailure } from '../../temporal/interceptors';
import { syncRunWorkflow } from '../../workflows/sync-run';
import { pgliteDatabase } from '../support/db';
import { insertConnectedStore, startWorld, testCipher, worldActivities, type SyncWorld } from '../support/sync-fixture';
import { localActivities } from '../support/markers';
import { timeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

let env: TestWorkflowEnvironment;
let db: Database;
let world: SyncWorld;

beforeAll(async () => {
  [env, db, world] = await Promise.all([timeSkippingEnv(), pgliteDatabase(), startWorld({ seed: 41, orders: 5, days: 5 })]);
  await insertConnectedStore(db.db, testCipher(), world);
}, 120_000);

afterAll(async () => {
  await world?.close();
  await db?.close();
  await env?.teardown();
});

describe('errors retrying cannot fix', () => {
  it("a window the database cannot store fails the run on the first attempt, with the database's reason", async () => {
    const taskQueue = uniqueTaskQueue('permanent');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: worldActivities(world, db.db, testCipher()),
      interceptors: ledgerlineInterceptors,
    });
    const workflowId = `store:${world.shopDomain}:sync:year-zero`;
    const error = await worker.runUntil(
      env.client.workflow
        .execute(syncRunWorkflow, {
          taskQueue,
          workflowId,
          args: [{ storeId: world.storeId, shopDomain: world.shopDomain, trigger: 'resync', window: { from: '0000-01-01T00:00:00Z' } }],
        })
        .then(
          () => undefined,
          (e: unknown) => e as Error & { cause?: Error & { cause?: Error & { type?: string } } },
        ),
    );
    expect(error, 'the run must fail').toBeDefined();
    // The workflow's failure wraps the activity's ApplicationFailure: directly for syncRunBegin, a local activity
    // since patched('sync-run-local-bookkeeping'); inside an ActivityFailure for a scheduled one.
    type Failure = Error & { type?: string };
    let failure = error!.cause as Failure | undefined;
    while (failure && failure.type === undefined) failure = failure.cause as Failure | undefined;
    expect(failure?.type).toBe('DatabaseRejectedError');
    expect(failure?.message).toMatch(/SQLSTATE 22\d{3}.*out of range/);
    const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    // Attempts: a scheduled activity's start events, and the marker a local activity's result is recorded in.
    expect(localActivities(events)).toEqual([{ type: 'syncRunBegin', attempt: 1 }]);
    const attempts = events.map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
    expect(Math.max(0, ...attempts)).toBeLessThanOrEqual(1);
  });

  it('classifies by SQLSTATE class: data, constraint and syntax errors are permanent, the rest retryable', async () => {
    const real = await db.db.execute(sql`select '0000-01-01T00:00:00Z'::timestamptz`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(toApplicationFailure(real)).toMatchObject({ type: 'DatabaseRejectedError', nonRetryable: true });
    const divideByZero = await db.db.execute(sql`select 1/0`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(toApplicationFailure(divideByZero)).toMatchObject({ type: 'DatabaseRejectedError', message: expect.stringMatching(/22012/) });
    // Serialization failures, deadlocks and lost connections may succeed when retried: passed through as they are.
    for (const code of ['40001', '40P01', '08006', '57P01', '53300']) {
      const transient = Object.assign(new Error(`transient ${code}`), { code });
      expect(toApplicationFailure(transient)).toBe(transient);
    }
  });
});
