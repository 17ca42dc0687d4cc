/**
 * What every per-store Temporal Schedule needs (the nightly audit, audit-schedule.ts; inventory,
 * inventory-schedule.ts): create-or-update to the wanted spec, delete when present, a bounded call from the API,
 * and the worker-start reconciliation that brings every stored store's schedule in line and removes those of stores
 * that no longer exist.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Logger } from '../../config/logger';
import type { Db } from '../../db/client';
import { listStores, type StoreRow } from '../../db/queries/stores';
import { type StoreContext, temporalClient, temporalUnavailable } from './context';

export type WantedSchedule = Omit<ScheduleOptions, 'scheduleId'>;

/** Creates the schedule, or brings an existing one up to the wanted spec, action, policies and state. */
export async function upsertSchedule(client: Client, scheduleId: string, wanted: WantedSchedule): Promise<void> {
  try {
    await client.schedule.create({ scheduleId, ...wanted });
    return;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, ...wanted }) as typeof previous);
}

/** Removes the schedule (nothing to do when there is none). */
export async function deleteSchedule(client: Client, scheduleId: string): Promise<void> {
  try {
    await client.schedule.getHandle(scheduleId).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

export interface ScheduleKind {
  /** "audit", "inventory": the log messages' word for it. */
  name: string;
  /** The schedule ids of this kind start with it; what follows is the store's key. */
  prefix: string;
  /** The part of a store's row its schedule id is made from (its id, or its shop domain). */
  keyOf: (row: StoreRow) => string;
  ensure: (client: Client, taskQueue: string, row: StoreRow) => Promise<void>;
  remove: (client: Client, key: string) => Promise<void>;
}

/**
 * At worker start: every stored store's schedule as the store is, and the schedules of stores no longer stored
 * removed. Failures are logged and left for the next start or change: a schedule is no reason to stop the worker.
 */
export async function reconcileSchedules(client: Client, db: Db, taskQueue: string, log: Logger, kind: ScheduleKind): Promise<void> {
  // A removed store keeps its row (and ledger) but no schedule: its schedules are swept with those of deleted stores.
  const rows = (await listStores(db)).filter((r) => r.state !== 'removed');
  const keys = new Set(rows.map(kind.keyOf));
  for (const row of rows) {
    try {
      await kind.ensure(client, taskQueue, row);
    } catch (err) {
      log.warn({ err, storeId: row.id }, `could not create, update or remove the store ${kind.name} schedule`);
    }
  }
  try {
    for await (const s of client.schedule.list()) {
      const key = s.scheduleId.startsWith(kind.prefix) ? s.scheduleId.slice(kind.prefix.length) : undefined;
      if (key !== undefined && !keys.has(key)) {
        await kind.remove(client, key);
        log.info({ scheduleId: s.scheduleId }, `removed the ${kind.name} schedule of a store that no longer exists`);
      }
    }
  } catch (err) {
    log.warn({ err }, `could not list ${kind.name} schedules to remove those of deleted stores`);
  }
}

// Like the store workflow's signals: one round trip, bounded so a request never hangs on Temporal.
const SCHEDULE_CALL_TIMEOUT_MS = 10_000;

/** The API's side: one bounded schedule call; 503 when Temporal cannot answer in time. */
export async function withScheduleClient(ctx: StoreContext, what: string, call: (client: Client) => Promise<void>): Promise<void> {
  const client = await temporalClient(ctx);
  try {
    await client.withDeadline(Date.now() + SCHEDULE_CALL_TIMEOUT_MS, () => call(client));
  } catch (err) {
    throw temporalUnavailable(err, what);
  }
}
