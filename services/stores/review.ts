/**
 * Review before posting (issue #17, docs/review.md), for the JSON API (GET /stores/:id/review, POST
 * /stores/:id/review/approve | reject) and the console alike:
 *
 * - the list: the store's held sales, each with its built document (lines, tax, accounts, totals);
 * - approve: the held rows' reason code becomes `approved` and a sync is requested; that run re-reads them
 *   (activities/sync syncRetryParked) and posts each through the ordinary create path (domain/sync decidePosting:
 *   same requestid, the row written `pending` first), so approval itself writes nothing to QBO. Approving twice
 *   changes nothing; an order changed after approval is held again for a new look;
 * - reject: the held rows become `ignored` (reason code `rejected`): no run books them; un-ignore
 *   (POST /stores/:id/documents/:sourceKey/unignore) has the next run build and hold them again.
 *
 * Each call names source keys (`ids`) or, for approve, `all`. A key with no sale row is a 404, a row that is not
 * held a 409, each naming every offending key; nothing is changed then. The audit log records every call
 * (api/audit.ts).
 */
import { listLedgerRows, type LedgerRow } from '../../db/queries/ledger';
import { countHeldRows, listHeldRows, setHeldRows } from '../../db/queries/review';
import type { StoreRow } from '../../db/queries/stores';
import { parseSourceKey } from '../../domain/ledger';
import { heldDocumentView, REVIEW_CODE, reviewVerdict, type HeldDocumentView, type ReviewAction } from '../../domain/sync';
import { badRequest, conflict, notFound } from '../errors';
import type { StoreContext } from './context';
import { syncSoon, type RetrySync } from './documents';

/** Held documents listed (and approved by `all`) at once; the rest follow on the next call. */
export const REVIEW_LIST_MAX = 200;

export interface HeldItemView {
  sourceKey: string;
  orderId: string;
  sourceName: string | null;
  /** `awaiting_review`, or `approved` (the next run posts it). */
  state: string;
  reason: string | null;
  heldAt: string;
  document: HeldDocumentView | null;
}

export interface ReviewList {
  posting: 'auto' | 'review';
  /** Every held sale of the store; `items` lists the oldest REVIEW_LIST_MAX. */
  count: number;
  items: HeldItemView[];
}

export interface ReviewResult {
  action: ReviewAction;
  /** Rows this call changed. */
  changed: string[];
  /** Rows already as asked (approved again). */
  unchanged: string[];
  /** Rows a run changed between this call's read and its update (a new version of the order held): left alone. */
  changedMeanwhile: string[];
  /** Approve: the sync requested so the approved documents are posted now; null for reject or when nothing changed. */
  sync: RetrySync | null;
}

export function heldItemView(row: LedgerRow): HeldItemView {
  return {
    sourceKey: row.sourceKey,
    orderId: parseSourceKey(row.sourceKey).gid.split('/').pop()!,
    sourceName: row.sourceName,
    state: row.reasonCode ?? REVIEW_CODE.awaiting,
    reason: row.reason,
    heldAt: row.updatedAt.toISOString(),
    document: row.heldDocument ? heldDocumentView(row.heldDocument) : null,
  };
}

export async function listReview(ctx: StoreContext, store: StoreRow): Promise<ReviewList> {
  const [rows, count] = await Promise.all([
    listHeldRows(ctx.db, { storeId: store.id, limit: REVIEW_LIST_MAX }),
    countHeldRows(ctx.db, { storeId: store.id }),
  ]);
  return { posting: store.settings.posting === 'review' ? 'review' : 'auto', count, items: rows.map(heldItemView) };
}

export type ReviewBody = { ids: string[] } | { all: true };

/** The body's source keys, checked beyond the schema: order keys only (a held document is an order's sale). */
export function reviewKeys(body: ReviewBody, action: ReviewAction): string[] | 'all' {
  if ('all' in body) {
    if (action === 'reject') throw badRequest('Reject names the documents: { "ids": [...] }', { field: 'body.all' });
    return 'all';
  }
  body.ids.forEach((key, i) => {
    let kind: string | undefined;
    try {
      kind = parseSourceKey(key).kind;
    } catch {
      kind = undefined;
    }
    if (kind !== 'order') {
      throw badRequest(`ids[${i}] ${JSON.stringify(key)} is not an order's source key (order:gid://shopify/Order/<id>)`, {
        field: `body.ids.${i}`,
      });
    }
  });
  return body.ids;
}

export async function reviewHeld(ctx: StoreContext, store: StoreRow, action: ReviewAction, keys: string[] | 'all'): Promise<ReviewResult> {
  const rows =
    keys === 'all'
      ? await listHeldRows(ctx.db, { storeId: store.id, limit: REVIEW_LIST_MAX })
      : (await listLedgerRows(ctx.db, { storeId: store.id, sourceKeys: keys })).filter((r) => r.role === 'sale');
  if (keys !== 'all') {
    const found = new Set(rows.map((r) => r.sourceKey));
    const missing = keys.filter((k) => !found.has(k));
    if (missing.length > 0) throw notFound(`Held document${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of store ${store.id}`);
  }
  const verdicts = rows.map((row) => ({ row, verdict: reviewVerdict(row, action) }));
  const refused = verdicts.flatMap(({ verdict }) => (verdict.outcome === 'refuse' ? [verdict.reason] : []));
  if (refused.length > 0) throw conflict(`Nothing was ${action === 'approve' ? 'approved' : 'rejected'}: ${refused.join('; ')}`);

  const changing = verdicts.flatMap(({ row, verdict }) => (verdict.outcome === 'change' ? [{ row, set: verdict.changes }] : []));
  const changed: string[] = [];
  const at = ctx.clock();
  // One verdict per action: every changing row gets the same columns.
  if (changing.length > 0) {
    const rowsChanged = await setHeldRows(ctx.db, {
      storeId: store.id,
      rows: changing.map(({ row }) => ({ sourceKey: row.sourceKey, fingerprint: row.fingerprint })),
      set: changing[0]!.set,
      at,
    });
    changed.push(...rowsChanged.map((r) => r.sourceKey));
  }
  // A run re-held (or posted) these between the read and the update: left as the run wrote them, for another look.
  const changedMeanwhile = changing.map(({ row }) => row.sourceKey).filter((k) => !changed.includes(k));
  const unchanged = verdicts.filter(({ verdict }) => verdict.outcome === 'unchanged').map(({ row }) => row.sourceKey);
  if (changed.length > 0) ctx.log.info({ storeId: store.id, action, rows: changed.length }, `held documents ${action}d`);
  const sync = action === 'approve' && changed.length > 0 ? await syncSoon(ctx, store) : null;
  return { action, changed, unchanged, changedMeanwhile, sync };
}
