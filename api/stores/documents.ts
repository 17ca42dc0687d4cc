/**
 * GET /stores/:id/documents: the store's ledger (each Shopify source, the QBO document it became, its
 * status and reason), newest first. Ordered by (created_at, source_key, role), all descending: rows are
 * never re-created, so pages stay stable while syncs add rows in front. The cursor is that triple of
 * the page's last row (created_at as PostgreSQL's own text, so microseconds survive the round trip).
 */
import { openFindingsFor, type AuditFindingRow } from '../../db/queries/store-audits';
import { listChildRows, listLedgerPage, listLedgerRows, type LedgerPosition, type LedgerRow } from '../../db/queries/ledger';
import { DOCUMENT_STATUSES, parseSourceKey, type DocumentStatus } from '../../domain/ledger';
import { moneyFromMinor, toDecimalString } from '../../domain/money';
import { badRequest, notFound } from '../errors';
import type { StoreContext } from '../../services/stores/context';
import type { StoreRow } from './views';

export interface DocumentView {
  sourceKey: string;
  role: string;
  sourceType: string;
  parentSourceKey: string | null;
  sourceName: string | null;
  sourceUpdatedAt: string | null;
  status: string;
  reason: string | null;
  reasonCode: string | null;
  qboType: string | null;
  qboId: string | null;
  qboDocNumber: string | null;
  currency: string | null;
  sourceTotal: string | null;
  qboTotal: string | null;
  attempts: number;
  /** What the nightly audit found wrong with the QBO document, while it lasts (null: nothing). */
  audit: { kind: string; difference: string; qboType: string; qboId: string; foundAt: string; checkedAt: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface DocumentPage {
  items: DocumentView[];
  nextCursor: string | null;
}

type Cursor = LedgerPosition;

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/**
 * PostgreSQL's text form of a timestamptz (ISO DateStyle): `2026-12-03 10:12:34.123456+00`, the offset
 * `+hh` or `+hh:mm`. Anything else never came from this API, and PostgreSQL could refuse it (a 500).
 */
const PG_TIMESTAMPTZ = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?([+-]\d{2}(?::\d{2})?)$/;
const ROLE = /^[a-z][a-z_-]{0,31}$/;

function validTimestamp(text: string): boolean {
  const m = PG_TIMESTAMPTZ.exec(text);
  if (!m) return false;
  const [, y, mo, d, h, mi, se, frac = '', off] = m;
  const offset = off!.length === 3 ? `${off}:00` : off!;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${se}${frac.slice(0, 4)}${offset}`;
  const ms = Date.parse(iso);
  // Date.parse rolls 2026-02-30 over to March: the fields must read back as written.
  if (Number.isNaN(ms) || Number(y) < 1970 || Number(y) > 9999) return false;
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se)));
  return check.getUTCMonth() === Number(mo) - 1 && check.getUTCDate() === Number(d) && Number(h) < 24 && Number(mi) < 60 && Number(se) < 60;
}

function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'string')) {
      const [createdAt, sourceKey, role] = value as Cursor;
      parseSourceKey(sourceKey); // throws for anything that is not a well-formed source key
      if (validTimestamp(createdAt) && ROLE.test(role)) return [createdAt, sourceKey, role];
    }
  } catch {
    // fall through
  }
  throw badRequest('cursor is not one this API issued; use the nextCursor of the previous page', { field: 'query.cursor' });
}

/** `status` may list several, comma-separated (e.g. `parked,failed`: what needs attention). */
export function parseStatuses(status: string | undefined): DocumentStatus[] | undefined {
  if (status === undefined || status.trim() === '') return undefined;
  const wanted = status
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // `status=,` names no status: no filter, as a blank value (a filter on nothing would answer an empty ledger).
  if (wanted.length === 0) return undefined;
  const unknown = wanted.filter((s) => !(DOCUMENT_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw badRequest(`Unknown document status ${unknown.map((s) => `"${s}"`).join(', ')}; allowed: ${DOCUMENT_STATUSES.join(', ')}`, {
      allowed: DOCUMENT_STATUSES,
    });
  }
  return wanted as DocumentStatus[];
}

function money(minor: number | null, currency: string | null): string | null {
  if (minor === null || currency === null) return null;
  return toDecimalString(moneyFromMinor(minor, currency));
}

const findingView = (f: AuditFindingRow | undefined): DocumentView['audit'] =>
  f
    ? {
        kind: f.kind,
        difference: f.difference,
        qboType: f.qboType,
        qboId: f.qboId,
        foundAt: f.foundAt.toISOString(),
        checkedAt: f.checkedAt.toISOString(),
      }
    : null;

export function documentView(e: LedgerRow, currency: string | null, finding?: AuditFindingRow): DocumentView {
  return {
    sourceKey: e.sourceKey,
    role: e.role,
    sourceType: e.sourceType,
    parentSourceKey: e.parentSourceKey,
    sourceName: e.sourceName,
    sourceUpdatedAt: e.sourceUpdatedAt?.toISOString() ?? null,
    status: e.status,
    reason: e.reason,
    reasonCode: e.reasonCode,
    qboType: e.qboType,
    qboId: e.qboId,
    qboDocNumber: e.qboDocNumber,
    currency,
    sourceTotal: money(e.sourceTotalMinor, currency),
    qboTotal: money(e.qboTotalMinor, currency),
    attempts: e.attempts,
    audit: findingView(finding),
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

/** GET /stores/:id/orders/:orderId/documents: one order's sale, payment and refunds, with their QBO documents. */
export async function listOrderDocuments(
  ctx: StoreContext,
  store: StoreRow,
  orderId: string,
): Promise<{ order: string; items: DocumentView[] }> {
  const key = `order:gid://shopify/Order/${orderId}`;
  const own = await listLedgerRows(ctx.db, { storeId: store.id, sourceKeys: [key] });
  const children = await listChildRows(ctx.db, { storeId: store.id, parentKeys: [key] });
  if (own.length === 0 && children.length === 0) throw notFound(`Order ${orderId} of ${store.shopDomain} (Ledgerline has not seen it)`);
  const rows = [...own, ...children].sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.sourceKey.localeCompare(b.sourceKey),
  );
  const findings = await openFindingsFor(ctx.db, { storeId: store.id, rows });
  return { order: key, items: rows.map((r) => documentView(r, store.shopCurrency, findings.get(`${r.sourceKey} ${r.role}`))) };
}

export async function listDocuments(
  ctx: StoreContext,
  store: StoreRow,
  q: { status?: string; limit: number; cursor?: string; attention?: 'true' | 'false' },
): Promise<DocumentPage> {
  const statuses = parseStatuses(q.status);
  const rows = await listLedgerPage(ctx.db, {
    storeId: store.id,
    statuses,
    ...(q.attention === 'true' ? { attention: true } : {}),
    after: q.cursor !== undefined ? decodeCursor(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const currency = store.shopCurrency;
  const findings = await openFindingsFor(ctx.db, { storeId: store.id, rows: page.map((r) => r.entry) });
  return {
    items: page.map(({ entry }) => documentView(entry, currency, findings.get(`${entry.sourceKey} ${entry.role}`))),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.position) : null,
  };
}
