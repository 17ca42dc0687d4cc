/**
 * The activity contract the workflows are written against, kept with the workflows so the contract
 * runs one way: activities/ implements it (activities/index.ts createActivities) and imports it from
 * here; workflows import nothing from activities/.
 */
import type { AuditSummary, FindingKind } from '../domain/audit';
import type { SyncRunInput, SyncRunSummary, SyncTrigger } from './definitions';

/**
 * Orders per bulk-chunk activity (~33 QBO batches; the activity heartbeats throughout). Each chunk
 * ends with a part-filled batch, so fewer, larger chunks waste less of the realm's 40 batch calls a
 * minute. The workflow names it in every call; the activity uses it when a caller names none.
 */
export const BULK_CHUNK_ORDERS = 1000;

export interface SyncCounts {
  fetched: number;
  synced: number;
  unchanged: number;
  parked: number;
  skipped: number;
  failed: number;
}

export interface SyncRunPlan {
  runId: string;
  windowFrom: string | null;
  windowTo: string;
  /** 'bulk' for long history windows (a Shopify bulk operation), else cursor paging. */
  mode: 'page' | 'bulk';
  /** False for resyncs: re-examining an old window must not move the cursor. */
  advanceCursor: boolean;
  /** The store can't sync now (paused/disconnected between trigger and start). */
  blocked?: string;
}

export interface PageResult extends SyncCounts {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface BulkChunkResult extends SyncCounts {
  nextOffset: number;
  done: boolean;
}

export interface KeepAliveResult {
  storeId: string;
  shopDomain: string;
  ok: boolean;
  disconnected: boolean;
  error?: string;
}

export interface SyncActivities {
  syncRunBegin(input: SyncRunInput & { workflowId: string }): Promise<SyncRunPlan>;
  syncOrdersPage(input: {
    storeId: string;
    runId: string;
    windowFrom: string | null;
    windowTo: string;
    after: string | null;
  }): Promise<PageResult>;
  /** Splits a bulk window into time slices (from its oldest order on), so writing starts while later slices are read. */
  shopifyPlanBulkSlices(input: {
    storeId: string;
    windowFrom: string | null;
    windowTo: string;
  }): Promise<Array<{ from: string | null; to: string }>>;
  shopifyStartOrdersBulk(input: { storeId: string; windowFrom: string | null; windowTo: string }): Promise<{ bulkId: string }>;
  /** The operation's result is a signed URL to the shop's data: it stays in the activities, never in workflow history. */
  shopifyAwaitBulk(input: { storeId: string; bulkId: string }): Promise<{ hasResult: boolean; objectCount: number }>;
  syncOrdersFromBulk(input: {
    storeId: string;
    runId: string;
    bulkId: string;
    offset: number;
    limit?: number;
    windowFrom: string | null;
    windowTo: string;
  }): Promise<BulkChunkResult>;
  /** Re-examines orders parked or failed for reasons a fix may have removed (a mapping, a QBO setting). */
  syncRetryParked(input: { storeId: string; runId: string; before: string }): Promise<SyncCounts>;
  syncRunFinish(input: {
    storeId: string;
    runId: string;
    trigger: SyncTrigger;
    windowFrom: string | null;
    windowTo: string;
    advanceCursor: boolean;
    counts: SyncCounts;
    startedAt: string;
  }): Promise<SyncRunSummary>;
  syncRunFail(input: { storeId: string; runId: string; error: string }): Promise<void>;
}

export interface FleetActivities {
  storesListConnected(): Promise<Array<{ storeId: string; shopDomain: string }>>;
  qboKeepAlive(input: { storeId: string }): Promise<KeepAliveResult>;
  storeMarkDisconnected(input: { storeId: string; reason: string }): Promise<void>;
}

/** What one audit will do (auditBegin): read QBO changes since `changedSince`, then the rolling sample after `sampleAfter`. */
export interface AuditPlan {
  auditId: string;
  startedAt: string;
  /** Why the store is not audited now (paused, disconnected, gone); nothing is read or written then. */
  blocked?: string;
  changedSince: string;
  /** An earlier cursor was further back than QBO's 30 days: changes in between go unread (the sample covers them). */
  clipped: boolean;
  sampleAfter: string | null;
  sampleSize: number;
}

export interface AuditStepResult {
  checked: number;
  found: number;
  resolved: number;
  byKind: Partial<Record<FindingKind, number>>;
  notes: string[];
}

export interface AuditChangedResult extends AuditStepResult {
  /** QBO documents of the audited types that changed (Ledgerline's or not). */
  changed: number;
  /** The instant the changes were read at: the next audit reads from there. */
  until: string;
}

export interface AuditSampleResult extends AuditStepResult {
  sampled: number;
  /** Where the next audit's sample goes on. */
  nextAfter: string | null;
}

export interface AuditActivities {
  auditBegin(input: { storeId: string; auditId: string }): Promise<AuditPlan>;
  /** QBO's change data capture since the plan's instant: every changed document Ledgerline booked, checked. */
  auditChangedDocuments(input: { storeId: string; changedSince: string }): Promise<AuditChangedResult>;
  /** The next documents of the rolling sample, each read from QBO and checked against Shopify. */
  auditSampleDocuments(input: { storeId: string; after: string | null; limit: number }): Promise<AuditSampleResult>;
  /** Moves the store's audit cursor and keeps the summary (GET /stores/:id `audit`). */
  auditFinish(input: {
    storeId: string;
    plan: AuditPlan;
    changed: AuditChangedResult | null;
    sample: AuditSampleResult | null;
  }): Promise<AuditSummary>;
}

export type Activities = SyncActivities & FleetActivities & AuditActivities;
