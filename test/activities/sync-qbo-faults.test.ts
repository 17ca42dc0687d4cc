/**
 * Issue #12 items 1, 7 and 9: what the sales sync does when QBO faults or disagrees, against the QBO
 * emulator behaving as real QBO does (through node-quickbooks), the Shopify emulator and a real database.
 * The activities are called directly (no Temporal: these are about one activity's load → decide → write
 * → record), and every outcome is read back from QBO.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { ledgerEntries, stores } from '../../db/schema';
import type { Settings } from '../../domain/settings';
import type { QboClient } from '../../integrations/qbo/client';
import type { Activities } from '../../workflows/contracts';
import { pgliteDatabase } from '../support/db';
import {
  insertConnectedStore,
  qboReader,
  startWorld,
  testCipher,
  usSettings,
  worldActivities,
  type SyncWorld,
  type WorldOptions,
} from '../support/sync-fixture';

const cipher = testCipher();

interface Shop {
  world: SyncWorld;
  db: Database;
  qbo: QboClient;
  activities: Activities;
  /** Every order in Shopify read once (pages of the whole history), as one run's page activities would. */
  syncAll(): Promise<{ synced: number; parked: number; failed: number; unchanged: number }>;
  retryParked(): Promise<{ synced: number; parked: number; failed: number }>;
  row(orderId: string, role?: 'sale' | 'payment'): Promise<typeof ledgerEntries.$inferSelect | undefined>;
  rowsWith(reasonCode: string): Promise<Array<typeof ledgerEntries.$inferSelect>>;
  rowsWithStatus(status: string): Promise<Array<typeof ledgerEntries.$inferSelect>>;
  setSettings(settings: Settings): Promise<void>;
}

const open: Array<{ world: SyncWorld; db: Database }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.world.close();
    await o.db.close();
  }
});

async function openShop(
  opts: WorldOptions,
  settings: (qbo: QboClient) => Promise<Settings> | Settings = () => usSettings(),
): Promise<Shop> {
  const db = await pgliteDatabase();
  const world = await startWorld(opts);
  open.push({ world, db });
  const qbo = qboReader(world, db.db);
  await insertConnectedStore(db.db, cipher, world, await settings(qbo));
  const activities = worldActivities(world, db.db, cipher);
  let run = 0;
  return {
    world,
    db,
    qbo,
    activities,
    async syncAll() {
      const runId = `test-run-${run++}`;
      const total = { synced: 0, parked: 0, failed: 0, unchanged: 0 };
      let after: string | null = null;
      for (;;) {
        const page = await activities.syncOrdersPage({
          storeId: world.storeId,
          runId,
          windowFrom: null,
          windowTo: new Date().toISOString(),
          after,
        });
        total.synced += page.synced;
        total.parked += page.parked;
        total.failed += page.failed;
        total.unchanged += page.unchanged;
        if (!page.hasNextPage) return total;
        after = page.endCursor;
      }
    },
    retryParked: () => activities.syncRetryParked({ storeId: world.storeId, runId: `test-run-${run++}`, before: new Date().toISOString() }),
    async row(orderId, role = 'sale') {
      const [row] = await db.db
        .select()
        .from(ledgerEntries)
        .where(
          and(eq(ledgerEntries.storeId, world.storeId), eq(ledgerEntries.sourceKey, `order:${orderId}`), eq(ledgerEntries.role, role)),
        );
      return row;
    },
    rowsWith: (reasonCode) =>
      db.db
        .select()
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.storeId, world.storeId), eq(ledgerEntries.reasonCode, reasonCode))),
    rowsWithStatus: (status) =>
      db.db
        .select()
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.storeId, world.storeId), eq(ledgerEntries.status, status), eq(ledgerEntries.role, 'sale'))),
    async setSettings(next) {
      await db.db.update(stores).set({ settings: next }).where(eq(stores.id, world.storeId));
    },
  };
}

type Order = SyncWorld['generated']['orders'][number];
const bookable = (o: Order) => !o.test && o.cancelledAt === null;

describe('a requestid after a fault (item 7)', () => {
  it('a Payment QBO refused is booked once the cause is fixed in QBO, though its body is the same', async () => {
    let bankId = '';
    const shop = await openShop({ seed: 72, orders: 10, days: 5 }, async (qbo) => {
      const bank = await qbo.create('Account', { Name: 'Manual Payments Bank', AccountType: 'Bank' }, { requestId: 'test-bank-71' });
      bankId = String(bank.Id);
      return usSettings({ gateways: { manual: { depositAccountId: bankId } } });
    });
    const unpaid = shop.world.generated.orders.find((o) => bookable(o) && o.displayFinancialStatus === 'PENDING');
    expect(unpaid, 'the generated shop has an unpaid manual order').toBeDefined();
    await shop.syncAll();
    const invoiceRow = await shop.row(unpaid!.id);
    expect(invoiceRow).toMatchObject({ status: 'synced', qboType: 'Invoice' });

    // The bank account the payment is deposited to is made inactive in QBO; the order is then paid.
    const bank = await shop.qbo.read('Account', bankId);
    const inactive = await shop.qbo.update('Account', { Id: bankId, SyncToken: bank.SyncToken, Active: false });
    shop.world.shopify.admin.markPaid(shop.world.shopDomain, unpaid!.id);
    await shop.syncAll();
    const refused = await shop.row(unpaid!.id, 'payment');
    expect(refused).toMatchObject({ status: 'parked', reasonCode: 'qbo_validation' });
    expect(refused!.reason).toMatch(/610|inactive|Object Not Found/i);

    // A bookkeeper makes the account active again: the next run books the Payment (same body).
    await shop.qbo.update('Account', { Id: bankId, SyncToken: inactive.SyncToken, Active: true });
    await shop.syncAll();
    const booked = await shop.row(unpaid!.id, 'payment');
    expect(booked).toMatchObject({ status: 'synced', qboType: 'Payment' });
    expect(booked!.requestId).not.toBe(refused!.requestId);
    const payment = await shop.qbo.read('Payment', booked!.qboId!);
    expect(payment.DepositToAccountRef).toMatchObject({ value: bankId });
    const invoice = await shop.qbo.read('Invoice', invoiceRow!.qboId!);
    expect(invoice.Balance).toBe(0);
    const payments = await shop.qbo.query('Payment', `CustomerRef = '${String((invoice.CustomerRef as { value: string }).value)}'`);
    const linked = payments.filter((p) => JSON.stringify(p.Line).includes(`"TxnId":"${invoiceRow!.qboId!}"`));
    expect(linked).toHaveLength(1);
  });
});

/** The documents of a type QBO holds for an order (its marker in PrivateNote). */
async function documentsFor(qbo: QboClient, type: 'SalesReceipt' | 'Invoice', orderId: string) {
  return (await qbo.query(type)).filter((d) => String(d.PrivateNote ?? '').includes(`[${orderId}]`));
}

describe('a document that fails the totals check (item 1)', () => {
  it.each([
    ['SalesReceipt', 'a paid order'],
    ['Invoice', 'an unpaid order'],
  ] as const)(
    'a document QBO books with other figures (%s, %s) is deleted at once, parked with the difference, and booked afresh on the retry',
    async (type, _which) => {
      const shop = await openShop({
        seed: 72,
        orders: 10,
        days: 5,
        qbo: { faults: [{ match: `${type}:create`, taxDeltaCents: 7, times: 1 }] },
      });
      const first = await shop.syncAll();
      expect(first.parked).toBeGreaterThanOrEqual(1);
      const [parked, ...others] = (await shop.rowsWith('total_mismatch')).filter((r) => r.qboType === null);
      expect(others).toEqual([]);
      expect(parked, `one ${type} failed the check`).toBeDefined();
      expect(parked!.status).toBe('parked');
      expect(parked!.reason).toMatch(/Difference 0\.07 USD/);
      expect(parked!.reason).toMatch(new RegExp(`The ${type} \\d+ .*was deleted from QBO at once`));
      expect(parked!.qboId).toBeNull();
      const orderId = parked!.sourceKey.replace(/^order:/, '');
      // Read back from QBO: the wrong document is gone.
      expect(await documentsFor(shop.qbo, type, orderId)).toEqual([]);

      // The next run's retry of parked orders books it afresh (QBO now books what it is sent).
      const retried = await shop.retryParked();
      expect(retried).toMatchObject({ synced: 1, parked: 0, failed: 0 });
      const booked = await shop.row(orderId);
      expect(booked).toMatchObject({ status: 'synced', qboType: type, reasonCode: null });
      const docs = await documentsFor(shop.qbo, type, orderId);
      expect(docs.map((d) => d.Id)).toEqual([booked!.qboId]);
      expect(Math.round(Number(docs[0]!.TotalAmt) * 100)).toBe(booked!.sourceTotalMinor);
    },
  );
});

describe('a stale SyncToken (5010) on an update (item 9)', () => {
  /** A synced SalesReceipt whose order is then edited in Shopify (a new ship-to address). */
  async function bookedThenEdited(seed: number) {
    const shop = await openShop({ seed, orders: 10, days: 5 });
    await shop.syncAll();
    const row = (await shop.rowsWithStatus('synced')).find((r) => r.qboType === 'SalesReceipt')!;
    const orderId = row.sourceKey.replace(/^order:/, '');
    const editInShopify = () => {
      const order = shop.world.shopify.admin.getOrder(shop.world.shopDomain, orderId);
      shop.world.shopify.admin.upsertOrders(shop.world.shopDomain, [
        {
          ...order,
          updatedAt: undefined,
          shippingAddress: {
            ...(order.shippingAddress ?? {}),
            address1: '9 Edited Way',
            city: 'Editville',
            countryCodeV2: 'US',
            provinceCode: 'CA',
            zip: '94105',
          },
        },
      ]);
    };
    return { shop, row, orderId, editInShopify };
  }

  it("parks the order as edited in QBO and leaves a bookkeeper's change to what Ledgerline wrote as it is", async () => {
    const { shop, row, orderId, editInShopify } = await bookedThenEdited(91);
    // A bookkeeper moves the sale's date in QBO (a field Ledgerline writes).
    const before = await shop.qbo.read('SalesReceipt', row.qboId!);
    await shop.qbo.update('SalesReceipt', { Id: row.qboId!, SyncToken: before.SyncToken, TxnDate: '2020-02-02' });
    editInShopify();
    const summary = await shop.syncAll();
    expect(summary.failed).toBe(0);
    const parked = await shop.row(orderId);
    expect(parked).toMatchObject({ status: 'parked', reasonCode: 'edited_in_qbo', qboId: row.qboId });
    expect(parked!.reason).toMatch(/was edited in QBO since Ledgerline wrote it/);
    // Read back: the bookkeeper's date stands, and Ledgerline's update was not applied.
    const after = await shop.qbo.read('SalesReceipt', row.qboId!);
    expect(after.TxnDate).toBe('2020-02-02');
    expect(JSON.stringify(after.ShipAddr ?? {})).not.toContain('9 Edited Way');
    expect(Number(after.SyncToken)).toBe(Number(before.SyncToken) + 1);
    // Not re-tried automatically.
    await shop.retryParked();
    expect((await shop.qbo.read('SalesReceipt', row.qboId!)).SyncToken).toBe(after.SyncToken);
  });

  it('records its own update whose answer was lost (QBO already holds that version) without writing it again', async () => {
    const { shop, row, orderId, editInShopify } = await bookedThenEdited(93);
    const before = await shop.qbo.read('SalesReceipt', row.qboId!);
    editInShopify();
    // QBO commits the update batch and the answer is lost: the attempt fails, the row keeps the old SyncToken.
    shop.world.qbo.admin.setFaults([{ match: 'batch', commitThenDrop: true, times: 1 }]);
    await expect(shop.syncAll()).rejects.toThrow();
    expect(await shop.row(orderId)).toMatchObject({ status: 'synced', qboSyncToken: before.SyncToken });
    // The retry's update meets 5010; the document already holds this version: recorded, not written twice.
    await shop.syncAll();
    const after = await shop.qbo.read('SalesReceipt', row.qboId!);
    expect(Number(after.SyncToken)).toBe(Number(before.SyncToken) + 1);
    expect(after.ShipAddr).toMatchObject({ Line1: '9 Edited Way' });
    expect(await shop.row(orderId)).toMatchObject({ status: 'synced', qboSyncToken: after.SyncToken });
  });

  it('updates with the fresh SyncToken when only a field Ledgerline does not write changed, keeping that change', async () => {
    const { shop, row, orderId, editInShopify } = await bookedThenEdited(92);
    const before = await shop.qbo.read('SalesReceipt', row.qboId!);
    await shop.qbo.update('SalesReceipt', { Id: row.qboId!, SyncToken: before.SyncToken, CustomerMemo: { value: 'Thanks, see you soon' } });
    editInShopify();
    await shop.syncAll();
    expect(await shop.row(orderId)).toMatchObject({ status: 'synced', qboId: row.qboId });
    const after = await shop.qbo.read('SalesReceipt', row.qboId!);
    expect(after.ShipAddr).toMatchObject({ Line1: '9 Edited Way', City: 'Editville' });
    expect(after.CustomerMemo).toEqual({ value: 'Thanks, see you soon' });
  });
});
