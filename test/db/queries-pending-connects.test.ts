/**
 * Pending connects (db/queries/pending-connects.ts) and a shop's own webhook secret (db/queries/shop-secrets.ts)
 * on PGlite and on a PostgreSQL server: one row per shop and realm, replaced by a later save, never read once
 * expired, pruned by expiry, deleted by shop and realm; the secret found by shop domain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import {
  connectStore,
  deletePendingConnect,
  findShopApiSecret,
  prunePendingConnects,
  readPendingConnect,
  savePendingConnect,
  type NewPendingConnect,
} from '../../db/queries';
import type { Settings } from '../../domain/settings';
import { databaseKinds } from '../support/db';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

const pending = (shopDomain: string, realmId: string, over: Partial<NewPendingConnect> = {}): NewPendingConnect => ({
  shopDomain,
  realmId,
  qboClientId: 'client-1',
  sentRefreshTokenSha256: 'a'.repeat(64),
  qboAccessTokenEnc: 'v1.k.at',
  qboAccessTokenExpiresAt: at(3600),
  qboRefreshTokenEnc: 'v1.k.rt',
  qboRefreshTokenExpiresAt: at(86_400 * 100),
  refreshedAt: T0,
  expiresAt: at(86_400),
  ...over,
});

describe.each(databaseKinds)('pending connects on %s', (_kind, open) => {
  let database: Database;

  beforeAll(async () => {
    database = await open();
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  it('keeps one row per shop and realm, which a later save replaces', async () => {
    const db = database.db;
    await savePendingConnect(db, pending('one.myshopify.com', '111'));
    await savePendingConnect(db, pending('one.myshopify.com', '222', { qboRefreshTokenEnc: 'v1.k.other-realm' }));
    await savePendingConnect(db, pending('one.myshopify.com', '111', { qboRefreshTokenEnc: 'v1.k.rt2', refreshedAt: at(60) }));

    const row = await readPendingConnect(db, { shopDomain: 'one.myshopify.com', realmId: '111', at: at(120) });
    expect(row).toMatchObject({ qboRefreshTokenEnc: 'v1.k.rt2', refreshedAt: at(60), qboClientId: 'client-1' });
    expect(await readPendingConnect(db, { shopDomain: 'one.myshopify.com', realmId: '222', at: at(120) })).toMatchObject({
      qboRefreshTokenEnc: 'v1.k.other-realm',
    });
    expect(await readPendingConnect(db, { shopDomain: 'two.myshopify.com', realmId: '111', at: at(120) })).toBeUndefined();

    await deletePendingConnect(db, { shopDomain: 'one.myshopify.com', realmId: '111' });
    expect(await readPendingConnect(db, { shopDomain: 'one.myshopify.com', realmId: '111', at: at(120) })).toBeUndefined();
    expect(await readPendingConnect(db, { shopDomain: 'one.myshopify.com', realmId: '222', at: at(120) })).toBeDefined();
  });

  it('never reads a row once it expired, and prunes exactly the expired ones', async () => {
    const db = database.db;
    await savePendingConnect(db, pending('old.myshopify.com', '333', { expiresAt: at(100) }));
    await savePendingConnect(db, pending('new.myshopify.com', '333', { expiresAt: at(10_000) }));
    expect(await readPendingConnect(db, { shopDomain: 'old.myshopify.com', realmId: '333', at: at(99) })).toBeDefined();
    expect(await readPendingConnect(db, { shopDomain: 'old.myshopify.com', realmId: '333', at: at(100) })).toBeUndefined();

    expect(await prunePendingConnects(db, { at: at(50) })).toBe(0);
    const pruned = await prunePendingConnects(db, { at: at(100) });
    expect(pruned).toBeGreaterThanOrEqual(1);
    expect(await readPendingConnect(db, { shopDomain: 'old.myshopify.com', realmId: '333', at: at(0) })).toBeUndefined();
    expect(await readPendingConnect(db, { shopDomain: 'new.myshopify.com', realmId: '333', at: at(100) })).toBeDefined();
  });

  it("finds a connected shop's own API secret envelope by its domain, and nothing for a shop without one", async () => {
    const db = database.db;
    const store = (id: string, secretEnc?: string) =>
      connectStore(db, {
        store: { id, shopDomain: `${id}.myshopify.com`, qboRealmId: '444', settings: {} as Settings, startDate: T0 },
        credentials: {
          storeId: id,
          shopifyAccessTokenEnc: 'e',
          qboClientId: 'c',
          qboClientSecretEnc: 'e',
          qboRefreshTokenEnc: 'e',
          ...(secretEnc ? { shopifyApiSecretEnc: secretEnc } : {}),
        },
      });
    await store('own-secret', 'v1.k.own');
    await store('app-secret');
    const at = new Date();
    expect(await findShopApiSecret(db, { shopDomain: 'own-secret.myshopify.com', at })).toEqual({ current: 'v1.k.own' });
    expect(await findShopApiSecret(db, { shopDomain: 'app-secret.myshopify.com', at })).toBeUndefined();
    expect(await findShopApiSecret(db, { shopDomain: 'nobody.myshopify.com', at })).toBeUndefined();
  });
});
