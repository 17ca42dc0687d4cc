/**
 * The "Add a store" wizard in real Chromium (Debian's `chromium`, driven by playwright-core; CHROMIUM_PATH points
 * elsewhere) against the real app listening on a port with both OAuth flows configured, the Temporal dev server and a
 * worker, PostgreSQL and both emulators, whose consent pages are clicked through: sign in, Add a store, Install on
 * Shopify, Connect to QuickBooks, accounts picked from the company's own chart, a settings mistake shown next to its
 * field, the store created and its first sync watched to the end (the documents read back from the QBO emulator),
 * Disconnect QuickBooks and Reconnect it; then the paste-a-token path for Shopify. Each step is screenshotted (desktop, and the settings
 * on a phone; UPDATE_SCREENSHOTS=1 writes docs/screenshots).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { qboRateWindowStore } from '../../db/queries';
import { ledgerEntries, stores, syncRuns } from '../../db/schema';
import { DEFAULT_ACCOUNT_IDS } from '../../emulators/qbo';
import { generateShop } from '../../emulators/scenario/generate';
import { createQboClient } from '../../integrations/qbo/client';
import { createQboLimiter } from '../../integrations/qbo/limiter';
import { silentLogger, UNPACED } from '../support/sync-fixture';
import { eventually, startConsoleWorld, type ConsoleWorld } from '../support/console-world';

const SHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.resolve(__dirname, '..', '..', 'docs', 'screenshots')
    : fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-wizard-shots-'));

let world: ConsoleWorld;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  world = await startConsoleWorld({ listen: true, oauth: true });
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

const shot = (name: string, p: Page = page, fullPage = false) => p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });

let seq = 0;
/** A shop in the Shopify emulator with a few days of orders, and a QBO company of its own. */
function newShopAndCompany(name: string) {
  const handle = `${name}-${process.pid}-${++seq}`;
  const domain = `${handle}.myshopify.com`;
  const token = `shpat_${randomBytes(12).toString('hex')}`;
  world.shopify.admin.createShop({
    domain,
    accessToken: token,
    name: `Shop ${name}`,
    currencyCode: 'USD',
    ianaTimezone: 'America/New_York',
  });
  const generated = generateShop({ seed: 47, orders: 4, start: new Date(Date.now() - 4 * 86_400_000).toISOString(), days: 3, domain });
  world.shopify.admin.addProducts(domain, generated.products);
  world.shopify.admin.upsertOrders(domain, generated.orders);
  const company = world.qbo.admin.createCompany({ country: 'US', companyName: `Books of ${name}` });
  return { domain, token, company, id: handle };
}

/** Intuit's (the emulator's) consent page: this company chosen, Connect. */
async function connectQuickBooks(realmId: string, companyName: string) {
  await page.getByRole('button', { name: 'Connect to QuickBooks' }).click();
  await page.waitForURL(`${world.qbo.authorizeUrl}?**`);
  await page.getByLabel(`${companyName} (${realmId})`).check();
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.waitForURL(`${world.url}/console/connect`);
  await expect(page.getByRole('heading', { name: 'Step 3 of 3: settings' }).isVisible()).resolves.toBe(true);
}

describe('the Add a store wizard in Chromium', () => {
  it('signs in and opens the wizard from the stores page', async () => {
    await page.goto(`${world.url}/console/sign-in`);
    await page.getByLabel('API token').fill(world.apiToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${world.url}/console/stores`);
    await page.getByRole('link', { name: 'Add a store' }).click();
    await page.waitForURL(`${world.url}/console/connect`);
    await expect(page.getByRole('heading', { name: 'Add a store', level: 1 }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('list', { name: 'Steps' }).getByRole('listitem').count()).resolves.toBe(3);
    await shot('wizard-1-shopify');
  });

  it('adds a store through both OAuth flows, picks accounts, and watches the first sync book into QuickBooks; then disconnects QuickBooks', async () => {
    const s = newShopAndCompany('wizard');
    const companyName = `Books of wizard`;

    // Step 1: Install on Shopify, through the emulator's install page.
    const install = page.getByRole('region', { name: 'Install on Shopify' });
    await install.getByLabel('Shop domain').fill(s.domain);
    await install.getByRole('button', { name: 'Install on Shopify' }).click();
    await page.waitForURL(`${world.shopify.url}/admin/oauth/authorize?**`);
    await page.getByRole('button', { name: 'Install' }).click();
    await page.waitForURL(`${world.url}/console/connect`);

    // Step 2: the shop is connected; Connect to QuickBooks through Intuit's (the emulator's) consent page.
    await expect(page.getByRole('heading', { name: 'Step 2 of 3: QuickBooks Online' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('main').textContent()).resolves.toMatch(new RegExp(`${s.domain.replace(/\./g, '\\.')}\\s+· app installed`));
    await shot('wizard-2-quickbooks');
    await connectQuickBooks(s.company.realmId, companyName);
    await expect(page.getByRole('main').textContent()).resolves.toContain(`realm ${s.company.realmId}`);

    // Step 3: the pickers hold the company's own accounts.
    const income = page.getByLabel('Product sales');
    await expect(income.locator('option').allTextContents()).resolves.toContain('Sales of Product Income (Income)');
    await income.selectOption({ label: 'Sales of Product Income (Income)' });
    await page.getByLabel('Money received (clearing)').selectOption({ label: 'Shopify Clearing (Other Current Asset)' });
    await page.getByLabel('Gift cards').selectOption({ label: 'Gift Card Liability (Other Current Liability)' });
    await page.getByLabel('Match products by').selectOption('name');
    await shot('wizard-3-settings');
    await shot('wizard-3-settings-full', page, true);

    // A mistake: the connect service's own message, next to the field, and at the top; the choices are kept.
    await page.getByLabel('Sync every (minutes)').fill('2');
    await page.getByRole('button', { name: 'Connect and start the first sync' }).click();
    await page.waitForURL(`${world.url}/console/connect`);
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('The settings were not accepted');
    const interval = page.getByLabel('Sync every (minutes)');
    await expect(interval.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#f-syncIntervalMinutes-error').textContent()).resolves.toBe('must be at least 5 minutes');
    await expect(page.getByLabel('Product sales').inputValue()).resolves.toBe(DEFAULT_ACCOUNT_IDS.salesOfProduct);
    expect(problems.splice(0)).toEqual(['400 POST /console/connect']);
    await interval.scrollIntoViewIfNeeded();
    await shot('wizard-3-settings-error');

    // Fixed and submitted: the store page, where the first sync runs.
    await interval.fill('60');
    await page.getByRole('button', { name: 'Connect and start the first sync' }).click();
    await page.waitForURL(`${world.url}/console/stores/${s.id}?done=connected`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Connected: the first sync has started');
    await shot('wizard-4-store');
    const [row] = await world.database.db.select().from(stores).where(eq(stores.id, s.id));
    expect(row!.qboRealmId).toBe(s.company.realmId);
    expect(row!.settings.accounts.productIncome).toBe(DEFAULT_ACCOUNT_IDS.salesOfProduct);
    expect(row!.settings.accounts.undepositedFunds).toBe(DEFAULT_ACCOUNT_IDS.shopifyClearing);
    expect(row!.settings.productMatch).toBe('name');
    expect(row!.settings.syncIntervalMinutes).toBe(60);

    // The first sync completes: the page's live progress says so (static/progress.js polls it), then a reload lists the run.
    // (Rendered while the run was under way, as it is unless the run already ended.)
    if ((await page.locator('#progress').getAttribute('data-running')) === '1') {
      await expect(page.getByRole('heading', { name: 'Running now' }).isVisible()).resolves.toBe(true);
      await page.getByText('The sync has finished.').waitFor({ timeout: 60_000 });
    }
    await eventually(async () => {
      const runs = await world.database.db.select().from(syncRuns).where(eq(syncRuns.storeId, s.id));
      return runs.length > 0 && runs.every((r) => r.status === 'completed');
    }, 'the first sync completed');
    await page.reload();
    await expect(
      page
        .getByRole('table', { name: /sync runs/ })
        .getByRole('row')
        .filter({ hasText: 'completed' })
        .count(),
    ).resolves.toBeGreaterThanOrEqual(1);
    const booked = await world.database.db
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.storeId, s.id), eq(ledgerEntries.status, 'synced')));
    expect(booked.length).toBeGreaterThan(0);
    // In QBO (read through the real client): every booked document exists.
    const issued = world.qbo.admin.issueTokens(s.company.realmId);
    const qbo = createQboClient({
      realmId: s.company.realmId,
      tokens: { storeId: 'reader', accessToken: async () => issued.accessToken },
      endpoint: world.qbo.v3Endpoint,
      limiter: createQboLimiter({ store: qboRateWindowStore(world.database.db), clock: () => new Date(), limits: UNPACED }),
      logger: silentLogger,
    });
    for (const d of booked.filter((b) => b.qboId !== null)) {
      const doc = await qbo.read(d.qboType!, d.qboId!);
      expect(doc.Id, `${d.sourceKey} ${d.qboType} #${d.qboId}`).toBe(d.qboId);
    }
    await shot('wizard-5-first-sync');

    // The store page's own forms: the payouts card, settings (the settings service's checks), and a resync.
    await expect(page.getByRole('heading', { name: 'Payouts', level: 2 }).isVisible()).resolves.toBe(true);
    await page.getByLabel('Sync every (minutes)').fill('30');
    await page.getByLabel('Posting').selectOption('review');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL(`${world.url}/console/stores/${s.id}?done=settings`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Settings saved');
    const [saved] = await world.database.db.select().from(stores).where(eq(stores.id, s.id));
    expect([saved!.settings.syncIntervalMinutes, saved!.settings.posting]).toEqual([30, 'review']);
    await expect(page.getByLabel('Sync every (minutes)').inputValue()).resolves.toBe('30');
    await page.getByLabel('Posting').selectOption('auto');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL(`${world.url}/console/stores/${s.id}?done=settings`);
    const since = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 16);
    await page.getByLabel('From (UTC)').fill(since);
    await page.getByRole('button', { name: 'Resync' }).click();
    await page.waitForURL(`${world.url}/console/stores/${s.id}?done=resync`);
    await eventually(async () => {
      const runs = await world.database.db.select().from(syncRuns).where(eq(syncRuns.storeId, s.id));
      return runs.some((r) => r.trigger === 'resync' && r.status === 'completed');
    }, 'the resync from the console completed');

    // Disconnect QuickBooks: the tokens revoked at Intuit, the store shown disconnected.
    await page.getByRole('button', { name: 'Disconnect QuickBooks' }).click();
    await page.waitForURL(`${world.url}/console/stores/${s.id}?done=disconnect`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Disconnected from QuickBooks');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('disconnected');
    await expect(page.getByRole('button', { name: 'Disconnect QuickBooks' }).count()).resolves.toBe(0);
    expect((await world.database.db.select().from(stores).where(eq(stores.id, s.id)))[0]!.state).toBe('disconnected');
    await shot('wizard-6-disconnected');

    // Reconnect QuickBooks: the same Intuit flow; the new grant replaces the revoked tokens and the store is active again.
    await page.getByRole('button', { name: 'Reconnect QuickBooks' }).click();
    await page.waitForURL(`${world.qbo.authorizeUrl}?**`);
    await page.getByLabel(`${companyName} (${s.company.realmId})`).check();
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.waitForURL(`${world.url}/console/stores/${s.id}?done=reconnected`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Reconnected to QuickBooks');
    await expect(page.getByRole('button', { name: 'Reconnect QuickBooks' }).count()).resolves.toBe(0);
    const [back] = await world.database.db.select().from(stores).where(eq(stores.id, s.id));
    expect([back!.state, back!.connectionError]).toEqual(['active', null]);
    expect(problems).toEqual([]);
  });

  it('adds a store with a pasted custom-app token (checked against the shop first), then removes it', async () => {
    const s = newShopAndCompany('pasted');
    await page.goto(`${world.url}/console/connect`);
    await expect(page.getByRole('heading', { name: 'Step 1 of 3: your Shopify shop' }).isVisible()).resolves.toBe(true);
    const form = page.getByRole('region', { name: /paste a custom app/i });
    await form.getByLabel('Shop domain').fill(s.domain);
    // A wrong token: Shopify's refusal, shown on step 1.
    await form.getByLabel('Admin API access token').fill('shpat_wrong');
    await form.getByRole('button', { name: 'Check and use this token' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('Shopify refused the token');
    await expect(form.getByLabel('Admin API access token').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(problems.splice(0)).toEqual(['422 POST /console/connect/shopify/token']);
    await shot('wizard-1-token-refused');

    await form.getByLabel('Shop domain').fill(s.domain);
    await form.getByLabel('Admin API access token').fill(s.token);
    await form.getByRole('button', { name: 'Check and use this token' }).click();
    await page.waitForURL(`${world.url}/console/connect`);
    await expect(page.getByRole('main').textContent()).resolves.toMatch(/Shop pasted \(pasted-[\w.-]+\)\s+· custom app token checked/);
    await connectQuickBooks(s.company.realmId, 'Books of pasted');
    await page.getByRole('button', { name: 'Connect and start the first sync' }).click();
    await page.waitForURL(`${world.url}/console/stores/${s.id}?done=connected`);
    await eventually(async () => {
      const runs = await world.database.db.select().from(syncRuns).where(eq(syncRuns.storeId, s.id));
      return runs.length > 0 && runs.every((r) => r.status === 'completed');
    }, 'the first sync of the pasted-token store completed');
    expect((await world.database.db.select().from(stores).where(eq(stores.id, s.id)))[0]!.state).toBe('active');
    expect(problems).toEqual([]);

    // Remove it: the shop's domain typed wrong first (400, nothing removed), then right.
    await page.getByText('Remove this store').click();
    await page.getByLabel(/Type the shop's domain/).fill('not-this.myshopify.com');
    await page.getByRole('button', { name: 'Remove store' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain("Type the shop's domain");
    expect(problems.splice(0)).toEqual([`400 POST /console/stores/${s.id}/remove`]);
    expect((await world.database.db.select().from(stores).where(eq(stores.id, s.id)))[0]!.state).toBe('active');
    await page.getByText('Remove this store').click();
    await page.getByLabel(/Type the shop's domain/).fill(s.domain);
    await page.getByRole('button', { name: 'Remove store' }).click();
    await page.waitForURL(`${world.url}/console/stores/${s.id}?done=remove`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Removed');
    await expect(page.getByRole('button', { name: 'Sync now' }).count()).resolves.toBe(0);
    const [gone] = await world.database.db.select().from(stores).where(eq(stores.id, s.id));
    expect(gone!.state).toBe('removed');
    const booked = await world.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, s.id));
    expect(booked.length).toBeGreaterThan(0);
    await shot('store-removed');
    expect(problems).toEqual([]);
  });

  it('reads on a phone', async () => {
    const s = newShopAndCompany('phone');
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto(`${world.url}/console/connect`);
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('wizard-1-shopify-phone', phone);
    const form = phone.getByRole('region', { name: /paste a custom app/i });
    await form.getByLabel('Shop domain').fill(s.domain);
    await form.getByLabel('Admin API access token').fill(s.token);
    await form.getByRole('button', { name: 'Check and use this token' }).click();
    await phone.waitForURL(`${world.url}/console/connect`);
    await phone.getByRole('button', { name: 'Connect to QuickBooks' }).click();
    await phone.getByLabel(`Books of phone (${s.company.realmId})`).check();
    await phone.getByRole('button', { name: 'Connect', exact: true }).click();
    await phone.waitForURL(`${world.url}/console/connect`);
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('wizard-3-settings-phone', phone);
    await phone.close();
  });
});
