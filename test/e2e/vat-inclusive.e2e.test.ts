/**
 * End to end on tax-inclusive companies (issue #12 items 2 and 3): a GB shop (VAT 20 %) synced into a UK QBO
 * company and an AU shop (GST 10 %) into an Australian one, every part real as in sales-sync.e2e. The shops are
 * rich in what made tax-inclusive orders come out wrong: line and order discounts (codes, manual, automatic),
 * free shipping, lines and whole orders given away (100 % discounts) and tips, which Shopify records both as a
 * line item and as the order's tip total. QBO is read back through the real client: every booked document's
 * TotalAmt, as the emulator computes it the way QBO does under TaxInclusive, and its TotalTax equal Shopify's.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerEntries } from '../../db/schema';
import type { ShopifyOrderCore } from '../../domain/shopify/types';
import type { TaxRegion } from '../../emulators/scenario';
import { readBooks, refundProblems } from '../support/books';
import { startStack, type Stack } from '../support/stack';
import { qboReader } from '../support/sync-fixture';

const ORDERS = 120;

/** Shopify tax line → the default QBO company's tax codes and rates (emulators/qbo/company/taxTables.ts). */
const TAX_CODE_MAPS: Record<'GB' | 'AU', Record<string, unknown>> = {
  GB: {
    codes: [{ taxLines: [{ title: 'VAT', rate: 0.2 }], taxCodeId: '200' }],
    rates: [{ title: 'VAT', rate: 0.2, taxRateId: '100' }],
    exemptTaxCodeId: '203',
  },
  AU: {
    codes: [{ taxLines: [{ title: 'GST', rate: 0.1 }], taxCodeId: '200' }],
    rates: [{ title: 'GST', rate: 0.1, taxRateId: '100' }],
    exemptTaxCodeId: '201',
  },
};

const cents = (bag: { shopMoney: { amount: string } } | null | undefined): number =>
  bag ? Math.round(Number(bag.shopMoney.amount) * 100) : 0;

/** What the generated shop holds that a tax-inclusive booking must get right. */
const situations: Record<string, (o: ShopifyOrderCore) => boolean> = {
  'a line discount': (o) => o.discountApplications.nodes.some((d) => d.targetType === 'LINE_ITEM' && d.targetSelection === 'ENTITLED'),
  'an order discount across lines': (o) =>
    o.discountApplications.nodes.some((d) => d.targetType === 'LINE_ITEM' && d.targetSelection === 'ALL'),
  'a discount code': (o) => o.discountApplications.nodes.some((d) => typeof d.code === 'string' && d.code !== ''),
  'free shipping': (o) => o.shippingLines.nodes.some((s) => cents(s.originalPriceSet) > 0 && cents(s.discountedPriceSet) === 0),
  'a line given away': (o) =>
    o.lineItems.nodes.some(
      (l) =>
        l.variant !== null && cents(l.originalUnitPriceSet) > 0 && cents(l.originalUnitPriceSet) * l.quantity === cents(l.totalDiscountSet),
    ),
  'a tip': (o) => cents(o.totalTipReceivedSet) > 0 && o.lineItems.nodes.some((l) => l.variant === null && l.title === 'Tip'),
};

function describeRegion(region: 'GB' | 'AU', seed: number): void {
  describe(`a ${region} shop with tax-inclusive prices, end to end`, () => {
    let stack: Stack;
    let storeId: string;
    const saleRows = async () =>
      await stack.database.db
        .select()
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.storeId, storeId), eq(ledgerEntries.role, 'sale')));

    beforeAll(async () => {
      stack = await startStack({
        seed,
        orders: ORDERS,
        days: 20,
        taxRegion: region satisfies TaxRegion,
        mix: { lineDiscount: 0.35, orderDiscount: 0.3, shippingDiscount: 0.4, fullDiscount: 0.15, tip: 0.2, testOrder: 0 },
      });
      stack.startWorker();
      storeId = await stack.connect({ taxMode: 'global', taxCodeMap: TAX_CODE_MAPS[region], docNumberPrefix: `${region}-` });
      await stack.waitForRuns(storeId, 1, 300_000);
    }, 420_000);

    afterAll(async () => {
      await stack?.close();
    }, 120_000);

    it('books every discounted, free-shipped, given-away and tipped order to the cent, once', async () => {
      const rows = await saleRows();
      const books = await readBooks(qboReader(stack.world, stack.database.db), stack.world.shopify, stack.world.shopDomain);
      expect(books.shopifyOrders.length).toBe(ORDERS);
      expect(new Set(rows.map((r) => r.sourceKey)).size).toBe(ORDERS);
      expect(books.duplicates).toEqual([]);
      // TotalAmt as QBO computes it under TaxInclusive, and TotalTax, equal Shopify's for every document.
      expect(books.mismatches).toEqual([]);
      expect(rows.filter((r) => r.status === 'pending' || r.status === 'failed')).toEqual([]);
      // Nothing is parked: no order fails to balance, no document fails the totals check or is refused by QBO.
      // (Skipped ones are orders with nothing to book, such as a voided authorization; each says so.)
      const notBooked = rows.filter((r) => r.status !== 'synced' && r.status !== 'voided' && r.status !== 'skipped');
      for (const r of rows.filter((x) => x.status === 'skipped')) expect(r.reason, `${r.sourceName}`).toBeTruthy();
      expect(notBooked.map((r) => `${r.sourceName}: ${r.status} ${r.reasonCode} ${r.reason}`)).toEqual([]);
      expect(books.trialBalance.debits).toBe(books.trialBalance.credits);
      // Refunds of tax-inclusive orders: booked tax-exclusive, each to the cent of the money sent back.
      const all = await stack.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, storeId));
      expect(refundProblems(books, all)).toEqual([]);
      expect(books.refundDocuments.size).toBeGreaterThan(3);

      const synced = new Set(rows.map((r) => r.sourceKey.replace(/^order:/, '')));
      for (const [what, has] of Object.entries(situations)) {
        const orders = books.shopifyOrders.filter((o) => synced.has(o.id) && has(o));
        expect(orders.length, `no booked order with ${what}`).toBeGreaterThan(0);
      }

      const view = await stack.api<{ settings: { accounts: { tips: string } } }>('GET', `/stores/${storeId}`);
      const items = new Map((await qboReader(stack.world, stack.database.db).query('Item')).map((i) => [String(i.Id), i]));
      type Line = { DetailType: string; Description?: string; Amount: number; SalesItemLineDetail?: { ItemRef: { value: string } } };
      const tipItems = new Set<string>();
      const booked = new Set(rows.filter((r) => r.status === 'synced').map((r) => r.sourceKey.replace(/^order:/, '')));
      for (const order of books.shopifyOrders.filter((o) => o.cancelledAt === null && booked.has(o.id))) {
        const doc = books.documentsByOrder.get(order.id)?.[0];
        expect(doc, `${order.name} has no QBO document`).toBeDefined();
        expect(doc!.GlobalTaxCalculation).toBe('TaxInclusive');
        const lines = doc!.Line as Line[];
        // Lines are booked after their discounts: a discount line would be read with its tax in it.
        expect(lines.some((l) => l.DetailType === 'DiscountLineDetail')).toBe(false);
        // The tip is booked once, on the tips item, though Shopify lists it as a line item too.
        const tipLines = lines.filter((l) => l.Description === 'Tip');
        const tip = cents(order.totalTipReceivedSet);
        expect(
          tipLines.map((l) => Math.round(l.Amount * 100)),
          order.name,
        ).toEqual(tip > 0 ? [tip] : []);
        for (const l of tipLines) tipItems.add(l.SalesItemLineDetail!.ItemRef.value);
        const onTipItem = lines.filter((l) => tipItems.has(l.SalesItemLineDetail?.ItemRef.value ?? ''));
        expect(onTipItem.length, order.name).toBe(tipLines.length);
      }
      expect(tipItems.size).toBe(1);
      const [tipItem] = [...tipItems];
      expect(items.get(tipItem!)?.IncomeAccountRef).toEqual({ value: view.body.settings.accounts.tips });
    }, 300_000);
  });
}

describeRegion('GB', 211);
describeRegion('AU', 212);
