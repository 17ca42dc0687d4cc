/**
 * The nightly audit's tables (issue #12 item 17): `store_audits` (each store's change-data-capture cursor and
 * rolling-sample position) and `audit_findings` (one row per ledger row found wrong, resolved when found right
 * again), plus the reads of `ledger_entries` the audit needs. This module owns both tables' state transitions.
 */
import { and, asc, count, eq, gt, gte, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { auditFindings, ledgerEntries, storeAudits } from '../schema';
import { chunk } from '../../domain/collections';
import type { AuditedRow, AuditFinding } from '../../domain/audit';
import type { Executor } from './executor';

export type StoreAuditRow = typeof storeAudits.$inferSelect;
export type AuditFindingRow = typeof auditFindings.$inferSelect;

export async function getStoreAudit(db: Executor, p: { storeId: string }): Promise<StoreAuditRow | undefined> {
  const [row] = await db.select().from(storeAudits).where(eq(storeAudits.storeId, p.storeId));
  return row;
}

export async function listStoreAudits(db: Executor, p: { storeIds: string[] }): Promise<Map<string, StoreAuditRow>> {
  if (p.storeIds.length === 0) return new Map();
  const rows = await db.select().from(storeAudits).where(inArray(storeAudits.storeId, p.storeIds));
  return new Map(rows.map((r) => [r.storeId, r]));
}

/** Records a finished audit: where the next one reads from, and what this one did. */
export async function saveStoreAudit(
  db: Executor,
  p: { storeId: string; changedSince: Date | null; sampleAfter: string | null; at: Date; summary: Record<string, unknown> },
): Promise<void> {
  const values = { changedSince: p.changedSince, sampleAfter: p.sampleAfter, lastAuditAt: p.at, lastSummary: p.summary, updatedAt: p.at };
  await db
    .insert(storeAudits)
    .values({ storeId: p.storeId, ...values })
    .onConflictDoUpdate({ target: storeAudits.storeId, set: values });
}

const AUDITED_COLUMNS = {
  sourceKey: ledgerEntries.sourceKey,
  role: ledgerEntries.role,
  parentSourceKey: ledgerEntries.parentSourceKey,
  sourceName: ledgerEntries.sourceName,
  qboType: ledgerEntries.qboType,
  qboId: ledgerEntries.qboId,
  qboSyncToken: ledgerEntries.qboSyncToken,
  qboDocNumber: ledgerEntries.qboDocNumber,
  qboTotalMinor: ledgerEntries.qboTotalMinor,
  fingerprint: ledgerEntries.fingerprint,
};

/** Only what Ledgerline booked and recorded as in QBO: synced rows holding a document. */
const booked = (storeId: string) =>
  and(eq(ledgerEntries.storeId, storeId), eq(ledgerEntries.status, 'synced'), isNotNull(ledgerEntries.qboId));

type Selected = Omit<AuditedRow, 'qboType' | 'qboId'> & { qboType: string | null; qboId: string | null };
const audited = (rows: Selected[]): AuditedRow[] => rows.filter((r): r is AuditedRow => r.qboType !== null && r.qboId !== null);

/** The synced rows whose QBO document is one of `docs` (type and Id). */
export async function listBookedByDocument(
  db: Executor,
  p: { storeId: string; docs: Array<{ qboType: string; qboId: string }> },
): Promise<AuditedRow[]> {
  const out: AuditedRow[] = [];
  const byType = new Map<string, string[]>();
  for (const d of p.docs) byType.set(d.qboType, [...(byType.get(d.qboType) ?? []), d.qboId]);
  for (const [qboType, ids] of byType) {
    for (const part of chunk(ids, 500)) {
      const rows = await db
        .select(AUDITED_COLUMNS)
        .from(ledgerEntries)
        .where(and(booked(p.storeId), eq(ledgerEntries.qboType, qboType), inArray(ledgerEntries.qboId, part)));
      out.push(...audited(rows));
    }
  }
  return out;
}

/**
 * The rolling sample: up to `limit` synced rows after the position `after` (`<source key> <role>`), in key order,
 * going on from the start when the end is reached, so every booked document is re-checked in turn.
 */
export async function listBookedSample(db: Executor, p: { storeId: string; after: string | null; limit: number }): Promise<AuditedRow[]> {
  const position = sql<string>`${ledgerEntries.sourceKey} || ' ' || ${ledgerEntries.role}`;
  const page = (after: string | null, limit: number) =>
    db
      .select(AUDITED_COLUMNS)
      .from(ledgerEntries)
      .where(after === null ? booked(p.storeId) : and(booked(p.storeId), gt(position, after)))
      .orderBy(asc(position))
      .limit(limit);
  const first = audited(await page(p.after, p.limit));
  if (first.length >= p.limit || p.after === null) return first;
  const seen = new Set(first.map((r) => `${r.sourceKey} ${r.role}`));
  const wrapped = audited(await page(null, p.limit - first.length)).filter((r) => !seen.has(`${r.sourceKey} ${r.role}`));
  return [...first, ...wrapped];
}

export const samplePosition = (row: Pick<AuditedRow, 'sourceKey' | 'role'>): string => `${row.sourceKey} ${row.role}`;

/**
 * Records what an audit checked: each finding upserted (a finding seen again keeps when it was first found, unless
 * it had been resolved), and every other checked row's open finding resolved.
 */
export async function recordAuditResults(
  db: Executor,
  p: { storeId: string; findings: AuditFinding[]; checked: Array<{ sourceKey: string; role: string }>; at: Date },
): Promise<{ resolved: number }> {
  for (const f of p.findings) {
    const values = {
      qboType: f.qboType,
      qboId: f.qboId,
      kind: f.kind,
      difference: f.difference,
      details: f.details,
      checkedAt: p.at,
    };
    await db
      .insert(auditFindings)
      .values({ storeId: p.storeId, sourceKey: f.sourceKey, role: f.role, ...values, foundAt: p.at, resolvedAt: null })
      .onConflictDoUpdate({
        target: [auditFindings.storeId, auditFindings.sourceKey, auditFindings.role],
        set: {
          ...values,
          foundAt: sql`case when ${auditFindings.resolvedAt} is null then ${auditFindings.foundAt} else ${p.at} end`,
          resolvedAt: null,
        },
      });
  }
  const wrong = new Set(p.findings.map((f) => `${f.sourceKey} ${f.role}`));
  const fine = p.checked.filter((c) => !wrong.has(`${c.sourceKey} ${c.role}`));
  let resolved = 0;
  for (const part of chunk(fine, 200)) {
    const rows = await db
      .update(auditFindings)
      .set({ resolvedAt: p.at, checkedAt: p.at })
      .where(
        and(
          eq(auditFindings.storeId, p.storeId),
          isNull(auditFindings.resolvedAt),
          inArray(
            sql`(${auditFindings.sourceKey} || ' ' || ${auditFindings.role})`,
            part.map((c) => `${c.sourceKey} ${c.role}`),
          ),
        ),
      )
      .returning({ key: auditFindings.sourceKey });
    resolved += rows.length;
  }
  return { resolved };
}

/** Open findings per store and kind. */
export async function countOpenFindings(
  db: Executor,
  p: { storeIds: string[] },
): Promise<Array<{ storeId: string; kind: string; n: number }>> {
  if (p.storeIds.length === 0) return [];
  return db
    .select({ storeId: auditFindings.storeId, kind: auditFindings.kind, n: count() })
    .from(auditFindings)
    .where(and(inArray(auditFindings.storeId, p.storeIds), isNull(auditFindings.resolvedAt)))
    .groupBy(auditFindings.storeId, auditFindings.kind);
}

/** The open findings of these ledger rows, by `<source key> <role>`. */
export async function openFindingsFor(
  db: Executor,
  p: { storeId: string; rows: Array<{ sourceKey: string; role: string }> },
): Promise<Map<string, AuditFindingRow>> {
  const out = new Map<string, AuditFindingRow>();
  const keys = [...new Set(p.rows.map((r) => r.sourceKey))];
  for (const part of chunk(keys, 500)) {
    const rows = await db
      .select()
      .from(auditFindings)
      .where(and(eq(auditFindings.storeId, p.storeId), isNull(auditFindings.resolvedAt), inArray(auditFindings.sourceKey, part)));
    for (const r of rows) out.set(`${r.sourceKey} ${r.role}`, r);
  }
  return out;
}

/** Open findings an audit saw (checked at or after `since`), by kind: each document once, however often checked. */
export async function countFindingsSeenSince(
  db: Executor,
  p: { storeId: string; since: Date },
): Promise<Array<{ kind: string; n: number }>> {
  return db
    .select({ kind: auditFindings.kind, n: count() })
    .from(auditFindings)
    .where(and(eq(auditFindings.storeId, p.storeId), isNull(auditFindings.resolvedAt), gte(auditFindings.checkedAt, p.since)))
    .groupBy(auditFindings.kind);
}
