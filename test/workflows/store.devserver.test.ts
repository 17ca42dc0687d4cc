/**
 * The store workflow on the real Temporal CLI dev server with a real worker: what operators see in the
 * UI (search attributes, readable child ids) and what merchants get from a manual sync.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { statusQuery, syncNowUpdate, workflowIds } from '../../workflows/definitions';
import { storeWorkflow } from '../../workflows/store';
import { STATE_SEARCH_ATTRIBUTE, STORE_SEARCH_ATTRIBUTE } from '../../workflows/search-attributes';
import { recordingActivities } from '../support/fake-activities';
import { devServerEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await devServerEnv();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

describe('storeWorkflow on the Temporal dev server', () => {
  it('syncs on demand through an update and is findable by store in visibility', async () => {
    const rec = recordingActivities({ pages: 2 });
    const taskQueue = uniqueTaskQueue('devserver');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: rec.activities,
    });
    await worker.runUntil(async () => {
      const shopDomain = `dev-${Date.now()}.myshopify.com`;
      const handle = await env.client.workflow.start(storeWorkflow, {
        taskQueue,
        workflowId: workflowIds.store(shopDomain),
        args: [{ storeId: 'dev1', shopDomain, intervalMinutes: 60 }],
        typedSearchAttributes: [{ key: STORE_SEARCH_ATTRIBUTE, value: shopDomain }],
      });
      const { runId, summary } = await handle.executeUpdate(syncNowUpdate, { args: [{}] });
      expect(summary.fetched).toBe(4);
      expect(runId).toMatch(new RegExp(`^store:${shopDomain.replace(/\./g, '\\.')}:sync:\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\dZ:1$`));

      const child = await env.client.workflow.getHandle(runId).describe();
      expect(child.status.name).toBe('COMPLETED');
      expect(child.typedSearchAttributes.get(STORE_SEARCH_ATTRIBUTE)).toBe(shopDomain);

      const status = await handle.query(statusQuery);
      expect(status).toMatchObject({ state: 'active', runCount: 1, running: false });
      expect(status.nextRunAt).not.toBeNull();

      // Visibility is eventually consistent: poll the list query an operator would type in the UI.
      let found: string[] = [];
      for (let i = 0; i < 50 && found.length < 2; i++) {
        found = [];
        for await (const wf of env.client.workflow.list({ query: `LedgerlineStore = "${shopDomain}"` })) found.push(wf.workflowId);
        if (found.length < 2) await new Promise((r) => setTimeout(r, 200));
      }
      expect(found.sort()).toEqual([runId, workflowIds.store(shopDomain)].sort());
      const desc = await handle.describe();
      expect(desc.typedSearchAttributes.get(STATE_SEARCH_ATTRIBUTE)).toBe('active');
      await handle.terminate();
    });
  });
});
