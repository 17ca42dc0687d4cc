// Seeding from a folder (Shopify files only) and the optional state file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { miniOrder } from './fixtures';
import { clientFor, errorsOf, seedFolder, SHOP, startEmulator } from './helpers';

describe('seeding', () => {
  it('loads every Shopify file of a folder and ignores files that are not Shopify', async () => {
    const { dir, shop } = seedFolder({ orders: 20, taxRegion: 'GB' });
    fs.writeFileSync(path.join(dir, 'qbo-company.json'), JSON.stringify({ qboCompany: { realmId: '123', accounts: [{ Id: '1' }] } }));
    fs.writeFileSync(path.join(dir, 'extra-order.json'), JSON.stringify(miniOrder(1, { createdAt: '2026-10-01T00:00:00Z' })));
    fs.writeFileSync(
      path.join(dir, 'bundle.json'),
      JSON.stringify({ orders: [miniOrder(2, { createdAt: '2026-10-02T00:00:00Z' })], notes: 'ignored' }),
    );
    const emu = await startEmulator({ seedDir: dir });
    try {
      const res: any = await clientFor(emu).request(
        '{ shop { currencyCode myshopifyDomain } orders(first: 250) { nodes { id } } products(first: 50) { nodes { id } } shopifyPaymentsAccount { defaultCurrency payouts(first: 100) { nodes { id } } balanceTransactions(first: 250) { nodes { id } } } }',
      );
      expect(errorsOf(res)).toEqual([]);
      expect(res.data.shop).toEqual({ currencyCode: 'GBP', myshopifyDomain: SHOP });
      expect(res.data.orders.nodes).toHaveLength(shop.orders.length + 2);
      expect(res.data.products.nodes).toHaveLength(shop.products.length);
      expect(res.data.shopifyPaymentsAccount.defaultCurrency).toBe('GBP');
      expect(res.data.shopifyPaymentsAccount.payouts.nodes).toHaveLength(shop.payouts.length);
      expect(res.data.shopifyPaymentsAccount.balanceTransactions.nodes).toHaveLength(Math.min(250, shop.balanceTransactions.length));
    } finally {
      await emu.close();
    }
  });

  it('keeps its state in a state file across restarts', async () => {
    const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shopify-state-')), 'state.json');
    const first = await startEmulator({ stateFile });
    first.admin.upsertOrders(SHOP, [miniOrder(9, { createdAt: '2026-10-01T00:00:00Z' })]);
    await first.close();
    const second = await startEmulator({ stateFile });
    try {
      const res: any = await clientFor(second).request('{ order(id: "gid://shopify/Order/9") { name } }');
      expect(res.data.order).toEqual({ name: '#9' });
    } finally {
      await second.close();
    }
  });
});
