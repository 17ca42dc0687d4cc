/**
 * Invariant 4 held against what QBO actually booked, after the write (docs/payouts.md "Writing exactly once"):
 * the Deposit read back totals the payout's net (0 for a negative payout, whose JournalEntry takes |net| out of
 * the bank), into the bank account, with the lines the plan sent. A mismatch must not stay in the books: the
 * saga deletes what it wrote and holds the payout.
 */
import { asText } from '../collections';
import { fromQboAmount, toDecimalString, type Money } from '../money';
import { expectedDepositTotal, signedPayoutNet } from './arithmetic';
import { JOURNAL_ENTRY_PENDING } from './journal';
import type { DepositPlan } from './report';
import type { Payout } from './types';

type Entity = Record<string, unknown>;

export type ReadBackVerdict = { ok: true; total: Money } | { ok: false; problems: string[]; reason: string };

function amountOf(value: unknown, currency: string): Money | null {
  if (typeof value !== 'number') return null;
  try {
    return fromQboAmount(value, currency);
  } catch {
    return null;
  }
}

const refValue = (ref: unknown): string => asText((ref as Entity | undefined)?.value);

function verdict(problems: string[], total: Money, what: string): ReadBackVerdict {
  if (problems.length === 0) return { ok: true, total };
  return { ok: false, problems, reason: `QBO booked ${what} differently than planned (${problems.join('; ')})` };
}

/** A line's identity: its link (type and id) or its account, with its amount in minor units. */
function lineKeys(lines: unknown, currency: string, journalEntryId: string | null): string[] {
  if (!Array.isArray(lines)) return [];
  return lines
    .map((line: Entity) => {
      const amount = amountOf(line.Amount, currency)?.minor ?? 'none';
      const link = Array.isArray(line.LinkedTxn) ? (line.LinkedTxn[0] as Entity | undefined) : undefined;
      if (link) {
        const id = asText(link.TxnId) === JOURNAL_ENTRY_PENDING && journalEntryId ? journalEntryId : asText(link.TxnId);
        return `${asText(link.TxnType)}:${id}=${amount}`;
      }
      const detail = line.DepositLineDetail as Entity | undefined;
      return `account:${refValue(detail?.AccountRef)}=${amount}`;
    })
    .sort();
}

/** The keys of `a` not matched one for one in `b`. */
function without(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const k of b) left.set(k, (left.get(k) ?? 0) + 1);
  return a.filter((k) => {
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    return n === 0;
  });
}

/**
 * The Deposit QBO returned (or a read of it) against the payout and, when given, the plan that was sent:
 * TotalAmt, the bank account, the DocNumber and the lines (compared as a multiset: QBO numbers lines itself).
 */
export function checkDepositReadBack(
  deposit: Entity,
  payout: Payout,
  plan?: DepositPlan,
  journalEntryId: string | null = null,
): ReadBackVerdict {
  const expected = expectedDepositTotal(payout);
  const currency = expected.currency;
  const total = amountOf(deposit.TotalAmt, currency);
  const problems: string[] = [];
  if (!total || total.minor !== expected.minor) {
    problems.push(`total: QBO ${total ? toDecimalString(total) : 'none'}, the payout ${toDecimalString(expected)}`);
  }
  if (plan) {
    const bank = plan.deposit.DepositToAccountRef.value;
    if (refValue(deposit.DepositToAccountRef) !== bank)
      problems.push(`account: QBO ${refValue(deposit.DepositToAccountRef) || 'none'}, planned ${bank}`);
    if (asText(deposit.DocNumber) !== plan.deposit.DocNumber)
      problems.push(`DocNumber: QBO ${asText(deposit.DocNumber) || 'none'}, planned ${plan.deposit.DocNumber}`);
    const got = lineKeys(deposit.Line, currency, journalEntryId);
    const want = lineKeys(plan.deposit.Line, currency, journalEntryId);
    const missing = without(want, got);
    const extra = without(got, want);
    if (missing.length > 0) problems.push(`lines missing: ${missing.join(', ')}`);
    if (extra.length > 0) problems.push(`lines not planned: ${extra.join(', ')}`);
  }
  return verdict(problems, total ?? expected, 'the Deposit');
}

/**
 * A negative payout's JournalEntry read back: |net| debited to the payments clearing account and credited to
 * the bank, so the bank moves by exactly the payout's net.
 */
export function checkJournalReadBack(journal: Entity, payout: Payout, plan: DepositPlan): ReadBackVerdict {
  const net = signedPayoutNet(payout);
  const currency = net.currency;
  const abs = { currency, minor: Math.abs(net.minor) };
  const problems: string[] = [];
  const planned = plan.journalEntry;
  if (!planned) return { ok: false, problems: ['no JournalEntry was planned'], reason: 'no JournalEntry was planned for this payout' };
  const lines = Array.isArray(journal.Line) ? (journal.Line as Entity[]) : [];
  const posted = (type: 'Debit' | 'Credit'): Map<string, number> => {
    const out = new Map<string, number>();
    for (const line of lines) {
      const detail = line.JournalEntryLineDetail as Entity | undefined;
      if (detail?.PostingType !== type) continue;
      const account = refValue(detail.AccountRef);
      out.set(account, (out.get(account) ?? 0) + (amountOf(line.Amount, currency)?.minor ?? 0));
    }
    return out;
  };
  const debits = posted('Debit');
  const credits = posted('Credit');
  const clearing = planned.Line[0].JournalEntryLineDetail.AccountRef.value;
  const bank = planned.Line[1].JournalEntryLineDetail.AccountRef.value;
  if (debits.get(clearing) !== abs.minor || debits.size !== 1)
    problems.push(`debits: expected ${toDecimalString(abs)} to account ${clearing} only`);
  if (credits.get(bank) !== abs.minor || credits.size !== 1)
    problems.push(`credits: expected ${toDecimalString(abs)} to the bank account ${bank} only`);
  return verdict(problems, abs, 'the JournalEntry');
}
