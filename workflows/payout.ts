import {
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PayoutActivities, PayoutAssessment, PayoutPostResult, PayoutStep } from './contracts';
import {
  type PayoutSagaState,
  type PayoutSagaStatus,
  type PayoutWorkflowInput,
  payoutSeenSignal,
  payoutStatusQuery,
  retryPayoutUpdate,
} from './definitions';
import { readableError } from './failures';
import { bookkeeping, payoutStep } from './options';
import { PAYOUT_STATE_SEARCH_ATTRIBUTE } from './search-attributes';

const steps = proxyActivities<PayoutActivities>(payoutStep);
const book = proxyActivities<PayoutActivities>(bookkeeping);

const HOUR_MS = 3_600_000;
/** Assessments a run makes before it continues as new: about 10 history events each, well under Temporal's limits. */
const ASSESSMENTS_PER_RUN = 200;
/** A SCHEDULED payout's status is re-read this often when no discovery tells it (a paused store's sync). */
const PAID_POLL_MS = 6 * HOUR_MS;
/** While it waits for documents the saga looks again this often (the store's sync books them meanwhile). */
const DOCUMENTS_POLL_MS = HOUR_MS;
/** A posted payout's status is re-read at least this often during the failure watch. */
const WATCH_POLL_MS = 24 * HOUR_MS;

const msUntil = (iso: string | undefined, cap: number): number => {
  if (!iso) return cap;
  return Math.max(1_000, Math.min(cap, Date.parse(iso) - Date.now()));
};

/**
 * One Shopify Payments payout → one QBO Deposit (docs/payouts.md), id `store:<shop>:payout:<legacy id>`, started by
 * discovery (activities/payouts discover: signal-with-start, so a second discovery reaches the running saga) or by
 * `POST /stores/:id/payouts/:payoutId/retry`. A loop of "assess, act, wait": the assessment (an activity) reads
 * Shopify and the ledger and returns the pure decision (domain/payouts decidePayout); the workflow only waits
 * durably and acts. Every write is exactly-once through the ledger and QBO's DocNumber, so a retried step, a reset
 * or a re-run in the Temporal UI never makes a second Deposit. A post that fails half-way is compensated (whatever
 * it wrote is removed) and the payout held, never left half-posted.
 */
export async function payoutWorkflow(input: PayoutWorkflowInput): Promise<PayoutSagaStatus> {
  const { storeId, payoutId, legacyId, carried } = input;
  const { workflowId } = workflowInfo();
  let state: PayoutSagaState = carried?.state ?? 'discovered';
  let status: string | null = carried?.status ?? null;
  let reason: string | null = null;
  let posted: PayoutAssessment['posted'] = null;
  let waitingUntil: string | null = null;
  let paidObservedAt: string | null = carried?.paidObservedAt ?? null;
  let documentsWaitingSince: string | null = carried?.documentsWaitingSince ?? null;
  let assessments = carried?.assessments ?? 0;
  const firstAssessment = assessments;
  const assessmentsPerRun = input.assessmentsPerRun ?? ASSESSMENTS_PER_RUN;
  let assessing = false;
  let seenStatus: string | null = null;
  let retryRequested = false;
  let done = false;

  const indexed = workflowInfo().typedSearchAttributes.get(PAYOUT_STATE_SEARCH_ATTRIBUTE) !== undefined;
  const setState = (next: PayoutSagaState) => {
    if (next === state) return;
    state = next;
    if (indexed) upsertSearchAttributes([{ key: PAYOUT_STATE_SEARCH_ATTRIBUTE, value: next }]);
  };
  const snapshot = (): PayoutSagaStatus => ({
    payoutId,
    legacyId,
    state,
    status,
    reason,
    depositId: posted?.depositId ?? null,
    journalEntryId: posted?.journalEntryId ?? null,
    waitingUntil,
    assessments,
  });

  setHandler(payoutSeenSignal, ({ status: seen }) => {
    seenStatus = seen;
  });
  setHandler(payoutStatusQuery, snapshot);
  setHandler(retryPayoutUpdate, async () => {
    retryRequested = true;
    // Answers once the saga has read and decided again (or ended) with an assessment that started after this
    // request: one already under way read its data before the fix.
    const target = assessments + (assessing ? 2 : 1);
    await condition(() => assessments >= target || done);
    return snapshot();
  });

  const now = () => new Date().toISOString();
  /** Waits until `ms` passed, a retry was asked for, or discovery saw a status other than `unless`. */
  const wait = async (ms: number, unless: string | null) => {
    await condition(() => retryRequested || (seenStatus !== null && seenStatus !== unless), ms);
  };
  /** A held payout waits for a person: `POST /stores/:id/payouts/:payoutId/retry` after the fix. */
  const waitForRetry = async () => {
    await condition(() => retryRequested);
  };

  for (;;) {
    // A saga can wait weeks (SCHEDULED, documents, a held payout retried many times): past a budget of assessments,
    // or when the server suggests it, this run hands over to a fresh one with what it knows. Only between
    // assessments and with no retry request in flight (its caller waits for an assessment of this run); the next
    // run's first assessment re-reads Shopify, so a status signalled just now is not lost.
    if (
      (workflowInfo().continueAsNewSuggested || assessments - firstAssessment >= assessmentsPerRun) &&
      allHandlersFinished() &&
      !retryRequested &&
      patched('payout-continue-as-new')
    ) {
      await continueAsNew<typeof payoutWorkflow>({
        ...input,
        carried: { state, status, paidObservedAt, documentsWaitingSince, assessments },
      });
    }
    // What arrives from here on (a retry, a status discovery saw) is news to the assessment after this one.
    retryRequested = false;
    seenStatus = null;
    assessing = true;
    const assessment: PayoutAssessment = await steps.payoutAssess({
      storeId,
      payoutId,
      legacyId,
      workflowId,
      now: now(),
      paidObservedAt,
      documentsWaitingSince,
    });
    assessments += 1;
    assessing = false;
    const step: PayoutStep = assessment.step;
    // The saga saw the payout SCHEDULED before and PAID now: the failure watch runs from here.
    if (assessment.status === 'PAID' && (status === 'SCHEDULED' || status === 'IN_TRANSIT') && !paidObservedAt) paidObservedAt = now();
    status = assessment.status;
    posted = assessment.posted;
    reason = step.reason;
    waitingUntil = step.until ?? null;

    switch (step.action) {
      case 'wait_paid':
        setState('scheduled');
        await wait(PAID_POLL_MS, status);
        continue;
      case 'read':
        // The assessment reads everything it needs when the payout is paid; a 'read' answer means the payout
        // turned PAID between its two reads. Assess again at once.
        setState('reading');
        continue;
      case 'hold':
        setState('held');
        await waitForRetry();
        continue;
      case 'wait_documents': {
        setState('waiting_documents');
        documentsWaitingSince = step.waitingSince ?? documentsWaitingSince ?? now();
        if (assessment.orderIds.length > 0) {
          await book.payoutRequestDocuments({
            storeId,
            orderIds: assessment.orderIds,
            reason: `payout ${legacyId} waits for their documents`,
          });
        }
        await wait(msUntil(step.until, DOCUMENTS_POLL_MS), 'PAID');
        continue;
      }
      case 'post': {
        setState('posting');
        let result: PayoutPostResult;
        try {
          result = await steps.payoutPost({ storeId, payoutId, now: now() });
        } catch (err) {
          // The post failed for good part-way: remove whatever it wrote, then hold the payout with the reason.
          const why = `Posting failed and was undone: ${readableError(err)}`;
          log.warn('payout post failed; compensating', { payoutId, error: readableError(err) });
          await CancellationScope.nonCancellable(() => book.payoutRemove({ storeId, payoutId, reason: why, state: 'held', now: now() }));
          reason = why;
          posted = null;
          setState('held');
          await waitForRetry();
          continue;
        }
        if (!result.ok) {
          reason = result.held;
          setState('held');
          await waitForRetry();
          continue;
        }
        posted = { depositId: result.depositId, journalEntryId: result.journalEntryId };
        setState('watching');
        continue;
      }
      case 'watch':
        setState('watching');
        await wait(msUntil(step.until, WATCH_POLL_MS), 'PAID');
        continue;
      case 'compensate':
        await CancellationScope.nonCancellable(() =>
          book.payoutRemove({ storeId, payoutId, reason: step.reason, state: 'compensated', now: now() }),
        );
        posted = null;
        setState('compensated');
        break;
      case 'done':
        setState(step.outcome ?? 'posted');
        break;
    }
    break;
  }
  done = true;
  await book.payoutRecord({ storeId, payoutId, state, reason: reason ?? state, now: now() });
  await condition(allHandlersFinished);
  return snapshot();
}
