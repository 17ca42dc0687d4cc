/**
 * Signals, queries and updates of Ledgerline's workflows, plus the workflow ids built from business
 * keys. Importable by clients (API) without pulling in workflow code.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export type StoreState = 'active' | 'paused' | 'disconnected';
export type SyncTrigger = 'scheduled' | 'manual' | 'resync' | 'webhook';

export interface SyncWindow {
  /** ISO instant; orders updated at or after it are examined. */
  from?: string;
  /** ISO instant; orders updated before it (default: the run's start). */
  to?: string;
}

export interface SyncRunInput {
  storeId: string;
  shopDomain: string;
  trigger: SyncTrigger;
  /** Set for resyncs: re-examines this window without moving the store's cursor backwards. */
  window?: SyncWindow;
}

export interface SyncRunSummary {
  runId: string;
  trigger: SyncTrigger;
  windowFrom: string | null;
  windowTo: string;
  fetched: number;
  synced: number;
  unchanged: number;
  parked: number;
  skipped: number;
  failed: number;
  startedAt: string;
  finishedAt: string;
}

/** A running sync's progress (syncProgressQuery on its syncRunWorkflow): what it has read and written so far. */
export interface SyncProgress {
  startedAt: string;
  /** null until the run has planned its window. */
  mode: 'page' | 'bulk' | null;
  phase: 'planning' | 'reading' | 'retrying_parked' | 'finishing';
  windowFrom: string | null;
  windowTo: string | null;
  fetched: number;
  synced: number;
  unchanged: number;
  parked: number;
  skipped: number;
  failed: number;
  /** Orders in the window, when Shopify said (a bulk read's object counts, summed over the slices known so far). */
  total: number | null;
}

export const syncProgressQuery = defineQuery<SyncProgress>('syncProgress');

export interface StoreWorkflowInput {
  storeId: string;
  shopDomain: string;
  intervalMinutes: number;
  /** Carried across continue-as-new. */
  carried?: StoreCarriedState;
  /** Runs per history before the loop continues as new (default 200; tests lower it). Carried. */
  runsPerHistory?: number;
}

export interface StoreCarriedState {
  state: StoreState;
  lastRun?: SyncRunSummary;
  lastError?: string;
  runCount: number;
  pending: PendingRequest[];
}

export interface PendingRequest {
  trigger: SyncTrigger;
  window?: SyncWindow;
  /**
   * Only on a run queued by webhook nudges alone: when the newest of those webhooks reached the API. Dropped as soon
   * as any other request folds into the run (domain/sync/window.ts webhookNudgeCovered).
   */
  webhookAt?: string;
}

export interface StoreStatus {
  storeId: string;
  shopDomain: string;
  state: StoreState;
  intervalMinutes: number;
  running: boolean;
  currentRunId: string | null;
  nextRunAt: string | null;
  lastRun: SyncRunSummary | null;
  lastError: string | null;
  queued: PendingRequest[];
  runCount: number;
}

export interface SyncNowResult {
  runId: string;
  summary: SyncRunSummary;
}

/** Manual sync: answers with the summary of the run that served it (coalesced with any queued one). */
export const syncNowUpdate = defineUpdate<SyncNowResult, [{ window?: SyncWindow; trigger?: 'manual' | 'resync' }]>('syncNow');
/**
 * Webhook nudge: a sync soon, coalesced with anything already queued; no answer. `receivedAt`: when the newest webhook
 * the nudge stands for reached the API (absent from nudges sent before it existed: such a nudge is never dropped).
 */
export const nudgeSignal = defineSignal<[{ reason: string; receivedAt?: string }]>('nudge');
export const pauseSignal = defineSignal<[{ reason?: string }]>('pause');
export const resumeSignal = defineSignal('resume');
/** The connection was lost (invalid_grant): stop syncing until credentials are replaced and resumed. */
export const disconnectedSignal = defineSignal<[{ reason: string }]>('disconnected');
export const setIntervalSignal = defineSignal<[{ intervalMinutes: number }]>('setInterval');
export const statusQuery = defineQuery<StoreStatus>('status');

export const workflowIds = {
  store: (shopDomain: string) => `store:${shopDomain}`,
  syncRun: (shopDomain: string, startedAtIso: string, seq: number) => `store:${shopDomain}:sync:${startedAtIso.slice(0, 16)}Z:${seq}`,
  connectionKeepAliveSchedule: () => 'fleet:qbo-connection-keepalive',
  /** The store's nightly audit schedule (services/stores/audit-schedule.ts), from its store id. */
  auditSchedule: (storeId: string) => `audit:${storeId}`,
  /** The audit runs the schedule starts (Temporal appends the scheduled time to this id). */
  audit: (shopDomain: string) => `store:${shopDomain}:audit`,
  /** The store's inventory schedule (services/stores/inventory-schedule.ts), from its shop. */
  inventorySchedule: (shopDomain: string) => `inventory:${shopDomain}`,
  /** Inventory runs: the schedule's (Temporal appends the scheduled time) and the API's (with a suffix of their own). */
  inventory: (shopDomain: string) => `store:${shopDomain}:inventory`,
  /** An undo (workflows/undo.ts): its id is a hash of the request, so the same request starts one workflow at a time. */
  undo: (shopDomain: string, undoId: string) => `store:${shopDomain}:undo:${undoId}`,
} as const;

export type InventoryMode = 'preview' | 'apply';
/** scheduled: the store's schedule; manual: POST /stores/:id/inventory/sync or GET …/preview. */
export type InventoryTrigger = 'scheduled' | 'manual';

/** One inventory run (workflows/inventory.ts): ids only. Without `mode`, the store's `inventory.mode` decides. */
export interface InventoryRunInput {
  storeId: string;
  shopDomain: string;
  trigger: InventoryTrigger;
  mode?: InventoryMode;
}

/** What a person's confirmation of a parked run answers. */
export interface InventoryConfirmation {
  runId: string;
  confirmed: true;
}

/**
 * A person confirms a run its circuit breaker parked (POST /stores/:id/inventory/runs/:runId/confirm): the run then
 * writes the diff it recorded, each change still compared-and-set against Shopify's current value. Refused (the
 * validator) when the run is not waiting for a confirmation.
 */
export const confirmInventoryRunUpdate = defineUpdate<InventoryConfirmation, [{ by?: string }]>('confirmInventoryRun');

/** The nightly audit's input (workflows/audit.ts): ids only. */
export interface StoreAuditInput {
  storeId: string;
  shopDomain: string;
}

/**
 * Where a payout's saga stands (workflows/payout.ts; the `LedgerlinePayoutState` search attribute and the `payouts`
 * table's `state`).
 */
export const PAYOUT_SAGA_STATES = [
  'discovered',
  'scheduled',
  'reading',
  'waiting_documents',
  'held',
  'posting',
  'watching',
  'posted',
  'compensated',
  'failed',
  'canceled',
  'empty',
] as const;
export type PayoutSagaState = (typeof PAYOUT_SAGA_STATES)[number];

/** One payout's saga: ids only (the payout itself is read from Shopify by the activities). */
export interface PayoutWorkflowInput {
  storeId: string;
  shopDomain: string;
  /** The payout's gid. */
  payoutId: string;
  legacyId: string;
  /** What an earlier run of this saga knew when it continued as new (keeps a long wait's history bounded). */
  carried?: {
    state: PayoutSagaState;
    status: string | null;
    paidObservedAt: string | null;
    documentsWaitingSince: string | null;
    assessments: number;
  };
  /** Assessments per run before the saga continues as new (default 200; tests lower it). */
  assessmentsPerRun?: number;
}

export interface PayoutSagaStatus {
  payoutId: string;
  legacyId: string;
  state: PayoutSagaState;
  /** Shopify's status as last read or signalled. */
  status: string | null;
  reason: string | null;
  depositId: string | null;
  journalEntryId: string | null;
  /** Until when the saga waits (documents, the failure watch), if it does. */
  waitingUntil: string | null;
  assessments: number;
}

/** Discovery (each sync run) tells a running payout saga the status it saw: a SCHEDULED payout's wait ends at PAID. */
export const payoutSeenSignal = defineSignal<[{ status: string }]>('payoutSeen');
/** After a fix (a mapping, an order booked, a hold looked at): read and decide again now; answers with the new state. */
export const retryPayoutUpdate = defineUpdate<PayoutSagaStatus, [{ reason?: string }]>('retryPayout');
export const payoutStatusQuery = defineQuery<PayoutSagaStatus>('payoutStatus');

/** A payout's saga id, from its business key: one per shop and payout, whoever starts it. */
export function payoutWorkflowId(shopDomain: string, legacyId: string): string {
  return `store:${shopDomain}:payout:${legacyId}`;
}
