import { getExternalWorkflowHandle, log, proxyActivities } from '@temporalio/workflow';
import type { FleetActivities, KeepAliveResult } from './contracts';
import { disconnectedSignal, workflowIds } from './definitions';
import { bookkeeping, keepAlive } from './options';

const book = proxyActivities<FleetActivities>(bookkeeping);
const refresh = proxyActivities<FleetActivities>(keepAlive);

/** Stores refreshed at once: the refreshes hit Intuit's token endpoint, not the realms' API limits. */
const PARALLEL = 5;

/**
 * Started daily by the Temporal Schedule `fleet:qbo-connection-keepalive`. QBO refresh tokens lapse
 * after 100 days unused (docs/qbo-facts.md §3), so a long-paused store would silently lose its company: this
 * refreshes every connected store's token (persisting the rotated one) and reports the failures. A
 * revoked grant marks the store disconnected and tells its workflow to stop syncing.
 */
export async function connectionKeepAliveWorkflow(): Promise<{ checked: number; failing: KeepAliveResult[] }> {
  const stores = await book.storesListConnected();
  const results: KeepAliveResult[] = [];
  for (let i = 0; i < stores.length; i += PARALLEL) {
    const batch = stores.slice(i, i + PARALLEL);
    results.push(...(await Promise.all(batch.map((s) => refresh.qboKeepAlive({ storeId: s.storeId })))));
  }
  const failing = results.filter((r) => !r.ok);
  for (const r of failing.filter((f) => f.disconnected)) {
    await book.storeMarkDisconnected({ storeId: r.storeId, reason: r.error ?? 'QBO connection revoked' });
    try {
      await getExternalWorkflowHandle(workflowIds.store(r.shopDomain)).signal(disconnectedSignal, {
        reason: r.error ?? 'QBO connection revoked',
      });
    } catch (err) {
      log.warn('could not signal store workflow', { store: r.shopDomain, error: String(err) });
    }
  }
  if (failing.length) log.warn('stores with failing QBO connections', { stores: failing.map((f) => `${f.shopDomain}: ${f.error}`) });
  return { checked: results.length, failing };
}
