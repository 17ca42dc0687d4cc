/**
 * The store state transitions (db/queries/stores.ts) and the sync-run records that land on a store
 * (db/queries/sync-runs.ts), on PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import {
  completeSyncRun,
  connectStore,
  disconnectStore,
  failSyncRun,
  findStoreByShopDomain,
  getStore,
  getStoreCredentials,
  getStoreWithShopifyToken,
  latestSyncRuns,
  listConnectedStores,
  listStores,
  markConnectionHealthy,
  pauseStore,
  readQboCredentials,
  recordRunCompleted,
  replaceStoreCredentials,
  resumeStore,
  setStoreTimezone,
  startSyncRun,
  storeExists,
  updateStoreSettings,
  type NewStore,
} from '../../db/queries';
import { defaultSettings } from '../../domain/settings';
import { pgliteDatabase } from '../support/db';

const settings = defaultSettings(
  {
    undepositedFunds: '4',
    productIncome: '79',
    shippingIncome: '80',
    discounts: '81',
    giftCardLiability: '82',
    tips: '83',
    duties: '84',
    fees: '85',
  },
  { startDate: '2026-01-01' },
);
const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

let database: Database;

beforeAll(async () => {
  database = await pgliteDatabase();
}, 60_000);

afterAll(async () => {
  await database?.close();
});

function newStore(id: string): NewStore {
  return {
    id,
    shopDomain: `${id}.myshopify.com`,
    qboRealmId: `realm-${id}`,
    settings,
    startDate: new Date('2026-01-01T05:00:00Z'),
    state: 'active',
    createdAt: T0,
    updatedAt: T0,
  };
}

function credentials(storeId: string) {
  return {
    storeId,
    shopifyAccessTokenEnc: 'env.shopify',
    qboClientId: 'client',
    qboClientSecretEnc: 'env.secret',
    qboRefreshTokenEnc: 'env.refresh',
    qboAccessTokenEnc: 'env.access',
    qboAccessTokenExpiresAt: at(60),
    updatedAt: T0,
  };
}

async function connected(id: string) {
  await connectStore(database.db, { store: newStore(id), credentials: credentials(id) });
  return (await getStore(database.db, { storeId: id }))!;
}

describe('store state transitions', () => {
  it('connect writes the store and its credentials together, and refuses a taken id without leaving credentials behind', async () => {
    const row = await connected('acme');
    expect(row).toMatchObject({ id: 'acme', state: 'active', settings, connectionError: null, cursorUpdatedAt: null });
    expect(await storeExists(database.db, { storeId: 'acme' })).toBe(true);
    expect(await storeExists(database.db, { storeId: 'nobody' })).toBe(false);
    expect(await getStoreCredentials(database.db, { storeId: 'acme' })).toMatchObject({ shopifyAccessTokenEnc: 'env.shopify', version: 0 });
    expect(await getStoreWithShopifyToken(database.db, { storeId: 'acme' })).toMatchObject({
      store: { id: 'acme' },
      shopifyTokenEnc: 'env.shopify',
    });
    expect(await readQboCredentials(database.db, { storeId: 'acme' })).toMatchObject({
      realmId: 'realm-acme',
      refreshTokenEnc: 'env.refresh',
      version: 0,
    });
    expect(await findStoreByShopDomain(database.db, { shopDomain: 'acme.myshopify.com' })).toEqual({ id: 'acme', state: 'active' });

    // Same shop domain under another id: the transaction rolls back, no orphan credentials.
    const clash = { ...newStore('acme2'), shopDomain: 'acme.myshopify.com' };
    const err = await connectStore(database.db, { store: clash, credentials: credentials('acme2') }).catch((e: unknown) => e);
    const code = (err as { code?: string; cause?: { code?: string } }).code ?? (err as { cause?: { code?: string } }).cause?.code;
    expect(code).toBe('23505');
    expect(await storeExists(database.db, { storeId: 'acme2' })).toBe(false);
    expect(await getStoreCredentials(database.db, { storeId: 'acme2' })).toBeUndefined();
  });

  it('pause and resume change the state only', async () => {
    await connected('pr');
    await pauseStore(database.db, { storeId: 'pr', at: at(1) });
    expect(await getStore(database.db, { storeId: 'pr' })).toMatchObject({ state: 'paused', updatedAt: at(1) });
    await resumeStore(database.db, { storeId: 'pr', at: at(2) });
    expect(await getStore(database.db, { storeId: 'pr' })).toMatchObject({ state: 'active', updatedAt: at(2), connectionError: null });
  });

  it('disconnect records why; the keep-alive skips the store; replaced credentials clear the errors and bump the version, and resume reactivates', async () => {
    await connected('dc');
    await recordRunCompleted(database.db, { storeId: 'dc', at: at(1) });
    await failSyncRun(database.db, { runId: 'missing-run', storeId: 'dc', error: 'boom', at: at(2) });
    await disconnectStore(database.db, { storeId: 'dc', reason: 'invalid_grant', at: at(3) });
    expect(await getStore(database.db, { storeId: 'dc' })).toMatchObject({
      state: 'disconnected',
      connectionError: 'invalid_grant',
      lastError: 'boom',
      updatedAt: at(3),
    });
    expect((await listConnectedStores(database.db)).map((s) => s.storeId)).not.toContain('dc');

    await replaceStoreCredentials(database.db, {
      storeId: 'dc',
      realmId: 'realm-dc',
      columns: { shopifyAccessTokenEnc: 'env.shopify2' },
      wasDisconnected: true,
      at: at(4),
    });
    expect(await getStore(database.db, { storeId: 'dc' })).toMatchObject({
      state: 'disconnected',
      connectionError: null,
      lastError: null,
      updatedAt: at(4),
    });
    expect(await getStoreCredentials(database.db, { storeId: 'dc' })).toMatchObject({
      shopifyAccessTokenEnc: 'env.shopify2',
      qboRefreshTokenEnc: 'env.refresh',
      version: 1,
      updatedAt: at(4),
    });

    await resumeStore(database.db, { storeId: 'dc', at: at(5) });
    expect(await getStore(database.db, { storeId: 'dc' })).toMatchObject({ state: 'active' });
    expect((await listConnectedStores(database.db)).map((s) => s.storeId)).toContain('dc');
  });

  it('replaced credentials keep the last error of a store that was not disconnected', async () => {
    await connected('keep');
    await failSyncRun(database.db, { runId: 'r', storeId: 'keep', error: 'shopify 500', at: at(1) });
    await replaceStoreCredentials(database.db, {
      storeId: 'keep',
      realmId: 'realm-keep',
      columns: { qboClientId: 'c2' },
      wasDisconnected: false,
      at: at(2),
    });
    expect(await getStore(database.db, { storeId: 'keep' })).toMatchObject({ lastError: 'shopify 500', connectionError: null });
  });

  it('a healthy connection clears the connection error without changing the state', async () => {
    await connected('ok');
    await pauseStore(database.db, { storeId: 'ok', at: at(1) });
    await disconnectStore(database.db, { storeId: 'ok', reason: 'flaky', at: at(2) });
    await markConnectionHealthy(database.db, { storeId: 'ok', at: at(3) });
    expect(await getStore(database.db, { storeId: 'ok' })).toMatchObject({
      state: 'disconnected',
      connectionError: null,
      updatedAt: at(3),
    });
  });

  it('settings are stored typed; the start date moves only when given; the time zone is recorded', async () => {
    await connected('set');
    const next = { ...settings, syncIntervalMinutes: 30 };
    await updateStoreSettings(database.db, { storeId: 'set', settings: next, at: at(1) });
    expect(await getStore(database.db, { storeId: 'set' })).toMatchObject({ settings: next, startDate: new Date('2026-01-01T05:00:00Z') });
    await updateStoreSettings(database.db, { storeId: 'set', settings: next, startDate: new Date('2026-02-01T05:00:00Z'), at: at(2) });
    expect((await getStore(database.db, { storeId: 'set' }))!.startDate).toEqual(new Date('2026-02-01T05:00:00Z'));
    await setStoreTimezone(database.db, { storeId: 'set', timeZone: 'America/New_York' });
    expect((await getStore(database.db, { storeId: 'set' }))!.shopTimezone).toBe('America/New_York');
  });

  it('a completed run moves the cursor forward only, and records the run; a failed one records its error', async () => {
    await connected('cur');
    const window = { windowFrom: at(-60), windowTo: at(0) };
    await startSyncRun(database.db, { runId: 'run-1', storeId: 'cur', workflowId: 'run-1', trigger: 'manual', ...window, at: at(0) });
    const counts = { fetched: 5, synced: 3, parked: 1, skipped: 1, failed: 0 };
    await completeSyncRun(database.db, { runId: 'run-1', storeId: 'cur', counts, at: at(1), cursorTo: at(0) });
    expect(await getStore(database.db, { storeId: 'cur' })).toMatchObject({
      cursorUpdatedAt: at(0),
      lastRunAt: at(1),
      lastRunStatus: 'completed',
      lastError: null,
    });
    expect((await latestSyncRuns(database.db, { storeIds: ['cur'] })).get('cur')).toMatchObject({
      id: 'run-1',
      status: 'completed',
      ...counts,
      finishedAt: at(1),
    });

    // A re-run of an older window never rewinds the cursor; a resync (no cursorTo) leaves it alone.
    await completeSyncRun(database.db, { runId: 'run-1', storeId: 'cur', counts, at: at(2), cursorTo: at(-30) });
    expect((await getStore(database.db, { storeId: 'cur' }))!.cursorUpdatedAt).toEqual(at(0));
    await completeSyncRun(database.db, { runId: 'run-1', storeId: 'cur', counts, at: at(3) });
    expect((await getStore(database.db, { storeId: 'cur' }))!.cursorUpdatedAt).toEqual(at(0));

    await startSyncRun(database.db, {
      runId: 'run-2',
      storeId: 'cur',
      workflowId: 'run-2',
      trigger: 'scheduled',
      windowFrom: at(-10),
      windowTo: at(10),
      at: at(10),
    });
    await failSyncRun(database.db, { runId: 'run-2', storeId: 'cur', error: 'QBO 503', at: at(11) });
    expect(await getStore(database.db, { storeId: 'cur' })).toMatchObject({
      lastRunStatus: 'failed',
      lastError: 'QBO 503',
      lastRunAt: at(11),
      cursorUpdatedAt: at(0),
    });
    expect((await latestSyncRuns(database.db, { storeIds: ['cur'] })).get('cur')).toMatchObject({
      id: 'run-2',
      status: 'failed',
      error: 'QBO 503',
    });
  });

  it('a blocked run is recorded failed at once, and a re-run of the same id starts afresh', async () => {
    await connected('blk');
    const base = {
      runId: 'blk-run',
      storeId: 'blk',
      workflowId: 'blk-run',
      trigger: 'manual',
      windowFrom: at(-5),
      windowTo: at(0),
      at: at(0),
    };
    await startSyncRun(database.db, { ...base, blocked: 'Store blk is paused' });
    expect((await latestSyncRuns(database.db, { storeIds: ['blk'] })).get('blk')).toMatchObject({
      status: 'failed',
      error: 'Store blk is paused',
      finishedAt: at(0),
    });
    await startSyncRun(database.db, { ...base, at: at(1) });
    expect((await latestSyncRuns(database.db, { storeIds: ['blk'] })).get('blk')).toMatchObject({
      status: 'running',
      error: null,
      finishedAt: null,
    });
  });

  it('lists stores by id', async () => {
    for (const id of ['list-c', 'list-a', 'list-b']) await connected(id);
    const ids = (await listStores(database.db)).map((s) => s.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids.filter((id) => id.startsWith('list-'))).toEqual(['list-a', 'list-b', 'list-c']);
  });
});
