/**
 * The activity contract the workflows are written against, kept with the workflows so the contract
 * runs one way: activities/ implements it (activities/index.ts createActivities) and imports it from
 * here; workflows import nothing from activities/.
 */
import type { AuditSummary, FindingKind } from '../domain/audit';
import type { InventoryBreaker, InventoryRunPlan } from '../domain/inventory';
import type { UndoKind } from '../domain/sync/undo';
import type { InventoryMode, InventoryTrigger, PayoutSagaState, SyncRunInput, SyncRunSummary, SyncTrigger } from './definitions';

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
  /**
   * A webhook run that only books (domain/sync/window.ts webhookRunMayBookOnly): a recent scheduled run retried the
   * parked orders and listed the payouts. Absent for other triggers and in histories from before it.
   */
  bookOnly?: boolean;
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

/** What discovery did: payouts listed, sagas started, running sagas told the status, settled ones left alone. */
export interface PayoutDiscovery {
  listed: number;
  started: number;
  signalled: number;
  settled: number;
  /** Why discovery did nothing (payouts off, no Temporal client in this process). */
  skipped?: string;
}

/** A payout's decision as the workflow needs it (domain/payouts decidePayout, without the row lists). */
export interface PayoutStep {
  action: 'wait_paid' | 'read' | 'hold' | 'wait_documents' | 'post' | 'watch' | 'compensate' | 'done';
  reason: string;
  /** wait_documents, watch: until when. */
  until?: string;
  /** wait_documents: since when the saga waits (kept across steps: the grace period counts from there). */
  waitingSince?: string;
  /** done: how it ended. */
  outcome?: 'posted' | 'failed' | 'canceled' | 'empty';
}

/** The saga state each step puts a payout in (`payouts.state`, the LedgerlinePayoutState search attribute). */
export const PAYOUT_STATE_OF_STEP: Readonly<Record<PayoutStep['action'], PayoutSagaState>> = {
  wait_paid: 'scheduled',
  read: 'reading',
  hold: 'held',
  wait_documents: 'waiting_documents',
  post: 'posting',
  watch: 'watching',
  compensate: 'watching',
  done: 'posted',
};

export interface PayoutAssessment {
  /** Shopify's status of the payout now; null when Shopify no longer has it. */
  status: string | null;
  step: PayoutStep;
  posted: { depositId: string; journalEntryId: string | null } | null;
  /** wait_documents: the orders whose documents the payout waits for (the store is asked to sync them). */
  orderIds: string[];
}

export type PayoutPostResult =
  | { ok: true; depositId: string; journalEntryId: string | null; needsAttention: boolean }
  /** Nothing is left in QBO: a setting is missing, QBO refused the Deposit, or it read back wrong. */
  | { ok: false; held: string };

export interface PayoutActivities {
  /** Lists the store's payouts since its payout floor and starts (or signals) one saga per payout. */
  payoutsDiscover(input: { storeId: string; now: string }): Promise<PayoutDiscovery>;
  /**
   * Reads the payout's status, the saga's documents and (when paid and not posted) its balance transactions and
   * their QBO documents, decides the next step (domain/payouts decidePayout) and records it on the payout's row.
   */
  payoutAssess(input: {
    storeId: string;
    payoutId: string;
    legacyId: string;
    workflowId: string;
    /** The workflow's clock: decisions and the row use it, so time-skipping tests see the saga's own time. */
    now: string;
    paidObservedAt: string | null;
    documentsWaitingSince: string | null;
  }): Promise<PayoutAssessment>;
  /** Nudges the store's sync for the orders a payout waits for (their parked reasons are retried by each run). */
  payoutRequestDocuments(input: { storeId: string; orderIds: string[]; reason: string }): Promise<void>;
  /** Builds and writes the payout's documents exactly once (JournalEntry for a negative payout, then the Deposit), then reads them back. */
  payoutPost(input: { storeId: string; payoutId: string; now: string }): Promise<PayoutPostResult>;
  /** Removes what the saga posted (Deposit, then JournalEntry) and records the payout in `state` with `reason`. */
  payoutRemove(input: { storeId: string; payoutId: string; reason: string; state: 'compensated' | 'held'; now: string }): Promise<void>;
  /** Records a state the workflow reached on its own (held after a failed post, the last state). */
  payoutRecord(input: { storeId: string; payoutId: string; state: PayoutSagaState; reason: string; now: string }): Promise<void>;
}

/** The statuses of an inventory run (`inventory_runs.status`). */
export type InventoryRunStatus = 'running' | 'awaiting_confirmation' | 'completed' | 'previewed' | 'expired' | 'blocked' | 'failed';

export interface InventoryBegun {
  runId: string;
  mode: InventoryMode;
  /** Why the run reads and writes nothing (store paused or gone, inventory off, no location). */
  blocked?: string;
}

/** The plan as recorded (its rows are in `inventory_changes`, too many to carry through the workflow's history). */
export interface InventoryPlanned {
  verdict: InventoryRunPlan['verdict'];
  counts: InventoryRunPlan['counts'];
  breaker: InventoryBreaker | null;
  changes: number;
}

export interface InventoryApplied {
  applied: number;
  /** Changes left unwritten: the item needs none any more, or kept moving in Shopify past the retries. */
  notApplied: number;
  /** Compare-and-set answers `CHANGE_FROM_QUANTITY_STALE` that led to a re-read. */
  staleRereads: number;
}

export interface InventoryRunSummary {
  runId: string;
  storeId: string;
  mode: InventoryMode;
  trigger: InventoryTrigger;
  status: InventoryRunStatus;
  verdict: InventoryRunPlan['verdict'] | null;
  counts: InventoryRunPlan['counts'];
  breaker: InventoryBreaker | null;
  applied: number;
  notApplied: number;
  note: string | null;
}

export interface InventoryActivities {
  /** Records the run, and decides whether it may read at all and in which mode. */
  inventoryBegin(input: { storeId: string; runId: string; trigger: InventoryTrigger; mode?: InventoryMode }): Promise<InventoryBegun>;
  /** Reads QBO and Shopify (and the unbooked sales), plans with planInventoryRun and records the diff. Writes nothing to Shopify. */
  inventoryPlan(input: { storeId: string; runId: string }): Promise<InventoryPlanned>;
  /** Writes the recorded changes still pending: compare-and-set, idempotent, re-reading a stale item (bounded). */
  inventoryApply(input: { storeId: string; runId: string }): Promise<InventoryApplied>;
  /** Records a state the workflow reached (awaiting a confirmation, confirmed). */
  inventoryRecord(input: { storeId: string; runId: string; status: InventoryRunStatus; confirmed?: boolean; note?: string }): Promise<void>;
  /** Ends the run's record and returns its summary. */
  inventoryFinish(input: { storeId: string; runId: string; status: InventoryRunStatus; note?: string }): Promise<InventoryRunSummary>;
}

/** One document of an undo (workflows/undo.ts) and what became of it. */
export interface UndoItem {
  sourceKey: string;
  role: string;
  sourceName: string | null;
  qboType: string | null;
  qboId: string | null;
  qboDocNumber: string | null;
  /** In the shop's currency, minor units, as Ledgerline booked it. */
  totalMinor: number | null;
  /** deleted: by this undo · gone: QBO no longer held it · refused: QBO or the undo left it (reason) · skipped: nothing to do. */
  outcome: 'deleted' | 'gone' | 'refused' | 'skipped';
  code: string | null;
  reason: string | null;
}

export interface UndoInput {
  storeId: string;
  undoId: string;
  from: string;
  to: string;
  kinds: UndoKind[];
}

export interface UndoResult {
  undoId: string;
  from: string;
  to: string;
  kinds: UndoKind[];
  deleted: number;
  gone: number;
  refused: number;
  skipped: number;
  /** At most UNDO_RESULT_ITEMS (domain/sync/undo.ts), those left in QBO first; the ledger keeps every undone row. */
  items: UndoItem[];
  /** Documents the result does not list (absent in results from before the cap: none were left out). */
  itemsOmitted?: number;
  finishedAt: string;
}

export interface UndoActivities {
  /** Under the store's write lease: deletes each document of the window once and marks its row `undone`. */
  undoApply(input: UndoInput): Promise<UndoResult>;
}

export type Activities = SyncActivities & FleetActivities & AuditActivities & PayoutActivities & InventoryActivities & UndoActivities;
