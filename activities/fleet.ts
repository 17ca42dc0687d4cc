import { eq, ne } from 'drizzle-orm';
import { isLedgerlineError } from '../domain/errors';
import { stores } from '../db/schema';
import { refreshNow } from '../integrations/qbo/tokens';
import type { FleetActivities } from '../workflows/contracts';
import type { ActivityDeps } from './deps';

/** Activities of the fleet-wide daily connection keep-alive (workflows/keepalive.ts). */
export function createFleetActivities(deps: ActivityDeps): FleetActivities {
  const { db, log } = deps;
  return {
    async storesListConnected() {
      const rows = await db.select({ storeId: stores.id, shopDomain: stores.shopDomain }).from(stores).where(ne(stores.state, 'disconnected'));
      return rows;
    },

    async qboKeepAlive({ storeId }) {
      const [store] = await db.select({ shopDomain: stores.shopDomain }).from(stores).where(eq(stores.id, storeId));
      const shopDomain = store?.shopDomain ?? storeId;
      try {
        await refreshNow({ db, cipher: deps.cipher, clock: deps.clock, logger: log, ...(deps.qboTokenUrl ? { tokenUrl: deps.qboTokenUrl } : {}) }, storeId);
        await db.update(stores).set({ connectionError: null, updatedAt: deps.clock() }).where(eq(stores.id, storeId));
        return { storeId, shopDomain, ok: true, disconnected: false };
      } catch (err) {
        // A revoked grant is an answer, not a failure to retry; transient errors are retried by Temporal.
        if (isLedgerlineError(err) && err.name === 'QboConnectionRevokedError') {
          return { storeId, shopDomain, ok: false, disconnected: true, error: err.message };
        }
        throw err;
      }
    },

    async storeMarkDisconnected({ storeId, reason }) {
      await db.update(stores).set({ state: 'disconnected', connectionError: reason, updatedAt: deps.clock() }).where(eq(stores.id, storeId));
    },
  };
}
