/**
 * The OAuth `state` (RFC 6749 §10.12, https://datatracker.ietf.org/doc/html/rfc6749#section-10.12; Intuit asks
 * for one to guard against CSRF: https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0):
 * `v1.<payload b64url>.<HMAC-SHA256 b64url>`, the payload `{ n: nonce, s: shopDomain, e: expiry epoch ms }`.
 * The signature proves Ledgerline issued it; the nonce, recorded in `oauth_states` at the start and consumed by
 * the callback, makes it single use; the expiry makes it short-lived (10 minutes).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const STATE_TTL_MS = 10 * 60_000;

export interface StatePayload {
  nonce: string;
  shopDomain: string;
  expiresAt: Date;
}

/** Why a state is refused; the callback answers 400 with the message. */
export class StateError extends Error {
  constructor(
    readonly reason: 'malformed' | 'tampered' | 'expired' | 'replayed' | 'unknown',
    message: string,
  ) {
    super(message);
    this.name = 'StateError';
  }
}

const mac = (key: Buffer, payload: string): Buffer => createHmac('sha256', key).update(`ledgerline-oauth-state.${payload}`).digest();

export function newNonce(): string {
  return randomBytes(24).toString('base64url');
}

export function signState(key: Buffer, p: StatePayload): string {
  const payload = Buffer.from(JSON.stringify({ n: p.nonce, s: p.shopDomain, e: p.expiresAt.getTime() })).toString('base64url');
  return `v1.${payload}.${mac(key, payload).toString('base64url')}`;
}

/** Checks the signature and expiry (not the nonce: that is the database's, services/oauth/qbo-connect.ts). */
export function verifyState(key: Buffer, state: string, now: Date): StatePayload {
  const parts = state.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1' || !parts[1] || !parts[2]) {
    throw new StateError('malformed', 'state is not one Ledgerline issued (malformed); start again with GET /connect/qbo/start');
  }
  const [, payload, signature] = parts as [string, string, string];
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new StateError(
      'tampered',
      'state signature does not match (tampered or issued by another server); start again with GET /connect/qbo/start',
    );
  }
  let decoded: { n?: unknown; s?: unknown; e?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof decoded;
  } catch {
    throw new StateError('malformed', 'state payload is unreadable; start again with GET /connect/qbo/start');
  }
  if (typeof decoded.n !== 'string' || typeof decoded.s !== 'string' || typeof decoded.e !== 'number') {
    throw new StateError('malformed', 'state payload is incomplete; start again with GET /connect/qbo/start');
  }
  const expiresAt = new Date(decoded.e);
  if (expiresAt.getTime() <= now.getTime()) {
    throw new StateError(
      'expired',
      `state expired at ${expiresAt.toISOString()} (a connect must finish within ${STATE_TTL_MS / 60_000} minutes); start again with GET /connect/qbo/start`,
    );
  }
  return { nonce: decoded.n, shopDomain: decoded.s, expiresAt };
}
