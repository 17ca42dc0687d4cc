/**
 * The web console in real Chromium (Debian's `chromium`, driven by playwright-core; CHROMIUM_PATH points
 * elsewhere) against the real app listening on a port, with the Temporal dev server and a worker, PostgreSQL
 * and both emulators: sign in (a bad token refused), the stores list, a store's page, Sync now and its run,
 * a parked order with its reason, Ignore one, Retry one (booked by the run the retry starts), sign out. The
 * main pages are screenshotted along the way (desktop and phone widths; UPDATE_SCREENSHOTS=1 writes docs/screenshots).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ledgerEntries, syncRuns } from '../../db/schema';
import { eventually, missingItemNames, startConsoleWorld, type ConsoleWorld, type ParkedShop } from '../support/console-world';

/**
 * Where the screenshots go: docs/screenshots with UPDATE_SCREENSHOTS=1 (then commit them: the README shows them),
 * else a temporary folder, so a test run leaves the checkout as it found it.
 */
const SHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.resolve(__dirname, '..', '..', 'docs', 'screenshots')
    : fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-console-shots-'));

let world: ConsoleWorld;
let shop: ParkedShop;
let browser: Browser;
let page: Page;
/** Console errors and failed requests the pages caused: there must be none. */
const problems: string[] = [];

beforeAll(async () => {
  world = await startConsoleWorld({ listen: true });
  shop = await world.connectParkedShop('browser', 8);
  await world.connectParkedShop('second-shop', 3);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (m) => {
    // Failed loads are recorded with their URL below.
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

/** A screenshot of what the viewport shows (kept small: the README shows them). */
const shot = (name: string, p: Page = page) => p.screenshot({ path: path.join(SHOTS, `${name}.png`) });

async function saleRow(sourceKey: string) {
  const [row] = await world.database.db
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.storeId, shop.id), eq(ledgerEntries.sourceKey, sourceKey), eq(ledgerEntries.role, 'sale')));
  return row!;
}

describe('the console in Chromium', () => {
  it('refuses a bad token and signs in with a good one', async () => {
    await page.goto(`${world.url}/console/stores`);
    // Not signed in: sent to the sign-in page.
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await shot('sign-in');

    await page.getByLabel('API token').fill('not-a-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not valid');
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    // That refusal is a 401 answer, which Chromium logs: expected, unlike any other.
    expect(problems.splice(0)).toEqual(['401 POST /console/sign-in']);

    await page.getByLabel('API token').fill(world.apiToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${world.url}/console/stores`);
    // The session cookie is HttpOnly: no script can read it.
    expect(await page.evaluate<string>('document.cookie')).not.toContain('ledgerline_session');
  });

  it('lists the stores with their health, last run and counts', async () => {
    await expect(page.getByRole('heading', { name: 'Stores', level: 1 }).isVisible()).resolves.toBe(true);
    const row = page.getByRole('row').filter({ hasText: shop.domain });
    await expect(row.count()).resolves.toBe(1);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('needs attention');
    expect(text).toMatch(/completed/);
    const parked = (await shop.parked()).length;
    expect(parked).toBeGreaterThan(0);
    await expect(row.getByRole('cell').nth(3).textContent()).resolves.toBe(String(parked));
    await shot('stores');
  });

  it('opens a store, syncs now and sees the new run in the timeline with its Temporal link', async () => {
    await page.getByRole('link', { name: 'Shop browser' }).click();
    await page.waitForURL(`${world.url}/console/stores/${shop.id}`);
    await expect(page.getByRole('heading', { name: /^Needs attention/, level: 2 }).isVisible()).resolves.toBe(true);
    const runsBefore = (await world.database.db.select().from(syncRuns).where(eq(syncRuns.storeId, shop.id))).length;

    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.waitForURL(/\?done=sync$/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Sync requested');
    await eventually(async () => {
      const runs = await world.database.db.select().from(syncRuns).where(eq(syncRuns.storeId, shop.id));
      return runs.length > runsBefore && runs.every((r) => r.status !== 'running');
    }, 'the manual run finished');
    await page.reload();
    const manual = page.getByRole('row').filter({ hasText: 'manual' });
    await expect(manual.count()).resolves.toBeGreaterThanOrEqual(1);
    const link = manual.first().getByRole('link', { name: 'Temporal UI' });
    expect(await link.getAttribute('href')).toMatch(
      new RegExp(`^${world.temporalUiUrl}/namespaces/default/workflows/${encodeURIComponent(`store:${shop.domain}:sync:`)}`),
    );
  });

  it('shows a parked order with its reason in plain words and the detail, ignores one and retries another', async () => {
    const parked = await shop.parked();
    expect(parked.length).toBeGreaterThanOrEqual(2);
    const [toIgnore, toRetry] = parked as [(typeof parked)[0], (typeof parked)[0]];
    const card = (name: string) => page.getByRole('listitem').filter({ hasText: name });

    const ignoreCard = card(toIgnore.sourceName!);
    await expect(ignoreCard.textContent()).resolves.toContain('QuickBooks has no item or account');
    await expect(ignoreCard.textContent()).resolves.toContain(toIgnore.reason!);
    await shot('store');

    await ignoreCard.getByRole('button', { name: `Ignore ${toIgnore.sourceName}` }).click();
    await page.waitForURL(/\?done=ignore$/);
    expect((await saleRow(toIgnore.sourceKey)).status).toBe('ignored');
    await expect(page.getByRole('heading', { name: 'Ignored' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: `Un-ignore ${toIgnore.sourceName}` }).isVisible()).resolves.toBe(true);

    // The bookkeeper creates the items the reason names, then retries: the run the retry starts books it.
    for (const name of missingItemNames(toRetry.reason)) await shop.createItem(name);
    await card(toRetry.sourceName!)
      .getByRole('button', { name: `Retry ${toRetry.sourceName}` })
      .click();
    await page.waitForURL(/\?done=retry$/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Retry requested');
    await eventually(async () => (await saleRow(toRetry.sourceKey)).status === 'synced', 'the retried order booked');
    await page.reload();
    await expect(card(toRetry.sourceName!).count()).resolves.toBe(0);
    expect((await saleRow(toIgnore.sourceKey)).status).toBe('ignored');
  });

  it('reads on a phone', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto(`${world.url}/console/stores/${shop.id}`);
    // Nothing wider than the screen.
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('store-phone', phone);
    await phone.getByRole('heading', { name: 'Runs' }).scrollIntoViewIfNeeded();
    await shot('runs-phone', phone);
    await phone.close();
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${world.url}/console/sign-in`);
    await page.goto(`${world.url}/console/stores/${shop.id}`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(problems).toEqual([]);
  });
});
