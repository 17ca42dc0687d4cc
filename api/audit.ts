/**
 * The audit log's recorder (issue #13 "Operators and tenants"): every mutating request (POST, PUT, PATCH,
 * DELETE) that passed the bearer check is written to `audit_log` before anything else happens to it,
 * including the ones then refused (403, 404, 400: an attempt is worth knowing about), and completed with
 * the status it was answered with. If the entry cannot be written the request is refused (503) rather than
 * carried out unrecorded. Requests without a valid token are not recorded (no one to name; the request
 * log and the rate limits cover them).
 *
 * What is kept of a request: the route's pattern, its path parameters and query, and its JSON body with
 * every field whose name says it holds a secret (token, secret, password, …) replaced by "[redacted]";
 * strings are cut at 256 characters, arrays at 50 items, and control characters and lone surrogates are
 * written as visible escapes (PostgreSQL's jsonb refuses them as they are).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/client';
import { finishAuditEntry, startAuditEntry } from '../db/queries/audit';
import { storeIdFor } from '../domain/store';
import { HttpError } from './errors';
import { redactUrl } from './log-redaction';
import { storeIdFromParam } from './stores/views';
import type { Principal } from './tokens';

declare module 'fastify' {
  interface FastifyRequest {
    /** The audit entry of this request, when it is a recorded (mutating, authenticated) one. */
    auditId?: number;
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const isMutating = (method: string): boolean => MUTATING.has(method);

/** Field names whose values are never recorded. */
const SECRET_NAME = /token|secret|password|passphrase|hmac|authorization|cookie|credential|api[-_]?key|private[-_]?key|signature/i;
const MAX_STRING = 256;
const MAX_ITEMS = 50;
const MAX_DEPTH = 8;
const MAX_JSON = 16_384;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function cleanString(s: string, max = MAX_STRING): string {
  const cut = s.length > max ? `${s.slice(0, max)}…[${s.length - max} more characters]` : s;
  return cut
    .replace(LONE_SURROGATE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return cleanString(value);
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value !== 'object') return undefined;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => clean(v, depth + 1) ?? null);
    if (value.length > MAX_ITEMS) items.push(`[${value.length - MAX_ITEMS} more items]`);
    return items;
  }
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (++n > MAX_ITEMS) {
      out['[more fields]'] = Object.keys(value as object).length - MAX_ITEMS;
      break;
    }
    out[cleanString(k, 64)] = SECRET_NAME.test(k) ? '[redacted]' : clean(v, depth + 1);
  }
  return out;
}

/** What the audit log keeps of a request part: secrets redacted, long or unstorable text made safe. */
export function auditable(value: unknown): unknown {
  if (value === undefined) return undefined;
  const cleaned = clean(value, 0);
  const json = JSON.stringify(cleaned);
  if (json !== undefined && json.length > MAX_JSON) {
    return typeof cleaned === 'object' && cleaned !== null && !Array.isArray(cleaned)
      ? { '[too large]': json.length, fields: Object.keys(cleaned) }
      : { '[too large]': json.length };
  }
  return cleaned;
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The store a request is about: the one its `:id` names, or the shop a connect names. */
function storeOf(req: FastifyRequest): string | null {
  const id = asRecord(req.params).id;
  if (typeof id === 'string') return storeIdFromParam(id) ?? null;
  const shopDomain = asRecord(req.body).shopDomain;
  if (typeof shopDomain === 'string') {
    try {
      return storeIdFor(shopDomain);
    } catch {
      return null;
    }
  }
  return null;
}

/** onRequest, after the bearer check: writes the entry of a mutating request (503 when it cannot). */
export async function startAudit(db: Db, principal: Principal, req: FastifyRequest): Promise<void> {
  if (!isMutating(req.method)) return;
  try {
    req.auditId = await startAuditEntry(db, {
      actorId: principal.id,
      actorLabel: principal.label,
      method: req.method,
      route: req.routeOptions.url ?? cleanString(redactUrl(req.url).split('?')[0] ?? ''),
      params: auditable(asRecord(req.params)) as Record<string, string>,
      query: auditable(asRecord(req.query)) as Record<string, unknown>,
      storeId: storeOf(req),
      ip: req.ip,
      requestId: req.id,
    });
  } catch (err) {
    req.log.error({ err }, 'could not write the audit log entry; request refused');
    throw new HttpError(503, 'audit_unavailable', 'The request was not carried out: it could not be recorded in the audit log; try again');
  }
}

/** onResponse: completes the entry with the answer's status and what the body said. */
export async function finishAudit(db: Db, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (req.auditId === undefined) return;
  try {
    await finishAuditEntry(db, {
      id: req.auditId,
      status: reply.statusCode,
      body: req.body === undefined || req.body === null ? null : auditable(req.body),
      storeId: storeOf(req),
      at: new Date(),
    });
  } catch (err) {
    req.log.error({ err, auditId: req.auditId }, 'could not complete the audit log entry');
  }
}
