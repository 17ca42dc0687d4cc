import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { AuditSummary } from '../domain/audit';
import type { AuditActivities } from './contracts';
import type { StoreAuditInput } from './definitions';
import { auditStep, bookkeeping } from './options';

const book = proxyActivities<AuditActivities>(bookkeeping);
const read = proxyActivities<AuditActivities>(auditStep);

/**
 * Started nightly by the store's Temporal Schedule `audit:<store id>` (services/stores/audit-schedule.ts; paused
 * while the store is paused), one run per night, never two at once (overlap SKIP). Re-reads what Ledgerline booked
 * in QBO: every document QBO's change data capture names since the last audit, then the next slice of a rolling
 * sample of the rest, each checked against its Shopify source with the sync's own checks (domain/audit). What is
 * deleted, voided, edited by a person or no longer agrees is recorded as a finding for the store's status and
 * attention list. Guarantees: it writes nothing to QBO; the cursor moves only when the audit finishes, so a failed
 * audit's changes are read again by the next. Ends with the audit's summary.
 */
export async function storeAuditWorkflow(input: StoreAuditInput): Promise<AuditSummary> {
  const plan = await book.auditBegin({ storeId: input.storeId, auditId: workflowInfo().workflowId });
  if (plan.blocked) return book.auditFinish({ storeId: input.storeId, plan, changed: null, sample: null });
  const changed = await read.auditChangedDocuments({ storeId: input.storeId, changedSince: plan.changedSince });
  const sample = await read.auditSampleDocuments({ storeId: input.storeId, after: plan.sampleAfter, limit: plan.sampleSize });
  return book.auditFinish({ storeId: input.storeId, plan, changed, sample });
}
