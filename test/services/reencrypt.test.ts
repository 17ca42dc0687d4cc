/**
 * `npm run secrets:reencrypt` (issue #13 item 15): every stored credential moves to the newest key, and
 * what cannot be moved is reported, on a real PGlite database.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCipher } from '../../config/secrets';
import type { Database } from '../../db/client';
import { pendingConnects, qboGrants, shopifyGrants, storeCredentials, stores } from '../../db/schema';
import type { Settings } from '../../domain/settings';
import { reencryptCredentials } from '../../services/secrets';
import { pgliteDatabase } from '../support/db';

const key = () => randomBytes(32).toString('base64');
const OLD = `old:${key()}`;
const NEW = `new:${key()}`;
const LOST = `lost:${key()}`;

let database: Database;
beforeAll(async () => {
  database = await pgliteDatabase();
}, 60_000);
afterAll(async () => {
  await database?.close();
});

async function storeWith(id: string, cipher: ReturnType<typeof createCipher>, accessToken: string | null) {
  await database.db.insert(stores).values({
    id,
    shopDomain: `${id}.myshopify.com`,
    qboRealmId: `9130${id.length}000`,
    settings: {} as Settings,
    startDate: new Date(0),
  });
  await database.db.insert(storeCredentials).values({
    storeId: id,
    shopifyAccessTokenEnc: cipher.encrypt(`shpat_${id}`),
    qboClientId: 'client',
    qboClientSecretEnc: cipher.encrypt(`secret_${id}`),
    qboAccessTokenEnc: accessToken === null ? null : cipher.encrypt(accessToken),
    qboRefreshTokenEnc: cipher.encrypt(`refresh_${id}`),
  });
}

const row = async (id: string) => (await database.db.select().from(storeCredentials).where(eq(storeCredentials.storeId, id)))[0]!;
const keyIds = (r: Awaited<ReturnType<typeof row>>) =>
  [r.shopifyAccessTokenEnc, r.qboClientSecretEnc, r.qboAccessTokenEnc, r.qboRefreshTokenEnc]
    .filter((v) => v !== null)
    .map((v) => v.split('.')[1]);

describe('reencryptCredentials', () => {
  it('rewrites every credential under the newest key, keeps the values, and reports what names a key it does not have', async () => {
    await storeWith('alpha', createCipher(OLD), 'access_alpha');
    await storeWith('beta', createCipher(OLD), null);
    await storeWith('gamma', createCipher(LOST), 'access_gamma');
    const before = await row('alpha');

    const rotated = createCipher(`${NEW},${OLD}`);
    const report = await reencryptCredentials(database.db, rotated);
    expect(report).toMatchObject({ currentKeyId: 'new', stores: 3, reencrypted: 7, current: 0 });
    expect(report.remaining.map((r) => [r.storeId, r.column, r.keyId])).toEqual([
      ['gamma', 'shopifyAccessTokenEnc', 'lost'],
      ['gamma', 'qboClientSecretEnc', 'lost'],
      ['gamma', 'qboAccessTokenEnc', 'lost'],
      ['gamma', 'qboRefreshTokenEnc', 'lost'],
    ]);
    expect(JSON.stringify(report)).not.toMatch(/shpat_|secret_|access_|refresh_/);

    const alpha = await row('alpha');
    expect(keyIds(alpha)).toEqual(['new', 'new', 'new', 'new']);
    expect(keyIds(await row('beta'))).toEqual(['new', 'new', 'new']);
    expect(keyIds(await row('gamma'))).toEqual(['lost', 'lost', 'lost', 'lost']);
    const onlyNew = createCipher(NEW);
    expect(onlyNew.decrypt(alpha.qboRefreshTokenEnc)).toBe('refresh_alpha');
    expect(onlyNew.decrypt(alpha.shopifyAccessTokenEnc)).toBe('shpat_alpha');
    // The version moves, so a token refresh that read the row before retries with the new envelopes.
    expect(alpha.version).toBe(before.version + 1);

    // A second run has nothing left to do for the stores it could rewrite.
    expect(await reencryptCredentials(database.db, rotated)).toMatchObject({ reencrypted: 0, current: 7 });
  });

  it('rewrites the secrets of connects in progress (rotated tokens, OAuth grants) and names the ones it cannot', async () => {
    const old = createCipher(OLD);
    const at = new Date('2026-12-03T12:00:00Z');
    await database.db.insert(pendingConnects).values({
      shopDomain: 'delta.myshopify.com',
      realmId: '9130400',
      qboClientId: 'client',
      sentRefreshTokenSha256: 'ab'.repeat(32),
      qboAccessTokenEnc: old.encrypt('access_delta'),
      qboAccessTokenExpiresAt: at,
      qboRefreshTokenEnc: old.encrypt('refresh_delta'),
      refreshedAt: at,
      expiresAt: new Date(at.getTime() + 3_600_000),
    });
    await database.db.insert(qboGrants).values([
      {
        id: 'qbog_one',
        shopDomain: 'delta.myshopify.com',
        realmId: '9130400',
        qboClientId: 'client',
        qboAccessTokenEnc: old.encrypt('access_grant'),
        qboAccessTokenExpiresAt: at,
        qboRefreshTokenEnc: old.encrypt('refresh_grant'),
        createdAt: at,
      },
      {
        id: 'qbog_lost',
        shopDomain: 'delta.myshopify.com',
        realmId: '9130400',
        qboClientId: 'client',
        qboAccessTokenEnc: createCipher(LOST).encrypt('access_lost'),
        qboAccessTokenExpiresAt: at,
        qboRefreshTokenEnc: createCipher(NEW).encrypt('refresh_lost'),
        createdAt: at,
      },
    ]);

    await database.db.insert(shopifyGrants).values({
      id: 'shpg_one',
      shopDomain: 'delta.myshopify.com',
      shopifyClientId: 'app',
      shopifyAccessTokenEnc: old.encrypt('access_shopify_grant'),
      scopes: 'read_orders',
      createdAt: at,
      expiresAt: new Date(at.getTime() + 86_400_000),
    });

    const report = await reencryptCredentials(database.db, createCipher(`${NEW},${OLD}`));
    expect(report.staged).toEqual({ reencrypted: 5, current: 1 });
    expect(report.remainingStaged.map((r) => [r.table, r.id, r.column, r.keyId])).toEqual([
      ['qbo_grants', 'qbog_lost', 'qboAccessTokenEnc', 'lost'],
    ]);
    expect(JSON.stringify(report)).not.toMatch(/access_|refresh_/);

    const onlyNew = createCipher(NEW);
    const [pending] = await database.db.select().from(pendingConnects);
    expect(onlyNew.decrypt(pending!.qboAccessTokenEnc)).toBe('access_delta');
    expect(onlyNew.decrypt(pending!.qboRefreshTokenEnc)).toBe('refresh_delta');
    const [grant] = await database.db.select().from(qboGrants).where(eq(qboGrants.id, 'qbog_one'));
    expect(onlyNew.decrypt(grant!.qboRefreshTokenEnc)).toBe('refresh_grant');
    expect(onlyNew.decrypt(grant!.qboAccessTokenEnc)).toBe('access_grant');
    const [shopGrant] = await database.db.select().from(shopifyGrants);
    expect(onlyNew.decrypt(shopGrant!.shopifyAccessTokenEnc)).toBe('access_shopify_grant');
  });
});
