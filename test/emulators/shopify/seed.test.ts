// Seeding from a folder (Shopify files only) and the optional state file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateShop, writeSeedFiles } from '../../../emulators/scenario';
import { miniOrder } from './fixtures';
import { clientFor, errorsOf, seedFolder, SHOP, startEmulator, TOKEN } from './helpers';

const BETA = 'beta.myshopify.com';
const GAMMA = 'gamma.myshopify.com';
const COUNTS = '{ shop { myshopifyDomain currencyCode } orders(first: 250) { nodes { id } } products(first: 50) { nodes { id } } }';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'shopify-seed-'));
}

function writeJson(dir: string, name: string, value: unknown): void {
  fs.writeFileSync(path.join(dir, name), JSON.stringify(value));
}

function captureLogger(): {
  warnings: string[];
  infos: unknown[];
  logger: { info(o: unknown, m?: string): void; warn(o: unknown, m?: string): void };
} {
  const warnings: string[] = [];
  const infos: unknown[] = [];
  return {
    warnings,
    infos,
    logger: {
      info: (o) => infos.push(o),
      warn: (_o, m) => warnings.push(m ?? ''),
    },
  };
}

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

  it('keeps whole seconds of the timestamps an order is given, seeded or added, as Shopify does', async () => {
    const dir = tempDir();
    writeJson(dir, 'orders.json', [miniOrder(31, { createdAt: '2026-10-01T08:00:00.999Z', updatedAt: '2026-10-01T08:30:05.750Z' })]);
    const emu = await startEmulator({ seedDir: dir });
    try {
      emu.admin.upsertOrders(SHOP, [
        miniOrder(32, {
          createdAt: '2026-10-01T08:30:05.250Z',
          updatedAt: '2026-10-01T08:30:05.789Z',
          processedAt: '2026-10-01T08:30:04.5Z',
        }),
        miniOrder(33, { createdAt: '2026-10-01T08:30:06Z', updatedAt: '2026-10-01T08:30:06+00:00' }),
      ]);
      const res: any = await clientFor(emu).request(
        '{ orders(first: 10, sortKey: ID) { nodes { name createdAt updatedAt processedAt } } after: orders(first: 10, query: "updated_at:>\'2026-10-01T08:30:05Z\'") { nodes { name } } }',
      );
      expect(errorsOf(res)).toEqual([]);
      expect(res.data.orders.nodes.map((o: any) => [o.name, o.createdAt, o.updatedAt])).toEqual([
        ['#31', '2026-10-01T08:00:00Z', '2026-10-01T08:30:05Z'],
        ['#32', '2026-10-01T08:30:05Z', '2026-10-01T08:30:05Z'],
        ['#33', '2026-10-01T08:30:06Z', '2026-10-01T08:30:06+00:00'],
      ]);
      expect(res.data.orders.nodes[1].processedAt).toBe('2026-10-01T08:30:04Z');
      // A change in the same second as a cursor does not look newer than it: readers need their overlap.
      expect(res.data.after.nodes.map((o: any) => o.name)).toEqual(['#33']);
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

  it('gives each shop of a seed folder its own shop, by its domain, whether in a folder of its own or a bundle file', async () => {
    const dir = tempDir();
    const alpha = generateShop({ seed: 7, orders: 30, start: '2026-09-01T00:00:00Z', days: 20, domain: SHOP });
    const beta = generateShop({ seed: 8, orders: 12, start: '2026-09-01T00:00:00Z', days: 20, domain: BETA, taxRegion: 'CA' });
    writeSeedFiles(path.join(dir, 'alpha'), alpha);
    writeSeedFiles(path.join(dir, 'beta'), beta);
    writeJson(dir, 'gamma.json', {
      shop: { myshopifyDomain: GAMMA, name: 'Gamma', currencyCode: 'GBP' },
      accessToken: 'shpat_gamma',
      orders: [miniOrder(900001, { createdAt: '2026-10-01T00:00:00Z' })],
    });
    const log = captureLogger();
    const emu = await startEmulator({ seedDir: dir, logger: log.logger });
    try {
      const a: any = await clientFor(emu, TOKEN).request(COUNTS);
      expect(errorsOf(a)).toEqual([]);
      expect(a.data.shop).toEqual({ myshopifyDomain: SHOP, currencyCode: 'USD' });
      expect(a.data.orders.nodes).toHaveLength(alpha.orders.length);
      expect(a.data.products.nodes).toHaveLength(alpha.products.length);

      // beta's files name a shop the emulator was not given: it is created, with the seed's default token.
      const b: any = await clientFor(emu, 'shpat_seed_beta').request(COUNTS);
      expect(errorsOf(b)).toEqual([]);
      expect(b.data.shop).toEqual({ myshopifyDomain: BETA, currencyCode: 'CAD' });
      expect(b.data.orders.nodes.map((o: any) => o.id).sort()).toEqual(beta.orders.map((o) => o.id).sort());

      const g: any = await clientFor(emu, 'shpat_gamma').request('{ shop { name myshopifyDomain } orders(first: 5) { nodes { id } } }');
      expect(g.data).toEqual({
        shop: { name: 'Gamma', myshopifyDomain: GAMMA },
        orders: { nodes: [{ id: 'gid://shopify/Order/900001' }] },
      });
      expect(log.warnings).toEqual([]);
      expect(log.infos).toContainEqual({ emulator: 'shopify', shop: BETA, accessToken: 'shpat_seed_beta' });
    } finally {
      await emu.close();
    }
  });

  it('refuses data that names no shop in a folder naming two shops, instead of merging it into one', async () => {
    const dir = tempDir();
    writeJson(dir, 'alpha.json', { shop: { myshopifyDomain: SHOP } });
    writeJson(dir, 'beta.json', { shop: { myshopifyDomain: BETA } });
    writeJson(dir, 'orders.json', [miniOrder(1, { createdAt: '2026-10-01T00:00:00Z' })]);
    await expect(startEmulator({ seedDir: dir })).rejects.toThrow(
      `${path.join(dir, 'orders.json')}: its 1 objects name no shop, and its folder names 2 (${SHOP}, ${BETA})`,
    );
  });

  it('refuses data that names no shop beside folders of two shops', async () => {
    const dir = tempDir();
    writeSeedFiles(path.join(dir, 'alpha'), generateShop({ seed: 7, orders: 3, start: '2026-09-01T00:00:00Z', days: 5, domain: SHOP }));
    writeSeedFiles(path.join(dir, 'beta'), generateShop({ seed: 8, orders: 3, start: '2026-09-01T00:00:00Z', days: 5, domain: BETA }));
    writeJson(dir, 'extra-orders.json', [miniOrder(1, { createdAt: '2026-10-01T00:00:00Z' })]);
    await expect(startEmulator({ seedDir: dir })).rejects.toThrow(
      /extra-orders\.json: its 1 objects name no shop, and neither does its folder, while the seed names 2/,
    );
  });

  it('refuses a seed that names no shop when the emulator has several', async () => {
    const dir = tempDir();
    writeJson(dir, 'orders.json', [miniOrder(1, { createdAt: '2026-10-01T00:00:00Z' })]);
    const shops = [
      { domain: SHOP, accessToken: TOKEN },
      { domain: BETA, accessToken: 'shpat_beta' },
    ];
    await expect(startEmulator({ seedDir: dir, shops })).rejects.toThrow(/name no shop, and the emulator has 2/);
  });

  it('warns when a shop is described twice with other values, or an order appears twice, and keeps the later file', async () => {
    const dir = tempDir();
    writeJson(dir, 'a-shop.json', { shop: { myshopifyDomain: SHOP, name: 'First' } });
    writeJson(dir, 'b-shop.json', { shop: { myshopifyDomain: SHOP, name: 'Second' } });
    writeJson(dir, 'c-orders.json', [miniOrder(3, { createdAt: '2026-10-01T00:00:00Z', total: 1000 })]);
    writeJson(dir, 'd-orders.json', [miniOrder(3, { createdAt: '2026-10-01T00:00:00Z', total: 2500 })]);
    const log = captureLogger();
    const emu = await startEmulator({ seedDir: dir, logger: log.logger });
    try {
      expect(log.warnings).toEqual([
        `${path.join(dir, 'b-shop.json')}: shop ${SHOP} is described again with other values; the later file's values win`,
        `gid://shopify/Order/3 is in ${path.join(dir, 'c-orders.json')} and again in ${path.join(dir, 'd-orders.json')}; the later one is kept`,
      ]);
      const res: any = await clientFor(emu).request(
        '{ shop { name } order(id: "gid://shopify/Order/3") { totalPriceSet { shopMoney { amount } } } }',
      );
      expect(res.data).toEqual({ shop: { name: 'Second' }, order: { totalPriceSet: { shopMoney: { amount: '25.00' } } } });
    } finally {
      await emu.close();
    }
  });

  it('answers null, as Shopify does, for an optional field a seeded order leaves out, and names a missing required one', async () => {
    const dir = tempDir();
    const { name: _name, ...nameless } = miniOrder(2, { createdAt: '2026-10-01T00:00:00Z' });
    writeJson(dir, 'orders.json', [miniOrder(1, { createdAt: '2026-10-01T00:00:00Z' }), nameless]);
    const emu = await startEmulator({ seedDir: dir });
    try {
      const res: any = await clientFor(emu).request(
        '{ order(id: "gid://shopify/Order/1") { name note email customer { id } shippingAddress { city } cancelReason closedAt currentTotalDutiesSet { shopMoney { amount } } } }',
      );
      expect(errorsOf(res)).toEqual([]);
      expect(res.data.order).toEqual({
        name: '#1',
        note: null,
        email: null,
        customer: null,
        shippingAddress: null,
        cancelReason: null,
        closedAt: null,
        currentTotalDutiesSet: null,
      });
      const missing: any = await clientFor(emu).request('{ order(id: "gid://shopify/Order/2") { id name } }');
      expect(errorsOf(missing)).toEqual(['Stored Order lacks Order.name, which Shopify always sets (non-null): the seed must give it.']);
      expect(missing.errors.graphQLErrors[0].extensions.code).toBe('SEED_INCOMPLETE');
    } finally {
      await emu.close();
    }
  });
});
