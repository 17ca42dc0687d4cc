/**
 * The deterministic names of a payout's QBO documents, which make its write exactly-once (invariant 1): the
 * DocNumber a lost create is found by, the PrivateNote marker that proves a found document is this payout's,
 * and the QBO requestid of each write.
 */
import { InvalidInputError } from '../errors';
import { stableHashBase36, stableHashHex } from '../hash';
import { QBO_DOC_NUMBER_MAX, QBO_PRIVATE_NOTE_MAX } from '../mapping/names';
import type { Payout } from './types';

/**
 * `SP<payout legacy id>`. DocNumber holds at most 21 characters (docs/qbo-facts.md §4); a payout id is a
 * 64-bit integer, at most 19 digits, so `SP` + 19 always fits. A longer id (never seen) keeps its last digits and
 * a hash of the whole id, so two payouts never share a number.
 */
export function payoutDocNumber(legacyId: string): string {
  if (!/^\d+$/.test(legacyId)) throw new InvalidInputError(`A payout legacy id is a number, got ${JSON.stringify(legacyId)}`);
  const full = `SP${legacyId}`;
  if (full.length <= QBO_DOC_NUMBER_MAX) return full;
  const suffix = `-${stableHashBase36(legacyId, 6)}`;
  return `SP${legacyId.slice(-(QBO_DOC_NUMBER_MAX - 2 - suffix.length))}${suffix}`;
}

/** The text a search of PrivateNote looks for; brackets keep …/12 from matching …/123. */
export function payoutNoteMarker(payoutGid: string): string {
  return `[${payoutGid}]`;
}

export function payoutPrivateNote(payout: Payout, extra?: string): string {
  const trace = payout.externalTraceId ? ` trace ${payout.externalTraceId}` : '';
  const note = `Shopify payout ${payout.legacyResourceId} ${payoutNoteMarker(payout.id)}${trace} - booked by Ledgerline${extra ? `. ${extra}` : ''}`;
  return Array.from(note).slice(0, QBO_PRIVATE_NOTE_MAX).join('');
}

/** Is `doc` (a Deposit or JournalEntry read from QBO) one Ledgerline wrote for this payout? */
export function isPayoutDocument(doc: Record<string, unknown>, payoutGid: string): boolean {
  return typeof doc.PrivateNote === 'string' && doc.PrivateNote.includes(payoutNoteMarker(payoutGid));
}

/**
 * The QBO requestid (docs/qbo-facts.md §2) for one write of a payout's document: the same body retried gets
 * QBO's first answer back; `attempt` varies it after a fault, which QBO would otherwise replay. 36 characters.
 */
export function payoutRequestId(payoutGid: string, role: 'deposit' | 'journal', body: unknown, attempt?: number): string {
  const content = `${JSON.stringify(body)}${attempt === undefined ? '' : `|attempt ${attempt}`}`;
  return `ll-${stableHashHex(`${payoutGid}|${role}`)}-${stableHashHex(content)}`;
}
