/**
 * What GET /stores and GET /stores/:id show: the stores row (shop, company, state, settings, cursor,
 * connection health), the latest sync run, the ledger's counts by status, and the workflow's live
 * status (next run, running, queue) — or, when Temporal cannot answer, why not.
 */
import { countOpenFindings, listStoreAudits, type StoreAuditRow } from '../../db/queries/store-audits';
import { countLedgerByStatus } from '../../db/queries/ledger';
import { getStore, listStores, type StoreRow } from '../../db/queries/stores';
import { latestSyncRuns, type SyncRunRow } from '../../db/queries/sync-runs';
import { DOCUMENT_STATUSES, type DocumentStatus } from '../../domain/ledger';
import { storeIdFor } from '../../domain/store';
import { workflowIds, type PendingRequest, type SyncProgress } from '../../workflows/definitions';
import { notFound } from '../errors';
import type { StoreContext } from '../../services/stores/context';
import { queryProgress, queryStatus, type WorkflowStatus } from '../../services/stores/workflow';

export type { StoreRow };

export interface LastRunView {
  id: string;
  trigger: string;
  status: string;
  windowFrom: string | null;
  windowTo: string | null;
  fetched: number;
  synced: number;
  parked: number;
  skipped: number;
  failed: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface StoreView {
  id: string;
  shopDomain: string;
  shopName: string | null;
  shopCurrency: string | null;
  shopTimezone: string | null;
  qbo: { realmId: string; companyName: string | null; country: string | null };
  state: string;
  settings: Record<string, unknown>;
  startDate: string | null;
  cursor: { updatedAt: string | null };
  lastRun: LastRunView | null;
  intervalMinutes: number | null;
  nextRunAt: string | null;
  running: boolean | null;
  currentRunId: string | null;
  /** GET /stores/:id only, while a sync runs: what it has read and booked, its rate and the time left when known. */
  progress: ProgressView | null;
  queued: PendingRequest[] | null;
  workflow: { id: string; ok: boolean; error: string | null };
  counts: Record<DocumentStatus, number>;
  refundCounts: Record<DocumentStatus, number>;
  lastError: string | null;
  connection: { ok: boolean; error: string | null };
  audit: AuditView;
  createdAt: string;
  updatedAt: string;
}

export interface ProgressView extends SyncProgress {
  elapsedSeconds: number;
  /** Orders read a minute, since the run started; null before the first page. */
  ratePerMinute: number | null;
  /** (total − read) ÷ rate, when Shopify said how many orders the window holds. */
  secondsLeft: number | null;
}

export function progressView(p: SyncProgress, now: Date): ProgressView {
  const elapsedSeconds = Math.max(0, (now.getTime() - Date.parse(p.startedAt)) / 1000);
  const ratePerMinute = p.fetched > 0 && elapsedSeconds > 0 ? Math.round((p.fetched / elapsedSeconds) * 60 * 10) / 10 : null;
  const secondsLeft =
    p.total !== null && ratePerMinute !== null && ratePerMinute > 0
      ? Math.round((Math.max(0, p.total - p.fetched) / ratePerMinute) * 60)
      : null;
  return { ...p, elapsedSeconds: Math.round(elapsedSeconds), ratePerMinute, secondsLeft };
}

/** The nightly audit's state and open findings (domain/audit, db/queries/audit.ts). */
export interface AuditView {
  lastAuditAt: string | null;
  changedSince: string | null;
  openFindings: number;
  byKind: Record<string, number>;
  lastSummary: Record<string, unknown> | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A store id as stores hold them: the shop's handle in its myshopify domain. */
const STORE_ID = /^[a-z0-9][a-z0-9-]{0,59}$/;

/**
 * The store id a `:id` path parameter names (the store id, or as a convenience the shop domain, in any
 * case); undefined when it cannot name any store.
 */
export function storeIdFromParam(idOrDomain: string): string | undefined {
  const id = idOrDomain.trim().toLowerCase();
  if (!id.includes('.')) return STORE_ID.test(id) ? id : undefined;
  try {
    return storeIdFor(id);
  } catch {
    return undefined;
  }
}

/** `:id` is the store id (the shop handle) or, as a convenience, the shop domain. */
export async function loadStore(ctx: StoreContext, idOrDomain: string): Promise<StoreRow> {
  const id = storeIdFromParam(idOrDomain);
  const row = id === undefined ? undefined : await getStore(ctx.db, { storeId: id });
  if (!row) throw notFound(`Store ${idOrDomain}`);
  return row;
}

function lastRunView(run: SyncRunRow | undefined): LastRunView | null {
  if (!run) return null;
  return {
    id: run.id,
    trigger: run.trigger,
    status: run.status,
    windowFrom: iso(run.windowFrom),
    windowTo: iso(run.windowTo),
    fetched: run.fetched,
    synced: run.synced,
    parked: run.parked,
    skipped: run.skipped,
    failed: run.failed,
    error: run.error,
    startedAt: run.startedAt.toISOString(),
    finishedAt: iso(run.finishedAt),
  };
}

function emptyCounts(): Record<DocumentStatus, number> {
  return Object.fromEntries(DOCUMENT_STATUSES.map((s) => [s, 0])) as Record<DocumentStatus, number>;
}

interface Counts {
  all: Record<DocumentStatus, number>;
  refunds: Record<DocumentStatus, number>;
}

const emptyBoth = (): Counts => ({ all: emptyCounts(), refunds: emptyCounts() });

function auditView(row: StoreAuditRow | undefined, open: Array<{ kind: string; n: number }>): AuditView {
  const byKind = Object.fromEntries(open.map((o) => [o.kind, o.n]));
  return {
    lastAuditAt: iso(row?.lastAuditAt ?? null),
    changedSince: iso(row?.changedSince ?? null),
    openFindings: open.reduce((a, o) => a + o.n, 0),
    byKind,
    lastSummary: row?.lastSummary ?? null,
  };
}

async function auditsFor(ctx: StoreContext, storeIds: string[]): Promise<Map<string, AuditView>> {
  const [rows, open] = await Promise.all([listStoreAudits(ctx.db, { storeIds }), countOpenFindings(ctx.db, { storeIds })]);
  return new Map(
    storeIds.map((id) => [
      id,
      auditView(
        rows.get(id),
        open.filter((o) => o.storeId === id),
      ),
    ]),
  );
}

function compose(
  row: StoreRow,
  run: SyncRunRow | undefined,
  counts: Counts,
  wf: WorkflowStatus,
  audit: AuditView,
  progress: ProgressView | null = null,
): StoreView {
  const settings = row.settings;
  const status = wf.ok ? wf.status : undefined;
  const startDate = typeof settings.startDate === 'string' ? settings.startDate : null;
  const interval = typeof settings.syncIntervalMinutes === 'number' ? settings.syncIntervalMinutes : null;
  return {
    id: row.id,
    shopDomain: row.shopDomain,
    shopName: row.shopName,
    shopCurrency: row.shopCurrency,
    shopTimezone: row.shopTimezone,
    qbo: { realmId: row.qboRealmId, companyName: row.qboCompanyName, country: row.qboCountry },
    state: row.state,
    settings,
    startDate,
    cursor: { updatedAt: iso(row.cursorUpdatedAt) },
    lastRun: lastRunView(run),
    intervalMinutes: status?.intervalMinutes ?? interval,
    nextRunAt: status?.nextRunAt ?? null,
    running: status ? status.running : null,
    currentRunId: status?.currentRunId ?? null,
    progress,
    queued: status ? status.queued : null,
    workflow: { id: workflowIds.store(row.shopDomain), ok: wf.ok, error: wf.ok ? null : wf.error },
    counts: counts.all,
    refundCounts: counts.refunds,
    // The workflow knows the latest run's failure first; the row keeps errors recorded outside runs.
    lastError: status ? (status.lastError ?? row.lastError) : row.lastError,
    connection: { ok: row.state !== 'disconnected' && row.state !== 'removed' && row.connectionError === null, error: row.connectionError },
    audit,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function countsFor(ctx: StoreContext, storeIds: string[]): Promise<Map<string, Counts>> {
  const out = new Map(storeIds.map((id) => [id, emptyBoth()]));
  if (storeIds.length === 0) return out;
  for (const r of await countLedgerByStatus(ctx.db, { storeIds })) {
    const counts = out.get(r.storeId);
    if (!counts) continue;
    counts.all[r.status as DocumentStatus] += r.n;
    if (r.role === 'refund') counts.refunds[r.status as DocumentStatus] += r.n;
  }
  return out;
}

function lastRunsFor(ctx: StoreContext, storeIds: string[]): Promise<Map<string, SyncRunRow>> {
  return latestSyncRuns(ctx.db, { storeIds });
}

/** A removed store's workflows were stopped on purpose: no query, and no advice to resume. */
function statusOf(ctx: StoreContext, row: StoreRow): Promise<WorkflowStatus> {
  if (row.state === 'removed') return Promise.resolve({ ok: false, error: 'The store was removed: its workflows were stopped' });
  return queryStatus(ctx, row.shopDomain);
}

export async function storeView(ctx: StoreContext, row: StoreRow): Promise<StoreView> {
  const [counts, runs, wf, audits] = await Promise.all([
    countsFor(ctx, [row.id]),
    lastRunsFor(ctx, [row.id]),
    statusOf(ctx, row),
    auditsFor(ctx, [row.id]),
  ]);
  const running = wf.ok && wf.status.running && wf.status.currentRunId ? wf.status.currentRunId : null;
  const progress = running ? await queryProgress(ctx, running) : null;
  return compose(
    row,
    runs.get(row.id),
    counts.get(row.id) ?? emptyBoth(),
    wf,
    audits.get(row.id)!,
    progress && progressView(progress, ctx.clock()),
  );
}

/** Every store's view, or only the one store `only` names (a store-scoped token's GET /stores). */
export async function storeViews(ctx: StoreContext, only?: string | null): Promise<StoreView[]> {
  const one = only ? await getStore(ctx.db, { storeId: only }) : undefined;
  const rows = only ? (one ? [one] : []) : await listStores(ctx.db);
  const ids = rows.map((r) => r.id);
  const [counts, runs, statuses, audits] = await Promise.all([
    countsFor(ctx, ids),
    lastRunsFor(ctx, ids),
    Promise.all(rows.map((r) => statusOf(ctx, r))),
    auditsFor(ctx, ids),
  ]);
  return rows.map((row, i) => compose(row, runs.get(row.id), counts.get(row.id) ?? emptyBoth(), statuses[i]!, audits.get(row.id)!));
}
