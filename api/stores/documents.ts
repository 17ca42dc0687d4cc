/**
 * GET /stores/:id/documents: the store's ledger (each Shopify source, the QBO document it became, its
 * status and reason), newest first. Ordered by (created_at, source_key, role), all descending: rows are
 * never re-created, so pages stay stable while syncs add rows in front. The cursor is that triple of
 * the page's last row (created_at as PostgreSQL's own text, so microseconds survive the round trip).
 */
import { listLedgerPage, type LedgerPosition } from '../../db/queries/ledger';
import { DOCUMENT_STATUSES, type DocumentStatus } from '../../domain/ledger';
import { moneyFromMinor, toDecimalString } from '../../domain/money';
import { badRequest } from '../errors';
import type { StoreContext } from '../../services/stores/context';
import type { StoreRow } from './views';

export interface DocumentView {
  sourceKey: string;
  role: string;
  sourceType: string;
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

function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      value.every((v) => typeof v === 'string') &&
      !Number.isNaN(Date.parse(value[0] as string))
    )
      return value as Cursor;
  } catch {
    // fall through
  }
  throw badRequest('cursor is not one this API issued; use the nextCursor of the previous page');
}

/** `status` may list several, comma-separated (e.g. `parked,failed`: what needs attention). */
export function parseStatuses(status: string | undefined): DocumentStatus[] | undefined {
  if (status === undefined || status.trim() === '') return undefined;
  const wanted = status
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
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

export async function listDocuments(
  ctx: StoreContext,
  store: StoreRow,
  q: { status?: string; limit: number; cursor?: string },
): Promise<DocumentPage> {
  const statuses = parseStatuses(q.status);
  const rows = await listLedgerPage(ctx.db, {
    storeId: store.id,
    statuses,
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const currency = store.shopCurrency;
  return {
    items: page.map(({ entry: e }) => ({
      sourceKey: e.sourceKey,
      role: e.role,
      sourceType: e.sourceType,
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
      createdAt: e.createdAt.toISOString(),
      updatedAt: e.updatedAt.toISOString(),
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.position) : null,
  };
}
