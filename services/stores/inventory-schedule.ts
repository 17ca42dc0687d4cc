/**
 * Each store with inventory on (settings `inventory.mode` preview or apply) has a Temporal Schedule of its own,
 * `inventory:<shop>` (workflowIds.inventorySchedule), that starts one inventoryWorkflow (workflows/inventory.ts) every
 * `inventory.intervalMinutes`, at an offset of its own inside the interval (a fleet's runs spread out). Overlap
 * SKIP: a run still going (or parked, waiting for a person's confirmation) is never doubled. Paused while the store is paused or disconnected; created, updated or removed when the settings
 * change (inventory turned off removes it); brought in line with every stored store at worker start
 * (reconcileInventorySchedules). Visible, pausable and triggerable in the Temporal UI; the schedule carries ids only.
 */
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Logger } from '../../config/logger';
import type { Db } from '../../db/client';
import { scheduleSlotOffsetMs } from '../../domain/schedule';
import { inventorySettingsOf, type Settings } from '../../domain/settings';
import { workflowIds, type InventoryRunInput } from '../../workflows/definitions';
import type { inventoryWorkflow } from '../../workflows/inventory';
import type { StoreContext } from './context';
import { deleteSchedule, reconcileSchedules, upsertSchedule, withScheduleClient } from './schedules';

export interface InventoryScheduledStore {
  id: string;
  shopDomain: string;
  /** active | paused | disconnected: anything but active pauses the schedule. */
  state: string;
  settings: Pick<Settings, 'inventory'>;
}

/**
 * Where in each interval the store's inventory run starts: a fixed offset from its shop domain (domain/schedule.ts,
 * keyed apart from the sync slot so a store's two runs do not coincide). Without it every store's schedule fired on
 * the same interval boundary: a fleet of a thousand stores started a thousand inventory runs in the same second.
 */
export const inventoryScheduleOffsetMs = (shopDomain: string, intervalMinutes: number): number =>
  scheduleSlotOffsetMs(`inventory:${shopDomain}`, intervalMinutes * 60_000);

function schedule(taskQueue: string, store: InventoryScheduledStore) {
  const inv = inventorySettingsOf(store.settings);
  const input: InventoryRunInput = { storeId: store.id, shopDomain: store.shopDomain, trigger: 'scheduled' };
  return {
    spec: {
      intervals: [{ every: `${inv.intervalMinutes} minutes`, offset: inventoryScheduleOffsetMs(store.shopDomain, inv.intervalMinutes) }],
    },
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
export const removeInventorySchedule = (client: Client, shopDomain: string): Promise<void> =>
  deleteSchedule(client, workflowIds.inventorySchedule(shopDomain));

/** The schedule as the store and its settings are: created or updated when inventory is on, removed when it is off. */
export async function ensureInventorySchedule(client: Client, taskQueue: string, store: InventoryScheduledStore): Promise<void> {
  if (inventorySettingsOf(store.settings).mode === 'off') return removeInventorySchedule(client, store.shopDomain);
  await upsertSchedule(client, workflowIds.inventorySchedule(store.shopDomain), schedule(taskQueue, store));
}

/** At worker start: every store's schedule as the store is; those of stores no longer stored are removed. Failures are logged. */
export const reconcileInventorySchedules = (client: Client, db: Db, taskQueue: string, log: Logger): Promise<void> =>
  reconcileSchedules(client, db, taskQueue, log, {
    name: 'inventory',
    prefix: workflowIds.inventorySchedule(''),
    keyOf: (row) => row.shopDomain,
    ensure: ensureInventorySchedule,
    remove: removeInventorySchedule,
  });

/** The API's side: the schedule as the store now is; 503 when Temporal cannot answer. */
export const applyInventorySchedule = (ctx: StoreContext, store: InventoryScheduledStore): Promise<void> =>
  withScheduleClient(ctx, "update the store's inventory schedule", (client) => ensureInventorySchedule(client, ctx.taskQueue, store));

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
