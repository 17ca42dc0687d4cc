import { disconnectStore, getStoreShopDomain, listConnectedStores, markConnectionHealthy } from '../db/queries/stores';
import { isLedgerlineError } from '../domain/errors';
import { refreshNow } from '../integrations/qbo/tokens';
import type { FleetActivities } from '../workflows/contracts';
import { qboCredentialsOf, type ActivityDeps } from './deps';

/** Activities of the fleet-wide daily connection keep-alive (workflows/keepalive.ts). */
export function createFleetActivities(deps: ActivityDeps): FleetActivities {
  const { db, log } = deps;
  const credentials = qboCredentialsOf(deps);
  return {
    async storesListConnected() {
      return listConnectedStores(db);
    },

    async qboKeepAlive({ storeId }) {
      const shopDomain = (await getStoreShopDomain(db, { storeId })) ?? storeId;
      try {
        await refreshNow(
          {
            store: credentials,
            cipher: deps.cipher,
            clock: deps.clock,
            logger: log,
            ...(deps.qboTokenUrl ? { tokenUrl: deps.qboTokenUrl } : {}),
          },
          storeId,
        );
        await markConnectionHealthy(db, { storeId, at: deps.clock() });
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
      await disconnectStore(db, { storeId, reason, at: deps.clock() });
    },
  };
}
