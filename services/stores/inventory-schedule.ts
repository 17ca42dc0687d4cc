/**
 * Each store with inventory on (settings `inventory.mode` preview or apply) has a Temporal Schedule of its own,
 * `inventory:<shop>` (workflowIds.inventorySchedule), that starts one inventoryWorkflow (workflows/inventory.ts) every
 * `inventory.intervalMinutes`. Overlap SKIP: a run still going (or parked, waiting for a person's confirmation) is
 * never doubled. Paused while the store is paused or disconnected; created, updated or removed when the settings
 * change (inventory turned off removes it); brought in line with every stored store at worker start
 * (reconcileInventorySchedules). Visible, pausable and triggerable in the Temporal UI; the schedule carries ids only.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Logger } from '../../config/logger';
import type { Db } from '../../db/client';
import { listStores } from '../../db/queries/stores';
import { inventorySettingsOf, type Settings } from '../../domain/settings';
import { workflowIds, type InventoryRunInput } from '../../workflows/definitions';
import type { inventoryWorkflow } from '../../workflows/inventory';
import { type StoreContext, temporalClient, temporalUnavailable } from './context';

export interface InventoryScheduledStore {
  id: string;
  shopDomain: string;
  /** active | paused | disconnected: anything but active pauses the schedule. */
  state: string;
  settings: Pick<Settings, 'inventory'>;
}

const PREFIX = 'inventory:';

function schedule(taskQueue: string, store: InventoryScheduledStore) {
  const inv = inventorySettingsOf(store.settings);
  const input: InventoryRunInput = { storeId: store.id, shopDomain: store.shopDomain, trigger: 'scheduled' };
  return {
    spec: { intervals: [{ every: `${inv.intervalMinutes} minutes` }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'inventoryWorkflow',
      workflowId: workflowIds.inventory(store.shopDomain),
      taskQueue,
      args: [input] as Parameters<typeof inventoryWorkflow>,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    state: {
      paused: store.state !== 'active',
      note: store.state === 'active' ? `inventory ${inv.mode}` : `store ${store.state}: no inventory run until it is resumed`,
    },
  };
}

/** Removes the store's schedule (nothing to do when there is none). */
export async function removeInventorySchedule(client: Client, shopDomain: string): Promise<void> {
  try {
    await client.schedule.getHandle(workflowIds.inventorySchedule(shopDomain)).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

/** The schedule as the store and its settings are: created or updated when inventory is on, removed when it is off. */
export async function ensureInventorySchedule(client: Client, taskQueue: string, store: InventoryScheduledStore): Promise<void> {
  if (inventorySettingsOf(store.settings).mode === 'off') return removeInventorySchedule(client, store.shopDomain);
  const scheduleId = workflowIds.inventorySchedule(store.shopDomain);
  const wanted = schedule(taskQueue, store);
  try {
    await client.schedule.create({ scheduleId, ...wanted });
    return;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, ...wanted }));
}

/** At worker start: every store's schedule as the store is; those of stores no longer stored are removed. Failures are logged. */
export async function reconcileInventorySchedules(client: Client, db: Db, taskQueue: string, log: Logger): Promise<void> {
  const rows = await listStores(db);
  const shops = new Set(rows.map((r) => r.shopDomain));
  for (const row of rows) {
    try {
      await ensureInventorySchedule(client, taskQueue, row);
    } catch (err) {
      log.warn({ err, storeId: row.id }, 'could not create, update or remove the store inventory schedule');
    }
  }
  try {
    for await (const s of client.schedule.list()) {
      const shop = s.scheduleId.startsWith(PREFIX) ? s.scheduleId.slice(PREFIX.length) : undefined;
      if (shop !== undefined && !shops.has(shop)) {
        await removeInventorySchedule(client, shop);
        log.info({ scheduleId: s.scheduleId }, 'removed the inventory schedule of a store that no longer exists');
      }
    }
  } catch (err) {
    log.warn({ err }, 'could not list inventory schedules to remove those of deleted stores');
  }
}

const SCHEDULE_CALL_TIMEOUT_MS = 10_000;

/** The API's side: the schedule as the store now is; 503 when Temporal cannot answer. */
export async function applyInventorySchedule(ctx: StoreContext, store: InventoryScheduledStore): Promise<void> {
  const client = await temporalClient(ctx);
  try {
    await client.withDeadline(Date.now() + SCHEDULE_CALL_TIMEOUT_MS, () => ensureInventorySchedule(client, ctx.taskQueue, store));
  } catch (err) {
    throw temporalUnavailable(err, "update the store's inventory schedule");
  }
}

/**
 * For pause, resume, credentials and connect: the store's own change is made whatever becomes of the schedule. One
 * Temporal could not update is logged; the next change or worker start brings it in line, and a run that starts
 * for a store that is not active reads nothing (inventoryBegin).
 */
export async function applyInventoryScheduleOrLog(
  ctx: StoreContext,
  store: InventoryScheduledStore,
  opts: { settingsChanged?: boolean } = {},
): Promise<void> {
  // Inventory off and unchanged: there is no schedule to bring in line (turning it off removed it), so Temporal is not asked.
  if (!opts.settingsChanged && inventorySettingsOf(store.settings).mode === 'off') return;
  try {
    await applyInventorySchedule(ctx, store);
  } catch (err) {
    ctx.log.warn({ err, storeId: store.id, state: store.state }, "could not bring the store's inventory schedule in line");
  }
}
