/**
 * What a person does about a document that needs attention (issue #17 "Needs attention"), for the JSON API
 * (POST /stores/:id/documents/:sourceKey/retry | ignore | unignore) and the console alike:
 *
 * - retry: the source's parked or failed rows get the reason code `retry_requested`, which every run's
 *   parked retry selects (domain/sync RETRYABLE_PARK_CODES, RETRYABLE_REFUND_CODES; activities/sync
 *   syncRetryParked), so the next run reads the order from Shopify again and books it, or parks it again
 *   with the reason it still has; then a sync is requested so that run starts now. The reason text stays
 *   (QBO's own message) until the run writes a new one.
 * - ignore: the rows become `ignored`, which no run books or re-tries (domain/mapping/classify.ts); their reason
 *   and reason code stay, so the console still shows why the document was set aside.
 * - unignore: the rows go back to `parked` with `retry_requested`: un-ignoring means "book it after all", so
 *   the next run tries it, and a sync is requested as for a retry. It is also the redo of an undo
 *   (services/stores/undo.ts): the source's `undone` rows (and its refunds') wait for the next run, which books
 *   them afresh.
 *
 * Only the sale and refund documents of orders are handled here; payouts have their own retry
 * (POST /stores/:id/payouts/:payoutId/retry). The audit log records every call (api/audit.ts).
 */
import { setLedgerRowsStatus } from '../../db/queries/ledger-actions';
import { listLedgerRows, type LedgerRow } from '../../db/queries/ledger';
import type { StoreRow } from '../../db/queries/stores';
import { parseSourceKey } from '../../domain/ledger';
import { redoChanges, REFUND_ROLE } from '../../domain/sync';
import { listUndoneRowsOf, redoUndoneRow } from '../../db/queries/undo';
import { HttpError, badRequest, conflict, notFound } from '../errors';
import type { StoreContext } from './context';
import { requestSync } from './workflow';

/** The roles whose rows a run re-reads from their order (activities/sync syncRetryParked). */
export const ACTIONABLE_ROLES = ['sale', REFUND_ROLE] as const;
const NEEDS_ATTENTION = ['parked', 'failed'] as const;

export type DocumentAction = 'retry' | 'ignore' | 'unignore';

/** Whether the sync a retry asked for started, and if not, why not (the rows are marked either way). */
export type RetrySync = { started: true; updateId: string | null; runId: string | null } | { started: false; reason: string };

export interface DocumentActionResult {
  sourceKey: string;
  action: DocumentAction;
  /** The source's rows after the action (every role, changed or not). */
  rows: LedgerRow[];
  /** Retry and unignore: the sync requested so the next run starts now; null for ignore. */
  sync: RetrySync | null;
}

/** A source key as the path carries it: `order:gid://shopify/Order/1` or `refund:gid://shopify/Refund/1`. */
export function checkSourceKey(sourceKey: string): string {
  let kind: string;
  try {
    kind = parseSourceKey(sourceKey).kind;
  } catch {
    throw badRequest(
      `sourceKey ${JSON.stringify(sourceKey)} is not a ledger source key (order:gid://shopify/Order/<id> or refund:gid://shopify/Refund/<id>, URL-encoded in the path)`,
      { field: 'params.sourceKey' },
    );
  }
  if (kind !== 'order' && kind !== 'refund') {
    throw badRequest(
      `Only orders and refunds are retried or ignored here, not ${kind}s; payouts have POST /stores/:id/payouts/:payoutId/retry`,
      {
        field: 'params.sourceKey',
      },
    );
  }
  return sourceKey;
}

async function sourceRows(ctx: StoreContext, store: StoreRow, sourceKey: string): Promise<LedgerRow[]> {
  const rows = await listLedgerRows(ctx.db, { storeId: store.id, sourceKeys: [sourceKey] });
  if (rows.length === 0) throw notFound(`Document ${sourceKey} of store ${store.id}`);
  return rows;
}

const statusList = (rows: LedgerRow[]) => rows.map((r) => `${r.role} ${r.status}`).join(', ');

/** Requests a sync of an active store; a paused or disconnected one (or an unreachable Temporal) books it later. */
export async function syncSoon(ctx: StoreContext, store: StoreRow): Promise<RetrySync> {
  if (store.state !== 'active') {
    return { started: false, reason: `The store is ${store.state}; the first run after it is resumed books it again` };
  }
  try {
    const outcome = await requestSync(ctx, store.shopDomain, { trigger: 'manual' }, 0);
    return outcome.done
      ? { started: true, updateId: null, runId: outcome.result.runId }
      : { started: true, updateId: outcome.updateId, runId: outcome.runId };
  } catch (err) {
    if (err instanceof HttpError) return { started: false, reason: `${err.message}; the next scheduled run books it again` };
    throw err;
  }
}

async function mark(
  ctx: StoreContext,
  store: StoreRow,
  sourceKey: string,
  from: readonly string[],
  set: { status?: string; reasonCode?: string },
): Promise<LedgerRow[]> {
  return setLedgerRowsStatus(ctx.db, { storeId: store.id, sourceKey, roles: ACTIONABLE_ROLES, from, set, at: ctx.clock() });
}

/** Retry: the next run books the source's parked or failed documents again; a sync is requested at once. */
export async function retryDocument(ctx: StoreContext, store: StoreRow, sourceKey: string): Promise<DocumentActionResult> {
  checkSourceKey(sourceKey);
  const before = await sourceRows(ctx, store, sourceKey);
  const changed = await mark(ctx, store, sourceKey, NEEDS_ATTENTION, { reasonCode: 'retry_requested' });
  if (changed.length === 0) {
    throw conflict(`Document ${sourceKey} has nothing to retry (${statusList(before)}); only parked or failed documents are retried`);
  }
  ctx.log.info({ storeId: store.id, sourceKey, rows: changed.length }, 'document retry requested');
  const sync = await syncSoon(ctx, store);
  return { sourceKey, action: 'retry', rows: await sourceRows(ctx, store, sourceKey), sync };
}

/** Ignore: no run books or re-tries the source's parked or failed documents until they are un-ignored. Idempotent. */
export async function ignoreDocument(ctx: StoreContext, store: StoreRow, sourceKey: string): Promise<DocumentActionResult> {
  checkSourceKey(sourceKey);
  const before = await sourceRows(ctx, store, sourceKey);
  const changed = await mark(ctx, store, sourceKey, NEEDS_ATTENTION, { status: 'ignored' });
  if (changed.length === 0 && !before.some((r) => r.status === 'ignored')) {
    throw conflict(`Document ${sourceKey} cannot be ignored (${statusList(before)}); only parked or failed documents are ignored`);
  }
  ctx.log.info({ storeId: store.id, sourceKey, rows: changed.length }, 'document ignored');
  return { sourceKey, action: 'ignore', rows: await sourceRows(ctx, store, sourceKey), sync: null };
}

/** Un-ignore: the ignored documents go back to parked, retried by the next run; a sync is requested at once. */
export async function unignoreDocument(ctx: StoreContext, store: StoreRow, sourceKey: string): Promise<DocumentActionResult> {
  checkSourceKey(sourceKey);
  const before = await sourceRows(ctx, store, sourceKey);
  const redone = await redoUndone(ctx, store, sourceKey);
  const changed = await mark(ctx, store, sourceKey, ['ignored'], { status: 'parked', reasonCode: 'retry_requested' });
  if (changed.length === 0 && redone === 0) throw conflict(`Document ${sourceKey} is neither ignored nor undone (${statusList(before)})`);
  ctx.log.info({ storeId: store.id, sourceKey, rows: changed.length }, 'document un-ignored');
  const sync = await syncSoon(ctx, store);
  return { sourceKey, action: 'unignore', rows: await sourceRows(ctx, store, sourceKey), sync };
}

/**
 * The redo of an undo (POST /stores/:id/undo): the source's undone rows, and its refunds' (an order redone brings its
 * refunds back), forget the deleted document and wait for the next run (domain/sync redoChanges). Answers the rows changed.
 */
async function redoUndone(ctx: StoreContext, store: StoreRow, sourceKey: string): Promise<number> {
  let n = 0;
  for (const row of await listUndoneRowsOf(ctx.db, { storeId: store.id, sourceKey })) {
    const at = ctx.clock();
    if (await redoUndoneRow(ctx.db, { storeId: store.id, sourceKey: row.sourceKey, role: row.role, changes: redoChanges(row), at })) n++;
  }
  if (n > 0) ctx.log.info({ storeId: store.id, sourceKey, rows: n }, 'undone document redone');
  return n;
}

export const DOCUMENT_ACTIONS: Record<DocumentAction, typeof retryDocument> = {
  retry: retryDocument,
  ignore: ignoreDocument,
  unignore: unignoreDocument,
};
