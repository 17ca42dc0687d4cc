/**
 * The console's Review page (docs/review.md) in real Chromium (Debian's `chromium`, driven by playwright-core;
 * CHROMIUM_PATH points elsewhere) against the real app listening on a port, with the Temporal dev server and a worker,
 * PostgreSQL and both emulators: a store switched to `posting: review` holds its sales; the store page links to the
 * Review page, which shows each held document with its lines, tax and total; Approve selected posts exactly those
 * (read back from the QBO emulator through the real client, once each) by the sync the approval requests; Reject
 * selected sets one aside. Screenshots: desktop and phone widths (UPDATE_SCREENSHOTS=1 writes docs/screenshots).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { qboRateWindowStore } from '../../db/queries';
import { ledgerEntries, syncRuns } from '../../db/schema';
import { createQboClient, type QboClient } from '../../integrations/qbo/client';
import { createQboLimiter } from '../../integrations/qbo/limiter';
import { silentLogger, UNPACED } from '../support/sync-fixture';
import { eventually, startConsoleWorld, type ConsoleWorld, type ParkedShop } from '../support/console-world';

const SHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.resolve(__dirname, '..', '..', 'docs', 'screenshots')
    : fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-review-shots-'));

let world: ConsoleWorld;
let shop: ParkedShop;
let browser: Browser;
let page: Page;
let qbo: QboClient;
let baseline: string[];
const problems: string[] = [];

const sales = () =>
  world.database.db
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.storeId, shop.id), eq(ledgerEntries.role, 'sale')));
const idle = async () =>
  (
    await world.database.db
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.storeId, shop.id), eq(syncRuns.status, 'running')))
  ).length === 0;
const salesInQbo = async () => [...(await qbo.query('SalesReceipt')), ...(await qbo.query('Invoice'))];

beforeAll(async () => {
  world = await startConsoleWorld({ listen: true });
  // A shop whose first run parked its orders (no items); then review mode with items created as needed, and a sync:
  // the parked orders are re-tried, built, and held.
  shop = await world.connectParkedShop('review', 5);
  const issued = world.qbo.admin.issueTokens(shop.realmId);
  qbo = createQboClient({
    realmId: shop.realmId,
    tokens: { storeId: 'reader', accessToken: async () => issued.accessToken },
    endpoint: world.qbo.v3Endpoint,
    limiter: createQboLimiter({ store: qboRateWindowStore(world.database.db), clock: () => new Date(), limits: UNPACED }),
    logger: silentLogger,
  });
  // What the first run (automatic posting) booked before the switch: orders that needed no new item.
  baseline = (await salesInQbo()).map((d) => String(d.Id));
  const put = await world.api('PUT', `/stores/${shop.id}/settings`, { posting: 'review', missingItems: 'auto_create' });
  if (put.status !== 200) throw new Error(`settings answered ${put.status}: ${put.text}`);
  expect((await world.api('POST', `/stores/${shop.id}/sync?wait=60`)).status).toBe(200);
  await eventually(idle, 'the review-mode run finished');
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const shot = (name: string, p: Page = page) => p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });

describe('the Review page in Chromium', () => {
  it('holds the sales of a store in review mode: nothing new in QBO', async () => {
    const held = (await sales()).filter((r) => r.status === 'held');
    expect(held.length).toBeGreaterThanOrEqual(3);
    expect((await salesInQbo()).map((d) => String(d.Id))).toEqual(baseline);
  });

  it('signs in, follows the store page to Review and shows each held document with its lines, tax and total', async () => {
    await page.goto(`${world.url}/console/sign-in`);
    await page.getByLabel('API token').fill(world.apiToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${world.url}/console/stores`);
    await page.goto(`${world.url}/console/stores/${shop.id}`);
    const held = (await sales()).filter((r) => r.status === 'held');
    const card = page.getByRole('region', { name: /^Review/ });
    await expect(card.textContent()).resolves.toContain(String(held.length));
    await card.getByRole('link', { name: 'review and approve them' }).click();
    await page.waitForURL(`${world.url}/console/stores/${shop.id}/review`);
    await expect(page.getByRole('heading', { name: 'Review before posting', level: 1 }).isVisible()).resolves.toBe(true);
    const items = page.getByRole('region', { name: /^Held documents/ }).locator('li.doc');
    await expect(items.count()).resolves.toBe(held.length);
    for (const row of held) {
      const item = items.filter({ hasText: row.sourceName! });
      const text = (await item.textContent()) ?? '';
      expect(text).toContain(row.qboType!);
      expect(text).toContain('waiting for review');
      // Its total as Shopify's figures say, and a table of its lines.
      expect(text).toContain(`${(row.heldDocument!.totalMinor / 100).toFixed(2)} USD`);
      await expect(item.getByRole('table').locator('tbody tr').count()).resolves.toBeGreaterThan(0);
    }
    await shot('review');
  });

  it('approves the selected ones: the sync the approval requests posts exactly those, once', async () => {
    const held = (await sales()).filter((r) => r.status === 'held').sort((a, b) => a.sourceKey.localeCompare(b.sourceKey));
    const chosen = held.slice(0, 2);
    for (const row of chosen) await page.getByLabel(row.sourceName!, { exact: true }).check();
    await page.getByRole('button', { name: 'Approve selected' }).click();
    await page.waitForURL(/\/review\?done=approve$/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Approved');
    await eventually(async () => {
      const now = await sales();
      return (await idle()) && chosen.every((c) => now.find((r) => r.sourceKey === c.sourceKey)!.status === 'synced');
    }, 'the approved documents posted');
    const docs = await salesInQbo();
    const posted = await sales();
    const expected = [...baseline, ...chosen.map((c) => posted.find((r) => r.sourceKey === c.sourceKey)!.qboId!)];
    expect(docs.map((d) => String(d.Id)).sort()).toEqual(expected.sort());
    await page.reload();
    await expect(
      page
        .getByRole('region', { name: /^Held documents/ })
        .locator('li.doc')
        .count(),
    ).resolves.toBe(held.length - 2);
  });

  it('rejects a selected one: set aside, not posted, shown as rejected on the store page', async () => {
    const target = (await sales()).find((r) => r.status === 'held')!;
    await page.getByLabel(target.sourceName!, { exact: true }).check();
    await page.getByRole('button', { name: 'Reject selected' }).click();
    await page.waitForURL(/\/review\?done=reject$/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Rejected');
    expect((await sales()).find((r) => r.sourceKey === target.sourceKey)).toMatchObject({ status: 'ignored', reasonCode: 'rejected' });
    await page.goto(`${world.url}/console/stores/${shop.id}`);
    const ignored = page.getByRole('region', { name: 'Ignored' });
    await expect(ignored.textContent()).resolves.toContain('Rejected in review');
    expect(await salesInQbo()).toHaveLength(baseline.length + 2);
  });

  it('refuses a form post without its CSRF token, changing nothing', async () => {
    const before = await sales();
    const forged = await page.request.post(`${world.url}/console/stores/${shop.id}/review/approve`, { form: { all: 'true' } });
    expect(forged.status()).toBe(403);
    expect(await sales()).toEqual(before);
  });

  it('reads on a phone', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto(`${world.url}/console/stores/${shop.id}/review`);
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('review-phone', phone);
    await phone.close();
    expect(problems).toEqual([]);
  });
});
