/**
 * The console's "Add a store" wizard (console/wizard.ts) through Fastify's inject, against real components
 * (console-world with both OAuth flows configured: Temporal dev server and worker, PostgreSQL, both emulators, whose
 * consent pages are fetched and submitted as a browser would): sign-in required, CSRF enforced, the OAuth returns
 * forwarded from the public callbacks to the wizard's, a tampered, foreign or replayed state refused with a 4xx page,
 * a bad custom-app token refused with Shopify's reason, and invalid settings answered 400 with the field named
 * (and nothing connected).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import type { InjectOptions } from 'fastify';
import { auditLog, stores } from '../../db/schema';
import { storeIdFor } from '../../domain/store';
import { eventually, startConsoleWorld, type ConsoleWorld } from '../support/console-world';

let world: ConsoleWorld;

beforeAll(async () => {
  world = await startConsoleWorld({ oauth: true });
}, 240_000);

afterAll(async () => {
  await world?.close();
});

/** A browser's cookies for inject: what Set-Cookie sets, sent back on the next request. */
class Browser {
  cookies = new Map<string, string>();
  async request(method: InjectOptions['method'], url: string, form?: Record<string, string>) {
    const res = await world.app.inject({
      method,
      url,
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
    });
    for (const c of res.cookies as Array<{ name: string; value: string; expires?: Date }>) {
      if (c.value === '' || (c.expires && c.expires.getTime() <= Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }
  async csrf(url = '/console/sign-in'): Promise<string> {
    const page = await this.request('GET', url);
    const m = /name="_csrf" value="([^"]+)"/.exec(page.body);
    if (!m) throw new Error(`no CSRF field on ${url}: ${page.statusCode} ${page.body.slice(0, 300)}`);
    return m[1]!;
  }
  async signIn() {
    const res = await this.request('POST', '/console/sign-in', { _csrf: await this.csrf(), token: world.apiToken });
    expect(res.statusCode).toBe(303);
  }
  /** A form post with the CSRF token of the wizard's page. */
  async post(url: string, form: Record<string, string>) {
    return this.request('POST', url, { _csrf: await this.csrf('/console/connect'), ...form });
  }
}

let seq = 0;
function newShop(name: string) {
  const domain = `${name}-${process.pid}-${++seq}.myshopify.com`;
  const token = `shpat_${randomBytes(12).toString('hex')}`;
  world.shopify.admin.createShop({
    domain,
    accessToken: token,
    name: `Shop ${name}`,
    currencyCode: 'USD',
    ianaTimezone: 'America/New_York',
  });
  return { domain, token };
}

const unescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The merchant on an emulator's consent page: its form submitted with `extra`; the 302 back to Ledgerline's callback. */
async function consent(authorize: string, extra: Record<string, string>): Promise<URL> {
  const page = await fetch(authorize);
  expect(page.status).toBe(200);
  const html = await page.text();
  const action = unescape(/<form method="post" action="([^"]+)"/.exec(html)![1]!);
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1]!, unescape(m[2]!));
  for (const [k, v] of Object.entries(extra)) form.set(k, v);
  const res = await fetch(new URL(action, authorize), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

/** The public callback Shopify or Intuit sent the browser to: it forwards a wizard's state to the console's callback. */
async function forwarded(callback: URL, provider: 'qbo' | 'shopify'): Promise<string> {
  expect(callback.pathname).toBe(`/connect/${provider}/callback`);
  const res = await world.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}` });
  expect(res.statusCode, res.body).toBe(303);
  expect(res.headers.location).toBe(`/console/connect/${provider}/callback${callback.search}`);
  return res.headers.location as string;
}

describe('the set-up wizard', () => {
  it('asks to sign in, and refuses a form post without a session', async () => {
    const b = new Browser();
    const page = await b.request('GET', '/console/connect');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/console/sign-in');
    const callback = await b.request('GET', '/console/connect/qbo/callback?state=x&code=y&realmId=1');
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe('/console/sign-in');
    for (const url of ['/console/connect', '/console/connect/shopify/token', '/console/connect/shopify/install', '/console/connect/qbo']) {
      const res = await b.request('POST', url, { _csrf: 'x', shopDomain: 'nobody.myshopify.com', token: 'shpat_x' });
      expect(res.statusCode, url).toBe(401);
    }
  });

  it('refuses every form post without a valid CSRF token (403), and does nothing', async () => {
    const b = new Browser();
    await b.signIn();
    const { domain, token } = newShop('csrf');
    for (const url of [
      '/console/connect',
      '/console/connect/shopify/token',
      '/console/connect/shopify/install',
      '/console/connect/qbo',
      '/console/connect/reset',
    ]) {
      const none = await b.request('POST', url, { shopDomain: domain, token });
      expect(none.statusCode, url).toBe(403);
      expect(none.body).toContain('CSRF');
      const forged = await b.request('POST', url, { _csrf: 'forged', shopDomain: domain, token });
      expect(forged.statusCode, url).toBe(403);
    }
    expect(b.cookies.has('ledgerline_wizard')).toBe(false);
  });

  it('shows step 1 with both ways to connect Shopify, and refuses a token Shopify does not accept', async () => {
    const b = new Browser();
    await b.signIn();
    const page = await b.request('GET', '/console/connect');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Install on Shopify');
    expect(page.body).toContain('Admin API access token');
    // The form-action allows the emulator's consent pages (Shopify's and Intuit's) besides the console's own.
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain(`form-action 'self' ${new URL(world.shopify.url).origin} ${new URL(world.qbo.authorizeUrl).origin}`);
    expect(csp).toContain("script-src 'self'");

    const { domain } = newShop('bad-token');
    const bad = await b.post('/console/connect/shopify/token', { shopDomain: domain, token: 'shpat_not-the-token' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Shopify refused the token');
    const typo = await b.post('/console/connect/shopify/install', { shopDomain: 'not a shop!' });
    expect(typo.statusCode).toBe(400);
    expect(typo.body).toMatch(/id="install-shop-error"/);
    expect(b.cookies.has('ledgerline_wizard')).toBe(false);
  });

  it('connects Shopify and QuickBooks through both OAuth flows, refuses tampered, foreign and replayed states, and names the field of invalid settings', async () => {
    const b = new Browser();
    await b.signIn();
    const { domain } = newShop('oauth');
    const company = world.qbo.admin.createCompany({ country: 'US', companyName: 'Books of the wizard' });

    // Shopify: the install page, Install, Shopify's signed redirect, forwarded to the wizard.
    const install = await b.post('/console/connect/shopify/install', { shopDomain: domain });
    expect(install.statusCode, install.body).toBe(303);
    const back = await consent(install.headers.location as string, { decision: 'install' });
    const consoleCallback = await forwarded(back, 'shopify');

    // A second browser, signed in too, cannot take this return: the state is not the one its wizard waits for.
    const other = new Browser();
    await other.signIn();
    const foreign = await other.request('GET', consoleCallback);
    expect(foreign.statusCode).toBe(400);
    expect(foreign.body).toContain('not the one this browser');

    const before = new Map(b.cookies);
    const done = await b.request('GET', consoleCallback);
    expect(done.statusCode, done.body).toBe(303);
    expect(done.headers.location).toBe('/console/connect');
    // Replayed: with the wizard as it is now, and with the cookie as it was before (the state is used up).
    const again = await b.request('GET', consoleCallback);
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('not the one this browser');
    const stale = new Browser();
    stale.cookies = new Map(before);
    const replayed = await stale.request('GET', consoleCallback);
    expect(replayed.statusCode).toBe(400);
    expect(replayed.body).toContain('already used');

    // Step 2.
    const step2 = await b.request('GET', '/console/connect');
    expect(step2.statusCode).toBe(200);
    expect(step2.body).toContain('Step 2 of 3');
    expect(step2.body).toContain(domain);

    // A tampered state (its payload changed, the signature kept) is refused before anything is used.
    const connect = await b.post('/console/connect/qbo', {});
    expect(connect.statusCode, connect.body).toBe(303);
    const qboBack = await consent(connect.headers.location as string, { decision: 'connect', realmId: company.realmId });
    const forward = await forwarded(qboBack, 'qbo');
    const state = new URL(forward, 'http://x').searchParams.get('state')!;
    const [v, payload, sig] = state.split('.') as [string, string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${v}.${Buffer.from(JSON.stringify({ ...decoded, s: 'someone-else.myshopify.com' })).toString('base64url')}.${sig}`;
    const forged = new URL(forward, 'http://x');
    forged.searchParams.set('state', tampered);
    const refused = await b.request('GET', `${forged.pathname}${forged.search}`);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('state signature does not match');
    expect(refused.body).toContain('start again from the wizard');
    // The tampered attempt spent the wait: the genuine return is refused too, and the wizard starts QuickBooks again.
    expect((await b.request('GET', forward)).statusCode).toBe(400);

    const connect2 = await b.post('/console/connect/qbo', {});
    const qboBack2 = await consent(connect2.headers.location as string, { decision: 'connect', realmId: company.realmId });
    const ok = await b.request('GET', await forwarded(qboBack2, 'qbo'));
    expect(ok.statusCode, ok.body).toBe(303);

    // Step 3: the pickers list the company's own accounts.
    const step3 = await b.request('GET', '/console/connect');
    expect(step3.statusCode).toBe(200);
    expect(step3.body).toContain('Step 3 of 3');
    expect(step3.body).toContain('<select id="f-accounts-productIncome" name="accounts.productIncome"');
    expect(step3.body).toMatch(/<option value="\d+"\s*>Sales of Product Income \(Income\)<\/option>/);

    // A form shown for another shop or company (a stale tab) is refused, naming both.
    const formFor = { shopDomain: domain, realmId: company.realmId };
    const staleForm = await b.post('/console/connect', { shopDomain: 'elsewhere.myshopify.com', realmId: company.realmId });
    expect(staleForm.statusCode).toBe(409);
    expect(staleForm.body).toContain(`That form was for elsewhere.myshopify.com and QuickBooks company ${company.realmId}`);

    // Invalid settings: 400, the connect service's messages next to the fields they name, nothing connected.
    const invalid = await b.post('/console/connect', { ...formFor, syncIntervalMinutes: '3', docNumberPrefix: 'a b', productMatch: 'sku' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('The settings were not accepted');
    expect(invalid.body).toMatch(/id="f-syncIntervalMinutes-error">must be at least 5 minutes</);
    expect(invalid.body).toMatch(/id="f-docNumberPrefix-error">must not contain spaces or &quot;#&quot;</);
    expect(invalid.body).toContain('aria-invalid="true"');
    // What was typed stays in the form.
    expect(invalid.body).toMatch(/name="syncIntervalMinutes"\s+type="number"\s+value="3"/);
    const tampering = await b.post('/console/connect', { ...formFor, productMatch: 'barcode' });
    expect(tampering.statusCode).toBe(400);
    expect(tampering.body).toMatch(/id="f-productMatch-error">must be one of &quot;sku&quot;, &quot;name&quot;</);
    expect(await world.database.db.select().from(stores).where(eq(stores.shopDomain, domain))).toEqual([]);

    // Each attempt is in the audit log under the signed-in principal.
    const lastEntry = () =>
      world.database.db.select().from(auditLog).where(eq(auditLog.route, '/console/connect')).orderBy(desc(auditLog.id)).limit(1);
    // onResponse completes the entry after the answer.
    await eventually(async () => (await lastEntry())[0]?.status != null, 'the audit entry completed', 10_000);
    const [entry] = await lastEntry();
    expect(entry?.actorId).toBe('admin');
    expect(entry?.status).toBe(400);
    expect(entry?.storeId).toBe(storeIdFor(domain));

    // Start over forgets it all.
    const reset = await b.post('/console/connect/reset', {});
    expect(reset.statusCode).toBe(303);
    expect((await b.request('GET', '/console/connect')).body).toContain('Step 1 of 3');
  });
});
