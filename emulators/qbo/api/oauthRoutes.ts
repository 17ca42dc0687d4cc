import { timingSafeEqual } from 'node:crypto';
import type { TokenService } from './tokens';

/**
 * POST /oauth2/v1/tokens/bearer and POST /v2/oauth2/tokens/revoke (docs/qbo-facts.md §3, docs/oauth.md), with Basic client
 * auth; the consent page that issues codes is authorize.ts.
 */
export interface Reply {
  status: number;
  body: unknown;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

function clientOk(header: string | undefined, client: ClientCredentials): boolean {
  const expected = Buffer.from(`Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`);
  const got = Buffer.from(header ?? '');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

function formOrJson(body: string): URLSearchParams {
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    try {
      return new URLSearchParams(JSON.parse(trimmed) as Record<string, string>);
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(trimmed);
}

export function tokenEndpoint(tokens: TokenService, client: ClientCredentials, authorization: string | undefined, body: string): Reply {
  if (!clientOk(authorization, client)) return { status: 401, body: { error: 'invalid_client' } };
  const params = formOrJson(body);
  const grant = params.get('grant_type');
  if (grant === 'refresh_token') {
    const token = params.get('refresh_token');
    if (!token) return { status: 400, body: { error: 'invalid_request' } };
    const issued = tokens.refresh(token);
    return issued ? { status: 200, body: issued } : { status: 400, body: { error: 'invalid_grant' } };
  }
  if (grant === 'authorization_code') {
    const code = params.get('code');
    if (!code) return { status: 400, body: { error: 'invalid_request' } };
    const issued = tokens.exchange(code, { clientId: client.clientId, redirectUri: params.get('redirect_uri') });
    return issued ? { status: 200, body: issued } : { status: 400, body: { error: 'invalid_grant' } };
  }
  return { status: 400, body: { error: 'unsupported_grant_type' } };
}

export function revokeEndpoint(tokens: TokenService, client: ClientCredentials, authorization: string | undefined, body: string): Reply {
  if (!clientOk(authorization, client)) return { status: 401, body: { error: 'invalid_client' } };
  const token = formOrJson(body).get('token');
  if (!token) return { status: 400, body: { error: 'invalid_request' } };
  const realmId = tokens.realmOf(token);
  if (realmId) tokens.revoke(realmId);
  return { status: 200, body: {} };
}
