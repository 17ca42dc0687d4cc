import type { ActivityDeps } from './deps';
import { createFleetActivities } from './fleet';

export type { ActivityDeps } from './deps';

/**
 * Every activity the worker registers, built from the worker's dependencies. The sales-sync
 * activities (SyncActivities in ./types) are issue #4's work in progress and are not registered yet:
 * nothing starts a store workflow until the store routes that go with them exist.
 */
export function createActivities(deps: ActivityDeps) {
  return { ...createFleetActivities(deps) };
}
