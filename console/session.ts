/**
 * The console's session (README "The web console"): a cookie holding who signed in and until when,
 * encrypted and authenticated with the project's cipher (AES-256-GCM, config/secrets.ts), so it can be
 * neither read nor forged nor altered without LEDGERLINE_ENCRYPTION_KEYS. It never holds the API token or the
 * password: only the principal (api/tokens.ts: id, label, store, scope), a fingerprint of the admin token or
 * password it was opened with, and its expiry.
 *
 * Each request checks the session again against what it was opened with: a scoped token's session ends when
 * the token is revoked (`npm run tokens -- revoke`), the admin token's or the password's when either is
 * changed. Sessions last SESSION_TTL_MS from sign-in; signing out clears the cookie (a copy taken before that
 * stays valid until its expiry or one of the changes above: the price of keeping no session rows).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Cipher } from '../config/secrets';
import { getApiToken } from '../db/queries/api-tokens';
import type { Executor } from '../db/queries/executor';
import type { ApiTokenScope, Principal } from '../api/tokens';

export const SESSION_COOKIE = 'ledgerline_session';
export const SESSION_TTL_MS = 12 * 3_600_000;

/** How the operator signed in. */
export type SessionKind = 'admin-token' | 'scoped-token' | 'password';

interface SessionPayload {
  v: 1;
  kind: SessionKind;
  principal: Principal;
  /** SHA-256 prefix of the admin token or password the session was opened with ('' for a scoped token). */
  fp: string;
  iat: number;
  exp: number;
}

export interface Session {
  kind: SessionKind;
  principal: Principal;
  expiresAt: Date;
}

/** The principal a console password stands for: every store, operate (like the admin token). */
export const PASSWORD_PRINCIPAL: Principal = {
  id: 'console-password',
  label: 'LEDGERLINE_CONSOLE_PASSWORD',
  storeId: null,
  scope: 'operate',
};

export const fingerprint = (secret: string): string =>
  createHash('sha256').update(`ledgerline-console:${secret}`).digest('hex').slice(0, 32);

/** Constant-time comparison of two secrets of any length (their SHA-256s are compared). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function sealSession(
  cipher: Cipher,
  p: { kind: SessionKind; principal: Principal; fp: string; now: Date },
): { value: string; expiresAt: Date } {
  const iat = p.now.getTime();
  const payload: SessionPayload = { v: 1, kind: p.kind, principal: p.principal, fp: p.fp, iat, exp: iat + SESSION_TTL_MS };
  return { value: cipher.encrypt(JSON.stringify(payload)), expiresAt: new Date(payload.exp) };
}

function parse(cipher: Cipher, value: string): SessionPayload | undefined {
  try {
    const p = JSON.parse(cipher.decrypt(value)) as SessionPayload;
    const scopes: readonly ApiTokenScope[] = ['read', 'operate'];
    if (p.v !== 1 || typeof p.exp !== 'number' || !p.principal || !scopes.includes(p.principal.scope)) return undefined;
    return p;
  } catch {
    return undefined; // not ours, altered, or under a key no longer configured
  }
}

/** The live session a cookie value stands for, or undefined (none, forged, expired, or its credential changed). */
export async function openSession(
  db: Executor,
  cipher: Cipher,
  value: string | undefined,
  current: { apiToken: string; password: string | undefined },
  now = new Date(),
): Promise<Session | undefined> {
  if (!value) return undefined;
  const p = parse(cipher, value);
  if (!p || p.exp <= now.getTime()) return undefined;
  switch (p.kind) {
    case 'admin-token':
      if (p.fp !== fingerprint(current.apiToken)) return undefined;
      break;
    case 'password':
      if (current.password === undefined || p.fp !== fingerprint(current.password)) return undefined;
      break;
    case 'scoped-token': {
      const row = await getApiToken(db, { id: p.principal.id });
      if (!row || row.revokedAt || row.scope !== p.principal.scope || row.storeId !== p.principal.storeId) return undefined;
      break;
    }
    default:
      return undefined;
  }
  return { kind: p.kind, principal: p.principal, expiresAt: new Date(p.exp) };
}
