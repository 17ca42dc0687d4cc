/**
 * One writer per store (issue #13 item 12). Every sync activity that writes QBO documents first takes the
 * store's write lease for its Temporal execution (`<workflow id>/<run id>`), renews it with each heartbeat,
 * and the run's last bookkeeping step gives it up. A second execution of the same store — an operator's
 * reset of a sync child (a new run id under the same workflow id) while the old attempt is still
 * writing, a re-run, a second child — gets StoreBusyError and waits (Temporal retries it after the lease
 * would lapse) instead of writing beside it. Ledger rows, QBO request ids and the lookup before each
 * create keep writes exactly-once anyway; the lease removes the race between two writers of one order in
 * the same instant, so an operator no longer has to pause a store before a reset.
 *
 * The lease outlives a crashed holder by LEASE_TTL_MS at most (a killed worker stops renewing); a live
 * holder renews every few seconds, far inside it.
 */
import { Context } from '@temporalio/activity';
import { acquireWriteLease, releaseWriteLease, type Executor } from '../../db/queries';
import { StoreBusyError } from '../../domain/errors';

/** Long enough that a busy event loop never loses a live lease; short enough that a crash frees the store soon. */
export const LEASE_TTL_MS = 90_000;
/** How soon a writer refused the lease asks again. */
const BUSY_RETRY_MS = 5_000;

/** The running activity's Temporal execution, or null outside an activity (tests calling functions directly). */
export function currentExecution(): string | null {
  try {
    const { workflowExecution } = Context.current().info;
    return workflowExecution ? `${workflowExecution.workflowId}/${workflowExecution.runId}` : null;
  } catch {
    return null;
  }
}

export interface HeldLease {
  /** Renews the lease; false when another execution has taken it (ours lapsed). */
  renew(): Promise<boolean>;
}

/** Takes the store's lease for the current execution or throws StoreBusyError. */
export async function takeWriteLease(db: Executor, storeId: string, clock: () => Date): Promise<HeldLease> {
  const holder = currentExecution();
  if (!holder) return { renew: async () => true };
  const at = clock();
  const result = await acquireWriteLease(db, { storeId, holder, at, ttlMs: LEASE_TTL_MS });
  if (!result.acquired) {
    // A live holder keeps renewing, so its expiry says little about when it finishes: look again soon
    // (one row read), and no later than the lease would lapse.
    const wait = Math.max(1_000, Math.min(BUSY_RETRY_MS, result.expiresAt.getTime() - at.getTime() + 1_000));
    throw new StoreBusyError(storeId, result.holder, wait);
  }
  return {
    renew: async () => (await acquireWriteLease(db, { storeId, holder, at: clock(), ttlMs: LEASE_TTL_MS })).acquired,
  };
}

/** Gives up the current execution's lease (its run finished or failed). */
export async function giveUpWriteLease(db: Executor, storeId: string): Promise<void> {
  const holder = currentExecution();
  if (holder) await releaseWriteLease(db, { storeId, holder });
}
