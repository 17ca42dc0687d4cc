/**
 * QBO OAuth tokens for one store (docs/qbo-facts.md §3): the access token lives one hour, the refresh token
 * rotates and the previous one dies with `invalid_grant` once a new one is issued. So refreshes are
 * serialised per realm across every worker with a PostgreSQL advisory transaction lock, the row is
 * re-read under the lock (another worker may have refreshed meanwhile: then its token is used), and
 * the rotated refresh token is persisted, encrypted, in the same transaction before the new access
 * token is handed out. Tokens are never logged.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Logger } from '../../config/logger';
import type { Cipher } from '../../config/secrets';
import type { Db } from '../../db/client';
import { storeCredentials, stores } from '../../db/schema';
import { InvalidInputError, TransientUpstreamError } from '../../domain/errors';
import { requestRefresh } from './oauth';

export const QBO_TOKEN_URL = 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer';
/** Refresh an access token this close to its expiry, so no call starts with a token about to die. */
export const ACCESS_TOKEN_MARGIN_MS = 5 * 60_000;

export interface TokenProvider {
  readonly storeId: string;
  /**
   * A valid access token. `rejected`: the token QBO just answered 401 to; unless another worker has
   * already replaced it, it is refreshed now.
   */
  accessToken(opts?: { rejected?: string }): Promise<string>;
}

export interface TokenDeps {
  db: Db;
  cipher: Cipher;
  /** Default: Intuit's token endpoint; tests use the emulator's `/oauth2/v1/tokens/bearer`. */
  tokenUrl?: string;
  clock: () => Date;
  logger: Logger;
}

export interface RefreshOutcome {
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date | null;
  /** False when another worker had refreshed already and its fresh token was used. */
  refreshed: boolean;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

async function readCredentials(db: Db | Tx, storeId: string) {
  const [row] = await db
    .select({
      realmId: stores.qboRealmId,
      clientId: storeCredentials.qboClientId,
      clientSecretEnc: storeCredentials.qboClientSecretEnc,
      accessTokenEnc: storeCredentials.qboAccessTokenEnc,
      accessTokenExpiresAt: storeCredentials.qboAccessTokenExpiresAt,
      refreshTokenEnc: storeCredentials.qboRefreshTokenEnc,
      refreshTokenExpiresAt: storeCredentials.qboRefreshTokenExpiresAt,
      version: storeCredentials.version,
    })
    .from(storeCredentials)
    .innerJoin(stores, eq(stores.id, storeCredentials.storeId))
    .where(eq(storeCredentials.storeId, storeId))
    .limit(1);
  if (!row) throw new InvalidInputError(`No QBO credentials are stored for store ${storeId}`, { storeId });
  return row;
}

type Credentials = Awaited<ReturnType<typeof readCredentials>>;

function usableToken(deps: TokenDeps, row: Credentials, rejected: string | undefined): string | undefined {
  if (!row.accessTokenEnc || !row.accessTokenExpiresAt) return undefined;
  if (row.accessTokenExpiresAt.getTime() - deps.clock().getTime() <= ACCESS_TOKEN_MARGIN_MS) return undefined;
  const token = deps.cipher.decrypt(row.accessTokenEnc);
  return token === rejected ? undefined : token;
}

/** Refreshes under the realm's lock unless, once the lock is held, the stored token is usable. */
async function refreshLocked(
  deps: TokenDeps, storeId: string, realmId: string, want: { force: boolean; rejected?: string },
): Promise<{ token: string } & RefreshOutcome> {
  return deps.db.transaction(async (tx) => {
    // Works in PostgreSQL and PGlite; released at commit or rollback.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`qbo-refresh:${realmId}`}))`);
    const row = await readCredentials(tx, storeId);
    const current = want.force ? undefined : usableToken(deps, row, want.rejected);
    if (current) {
      return { token: current, accessTokenExpiresAt: row.accessTokenExpiresAt!, refreshTokenExpiresAt: row.refreshTokenExpiresAt, refreshed: false };
    }
    const issued = await requestRefresh({
      tokenUrl: deps.tokenUrl ?? QBO_TOKEN_URL,
      clientId: row.clientId,
      clientSecret: deps.cipher.decrypt(row.clientSecretEnc),
      refreshToken: deps.cipher.decrypt(row.refreshTokenEnc),
      realmId: row.realmId,
    });
    const now = deps.clock();
    const accessTokenExpiresAt = new Date(now.getTime() + issued.expiresInSec * 1000);
    const refreshTokenExpiresAt = issued.refreshExpiresInSec === undefined ? row.refreshTokenExpiresAt : new Date(now.getTime() + issued.refreshExpiresInSec * 1000);
    const written = await tx
      .update(storeCredentials)
      .set({
        qboAccessTokenEnc: deps.cipher.encrypt(issued.accessToken),
        qboAccessTokenExpiresAt: accessTokenExpiresAt,
        // docs/qbo-facts.md §3: always persist the returned refresh token; the one we sent may be dead now.
        qboRefreshTokenEnc: deps.cipher.encrypt(issued.refreshToken),
        qboRefreshTokenExpiresAt: refreshTokenExpiresAt,
        version: sql`${storeCredentials.version} + 1`,
        refreshedAt: now,
        updatedAt: now,
      })
      .where(and(eq(storeCredentials.storeId, storeId), eq(storeCredentials.version, row.version)))
      .returning({ version: storeCredentials.version });
    if (written.length === 0) {
      // Only a reconnect writes credentials without the lock; its tokens win and this call retries.
      throw new TransientUpstreamError(`QBO credentials of store ${storeId} changed during a token refresh`, { storeId });
    }
    deps.logger.info({ storeId, realmId, version: written[0]!.version, accessTokenExpiresAt }, 'qbo tokens refreshed');
    return { token: issued.accessToken, accessTokenExpiresAt, refreshTokenExpiresAt, refreshed: true };
  });
}

export function createTokenProvider(deps: TokenDeps & { storeId: string }): TokenProvider {
  const { storeId } = deps;
  return {
    storeId,
    async accessToken(opts = {}) {
      const row = await readCredentials(deps.db, storeId);
      const token = usableToken(deps, row, opts.rejected);
      if (token) return token;
      const rejected = opts.rejected === undefined ? {} : { rejected: opts.rejected };
      return (await refreshLocked(deps, storeId, row.realmId, { force: false, ...rejected })).token;
    },
  };
}

/**
 * Refreshes the store's tokens now, whatever their expiry: the daily keep-alive, which keeps the
 * refresh token inside its 100-day inactivity window (docs/qbo-facts.md §3).
 */
export async function refreshNow(deps: TokenDeps, storeId: string): Promise<RefreshOutcome> {
  const row = await readCredentials(deps.db, storeId);
  const { token: _token, ...outcome } = await refreshLocked(deps, storeId, row.realmId, { force: true });
  return outcome;
}
