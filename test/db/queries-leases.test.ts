/**
 * The store write lease (db/queries/leases.ts) on PGlite and on a PostgreSQL server: one holder at a time,
 * renewal by the holder, take-over only after it lapses, release only by the holder, and one winner when
 * many race for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import { acquireWriteLease, connectStore, getWriteLease, releaseWriteLease } from '../../db/queries';
import type { Settings } from '../../domain/settings';
import { databaseKinds } from '../support/db';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const TTL = 90_000;

describe.each(databaseKinds)('store write lease on %s', (_kind, open) => {
  let database: Database;
  let n = 0;
  const newStore = async (): Promise<string> => {
    const id = `lease-store-${++n}`;
    await connectStore(database.db, {
      store: { id, shopDomain: `${id}.myshopify.com`, qboRealmId: `r${n}`, settings: {} as Settings, startDate: T0 },
      credentials: { storeId: id, shopifyAccessTokenEnc: 'e', qboClientId: 'c', qboClientSecretEnc: 'e', qboRefreshTokenEnc: 'e' },
    });
    return id;
  };

  beforeAll(async () => {
    database = await open();
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  it('lets one execution hold it, renew it, and keeps the other out until it lapses', async () => {
    const storeId = await newStore();
    const db = database.db;
    expect(await acquireWriteLease(db, { storeId, holder: 'sync:1/a', at: at(0), ttlMs: TTL })).toEqual({ acquired: true });
    expect(await acquireWriteLease(db, { storeId, holder: 'sync:1/b', at: at(10), ttlMs: TTL })).toEqual({
      acquired: false,
      holder: 'sync:1/a',
      expiresAt: at(90),
    });
    // The holder renews: the lease now runs to 60 + 90 s and keeps its first acquisition time.
    expect(await acquireWriteLease(db, { storeId, holder: 'sync:1/a', at: at(60), ttlMs: TTL })).toEqual({ acquired: true });
    expect(await getWriteLease(db, { storeId })).toEqual({ holder: 'sync:1/a', acquiredAt: at(0), expiresAt: at(150) });
    expect((await acquireWriteLease(db, { storeId, holder: 'sync:1/b', at: at(149), ttlMs: TTL })).acquired).toBe(false);
    // Lapsed (the holder's worker died): the next execution takes it over.
    expect(await acquireWriteLease(db, { storeId, holder: 'sync:1/b', at: at(151), ttlMs: TTL })).toEqual({ acquired: true });
    expect(await getWriteLease(db, { storeId })).toEqual({ holder: 'sync:1/b', acquiredAt: at(151), expiresAt: at(241) });
    // The old holder's late release does not free the new holder's lease; its renewal fails.
    await releaseWriteLease(db, { storeId, holder: 'sync:1/a' });
    expect((await getWriteLease(db, { storeId }))?.holder).toBe('sync:1/b');
    expect((await acquireWriteLease(db, { storeId, holder: 'sync:1/a', at: at(160), ttlMs: TTL })).acquired).toBe(false);
    await releaseWriteLease(db, { storeId, holder: 'sync:1/b' });
    expect(await getWriteLease(db, { storeId })).toBeNull();
    expect((await acquireWriteLease(db, { storeId, holder: 'sync:2/c', at: at(161), ttlMs: TTL })).acquired).toBe(true);
  });

  it('gives it to exactly one of many executions racing for it', async () => {
    const storeId = await newStore();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => acquireWriteLease(database.db, { storeId, holder: `sync:${i}/r`, at: at(0), ttlMs: TTL })),
    );
    const winners = results.flatMap((r, i) => (r.acquired ? [`sync:${i}/r`] : []));
    expect(winners).toHaveLength(1);
    expect((await getWriteLease(database.db, { storeId }))?.holder).toBe(winners[0]);
    for (const r of results) if (!r.acquired) expect(r.holder).toBe(winners[0]);
  });

  it('is held per store: another store is never blocked', async () => {
    const a = await newStore();
    const b = await newStore();
    expect((await acquireWriteLease(database.db, { storeId: a, holder: 'x/1', at: at(0), ttlMs: TTL })).acquired).toBe(true);
    expect((await acquireWriteLease(database.db, { storeId: b, holder: 'y/1', at: at(0), ttlMs: TTL })).acquired).toBe(true);
  });
});
