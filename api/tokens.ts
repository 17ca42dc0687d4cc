/**
 * Scoped API tokens (issue #13 "Operators and tenants"): `llt_<id>_<secret>`, the id 16 hex characters
 * (public: it names the token in `npm run tokens -- list` and in the audit log) and the secret 32 random
 * bytes in base64url. Only the SHA-256 of the whole token is stored; a presented token is found by its
 * id and its hash compared with the stored one in constant time. A token is for one store or for every
 * store, and `read` (GET routes only) or `operate` (everything its stores allow).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { getApiToken, insertApiToken, touchApiToken, type ApiTokenRow, type ApiTokenScope } from '../db/queries/api-tokens';
import type { Executor } from '../db/queries/executor';

export type { ApiTokenRow, ApiTokenScope };
export const TOKEN_SCOPES: readonly ApiTokenScope[] = ['read', 'operate'];

const TOKEN = /^llt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const LABEL_MAX = 200;

/** Who made a request: the configured admin token, or a scoped token. */
export interface Principal {
  /** `admin` for LEDGERLINE_API_TOKEN, else the token's id. */
  id: string;
  label: string;
  /** The one store this principal may see; null: every store. */
  storeId: string | null;
  scope: ApiTokenScope;
}

export const ADMIN_PRINCIPAL: Principal = { id: 'admin', label: 'LEDGERLINE_API_TOKEN', storeId: null, scope: 'operate' };

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The id inside a token of this format, or undefined when the text cannot be one. */
export function tokenId(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}

/** Creates a token; the returned `token` is the only time the secret exists outside the caller. */
export async function createApiToken(
  db: Executor,
  p: { storeId: string | null; scope: ApiTokenScope; label?: string | undefined },
): Promise<{ token: string; row: ApiTokenRow }> {
  if (!TOKEN_SCOPES.includes(p.scope)) throw new Error(`scope must be one of ${TOKEN_SCOPES.join(', ')}`);
  const label = (p.label ?? `${p.storeId ?? 'all stores'} (${p.scope})`).trim();
  // eslint-disable-next-line no-control-regex
  if (label.length === 0 || label.length > LABEL_MAX || /[\u0000-\u001f\u007f]/.test(label)) {
    throw new Error(`label must be 1 to ${LABEL_MAX} printable characters`);
  }
  const id = randomBytes(8).toString('hex');
  const token = `llt_${id}_${randomBytes(32).toString('base64url')}`;
  const row = await insertApiToken(db, { id, label, storeId: p.storeId, scope: p.scope, secretHash: hashToken(token) });
  return { token, row };
}

/** How often a token's last use is written (at most once per token per interval). */
const TOUCH_EVERY_MS = 60_000;

/**
 * The principal a presented scoped token stands for, or undefined when it is no live token: unknown id,
 * revoked, or a secret whose hash differs (compared in constant time).
 */
export async function verifyApiToken(db: Executor, token: string, now = new Date()): Promise<Principal | undefined> {
  const id = tokenId(token);
  if (!id) return undefined;
  const row = await getApiToken(db, { id });
  if (!row || row.revokedAt) return undefined;
  const presented = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(row.secretHash, 'hex');
  if (presented.length !== stored.length || !timingSafeEqual(presented, stored)) return undefined;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
    await touchApiToken(db, { id, at: now, unlessAfter: new Date(now.getTime() - TOUCH_EVERY_MS) });
  }
  return { id: row.id, label: row.label, storeId: row.storeId, scope: row.scope as ApiTokenScope };
}
