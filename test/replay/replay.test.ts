/**
 * Running workflows survive code changes: every history recorded from the Temporal dev server
 * (test/replay/histories/<set>/, `npm run histories:record`) is replayed against the current workflow
 * code with the SDK's replayer. A change that would make a running workflow issue different commands
 * on its next task (a non-deterministic change) fails here instead of in production. No server needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { temporal } from '@temporalio/proto';
// test/support/temporal installs a quiet runtime: replay workers log their state changes, and Core
// warns of every nondeterminism the tests provoke.
import { workflowBundle } from '../support/temporal';
import { localActivities, patchIds } from '../support/markers';
import { type Fixture, historiesDir, historySets, loadFixtures, loadManifest } from './fixtures';

const fixtures = loadFixtures();
const WORKFLOW_TYPES = [
  'storeWorkflow',
  'syncRunWorkflow',
  'connectionKeepAliveWorkflow',
  'storeAuditWorkflow',
  'payoutWorkflow',
  'inventoryWorkflow',
  'undoWorkflow',
];
const SCENARIOS = [
  'store-lifecycle',
  'store-failures',
  'store-continue-as-new',
  'keepalive',
  'audit',
  'inventory',
  'undo',
  'payout-paid',
  'payout-documents',
  'payout-held',
  'payout-failed',
  'payout-discovery',
];
const { EventType } = temporal.api.enums.v1;

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
const bundleOf = (file: string): Promise<WorkflowBundle> =>
  bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'changed-workflows', file), logger: quietLogger });

/** Replays every fixture against a bundle, one replay worker for all; the error of each, by fixture name. */
async function replayAll(bundle: WorkflowBundle, list: Fixture[]): Promise<Map<string, Error | undefined>> {
  const results = new Map<string, Error | undefined>();
  let i = 0;
  // Results come back one per history, in order.
  for await (const r of Worker.runReplayHistories(
    { workflowBundle: bundle },
    list.map((f) => ({ workflowId: f.workflowId, history: f.history })),
  )) {
    results.set(list[i++]!.name, r.error);
  }
  expect(results.size).toBe(list.length);
  return results;
}

describe('recorded histories', () => {
  it('cover every workflow type and scenario, each file listed in its manifest and of the type it claims', () => {
    expect(historySets().length).toBeGreaterThan(0);
    expect(new Set(fixtures.map((f) => f.workflowType))).toEqual(new Set(WORKFLOW_TYPES));
    const scenarios = new Set(fixtures.map((f) => f.scenario));
    for (const s of SCENARIOS) expect(scenarios, s).toContain(s);
    for (const f of fixtures) {
      expect(f.startedType, f.name).toBe(f.workflowType);
      expect(f.history.events?.length, f.name).toBe(f.events);
    }
    for (const set of historySets()) {
      const listed = loadManifest(set)
        .histories.map((h) => h.file)
        .sort();
      const files = fs
        .readdirSync(path.join(historiesDir, set))
        .filter((f) => f.endsWith('.json') && f !== 'manifest.json')
        .sort();
      expect(files, `${set}: every history file is in manifest.json`).toEqual(listed);
    }
    // The failure paths and continue-as-new are among them.
    const statuses = new Set(fixtures.map((f) => `${f.workflowType}:${f.status}`));
    for (const s of [
      'storeWorkflow:RUNNING',
      'storeWorkflow:CONTINUED_AS_NEW',
      'syncRunWorkflow:COMPLETED',
      'syncRunWorkflow:FAILED',
      'connectionKeepAliveWorkflow:COMPLETED',
      'storeAuditWorkflow:COMPLETED',
      'payoutWorkflow:COMPLETED',
      'undoWorkflow:COMPLETED',
    ]) {
      expect(statuses, s).toContain(s);
    }
  });

  it('cover every payout saga step: each activity, the failed post, signals, retry updates, timers fired and cancelled', () => {
    const sagas = fixtures.filter((f) => f.workflowType === 'payoutWorkflow');
    const events = sagas.flatMap((f) => f.history.events ?? []);
    const activities = new Set(events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean));
    expect(activities).toEqual(new Set(['payoutAssess', 'payoutRequestDocuments', 'payoutPost', 'payoutRemove', 'payoutRecord']));
    const types = new Set(events.map((e) => e.eventType));
    for (const t of [
      EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
      EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
      EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
      EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
      EventType.EVENT_TYPE_TIMER_FIRED,
      EventType.EVENT_TYPE_TIMER_CANCELED,
      EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    ]) {
      expect(types, EventType[t]).toContain(t);
    }
    // The sync runs that discover payouts: discovery scheduled after the run's finish, once failed for good.
    const discovering = fixtures.filter((f) => f.scenario === 'payout-discovery' && f.workflowType === 'syncRunWorkflow');
    expect(discovering.length).toBeGreaterThan(0);
    for (const f of discovering) {
      const names = (f.history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
      expect(names.slice(-2), f.name).toEqual(['syncRunFinish', 'payoutsDiscover']);
    }
    expect(discovering.some((f) => (f.history.events ?? []).some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED))).toBe(
      true,
    );
  });

  it("cover the sync run's local bookkeeping and a webhook run that only books, on both the page and the failure path", () => {
    const runs = fixtures.filter((f) => f.workflowType === 'syncRunWorkflow');
    const patches = (f: Fixture) => patchIds(f.history.events ?? []);
    const scheduled = (f: Fixture) =>
      (f.history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    const local = runs.filter((f) => patches(f).includes('sync-run-local-bookkeeping'));
    // Begin and finish (or fail) as local activities: markers, never scheduled on the queue.
    expect(local.some((f) => f.status === 'COMPLETED')).toBe(true);
    expect(local.some((f) => f.status === 'FAILED')).toBe(true);
    for (const f of local) {
      expect(localActivities(f.history.events ?? []), f.name).toHaveLength(2);
      expect(
        scheduled(f).filter((n) => /^syncRun(Begin|Finish|Fail)$/.test(n)),
        f.name,
      ).toEqual([]);
    }
    // A webhook run planned book-only: the page, and neither the retry of parked orders nor payout discovery.
    const bookOnly = local.filter((f) => patches(f).includes('webhook-runs-book-only'));
    expect(bookOnly.length).toBeGreaterThan(0);
    for (const f of bookOnly) {
      expect(scheduled(f).length, f.name).toBeGreaterThan(0);
      expect(new Set(scheduled(f)), f.name).toEqual(new Set(['syncOrdersPage']));
    }
  });

  it('cover the undo: its one activity completing at once, and an attempt retried after the write lease was busy', () => {
    const undos = fixtures.filter((f) => f.workflowType === 'undoWorkflow');
    const attempts = undos.map((f) =>
      (f.history.events ?? []).flatMap((e) => {
        const started = e.activityTaskStartedEventAttributes;
        return started ? [{ attempt: started.attempt ?? 0, failure: started.lastFailure?.applicationFailureInfo?.type ?? null }] : [];
      }),
    );
    for (const [i, f] of undos.entries()) {
      const names = (f.history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
      expect(names, f.name).toEqual(['undoApply']);
      expect(attempts[i], f.name).toHaveLength(1);
    }
    expect(attempts.flat()).toContainEqual({ attempt: 1, failure: null });
    expect(attempts.flat()).toContainEqual({ attempt: 2, failure: 'StoreBusyError' });
  });
});

describe('replay against the current workflow code', () => {
  let results: Map<string, Error | undefined>;
  beforeAll(async () => {
    results = await replayAll(await workflowBundle(), fixtures);
  });

  it.each(fixtures.map((f) => f.name))('%s replays', (name) => {
    expect(results.get(name)).toBeUndefined();
  });
});

describe('the replayer catches a non-deterministic change', () => {
  it('every history fails to replay once each workflow starts with a new timer', async () => {
    const results = await replayAll(await bundleOf('unpatched.ts'), fixtures);
    for (const f of fixtures) {
      const error = results.get(f.name);
      expect(error, f.name).toBeInstanceOf(DeterminismViolationError);
      expect(error?.message, f.name).toMatch(/nondeterminism/i);
    }
  });

  it('the same change behind patched() replays every history', async () => {
    const results = await replayAll(await bundleOf('patched.ts'), fixtures);
    expect([...results].filter(([, e]) => e !== undefined).map(([name, e]) => `${name}: ${e?.message}`)).toEqual([]);
  });
});
