/**
 * The payout saga's decision table (docs/payouts.md "States"): given what the saga knows about one payout
 * now, what it does next. Pure and deterministic (times are ISO strings the workflow passes in), so the
 * workflow stays a loop of "decide, act, wait" and every row of the table has a test.
 */
import type { PayoutSettings } from '../settings';
import type { PayoutArithmetic } from './arithmetic';
import type { PayoutBlocker } from './documents';
import type { Payout } from './types';

const DAY_MS = 86_400_000;

/** What the saga has written for the payout (its ledger row). */
export interface PostedPayout {
  depositId: string;
  /** The JournalEntry of a negative payout (docs/payouts.md). */
  journalEntryId?: string | null;
  postedAt: string;
}

export interface PayoutSituation {
  payout: Payout;
  /** The workflow's clock (workflow `Date.now()` as ISO). */
  now: string;
  posted: PostedPayout | null;
  /**
   * When the saga itself saw the payout turn PAID (it polled SCHEDULED before); null when it found the payout
   * already PAID, in which case the failure watch runs from `issuedAt`.
   */
  paidObservedAt: string | null;
  /** When the saga started waiting for missing documents; null before it has had to wait. */
  documentsWaitingSince: string | null;
  /** checkPayoutArithmetic of the payout's rows; null while they are not read yet. */
  arithmetic: PayoutArithmetic | null;
  /** payoutBlockers of the payout's rows; null while they are not resolved yet. */
  blockers: readonly PayoutBlocker[] | null;
  settings: Pick<PayoutSettings, 'documentGraceDays' | 'failureWatchDays'>;
}

export type PayoutDecision =
  /** SCHEDULED (or the deprecated IN_TRANSIT): poll until PAID, FAILED or CANCELED. */
  | { action: 'wait_paid'; reason: string }
  /** PAID, not posted, rows or documents not read yet. */
  | { action: 'read'; reason: string }
  /** Does not add up: never posted; shown with the differences until a person retries. */
  | { action: 'hold'; code: 'arithmetic_mismatch'; reason: string; differences: string[] }
  /** Some documents may still come: ask the store to sync those orders, wait until `until` at most. */
  | { action: 'wait_documents'; until: string; waitingSince: string; blockers: PayoutBlocker[]; reason: string }
  /** Build and write the Deposit; `fallback` rows go to the clearing line and flag the payout. */
  | { action: 'post'; fallback: PayoutBlocker[]; needsAttention: boolean; reason: string }
  /** Posted and PAID: keep watching for a late FAILED/CANCELED until `until`. */
  | { action: 'watch'; until: string; reason: string }
  /** Posted, then FAILED or CANCELED: delete the Deposit (and JournalEntry) and re-open the payout. */
  | { action: 'compensate'; reason: string }
  /** Nothing more to do. */
  | { action: 'done'; outcome: 'posted' | 'failed' | 'canceled' | 'empty'; reason: string };

const addDays = (iso: string, days: number): string => new Date(Date.parse(iso) + days * DAY_MS).toISOString();
const before = (a: string, b: string): boolean => Date.parse(a) < Date.parse(b);

function describe(blockers: readonly PayoutBlocker[]): string {
  const shown = blockers.slice(0, 5).map((b) => `${b.orderName ?? b.orderTransactionId ?? b.transactionId}: ${b.reason}`);
  const more = blockers.length > shown.length ? `; and ${blockers.length - shown.length} more` : '';
  return `${shown.join('; ')}${more}`;
}

/** Until when a posted, PAID payout is watched: from when it was seen turning PAID, else from its issue. */
export function failureWatchUntil(s: {
  payout: Pick<Payout, 'issuedAt'>;
  paidObservedAt: string | null;
  settings: Pick<PayoutSettings, 'failureWatchDays'>;
}): string {
  return addDays(s.paidObservedAt ?? s.payout.issuedAt, s.settings.failureWatchDays);
}

export function decidePayout(s: PayoutSituation): PayoutDecision {
  const { payout } = s;
  const name = `Payout ${payout.legacyResourceId}`;
  if (payout.status === 'FAILED' || payout.status === 'CANCELED') {
    const what = payout.status === 'FAILED' ? 'was declined by the bank' : 'was canceled by Shopify';
    if (s.posted) return { action: 'compensate', reason: `${name} ${what} after its Deposit ${s.posted.depositId} was posted` };
    return { action: 'done', outcome: payout.status === 'FAILED' ? 'failed' : 'canceled', reason: `${name} ${what}; nothing was posted` };
  }
  if (payout.status === 'SCHEDULED' || payout.status === 'IN_TRANSIT') {
    return { action: 'wait_paid', reason: `${name} is ${payout.status.toLowerCase().replace('_', ' ')}; it is posted once paid` };
  }
  // PAID
  if (s.posted) {
    const until = failureWatchUntil(s);
    if (before(s.now, until)) return { action: 'watch', until, reason: `${name} is posted; a bank can still decline it until ${until}` };
    return { action: 'done', outcome: 'posted', reason: `${name} is posted as Deposit ${s.posted.depositId}` };
  }
  if (s.arithmetic === null || s.blockers === null)
    return { action: 'read', reason: `${name} is paid; its balance transactions are read next` };
  if (!s.arithmetic.ok) {
    return {
      action: 'hold',
      code: 'arithmetic_mismatch',
      reason: `${name} does not add up, so nothing is posted: ${s.arithmetic.differences.join('; ')}`,
      differences: s.arithmetic.differences,
    };
  }
  if (s.arithmetic.rows === 0 && s.arithmetic.payoutNet.minor === 0) {
    return { action: 'done', outcome: 'empty', reason: `${name} has no balance transactions and no money: nothing to post` };
  }
  const waits = s.blockers.filter((b) => b.kind === 'waits');
  if (waits.length > 0) {
    const since = s.documentsWaitingSince ?? s.now;
    const until = addDays(since, s.settings.documentGraceDays);
    if (before(s.now, until)) {
      return {
        action: 'wait_documents',
        until,
        waitingSince: since,
        blockers: waits,
        reason: `${name} waits for ${waits.length} document${waits.length === 1 ? '' : 's'} until ${until} (${describe(waits)})`,
      };
    }
  }
  const fallback = [...s.blockers];
  if (fallback.length === 0)
    return { action: 'post', fallback, needsAttention: false, reason: `${name} is paid and every document is booked` };
  return {
    action: 'post',
    fallback,
    needsAttention: true,
    reason: `${name} is posted with ${fallback.length} charge${fallback.length === 1 ? '' : 's'} or refund${fallback.length === 1 ? '' : 's'} on the clearing line (${describe(fallback)})`,
  };
}
