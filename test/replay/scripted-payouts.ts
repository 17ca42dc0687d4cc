/**
 * Deterministic payout activities for recording the payout saga's histories (scripts/record-histories.ts), typed
 * by the real contract (PayoutActivities). Each scripted payout answers its assessments in order from a list the
 * recorder sets; waiting times are given as milliseconds after the workflow's own `now` (the assessment's input),
 * so a saga that waits hours in production waits seconds here, through the same `until` it would get. A payout
 * the recorder did not script, and discovery of a store it did not script, behave as idlePayoutActivities
 * (test/support/payout-activities.ts), so the store scenarios record what they recorded before.
 */
import { InvalidInputError } from '../../domain/errors';
import type { PayoutActivities, PayoutAssessment, PayoutDiscovery, PayoutPostResult, PayoutStep } from '../../workflows/contracts';
import { idlePayoutActivities } from '../support/payout-activities';

/** One assessment as the recorder scripts it; `inMs` becomes the step's `until` (the workflow's `now` + inMs). */
export interface ScriptedAssessment {
  status: string | null;
  action: PayoutStep['action'];
  reason: string;
  inMs?: number;
  orderIds?: string[];
  outcome?: PayoutStep['outcome'];
}

/** What one payoutPost answers: a Deposit, a hold (nothing written), or a failure for good part-way (thrown). */
export type ScriptedPost = 'ok' | { held: string } | { fails: string };

export type DiscoverAnswer = PayoutDiscovery | { fails: string };

export interface PayoutScript {
  /** The payout's assessments, answered one per payoutAssess call in order; a call past the end fails the saga. */
  assessments(payoutId: string, list: ScriptedAssessment[]): void;
  /** What the payout's next payoutPost calls answer, in order (then 'ok'). */
  posts(payoutId: string, list: ScriptedPost[]): void;
  /**
   * What the store's next payoutsDiscover calls do, in order: run `act` (the recorder starts or signals sagas
   * through the real client there, as discovery does) and answer its result, or fail for good.
   */
  discoveries(storeId: string, list: Array<() => Promise<DiscoverAnswer>>): void;
}

/** Every payout call, in order (`<activity> <payout or store> …`), for the recorder's checks. */
export interface PayoutCalls {
  calls: string[];
}

/** The scripted assessments of the usual steps. */
export const step = {
  waitPaid: (): ScriptedAssessment => ({ status: 'SCHEDULED', action: 'wait_paid', reason: 'Payout is SCHEDULED; waiting for PAID' }),
  waitDocuments: (orderIds: string[], inMs: number): ScriptedAssessment => ({
    status: 'PAID',
    action: 'wait_documents',
    reason: `Waiting for the documents of ${orderIds.length} order(s)`,
    orderIds,
    inMs,
  }),
  hold: (reason: string): ScriptedAssessment => ({ status: 'PAID', action: 'hold', reason }),
  post: (): ScriptedAssessment => ({ status: 'PAID', action: 'post', reason: 'Every document is booked; posting' }),
  watch: (inMs: number): ScriptedAssessment => ({ status: 'PAID', action: 'watch', reason: 'Posted; watching for a late failure', inMs }),
  compensate: (status: 'FAILED' | 'CANCELED'): ScriptedAssessment => ({
    status,
    action: 'compensate',
    reason: `Payout turned ${status} after it was posted; its Deposit is removed`,
  }),
  done: (outcome: NonNullable<PayoutStep['outcome']>): ScriptedAssessment => ({
    status: 'PAID',
    action: 'done',
    reason: `Payout ${outcome}`,
    outcome,
  }),
};

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

export function scriptedPayoutActivities(): { activities: PayoutActivities; script: PayoutScript; record: PayoutCalls } {
  const idle = idlePayoutActivities();
  const assessments = new Map<string, ScriptedAssessment[]>();
  const posts = new Map<string, ScriptedPost[]>();
  const discoveries = new Map<string, Array<() => Promise<DiscoverAnswer>>>();
  /** What each payout has in QBO now (payoutPost writes it, payoutRemove removes it), as the ledger would say. */
  const posted = new Map<string, NonNullable<PayoutAssessment['posted']>>();
  const record: PayoutCalls = { calls: [] };

  const activities: PayoutActivities = {
    async payoutsDiscover(input) {
      const next = discoveries.get(input.storeId)?.shift();
      if (!next) return idle.payoutsDiscover(input);
      const answer = await next();
      record.calls.push(`discover ${input.storeId}${'fails' in answer ? ' fails' : ''}`);
      if ('fails' in answer) throw new InvalidInputError(answer.fails);
      return answer;
    },
    async payoutAssess(input): Promise<PayoutAssessment> {
      const list = assessments.get(input.payoutId);
      if (!list) return idle.payoutAssess(input);
      const next = list.shift();
      if (!next) throw new InvalidInputError(`payout ${input.payoutId} was assessed more often than scripted`);
      record.calls.push(`assess ${input.payoutId} ${next.action}`);
      const waitingSince = next.action === 'wait_documents' ? (input.documentsWaitingSince ?? input.now) : undefined;
      return {
        status: next.status,
        step: {
          action: next.action,
          reason: next.reason,
          ...(next.inMs !== undefined ? { until: plus(input.now, next.inMs) } : {}),
          ...(waitingSince ? { waitingSince } : {}),
          ...(next.outcome ? { outcome: next.outcome } : {}),
        },
        posted: posted.get(input.payoutId) ?? null,
        orderIds: next.orderIds ?? [],
      };
    },
    async payoutRequestDocuments(input) {
      record.calls.push(`request-documents ${input.storeId} ${input.orderIds.join(',')}`);
    },
    async payoutPost(input): Promise<PayoutPostResult> {
      if (!assessments.has(input.payoutId)) return idle.payoutPost(input);
      const next = posts.get(input.payoutId)?.shift() ?? 'ok';
      const legacy = input.payoutId.split('/').pop();
      if (next === 'ok') {
        const written = { depositId: `deposit-${legacy}`, journalEntryId: null };
        posted.set(input.payoutId, written);
        record.calls.push(`post ${input.payoutId} ok`);
        return { ok: true, ...written, needsAttention: false };
      }
      if ('held' in next) {
        record.calls.push(`post ${input.payoutId} held`);
        return { ok: false, held: next.held };
      }
      record.calls.push(`post ${input.payoutId} fails`);
      // Part of it was written before the failure: the saga's compensation must remove it.
      posted.set(input.payoutId, { depositId: `deposit-${legacy}`, journalEntryId: null });
      throw new InvalidInputError(next.fails);
    },
    async payoutRemove(input) {
      if (!assessments.has(input.payoutId)) return idle.payoutRemove(input);
      posted.delete(input.payoutId);
      record.calls.push(`remove ${input.payoutId} ${input.state}`);
    },
    async payoutRecord(input) {
      if (!assessments.has(input.payoutId)) return idle.payoutRecord(input);
      record.calls.push(`record ${input.payoutId} ${input.state}`);
    },
  };

  return {
    activities,
    record,
    script: {
      assessments: (payoutId, list) => void assessments.set(payoutId, [...list]),
      posts: (payoutId, list) => void posts.set(payoutId, [...list]),
      discoveries: (storeId, list) => void discoveries.set(storeId, [...list]),
    },
  };
}
