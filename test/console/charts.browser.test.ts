/**
 * The store page's "Last 30 days" card in real Chromium (Debian's `chromium`, driven by playwright-core; CHROMIUM_PATH
 * points elsewhere) against the real app on a port, with the Temporal dev server and a worker, PostgreSQL and both
 * emulators: after a shop's orders are booked, the page's table holds the day's documents and QBO calls as the
 * ledger and qbo_usage_minutes hold them, uPlot (same-origin, from node_modules) draws both charts under the CSP
 * with no console error, the card still reads without script, and on a phone nothing is wider than the screen.
 * Screenshots go to docs/screenshots with UPDATE_SCREENSHOTS=1 (else a temporary folder).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, isNotNull } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { StoreStats } from '../../api/stores/stats';
import { ledgerEntries, qboUsageMinutes, syncRuns } from '../../db/schema';
import { eventually, missingItemNames, startConsoleWorld, type ConsoleWorld, type ParkedShop } from '../support/console-world';

const SHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.resolve(__dirname, '..', '..', 'docs', 'screenshots')
    : fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-chart-shots-'));

/** The bit of a browser canvas the test reads (the project's TypeScript has no DOM types). */
interface PaintedCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

let world: ConsoleWorld;
let shop: ParkedShop;
let browser: Browser;
let page: Page;
/** Console errors (CSP refusals among them) and failed requests the pages caused: there must be none. */
const problems: string[] = [];

const watch = (p: Page) => {
  p.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  p.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
};

/** The ledger's booked documents (synced, with a QBO id) of the shop by UTC day and kind, as the card counts them. */
async function bookedByDay(): Promise<Map<string, { sales: number; refunds: number; payouts: number }>> {
  const rows = await world.database.db
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.storeId, shop.id), eq(ledgerEntries.status, 'synced'), isNotNull(ledgerEntries.qboId)));
  const out = new Map<string, { sales: number; refunds: number; payouts: number }>();
  for (const r of rows) {
    const day = r.createdAt.toISOString().slice(0, 10);
    const d = out.get(day) ?? { sales: 0, refunds: 0, payouts: 0 };
    if (r.sourceType === 'order') d.sales++;
    else if (r.sourceType === 'refund') d.refunds++;
    else if (r.sourceType === 'payout') d.payouts++;
    out.set(day, d);
  }
  return out;
}

beforeAll(async () => {
  world = await startConsoleWorld({ listen: true });
  shop = await world.connectParkedShop('charts', 6);
  // The bookkeeper creates the items the parked orders name and syncs: the orders (and their refunds) are booked.
  for (const name of new Set((await shop.parked()).flatMap((r) => missingItemNames(r.reason)))) await shop.createItem(name);
  expect((await world.api('POST', `/stores/${shop.id}/sync`)).status).toBeLessThan(300);
  await eventually(async () => {
    const running = await world.database.db
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.storeId, shop.id), eq(syncRuns.status, 'running')));
    return running.length === 0 && (await shop.parked()).length === 0;
  }, 'the shop booked');
  // The limiter writes each minute's tally once the minute is over; the test does not wait for that.
  await world.limiter.flushUsage();

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  watch(page);
  await page.goto(`${world.url}/console/sign-in`);
  await page.getByLabel('API token').fill(world.apiToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${world.url}/console/stores`);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

describe("the store page's charts in Chromium", () => {
  it('shows the booked documents and QBO calls per day in its table, as the ledger and the usage history hold them', async () => {
    await page.goto(`${world.url}/console/stores/${shop.id}`);
    const card = page.getByRole('region', { name: 'Last 30 days' });
    await expect(card.isVisible()).resolves.toBe(true);
    await card.getByText('The figures by day').click();
    const table = card.getByRole('table', { name: /Documents booked and QuickBooks API use per day/ });
    await expect(table.isVisible()).resolves.toBe(true);
    await expect(table.locator('tbody tr').count()).resolves.toBe(30);

    const booked = await bookedByDay();
    expect([...booked.values()].reduce((n, d) => n + d.sales, 0)).toBeGreaterThan(0);
    const usage = await world.database.db.select().from(qboUsageMinutes).where(eq(qboUsageMinutes.realmId, shop.realmId));
    expect(usage.length).toBeGreaterThan(0);
    const cells = async (day: string) =>
      (await table.locator('tbody tr').filter({ hasText: day }).locator('td').allTextContents()).map((t) => Number(t.trim()));
    for (const [day, d] of booked) {
      const calls = usage.filter((u) => u.minute.toISOString().startsWith(day));
      const [sales, refunds, payouts, apiCalls, peakCalls, peakBatches, throttled] = await cells(day);
      expect({ sales, refunds, payouts }, day).toEqual(d);
      expect(apiCalls, day).toBe(calls.reduce((n, u) => n + u.calls, 0));
      expect(apiCalls, day).toBeGreaterThan(0);
      expect(peakCalls, day).toBe(Math.max(...calls.map((u) => u.calls)));
      expect(peakBatches, day).toBe(Math.max(...calls.map((u) => u.batches)));
      expect(throttled, day).toBe(0);
    }
    // The JSON route says the same.
    const api = (await world.api('GET', `/stores/${shop.id}/stats`)).body as StoreStats;
    const total = [...booked.values()].reduce((n, d) => n + d.sales + d.refunds + d.payouts, 0);
    expect(api.totals.documents.total).toBe(total);
    await expect(card.textContent()).resolves.toContain(`${total} documents booked in QuickBooks`);
  });

  it('draws both charts with uPlot under the CSP, labelled for screen readers, with no console error', async () => {
    const charts = page.locator('#stats.drawn');
    await charts.waitFor({ state: 'visible' });
    for (const name of ['documents', 'qbo']) {
      const box = page.locator(`[data-chart="${name}"]`);
      await expect(box.getAttribute('role')).resolves.toBe('img');
      await expect(box.getAttribute('aria-label')).resolves.toMatch(/over the last 30 days/);
      const canvas = box.locator('canvas');
      await expect(canvas.count()).resolves.toBe(1);
      // Something is painted: pixels of more than one colour.
      const colours = await canvas.evaluate((c: unknown) => {
        const el = c as PaintedCanvas;
        const { data } = el.getContext('2d').getImageData(0, 0, el.width, el.height);
        const seen = new Set<number>();
        for (let i = 0; i < data.length; i += 4 * 7) if (data[i + 3]! > 0) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
        return seen.size;
      });
      expect(colours, name).toBeGreaterThan(2);
    }
    // The legend names the series; the limit line is there.
    await expect(page.locator('[data-chart="documents"] .u-legend').textContent()).resolves.toMatch(/Sales.*/);
    await expect(page.locator('[data-chart="qbo"] .u-legend').textContent()).resolves.toContain('Limit');
    // The screenshot with the table folded, as the page opens.
    await page.getByText('The figures by day').click();
    await page.getByRole('region', { name: 'Last 30 days' }).screenshot({ path: path.join(SHOTS, 'store-charts.png') });
    expect(problems).toEqual([]);
  });

  it('serves only the two uPlot files it needs from node_modules, same origin', async () => {
    const get = (file: string) => world.app.inject({ method: 'GET', url: `/console/assets/uplot/${file}` });
    const js = await get('uPlot.iife.min.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect((await get('uPlot.min.css')).statusCode).toBe(200);
    for (const other of ['uPlot.cjs.js', 'uPlot.d.ts', '../package.json', '%2e%2e/package.json'])
      expect((await get(other)).statusCode).toBe(404);
  });

  it('reads without script: the figures in the table, no empty chart boxes', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1200, height: 900 } });
    await context.addCookies(await page.context().cookies());
    const plain = await context.newPage();
    watch(plain);
    await plain.goto(`${world.url}/console/stores/${shop.id}`);
    const card = plain.getByRole('region', { name: 'Last 30 days' });
    await expect(card.locator('#stats').isVisible()).resolves.toBe(false);
    await card.getByText('The figures by day').click();
    await expect(card.getByRole('table').locator('tbody tr').count()).resolves.toBe(30);
    await context.close();
    expect(problems).toEqual([]);
  });

  it('reads on a phone: charts at the screen width, the table scrolls inside its card', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    watch(phone);
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto(`${world.url}/console/stores/${shop.id}`);
    await phone.locator('#stats.drawn').waitFor({ state: 'visible' });
    const card = phone.getByRole('region', { name: 'Last 30 days' });
    const width = await phone.locator('[data-chart="documents"] canvas').evaluate((c) => c.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(200);
    expect(width).toBeLessThanOrEqual(390);
    await card.screenshot({ path: path.join(SHOTS, 'store-charts-phone.png') });
    await card.getByText('The figures by day').click();
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await phone.close();
    expect(problems).toEqual([]);
  });
});
