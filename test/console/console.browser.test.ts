/**
 * The web console in real Chromium (Debian's `chromium`, driven by playwright-core; CHROMIUM_PATH points
 * elsewhere) against the real app listening on a port, with the Temporal dev server and a worker, PostgreSQL
 * and both emulators: sign in (a bad token refused), the stores list, a store's page, Sync now and its run,
 * a parked order with its reason, Ignore one, Retry one (booked by the run the retry starts), Undo a window of a
 * booked store (preview, confirm, result; the documents checked gone in the QBO emulator) and Redo one, sign out. The
 * main pages are screenshotted along the way (desktop and phone widths; UPDATE_SCREENSHOTS=1 writes docs/screenshots).
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
let second: ParkedShop;
let browser: Browser;
let page: Page;
/** Console errors and failed requests the pages caused: there must be none. */
const problems: string[] = [];

beforeAll(async () => {
  world = await startConsoleWorld({ listen: true });
  shop = await world.connectParkedShop('browser', 8);
  second = await world.connectParkedShop('second-shop', 3);
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

  it('undoes a window of booked documents (preview, confirm, result: gone from QBO) and redoes one', async () => {
    // The second shop booked in full: the bookkeeper creates every item its parked orders name, then syncs.
    const rowsOf = () => world.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, second.id));
    for (const name of new Set((await second.parked()).flatMap((r) => missingItemNames(r.reason)))) await second.createItem(name);
    expect((await world.api('POST', `/stores/${second.id}/sync`)).status).toBeLessThan(300);
    await eventually(async () => {
      const [rows, running] = await Promise.all([
        rowsOf(),
        world.database.db
          .select()
          .from(syncRuns)
          .where(and(eq(syncRuns.storeId, second.id), eq(syncRuns.status, 'running'))),
      ]);
      return running.length === 0 && rows.filter((r) => r.role === 'sale').every((r) => r.status === 'synced');
    }, 'the second shop booked');
    const before = await rowsOf();
    const sales = before.filter((r) => r.role === 'sale').sort((a, b) => a.sourceUpdatedAt!.getTime() - b.sourceUpdatedAt!.getTime());
    expect(sales.length).toBe(3);

    // A window (whole minutes, UTC, as the form's datetime-local inputs send) holding the first two orders, not the third.
    const minute = (d: Date) => new Date(Math.floor(d.getTime() / 60_000) * 60_000);
    const from = minute(sales[0]!.sourceUpdatedAt!);
    const to = new Date(minute(sales[1]!.sourceUpdatedAt!).getTime() + 60_000);
    expect(sales[2]!.sourceUpdatedAt!.getTime()).toBeGreaterThanOrEqual(to.getTime());
    const inWindow = sales.slice(0, 2);
    const local = (d: Date) => d.toISOString().slice(0, 16);

    await page.goto(`${world.url}/console/stores/${second.id}`);
    const form = page.getByRole('region', { name: 'Undo a window' });
    await form.getByLabel('From').fill(local(from));
    await form.getByLabel('To').fill(local(to));
    await form.getByRole('button', { name: 'Preview' }).click();
    await page.waitForURL(`${world.url}/console/stores/${second.id}/undo/preview`);

    // The preview lists the window's documents, each to be deleted, and nothing else; nothing has changed yet.
    const toDelete = before.filter((r) => r.qboId !== null && inWindow.some((s) => s.sourceKey === r.sourceKey));
    await expect(page.getByRole('heading', { name: `${toDelete.length} documents to delete`, level: 2 }).isVisible()).resolves.toBe(true);
    const previewRows = page.getByRole('table', { name: 'What the undo would do' }).locator('tbody tr');
    await expect(previewRows.count()).resolves.toBe(toDelete.length);
    for (const r of toDelete) {
      const row = previewRows.filter({ hasText: `#${r.qboId}` }).filter({ hasText: r.sourceName ?? r.sourceKey });
      await expect(row.textContent()).resolves.toContain('will be deleted');
    }
    await expect(previewRows.filter({ hasText: sales[2]!.sourceName! }).count()).resolves.toBe(0);
    expect((await rowsOf()).filter((r) => r.status === 'undone')).toEqual([]);
    await shot('undo-preview');

    await page.getByRole('button', { name: `Delete ${toDelete.length} documents from QuickBooks` }).click();
    await page.waitForURL(new RegExp(`/console/stores/${second.id}/undo/u-[0-9a-f]{16}$`));
    await expect(page.getByRole('status').textContent()).resolves.toMatch(new RegExp(`^\\s*${toDelete.length} deleted · 0 already gone`));
    await expect(page.getByRole('table', { name: 'What the undo did' }).locator('tbody tr').count()).resolves.toBe(toDelete.length);
    await shot('undo-result');

    // In QBO (read through the real client): exactly those documents are gone; their rows are undone, the rest as they were.
    const issued = world.qbo.admin.issueTokens(second.realmId);
    const qbo: QboClient = createQboClient({
      realmId: second.realmId,
      tokens: { storeId: 'reader', accessToken: async () => issued.accessToken },
      endpoint: world.qbo.v3Endpoint,
      limiter: createQboLimiter({ store: qboRateWindowStore(world.database.db), clock: () => new Date(), limits: UNPACED }),
      logger: silentLogger,
    });
    const inQbo = (type: string, id: string) =>
      qbo.read(type, id).then(
        (doc) => doc.status !== 'Deleted',
        () => false,
      );
    const after = await rowsOf();
    const key = (r: { sourceKey: string; role: string }) => `${r.sourceKey}/${r.role}`;
    for (const r of before.filter((b) => b.qboId !== null)) {
      const gone = toDelete.some((d) => key(d) === key(r));
      expect(await inQbo(r.qboType!, r.qboId!), `${key(r)} ${r.qboType} #${r.qboId}`).toBe(!gone);
      expect(after.find((a) => key(a) === key(r))!.status, key(r)).toBe(gone ? 'undone' : r.status);
    }

    // The store page's Undone section: Redo one; it is marked for redo and the run the redo starts books it again.
    const redo = inWindow[0]!;
    await page.getByRole('link', { name: 'Back to the store' }).click();
    const undone = page.getByRole('region', { name: 'Undone' });
    await expect(undone.getByRole('button', { name: /^Redo / }).count()).resolves.toBe(inWindow.length);
    await undone.getByRole('button', { name: `Redo ${redo.sourceName}` }).click();
    await page.waitForURL(/\?done=unignore$/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('redone');
    await expect(undone.getByRole('button', { name: `Redo ${redo.sourceName}` }).count()).resolves.toBe(0);
    await expect(undone.getByRole('button', { name: `Redo ${inWindow[1]!.sourceName}` }).count()).resolves.toBe(1);
    const marked = (await rowsOf()).find((r) => key(r) === key(redo))!;
    // Marked for redo (parked, redo_requested), unless the sync the redo requested is already booking it (pending:
    // sent to QBO, answer not yet recorded) or has booked it.
    if (marked.status === 'parked') expect(marked.reasonCode).toBe('redo_requested');
    else expect(['pending', 'synced']).toContain(marked.status);
    await eventually(async () => (await rowsOf()).find((r) => key(r) === key(redo))!.status === 'synced', 'the redone order booked');
    const rebooked = (await rowsOf()).find((r) => key(r) === key(redo))!;
    expect(rebooked.qboId).not.toBe(redo.qboId);
    expect(await inQbo(rebooked.qboType!, rebooked.qboId!)).toBe(true);
    expect((await rowsOf()).find((r) => key(r) === key(inWindow[1]!))!.status).toBe('undone');
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
