/**
 * Inventory activity doubles (workflows/inventory.ts), typed by the real contract: answers that follow from a
 * per-store script, for workflow-logic tests and the replay recorder. The real activities run against both
 * emulators in test/workflows/inventory.test.ts.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { InventoryBreaker } from '../../domain/inventory';
import type { InventoryActivities, InventoryPlanned, InventoryRunStatus, InventoryRunSummary } from '../../workflows/contracts';
import type { InventoryMode } from '../../workflows/definitions';

export interface InventoryScript {
  /** The store's runs read nothing (paused, inventory off): inventoryBegin says so. */
  block(storeId: string, reason: string): void;
  /** The store's next plans trip the circuit breaker. */
  trip(storeId: string): void;
  /** The store's plans fail for good (a non-retryable failure, as a configuration error is). */
  fail(storeId: string): void;
}

export interface InventoryRecord {
  calls: string[];
  statuses: Map<string, InventoryRunStatus>;
}

const BREAKER: InventoryBreaker = {
  reasons: ['lowers_too_many'],
  compared: 4,
  lowered: 3,
  zeroed: 0,
  share: 0.75,
  maxLowerShare: 0.2,
  message: 'The run was stopped before writing: it would lower 3 of 4 items (75.0 %, more than 20.0 %). Confirm it to apply.',
};

export function scriptedInventoryActivities(): { activities: InventoryActivities; script: InventoryScript; record: InventoryRecord } {
  const blocked = new Map<string, string>();
  const tripped = new Set<string>();
  const failing = new Set<string>();
  const record: InventoryRecord = { calls: [], statuses: new Map() };
  const modes = new Map<string, InventoryMode>();
  const plans = new Map<string, InventoryPlanned>();
  const activities: InventoryActivities = {
    async inventoryBegin({ storeId, runId, mode }) {
      record.calls.push(`begin ${storeId}`);
      const chosen = mode ?? 'apply';
      modes.set(runId, chosen);
      const reason = blocked.get(storeId);
      return reason ? { runId, mode: chosen, blocked: reason } : { runId, mode: chosen };
    },
    async inventoryPlan({ storeId, runId }) {
      record.calls.push(`plan ${storeId}`);
      if (failing.has(storeId)) throw ApplicationFailure.nonRetryable('the location no longer exists (scripted)', 'ConfigurationError');
      const plan: InventoryPlanned = tripped.has(storeId)
        ? { verdict: 'needs_confirmation', counts: { raise: 1, lower: 3, unchanged: 0, skip: 1 }, breaker: BREAKER, changes: 4 }
        : { verdict: 'apply', counts: { raise: 2, lower: 0, unchanged: 3, skip: 1 }, breaker: null, changes: 2 };
      plans.set(runId, plan);
      return plan;
    },
    async inventoryApply({ storeId, runId }) {
      record.calls.push(`apply ${storeId}`);
      return { applied: plans.get(runId)?.changes ?? 0, notApplied: 0, staleRereads: 0 };
    },
    async inventoryRecord({ storeId, runId, status, confirmed }) {
      record.calls.push(`record ${storeId} ${status}${confirmed ? ' confirmed' : ''}`);
      record.statuses.set(runId, status);
    },
    async inventoryFinish({ storeId, runId, status, note }): Promise<InventoryRunSummary> {
      record.calls.push(`finish ${storeId} ${status}`);
      record.statuses.set(runId, status);
      const plan = plans.get(runId);
      return {
        runId,
        storeId,
        mode: modes.get(runId) ?? 'preview',
        trigger: 'scheduled',
        status,
        verdict: plan?.verdict ?? null,
        counts: plan?.counts ?? { raise: 0, lower: 0, unchanged: 0, skip: 0 },
        breaker: plan?.breaker ?? null,
        applied: status === 'completed' ? (plan?.changes ?? 0) : 0,
        notApplied: 0,
        note: note ?? null,
      };
    },
  };
  return {
    activities,
    record,
    script: {
      block: (storeId, reason) => blocked.set(storeId, reason),
      trip: (storeId) => tripped.add(storeId),
      fail: (storeId) => failing.add(storeId),
    },
  };
}
