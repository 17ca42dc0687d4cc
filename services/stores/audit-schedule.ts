/**
 * Each store's nightly audit (workflows/audit.ts, issue #12 item 17) is started by a Temporal Schedule of its own,
 * `audit:<store id>` (workflowIds.auditSchedule): created or updated when the store is connected or resumed,
 * paused while the store is paused or disconnected, removed when the store is gone (reconcileAuditSchedules, at
 * worker start). The schedule carries ids only, never credentials. Runs at 02:00 in the shop's time zone, spread
 * over the following hour (jitter) so a fleet's audits do not all start at once; an audit still running when the
 * next is due is not doubled (overlap SKIP), and one missed for a Temporal outage of up to a day still runs.
 */
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Logger } from '../../config/logger';
import type { Db } from '../../db/client';
import type { StoreContext } from './context';
import { deleteSchedule, reconcileSchedules, upsertSchedule, withScheduleClient } from './schedules';
import { workflowIds, type StoreAuditInput } from '../../workflows/definitions';
import type { storeAuditWorkflow } from '../../workflows/audit';

export interface AuditedStore {
  id: string;
  shopDomain: string;
  shopTimezone: string | null;
  /** active | paused | disconnected: anything but active pauses the schedule. */
  state: string;
}

/** Local time the audit starts (the shop's night), and how far past it Temporal may start it. */
export const AUDIT_HOUR = 2;
const AUDIT_JITTER = '1 hour';
const AUDIT_CATCHUP = '1 day';

const note = (store: AuditedStore): string =>
  store.state === 'active' ? 'store active' : `store ${store.state}: no audit until it is resumed`;

function schedule(taskQueue: string, store: AuditedStore) {
  const input: StoreAuditInput = { storeId: store.id, shopDomain: store.shopDomain };
  return {
    spec: { calendars: [{ hour: AUDIT_HOUR }], jitter: AUDIT_JITTER, timezone: store.shopTimezone ?? 'UTC' },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'storeAuditWorkflow',
      workflowId: workflowIds.audit(store.shopDomain),
      taskQueue,
      args: [input] as Parameters<typeof storeAuditWorkflow>,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: AUDIT_CATCHUP },
    state: { paused: store.state !== 'active', note: note(store) },
  };
}

/** Creates the store's schedule, or brings an existing one up to date (spec, action, paused as the store is). */
export async function ensureAuditSchedule(client: Client, taskQueue: string, store: AuditedStore): Promise<void> {
  await upsertSchedule(client, workflowIds.auditSchedule(store.id), schedule(taskQueue, store));
}

/** Removes the store's schedule (nothing to do when there is none). */
export const removeAuditSchedule = (client: Client, storeId: string): Promise<void> =>
  deleteSchedule(client, workflowIds.auditSchedule(storeId));

/**
 * At worker start: every stored store has its schedule, paused as the store is (stores connected before the audit
 * existed get theirs here), and the schedule of a store that no longer exists is removed. Failures are logged and
 * left for the next start: the audit is a safety net, not a reason to stop the worker.
 */
export const reconcileAuditSchedules = (client: Client, db: Db, taskQueue: string, log: Logger): Promise<void> =>
  reconcileSchedules(client, db, taskQueue, log, {
    name: 'audit',
    prefix: workflowIds.auditSchedule(''),
    keyOf: (row) => row.id,
    ensure: ensureAuditSchedule,
    remove: removeAuditSchedule,
  });

/** The API's side: the store's schedule as the store now is (its state decides paused or not); 503 when Temporal cannot answer. */
export const applyAuditSchedule = (ctx: StoreContext, store: AuditedStore): Promise<void> =>
  withScheduleClient(ctx, "update the store's audit schedule", (client) => ensureAuditSchedule(client, ctx.taskQueue, store));

/**
 * For pause, resume and new credentials: the store's own change is what the request is about, and it is made
 * whatever becomes of the schedule. A schedule Temporal could not update in time (a slow or busy server) is
 * logged, not answered with a 503; the next change or the next worker start (reconcileAuditSchedules) brings it
 * in line, and an audit that starts for a store that is not active stops at once.
 */
export async function applyAuditScheduleOrLog(ctx: StoreContext, store: AuditedStore): Promise<void> {
  try {
    await applyAuditSchedule(ctx, store);
  } catch (err) {
    ctx.log.warn({ err, storeId: store.id, state: store.state }, "could not bring the store's nightly audit schedule in line");
  }
}
