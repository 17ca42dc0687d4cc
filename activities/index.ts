import type { ActivityDeps } from './deps';
import { createFleetActivities } from './fleet';
import { createSyncActivities, type SyncActivityOptions } from './sync';
import type { Activities } from '../workflows/contracts';

export type { ActivityDeps } from './deps';

/** Every activity the worker registers, built from the worker's dependencies (worker/system.ts). */
export function createActivities(deps: ActivityDeps, opts: SyncActivityOptions = {}): Activities {
  return { ...createFleetActivities(deps), ...createSyncActivities(deps, opts) };
}
