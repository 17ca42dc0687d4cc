/**
 * Refunds through the real sync engine: the real syncRunWorkflow on the time-skipping server drives the
 * real activities against both emulators (through the real clients) and PGlite. Each Shopify refund
 * becomes exactly one QBO document whose total is the money sent back and whose tax is Shopify's refunded
 * tax (invariant 3); restocked units go back into QBO stock and unrestocked ones do not; a resync or a
 * lost answer never creates a second document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ShopifyOrder } from '../../domain/shopify/types';
import { readBooks } from '../support/books';
import { usSettings } from '../support/sync-fixture';
import { withSyncShop, type SyncShop } from '../support/sync-shop';
import { timeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

type Entity = Record<string, any>;

const orders = (shop: SyncShop): ShopifyOrder[] =>
  [...shop.world.shopify.admin.shop(shop.world.shopDomain).orders.values()] as unknown as ShopifyOrder[];

/** A paid order (SalesReceipt) with at least `lines` product lines of quantity ≥ 2, shipping, and no refund yet. */
function refundableOrder(shop: SyncShop, lines = 1): ShopifyOrder {
  const found = orders(shop).find(
    (o) =>
      o.displayFinancialStatus === 'PAID' &&
      !o.cancelledAt &&
      o.refunds.length === 0 &&
      o.transactions.every((t) => t.gateway !== 'gift_card') &&
      o.shippingLines.nodes.some((s) => Number(s.discountedPriceSet.shopMoney.amount) > 0) &&
      o.lineItems.nodes.filter((l) => !l.isGiftCard && l.quantity >= 2 && l.taxable).length >= lines,
  );
  if (!found) throw new Error('the generated shop has no order to refund');
  return found;
}

/**
 * The emulator keeps each order's updatedAt strictly increasing at Shopify's one-second precision, so two
 * changes within a second date the second one up to a second ahead: wait until that instant has passed
 * before a run whose window ends "now".
 */
async function untilPast(iso: string): Promise<void> {
  const wait = Date.parse(iso) + 1 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

const refundRows = async (shop: SyncShop) => (await shop.rows()).filter((r) => r.role === 'refund');

describe('refund sync', () => {
  it('books every refund of a generated shop exactly once, to the cent, and a resync adds nothing', () =>
    withSyncShop(env, { seed: 31, orders: 150, days: 30 }, async (shop) => {
      const summary = await shop.sync('scheduled');
      expect(summary.failed).toBe(0);
      const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(books.refundMismatches).toEqual([]);
      const rows = await refundRows(shop);
      expect(books.shopifyRefunds.length).toBeGreaterThan(5);
      // Every Shopify refund has a row: a document, or a reason.
      expect(new Set(rows.map((r) => r.sourceKey))).toEqual(new Set(books.shopifyRefunds.map((r) => `refund:${r.refund.id}`)));
      const synced = rows.filter((r) => r.status === 'synced');
      expect(synced.length).toBeGreaterThan(5);
      for (const r of rows.filter((x) => x.status !== 'synced')) expect(r.reason, `${r.sourceName} ${r.status}`).toBeTruthy();
      // Each synced row's document is the one QBO holds for that refund.
      for (const r of synced) {
        const docs = books.refundDocuments.get(r.sourceKey.slice('refund:'.length)) ?? [];
        expect(docs.map((d) => `${d._type}:${d.Id}`)).toEqual([`${r.qboType}:${r.qboId}`]);
      }
      expect(books.refundDocuments.size).toBe(synced.length);
      expect(books.trialBalance.debits).toBe(books.trialBalance.credits);

      const versions = (b: typeof books) =>
        [...b.refundDocuments.values()]
          .flat()
          .map((d) => `${d.Id}:${d.SyncToken}`)
          .sort();
      await shop.sync('resync', { from: '2000-01-01T00:00:00Z' });
      const again = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(versions(again)).toEqual(versions(books));
    }));

  it('books a partial refund with restocked and unrestocked units, then a shipping-only refund, as two RefundReceipts', () =>
    withSyncShop(
      env,
      { seed: 32, orders: 40, days: 10 },
      async (shop) => {
        await shop.sync('scheduled');
        const order = refundableOrder(shop);
        const item = order.lineItems.nodes.find((l) => !l.isGiftCard && l.quantity >= 2 && l.taxable)!;
        const admin = shop.world.shopify.admin;
        const [sale] = (await shop.rows()).filter((r) => r.role === 'sale' && r.sourceKey === `order:${order.id}`);
        expect(sale?.status).toBe('synced');
        const product = ((await shop.qbo.read('SalesReceipt', sale!.qboId!)) as Entity).Line.find(
          (l: Entity) => l.SalesItemLineDetail?.Qty === item.quantity && l.Description?.includes(item.title),
        );
        const itemId = product.SalesItemLineDetail.ItemRef.value as string;
        const stockBefore = Number((await shop.qbo.read('Item', itemId)).QtyOnHand);

        const first = admin.addRefund(shop.world.shopDomain, order.id, {
          lineItems: [
            { lineItemId: item.id, quantity: 1, restockType: 'RETURN' },
            { lineItemId: item.id, quantity: 1, restockType: 'NO_RESTOCK' },
          ],
          note: 'Customer returned two',
        });
        const second = admin.addRefund(shop.world.shopDomain, order.id, { shipping: { full: true } });
        await untilPast(order.updatedAt);
        await shop.sync('manual');

        const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
        expect(books.refundMismatches).toEqual([]);
        const mine = (await refundRows(shop)).filter((r) => r.parentSourceKey === `order:${order.id}`);
        expect(mine.map((r) => r.reason)).toEqual([null, null]);
        const a = (books.refundDocuments.get(first.id as string) ?? [])[0] as Entity;
        const b = (books.refundDocuments.get(second.id as string) ?? [])[0] as Entity;
        expect(a?._type).toBe('RefundReceipt');
        expect(b?._type).toBe('RefundReceipt');
        // Deterministic numbers, one per refund, and the money's source is where the sale went.
        expect(a.DocNumber).toBe(`${order.name.replace('#', '')}-R1`);
        expect(b.DocNumber).toBe(`${order.name.replace('#', '')}-R2`);
        const receipt = (await shop.qbo.read('SalesReceipt', sale!.qboId!)) as Entity;
        expect(a.DepositToAccountRef.value).toBe(receipt.DepositToAccountRef.value);
        expect(a.PrintStatus).toBe('NotSet');
        expect(a.PaymentRefNum).toBe(String(first.id).split('/').pop());
        // One returned unit goes back on the shelf (the product item), the other does not (the returns item).
        const itemLines = a.Line.filter((l: Entity) => l.DetailType === 'SalesItemLineDetail');
        expect(itemLines.map((l: Entity) => l.SalesItemLineDetail.Qty)).toEqual([1, 1]);
        expect(itemLines[0].SalesItemLineDetail.ItemRef.value).toBe(itemId);
        expect(itemLines[1].SalesItemLineDetail.ItemRef.value).not.toBe(itemId);
        expect((await shop.qbo.read('Item', itemLines[1].SalesItemLineDetail.ItemRef.value)).Type).not.toBe('Inventory');
        // A shipping-only refund is just that line and its tax.
        const bLines = b.Line.filter((l: Entity) => l.DetailType === 'SalesItemLineDetail');
        expect(bLines).toHaveLength(1);
        expect(bLines[0].Description).toMatch(/^Shipping refunded/);
        const item2 = await shop.qbo.read('Item', itemId);
        expect(item2.Type).toBe('Inventory');
        expect(Number(item2.QtyOnHand)).toBe(stockBefore + 1);

        const rows = (await refundRows(shop)).filter((r) => r.parentSourceKey === `order:${order.id}`);
        expect(rows.map((r) => [r.sourceName, r.status]).sort()).toEqual([
          [`${order.name} refund 1`, 'synced'],
          [`${order.name} refund 2`, 'synced'],
        ]);
      },
      usSettings({ autoCreateItemType: 'Inventory' }),
    ));

  it('adopts the refund document an earlier attempt created when its answer was lost, instead of creating another', () =>
    withSyncShop(env, { seed: 33, orders: 30, days: 10 }, async (shop) => {
      await shop.sync('scheduled');
      const order = refundableOrder(shop);
      const item = order.lineItems.nodes.find((l) => !l.isGiftCard && l.quantity >= 2 && l.taxable)!;
      const refund = shop.world.shopify.admin.addRefund(shop.world.shopDomain, order.id, {
        lineItems: [{ lineItemId: item.id, quantity: 1, restockType: 'RETURN' }],
      });
      // QBO commits the first RefundReceipt create and the answer never arrives (the activity then retries).
      shop.world.qbo.admin.setFaults([{ match: 'RefundReceipt:create', commitThenDrop: true, times: 1 }]);
      await untilPast(order.updatedAt);
      await shop.sync('manual');
      const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(books.refundMismatches).toEqual([]);
      expect(books.refundDocuments.get(refund.id as string)).toHaveLength(1);
      const [row] = (await refundRows(shop)).filter((r) => r.sourceKey === `refund:${refund.id}`);
      expect(row?.status).toBe('synced');
      expect(row?.qboId).toBe(books.refundDocuments.get(refund.id as string)![0]!.Id);
    }));

  it('does not book the refunds of an order before the start date, and says why', () =>
    withSyncShop(
      env,
      { seed: 34, orders: 40, days: 10 },
      async (shop) => {
        await shop.sync('scheduled');
        const rows = await refundRows(shop);
        const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
        expect(books.shopifyRefunds.length).toBeGreaterThan(0);
        expect(books.refundDocuments.size).toBe(0);
        expect(rows.length).toBe(books.shopifyRefunds.length);
        for (const r of rows) {
          expect(r.status).toBe('skipped');
          expect(r.reasonCode).toBe('order_not_booked');
        }
      },
      usSettings({ startDate: '2099-01-01' }),
    ));

  it('stops re-reading a refund waiting for its money once Shopify no longer returns its order', () =>
    withSyncShop(env, { seed: 35, orders: 30, days: 10 }, async (shop) => {
      await shop.sync('scheduled');
      const order = refundableOrder(shop);
      const item = order.lineItems.nodes.find((l) => !l.isGiftCard && l.quantity >= 2 && l.taxable)!;
      const refund = shop.world.shopify.admin.addRefund(shop.world.shopDomain, order.id, {
        lineItems: [{ lineItemId: item.id, quantity: 1, restockType: 'RETURN' }],
      });
      // The card refund is still pending at the gateway: no money has moved yet.
      for (const tx of (refund as any).transactions.nodes) tx.status = 'PENDING';
      await untilPast(order.updatedAt);
      await shop.sync('manual');
      const key = `refund:${refund.id}`;
      const waiting = (await refundRows(shop)).find((r) => r.sourceKey === key);
      expect(waiting).toMatchObject({ status: 'parked', reasonCode: 'refund_money_pending', parentSourceKey: `order:${order.id}` });

      // The merchant deletes the order in Shopify: the retry finds nothing and stops trying.
      shop.world.shopify.admin.shop(shop.world.shopDomain).orders.delete(order.id);
      await shop.sync('manual');
      const gone = (await refundRows(shop)).find((r) => r.sourceKey === key)!;
      expect(gone.status).toBe('parked');
      expect(gone.reasonCode).toBe('order_not_found');
      expect(gone.reason).toMatch(/no longer returns this refund's order/);
      await shop.sync('manual');
      const after = (await refundRows(shop)).find((r) => r.sourceKey === key)!;
      expect(after.updatedAt).toEqual(gone.updatedAt);
      const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(books.refundDocuments.get(refund.id as string) ?? []).toHaveLength(0);
    }));

  it('books a refund a transient fault deferred on the next run, though its order did not change again', () =>
    withSyncShop(env, { seed: 36, orders: 30, days: 10 }, async (shop) => {
      await shop.sync('scheduled');
      const order = refundableOrder(shop);
      const item = order.lineItems.nodes.find((l) => !l.isGiftCard && l.quantity >= 2 && l.taxable)!;
      const refund = shop.world.shopify.admin.addRefund(shop.world.shopDomain, order.id, {
        lineItems: [{ lineItemId: item.id, quantity: 1, restockType: 'RETURN' }],
      });
      // Shopify fails every read of the refund itself during this run: the refund is deferred, the run goes on.
      shop.world.shopify.admin.addFaults([{ match: 'refund', rate5xx: 1 }]);
      await untilPast(order.updatedAt);
      await shop.sync('manual');
      const key = `refund:${refund.id}`;
      const deferred = (await refundRows(shop)).find((r) => r.sourceKey === key);
      expect(deferred).toMatchObject({ status: 'parked', reasonCode: 'refund_deferred' });

      // The fault has passed and nothing in Shopify changed since. The order is dated half an hour back, out of the
      // next run's window (the cursor minus its 10-minute overlap), so only the retry of deferred refunds reaches it.
      shop.world.shopify.admin.clearFaults();
      const stored = shop.world.shopify.admin.shop(shop.world.shopDomain).orders.get(order.id) as unknown as { updatedAt: string };
      stored.updatedAt = new Date(Date.now() - 30 * 60_000).toISOString();
      await shop.sync('manual');
      const booked = (await refundRows(shop)).find((r) => r.sourceKey === key);
      expect(booked?.status).toBe('synced');
      const books = await readBooks(shop.qbo, shop.world.shopify, shop.world.shopDomain);
      expect(books.refundDocuments.get(refund.id as string)).toHaveLength(1);
      expect(books.refundMismatches).toEqual([]);
    }));
});
