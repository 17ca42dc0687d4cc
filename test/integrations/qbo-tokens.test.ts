import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import { stores } from '../../db/schema';
import { QboConnectionRevokedError } from '../../domain/errors';
import { defaultCompany, startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { requestRefresh } from '../../integrations/qbo/oauth';
import { createTokenProvider, refreshNow, type TokenDeps } from '../../integrations/qbo/tokens';
import { databaseKinds } from '../support/db';
import { credentialsRow, insertStore, logger, testCipher } from './helpers';
import { qboCredentialStore } from '../../db/queries';

const REALM = '9130350000000101';
const STORE = 'store-tokens';
const HOUR = 3_600_000;

let emu: QboEmulatorHandle;

beforeAll(async () => {
  emu = await startQboEmulator({ companies: [defaultCompany({ realmId: REALM, country: 'US' })], limits: false });
});

afterAll(async () => {
  await emu.close();
});

describe.each(databaseKinds)('QBO token provider on %s', (_kind, open) => {
  let database: Database;
  const cipher = testCipher();
  let deps: TokenDeps;

  beforeAll(async () => {
    database = await open();
    deps = { store: qboCredentialStore(database.db), cipher, tokenUrl: emu.tokenUrl, clock: () => new Date(), logger };
  });

  afterAll(async () => {
    await database.close();
  });

  beforeEach(async () => {
    await database.db.delete(stores);
  });

  async function storeWith(opts: { accessToken?: string; accessTokenExpiresAt?: Date } = {}) {
    const issued = emu.admin.issueTokens(REALM);
    await insertStore(database.db, cipher, {
      storeId: STORE,
      realmId: REALM,
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      refreshToken: issued.refreshToken,
      ...opts,
    });
    return issued;
  }

  it('refreshes a missing access token and persists the rotated refresh token, encrypted, in the same step', async () => {
    const issued = await storeWith();
    const token = await createTokenProvider({ ...deps, storeId: STORE }).accessToken();

    const row = await credentialsRow(database.db, STORE);
    expect(row.version).toBe(1);
    expect(cipher.decrypt(row.qboAccessTokenEnc!)).toBe(token);
    const rotated = cipher.decrypt(row.qboRefreshTokenEnc);
    expect(rotated).not.toBe(issued.refreshToken);
    const stored = JSON.stringify(row);
    for (const secret of [token, rotated, issued.refreshToken, emu.clientSecret]) expect(stored).not.toContain(secret);
    expect(row.qboAccessTokenExpiresAt!.getTime() - Date.now()).toBeGreaterThan(HOUR - 60_000);
    expect(row.refreshedAt).not.toBeNull();

    // The emulator rotated: the old refresh token is dead, the stored one works.
    const old = { tokenUrl: emu.tokenUrl, clientId: emu.clientId, clientSecret: emu.clientSecret, realmId: REALM };
    await expect(requestRefresh({ ...old, refreshToken: issued.refreshToken })).rejects.toBeInstanceOf(QboConnectionRevokedError);
    await expect(requestRefresh({ ...old, refreshToken: rotated })).resolves.toMatchObject({ expiresInSec: 3600 });
  });

  it('serves a stored access token that is far from expiry without refreshing', async () => {
    const issued = await storeWith({ accessToken: 'at-still-good', accessTokenExpiresAt: new Date(Date.now() + HOUR) });
    await expect(createTokenProvider({ ...deps, storeId: STORE }).accessToken()).resolves.toBe('at-still-good');
    const row = await credentialsRow(database.db, STORE);
    expect(row.version).toBe(0);
    expect(cipher.decrypt(row.qboRefreshTokenEnc)).toBe(issued.refreshToken);
  });

  it('refreshes a token that expires within five minutes', async () => {
    await storeWith({ accessToken: 'at-about-to-expire', accessTokenExpiresAt: new Date(Date.now() + 4 * 60_000) });
    const token = await createTokenProvider({ ...deps, storeId: STORE }).accessToken();
    expect(token).not.toBe('at-about-to-expire');
    expect((await credentialsRow(database.db, STORE)).version).toBe(1);
  });

  it('lets two workers that refresh one realm at once share a single refresh', async () => {
    await storeWith();
    // Two providers stand for two workers; with rotation, a second refresh with the old token would
    // get invalid_grant, so both succeeding with one version bump proves one refresh happened.
    const a = createTokenProvider({ ...deps, storeId: STORE });
    const b = createTokenProvider({ ...deps, storeId: STORE });
    const [ta, tb, tc] = await Promise.all([a.accessToken(), b.accessToken(), a.accessToken()]);
    expect(tb).toBe(ta);
    expect(tc).toBe(ta);
    expect((await credentialsRow(database.db, STORE)).version).toBe(1);
  });

  it('refreshes a token QBO rejected, unless another worker already replaced it', async () => {
    await storeWith({ accessToken: 'at-rejected', accessTokenExpiresAt: new Date(Date.now() + HOUR) });
    const provider = createTokenProvider({ ...deps, storeId: STORE });
    const fresh = await provider.accessToken({ rejected: 'at-rejected' });
    expect(fresh).not.toBe('at-rejected');
    // A second worker still holding the old token must get the new one, not refresh again.
    await expect(provider.accessToken({ rejected: 'at-rejected' })).resolves.toBe(fresh);
    expect((await credentialsRow(database.db, STORE)).version).toBe(1);
  });

  it('reports invalid_grant as QboConnectionRevokedError and leaves the row untouched', async () => {
    await storeWith();
    emu.admin.revokeTokens(REALM);
    const error = await createTokenProvider({ ...deps, storeId: STORE })
      .accessToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QboConnectionRevokedError);
    expect((error as QboConnectionRevokedError).retryable).toBe(false);
    expect((await credentialsRow(database.db, STORE)).version).toBe(0);
  });

  it('refreshes on demand for the daily keep-alive even when the access token is fresh', async () => {
    await storeWith({ accessToken: 'at-fresh', accessTokenExpiresAt: new Date(Date.now() + HOUR) });
    const outcome = await refreshNow(deps, STORE);
    expect(outcome.refreshed).toBe(true);
    expect(outcome.refreshTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 90 * 24 * HOUR);
    const row = await credentialsRow(database.db, STORE);
    expect(row.version).toBe(1);
    expect(cipher.decrypt(row.qboAccessTokenEnc!)).not.toBe('at-fresh');
  });
});
