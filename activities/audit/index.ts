/**
 * The nightly audit's activities (contract: workflows/contracts.ts AuditActivities; orchestration:
 * workflows/audit.ts; decisions: domain/audit). Each is load → decide → record, and idempotent: a retried step
 * reads QBO and Shopify again and upserts the same findings. Nothing here writes to QBO or Shopify: the audit
 * reads documents and reports what differs (issue #12 item 17).
 */
import {
  countFindingsSeenSince,
  getStore,
  getStoreAudit,
  listBookedByDocument,
  listBookedSample,
  recordAuditResults,
  samplePosition,
  saveStoreAudit,
} from '../../db/queries';
import {
  AUDIT_SAMPLE_SIZE,
  AUDITED_TYPES,
  auditDocument,
  cdcWindowStart,
  isDeleted,
  needsFullCheck,
  nextChangedSince,
  orderKeyOf,
  type AuditedRow,
  type AuditFinding,
  type AuditSource,
  type AuditSummary,
  type FindingKind,
} from '../../domain/audit';
import { parseSourceKey } from '../../domain/ledger';
import type { ShopifyOrderCore, ShopifyRefund } from '../../domain/shopify/types';
import { ORDER_PAGE_LIMITS } from '../../domain/shopify/limits';
import { REFUND_ROLE } from '../../domain/sync';
import { ORDERS_BY_IDS } from '../../integrations/shopify/queries/orders';
import type { AuditActivities, AuditStepResult } from '../../workflows/contracts';
import type { ActivityDeps } from '../deps';
import { loadStoreContext, type StoreContext } from '../sync/context';
import type { SyncActivityOptions } from '../sync';
import { completeOrders, readRefund } from '../sync';
import { qboLiteral, queryIn } from '../sync/qbo-helpers';
import { guardedStep, heartbeat } from '../heartbeat';

type Entity = Record<string, unknown>;

/** Ids per `Id IN (…)` read of the sample's documents. */
const READ_IN_LIST_MAX = 40;

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const docKey = (type: string, id: string): string => `${type}:${id}`;

export function createAuditActivities(deps: ActivityDeps, { pacer, limiter }: SyncActivityOptions): AuditActivities {
  const { db, log } = deps;

  const guarded = <T>(storeId: string, body: () => Promise<T>): Promise<T> => guardedStep(deps, storeId, body);

  /** The Shopify sources of the rows that need the full check: their orders (and refunds), read in pages. */
  async function readSources(ctx: StoreContext, rows: AuditedRow[]): Promise<Map<string, AuditSource>> {
    const out = new Map<string, AuditSource>();
    const orderIds = [
      ...new Set(
        rows
          .map(orderKeyOf)
          .filter((k): k is string => k !== null)
          .map((k) => parseSourceKey(k).gid),
      ),
    ];
    const orders = new Map<string, ShopifyOrderCore>();
    for (let i = 0; i < orderIds.length; i += ORDER_PAGE_LIMITS.orders) {
      const data = await ctx.shopify.request<{ nodes: Array<ShopifyOrderCore | null> }>(ORDERS_BY_IDS, {
        ids: orderIds.slice(i, i + ORDER_PAGE_LIMITS.orders),
      });
      const page = data.nodes.filter((n): n is ShopifyOrderCore => n !== null && typeof n === 'object' && 'id' in n);
      // Orders with more lines than a page holds are read whole, as the sync reads them.
      const complete = await completeOrders(ctx.shopify, page);
      for (const o of complete.orders) if (!complete.unreadable.has(o.id)) orders.set(o.id, o);
      heartbeat({ orders: orders.size });
    }
    for (const row of rows) {
      const orderKey = orderKeyOf(row);
      const order = orderKey ? orders.get(parseSourceKey(orderKey).gid) : undefined;
      const key = `${row.sourceKey} ${row.role}`;
      if (!order) {
        out.set(key, { kind: 'gone' });
      } else if (row.role === REFUND_ROLE) {
        const refund: ShopifyRefund | null = await readRefund(ctx.shopify, parseSourceKey(row.sourceKey).gid);
        out.set(key, refund ? { kind: 'refund', order, refund } : { kind: 'gone' });
      } else {
        out.set(key, { kind: 'order', order });
      }
    }
    return out;
  }

  /** Checks rows against the documents QBO holds (null: deleted or not found) and records the outcome. */
  async function check(
    ctx: StoreContext,
    currency: string,
    rows: AuditedRow[],
    docs: Map<string, Entity | null>,
    fullCheck: (row: AuditedRow, doc: Entity | null) => boolean,
  ): Promise<AuditStepResult> {
    const full = rows.filter((r) => fullCheck(r, docs.get(docKey(r.qboType, r.qboId)) ?? null));
    const sources = await readSources(ctx, full);
    const findings: AuditFinding[] = [];
    for (const row of rows) {
      const doc = docs.get(docKey(row.qboType, row.qboId)) ?? null;
      const source = sources.get(`${row.sourceKey} ${row.role}`) ?? { kind: 'unread' };
      const finding = auditDocument(row, doc, source, currency);
      if (finding) findings.push(finding);
    }
    const { resolved } = await recordAuditResults(db, { storeId: ctx.storeId, findings, checked: rows, at: deps.clock() });
    const byKind: Partial<Record<FindingKind, number>> = {};
    for (const f of findings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    if (findings.length) ctx.log.warn({ findings: findings.map((f) => `${f.kind} ${f.qboType} ${f.qboId}`) }, 'audit findings');
    return { checked: rows.length, found: findings.length, resolved, byKind, notes: [] };
  }

  const currencyOf = async (storeId: string): Promise<string> => (await getStore(db, { storeId }))?.shopCurrency ?? 'USD';

  return {
    async auditBegin({ storeId, auditId }) {
      const now = deps.clock();
      const store = await getStore(db, { storeId });
      const audit = await getStoreAudit(db, { storeId });
      const { since, clipped } = cdcWindowStart(audit?.changedSince ?? null, now);
      const plan = {
        auditId,
        startedAt: now.toISOString(),
        changedSince: since.toISOString(),
        clipped,
        sampleAfter: audit?.sampleAfter ?? null,
        sampleSize: AUDIT_SAMPLE_SIZE,
      };
      if (!store) return { ...plan, blocked: `store ${storeId} no longer exists` };
      if (store.state !== 'active') return { ...plan, blocked: `store is ${store.state}` };
      return plan;
    },

    async auditChangedDocuments({ storeId, changedSince }) {
      return guarded(storeId, async () => {
        const ctx = await loadStoreContext(deps, storeId, { pacer, limiter });
        const until = deps.clock();
        const cdc = await ctx.qbo.changeDataCapture([...AUDITED_TYPES], changedSince);
        const notes: string[] = [];
        const docs = new Map<string, Entity | null>();
        for (const [type, list] of Object.entries(cdc.changed)) {
          for (const doc of list) docs.set(docKey(type, str(doc.Id)), isDeleted(doc) ? null : doc);
        }
        if (cdc.full) {
          // QBO's answer holds at most 1000 objects (docs/qbo-facts.md §5): the edits are all found by a query on
          // LastUpdatedTime; deletions beyond the answer are left to the rolling sample.
          notes.push('QBO change data capture answered with its 1000-object maximum: edits found by query, deletions only by the sample');
          for (const type of AUDITED_TYPES) {
            for (const doc of await ctx.qbo.query(type, `MetaData.LastUpdatedTime >= ${qboLiteral(changedSince)}`)) {
              if (!docs.has(docKey(type, str(doc.Id)))) docs.set(docKey(type, str(doc.Id)), doc);
            }
          }
        }
        const rows = await listBookedByDocument(db, {
          storeId,
          docs: [...docs.keys()].map((k) => ({ qboType: k.slice(0, k.indexOf(':')), qboId: k.slice(k.indexOf(':') + 1) })),
        });
        const result = await check(ctx, await currencyOf(storeId), rows, docs, needsFullCheck);
        log.info({ storeId, changed: docs.size, booked: rows.length, found: result.found }, 'audit: changed documents checked');
        return { ...result, notes: [...notes, ...result.notes], changed: docs.size, until: until.toISOString() };
      });
    },

    async auditSampleDocuments({ storeId, after, limit }) {
      return guarded(storeId, async () => {
        const rows = await listBookedSample(db, { storeId, after, limit });
        if (rows.length === 0) return { checked: 0, found: 0, resolved: 0, byKind: {}, notes: [], sampled: 0, nextAfter: null };
        const ctx = await loadStoreContext(deps, storeId, { pacer, limiter });
        const docs = new Map<string, Entity | null>(rows.map((r) => [docKey(r.qboType, r.qboId), null]));
        const byType = new Map<string, string[]>();
        for (const r of rows) byType.set(r.qboType, [...(byType.get(r.qboType) ?? []), r.qboId]);
        for (const [type, ids] of byType) {
          // A document QBO no longer returns by Id was deleted (a plain query returns voided ones too).
          for (const doc of await queryIn(ctx.qbo, type, 'Id', ids, READ_IN_LIST_MAX)) docs.set(docKey(type, str(doc.Id)), doc);
          heartbeat({ read: type });
        }
        const result = await check(ctx, await currencyOf(storeId), rows, docs, (_row, doc) => doc !== null);
        return { ...result, sampled: rows.length, nextAfter: samplePosition(rows[rows.length - 1]!) };
      });
    },

    async auditFinish({ storeId, plan, changed, sample }) {
      const now = deps.clock();
      // A changed document is often in the sample too: the findings are counted once each, from what was recorded.
      const byKind: Partial<Record<FindingKind, number>> = {};
      if (!plan.blocked) {
        for (const { kind, n } of await countFindingsSeenSince(db, { storeId, since: new Date(plan.startedAt) }))
          byKind[kind as FindingKind] = n;
      }
      const notes = [...(changed?.notes ?? []), ...(sample?.notes ?? [])];
      if (plan.clipped)
        notes.push(
          "the previous audit was more than 30 days ago: changes before QBO's look-back were not read (the sample covers them in turn)",
        );
      const summary: AuditSummary = {
        auditId: plan.auditId,
        startedAt: plan.startedAt,
        finishedAt: now.toISOString(),
        changedSince: plan.blocked ? null : plan.changedSince,
        clipped: plan.clipped,
        changed: changed?.changed ?? 0,
        sampled: sample?.sampled ?? 0,
        checked: (changed?.checked ?? 0) + (sample?.checked ?? 0),
        found: Object.values(byKind).reduce((a, b) => a + (b ?? 0), 0),
        resolved: (changed?.resolved ?? 0) + (sample?.resolved ?? 0),
        byKind,
        notes,
        ...(plan.blocked ? { blocked: plan.blocked } : {}),
      };
      const store = await getStore(db, { storeId });
      if (!store) return summary;
      const previous = await getStoreAudit(db, { storeId });
      await saveStoreAudit(db, {
        storeId,
        // A blocked audit read nothing: the cursors stay where they were.
        changedSince: changed ? nextChangedSince(new Date(changed.until)) : (previous?.changedSince ?? null),
        sampleAfter: sample ? sample.nextAfter : (previous?.sampleAfter ?? null),
        at: now,
        summary: summary as unknown as Record<string, unknown>,
      });
      log.info({ storeId, ...summary }, 'audit finished');
      return summary;
    },
  };
}
