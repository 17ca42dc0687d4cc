/**
 * Audit activity doubles (workflows/audit.ts), typed by the real contract: deterministic answers that follow from
 * the input and a per-store script, for the workflow tests on the time-skipping server and the replay recorder.
 * The real activities are tested with the emulators (test/activities/audit.test.ts).
 */
import type { AuditSummary, FindingKind } from '../../domain/audit';
import { TransientUpstreamError } from '../../domain/errors';
import type { AuditActivities, AuditPlan } from '../../workflows/contracts';

export interface AuditScript {
  /** The store is not audited (paused, disconnected, gone): auditBegin says so. */
  block(storeId: string, reason: string): void;
  /** The store's next change-data-capture step fails this many times before answering (retried by Temporal). */
  failChanged(storeId: string, times: number): void;
  /** Findings the next steps report for the store. */
  find(storeId: string, byKind: Partial<Record<FindingKind, number>>): void;
}

export interface AuditRecord {
  calls: string[];
  /** Each store's cursors as auditFinish left them. */
  cursors: Map<string, { changedSince: string | null; sampleAfter: string | null }>;
}

export function scriptedAuditActivities(): { activities: AuditActivities; script: AuditScript; record: AuditRecord } {
  const blocked = new Map<string, string>();
  const failures = new Map<string, number>();
  const found = new Map<string, Partial<Record<FindingKind, number>>>();
  const record: AuditRecord = { calls: [], cursors: new Map() };
  let sampleSeq = 0;
  const sum = (k: Partial<Record<FindingKind, number>>) => Object.values(k).reduce((a, b) => a + (b ?? 0), 0);

  const activities: AuditActivities = {
    async auditBegin({ storeId, auditId }): Promise<AuditPlan> {
      record.calls.push(`begin ${storeId}`);
      const cursor = record.cursors.get(storeId);
      const reason = blocked.get(storeId);
      return {
        auditId,
        startedAt: new Date().toISOString(),
        changedSince: cursor?.changedSince ?? new Date(Date.now() - 86_400_000).toISOString(),
        clipped: false,
        sampleAfter: cursor?.sampleAfter ?? null,
        sampleSize: 2,
        ...(reason ? { blocked: reason } : {}),
      };
    },
    async auditChangedDocuments({ storeId, changedSince }) {
      const left = failures.get(storeId) ?? 0;
      if (left > 0) {
        failures.set(storeId, left - 1);
        throw new TransientUpstreamError('QBO answered HTTP 503 (scripted)');
      }
      record.calls.push(`changed ${storeId} since ${changedSince}`);
      const byKind = found.get(storeId) ?? {};
      return { checked: 3, found: sum(byKind), resolved: 0, byKind, notes: [], changed: 5, until: new Date().toISOString() };
    },
    async auditSampleDocuments({ storeId, after, limit }) {
      record.calls.push(`sample ${storeId} after ${after ?? '-'} limit ${limit}`);
      return {
        checked: limit,
        found: 0,
        resolved: 1,
        byKind: {},
        notes: [],
        sampled: limit,
        nextAfter: `order:gid://shopify/Order/${++sampleSeq} sale`,
      };
    },
    async auditFinish({ storeId, plan, changed, sample }): Promise<AuditSummary> {
      record.calls.push(`finish ${storeId}${plan.blocked ? ` blocked: ${plan.blocked}` : ''}`);
      if (!plan.blocked) record.cursors.set(storeId, { changedSince: changed?.until ?? null, sampleAfter: sample?.nextAfter ?? null });
      const byKind = { ...(changed?.byKind ?? {}) };
      return {
        auditId: plan.auditId,
        startedAt: plan.startedAt,
        finishedAt: new Date().toISOString(),
        changedSince: plan.blocked ? null : plan.changedSince,
        clipped: plan.clipped,
        changed: changed?.changed ?? 0,
        sampled: sample?.sampled ?? 0,
        checked: (changed?.checked ?? 0) + (sample?.checked ?? 0),
        found: (changed?.found ?? 0) + (sample?.found ?? 0),
        resolved: (changed?.resolved ?? 0) + (sample?.resolved ?? 0),
        byKind,
        notes: [],
        ...(plan.blocked ? { blocked: plan.blocked } : {}),
      };
    },
  };
  return {
    activities,
    record,
    script: {
      block: (storeId, reason) => blocked.set(storeId, reason),
      failChanged: (storeId, times) => failures.set(storeId, times),
      find: (storeId, byKind) => found.set(storeId, byKind),
    },
  };
}
