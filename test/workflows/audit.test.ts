/**
 * The nightly audit's workflow (workflows/audit.ts) on the time-skipping test server, with activity doubles typed
 * by the real contract (test/support/audit-activities.ts): the order of its steps, the cursor handed from one
 * audit to the next, a blocked store, and a failing step retried by Temporal. The real activities run against the
 * emulators in test/activities/audit.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { storeAuditWorkflow } from '../../workflows/audit';
import { workflowIds } from '../../workflows/definitions';
import { scriptedAuditActivities } from '../support/audit-activities';
import { timeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

async function run(doubles: ReturnType<typeof scriptedAuditActivities>, storeId: string, n = 1) {
  const taskQueue = uniqueTaskQueue('audit');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: doubles.activities,
  });
  const shopDomain = `${storeId}.myshopify.com`;
  return worker.runUntil(async () => {
    const out = [];
    for (let i = 0; i < n; i++) {
      out.push(
        await env.client.workflow.execute(storeAuditWorkflow, {
          taskQueue,
          workflowId: `${workflowIds.audit(shopDomain)}-${i}-${Date.now()}`,
          args: [{ storeId, shopDomain }],
        }),
      );
    }
    return out;
  });
}

describe('storeAuditWorkflow on the time-skipping server', () => {
  it('reads the changes, then the sample, then moves the cursor, and reports what it found', async () => {
    const doubles = scriptedAuditActivities();
    doubles.script.find('s-audit-1', { deleted: 1, edited: 2 });
    const [summary] = await run(doubles, 's-audit-1');
    expect(doubles.record.calls.map((c) => c.split(' ')[0])).toEqual(['begin', 'changed', 'sample', 'finish']);
    expect(summary).toMatchObject({ changed: 5, sampled: 2, checked: 5, found: 3, resolved: 1, byKind: { deleted: 1, edited: 2 } });
    expect(summary!.blocked).toBeUndefined();
    expect(doubles.record.cursors.get('s-audit-1')?.sampleAfter).toBe('order:gid://shopify/Order/1 sale');
  });

  it('starts the next audit where the last one stopped: changes since its read, the sample after its last row', async () => {
    const doubles = scriptedAuditActivities();
    await run(doubles, 's-audit-2', 2);
    const changed = doubles.record.calls.filter((c) => c.startsWith('changed'));
    const samples = doubles.record.calls.filter((c) => c.startsWith('sample'));
    expect(samples).toEqual(['sample s-audit-2 after - limit 2', 'sample s-audit-2 after order:gid://shopify/Order/1 sale limit 2']);
    const firstUntil = Date.parse(changed[1]!.split(' since ')[1]!);
    const firstSince = Date.parse(changed[0]!.split(' since ')[1]!);
    expect(firstUntil).toBeGreaterThan(firstSince);
  });

  it('reads and records nothing for a blocked store (paused, disconnected or gone), and says why', async () => {
    const doubles = scriptedAuditActivities();
    doubles.script.block('s-audit-3', 'store is paused');
    const [summary] = await run(doubles, 's-audit-3');
    expect(doubles.record.calls).toEqual(['begin s-audit-3', 'finish s-audit-3 blocked: store is paused']);
    expect(summary).toMatchObject({ blocked: 'store is paused', checked: 0, found: 0, changedSince: null });
    expect(doubles.record.cursors.has('s-audit-3')).toBe(false);
  });

  it('retries a failing read (QBO 5xx) and finishes the audit once it answers', async () => {
    const doubles = scriptedAuditActivities();
    doubles.script.failChanged('s-audit-4', 2);
    const [summary] = await run(doubles, 's-audit-4');
    expect(summary).toMatchObject({ changed: 5, checked: 5 });
    expect(doubles.record.calls.filter((c) => c.startsWith('changed'))).toHaveLength(1);
  });
});
