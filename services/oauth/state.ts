/**
 * The OAuth `state` (RFC 6749 §10.12, https://datatracker.ietf.org/doc/html/rfc6749#section-10.12; Intuit asks
 * for one to guard against CSRF: https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0):
 * `v1.<payload b64url>.<HMAC-SHA256 b64url>`, the payload `{ n: nonce, s: shopDomain, e: expiry epoch ms }`, and
 * `p: "shopify"` for the Shopify install flow (absent: QuickBooks), so a state works only at the callback of its flow,
 * and `r: "console"` when the console's set-up wizard started it (console/wizard.ts).
 * The signature proves Ledgerline issued it; the nonce, recorded in `oauth_states` at the start and consumed by
 * the callback, makes it single use; the expiry makes it short-lived (10 minutes).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const STATE_TTL_MS = 10 * 60_000;

export type OAuthProvider = 'qbo' | 'shopify';

export interface StatePayload {
  nonce: string;
  shopDomain: string;
  expiresAt: Date;
  /** The flow that issued it; absent: 'qbo'. */
  provider?: OAuthProvider;
  /** 'console': started by the console's set-up wizard, whose own callback finishes it (the public one forwards there). */
  returnTo?: 'console';
}

/** Where a refused state sends the merchant back to. */
const RESTART: Record<OAuthProvider, string> = { qbo: 'GET /connect/qbo/start', shopify: 'GET /connect/shopify/start' };

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
  const fields = {
    n: p.nonce,
    s: p.shopDomain,
    e: p.expiresAt.getTime(),
    ...(p.provider && p.provider !== 'qbo' ? { p: p.provider } : {}),
    ...(p.returnTo === 'console' ? { r: 'console' } : {}),
  };
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `v1.${payload}.${mac(key, payload).toString('base64url')}`;
}

/**
 * Checks the signature, the expiry and the flow (not the nonce: that is the database's, services/oauth/qbo-connect.ts).
 * `provider` is the callback's flow: a state issued by the other flow is refused as tampered.
 */
export function verifyState(key: Buffer, state: string, now: Date, provider: OAuthProvider = 'qbo'): StatePayload {
  const restart = RESTART[provider];
  const parts = state.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1' || !parts[1] || !parts[2]) {
    throw new StateError('malformed', `state is not one Ledgerline issued (malformed); start again with ${restart}`);
  }
  const [, payload, signature] = parts as [string, string, string];
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new StateError('tampered', `state signature does not match (tampered or issued by another server); start again with ${restart}`);
  }
  let decoded: { n?: unknown; s?: unknown; e?: unknown; p?: unknown; r?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof decoded;
  } catch {
    throw new StateError('malformed', `state payload is unreadable; start again with ${restart}`);
  }
  if (typeof decoded.n !== 'string' || typeof decoded.s !== 'string' || typeof decoded.e !== 'number') {
    throw new StateError('malformed', `state payload is incomplete; start again with ${restart}`);
  }
  const expiresAt = new Date(decoded.e);
  if (expiresAt.getTime() <= now.getTime()) {
    throw new StateError(
      'expired',
      `state expired at ${expiresAt.toISOString()} (a connect must finish within ${STATE_TTL_MS / 60_000} minutes); start again with ${restart}`,
    );
  }
  const issuedBy = decoded.p === undefined ? 'qbo' : decoded.p;
  if (issuedBy !== provider) {
    throw new StateError('tampered', `state was issued for another connect flow than this callback's; start again with ${restart}`);
  }
  return {
    nonce: decoded.n,
    shopDomain: decoded.s,
    expiresAt,
    provider,
    ...(decoded.r === 'console' ? { returnTo: 'console' as const } : {}),
  };
}

/**
 * Whether a callback's state (valid, unexpired, of this flow) was issued by the console's set-up wizard: the public
 * callback then forwards the merchant's browser, query unchanged, to the console's callback, which finishes the connect
 * under the operator's session. Any fault in the state answers false: the public callback then refuses it itself.
 */
export function startedByConsole(key: Buffer, state: unknown, now: Date, provider: OAuthProvider): boolean {
  if (typeof state !== 'string') return false;
  try {
    return verifyState(key, state, now, provider).returnTo === 'console';
  } catch {
    return false;
  }
}
