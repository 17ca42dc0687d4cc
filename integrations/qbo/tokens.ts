/**
 * QBO OAuth tokens for one store (docs/qbo-facts.md §3): the access token lives one hour, the refresh token
 * rotates and the previous one dies with `invalid_grant` once a new one is issued. So refreshes are
 * serialised per realm across every worker with a PostgreSQL advisory transaction lock, the row is
 * re-read under the lock (another worker may have refreshed meanwhile: then its token is used), and
 * the rotated refresh token is persisted, encrypted, in the same transaction before the new access
 * token is handed out. Tokens are never logged. Where the credentials live is the caller's
 * (QboCredentialStore; PostgreSQL through db/queries/credentials.ts, wired in the composition root).
 */
import type { Logger } from '../../config/logger';
import type { Cipher } from '../../config/secrets';
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

/** Stored QBO credentials: every secret an encrypted envelope (decrypted here, with `cipher`). */
export interface StoredQboCredentials {
  realmId: string;
  clientId: string;
  clientSecretEnc: string;
  accessTokenEnc: string | null;
  accessTokenExpiresAt: Date | null;
  refreshTokenEnc: string;
  refreshTokenExpiresAt: Date | null;
  /** Optimistic lock: a refresh writes only if the version it read is still current. */
  version: number;
}

export interface RefreshedTokenEnvelopes {
  accessTokenEnc: string;
  accessTokenExpiresAt: Date;
  refreshTokenEnc: string;
  refreshTokenExpiresAt: Date | null;
  at: Date;
}

/** Where the token provider reads and writes a store's credentials. */
export interface QboCredentialStore {
  read(storeId: string): Promise<StoredQboCredentials | undefined>;
  /**
   * Runs `body` holding the realm's refresh lock (across every process) until it returns; `read` and
   * `writeRefreshed` inside it are part of the same atomic step. `writeRefreshed` answers the new
   * version, or undefined when the row is no longer at `expectedVersion`.
   */
  withRefreshLock<T>(
    realmId: string,
    body: (locked: {
      read(storeId: string): Promise<StoredQboCredentials | undefined>;
      writeRefreshed(storeId: string, expectedVersion: number, tokens: RefreshedTokenEnvelopes): Promise<number | undefined>;
    }) => Promise<T>,
  ): Promise<T>;
}

export interface TokenDeps {
  store: QboCredentialStore;
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

async function readCredentials(read: QboCredentialStore['read'], storeId: string): Promise<StoredQboCredentials> {
  const row = await read(storeId);
  if (!row) throw new InvalidInputError(`No QBO credentials are stored for store ${storeId}`, { storeId });
  return row;
}

type Credentials = StoredQboCredentials;

function usableToken(deps: TokenDeps, row: Credentials, rejected: string | undefined): string | undefined {
  if (!row.accessTokenEnc || !row.accessTokenExpiresAt) return undefined;
  if (row.accessTokenExpiresAt.getTime() - deps.clock().getTime() <= ACCESS_TOKEN_MARGIN_MS) return undefined;
  const token = deps.cipher.decrypt(row.accessTokenEnc);
  return token === rejected ? undefined : token;
}

/** Refreshes under the realm's lock unless, once the lock is held, the stored token is usable. */
async function refreshLocked(
  deps: TokenDeps,
  storeId: string,
  realmId: string,
  want: { force: boolean; rejected?: string },
): Promise<{ token: string } & RefreshOutcome> {
  return deps.store.withRefreshLock(realmId, async (locked) => {
    const row = await readCredentials((id) => locked.read(id), storeId);
    const current = want.force ? undefined : usableToken(deps, row, want.rejected);
    if (current) {
      return {
        token: current,
        accessTokenExpiresAt: row.accessTokenExpiresAt!,
        refreshTokenExpiresAt: row.refreshTokenExpiresAt,
        refreshed: false,
      };
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
    const refreshTokenExpiresAt =
      issued.refreshExpiresInSec === undefined ? row.refreshTokenExpiresAt : new Date(now.getTime() + issued.refreshExpiresInSec * 1000);
    const version = await locked.writeRefreshed(storeId, row.version, {
      accessTokenEnc: deps.cipher.encrypt(issued.accessToken),
      accessTokenExpiresAt,
      // docs/qbo-facts.md §3: always persist the returned refresh token; the one we sent may be dead now.
      refreshTokenEnc: deps.cipher.encrypt(issued.refreshToken),
      refreshTokenExpiresAt,
      at: now,
    });
    if (version === undefined) {
      // Only a reconnect writes credentials without the lock; its tokens win and this call retries.
      throw new TransientUpstreamError(`QBO credentials of store ${storeId} changed during a token refresh`, { storeId });
    }
    deps.logger.info({ storeId, realmId, version, accessTokenExpiresAt }, 'qbo tokens refreshed');
    return { token: issued.accessToken, accessTokenExpiresAt, refreshTokenExpiresAt, refreshed: true };
  });
}

export function createTokenProvider(deps: TokenDeps & { storeId: string }): TokenProvider {
  const { storeId } = deps;
  return {
    storeId,
    async accessToken(opts = {}) {
      const row = await readCredentials((id) => deps.store.read(id), storeId);
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
  const row = await readCredentials((id) => deps.store.read(id), storeId);
  const { token: _token, ...outcome } = await refreshLocked(deps, storeId, row.realmId, { force: true });
  return outcome;
}
