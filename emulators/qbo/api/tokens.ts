import { randomBytes } from 'node:crypto';
import type { EmulatorClock } from '../core/clock';

/**
 * OAuth 2 tokens as Intuit issues them (docs/qbo-facts.md §3): access tokens live 1 hour of emulator time, refresh
 * tokens 8,726,400 s (rolling), and by default every refresh rotates the refresh token, after which the old
 * one answers invalid_grant.
 */
export const ACCESS_TOKEN_TTL_S = 3600;
export const REFRESH_TOKEN_TTL_S = 8_726_400;

export interface TokenState {
  access: Record<string, { realmId: string; expiresAt: number }>;
  refresh: Record<string, { realmId: string; expiresAt: number }>;
  /** Codes from the consent page are bound to the client and redirect_uri they were issued for (RFC 6749 §4.1.3). */
  codes: Record<string, { realmId: string; clientId?: string; redirectUri?: string }>;
}

export interface TokenResponse {
  token_type: 'bearer';
  access_token: string;
  expires_in: number;
  refresh_token: string;
  x_refresh_token_expires_in: number;
}

export type AccessCheck = { ok: true } | { ok: false; detail: string };

const random = (prefix: string, bytes: number): string => `${prefix}${randomBytes(bytes).toString('base64url')}`;

export class TokenService {
  constructor(
    public state: TokenState,
    private readonly clock: EmulatorClock,
    private readonly rotate: boolean,
  ) {}

  static empty(): TokenState {
    return { access: {}, refresh: {}, codes: {} };
  }

  seed(realmId: string, refreshToken: string, accessToken?: string): void {
    const now = this.clock.now();
    this.state.refresh[refreshToken] = { realmId, expiresAt: now + REFRESH_TOKEN_TTL_S * 1000 };
    if (accessToken) this.state.access[accessToken] = { realmId, expiresAt: now + ACCESS_TOKEN_TTL_S * 1000 };
  }

  issue(realmId: string): { accessToken: string; refreshToken: string } {
    const refreshToken = random('AB11', 36);
    const accessToken = random('eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0.', 48);
    this.seed(realmId, refreshToken, accessToken);
    return { accessToken, refreshToken };
  }

  authCode(realmId: string, bound: { clientId: string; redirectUri: string } | undefined = undefined): string {
    const code = random('AB11', 24);
    this.state.codes[code] = { realmId, ...bound };
    return code;
  }

  checkAccess(token: string | undefined, realmId: string): AccessCheck {
    const entry = token ? this.state.access[token] : undefined;
    if (!token || !entry) return { ok: false, detail: 'Token revoked or invalid' };
    if (entry.expiresAt <= this.clock.now()) return { ok: false, detail: `Token expired: ${token.slice(0, 12)}...` };
    if (entry.realmId !== realmId) return { ok: false, detail: `Token is not valid for realm ${realmId}` };
    return { ok: true };
  }

  /** grant_type=refresh_token; null means invalid_grant. */
  refresh(refreshToken: string): TokenResponse | null {
    const entry = this.state.refresh[refreshToken];
    const now = this.clock.now();
    if (!entry || entry.expiresAt <= now) return null;
    const accessToken = random('eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0.', 48);
    this.state.access[accessToken] = { realmId: entry.realmId, expiresAt: now + ACCESS_TOKEN_TTL_S * 1000 };
    let next = refreshToken;
    if (this.rotate) {
      delete this.state.refresh[refreshToken];
      next = random('AB11', 36);
    }
    this.state.refresh[next] = { realmId: entry.realmId, expiresAt: now + REFRESH_TOKEN_TTL_S * 1000 };
    return this.response(accessToken, next);
  }

  /**
   * grant_type=authorization_code: codes are single use (a second try, even a refused one, finds none); a code from
   * the consent page needs the same client and redirect_uri it was issued for.
   */
  exchange(code: string, p: { clientId?: string; redirectUri?: string | null } = {}): TokenResponse | null {
    const entry = this.state.codes[code];
    if (!entry) return null;
    delete this.state.codes[code];
    if (entry.clientId !== undefined && entry.clientId !== p.clientId) return null;
    if (entry.redirectUri !== undefined && entry.redirectUri !== p.redirectUri) return null;
    const { accessToken, refreshToken } = this.issue(entry.realmId);
    return this.response(accessToken, refreshToken);
  }

  private response(accessToken: string, refreshToken: string): TokenResponse {
    return {
      token_type: 'bearer',
      access_token: accessToken,
      expires_in: ACCESS_TOKEN_TTL_S,
      refresh_token: refreshToken,
      x_refresh_token_expires_in: REFRESH_TOKEN_TTL_S,
    };
  }

  realmOf(token: string): string | undefined {
    return this.state.refresh[token]?.realmId ?? this.state.access[token]?.realmId;
  }

  expire(realmId: string, which: 'access' | 'refresh' | 'all'): number {
    const now = this.clock.now();
    let count = 0;
    for (const kind of ['access', 'refresh'] as const) {
      if (which !== 'all' && which !== kind) continue;
      for (const entry of Object.values(this.state[kind])) {
        if (entry.realmId === realmId && entry.expiresAt > now) {
          entry.expiresAt = now;
          count += 1;
        }
      }
    }
    return count;
  }

  /** Intuit's revoke ends the whole grant: every token of the realm stops working. */
  revoke(realmId: string): void {
    for (const kind of ['access', 'refresh'] as const) {
      for (const [token, entry] of Object.entries(this.state[kind])) if (entry.realmId === realmId) delete this.state[kind][token];
    }
  }
}
