/**
 * End to end on a Canadian company (issue #14): a CA shop whose orders are taxed GST, HST, GST + PST and
 * GST + QST by province, with its refunds (partial, full, restocked or not, shipping, restocking fees), synced
 * into a Canadian QBO company by the API, a worker process, the dev server, PostgreSQL and both emulators.
 * QBO is read back through the real client: every sale and every refund document is there once, its total
 * and tax equal to Shopify's to the cent, per-rate tax lines included, and the trial balance balances.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerEntries } from '../../db/schema';
import { readBooks, refundProblems } from '../support/books';
import { startStack, type Stack } from '../support/stack';
import { qboReader } from '../support/sync-fixture';

const ORDERS = 150;

/** Shopify's Canadian tax lines → the default Canadian QBO company's codes and rates (emulators/qbo/company/taxTables.ts). */
const CA_TAX_CODES = {
  codes: [
    { taxLines: [{ title: 'GST', rate: 0.05 }], taxCodeId: '200' },
    { taxLines: [{ title: 'HST', rate: 0.13 }], taxCodeId: '201' },
    {
      taxLines: [
        { title: 'GST', rate: 0.05 },
        { title: 'PST', rate: 0.07 },
      ],
      taxCodeId: '202',
    },
    {
      taxLines: [
        { title: 'GST', rate: 0.05 },
        { title: 'QST', rate: 0.09975 },
      ],
      taxCodeId: '203',
    },
  ],
  rates: [
    { title: 'GST', rate: 0.05, taxRateId: '100' },
    { title: 'HST', rate: 0.13, taxRateId: '101' },
    { title: 'PST', rate: 0.07, taxRateId: '102' },
    { title: 'QST', rate: 0.09975, taxRateId: '103' },
  ],
  exemptTaxCodeId: '205',
};

let stack: Stack;
let storeId: string;

beforeAll(async () => {
  stack = await startStack({ seed: 404, orders: ORDERS, days: 25, taxRegion: 'CA', mix: { refund: 0.3, testOrder: 0 } });
  stack.startWorker();
  storeId = await stack.connect({ taxMode: 'global', taxCodeMap: CA_TAX_CODES, docNumberPrefix: 'CA-' });
  await stack.waitForRuns(storeId, 1, 300_000);
}, 420_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

describe('a Canadian shop (GST, HST, PST, QST) end to end, sales and refunds', () => {
  it('books every sale and every refund once, to the cent, with per-rate tax lines', async () => {
    const rows = await stack.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, storeId));
    const books = await readBooks(qboReader(stack.world, stack.database.db), stack.world.shopify, stack.world.shopDomain);
    const sales = rows.filter((r) => r.role === 'sale');
    expect(books.shopifyOrders.length).toBe(ORDERS);
    expect(new Set(sales.map((r) => r.sourceKey)).size).toBe(ORDERS);
    expect(books.duplicates).toEqual([]);
    expect(books.mismatches).toEqual([]);
    expect(rows.filter((r) => r.status === 'pending' || r.status === 'failed')).toEqual([]);
    for (const r of rows.filter((x) => x.status !== 'synced'))
      expect(r.reason, `${r.sourceName} is ${r.status} without a reason`).toBeTruthy();
    expect(sales.filter((r) => r.status === 'synced').length).toBeGreaterThan(ORDERS * 0.8);
    expect(refundProblems(books, rows)).toEqual([]);
    const refunds = [...books.refundDocuments.values()].flat();
    expect(refunds.length).toBeGreaterThan(10);
    // Two-rate provinces get one tax line per rate on the refund, adding up to the refunded tax.
    const twoRates = refunds.filter((d) => (d.TxnTaxDetail?.TaxLine ?? []).length === 2);
    expect(twoRates.length).toBeGreaterThan(0);
    for (const d of refunds) {
      const lines = (d.TxnTaxDetail?.TaxLine ?? []) as Array<{ Amount: number }>;
      const perRate = lines.reduce((s, t) => s + Math.round(t.Amount * 100), 0);
      expect(perRate, `refund ${d.DocNumber}`).toBe(Math.round(Number(d.TxnTaxDetail?.TotalTax ?? 0) * 100));
      expect(d.GlobalTaxCalculation).toBe('TaxExcluded');
      expect(String(d.DocNumber)).toMatch(/^CA-\d+-R\d+$/);
    }
    expect(books.trialBalance.debits).toBe(books.trialBalance.credits);
  }, 300_000);
});
