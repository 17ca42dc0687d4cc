/**
 * `npm run histories:record [-- --set <name>]`: records workflow histories from the real Temporal CLI
 * dev server into test/replay/histories/<set>/, which test/replay/replay.test.ts replays against the
 * current workflow code on every `npm test` (a non-deterministic change then fails CI).
 *
 * A worker runs the real workflow code with scripted, deterministic activities
 * (test/replay/scripted-activities.ts); each scenario drives workflows through the real client the
 * way the API and the keep-alive schedule do, waits until they are idle, and writes the store
 * workflow's history, each of its child sync runs' and the keep-alive's as proto JSON (the SDK's
 * historyToJSON, the JSON history format of Temporal's tools), plus manifest.json. A new set never replaces an older one:
 * old histories stay as long as workflows of their shape may still be running somewhere. The payout scenarios start
 * each payout saga as discovery does (signal-with-start with the status it saw), retry it as the API does (the
 * retryPayout update), and script its assessments with waits of seconds instead of hours.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Client,
  Connection,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { type History, historyToJSON } from '../test/replay/history-json';
import { temporal as proto } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { repoRoot } from '../config/paths';
import { startDevServer } from '../temporal/dev-server';
import { ledgerlineInterceptors } from '../temporal/interceptors';
import { installTemporalRuntime } from '../temporal/runtime';
import { PAYOUT_STATE_SEARCH_ATTRIBUTE, STATE_SEARCH_ATTRIBUTE, STORE_SEARCH_ATTRIBUTE } from '../workflows/search-attributes';
import { TEMPORAL_CLI_VERSION, ensureTemporalCli, temporalCliVersion } from '../temporal/tools';
import { freePort } from '../test/support/processes';
import { type Manifest, type ManifestEntry, historiesDir } from '../test/replay/fixtures';
import { type ActivityScript, scriptedActivities } from '../test/replay/scripted-activities';
import { step } from '../test/replay/scripted-payouts';
import {
  type PayoutSagaStatus,
  type PayoutWorkflowInput,
  type StoreCarriedState,
  type StoreStatus,
  type StoreWorkflowInput,
  confirmInventoryRunUpdate,
  disconnectedSignal,
  nudgeSignal,
  pauseSignal,
  payoutSeenSignal,
  payoutStatusQuery,
  payoutWorkflowId,
  resumeSignal,
  retryPayoutUpdate,
  setIntervalSignal,
  statusQuery,
  syncNowUpdate,
  workflowIds,
} from '../workflows/definitions';
import type { storeAuditWorkflow } from '../workflows/audit';
import type { inventoryWorkflow } from '../workflows/inventory';
import type { connectionKeepAliveWorkflow } from '../workflows/keepalive';
import type { payoutWorkflow } from '../workflows/payout';
import type { storeWorkflow } from '../workflows/store';
import type { syncRunWorkflow } from '../workflows/sync-run';
import type { undoWorkflow } from '../workflows/undo';
import type { UndoInput } from '../workflows/contracts';

const EventType = proto.api.enums.v1.EventType;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ctx {
  client: Client;
  taskQueue: string;
  script: ActivityScript;
  record(scenario: string, label: string, description: string, handle: { workflowId: string; runId: string }): Promise<void>;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Starts a store workflow as the API does (search attributes set, so the workflow upserts its state). */
async function startStore(
  ctx: Ctx,
  shopDomain: string,
  carried: StoreCarriedState,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof storeWorkflow>> {
  const input: StoreWorkflowInput = { storeId: `store-${shopDomain.split('.')[0]}`, shopDomain, intervalMinutes: 60, carried };
  return ctx.client.workflow.start<typeof storeWorkflow>('storeWorkflow', {
    workflowId: workflowIds.store(shopDomain),
    taskQueue: ctx.taskQueue,
    args: [input],
    typedSearchAttributes: [
      { key: STORE_SEARCH_ATTRIBUTE, value: shopDomain },
      { key: STATE_SEARCH_ATTRIBUTE, value: carried.state },
    ],
  });
}

/** Waits until the store loop is idle with `runs` runs done (optionally in a given state). */
async function storeIdle(handle: WorkflowHandle, runs: number, state: StoreStatus['state'] = 'active'): Promise<StoreStatus> {
  return until(`${handle.workflowId}: ${runs} runs, ${state}, idle`, async () => {
    const s = await handle.query(statusQuery);
    return s.runCount >= runs && !s.running && s.queued.length === 0 && s.state === state ? s : undefined;
  });
}

async function expectUpdateFailure(p: Promise<unknown>, what: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return;
    throw err;
  }
  throw new Error(`expected ${what} to fail`);
}

/**
 * The history once the execution has no workflow task in flight: its last scheduled workflow task has
 * completed (the commands' events follow it) or the execution has closed, and nothing more arrives.
 */
async function settledHistory(client: Client, workflowId: string, runId: string): Promise<History> {
  const closed = new Set([
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  ]);
  let previous = -1;
  return until(`a settled history of ${workflowId}`, async () => {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const types = (history.events ?? []).map((e) => e.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED);
    const stable = types.length === previous;
    previous = types.length;
    const lastScheduled = types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
    const idle =
      types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) > lastScheduled ||
      closed.has(types.at(-1) ?? EventType.EVENT_TYPE_UNSPECIFIED);
    return stable && idle ? history : undefined;
  });
}

/** The child workflows a history started: id, run id and type, in start order. */
function childrenOf(history: History): Array<{ workflowId: string; runId: string; workflowType: string }> {
  return (history.events ?? []).flatMap((e) => {
    const a = e.childWorkflowExecutionStartedEventAttributes;
    return a?.workflowExecution?.workflowId && a.workflowExecution.runId
      ? [{ workflowId: a.workflowExecution.workflowId, runId: a.workflowExecution.runId, workflowType: a.workflowType?.name ?? '' }]
      : [];
  });
}

// ---------------------------------------------------------------------------------------------------
// Scenarios

/** A store's life as a merchant sees it: first sync, manual sync, resync (bulk path), webhook, pause/resume, interval change, coalesced triggers. */
async function storeLifecycle(ctx: Ctx): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const handle = await startStore(ctx, 'lifecycle.myshopify.com', { state: 'active', runCount: 0, pending: [{ trigger: 'scheduled' }] });
  await storeIdle(handle, 1);
  await handle.executeUpdate(syncNowUpdate, { args: [{}] });
  await handle.executeUpdate(syncNowUpdate, { args: [{ window: { from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' } }] });
  await handle.signal(nudgeSignal, { reason: 'orders/updated' });
  await storeIdle(handle, 4);
  await handle.signal(pauseSignal, { reason: 'merchant paused' });
  await until('paused', async () => ((await handle.query(statusQuery)).state === 'paused' ? true : undefined));
  await expectUpdateFailure(handle.executeUpdate(syncNowUpdate, { args: [{}] }), 'a manual sync of a paused store'); // rejected: not in history
  await handle.signal(nudgeSignal, { reason: 'orders/create' }); // ignored while paused
  await handle.signal(resumeSignal);
  await handle.signal(setIntervalSignal, { intervalMinutes: 30 });
  // Two manual syncs and a nudge at once: they coalesce into one run (or two, if the first has already started).
  await Promise.all([
    handle.executeUpdate(syncNowUpdate, { args: [{}] }),
    handle.executeUpdate(syncNowUpdate, { args: [{ trigger: 'manual' }] }),
    handle.signal(nudgeSignal, { reason: 'orders/paid' }),
  ]);
  await storeIdle(handle, 5);
  return handle;
}

/** Failing runs: a retried page, a run that fails (the update answers the failure), a revoked connection (store disconnected), resume, a good run. */
async function storeFailures(ctx: Ctx): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const shopDomain = 'failures.myshopify.com';
  const storeId = `store-${shopDomain.split('.')[0]}`;
  const handle = await startStore(ctx, shopDomain, { state: 'active', runCount: 0, pending: [] });
  ctx.script.failNextPage(storeId, 'transient-once');
  await handle.executeUpdate(syncNowUpdate, { args: [{}] });
  ctx.script.failNextPage(storeId, 'invalid-input');
  await expectUpdateFailure(handle.executeUpdate(syncNowUpdate, { args: [{}] }), 'a run whose page fails');
  ctx.script.failNextPage(storeId, 'connection-revoked');
  await expectUpdateFailure(handle.executeUpdate(syncNowUpdate, { args: [{}] }), 'a run whose QBO connection is revoked');
  await storeIdle(handle, 3, 'disconnected');
  await handle.signal(resumeSignal);
  await handle.executeUpdate(syncNowUpdate, { args: [{}] });
  await storeIdle(handle, 4);
  return handle;
}

/**
 * Continue-as-new: the loop continues after every 200th run (RUNS_PER_HISTORY in workflows/store.ts).
 * The store starts as a continued run would, carrying 199 runs, so its next run is the 200th.
 */
async function storeContinueAsNew(ctx: Ctx): Promise<{ first: WorkflowHandle; firstRunId: string; second: WorkflowHandle }> {
  const handle = await startStore(ctx, 'continued.myshopify.com', { state: 'active', runCount: 199, pending: [] });
  const firstRunId = handle.firstExecutionRunId;
  await handle.executeUpdate(syncNowUpdate, { args: [{}] });
  const second = await until('the continued run', async () => {
    const d = await ctx.client.workflow.getHandle(handle.workflowId).describe();
    return d.runId !== firstRunId ? ctx.client.workflow.getHandle(handle.workflowId, d.runId) : undefined;
  });
  await second.executeUpdate(syncNowUpdate, { args: [{}] });
  await storeIdle(second, 201);
  return { first: handle, firstRunId, second };
}

/** The daily keep-alive over 8 stores (two batches): some refreshes fail, two grants are revoked; one of those stores has a workflow to signal, one has none. */
async function keepAlive(
  ctx: Ctx,
): Promise<{ keepalive: WorkflowHandleWithFirstExecutionRunId; signalled: WorkflowHandleWithFirstExecutionRunId }> {
  const signalled = await startStore(ctx, 'revoked.myshopify.com', { state: 'active', runCount: 0, pending: [] });
  await until('the store workflow to start', async () => ((await signalled.query(statusQuery)).state === 'active' ? true : undefined));
  ctx.script.setFleet([
    ...['a', 'b', 'c', 'd', 'e'].map((n) => ({ storeId: `store-${n}`, shopDomain: `${n}.myshopify.com`, outcome: 'ok' as const })),
    { storeId: 'store-failing', shopDomain: 'failing.myshopify.com', outcome: 'failing' },
    { storeId: 'store-revoked', shopDomain: 'revoked.myshopify.com', outcome: 'revoked' },
    { storeId: 'store-gone', shopDomain: 'gone.myshopify.com', outcome: 'revoked' },
  ]);
  // Production starts it from the schedule `fleet:qbo-connection-keepalive` (main/system.ts).
  const keepalive = await ctx.client.workflow.start<typeof connectionKeepAliveWorkflow>('connectionKeepAliveWorkflow', {
    workflowId: `${workflowIds.connectionKeepAliveSchedule()}-recorded`,
    taskQueue: ctx.taskQueue,
    args: [],
  });
  const result = await keepalive.result();
  if (result.checked !== 8 || result.failing.length !== 3) throw new Error(`unexpected keep-alive result ${JSON.stringify(result)}`);
  await storeIdle(signalled, 0, 'disconnected');
  // A second disconnect (e.g. the webhook path) on an already disconnected store changes nothing.
  await signalled.signal(disconnectedSignal, { reason: 'app/uninstalled webhook' });
  return { keepalive, signalled };
}

/**
 * The nightly audit as its schedule starts it (services/stores/audit-schedule.ts): one audit whose change-data-
 * capture step fails twice before answering (retried) and reports findings, and one of a paused store (blocked).
 */
async function audits(ctx: Ctx): Promise<{ found: WorkflowHandleWithFirstExecutionRunId; blocked: WorkflowHandleWithFirstExecutionRunId }> {
  ctx.script.audit.failChanged('store-audited', 2);
  ctx.script.audit.find('store-audited', { deleted: 1, edited: 1 });
  ctx.script.audit.block('store-audit-paused', 'store is paused');
  const start = (storeId: string, shopDomain: string) =>
    ctx.client.workflow.start<typeof storeAuditWorkflow>('storeAuditWorkflow', {
      workflowId: `${workflowIds.audit(shopDomain)}-recorded`,
      taskQueue: ctx.taskQueue,
      args: [{ storeId, shopDomain }],
    });
  const found = await start('store-audited', 'audited.myshopify.com');
  const summary = await found.result();
  if (summary.found !== 2) throw new Error(`unexpected audit summary ${JSON.stringify(summary)}`);
  const blocked = await start('store-audit-paused', 'audit-paused.myshopify.com');
  if ((await blocked.result()).blocked !== 'store is paused') throw new Error('the paused store was audited');
  return { found, blocked };
}

/**
 * Inventory runs as the store's schedule and the API start them (workflows/inventory.ts): one that plans and
 * writes, and one its circuit breaker parks until a person's confirmation (the confirmInventoryRun update) lets it
 * write.
 */
async function inventoryRuns(
  ctx: Ctx,
): Promise<{ applied: WorkflowHandleWithFirstExecutionRunId; confirmed: WorkflowHandleWithFirstExecutionRunId }> {
  ctx.script.inventory.trip('store-inventory-parked');
  const start = (storeId: string, shopDomain: string) =>
    ctx.client.workflow.start<typeof inventoryWorkflow>('inventoryWorkflow', {
      workflowId: `${workflowIds.inventory(shopDomain)}-recorded`,
      taskQueue: ctx.taskQueue,
      args: [{ storeId, shopDomain, trigger: 'scheduled' }],
    });
  const applied = await start('store-inventory', 'inventory.myshopify.com');
  if ((await applied.result()).status !== 'completed') throw new Error('the inventory run did not complete');
  const confirmed = await start('store-inventory-parked', 'inventory-parked.myshopify.com');
  for (let i = 0; ; i++) {
    try {
      await confirmed.executeUpdate(confirmInventoryRunUpdate, { args: [{ by: 'recorder' }] });
      break;
    } catch (err) {
      // Refused until the run is parked (the validator): try again shortly.
      if (!(err instanceof WorkflowUpdateFailedError) || i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if ((await confirmed.result()).status !== 'completed') throw new Error('the confirmed inventory run did not complete');
  return { applied, confirmed };
}

/**
 * Undos as the API starts them (services/stores/undo.ts applyUndo: workflow id workflowIds.undo, the request as input):
 * one over orders and refunds that completes at once, and one over refunds alone whose first attempt finds a sync
 * holding the store's write lease (StoreBusyError, retried after its retryAfterMs) and whose second attempt completes.
 */
async function undoRuns(
  ctx: Ctx,
): Promise<{ deleted: WorkflowHandleWithFirstExecutionRunId; waited: WorkflowHandleWithFirstExecutionRunId }> {
  const start = (shopDomain: string, input: UndoInput) =>
    ctx.client.workflow.start<typeof undoWorkflow>('undoWorkflow', {
      workflowId: `${workflowIds.undo(shopDomain, input.undoId)}-recorded`,
      taskQueue: ctx.taskQueue,
      args: [input],
    });
  const window = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };
  const deleted = await start('undo.myshopify.com', { storeId: 'store-undo', undoId: 'u-orders', ...window, kinds: ['orders', 'refunds'] });
  const r1 = await deleted.result();
  if (r1.deleted !== 2 || r1.gone !== 1 || r1.refused !== 2) throw new Error(`unexpected undo result ${JSON.stringify(r1)}`);
  ctx.script.undo.busy('store-undo-busy', 1);
  const waited = await start('undo-busy.myshopify.com', { storeId: 'store-undo-busy', undoId: 'u-refunds', ...window, kinds: ['refunds'] });
  const r2 = await waited.result();
  if (r2.deleted !== 1 || ctx.script.undo.attempts('store-undo-busy') !== 2)
    throw new Error(`unexpected waiting undo: ${JSON.stringify(r2)} after ${ctx.script.undo.attempts('store-undo-busy')} attempts`);
  return { deleted, waited };
}

// Payout sagas (workflows/payout.ts). Waits the workflow would spend for hours end after seconds: each scripted
// assessment's `until` lies a few seconds after the workflow's own `now` (test/replay/scripted-payouts.ts).

const PAYOUT_SHOP = 'payouts.myshopify.com';
const PAYOUT_STORE = 'store-payouts';
const payoutGid = (legacyId: string) => `gid://shopify/ShopifyPaymentsPayout/${legacyId}`;
const orderGid = (n: number) => `gid://shopify/Order/${n}`;
const SHORT_MS = 2_000;
const LONG_MS = 3_600_000;

interface PayoutRun {
  workflowId: string;
  runId: string;
}

/** Starts (or tells) a payout's saga as discovery does (activities/payouts): signal-with-start with the status it saw. */
async function discoverPayout(ctx: Ctx, shopDomain: string, storeId: string, legacyId: string, status: string): Promise<PayoutRun> {
  const input: PayoutWorkflowInput = { storeId, shopDomain, payoutId: payoutGid(legacyId), legacyId };
  const handle = await ctx.client.workflow.signalWithStart<typeof payoutWorkflow, [{ status: string }]>('payoutWorkflow', {
    workflowId: payoutWorkflowId(shopDomain, legacyId),
    taskQueue: ctx.taskQueue,
    args: [input],
    signal: payoutSeenSignal,
    signalArgs: [{ status }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    typedSearchAttributes: [
      { key: STORE_SEARCH_ATTRIBUTE, value: shopDomain },
      { key: PAYOUT_STATE_SEARCH_ATTRIBUTE, value: 'discovered' },
    ],
  });
  return { workflowId: handle.workflowId, runId: handle.signaledRunId };
}

/** Waits until the saga is in `state` after `assessments` assessments (its status query, as the API reads it). */
async function sagaAt(ctx: Ctx, run: PayoutRun, state: PayoutSagaStatus['state'], assessments: number): Promise<PayoutSagaStatus> {
  const handle = ctx.client.workflow.getHandle(run.workflowId, run.runId);
  return until(`${run.workflowId}: ${state} after ${assessments} assessments`, async () => {
    const s = await handle.query(payoutStatusQuery).catch(() => undefined);
    return s && s.state === state && s.assessments === assessments ? s : undefined;
  });
}

/** `POST /stores/:id/payouts/:payoutId/retry`: the retryPayout update, answered once the saga has decided again. */
async function retryPayout(ctx: Ctx, run: PayoutRun, reason: string): Promise<PayoutSagaStatus> {
  return ctx.client.workflow.getHandle(run.workflowId).executeUpdate(retryPayoutUpdate, { args: [{ reason }] });
}

async function sagaResult(ctx: Ctx, run: PayoutRun, state: PayoutSagaStatus['state']): Promise<PayoutSagaStatus> {
  const result = (await ctx.client.workflow.getHandle(run.workflowId, run.runId).result()) as PayoutSagaStatus;
  if (result.state !== state) throw new Error(`${run.workflowId} ended ${result.state}, expected ${state}: ${JSON.stringify(result)}`);
  return result;
}

function expectCalls(ctx: Ctx, payoutId: string, expected: string[]): void {
  // Document requests name the store's orders, not the payout: each scenario's own are in `expected`.
  const own = ctx.script.payouts.calls.filter(
    (c) => c.split(' ')[1] === payoutId || (c.startsWith('request-documents') && expected.includes(c)),
  );
  if (JSON.stringify(own) !== JSON.stringify(expected))
    throw new Error(`payout ${payoutId}: calls ${JSON.stringify(own)}, expected ${JSON.stringify(expected)}`);
}

/** (a) Discovered SCHEDULED (waits for PAID), seen PAID by the next discovery (signal), posted, watched until the watch ends, done. */
async function payoutPaid(ctx: Ctx): Promise<PayoutRun> {
  const id = payoutGid('1001');
  ctx.script.payouts.assessments(id, [step.waitPaid(), step.post(), step.watch(SHORT_MS), step.done('posted')]);
  const run = await discoverPayout(ctx, PAYOUT_SHOP, PAYOUT_STORE, '1001', 'SCHEDULED');
  await sagaAt(ctx, run, 'scheduled', 1);
  await discoverPayout(ctx, PAYOUT_SHOP, PAYOUT_STORE, '1001', 'PAID');
  const result = await sagaResult(ctx, run, 'posted');
  if (result.depositId !== 'deposit-1001') throw new Error(`unexpected result ${JSON.stringify(result)}`);
  expectCalls(ctx, id, [
    `assess ${id} wait_paid`,
    `assess ${id} post`,
    `post ${id} ok`,
    `assess ${id} watch`,
    `assess ${id} done`,
    `record ${id} posted`,
  ]);
  return run;
}

/**
 * (b) PAID, but two orders' documents are not booked: it asks the store for them and waits; the wait ends (one is
 * booked), it waits again for the other; a person retries after booking it; posted, watched, done.
 */
async function payoutDocuments(ctx: Ctx): Promise<PayoutRun> {
  const id = payoutGid('1002');
  ctx.script.payouts.assessments(id, [
    step.waitDocuments([orderGid(5001), orderGid(5002)], SHORT_MS),
    step.waitDocuments([orderGid(5002)], LONG_MS),
    step.post(),
    step.watch(SHORT_MS),
    step.done('posted'),
  ]);
  const run = await discoverPayout(ctx, PAYOUT_SHOP, PAYOUT_STORE, '1002', 'PAID');
  const waiting = await sagaAt(ctx, run, 'waiting_documents', 2);
  if (!waiting.waitingUntil) throw new Error('the waiting saga names no time it waits until');
  const retried = await retryPayout(ctx, run, 'order 5002 booked');
  if (retried.assessments !== 3) throw new Error(`the retry answered ${JSON.stringify(retried)}`);
  await sagaResult(ctx, run, 'posted');
  expectCalls(ctx, id, [
    `assess ${id} wait_documents`,
    `request-documents ${PAYOUT_STORE} ${orderGid(5001)},${orderGid(5002)}`,
    `assess ${id} wait_documents`,
    `request-documents ${PAYOUT_STORE} ${orderGid(5002)}`,
    `assess ${id} post`,
    `post ${id} ok`,
    `assess ${id} watch`,
    `assess ${id} done`,
    `record ${id} posted`,
  ]);
  return run;
}

/**
 * (c) Held by its assessment (the lines do not add up), retried; QBO holds the post, retried; posted, done. And a
 * post that fails for good part-way: what it wrote is removed, the payout held; retried, posted, done.
 */
async function payoutHeld(ctx: Ctx): Promise<{ held: PayoutRun; failedPost: PayoutRun }> {
  const id = payoutGid('1003');
  ctx.script.payouts.assessments(id, [
    step.hold('The payout lines add up to 118.40, not to its net 120.00 (scripted)'),
    step.post(),
    step.post(),
    step.done('posted'),
  ]);
  ctx.script.payouts.posts(id, [{ held: 'QBO refused the Deposit: the bank account is inactive (scripted)' }, 'ok']);
  const held = await discoverPayout(ctx, PAYOUT_SHOP, PAYOUT_STORE, '1003', 'PAID');
  await sagaAt(ctx, held, 'held', 1);
  await retryPayout(ctx, held, 'adjustment line mapped');
  await sagaAt(ctx, held, 'held', 2);
  await retryPayout(ctx, held, 'bank account reactivated');
  await sagaResult(ctx, held, 'posted');
  expectCalls(ctx, id, [
    `assess ${id} hold`,
    `assess ${id} post`,
    `post ${id} held`,
    `assess ${id} post`,
    `post ${id} ok`,
    `assess ${id} done`,
    `record ${id} posted`,
  ]);

  const failing = payoutGid('1004');
  ctx.script.payouts.assessments(failing, [step.post(), step.post(), step.done('posted')]);
  ctx.script.payouts.posts(failing, [
    { fails: 'QBO answered the Deposit with a validation error after the JournalEntry (scripted)' },
    'ok',
  ]);
  const failedPost = await discoverPayout(ctx, PAYOUT_SHOP, PAYOUT_STORE, '1004', 'PAID');
  const undone = await sagaAt(ctx, failedPost, 'held', 1);
  if (!undone.reason?.startsWith('Posting failed and was undone')) throw new Error(`unexpected hold ${JSON.stringify(undone)}`);
  await retryPayout(ctx, failedPost, 'validation error fixed');
  await sagaResult(ctx, failedPost, 'posted');
  expectCalls(ctx, failing, [
    `assess ${failing} post`,
    `post ${failing} fails`,
    `remove ${failing} held`,
    `assess ${failing} post`,
    `post ${failing} ok`,
    `assess ${failing} done`,
    `record ${failing} posted`,
  ]);
  return { held, failedPost };
}

/** (d) Posted, then FAILED during the failure watch (discovery signals it): the Deposit is removed, compensated. */
async function payoutFailed(ctx: Ctx): Promise<PayoutRun> {
  const id = payoutGid('1005');
  ctx.script.payouts.assessments(id, [step.post(), step.watch(LONG_MS), step.compensate('FAILED')]);
  const run = await discoverPayout(ctx, PAYOUT_SHOP, PAYOUT_STORE, '1005', 'PAID');
  await sagaAt(ctx, run, 'watching', 2);
  await discoverPayout(ctx, PAYOUT_SHOP, PAYOUT_STORE, '1005', 'FAILED');
  const result = await sagaResult(ctx, run, 'compensated');
  if (result.depositId !== null) throw new Error(`the compensated payout keeps a Deposit: ${JSON.stringify(result)}`);
  expectCalls(ctx, id, [
    `assess ${id} post`,
    `post ${id} ok`,
    `assess ${id} watch`,
    `assess ${id} compensate`,
    `remove ${id} compensated`,
    `record ${id} compensated`,
  ]);
  return run;
}

/**
 * (e) Sync runs that discover payouts at their end: the first starts a SCHEDULED payout's saga, the second tells it
 * PAID (it posts), the third's discovery fails for good and the run still completes.
 */
async function payoutDiscovery(ctx: Ctx): Promise<{ runs: PayoutRun[]; saga: PayoutRun }> {
  const shopDomain = 'discovery.myshopify.com';
  const storeId = 'store-discovery';
  const id = payoutGid('2001');
  ctx.script.payouts.assessments(id, [step.waitPaid(), step.post(), step.watch(SHORT_MS), step.done('posted')]);
  let saga: PayoutRun | undefined;
  ctx.script.payouts.discoveries(storeId, [
    async () => {
      saga = await discoverPayout(ctx, shopDomain, storeId, '2001', 'SCHEDULED');
      return { listed: 2, started: 1, signalled: 0, settled: 1 };
    },
    async () => {
      await discoverPayout(ctx, shopDomain, storeId, '2001', 'PAID');
      return { listed: 2, started: 0, signalled: 1, settled: 1 };
    },
    async () => ({ fails: 'Shopify refused the payouts query: the app lacks read_shopify_payments_payouts (scripted)' }),
  ]);
  const runs: PayoutRun[] = [];
  const syncRun = async (seq: number) => {
    const handle = await ctx.client.workflow.start<typeof syncRunWorkflow>('syncRunWorkflow', {
      workflowId: workflowIds.syncRun(shopDomain, new Date().toISOString(), seq),
      taskQueue: ctx.taskQueue,
      args: [{ storeId, shopDomain, trigger: 'scheduled' }],
      typedSearchAttributes: [{ key: STORE_SEARCH_ATTRIBUTE, value: shopDomain }],
    });
    await handle.result();
    runs.push({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
  };
  await syncRun(1);
  if (!saga) throw new Error('the first run discovered no payout');
  await sagaAt(ctx, saga, 'scheduled', 1);
  await syncRun(2);
  await sagaResult(ctx, saga, 'posted');
  await syncRun(3);
  const discoveries = ctx.script.payouts.calls.filter((c) => c.startsWith(`discover ${storeId}`));
  if (discoveries.length !== 3 || discoveries[2] !== `discover ${storeId} fails`)
    throw new Error(`discoveries ${JSON.stringify(discoveries)}`);
  return { runs, saga };
}

// ---------------------------------------------------------------------------------------------------

async function recordChildren(ctx: Ctx, scenario: string, parent: History, prefix = ''): Promise<void> {
  let n = 0;
  for (const child of childrenOf(parent)) {
    n += 1;
    const seq = child.workflowId.split(':').pop();
    await ctx.record(scenario, `${prefix}sync-run-${String(n).padStart(2, '0')}`, `child sync run #${seq} of the store loop`, child);
  }
}

class UsageError extends Error {}

const PAYOUT_SCENARIOS = ['payout-paid', 'payout-documents', 'payout-held', 'payout-failed', 'payout-discovery'] as const;
const SCENARIOS = [
  'store-lifecycle',
  'store-failures',
  'store-continue-as-new',
  'keepalive',
  'audit',
  'inventory',
  'undo',
  ...PAYOUT_SCENARIOS,
] as const;
type Scenario = (typeof SCENARIOS)[number];

/**
 * `--only a,b` records those scenarios alone (e.g. a new workflow's, without re-recording the others in a new set);
 * `--only payouts` names every payout scenario.
 */
function parseArgs(argv: string[]): { set: string; force: boolean; only: Set<Scenario> } {
  let set = new Date().toISOString().slice(0, 10);
  let force = false;
  let only = new Set<Scenario>(SCENARIOS);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--set') set = argv[++i] ?? set;
    else if (argv[i] === '--force') force = true;
    else if (argv[i] === '--only') {
      const names = (argv[++i] ?? '')
        .split(',')
        .filter(Boolean)
        .flatMap((n) => (n === 'payouts' ? [...PAYOUT_SCENARIOS] : [n]));
      const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
      if (names.length === 0 || unknown.length > 0) throw new UsageError(`--only takes scenarios among ${SCENARIOS.join(', ')}`);
      only = new Set(names as Scenario[]);
    } else throw new UsageError(`unknown argument ${argv[i]} (use --set <name> [--only <scenarios>] [--force])`);
  }
  if (!/^[\w.-]+$/.test(set)) throw new UsageError(`--set ${set}: use letters, digits, . _ -`);
  return { set, force, only };
}

async function main(): Promise<void> {
  const { set, force, only } = parseArgs(process.argv.slice(2));
  const outDir = path.join(historiesDir, set);
  if (fs.existsSync(outDir) && !force)
    throw new UsageError(
      `${path.relative(repoRoot, outDir)} exists: pick another --set name (older sets stay) or pass --force to re-record it`,
    );

  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  // Errors only: the scripted failures make the SDK warn of every failed activity attempt.
  const log = createLogger({ logLevel: 'error', logPretty: false }, 'record-histories');
  installTemporalRuntime(log);
  const cli = await ensureTemporalCli({ cacheDir: config.cacheDir, log: (m) => console.log(m) });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-histories-'));
  const cleanups: Array<() => Promise<void>> = [async () => fs.rmSync(dataDir, { recursive: true, force: true })];
  try {
    const server = await startDevServer({
      bin: cli.path,
      dataDir,
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
      log,
    });
    cleanups.push(() => server.stop());
    console.log(`Temporal dev server ${server.address} (${cli.path})`);
    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });
    const workerConnection = await NativeConnection.connect({ address: server.address });
    cleanups.push(() => workerConnection.close());

    const taskQueue = `record-histories-${process.pid}`;
    const { activities, script } = scriptedActivities();
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: 'default',
      taskQueue,
      activities,
      workflowsPath: path.join(repoRoot, 'workflows', 'index.ts'),
      interceptors: ledgerlineInterceptors,
    });

    const recorded: Array<ManifestEntry & { json: string }> = [];
    const ctx: Ctx = {
      client,
      taskQueue,
      script,
      async record(scenario, label, description, { workflowId, runId }) {
        const history = await settledHistory(client, workflowId, runId);
        const d = await client.workflow.getHandle(workflowId, runId).describe();
        const file = `${scenario}--${label}.json`;
        const json = `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`;
        recorded.push({
          file,
          scenario,
          description,
          workflowType: d.type,
          workflowId,
          runId,
          status: d.status.name,
          events: history.events?.length ?? 0,
          json,
        });
        console.log(`  ${file}: ${d.type} ${d.status.name}, ${history.events?.length} events`);
      },
    };

    await worker.runUntil(async () => {
      if (only.has('audit')) {
        console.log('scenario audit');
        const audited = await audits(ctx);
        await ctx.record(
          'audit',
          'found',
          'nightly audit: change data capture step retried twice (QBO 5xx), findings reported, sample, cursor moved',
          { workflowId: audited.found.workflowId, runId: audited.found.firstExecutionRunId },
        );
        await ctx.record('audit', 'blocked', 'nightly audit of a paused store: nothing read, the summary says why', {
          workflowId: audited.blocked.workflowId,
          runId: audited.blocked.firstExecutionRunId,
        });
      }
      if (only.has('inventory')) {
        console.log('scenario inventory');
        const runs = await inventoryRuns(ctx);
        await ctx.record('inventory', 'applied', 'inventory run from the schedule: begin, plan, apply, finish: completed', {
          workflowId: runs.applied.workflowId,
          runId: runs.applied.firstExecutionRunId,
        });
        await ctx.record(
          'inventory',
          'confirmed',
          'inventory run parked by its circuit breaker (awaiting_confirmation), confirmInventoryRun update, apply, finish: completed',
          { workflowId: runs.confirmed.workflowId, runId: runs.confirmed.firstExecutionRunId },
        );
      }
      if (only.has('undo')) {
        console.log('scenario undo');
        const runs = await undoRuns(ctx);
        await ctx.record(
          'undo',
          'deleted',
          'undo of orders and refunds: one undoApply attempt deletes the documents (one gone, a refused Payment keeps its invoice): completed',
          { workflowId: runs.deleted.workflowId, runId: runs.deleted.firstExecutionRunId },
        );
        await ctx.record(
          'undo',
          'lease-wait',
          "undo of refunds: undoApply's first attempt finds a sync holding the write lease (StoreBusyError, retried), the second deletes: completed",
          { workflowId: runs.waited.workflowId, runId: runs.waited.firstExecutionRunId },
        );
      }
      if (only.has('payout-paid')) {
        console.log('scenario payout-paid');
        const run = await payoutPaid(ctx);
        await ctx.record(
          'payout-paid',
          'saga',
          'payout saga: discovered SCHEDULED (waits for PAID), the next discovery signals PAID, posted, failure watch (timer), done: posted',
          run,
        );
      }
      if (only.has('payout-documents')) {
        console.log('scenario payout-documents');
        const run = await payoutDocuments(ctx);
        await ctx.record(
          'payout-documents',
          'saga',
          'payout saga: PAID but two orders unbooked (documents requested), the wait ends (timer), one still missing (requested), retryPayout update, posted, watch, done: posted',
          run,
        );
      }
      if (only.has('payout-held')) {
        console.log('scenario payout-held');
        const held = await payoutHeld(ctx);
        await ctx.record(
          'payout-held',
          'held',
          'payout saga: held by its assessment, retryPayout update, the post answers held, retryPayout update, posted, done: posted',
          held.held,
        );
        await ctx.record(
          'payout-held',
          'post-fails',
          'payout saga: the post fails for good part-way (removed, held), retryPayout update, posted, done: posted',
          held.failedPost,
        );
      }
      if (only.has('payout-failed')) {
        console.log('scenario payout-failed');
        const run = await payoutFailed(ctx);
        await ctx.record(
          'payout-failed',
          'saga',
          'payout saga: posted, watching; discovery signals FAILED (the watch timer is cancelled), the Deposit removed: compensated',
          run,
        );
      }
      if (only.has('payout-discovery')) {
        console.log('scenario payout-discovery');
        const d = await payoutDiscovery(ctx);
        const what = [
          'sync run whose payout discovery starts a SCHEDULED payout saga (signal-with-start)',
          'sync run whose payout discovery signals the running saga PAID',
          'sync run whose payout discovery fails for good: the run completes',
        ];
        for (const [i, run] of d.runs.entries())
          await ctx.record('payout-discovery', `sync-run-${String(i + 1).padStart(2, '0')}`, what[i]!, run);
        await ctx.record(
          'payout-discovery',
          'saga',
          "payout saga started by a sync run's discovery (SCHEDULED), told PAID by the next, posted, watch, done: posted",
          d.saga,
        );
      }
      if (only.has('store-lifecycle')) {
        console.log('scenario store-lifecycle');
        const lifecycle = await storeLifecycle(ctx);
        await ctx.record(
          'store-lifecycle',
          'store',
          'store loop: first scheduled sync, manual sync (update), resync window (update; bulk path), webhook nudge, pause (update rejected, nudge ignored), resume, interval change, coalesced manual syncs; waiting on its timer',
          { workflowId: lifecycle.workflowId, runId: lifecycle.firstExecutionRunId },
        );
        await recordChildren(ctx, 'store-lifecycle', await lifecycle.fetchHistory());
      }

      if (only.has('store-failures')) {
        console.log('scenario store-failures');
        const failures = await storeFailures(ctx);
        await ctx.record(
          'store-failures',
          'store',
          'store loop: a run that succeeds after a retried page, a failed run (the update answers SyncRunFailed), a revoked QBO connection (store disconnected), resume, a good run',
          { workflowId: failures.workflowId, runId: failures.firstExecutionRunId },
        );
        await recordChildren(ctx, 'store-failures', await failures.fetchHistory());
      }

      if (only.has('store-continue-as-new')) {
        console.log('scenario store-continue-as-new');
        const can = await storeContinueAsNew(ctx);
        await ctx.record(
          'store-continue-as-new',
          'store-run-1',
          'store loop carrying 199 runs: a manual sync makes the 200th run, then it continues as new',
          { workflowId: can.first.workflowId, runId: can.firstRunId },
        );
        await recordChildren(
          ctx,
          'store-continue-as-new',
          await client.workflow.getHandle(can.first.workflowId, can.firstRunId).fetchHistory(),
        );
        const secondRunId = (await can.second.describe()).runId;
        await ctx.record(
          'store-continue-as-new',
          'store-run-2',
          'the continued store loop (carried state as input): one manual sync, then waiting on its timer',
          { workflowId: can.second.workflowId, runId: secondRunId },
        );
        await recordChildren(ctx, 'store-continue-as-new', await can.second.fetchHistory(), 'run-2-');
      }

      if (only.has('keepalive')) {
        console.log('scenario keepalive');
        const ka = await keepAlive(ctx);
        await ctx.record(
          'keepalive',
          'keepalive',
          'keep-alive over 8 stores in two batches: 5 refreshed, 1 failing, 2 revoked (marked disconnected; one store workflow signalled, one signal fails: no such workflow)',
          { workflowId: ka.keepalive.workflowId, runId: ka.keepalive.firstExecutionRunId },
        );
        await ctx.record(
          'keepalive',
          'store-disconnected',
          'store loop disconnected by the keep-alive signal, then a second disconnected signal',
          { workflowId: ka.signalled.workflowId, runId: ka.signalled.firstExecutionRunId },
        );
      }
    });

    const sdkVersion = (JSON.parse(fs.readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as { version: string })
      .version;
    const manifest: Manifest = {
      recordedAt: new Date().toISOString(),
      sdkVersion,
      // Ledgerline's cache holds the pinned CLI built from source, which reports itself as 0.0.0-DEV.
      temporalCli: `${cli.source === 'cache' || cli.source === 'built' ? `${TEMPORAL_CLI_VERSION}: ` : ''}${temporalCliVersion(cli.path)} (from ${cli.source})`,
      histories: recorded.map(({ json: _json, ...entry }) => entry),
    };
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    for (const r of recorded) fs.writeFileSync(path.join(outDir, r.file), r.json);
    fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`${recorded.length} histories written to ${path.relative(repoRoot, outDir)}/`);
  } finally {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => console.error(err));
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof UsageError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
