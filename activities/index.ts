import type { Activities } from '../workflows/contracts';
import type { ActivityDeps } from './deps';
import { createAuditActivities } from './audit';
import { createFleetActivities } from './fleet';
import { createInventoryActivities } from './inventory';
import { createPayoutActivities } from './payouts';
import { createSyncActivities, type SyncActivityOptions } from './sync';
import { createUndoActivities } from './undo';

export type { ActivityDeps } from './deps';
export type { SyncActivityOptions } from './sync';

/**
 * Every activity the worker registers, built from the worker's dependencies and the process's one
 * Shopify pacer and QBO limiter (main/system.ts builds them once; the API uses the same two).
 */
export function createActivities(deps: ActivityDeps, pacing: SyncActivityOptions): Activities {
  return {
    ...createFleetActivities(deps),
    ...createSyncActivities(deps, pacing),
    ...createAuditActivities(deps, pacing),
    ...createPayoutActivities(deps, pacing),
    ...createInventoryActivities(deps, pacing),
    ...createUndoActivities(deps, pacing),
  };
}
