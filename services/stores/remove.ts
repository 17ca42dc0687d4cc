/**
 * DELETE /stores/:id (issue #17: "Removing a store stops its workflows, revokes its tokens and keeps its ledger").
 *
 * In this order, so that a failure part-way leaves nothing half-removed that matters:
 * 1. the store's QBO refresh token is revoked at Intuit (Intuit out of reach: 502/503 and nothing changes; Intuit no
 *    longer knowing the token is fine, it is dead either way);
 * 2. in the same transaction, holding the realm's token-refresh lock from before the revocation, the row becomes `removed` and the stored credentials (Shopify token, QBO tokens and client
 *    secret, the shop's webhook secrets) are deleted. The ledger, the sync runs, the payouts and the audit log stay:
 *    they are the record of what Ledgerline put in QBO, and if the shop is connected again to the same QBO company
 *    (POST /stores) the ledger keeps the new connect from booking anything twice;
 * 3. every workflow of the store still running is terminated: the store's loop (its sync run with it), payout sagas,
 *    inventory runs and undos (their ids all start with `store:<shop>:`), and its audit and inventory schedules
 *    are deleted. A write in flight when its workflow ends leaves a `pending` ledger row, as a killed worker does;
 *    without credentials no activity can start another one. Temporal out of reach here is logged, not answered
 *    with an error: the store is removed, a worker's next start sweeps the schedules of removed stores, and the
 *    store workflow finds no credentials.
 * A second DELETE of a removed store answers the store as it is (removed), changing nothing.
 */
import { lockQboRefresh } from '../../db/queries/credentials';
import { markStoreRemoved, getStore, type StoreRow } from '../../db/queries/stores';
import { workflowIds } from '../../workflows/definitions';
import { HttpError } from '../errors';
import { revokeStoreQboTokens, type OAuthContext } from '../oauth/qbo-connect';
import { temporalClient } from './context';
import { removeAuditSchedule } from './audit-schedule';
import { removeInventorySchedule } from './inventory-schedule';

const TEMPORAL_CALL_TIMEOUT_MS = 10_000;

export interface Removed {
  row: StoreRow;
  revoked: boolean;
  /** Workflow ids terminated (the store's loop first). */
  terminated: string[];
}

export async function removeStore(ctx: OAuthContext, row: StoreRow): Promise<Removed> {
  if (row.state === 'removed') return { row, revoked: false, terminated: [] };
  // Under the realm's refresh lock (the one every token refresh takes, integrations/qbo/tokens.ts): no refresh can
  // rotate the refresh token between its revocation and the credentials' deletion, and one that waited for the lock
  // finds no credentials afterwards.
  const revoked = await ctx.store.db.transaction(async (tx) => {
    await lockQboRefresh(tx, { realmId: row.qboRealmId });
    const done = await revokeStoreQboTokens(ctx, row.id, tx);
    const at = ctx.store.clock();
    const reason = `Removed by an operator at ${at.toISOString()} (${
      done ? 'QBO tokens revoked at Intuit' : 'Intuit no longer knew the QBO tokens'
    }); the ledger is kept. Connect the shop again with POST /stores to sync it again.`;
    await markStoreRemoved(tx, { storeId: row.id, reason, at });
    return done;
  });
  const terminated = await stopWorkflows(ctx, row);
  ctx.store.log.info({ storeId: row.id, shopDomain: row.shopDomain, revoked, terminated: terminated.length }, 'store removed');
  return { row: (await getStore(ctx.store.db, { storeId: row.id }))!, revoked, terminated };
}

async function stopWorkflows(ctx: OAuthContext, row: StoreRow): Promise<string[]> {
  const log = ctx.store.log.child({ storeId: row.id });
  const terminated: string[] = [];
  let client;
  try {
    client = await temporalClient(ctx.store);
  } catch (err) {
    log.warn({ err }, 'could not reach Temporal to stop the removed store workflows');
    return terminated;
  }
  const reason = 'store removed (DELETE /stores/:id)';
  const terminate = async (workflowId: string) => {
    try {
      await client.withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, () => client.workflow.getHandle(workflowId).terminate(reason));
      terminated.push(workflowId);
    } catch (err) {
      // Not running (already ended, never started) is the common case; anything else is logged.
      if ((err as Error).name !== 'WorkflowNotFoundError')
        log.warn({ err, workflowId }, 'could not terminate a workflow of the removed store');
    }
  };
  // The loop first: it starts sync runs, and its runs end with it (their parent close policy).
  await terminate(workflowIds.store(row.shopDomain));
  try {
    const prefix = `${workflowIds.store(row.shopDomain)}:`;
    const query = `WorkflowId STARTS_WITH "${prefix.replace(/["\\]/g, '')}" AND ExecutionStatus = "Running"`;
    const running: string[] = [];
    await client.withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, async () => {
      for await (const wf of client.workflow.list({ query })) running.push(wf.workflowId);
    });
    for (const id of running) await terminate(id);
  } catch (err) {
    log.warn({ err }, 'could not list the removed store workflows');
  }
  for (const [name, remove] of [
    ['audit', () => removeAuditSchedule(client, row.id)],
    ['inventory', () => removeInventorySchedule(client, row.shopDomain)],
  ] as const) {
    try {
      await client.withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, remove);
    } catch (err) {
      log.warn({ err }, `could not delete the removed store's ${name} schedule (the next worker start does)`);
    }
  }
  return terminated;
}

/** What any change to a removed store answers (the API's and the console's guard). */
export const storeRemoved = (storeId: string): HttpError =>
  new HttpError(
    409,
    'store_removed',
    `Store ${storeId} was removed (its ledger is kept for reading); connect the shop again with POST /stores before changing anything`,
  );
