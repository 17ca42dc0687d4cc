/**
 * Intuit's OAuth 2.0 endpoints through Intuit's own Node client, `intuit-oauth` (https://github.com/intuit/oauth-jsclient):
 * the authorize URL, the authorization-code exchange and the revocation, as Intuit documents them in
 * https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
 * (endpoints listed in the discovery document https://developer.api.intuit.com/.well-known/openid_configuration).
 *
 * intuit-oauth keeps its endpoints in static properties of the class (setAuthorizeURLs writes them for every
 * instance); each call here sets them from this process's configuration right before it uses the client, and the
 * configuration is the same for the whole process, so that is safe.
 */
import OAuthClient from 'intuit-oauth';

export const INTUIT_AUTHORIZE_URL = 'https://appcenter.intuit.com/connect/oauth2';
export const INTUIT_TOKEN_URL = 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer';
export const INTUIT_REVOKE_URL = 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke';
/** The QuickBooks Online Accounting API scope (the only one Ledgerline asks for). */
export const ACCOUNTING_SCOPE = OAuthClient.scopes.Accounting;

export interface IntuitEndpoints {
  authorizeUrl?: string | undefined;
  tokenUrl?: string | undefined;
  revokeUrl?: string | undefined;
}

export interface IntuitApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date | null;
}

/** Intuit answered, and refused (400/401: a bad, used or expired code; a bad client). */
export class IntuitRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`Intuit refused the request (${status}${code ? ` ${code}` : ''})`);
    this.name = 'IntuitRefusedError';
  }
}

/** Intuit could not be reached or answered 5xx. */
export class IntuitUnavailableError extends Error {
  constructor(readonly detail: string) {
    super(`Intuit's OAuth endpoint could not be reached (${detail})`);
    this.name = 'IntuitUnavailableError';
  }
}

function client(app: IntuitApp, endpoints: IntuitEndpoints): OAuthClient {
  const oauth = new OAuthClient({
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri: app.redirectUri,
    // Only picks the userinfo endpoint, which Ledgerline does not use; the API base comes from QBO_API_ENDPOINT.
    environment: 'production',
    logging: false,
  });
  oauth.setAuthorizeURLs({
    authorizeEndpoint: endpoints.authorizeUrl ?? INTUIT_AUTHORIZE_URL,
    tokenEndpoint: endpoints.tokenUrl ?? INTUIT_TOKEN_URL,
    revokeEndpoint: endpoints.revokeUrl ?? INTUIT_REVOKE_URL,
    userInfoEndpoint: 'https://accounts.platform.intuit.com/v1/openid_connect/userinfo',
  });
  return oauth;
}

/** Fewer retries than the client's default (3, from 1 s doubling): a person is waiting on the callback. */
OAuthClient.retryConfig.maxRetries = 1;

function failure(err: unknown): Error {
  const e = err as {
    response?: { status?: number; data?: { error?: unknown } };
    authResponse?: { response?: { status?: number; data?: { error?: unknown } } };
    message?: string;
  };
  const response = e?.response ?? e?.authResponse?.response;
  const status = response?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new IntuitRefusedError(status, typeof response?.data?.error === 'string' ? response.data.error : '');
  }
  return new IntuitUnavailableError(typeof status === 'number' ? `HTTP ${status}` : (e?.message ?? String(err)));
}

/** The authorization request (https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0). */
export function authorizeUrl(app: IntuitApp, endpoints: IntuitEndpoints, state: string): string {
  return client(app, endpoints).authorizeUri({ scope: [ACCOUNTING_SCOPE], state });
}

/** The authorization-code grant: the code from the callback exchanged at the token endpoint (same page); the code is single use. */
export async function exchangeCode(
  app: IntuitApp,
  endpoints: IntuitEndpoints,
  p: { code: string; realmId: string; now: Date },
): Promise<IssuedTokens> {
  const oauth = client(app, endpoints);
  const query = new URLSearchParams({ code: p.code, realmId: p.realmId });
  let json: { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown; x_refresh_token_expires_in?: unknown };
  try {
    const res = await oauth.createToken(`${app.redirectUri}?${query.toString()}`);
    json = (res.getJson() ?? {}) as typeof json;
  } catch (err) {
    throw failure(err);
  }
  if (typeof json.access_token !== 'string' || typeof json.refresh_token !== 'string') {
    throw new IntuitUnavailableError('the token answer had no access_token or refresh_token');
  }
  const seconds = (v: unknown, fallback: number | null) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  const accessS = seconds(json.expires_in, 3600)!;
  const refreshS = seconds(json.x_refresh_token_expires_in, null);
  return {
    accessToken: json.access_token,
    refreshToken: json.refresh_token,
    accessTokenExpiresAt: new Date(p.now.getTime() + accessS * 1000),
    refreshTokenExpiresAt: refreshS === null ? null : new Date(p.now.getTime() + refreshS * 1000),
  };
}

/**
 * Revokes the grant (https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0):
 * revoking the refresh token ends the app's access to the company, access tokens included.
 */
export async function revokeToken(app: Omit<IntuitApp, 'redirectUri'>, endpoints: IntuitEndpoints, token: string): Promise<void> {
  try {
    await client({ ...app, redirectUri: 'urn:ledgerline:unused' }, endpoints).revoke({ refresh_token: token });
  } catch (err) {
    throw failure(err);
  }
}
