/**
 * The ledger, QBO reference cache and webhook delivery statements (db/queries) on PGlite: the
 * functions the sync activities and the API call instead of inline SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client';
import {
  connectStore,
  countLedgerByStatus,
  findQboRefs,
  forgetQboRefs,
  forgetWebhookDelivery,
  listLedgerPage,
  listLedgerRows,
  listQboRefs,
  listChildRows,
  listRetryableParents,
  listRetryableRows,
  markSourcesGone,
  pruneWebhookDeliveries,
  recordWebhookDelivery,
  upsertLedgerRows,
  upsertQboRefs,
  type LedgerWrite,
} from '../../db/queries';
import type { Settings } from '../../domain/settings';
import { pgliteDatabase } from '../support/db';

const STORE = 'ledger-store';
const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

let database: Database;

beforeAll(async () => {
  database = await pgliteDatabase();
  await connectStore(database.db, {
    store: { id: STORE, shopDomain: `${STORE}.myshopify.com`, qboRealmId: 'r1', settings: {} as Settings, startDate: T0 },
    credentials: { storeId: STORE, shopifyAccessTokenEnc: 'e', qboClientId: 'c', qboClientSecretEnc: 'e', qboRefreshTokenEnc: 'e' },
  });
}, 60_000);

afterAll(async () => {
  await database?.close();
});

function row(sourceKey: string, changes: Partial<LedgerWrite> = {}): LedgerWrite {
  return {
    storeId: STORE,
    sourceKey,
    role: 'sale',
    sourceType: 'order',
    status: 'pending',
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

describe('ledger statements', () => {
  it('upserts whole rows (the last write of a key in one call wins) and reads them back by source key', async () => {
    await upsertLedgerRows(database.db, {
      rows: [row('order:1'), row('order:1', { status: 'synced', qboId: '10' }), row('order:2', { role: 'payment' })],
    });
    await upsertLedgerRows(database.db, { rows: [row('order:2', { role: 'payment', status: 'parked', reason: 'why', createdAt: at(5) })] });
    const rows = await listLedgerRows(database.db, { storeId: STORE, sourceKeys: ['order:1', 'order:2', 'order:none'] });
    expect(rows.map((r) => [r.sourceKey, r.role, r.status, r.qboId, r.reason])).toEqual(
      expect.arrayContaining([
        ['order:1', 'sale', 'synced', '10', null],
        ['order:2', 'payment', 'parked', null, 'why'],
      ]),
    );
    expect(rows).toHaveLength(2);
    // created_at is a key column: a later write keeps the first one.
    expect(rows.find((r) => r.sourceKey === 'order:2')!.createdAt).toEqual(T0);
    expect(await listLedgerRows(database.db, { storeId: STORE, sourceKeys: [] })).toEqual([]);
  });

  it('lists retryable rows oldest first within the limit, and marks sources Shopify no longer returns', async () => {
    await upsertLedgerRows(database.db, {
      rows: [
        row('order:p1', { status: 'parked', reasonCode: 'needs_mapping', reason: 'no item', updatedAt: at(3) }),
        row('order:p2', { status: 'failed', reasonCode: 'mapping_error', updatedAt: at(1) }),
        row('order:p3', { status: 'parked', reasonCode: 'duplicate_doc_number', updatedAt: at(1) }),
        row('order:p4', { status: 'parked', reasonCode: 'qbo_validation', updatedAt: at(20) }),
        row('order:p5', { status: 'parked', reasonCode: 'needs_mapping', updatedAt: at(2) }),
      ],
    });
    const query = {
      storeId: STORE,
      role: 'sale',
      statuses: ['parked', 'failed'],
      reasonCodes: ['needs_mapping', 'qbo_validation', 'mapping_error'],
      before: at(10),
    };
    expect(await listRetryableRows(database.db, { ...query, limit: 60 })).toEqual(['order:p2', 'order:p5', 'order:p1']);
    expect(await listRetryableRows(database.db, { ...query, limit: 2 })).toEqual(['order:p2', 'order:p5']);

    const note = " — Shopify no longer returns this order (deleted, or outside the token's order history); not re-tried";
    await markSourcesGone(database.db, {
      storeId: STORE,
      role: 'sale',
      sourceKeys: ['order:p1', 'order:p2'],
      reasonCode: 'order_not_found',
      note,
      at: at(11),
    });
    const [p1, p2] = await listLedgerRows(database.db, { storeId: STORE, sourceKeys: ['order:p1', 'order:p2'] }).then((rs) =>
      rs.sort((a, b) => a.sourceKey.localeCompare(b.sourceKey)),
    );
    expect(p1).toMatchObject({ reasonCode: 'order_not_found', reason: `no item${note}`, updatedAt: at(11) });
    expect(p2).toMatchObject({ reasonCode: 'order_not_found', reason: note, updatedAt: at(11) });
    expect(await listRetryableRows(database.db, { ...query, before: at(30), limit: 60 })).toEqual(['order:p5', 'order:p4']);
  });

  it('counts rows by role and status and pages the ledger newest first with a stable position', async () => {
    // A store of its own, so the figures do not depend on what other tests wrote.
    const PAGED = 'ledger-paged';
    await connectStore(database.db, {
      store: { id: PAGED, shopDomain: `${PAGED}.myshopify.com`, qboRealmId: 'r2', settings: {} as Settings, startDate: T0 },
      credentials: { storeId: PAGED, shopifyAccessTokenEnc: 'e', qboClientId: 'c', qboClientSecretEnc: 'e', qboRefreshTokenEnc: 'e' },
    });
    const statuses = ['parked', 'synced', 'parked', 'skipped', 'parked'];
    await upsertLedgerRows(database.db, {
      // Two rows share a creation instant: the page order breaks the tie by source key.
      rows: statuses.map((status, i) => ({ ...row(`order:g${i}`, { status, createdAt: at(Math.min(i, 3)) }), storeId: PAGED })),
    });
    const counts = await countLedgerByStatus(database.db, { storeIds: [PAGED] });
    expect(counts.sort((a, b) => a.status.localeCompare(b.status))).toEqual([
      { storeId: PAGED, role: 'sale', status: 'parked', n: 3 },
      { storeId: PAGED, role: 'sale', status: 'skipped', n: 1 },
      { storeId: PAGED, role: 'sale', status: 'synced', n: 1 },
    ]);
    expect(await countLedgerByStatus(database.db, { storeIds: [] })).toEqual([]);

    const first = await listLedgerPage(database.db, { storeId: PAGED, limit: 2 });
    expect(first.map((r) => r.entry.sourceKey)).toEqual(['order:g4', 'order:g3']);
    const rest = await listLedgerPage(database.db, { storeId: PAGED, after: first[1]!.position, limit: 100 });
    expect(rest.map((r) => r.entry.sourceKey)).toEqual(['order:g2', 'order:g1', 'order:g0']);
    const all = await listLedgerPage(database.db, { storeId: PAGED, limit: 100 });
    expect([...first, ...rest].map((r) => r.position)).toEqual(all.map((r) => r.position));
    const parked = await listLedgerPage(database.db, { storeId: PAGED, statuses: ['parked'], limit: 100 });
    expect(parked.map((r) => r.entry.sourceKey)).toEqual(['order:g4', 'order:g2', 'order:g0']);
  });
});

describe('QBO reference cache', () => {
  it('finds, upserts (a key seen again takes the new id) and forgets by QBO id', async () => {
    await upsertQboRefs(database.db, {
      storeId: STORE,
      refs: [
        { kind: 'item', key: 'sku:A', qboId: '1' },
        { kind: 'customer', key: 'generic:x', qboId: '2' },
      ],
    });
    await upsertQboRefs(database.db, { storeId: STORE, refs: [{ kind: 'item', key: 'sku:A', qboId: '3' }] });
    expect(await findQboRefs(database.db, { storeId: STORE, kind: 'item', keys: ['sku:A', 'sku:B'] })).toEqual(new Map([['sku:A', '3']]));
    await forgetQboRefs(database.db, { storeId: STORE, qboIds: ['3'] });
    expect(await findQboRefs(database.db, { storeId: STORE, kind: 'item', keys: ['sku:A'] })).toEqual(new Map());
    expect((await listQboRefs(database.db, { storeId: STORE })).map((r) => r.key)).toEqual(['generic:x']);
  });

  it("finds a refund's rows by its order, and the orders whose refunds a run should try again", async () => {
    const refund = (key: string, parent: string, status: string, reasonCode: string | null, minute: number) =>
      row(key, { role: 'refund', sourceType: 'refund', parentSourceKey: parent, status, reasonCode, updatedAt: at(minute) });
    await upsertLedgerRows(database.db, {
      rows: [
        refund('refund:r1', 'order:o1', 'synced', null, 1),
        refund('refund:r2', 'order:o1', 'parked', 'sale_not_booked', 2),
        refund('refund:r3', 'order:o2', 'pending', null, 3),
        refund('refund:r4', 'order:o3', 'parked', 'refund_does_not_balance', 4),
        refund('refund:r5', 'order:o4', 'parked', 'refund_deferred', 50),
      ],
    });
    const children = await listChildRows(database.db, { storeId: STORE, parentKeys: ['order:o1'] });
    expect(children.map((r) => r.sourceKey).sort()).toEqual(['refund:r1', 'refund:r2']);
    const parents = await listRetryableParents(database.db, {
      storeId: STORE,
      role: 'refund',
      statuses: ['parked', 'failed'],
      reasonCodes: ['sale_not_booked', 'refund_deferred'],
      before: at(30),
      limit: 10,
    });
    // o1 (waiting for its sale) and o2 (a create in doubt), oldest first; not o3 (not retryable) nor o4 (too recent).
    expect(parents).toEqual(['order:o1', 'order:o2']);
  });
});

describe('webhook deliveries', () => {
  it('records a delivery once, forgets it for a retry, and prunes old ones', async () => {
    const d = { webhookId: 'wh-1', shopDomain: `${STORE}.myshopify.com`, topic: 'orders/create' };
    expect(await recordWebhookDelivery(database.db, d)).toBe(true);
    expect(await recordWebhookDelivery(database.db, d)).toBe(false);
    await forgetWebhookDelivery(database.db, d);
    expect(await recordWebhookDelivery(database.db, d)).toBe(true);
    await pruneWebhookDeliveries(database.db, { receivedBefore: new Date(Date.now() + 60_000) });
    expect(await recordWebhookDelivery(database.db, d)).toBe(true);
  });
});
