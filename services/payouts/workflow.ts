/**
 * The API's side of a payout's saga (workflows/payout.ts): its live status (a query), and a retry after a fix — the
 * `retryPayout` update on a running saga, or a new run of a closed one. Payloads carry ids only. Every call is bounded
 * (services/deadline.ts), so a request never hangs on Temporal: a read says why it has no live status, a write
 * answers 503.
 */
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { PayoutRow } from '../../db/queries/payouts';
import type { StoreRow } from '../../db/queries/stores';
import { type PayoutSagaStatus, type PayoutWorkflowInput, payoutStatusQuery, retryPayoutUpdate } from '../../workflows/definitions';
import type { payoutWorkflow } from '../../workflows/payout';
import { PAYOUT_STATE_SEARCH_ATTRIBUTE, STORE_SEARCH_ATTRIBUTE } from '../../workflows/search-attributes';
import { describeError, TEMPORAL_CALL_TIMEOUT_MS, temporalTimedOut as timedOut } from '../deadline';
import { HttpError } from '../errors';
import { type StoreContext, temporalClient, temporalUnavailable } from '../stores/context';

/** A running worker accepts an update within one workflow task; longer means none is polling the queue. */
export const RETRY_ACCEPT_TIMEOUT_MS = 10_000;
/** Describe, start: one round trip each. */
const CALL_TIMEOUT_MS = TEMPORAL_CALL_TIMEOUT_MS;

export type LiveStatus =
  { ok: true; executionStatus: string; status: PayoutSagaStatus } | { ok: false; executionStatus: string | null; error: string };

/**
 * The running saga's own view (payoutStatusQuery), asked with a short deadline. A failure is an answer, never an
 * exception: the caller shows the row and says why there is no live status.
 */
export async function queryPayoutStatus(ctx: StoreContext, workflowId: string): Promise<LiveStatus> {
  let executionStatus: string | null = null;
  try {
    const client = await temporalClient(ctx);
    const handle = client.workflow.getHandle(workflowId);
    // A closed workflow still answers queries by replay (a worker must replay its whole history): ask running ones
    // only. The describe and the query each get their own deadline, so a busy server that is slow to describe still
    // leaves the query its time.
    const { status } = await client.withDeadline(Date.now() + CALL_TIMEOUT_MS, () => handle.describe());
    executionStatus = status.name;
    if (status.name !== 'RUNNING') {
      return {
        ok: false,
        executionStatus,
        error: `The payout's saga ${workflowId} is ${status.name.toLowerCase()}; the row shows its last state`,
      };
    }
    return await client.withDeadline(Date.now() + CALL_TIMEOUT_MS, async (): Promise<LiveStatus> => {
      return { ok: true, executionStatus: status.name, status: await handle.query(payoutStatusQuery) };
    });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      return { ok: false, executionStatus, error: `Temporal has no saga ${workflowId} (not started yet, or its history was removed)` };
    }
    const reason = describeError(err);
    return {
      ok: false,
      executionStatus,
      error: timedOut(err)
        ? `Temporal did not answer the status query within ${CALL_TIMEOUT_MS / 1000} s (is a worker running?)`
        : `Status query failed: ${reason}`,
    };
  }
}

export type RetryOutcome =
  /** The running saga read and decided again within the wait. */
  | { kind: 'retried'; workflowId: string; runId: string | null; updateId: string; status: PayoutSagaStatus }
  /** The running saga accepted the retry; it had not decided again when the wait ended. */
  | { kind: 'accepted'; workflowId: string; runId: string | null; updateId: string }
  /** The saga had ended: a new run was started. */
  | { kind: 'restarted'; workflowId: string; runId: string; previousStatus: string | null };

/** What the saga is given: the same ids discovery gives it (activities/payouts payoutsDiscover). */
export function payoutInput(
  store: Pick<StoreRow, 'id' | 'shopDomain'>,
  row: Pick<PayoutRow, 'payoutId' | 'legacyId'>,
): PayoutWorkflowInput {
  return { storeId: store.id, shopDomain: store.shopDomain, payoutId: row.payoutId, legacyId: row.legacyId };
}

/** The execution status of the latest run; null when Temporal has none with this id. */
async function describeStatus(client: Client, workflowId: string): Promise<{ status: string; runId: string | null } | null> {
  try {
    const d = await client.withDeadline(Date.now() + CALL_TIMEOUT_MS, () => client.workflow.getHandle(workflowId).describe());
    return { status: d.status.name, runId: d.runId };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw temporalUnavailable(err, "look up the payout's saga");
  }
}

/**
 * Starts the saga again after it ended (completed, failed, terminated…). `ALLOW_DUPLICATE`: a person asked for it,
 * unlike discovery, which never restarts a completed saga. Exactly-once writes (the ledger row, QBO's DocNumber)
 * keep the new run from posting a second Deposit. Undefined when a run started meanwhile (discovery won the race).
 */
async function restart(
  ctx: StoreContext,
  client: Client,
  store: Pick<StoreRow, 'id' | 'shopDomain'>,
  row: PayoutRow,
  previousStatus: string | null,
): Promise<RetryOutcome | undefined> {
  try {
    const handle = await client.withDeadline(Date.now() + CALL_TIMEOUT_MS, () =>
      client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', {
        workflowId: row.workflowId,
        taskQueue: ctx.taskQueue,
        args: [payoutInput(store, row)],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes: [
          { key: STORE_SEARCH_ATTRIBUTE, value: store.shopDomain },
          { key: PAYOUT_STATE_SEARCH_ATTRIBUTE, value: 'discovered' },
        ],
      }),
    );
    return { kind: 'restarted', workflowId: row.workflowId, runId: handle.firstExecutionRunId, previousStatus };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return undefined;
    throw temporalUnavailable(err, "start the payout's saga again");
  }
}

/** The update, accepted within a bounded time; undefined when the saga is not running (any more). */
async function startRetryUpdate(
  client: Client,
  workflowId: string,
  updateId: string,
  reason: string | undefined,
): Promise<WorkflowUpdateHandle<PayoutSagaStatus> | undefined> {
  try {
    return await client.withDeadline(Date.now() + RETRY_ACCEPT_TIMEOUT_MS, () =>
      client.workflow.getHandle(workflowId).startUpdate(retryPayoutUpdate, {
        args: [reason ? { reason } : {}],
        updateId,
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      }),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    if (timedOut(err)) {
      throw new HttpError(
        503,
        'retry_not_accepted',
        `The payout's saga ${workflowId} did not accept the retry within ${RETRY_ACCEPT_TIMEOUT_MS / 1000} s; is a Ledgerline worker running?`,
      );
    }
    throw temporalUnavailable(err, "ask the payout's saga to retry");
  }
}

/**
 * POST /stores/:id/payouts/:payoutId/retry: a running saga gets the `retryPayout` update (it reads and decides again;
 * answered when it has, or `accepted` when `waitSeconds` ran out first); a closed one is started again.
 */
export async function retryPayout(
  ctx: StoreContext,
  store: Pick<StoreRow, 'id' | 'shopDomain'>,
  row: PayoutRow,
  opts: { updateId: string; reason?: string | undefined; waitSeconds: number },
): Promise<RetryOutcome> {
  const client = await temporalClient(ctx);
  const workflowId = row.workflowId;
  // Twice at most: the saga may end between the look and the update, or discovery may start it between the look
  // and the start.
  for (let attempt = 0; attempt < 2; attempt++) {
    const described = await describeStatus(client, workflowId);
    if (described?.status !== 'RUNNING') {
      const restarted = await restart(ctx, client, store, row, described?.status ?? null);
      if (restarted) return restarted;
      continue;
    }
    const update = await startRetryUpdate(client, workflowId, opts.updateId, opts.reason);
    if (!update) continue;
    try {
      const status = await client.withDeadline(Date.now() + opts.waitSeconds * 1000, () => update.result());
      return { kind: 'retried', workflowId, runId: update.workflowRunId ?? described.runId, updateId: update.updateId, status };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        throw new HttpError(409, 'retry_refused', `The payout's saga refused the retry: ${err.cause?.message ?? err.message}`);
      }
      if (err instanceof WorkflowNotFoundError) continue;
      if (!timedOut(err)) {
        throw temporalUnavailable(err, "wait for the payout's saga");
      }
      return { kind: 'accepted', workflowId, runId: update.workflowRunId ?? described.runId, updateId: update.updateId };
    }
  }
  throw new HttpError(
    409,
    'saga_changing',
    `The payout's saga ${workflowId} started or ended while the retry was being made; look at the payout and retry again`,
  );
}

/** A retry posts to QBO: refused (409) while the store cannot sync or payouts are off, as discovery would skip it. */
export function assertRetryAllowed(store: Pick<StoreRow, 'state' | 'shopDomain' | 'settings'>, payoutsEnabled: boolean): void {
  if (store.state === 'paused') {
    throw new HttpError(409, 'store_paused', `Store ${store.shopDomain} is paused; POST /stores/:id/resume first, then retry the payout`);
  }
  if (store.state !== 'active') {
    throw new HttpError(
      409,
      'store_disconnected',
      `Store ${store.shopDomain} is ${store.state}; PUT /stores/:id/credentials reconnects it, then retry the payout`,
    );
  }
  if (!payoutsEnabled) {
    throw new HttpError(409, 'payouts_off', `Payouts are off for ${store.shopDomain}; set settings.payouts.enabled to true first`);
  }
}
