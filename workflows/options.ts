/**
 * Activity option profiles, each number with its reason (docs/conventions.md "Timeouts and retries", after Nango). Retries are
 * Temporal's job: clients never loop. Non-retryable failures come from domain errors
 * (QboValidationError parks inside the activity and never fails it; QboConnectionRevokedError does).
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

const nonRetryableErrorTypes = ['QboConnectionRevokedError', 'ShopifyAuthError', 'ConfigurationError', 'StoreNotFoundError'];

/** Short DB-only steps. */
export const bookkeeping: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes },
};

/**
 * The same short DB-only steps as local activities (a sync run's begin and finish: workflows/sync-run.ts). Retries
 * wait at most 30 s, under localRetryThreshold (1 minute by default), so the worker retries them itself and keeps the
 * workflow task alive meanwhile (workflow task heartbeats); a database outage past the hour fails the run, and the
 * store's next run reads the same window again.
 */
export const bookkeepingLocal: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes },
};

/**
 * One page or chunk of orders: fetch from Shopify, write to QBO (≤ 30 per batch under the realm's
 * limits), record. Waiting for the realm's rate window can take most of a minute, so the attempt may
 * run long; the activity heartbeats every few seconds while alive (activities/sync/index.ts), so a
 * killed worker's attempt is retried elsewhere within the heartbeat timeout.
 */
export const syncPage: ActivityOptions = {
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  // A persistent failure (a bug, a database constraint) ends the run visibly after a while instead of
  // retrying forever; the next run re-reads the same window (the cursor has not moved).
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', nonRetryableErrorTypes },
};

/** Polls a Shopify bulk operation: each attempt checks once; "not finished yet" is a retryable failure. */
export const bulkPoll: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '10 days', // Shopify's bulk operation lifetime (docs/shopify-facts.md §2)
  // Small operations finish in seconds, a year of orders in minutes: check soon, then every ≤ 20 s.
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 1.25,
    maximumInterval: '20 seconds',
    nonRetryableErrorTypes: [...nonRetryableErrorTypes, 'BulkOperationFailedError'],
  },
};

/** Token refresh for one store; a revoked grant is final. */
export const keepAlive: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5, nonRetryableErrorTypes },
};

/**
 * One step of the nightly audit (workflows/audit.ts): change data capture or the sample, each document read from
 * QBO and its source from Shopify under both APIs' pacing. Heartbeats like a sync page; a persistent failure ends
 * the audit after a while and tomorrow's reads the same changes again (the cursor moves only in auditFinish).
 */
export const auditStep: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  scheduleToCloseTimeout: '4 hours',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes },
};

/**
 * One payout saga step (workflows/payout.ts): a few Shopify reads and, to post, a handful of QBO calls under the
 * realm's limits. Heartbeats like a sync page. A persistent failure ends the step after a while; the saga then
 * compensates (removes what it posted) and holds the payout, visibly, instead of retrying for ever.
 */
export const payoutStep: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  scheduleToCloseTimeout: '2 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', nonRetryableErrorTypes },
};

/**
 * One inventory step (workflows/inventory.ts): a full read of QBO's items and Shopify's levels under both APIs'
 * pacing (10,000 items is some 70 Shopify pages and 10 QBO pages), or the writes in batches of 250. Heartbeats like a
 * sync page; a persistent failure ends the run after a while and the next scheduled run reads everything again.
 */
export const inventoryStep: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  scheduleToCloseTimeout: '2 hours',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes },
};

/**
 * The undo (workflows/undo.ts): one QBO read and one delete per document under the realm's limits, behind the store's
 * write lease (a running sync holds it: StoreBusyError, retried until the sync is done). Heartbeats like a sync page.
 */
export const undoStep: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes },
};
