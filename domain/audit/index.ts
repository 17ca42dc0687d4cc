/**
 * The nightly audit's decisions (issue #12 item 17; orchestration workflows/audit.ts, I/O activities/audit/):
 * which QBO changes to read, which documents to re-check, and what is wrong with a document Ledgerline booked,
 * judged with the very checks the sync applies when it writes (domain/sync `saleVerdict`, `refundVerdict`, and
 * the fingerprint `resolveStale` reads). Pure: the activities load, these decide, the activities record.
 *
 * The audit only reports. A finding names the difference and waits for an operator: nothing in QBO is
 * overwritten, re-created or deleted because of it (docs/sync-decisions.md "The nightly audit").
 */
import { holdsFingerprint } from '../mapping/fingerprint';
import { fromQboAmount, moneyFromMinor, toDecimalString } from '../money';
import type { ShopifyOrderCore, ShopifyRefund } from '../shopify/types';
import { REFUND_ROLE, ROLE, refundVerdict, saleVerdict } from '../sync';

type Entity = Record<string, unknown>;

/** The document types Ledgerline books from orders and refunds (docs/qbo-facts.md §4, §8). */
export const AUDITED_TYPES = ['SalesReceipt', 'Invoice', 'Payment', 'RefundReceipt', 'CreditMemo'] as const;
export type AuditedType = (typeof AUDITED_TYPES)[number];

/** QBO's change data capture looks back 30 days at most (docs/qbo-facts.md §5). */
export const CDC_LOOKBACK_MS = 30 * 86_400_000;
/** Asked a little inside the limit, so a slow clock or a slow request never crosses it. */
export const CDC_MARGIN_MS = 60 * 60_000;
/**
 * The next audit reads changes from a little before this one read them: QBO stamps LastUpdatedTime to the second
 * (docs/qbo-facts.md §5) on its own clock, so a change made in the second of the read, or under a clock skew,
 * would otherwise fall between two audits. A document seen twice is checked twice, harmlessly.
 */
export const CDC_OVERLAP_MS = 5 * 60_000;

/** Where the next audit's change data capture starts, from the instant this one read at. */
export function nextChangedSince(readAt: Date): Date {
  return new Date(Math.floor((readAt.getTime() - CDC_OVERLAP_MS) / 1000) * 1000);
}

/** Documents of the rolling sample re-checked per audit, beside the changed ones. */
export const AUDIT_SAMPLE_SIZE = 40;

export type FindingKind = 'deleted' | 'voided' | 'edited' | 'drifted';

/** A ledger row the audit checks: a document Ledgerline booked and recorded as synced. */
export interface AuditedRow {
  sourceKey: string;
  role: string;
  parentSourceKey: string | null;
  sourceName: string | null;
  qboType: string;
  qboId: string;
  qboSyncToken: string | null;
  qboDocNumber: string | null;
  qboTotalMinor: number | null;
  fingerprint: string | null;
}

export interface AuditFinding {
  sourceKey: string;
  role: string;
  qboType: string;
  qboId: string;
  kind: FindingKind;
  /** The difference in words, for the store's attention list. */
  difference: string;
  details: Record<string, unknown>;
}

/** What the audit knows of a row's Shopify source (read only for documents that need the comparison). */
export type AuditSource =
  | { kind: 'order'; order: ShopifyOrderCore }
  | { kind: 'refund'; order: ShopifyOrderCore; refund: ShopifyRefund }
  /** Shopify no longer returns it: the document is compared with what Ledgerline wrote only. */
  | { kind: 'gone' }
  /** Not read (a payment, or a document Ledgerline's own write still holds). */
  | { kind: 'unread' };

/**
 * The instant the next change-data-capture read starts from: the stored cursor, but never further back than
 * QBO answers (30 days, less a margin). `clipped` says changes between the cursor and that limit were not
 * read (an audit missed for a month): only the rolling sample covers them.
 */
export function cdcWindowStart(cursor: Date | null, now: Date): { since: Date; clipped: boolean } {
  const earliest = new Date(now.getTime() - CDC_LOOKBACK_MS + CDC_MARGIN_MS);
  if (!cursor || cursor.getTime() < earliest.getTime()) return { since: earliest, clipped: cursor !== null };
  return { since: cursor, clipped: false };
}

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

function label(row: AuditedRow): string {
  return `The ${row.qboType} ${row.qboId}${row.qboDocNumber ? ` (${row.qboDocNumber})` : ''} that Ledgerline booked for ${row.sourceName ?? row.sourceKey}`;
}

/** A document QBO answered as deleted (CDC `status: "Deleted"`), or could no longer find. */
export function isDeleted(doc: Entity | null): boolean {
  return doc === null || str(doc.status).toLowerCase() === 'deleted';
}

/**
 * A voided transaction keeps its lines with zero amounts and a zero total, and QBO writes "Voided" into its memo
 * (docs/qbo-facts.md §4 "Removing a wrong document"). Read as: the memo says so, or a document Ledgerline booked
 * with an amount now totals zero with every line at zero.
 */
export function isVoided(doc: Entity, bookedMinor: number | null): boolean {
  if (/^voided\b/i.test(str(doc.PrivateNote))) return true;
  const lines = Array.isArray(doc.Line) ? (doc.Line as Entity[]) : [];
  const allZero = lines.every((l) => Number(l.Amount ?? 0) === 0);
  return Number(doc.TotalAmt ?? NaN) === 0 && (bookedMinor ?? 0) !== 0 && allZero;
}

/**
 * Does a changed document need the full check (a Shopify read)? Not when QBO still holds Ledgerline's own last
 * write: same SyncToken, or (without one recorded) the fingerprint of what Ledgerline wrote still holds. The sync
 * checked that write against Shopify when it made it.
 */
export function needsFullCheck(row: AuditedRow, doc: Entity | null): boolean {
  if (isDeleted(doc)) return false;
  if (row.qboSyncToken !== null && str(doc!.SyncToken) === row.qboSyncToken) return false;
  return true;
}

/** The money amount of a QBO number in the source's currency, as text. */
const amount = (value: unknown, currency: string): string =>
  typeof value === 'number' ? toDecimalString(fromQboAmount(value, currency)) : 'none';

/**
 * What is wrong with one document, or null. In order: deleted, voided, edited by a person (the fields Ledgerline
 * wrote no longer hold what it wrote: `holdsFingerprint`, as the sync reads a 5010), drifted (it no longer agrees
 * with its Shopify source under the sync's own checks: invariant 2 for sales, 3 for refunds). An edited document
 * that also disagrees with Shopify says both.
 */
export function auditDocument(row: AuditedRow, doc: Entity | null, source: AuditSource, currency: string): AuditFinding | null {
  const base = { sourceKey: row.sourceKey, role: row.role, qboType: row.qboType, qboId: row.qboId };
  const booked = row.qboTotalMinor === null ? null : toDecimalString(moneyFromMinor(row.qboTotalMinor, currency));
  if (isDeleted(doc)) {
    return {
      ...base,
      kind: 'deleted',
      difference: `${label(row)} was deleted in QBO${booked ? ` (it totalled ${booked})` : ''}; the Shopify source still stands. Ledgerline re-creates nothing on its own: restore the document in QBO, or have the order booked again`,
      details: { bookedTotal: booked },
    };
  }
  const d = doc!;
  if (isVoided(d, row.qboTotalMinor)) {
    return {
      ...base,
      kind: 'voided',
      difference: `${label(row)} was voided in QBO (its total is now ${amount(d.TotalAmt, currency)}${booked ? `, Ledgerline booked ${booked}` : ''}); the Shopify source still stands`,
      details: { bookedTotal: booked, qboTotal: amount(d.TotalAmt, currency), syncToken: str(d.SyncToken) },
    };
  }
  const drift = compareWithSource(row, d, source);
  const edited = row.fingerprint !== null && !holdsFingerprint(d, row.fingerprint);
  if (edited) {
    return {
      ...base,
      kind: 'edited',
      difference: `${label(row)} was edited in QBO since Ledgerline wrote it (SyncToken ${row.qboSyncToken ?? '?'} → ${str(d.SyncToken)})${drift.length ? `, and now differs from Shopify: ${drift.join('; ')}` : ''}. Ledgerline does not overwrite a person's edit: reconcile it in QBO`,
      details: { syncToken: str(d.SyncToken), recordedSyncToken: row.qboSyncToken, differences: drift },
    };
  }
  if (drift.length > 0) {
    return {
      ...base,
      kind: 'drifted',
      difference: `${label(row)} no longer agrees with Shopify: ${drift.join('; ')}`,
      details: { syncToken: str(d.SyncToken), differences: drift },
    };
  }
  return null;
}

/** The sync's own check of a document against its source, as "what: QBO x, Shopify y" phrases. */
function compareWithSource(row: AuditedRow, doc: Entity, source: AuditSource): string[] {
  if (row.role === ROLE.sale && source.kind === 'order') {
    return saleVerdict(source.order, doc).violations.map((v) => `${v.check}: QBO ${v.actual}, Shopify ${v.expected}`);
  }
  if (row.role === REFUND_ROLE && source.kind === 'refund') {
    const verdict = refundVerdict(source.order, source.refund, doc);
    if (verdict.ok) return [];
    return [verdict.reason.replace(/^QBO booked different figures than Shopify \((.*)\)$/, '$1')];
  }
  return [];
}

/** The audit's counts and notes, kept with the store (GET /stores/:id `audit`). */
export interface AuditSummary {
  auditId: string;
  startedAt: string;
  finishedAt: string;
  /** The instant change data capture read from, and whether a gap before it went unread. */
  changedSince: string | null;
  clipped: boolean;
  changed: number;
  sampled: number;
  checked: number;
  found: number;
  resolved: number;
  byKind: Partial<Record<FindingKind, number>>;
  notes: string[];
  blocked?: string;
}

/** The order (`order:<gid>`) a row's Shopify source belongs to: the row's own for a sale or payment, the parent's for a refund. */
export function orderKeyOf(row: Pick<AuditedRow, 'sourceKey' | 'parentSourceKey' | 'role'>): string | null {
  if (row.sourceKey.startsWith('order:')) return row.sourceKey;
  return row.parentSourceKey?.startsWith('order:') ? row.parentSourceKey : null;
}
