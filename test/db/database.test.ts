/**
 * The same schema, migrations and queries on both databases Ledgerline supports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { ledgerEntries, stores } from '../../db/schema';
import { databaseKinds } from '../support/db';
import type { Settings } from '../../domain/settings';

describe.each(databaseKinds)('the database on %s', (_name, open) => {
  let database: Database;
  beforeAll(async () => {
    database = await open();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('applies the migrations idempotently and answers a ping', async () => {
    await database.migrate();
    await database.ping();
    const tables = await database.db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const names = (tables as unknown as { rows: { table_name: string }[] }).rows.map((r) => r.table_name);
    expect(names).toEqual(
      expect.arrayContaining([
        'ledger_entries',
        'qbo_rate_windows',
        'qbo_refs',
        'store_credentials',
        'stores',
        'sync_runs',
        'webhook_deliveries',
      ]),
    );
  });

  it('keeps one ledger row per source and role: a second write updates it instead of adding one', async () => {
    const { db } = database;
    await db.insert(stores).values({
      id: 'acme',
      shopDomain: 'acme.myshopify.com',
      qboRealmId: '123',
      settings: {} as Settings,
      startDate: new Date('2026-01-01T00:00:00Z'),
    });
    const row = { storeId: 'acme', sourceKey: 'order:gid://shopify/Order/1', role: 'receipt', sourceType: 'order', status: 'pending' };
    await db
      .insert(ledgerEntries)
      .values(row)
      .onConflictDoUpdate({ target: [ledgerEntries.storeId, ledgerEntries.sourceKey, ledgerEntries.role], set: { status: 'pending' } });
    await db
      .insert(ledgerEntries)
      .values({ ...row, status: 'synced', qboType: 'SalesReceipt', qboId: '42' })
      .onConflictDoUpdate({
        target: [ledgerEntries.storeId, ledgerEntries.sourceKey, ledgerEntries.role],
        set: { status: 'synced', qboType: 'SalesReceipt', qboId: '42' },
      });
    const rows = await db
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.storeId, 'acme')));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'synced', qboId: '42', qboType: 'SalesReceipt' });
  });

  it('refuses a second ledger row pointing at the same QBO document', async () => {
    const { db } = database;
    await db.insert(stores).values({
      id: 'uniq',
      shopDomain: 'uniq.myshopify.com',
      qboRealmId: '456',
      settings: {} as Settings,
      startDate: new Date('2026-01-01T00:00:00Z'),
    });
    const booked = { storeId: 'uniq', role: 'sale', sourceType: 'order', status: 'synced', qboType: 'SalesReceipt', qboId: '77' };
    await db.insert(ledgerEntries).values({ ...booked, sourceKey: 'order:gid://shopify/Order/10' });
    const err = await db
      .insert(ledgerEntries)
      .values({ ...booked, sourceKey: 'order:gid://shopify/Order/11' })
      .then(
        () => undefined,
        (e: unknown) => e as { message?: string; cause?: { message?: string } },
      );
    // The unique index on (store, QBO type, QBO id) is what refuses it, not some other constraint.
    expect(`${err?.message ?? ''} ${err?.cause?.message ?? ''}`).toMatch(/ledger_entries_qbo_doc_idx/);
    // The same QBO id as another type of document is a different document.
    await db.insert(ledgerEntries).values({ ...booked, sourceKey: 'order:gid://shopify/Order/12', qboType: 'Invoice' });
  });
});
