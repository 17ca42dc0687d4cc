/**
 * `GET /audit`: the audit log (api/audit.ts records it), newest first, paginated, for tokens that see every
 * store (the admin token and all-stores tokens, read or operate). A store's bookkeeper does not read it:
 * it names the operators' tokens and what they did. Filter by store (`?store=`, an id or shop domain) and by
 * actor (`?actor=`, a token id or `admin`).
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client';
import { listAuditPage, type AuditRow } from '../../db/queries/audit';
import { badRequest } from '../errors';
import { errorResponses } from '../stores/schemas';
import { storeIdFromParam } from '../stores/views';

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;

const entrySchema = {
  type: 'object',
  properties: {
    id: str,
    at: str,
    actor: { type: 'object', properties: { id: str, label: str } },
    method: str,
    route: str,
    params: { type: 'object', additionalProperties: true },
    query: { type: 'object', additionalProperties: true },
    body: { description: 'The JSON body, secrets redacted and long values cut; null when there was none' },
    storeId: nullableStr,
    ip: nullableStr,
    requestId: nullableStr,
    status: { type: ['integer', 'null'], description: 'The status answered; null: never answered (the process stopped)' },
    finishedAt: nullableStr,
  },
} as const;

const querySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    store: { type: 'string', minLength: 1, maxLength: 255, description: 'Only entries about this store (id or shop domain)' },
    actor: { type: 'string', pattern: '^([0-9a-f]{16}|admin)$', description: 'Only entries by this token id (or `admin`)' },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: { type: 'string', maxLength: 64, description: 'nextCursor of the previous page' },
  },
} as const;

export interface AuditEntryView {
  id: string;
  at: string;
  actor: { id: string; label: string };
  method: string;
  route: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  storeId: string | null;
  ip: string | null;
  requestId: string | null;
  status: number | null;
  finishedAt: string | null;
}

const CURSOR = /^audit:([1-9][0-9]{0,15})$/;

function encodeCursor(id: number): string {
  return Buffer.from(`audit:${id}`).toString('base64url');
}

/** The id a cursor this API issued carries; anything else is a 400. */
function decodeCursor(text: string): number {
  const m = CURSOR.exec(Buffer.from(text, 'base64url').toString('utf8'));
  const id = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(id) || encodeCursor(id) !== text) {
    throw badRequest('cursor is not one this API issued; use the nextCursor of the previous page', { field: 'query.cursor' });
  }
  return id;
}

function entryView(r: AuditRow): AuditEntryView {
  return {
    id: String(r.id),
    at: r.at.toISOString(),
    actor: { id: r.actorId, label: r.actorLabel },
    method: r.method,
    route: r.route,
    params: r.params,
    query: r.query,
    body: r.body ?? null,
    storeId: r.storeId,
    ip: r.ip,
    requestId: r.requestId,
    status: r.status,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

export const auditRoutes =
  (db: Db) =>
  async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { store?: string; actor?: string; limit: number; cursor?: string } }>(
      '/audit',
      {
        config: { access: { scope: 'read', stores: 'all' } },
        schema: {
          tags: ['ops'],
          summary: 'The audit log: every mutating request (who, what, when, store, status), newest first; all-stores tokens only',
          querystring: querySchema,
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: entrySchema }, nextCursor: nullableStr } },
            400: errorResponses[400],
            401: errorResponses[401],
            403: errorResponses[403],
          },
        },
      },
      async (req) => {
        const { store, actor, limit, cursor } = req.query;
        // A store param that cannot name a store matches no entry (entries hold store ids only).
        const storeId = store === undefined ? undefined : (storeIdFromParam(store) ?? '');
        const rows = await listAuditPage(db, {
          storeId,
          actorId: actor,
          before: cursor === undefined ? undefined : decodeCursor(cursor),
          limit: limit + 1,
        });
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        return { items: page.map(entryView), nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
      },
    );
  };
