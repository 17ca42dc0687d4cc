/**
 * Intuit's token endpoint, `refresh_token` grant (docs/qbo-facts.md §3): POST a form with HTTP Basic client
 * authentication; the answer carries a new access token (1 hour) and a refresh token that may differ
 * from the one sent. `invalid_grant` means the refresh token is dead: the company must be reconnected.
 */
import { LedgerlineError, QboConnectionRevokedError, TransientUpstreamError } from '../../domain/errors';

// Holding the realm's refresh lock must not hang a worker on a dead connection.
const TOKEN_TIMEOUT_MS = 30_000;

export interface RefreshRequest {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  realmId: string;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresInSec: number;
  refreshExpiresInSec?: number;
}

interface TokenResponse {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  x_refresh_token_expires_in?: unknown;
  error?: unknown;
}

export async function requestRefresh(req: RefreshRequest): Promise<IssuedTokens> {
  const where = { realmId: req.realmId };
  let res: Response;
  try {
    res = await fetch(req.tokenUrl, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${req.clientId}:${req.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: req.refreshToken }).toString(),
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    throw new TransientUpstreamError(
      `QBO token refresh got no response: ${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`,
      where,
    );
  }
  const body = (await res.json().catch(() => ({}))) as TokenResponse;
  const error = typeof body.error === 'string' ? body.error : undefined;
  if (error === 'invalid_grant') throw new QboConnectionRevokedError();
  if (res.status === 429 || res.status >= 500) {
    throw new TransientUpstreamError(`QBO token refresh answered HTTP ${res.status}`, { ...where, status: res.status });
  }
  if (!res.ok) {
    // invalid_client and friends: the app's client id/secret are wrong; a person must fix them.
    throw new LedgerlineError('qbo_token_rejected', `QBO token refresh answered HTTP ${res.status} (${error ?? 'no error code'})`, false, {
      details: { ...where, status: res.status, error },
    });
  }
  const { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn } = body;
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || typeof expiresIn !== 'number') {
    throw new TransientUpstreamError('QBO token refresh answered without access_token, refresh_token and expires_in', where);
  }
  const refreshExpires = body.x_refresh_token_expires_in;
  return {
    accessToken,
    refreshToken,
    expiresInSec: expiresIn,
    ...(typeof refreshExpires === 'number' ? { refreshExpiresInSec: refreshExpires } : {}),
  };
}
