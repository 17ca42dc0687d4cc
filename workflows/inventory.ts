import { ActivityFailure, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { InventoryActivities, InventoryRunSummary } from './contracts';
import { confirmInventoryRunUpdate, type InventoryRunInput } from './definitions';
import { bookkeeping, inventoryStep } from './options';

const book = proxyActivities<InventoryActivities>(bookkeeping);
const step = proxyActivities<InventoryActivities>(inventoryStep);

/**
 * How long a run parked by its circuit breaker waits for a person. Meanwhile the store's schedule starts no other
 * run (overlap SKIP); past it the run ends `expired`, writing nothing, and the next scheduled run reads afresh.
 */
export const CONFIRMATION_WINDOW = '24 hours';

/**
 * One inventory run (docs/inventory.md), started by the store's Temporal Schedule `inventory:<shop>`
 * (services/stores/inventory-schedule.ts; overlap SKIP, paused with the store) or by the API. Reads every QBO item
 * and Shopify's levels at the mapped location, records the diff, and, in apply mode, writes Shopify's `available`
 * with compare-and-set. A run its circuit breaker stops waits here, durably, for `confirmInventoryRun` (the API's
 * POST /stores/:id/inventory/runs/:runId/confirm), then writes the diff it recorded; each write still compares with
 * Shopify's current value, so stock that moved meanwhile is re-read, not overwritten. Preview writes nothing.
 * The run id is the workflow id: it names the run in Shopify's inventory history and in the idempotency keys.
 */
export async function inventoryWorkflow(input: InventoryRunInput): Promise<InventoryRunSummary> {
  const runId = workflowInfo().workflowId;
  const { storeId } = input;
  let awaiting = false;
  let confirmed = false;
  setHandler(
    confirmInventoryRunUpdate,
    (_request) => {
      confirmed = true;
      return { runId, confirmed: true as const };
    },
    {
      validator: (_request) => {
        if (!awaiting) throw new Error(`inventory run ${runId} is not waiting for a confirmation`);
      },
    },
  );

  try {
    return await run(input, runId, {
      // Open before the run is recorded awaiting_confirmation: the API confirms only a run its row says is waiting,
      // and may do so the instant the row is written, before this workflow has seen the recording activity end.
      open: () => {
        awaiting = true;
      },
      wait: () =>
        condition(() => confirmed, CONFIRMATION_WINDOW).finally(() => {
          awaiting = false;
        }),
    });
  } catch (err) {
    // A step that failed for good (its retries spent): the record says so, then the workflow fails visibly.
    if (!(err instanceof ActivityFailure)) throw err;
    const note = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    await book.inventoryFinish({ storeId, runId, status: 'failed', note });
    throw err;
  }
}

interface Confirmation {
  /** From here on a confirmation is accepted (and remembered if it comes before `wait`). */
  open(): void;
  /** Whether a confirmation came within the window. */
  wait(): Promise<boolean>;
}

async function run(input: InventoryRunInput, runId: string, confirmation: Confirmation): Promise<InventoryRunSummary> {
  const { storeId } = input;
  const begun = await book.inventoryBegin({ storeId, runId, trigger: input.trigger, ...(input.mode ? { mode: input.mode } : {}) });
  if (begun.blocked) return book.inventoryFinish({ storeId, runId, status: 'blocked', note: begun.blocked });
  const plan = await step.inventoryPlan({ storeId, runId });
  if (begun.mode === 'preview') return book.inventoryFinish({ storeId, runId, status: 'previewed' });
  if (plan.verdict === 'nothing_to_do') return book.inventoryFinish({ storeId, runId, status: 'completed' });
  if (plan.verdict === 'needs_confirmation') {
    confirmation.open();
    await book.inventoryRecord({ storeId, runId, status: 'awaiting_confirmation' });
    if (!(await confirmation.wait())) {
      return book.inventoryFinish({
        storeId,
        runId,
        status: 'expired',
        note: `not confirmed within ${CONFIRMATION_WINDOW}: nothing was written`,
      });
    }
    await book.inventoryRecord({ storeId, runId, status: 'running', confirmed: true });
  }
  await step.inventoryApply({ storeId, runId });
  return book.inventoryFinish({ storeId, runId, status: 'completed' });
}
