/**
 * The API's side of a store's Temporal workflow (workflows/store.ts): start it, signal it, ask its
 * status, and run manual syncs as updates that answer within a bounded wait. Payloads carry ids and
 * settings only, never credentials. Every call is bounded so a request never hangs on Temporal.
 */
import {
  type Client,
  isGrpcServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WorkflowUpdateStage,
  type WorkflowHandle,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError, type SignalDefinition } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { STATE_SEARCH_ATTRIBUTE, STORE_SEARCH_ATTRIBUTE } from '../../workflows/search-attributes';
import {
  type StoreState,
  type StoreStatus,
  type StoreWorkflowInput,
  type SyncNowResult,
  type SyncProgress,
  type SyncWindow,
  resumeSignal,
  statusQuery,
  syncProgressQuery,
  syncNowUpdate,
  workflowIds,
} from '../../workflows/definitions';
import type { storeWorkflow } from '../../workflows/store';
import { describeError, TEMPORAL_CALL_TIMEOUT_MS, temporalTimedOut } from '../deadline';
import { HttpError } from '../errors';
import { type StoreContext, temporalClient, temporalUnavailable } from './context';

// A running worker accepts an update within one workflow task; longer means none is polling.
const ACCEPT_TIMEOUT_MS = 10_000;
// Queries and signals are answered in one round trip (a query needs a worker, hence not instant).
const QUERY_TIMEOUT_MS = TEMPORAL_CALL_TIMEOUT_MS;
const SIGNAL_TIMEOUT_MS = 5_000;

export interface StoreRef {
  id: string;
  shopDomain: string;
}

function attributes(shopDomain: string, state: StoreState) {
  return [
    { key: STORE_SEARCH_ATTRIBUTE, value: shopDomain },
    { key: STATE_SEARCH_ATTRIBUTE, value: state },
  ];
}

/** The first run happens now (the pending scheduled request), then every `intervalMinutes`. */
function freshInput(store: StoreRef, intervalMinutes: number): StoreWorkflowInput {
  return {
    storeId: store.id,
    shopDomain: store.shopDomain,
    intervalMinutes,
    carried: { state: 'active', runCount: 0, pending: [{ trigger: 'scheduled' }] },
  };
}

/** Starts a newly connected store's workflow; an orphan of an earlier, deleted store is replaced. */
export async function startStoreWorkflow(ctx: StoreContext, store: StoreRef, intervalMinutes: number): Promise<void> {
  const client = await temporalClient(ctx);
  try {
    await client.withDeadline(Date.now() + SIGNAL_TIMEOUT_MS, () =>
      client.workflow.start<typeof storeWorkflow>('storeWorkflow', {
        workflowId: workflowIds.store(store.shopDomain),
        taskQueue: ctx.taskQueue,
        args: [freshInput(store, intervalMinutes)],
        // The stores row did not exist, so a running workflow with this id belongs to nobody.
        workflowIdConflictPolicy: 'TERMINATE_EXISTING',
        typedSearchAttributes: attributes(store.shopDomain, 'active'),
      }),
    );
  } catch (err) {
    throw temporalUnavailable(err, "start the store's workflow");
  }
}

/** Resumes the workflow, starting it again (active, syncing now) if it is gone. */
export async function resumeOrStartWorkflow(ctx: StoreContext, store: StoreRef, intervalMinutes: number): Promise<void> {
  const client = await temporalClient(ctx);
  try {
    await client.withDeadline(Date.now() + SIGNAL_TIMEOUT_MS, () =>
      client.workflow.signalWithStart<typeof storeWorkflow, []>('storeWorkflow', {
        workflowId: workflowIds.store(store.shopDomain),
        taskQueue: ctx.taskQueue,
        args: [freshInput(store, intervalMinutes)],
        signal: resumeSignal,
        signalArgs: [],
        typedSearchAttributes: attributes(store.shopDomain, 'active'),
      }),
    );
  } catch (err) {
    throw temporalUnavailable(err, "resume the store's workflow");
  }
}

/** Signals the running workflow; false when there is none (nothing to tell). */
export async function signalStore<Args extends unknown[]>(
  ctx: StoreContext,
  shopDomain: string,
  signal: SignalDefinition<Args>,
  ...args: Args
): Promise<boolean> {
  const client = await temporalClient(ctx);
  try {
    await client.withDeadline(Date.now() + SIGNAL_TIMEOUT_MS, () =>
      client.workflow.getHandle(workflowIds.store(shopDomain)).signal(signal, ...args),
    );
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw temporalUnavailable(err, "signal the store's workflow");
  }
}

export type WorkflowStatus = { ok: true; status: StoreStatus } | { ok: false; error: string };

/** The workflow's status query; a failure is an answer ("say so in a field"), never an exception. */
export async function queryStatus(ctx: StoreContext, shopDomain: string): Promise<WorkflowStatus> {
  const workflowId = workflowIds.store(shopDomain);
  try {
    const client = await temporalClient(ctx);
    const handle = client.workflow.getHandle(workflowId);
    return await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, async (): Promise<WorkflowStatus> => {
      // A closed workflow still answers queries (by replay): check it is running first.
      const { status: execution } = await handle.describe();
      if (execution.name !== 'RUNNING')
        return {
          ok: false,
          error: `The store's workflow ${workflowId} is ${execution.name.toLowerCase()}; POST /stores/:id/resume starts it again`,
        };
      return { ok: true, status: await handle.query(statusQuery) };
    });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { ok: false, error: `The store's workflow ${workflowId} is not running` };
    if (err instanceof HttpError) return { ok: false, error: err.message };
    const reason = describeError(err);
    return {
      ok: false,
      error: temporalTimedOut(err)
        ? `Temporal did not answer the status query within ${QUERY_TIMEOUT_MS / 1000} s (is a worker running?)`
        : `Status query failed: ${reason}`,
    };
  }
}

/**
 * A running sync's progress (its syncRunWorkflow's query), or null when it cannot be had in time (the run just ended,
 * or Temporal is slow): the view then shows the run as running, without figures.
 */
export async function queryProgress(ctx: StoreContext, runWorkflowId: string): Promise<SyncProgress | null> {
  try {
    const client = await temporalClient(ctx);
    return await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
      client.workflow.getHandle(runWorkflowId).query(syncProgressQuery),
    );
  } catch (err) {
    ctx.log.debug({ err, runWorkflowId }, 'no progress from the running sync');
    return null;
  }
}

export type SyncOutcome = { done: true; result: SyncNowResult } | { done: false; updateId: string; runId: string | null };

export interface SyncRequest {
  trigger: 'manual' | 'resync';
  window?: SyncWindow;
}

/** The 404 for a sync request id the store's workflow does not know. */
const unknownSyncRequest = (updateId: string, workflowId: string) =>
  new HttpError(404, 'not_found', `Sync request ${updateId} not found for ${workflowId} (it may belong to an earlier run of the workflow)`);

/** Waits up to `waitSeconds` for the update's result; the validator's refusal is a 409. */
async function awaitOutcome(
  ctx: StoreContext,
  shopDomain: string,
  client: Client,
  handle: WorkflowHandle,
  update: WorkflowUpdateHandle<SyncNowResult>,
  waitSeconds: number,
): Promise<SyncOutcome> {
  try {
    const result = await client.withDeadline(Date.now() + waitSeconds * 1000, () => update.result());
    return { done: true, result };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      const message = cause?.message ?? err.message;
      if (cause instanceof ApplicationFailure && cause.type === 'SyncRunFailed') {
        throw new HttpError(502, 'sync_failed', `The sync run failed: ${message}`);
      }
      throw new HttpError(409, 'sync_refused', message);
    }
    if (err instanceof WorkflowNotFoundError) {
      throw unknownSyncRequest(update.updateId, handle.workflowId);
    }
    if (!(err instanceof WorkflowUpdateRPCTimeoutOrCancelledError)) throw temporalUnavailable(err, 'wait for the sync');
  }
  // Still running. While the request waits its turn it is queued; once the queue is empty and a run is
  // going, that run is the one serving it (requests coalesce into the next run, never into a running one).
  const status = await queryStatus(ctx, shopDomain);
  const runId = status.ok && status.status.running && status.status.queued.length === 0 ? status.status.currentRunId : null;
  return { done: false, updateId: update.updateId, runId };
}

/** `syncNow` as an update accepted by the workflow (or refused by its validator), then a bounded wait. */
export async function requestSync(ctx: StoreContext, shopDomain: string, request: SyncRequest, waitSeconds: number): Promise<SyncOutcome> {
  const client = await temporalClient(ctx);
  const handle = client.workflow.getHandle(workflowIds.store(shopDomain));
  let update: WorkflowUpdateHandle<SyncNowResult>;
  try {
    update = await client.withDeadline(Date.now() + ACCEPT_TIMEOUT_MS, () =>
      handle.startUpdate(syncNowUpdate, {
        args: [{ trigger: request.trigger, ...(request.window ? { window: request.window } : {}) }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      }),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new HttpError(
        409,
        'workflow_not_running',
        `The store's workflow ${handle.workflowId} is not running; POST /stores/:id/resume starts it again`,
      );
    }
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      throw new HttpError(
        503,
        'sync_not_accepted',
        `The store's workflow did not accept the sync within ${ACCEPT_TIMEOUT_MS / 1000} s; is a Ledgerline worker running?`,
      );
    }
    throw temporalUnavailable(err, 'request the sync');
  }
  return awaitOutcome(ctx, shopDomain, client, handle, update, waitSeconds);
}

/** gRPC's status code 5 (https://grpc.io/docs/guides/status-codes/). */
const GRPC_NOT_FOUND = 5;

/**
 * Is `updateId` an update the store's workflow has accepted (running or finished)? Asked with a
 * "wait until accepted" poll, which the server answers at once for a known update and with NOT_FOUND
 * for any other id. Without it a status check with `wait=0` would time out before the server could
 * say "not found", and an id nobody issued would look like a sync still running.
 */
async function ensureUpdateKnown(client: Client, workflowId: string, updateId: string): Promise<void> {
  try {
    await client.withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, () =>
      client.workflowService.pollWorkflowExecutionUpdate({
        namespace: client.options.namespace,
        updateRef: { workflowExecution: { workflowId }, updateId },
        identity: client.options.identity,
        waitPolicy: {
          lifecycleStage: temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED,
        },
      }),
    );
  } catch (err) {
    if (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND) {
      throw unknownSyncRequest(updateId, workflowId);
    }
    throw temporalUnavailable(err, 'look up the sync request');
  }
}

/** The outcome of an earlier sync request (the 202's status link); an id the workflow never accepted is a 404. */
export async function syncRequestStatus(
  ctx: StoreContext,
  shopDomain: string,
  updateId: string,
  waitSeconds: number,
): Promise<SyncOutcome> {
  const client = await temporalClient(ctx);
  const handle = client.workflow.getHandle(workflowIds.store(shopDomain));
  await ensureUpdateKnown(client, handle.workflowId, updateId);
  return awaitOutcome(ctx, shopDomain, client, handle, handle.getUpdateHandle<SyncNowResult>(updateId), waitSeconds);
}
