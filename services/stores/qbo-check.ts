/**
 * Checks a QBO company's OAuth tokens at connect (and credential replacement) time: reads CompanyInfo
 * and Preferences with the access token given, refreshing first (integrations/qbo/oauth.ts) when it is
 * absent or expired, and once more on a 401 (the client's auth flow). The caller persists the tokens
 * with the store; but a refresh rotates the refresh token (docs/qbo-facts.md §3: the one sent may be dead
 * once a new one is issued), so the new pair is saved at once, encrypted, as the shop and realm's pending
 * connect (db/queries/pending-connects.ts), before anything else can fail. A retry that sends the refresh
 * token that row replaced uses the saved tokens instead; the caller deletes the row when it succeeds.
 */
import { createHash } from 'node:crypto';
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
import { lockQboRefresh, qboCredentialStore } from '../../db/queries/credentials';
import { prunePendingConnects, readPendingConnect, savePendingConnect, type PendingConnectRow } from '../../db/queries/pending-connects';
import { HttpError } from '../errors';
import type { StoreContext } from './context';

// QBO answers CompanyInfo quickly or not at all; a person is waiting (the client's default is 130 s).
const QBO_CHECK_TIMEOUT_MS = 20_000;

/**
 * How long the tokens of a failed attempt are kept for its retry (never past the refresh token's own expiry).
 * Long enough for a merchant to fix what failed (a setting, an account, a Shopify token) and try again.
 */
export const PENDING_CONNECT_TTL_MS = 30 * 86_400_000;

export interface QboCredentialsInput {
  /** The normalized shop domain the tokens are for: with realmId, the key of the pending connect. */
  shopDomain: string;
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

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** A pending connect an attempt may use: issued to the same app, and it replaced the refresh token sent. */
function pendingMatches(pending: PendingConnectRow | undefined, input: QboCredentialsInput): pending is PendingConnectRow {
  return pending !== undefined && pending.qboClientId === input.clientId && pending.sentRefreshTokenSha256 === sha256(input.refreshToken);
}

/**
 * What became of tokens a refresh rotated: `none` (no refresh, nothing saved), `saved` (the pending connect
 * holds them: a retry with the same refresh token uses them) or `unsaved` (saving failed).
 */
export type Rotation = 'none' | 'saved' | 'unsaved';

/** A TokenProvider over tokens held in memory: at most one refresh per check, its result saved at once. */
class CheckTokens implements TokenProvider {
  readonly storeId: string;
  tokens: QboTokens;
  refreshes = 0;
  rotation: Rotation = 'none';

  constructor(
    private readonly ctx: StoreContext,
    private readonly input: QboCredentialsInput,
    pending: PendingConnectRow | undefined,
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
    if (pending) this.adopt(pending);
  }

  private matches(pending: PendingConnectRow | undefined): pending is PendingConnectRow {
    return pendingMatches(pending, this.input);
  }

  /** Takes the tokens an earlier attempt rotated (and saved) in place of the lapsed ones sent. */
  private adopt(pending: PendingConnectRow): void {
    this.tokens = {
      ...this.tokens,
      accessToken: this.ctx.cipher.decrypt(pending.qboAccessTokenEnc),
      accessTokenExpiresAt: pending.qboAccessTokenExpiresAt,
      refreshToken: this.ctx.cipher.decrypt(pending.qboRefreshTokenEnc),
      refreshTokenExpiresAt: pending.qboRefreshTokenExpiresAt,
      refreshedAt: pending.refreshedAt,
    };
    this.rotation = 'saved';
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
    const { shopDomain, realmId } = this.input;
    let refreshed = false;
    try {
      // Under the realm's refresh lock, so a concurrent attempt with the same tokens waits and then uses what
      // this one saved instead of refreshing a refresh token this one already rotated.
      const token = await this.ctx.db.transaction(async (tx) => {
        await lockQboRefresh(tx, { realmId });
        const pending = await readPendingConnect(tx, { shopDomain, realmId, at: this.ctx.clock() });
        if (this.matches(pending) && this.ctx.cipher.decrypt(pending.qboRefreshTokenEnc) !== this.tokens.refreshToken) {
          this.adopt(pending);
          const adopted = this.usable(opts.rejected);
          if (adopted) return adopted;
        }
        const issued = await requestRefresh({
          tokenUrl: this.ctx.qboTokenUrl ?? QBO_TOKEN_URL,
          clientId: this.tokens.clientId,
          clientSecret: this.tokens.clientSecret,
          refreshToken: this.tokens.refreshToken,
          realmId,
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
        refreshed = true;
        const keepUntil = now.getTime() + PENDING_CONNECT_TTL_MS;
        const refreshExpiry = this.tokens.refreshTokenExpiresAt?.getTime() ?? Infinity;
        await savePendingConnect(tx, {
          shopDomain,
          realmId,
          qboClientId: this.tokens.clientId,
          sentRefreshTokenSha256: sha256(this.input.refreshToken),
          qboAccessTokenEnc: this.ctx.cipher.encrypt(issued.accessToken),
          qboAccessTokenExpiresAt: this.tokens.accessTokenExpiresAt!,
          qboRefreshTokenEnc: this.ctx.cipher.encrypt(issued.refreshToken),
          qboRefreshTokenExpiresAt: this.tokens.refreshTokenExpiresAt,
          refreshedAt: now,
          expiresAt: new Date(Math.min(keepUntil, refreshExpiry)),
        });
        return issued.accessToken;
      });
      if (refreshed) this.rotation = 'saved';
      return token;
    } catch (err) {
      // The refresh answered but its tokens could not be saved: this attempt still holds them in memory and
      // stores them if it succeeds; the error is the database's, not QBO's.
      if (refreshed && this.tokens.accessToken) {
        this.rotation = 'unsaved';
        this.ctx.log.error({ err, shopDomain, realmId }, 'could not save the QBO tokens a connect check rotated');
        return this.tokens.accessToken;
      }
      throw err;
    }
  }
}

export interface QboCheck {
  client: QboClient;
  companyInfo: Record<string, unknown>;
  preferences: Record<string, unknown>;
  /** The tokens to persist (rotated if a refresh happened). */
  tokens(): QboTokens;
  /** True once a refresh has rotated the refresh token the caller sent (in this attempt or a saved earlier one). */
  rotated(): boolean;
  /** Whether the rotated tokens are saved for a retry. */
  rotation(): Rotation;
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

/**
 * The pending connect a check for this shop and realm starts from (expired rows are pruned first; a failure
 * to prune only leaves them for the next attempt, since expired rows are never read).
 */
async function pendingFor(ctx: StoreContext, input: QboCredentialsInput): Promise<PendingConnectRow | undefined> {
  const at = ctx.clock();
  try {
    await prunePendingConnects(ctx.db, { at });
  } catch (err) {
    ctx.log.warn({ err }, 'could not prune expired pending connects');
  }
  return readPendingConnect(ctx.db, { shopDomain: input.shopDomain, realmId: input.realmId, at });
}

/** Reads CompanyInfo and Preferences; throws HttpErrors for rejected credentials. */
export async function checkQbo(ctx: StoreContext, input: QboCredentialsInput): Promise<QboCheck> {
  const found = await pendingFor(ctx, input);
  const pending = pendingMatches(found, input) ? found : undefined;
  if (pending) {
    // An earlier attempt rotated the refresh token sent here: its saved tokens replace the lapsed ones.
    ctx.log.info(
      { shopDomain: input.shopDomain, realmId: input.realmId, refreshedAt: pending.refreshedAt },
      'using the QBO tokens a failed earlier connect attempt rotated and saved',
    );
  }
  const check = new CheckTokens(ctx, input, pending);
  const client = createQboClient({
    realmId: input.realmId,
    tokens: check,
    limiter: ctx.limiter,
    logger: ctx.log,
    timeoutMs: QBO_CHECK_TIMEOUT_MS,
    ...(ctx.qboEndpoint ? { endpoint: ctx.qboEndpoint } : {}),
  });
  try {
    const companyInfo = await client.companyInfo();
    const preferences = await client.preferences();
    return {
      client,
      companyInfo,
      preferences,
      tokens: () => check.tokens,
      rotated: () => check.tokens.refreshedAt !== null,
      rotation: () => check.rotation,
    };
  } catch (err) {
    throw withRotationNote(qboHttpError(err, input.realmId, check.refreshes > 0), check.rotation);
  }
}

/**
 * After a refresh the refresh token the caller sent may be dead (docs/qbo-facts.md §3); if the attempt fails
 * afterwards, say what to do: retry with the same refresh token when the new tokens were saved, else
 * authorize again. The new token is never echoed.
 */
export function withRotationNote(err: unknown, rotation: Rotation): unknown {
  if (rotation === 'none' || !(err instanceof HttpError)) return err;
  const note =
    rotation === 'saved'
      ? `Note: Ledgerline refreshed the QBO tokens for this shop and company and saved the new ones (for up to ${PENDING_CONNECT_TTL_MS / 86_400_000} days): retry with the same refresh token and they are used, so no new authorization is needed.`
      : 'Note: Ledgerline refreshed the QBO tokens during this attempt, so the refresh token you sent may no longer work; authorize the company again before retrying.';
  return new HttpError(err.statusCode, err.code, `${err.message} ${note}`, err.details);
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
