/**
 * Payouts and their balance transactions read through the real Shopify client (paced, typed errors) from the
 * Shopify emulator seeded with generated shops: every payout is listed across pages, each payout's
 * transactions are found by `payments_transfer_id` across pages, and they add up to the payout's net, as the
 * payout saga will assert before it writes anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPayoutArithmetic, readBalanceTransaction, readPayout } from '../../domain/payouts';
import { startShopifyEmulator, type ShopifyEmulator } from '../../emulators/shopify';
import { generateShop, type GeneratedShop } from '../../emulators/scenario';
import { createShopifyClient } from '../../integrations/shopify/client';
import { createShopifyPacer } from '../../integrations/shopify/pacer';
import { listPayoutsSince, listPayoutTransactions } from '../../integrations/shopify/payouts';
import { BALANCE_TRANSACTIONS_PAGE_SIZE, PAYOUTS_PAGE_SIZE } from '../../integrations/shopify/queries/payouts';
import { logger } from './helpers';

const cents = (amount: string): number => Math.round(Number(amount) * 100);
const tokenOf = (domain: string): string => `shpat_${domain.split('.')[0]!.replace(/-/g, '_')}`;

// Many payouts (more than a page of them), and a few large ones (more transactions than a page).
const shops: Array<{ domain: string; gen: GeneratedShop }> = [
  {
    domain: 'payouts-many.myshopify.com',
    gen: generateShop({ seed: 71, orders: 1200, start: '2026-06-01', days: 120, domain: 'payouts-many.myshopify.com' }),
  },
  {
    domain: 'payouts-large.myshopify.com',
    gen: generateShop({ seed: 72, orders: 900, start: '2026-10-01', days: 4, domain: 'payouts-large.myshopify.com' }),
  },
];

let emulator: ShopifyEmulator;

beforeAll(async () => {
  emulator = await startShopifyEmulator({
    shops: shops.map(({ domain, gen }) => ({
      domain,
      accessToken: tokenOf(domain),
      currencyCode: String(gen.shop.currencyCode),
      ianaTimezone: String(gen.shop.ianaTimezone),
      scopes: ['read_orders', 'read_all_orders', 'read_shopify_payments_payouts'],
    })),
  });
  for (const { domain, gen } of shops) {
    emulator.admin.upsertOrders(domain, gen.orders);
    emulator.admin.addPayouts(domain, gen.payouts);
    emulator.admin.addBalanceTransactions(domain, gen.balanceTransactions);
  }
}, 120_000);

afterAll(async () => {
  await emulator?.close();
});

const client = (domain: string) =>
  createShopifyClient({ shopDomain: domain, accessToken: tokenOf(domain), apiBaseUrl: emulator.url, pacer: createShopifyPacer(), logger });

describe.each(shops)('payouts of $domain', ({ domain, gen }) => {
  it('lists every payout issued since a date, oldest first, across pages', async () => {
    const payouts = await listPayoutsSince(client(domain), '2026-01-01');
    expect(payouts.map((p) => p.id).sort()).toEqual(gen.payouts.map((p) => String(p.id)).sort());
    const issued = payouts.map((p) => Date.parse(p.issuedAt));
    expect(issued).toEqual([...issued].sort((a, b) => a - b));
    if (domain.startsWith('payouts-many')) expect(payouts.length).toBeGreaterThan(PAYOUTS_PAGE_SIZE);
    // The cursor date leaves earlier payouts out.
    const later = gen.payouts.filter((p) => String(p.issuedAt) >= '2026-09-01').length;
    expect(await listPayoutsSince(client(domain), '2026-09-01')).toHaveLength(later);
  });

  it("finds each payout's balance transactions, and they add up to its net", async () => {
    const shopify = client(domain);
    const payouts = await listPayoutsSince(shopify, '2026-01-01');
    let largest = 0;
    // Every payout of the large shop, every fourth of the other (each read waits on the shop's cost bucket).
    for (const payout of payouts.filter((_, i) => domain.startsWith('payouts-large') || i % 4 === 0)) {
      const txs = await listPayoutTransactions(shopify, payout.legacyResourceId);
      largest = Math.max(largest, txs.length);
      expect(txs.length).toBeGreaterThan(0);
      expect(txs.every((t) => t.associatedPayout?.id === payout.id)).toBe(true);
      const net = txs.filter((t) => t.type !== 'TRANSFER').reduce((s, t) => s + cents(t.net.amount), 0);
      expect(net).toBe(cents(payout.net.amount));
      const fees = txs.reduce((s, t) => s + cents(t.fee.amount), 0);
      const summaryFees = Object.entries(payout.summary)
        .filter(([k]) => /Fees?$/.test(k))
        .reduce((s, [, m]) => s + cents(m?.amount ?? '0'), 0);
      expect(fees).toBe(summaryFees);
      // What the client reads is what the payout domain takes, and its own check agrees.
      const arithmetic = checkPayoutArithmetic(readPayout(payout), txs.map(readBalanceTransaction));
      expect(arithmetic.ok, JSON.stringify(arithmetic)).toBe(true);
    }
    if (domain.startsWith('payouts-large')) expect(largest).toBeGreaterThan(BALANCE_TRANSACTIONS_PAGE_SIZE);
  });
});

it('refuses a payout id that is not numeric before asking Shopify', async () => {
  await expect(listPayoutTransactions(client(shops[0]!.domain), '1 OR status:paid')).rejects.toThrow(/numeric/);
});
