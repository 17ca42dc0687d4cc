import { qboRateWindowStore } from '../db/queries/rate-windows';
import { createQboLimiter } from '../integrations/qbo/limiter';
import { createShopifyPacer } from '../integrations/shopify/pacer';
import type { ActivityDeps } from './deps';
import { createFleetActivities } from './fleet';
import { createSyncActivities, type SyncActivityOptions } from './sync';
import type { Activities } from '../workflows/contracts';

export type { ActivityDeps } from './deps';

/**
 * Every activity the worker registers, built from the worker's dependencies (main/system.ts passes
 * the process's one pacer and limiter; without them, e.g. in tests, this builds its own from `deps`).
 */
export function createActivities(deps: ActivityDeps, opts: Partial<SyncActivityOptions> = {}): Activities {
  const shared: SyncActivityOptions = {
    pacer: opts.pacer ?? createShopifyPacer(),
    limiter:
      opts.limiter ??
      createQboLimiter({
        store: qboRateWindowStore(deps.db),
        clock: deps.clock,
        ...(deps.qboLimits ? { limits: deps.qboLimits } : {}),
      }),
  };
  return { ...createFleetActivities(deps), ...createSyncActivities(deps, shared) };
}
