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

export interface StoreWorkflowInput {
  storeId: string;
  shopDomain: string;
  intervalMinutes: number;
  /** Carried across continue-as-new. */
  carried?: StoreCarriedState;
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
/** Webhook nudge: a sync soon, coalesced with anything already queued; no answer. */
export const nudgeSignal = defineSignal<[{ reason: string }]>('nudge');
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
} as const;

/** The nightly audit's input (workflows/audit.ts): ids only. */
export interface StoreAuditInput {
  storeId: string;
  shopDomain: string;
}
