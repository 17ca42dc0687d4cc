/**
 * Checks a QBO company's OAuth tokens at connect (and credential replacement) time: reads CompanyInfo
 * and Preferences with the access token given, refreshing first (integrations/qbo/oauth.ts) when it is
 * absent or expired, and once more on a 401 (the client's auth flow). Nothing is stored here: the
 * tokens stay in memory until the caller persists them, encrypted, with whatever a refresh rotated
 * (docs/qbo-facts.md §3: the refresh token sent may be dead once a new one is issued).
 */
import {
  LedgerlineError,
  QboAuthError,
  QboConnectionRevokedError,
  QboThrottledError,
  QboValidationError,
  TransientUpstreamError,
  isLedgerlineError,
} from '../../domain/errors';
import { createQboClient, type QboClient } from '../../integrations/qbo/client';
import { requestRefresh } from '../../integrations/qbo/oauth';
import { ACCESS_TOKEN_MARGIN_MS, QBO_TOKEN_URL, createTokenProvider, type TokenProvider } from '../../integrations/qbo/tokens';
import { qboCredentialStore } from '../../db/queries/credentials';
import { HttpError } from '../errors';
import type { StoreContext } from './context';

// QBO answers CompanyInfo quickly or not at all; a person is waiting (the client's default is 130 s).
const QBO_CHECK_TIMEOUT_MS = 20_000;

export interface QboCredentialsInput {
  realmId: string;
  clientId: string;
  clientSecret: string;
  accessToken?: string | undefined;
  refreshToken: string;
  accessTokenExpiresAt?: Date | undefined;
  refreshTokenExpiresAt?: Date | undefined;
}

/** The tokens as they stand after the check (rotated when a refresh happened). */
export interface QboTokens {
  clientId: string;
  clientSecret: string;
  accessToken: string | null;
  /** null: unknown (the token provider then refreshes before first use). */
  accessTokenExpiresAt: Date | null;
  refreshToken: string;
  refreshTokenExpiresAt: Date | null;
  refreshedAt: Date | null;
}

/** A TokenProvider over tokens held in memory: at most one refresh per check. */
class CheckTokens implements TokenProvider {
  readonly storeId: string;
  tokens: QboTokens;
  refreshes = 0;

  constructor(
    private readonly ctx: StoreContext,
    private readonly input: QboCredentialsInput,
  ) {
    this.storeId = `connect:${input.realmId}`;
    this.tokens = {
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      accessToken: input.accessToken ?? null,
      accessTokenExpiresAt: input.accessTokenExpiresAt ?? null,
      refreshToken: input.refreshToken,
      refreshTokenExpiresAt: input.refreshTokenExpiresAt ?? null,
      refreshedAt: null,
    };
  }

  private usable(rejected: string | undefined): string | undefined {
    const { accessToken, accessTokenExpiresAt } = this.tokens;
    if (!accessToken || accessToken === rejected) return undefined;
    if (accessTokenExpiresAt && accessTokenExpiresAt.getTime() - this.ctx.clock().getTime() <= ACCESS_TOKEN_MARGIN_MS) return undefined;
    return accessToken;
  }

  async accessToken(opts: { rejected?: string } = {}): Promise<string> {
    const token = this.usable(opts.rejected);
    if (token) return token;
    if (this.refreshes > 0) throw new QboAuthError(`QBO refused a freshly refreshed access token for realm ${this.input.realmId}`);
    this.refreshes += 1;
    const issued = await requestRefresh({
      tokenUrl: this.ctx.qboTokenUrl ?? QBO_TOKEN_URL,
      clientId: this.tokens.clientId,
      clientSecret: this.tokens.clientSecret,
      refreshToken: this.tokens.refreshToken,
      realmId: this.input.realmId,
    });
    const now = this.ctx.clock();
    this.tokens = {
      ...this.tokens,
      accessToken: issued.accessToken,
      accessTokenExpiresAt: new Date(now.getTime() + issued.expiresInSec * 1000),
      refreshToken: issued.refreshToken,
      refreshTokenExpiresAt:
        issued.refreshExpiresInSec === undefined
          ? this.tokens.refreshTokenExpiresAt
          : new Date(now.getTime() + issued.refreshExpiresInSec * 1000),
      refreshedAt: now,
    };
    return issued.accessToken;
  }
}

export interface QboCheck {
  client: QboClient;
  companyInfo: Record<string, unknown>;
  preferences: Record<string, unknown>;
  /** The tokens to persist (rotated if a refresh happened). */
  tokens(): QboTokens;
  /** True once a refresh has rotated the refresh token the caller sent. */
  rotated(): boolean;
}

/** Maps what the QBO client or the token endpoint threw to the API's answer. */
export function qboHttpError(err: unknown, realmId: string, refreshed: boolean): unknown {
  if (err instanceof QboConnectionRevokedError) {
    return new HttpError(
      422,
      'qbo_rejected',
      'QBO refused the refresh token (invalid_grant): it is expired, revoked or was already rotated. Reconnect the company to get new tokens.',
    );
  }
  if (err instanceof QboAuthError) {
    return refreshed
      ? new HttpError(
          422,
          'qbo_realm_mismatch',
          `QBO accepted the refresh token but refuses its access token for realm ${realmId}: the tokens were issued for another company. Check qbo.realmId.`,
        )
      : new HttpError(422, 'qbo_rejected', `QBO refused the access token for realm ${realmId}`);
  }
  if (err instanceof QboThrottledError || err instanceof TransientUpstreamError) {
    return new HttpError(502, 'qbo_unavailable', `Could not check the QBO connection of realm ${realmId}: ${err.message}. Try again.`);
  }
  if (err instanceof QboValidationError) return new HttpError(422, 'qbo_rejected', err.message);
  if (isLedgerlineError(err) && err.code === 'qbo_token_rejected') {
    return new HttpError(422, 'qbo_rejected', `QBO refused the app's client id and secret: ${err.message}`);
  }
  if (err instanceof LedgerlineError && err.code === 'qbo_request_failed') {
    // HTTP 403: the app is not authorised for this company (another realm, or access withdrawn).
    return new HttpError(422, 'qbo_rejected', `QBO refused access to realm ${realmId}: ${err.message}`);
  }
  return err;
}

/** Reads CompanyInfo and Preferences; throws HttpErrors for rejected credentials. */
export async function checkQbo(ctx: StoreContext, input: QboCredentialsInput): Promise<QboCheck> {
  const tokens = new CheckTokens(ctx, input);
  const client = createQboClient({
    realmId: input.realmId,
    tokens,
    limiter: ctx.limiter,
    logger: ctx.log,
    timeoutMs: QBO_CHECK_TIMEOUT_MS,
    ...(ctx.qboEndpoint ? { endpoint: ctx.qboEndpoint } : {}),
  });
  try {
    const companyInfo = await client.companyInfo();
    const preferences = await client.preferences();
    return { client, companyInfo, preferences, tokens: () => tokens.tokens, rotated: () => tokens.tokens.refreshedAt !== null };
  } catch (err) {
    const rotated = tokens.tokens.refreshedAt !== null;
    throw withRotationNote(qboHttpError(err, input.realmId, rotated), rotated);
  }
}

/**
 * After a refresh the refresh token the caller sent may be dead (docs/qbo-facts.md §3); if the attempt fails
 * afterwards, say so rather than let them retry with it. The new token is never echoed.
 */
export function withRotationNote(err: unknown, rotated: boolean): unknown {
  if (!rotated || !(err instanceof HttpError)) return err;
  return new HttpError(
    err.statusCode,
    err.code,
    `${err.message} Note: Ledgerline refreshed the QBO tokens during this attempt, so the refresh token you sent may no longer work; authorize the company again before retrying.`,
    err.details,
  );
}

/**
 * A QBO client for a connected store, on its stored credentials (refreshed and persisted under the same
 * lock the worker uses), for checks a request makes against the company (a settings update's account ids).
 */
export function storeQboClient(ctx: StoreContext, store: { id: string; qboRealmId: string }): QboClient {
  const tokens = createTokenProvider({
    store: qboCredentialStore(ctx.db),
    cipher: ctx.cipher,
    clock: ctx.clock,
    logger: ctx.log,
    storeId: store.id,
    ...(ctx.qboTokenUrl ? { tokenUrl: ctx.qboTokenUrl } : {}),
  });
  return createQboClient({
    realmId: store.qboRealmId,
    tokens,
    limiter: ctx.limiter,
    logger: ctx.log,
    timeoutMs: QBO_CHECK_TIMEOUT_MS,
    ...(ctx.qboEndpoint ? { endpoint: ctx.qboEndpoint } : {}),
  });
}
