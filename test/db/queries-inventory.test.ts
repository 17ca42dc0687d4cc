/**
 * The ledger reads an inventory run makes (db/queries/inventory.ts) on PGlite: which orders still count as sold in
 * Shopify but not booked in QBO (pending, parked, failed, undone, or a sale booked since the run began), and which
 * are settled (booked before the run began, or never to be booked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import { connectStore, upsertLedgerRows, type LedgerWrite } from '../../db/queries';
import { listSettledOrderKeys, listUnbookedOrderKeys } from '../../db/queries/inventory';
import type { Settings } from '../../domain/settings';
import { pgliteDatabase } from '../support/db';

const STORE = 'inventory-store';
const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
/** The run under test began here. */
const RUN_START = at(60);

let database: Database;

function row(sourceKey: string, changes: Partial<LedgerWrite> = {}): LedgerWrite {
  return {
    storeId: STORE,
    sourceKey,
    role: 'sale',
    sourceType: 'order',
    status: 'synced',
    sourceName: null,
    reason: null,
    reasonCode: null,
    qboId: null,
    attempts: 0,
    createdAt: T0,
    updatedAt: T0,
    ...changes,
  };
}

beforeAll(async () => {
  database = await pgliteDatabase();
  await connectStore(database.db, {
    store: { id: STORE, shopDomain: `${STORE}.myshopify.com`, qboRealmId: 'r1', settings: {} as Settings, startDate: T0 },
    credentials: { storeId: STORE, shopifyAccessTokenEnc: 'e', qboClientId: 'c', qboClientSecretEnc: 'e', qboRefreshTokenEnc: 'e' },
  });
  await upsertLedgerRows(database.db, {
    rows: [
      row('order:pending', { status: 'pending' }),
      row('order:parked', { status: 'parked', reasonCode: 'needs_mapping' }),
      row('order:failed', { status: 'failed' }),
      row('order:undone', { status: 'undone', reasonCode: 'undone' }),
      row('order:booked-before', { updatedAt: at(59) }),
      row('order:booked-at-start', { updatedAt: RUN_START }),
      row('order:booked-during', { updatedAt: at(61) }),
      // An invoice's payment booked during the run moves no stock: the sale was booked long before.
      row('order:paid-during'),
      row('order:paid-during', { role: 'payment', updatedAt: at(61) }),
      row('order:skipped', { status: 'skipped', updatedAt: at(61) }),
      row('order:ignored', { status: 'ignored' }),
      row('order:voided', { status: 'voided', updatedAt: at(61) }),
      row('refund:1', { role: 'refund', sourceType: 'refund', status: 'parked', parentSourceKey: 'order:booked-before' }),
    ],
  });
}, 60_000);

afterAll(async () => {
  await database?.close();
});

describe('the ledger reads of an inventory run', () => {
  it('lists as unbooked the orders waiting to be booked, undone, or whose sale was booked since the run began', async () => {
    const unbooked = await listUnbookedOrderKeys(database.db, { storeId: STORE, bookedSince: RUN_START });
    expect(unbooked.sort()).toEqual(
      ['order:booked-at-start', 'order:booked-during', 'order:failed', 'order:parked', 'order:pending', 'order:undone'].sort(),
    );
  });

  it('settles the orders booked before the run began and those never to be booked, not those booked since', async () => {
    const keys = [
      'order:pending',
      'order:undone',
      'order:booked-before',
      'order:booked-at-start',
      'order:booked-during',
      'order:paid-during',
      'order:skipped',
      'order:ignored',
      'order:voided',
      'order:unknown',
    ];
    const settled = await listSettledOrderKeys(database.db, { storeId: STORE, sourceKeys: keys, bookedBefore: RUN_START });
    expect([...settled].sort()).toEqual(
      ['order:booked-before', 'order:ignored', 'order:paid-during', 'order:skipped', 'order:voided'].sort(),
    );
    expect(await listSettledOrderKeys(database.db, { storeId: STORE, sourceKeys: [], bookedBefore: RUN_START })).toEqual(new Set());
  });
});
