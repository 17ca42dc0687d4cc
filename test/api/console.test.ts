/**
 * The console's sign-in, session, CSRF and access rules through Fastify's inject, and the JSON routes behind
 * its Retry / Ignore buttons (POST /stores/:id/documents/:sourceKey/retry | ignore | unignore), against real
 * components (console-world: Temporal dev server and worker, PostgreSQL, both emulators).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { InjectOptions } from 'fastify';
import { ADMIN_PRINCIPAL, createApiToken } from '../../api/tokens';
import { revokeApiToken } from '../../db/queries/api-tokens';
import { auditLog, ledgerEntries, stores } from '../../db/schema';
import { SESSION_COOKIE, SESSION_TTL_MS, fingerprint, sealSession } from '../../console/session';
import { eventually, missingItemNames, startConsoleWorld, type ConsoleWorld, type ParkedShop } from '../support/console-world';

let world: ConsoleWorld;
let shop: ParkedShop;

beforeAll(async () => {
  world = await startConsoleWorld();
  shop = await world.connectParkedShop('console-api');
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
  /** The CSRF token of the first form on a page. */
  async csrf(url = '/console/sign-in'): Promise<string> {
    const page = await this.request('GET', url);
    const m = /name="_csrf" value="([^"]+)"/.exec(page.body);
    if (!m) throw new Error(`no CSRF field on ${url}: ${page.statusCode} ${page.body.slice(0, 300)}`);
    return m[1]!;
  }
  async signIn(fields: Record<string, string>) {
    return this.request('POST', '/console/sign-in', { _csrf: await this.csrf(), ...fields });
  }
}

const enc = encodeURIComponent;

/** The newest `n` audit entries matching `where`, once each is completed (onResponse writes the status after the answer). */
async function finishedAudit(where: SQL, n: number) {
  const read = () => world.database.db.select().from(auditLog).where(where).orderBy(desc(auditLog.id)).limit(n);
  await eventually(async () => (await read()).every((e) => e.status !== null), 'audit entries completed', 10_000);
  return read();
}

describe('console sign-in and session', () => {
  it('sends every console page to the sign-in page without a session, and the JSON API never reads the cookie', async () => {
    const b = new Browser();
    for (const url of ['/console', '/console/stores', `/console/stores/${shop.id}`]) {
      const res = await b.request('GET', url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toBe('/console/sign-in');
    }
    // A form post without a session is refused, never carried out.
    const post = await b.request('POST', `/console/stores/${shop.id}/pause`, { _csrf: 'x' });
    expect(post.statusCode).toBe(401);
    expect((await world.database.db.select().from(stores).where(eq(stores.id, shop.id)))[0]!.state).toBe('active');

    expect((await b.signIn({ token: world.apiToken })).statusCode).toBe(303);
    const json = await world.app.inject({
      method: 'GET',
      url: '/stores',
      headers: { cookie: `${SESSION_COOKIE}=${b.cookies.get(SESSION_COOKIE)}` },
    });
    expect(json.statusCode).toBe(401);
  });

  it('serves the sign-in page with a CSRF field, labels and a self-only Content-Security-Policy', async () => {
    const b = new Browser();
    const res = await b.request('GET', '/console/sign-in');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.body).toMatch(/<label for="token">API token<\/label>/);
    expect(res.body).toMatch(/<label for="password">/);
    expect(res.body).toContain('<main id="main">');
    const csrfCookie = (res.cookies as Array<{ name: string; httpOnly?: boolean; sameSite?: string; path?: string }>).find(
      (c) => c.name === 'ledgerline_csrf',
    );
    expect(csrfCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/console' });
    // Pages, not API: none is in the OpenAPI document.
    const openapi = (await world.api('GET', '/docs/json')).body as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths).filter((p) => p.startsWith('/console'))).toEqual([]);
    expect(Object.keys(openapi.paths)).toContain('/stores/{id}/documents/{sourceKey}/retry');
    const css = await b.request('GET', '/console/assets/console.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toContain('text/css');
  });

  it('refuses a sign-in post without its CSRF token (403) and a wrong token or password (401, no session)', async () => {
    const b = new Browser();
    await b.csrf();
    const noCsrf = await b.request('POST', '/console/sign-in', { token: world.apiToken });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.body).toContain('CSRF');
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);

    for (const fields of <Array<Record<string, string>>>[
      { token: `${world.apiToken}x` },
      { token: 'llt_0123456789abcdef_' + 'a'.repeat(43) },
      { password: 'not-the-password' },
      {},
    ]) {
      const res = await b.signIn(fields);
      expect(res.statusCode, JSON.stringify(fields)).toBe(401);
      expect(res.body).toContain('not valid');
      expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
    }
  });

  it('signs in with the admin token into a sealed HttpOnly SameSite=Lax cookie that holds no token, and signs out', async () => {
    const b = new Browser();
    const res = await b.signIn({ token: world.apiToken });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/stores');
    const session = (
      res.cookies as Array<{ name: string; value: string; httpOnly?: boolean; sameSite?: string; path?: string; secure?: boolean }>
    ).find((c) => c.name === SESSION_COOKIE)!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/console' });
    // Plain http from localhost (inject's default host): not Secure, or the browser would drop it.
    expect(session.secure).toBeFalsy();
    expect(session.value).not.toContain(world.apiToken);
    expect(Buffer.from(session.value, 'base64url').toString('latin1')).not.toContain(world.apiToken);

    const list = await b.request('GET', '/console/stores');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`href="/console/stores/${shop.id}"`);
    expect(list.body).toContain('needs attention');

    // Over https, or from another host, the cookie is Secure.
    const secure = await world.app.inject({
      method: 'POST',
      url: '/console/sign-in',
      headers: {
        host: 'books.example.com',
        cookie: `ledgerline_csrf=${b.cookies.get('ledgerline_csrf')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ _csrf: await b.csrf('/console/stores'), token: world.apiToken }).toString(),
    });
    expect(secure.statusCode).toBe(303);
    expect((secure.cookies as Array<{ name: string; secure?: boolean }>).find((c) => c.name === SESSION_COOKIE)?.secure).toBe(true);

    const out = await b.request('POST', '/console/sign-out', { _csrf: await b.csrf('/console/stores') });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/console/sign-in');
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
    expect((await b.request('GET', '/console/stores')).statusCode).toBe(303);
  });

  it('refuses a forged, altered or foreign session cookie', async () => {
    const b = new Browser();
    await b.signIn({ token: world.apiToken });
    const good = b.cookies.get(SESSION_COOKIE)!;
    for (const bad of ['x', `${good.slice(0, -4)}AAAA`, good.replace(/\.[^.]+$/, '.AAAA')]) {
      b.cookies.set(SESSION_COOKIE, bad);
      expect((await b.request('GET', '/console/stores')).statusCode).toBe(303);
    }
  });

  it('ends a session at its expiry, and an admin session when the admin token changes', async () => {
    const b = new Browser();
    const seal = (fp: string, now: Date) => sealSession(world.cipher, { kind: 'admin-token', principal: ADMIN_PRINCIPAL, fp, now }).value;
    b.cookies.set(SESSION_COOKIE, seal(fingerprint(world.apiToken), new Date()));
    expect((await b.request('GET', '/console/stores')).statusCode).toBe(200);
    b.cookies.set(SESSION_COOKIE, seal(fingerprint(world.apiToken), new Date(Date.now() - SESSION_TTL_MS - 1000)));
    expect((await b.request('GET', '/console/stores')).statusCode).toBe(303);
    b.cookies.set(SESSION_COOKIE, seal(fingerprint('an-older-admin-token'), new Date()));
    expect((await b.request('GET', '/console/stores')).statusCode).toBe(303);
  });

  it('signs in with the console password', async () => {
    const b = new Browser();
    expect((await b.signIn({ password: world.password })).statusCode).toBe(303);
    const page = await b.request('GET', `/console/stores/${shop.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('LEDGERLINE_CONSOLE_PASSWORD');
  });

  it('gives a scoped token its own store only, read-only tokens no buttons, and ends the session when the token is revoked', async () => {
    const other = await world.connectParkedShop('console-other', 2);
    const { token, row } = await createApiToken(world.database.db, { storeId: shop.id, scope: 'read' });
    const b = new Browser();
    expect((await b.signIn({ token })).statusCode).toBe(303);
    const list = await b.request('GET', '/console/stores');
    expect(list.body).toContain(`/console/stores/${shop.id}"`);
    expect(list.body).not.toContain(`/console/stores/${other.id}"`);
    expect((await b.request('GET', `/console/stores/${other.id}`)).statusCode).toBe(404);
    const page = await b.request('GET', `/console/stores/${shop.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('read only');
    expect(page.body).not.toContain('>Retry<');
    // A read token's post is refused (403) and recorded, like the API's.
    const pause = await b.request('POST', `/console/stores/${shop.id}/pause`, { _csrf: await b.csrf(`/console/stores/${shop.id}`) });
    expect(pause.statusCode).toBe(403);
    const [entry] = await finishedAudit(eq(auditLog.actorId, row.id), 1);
    expect(entry).toMatchObject({ route: '/console/stores/:id/pause', status: 403, storeId: shop.id });

    await revokeApiToken(world.database.db, { id: row.id, at: new Date() });
    expect((await b.request('GET', '/console/stores')).statusCode).toBe(303);
  });
});

describe('console actions: CSRF enforced, the same services as the API, audited', () => {
  it('refuses a post without a CSRF token (403, nothing done) and pauses and resumes with one', async () => {
    const b = new Browser();
    await b.signIn({ token: world.apiToken });
    const page = `/console/stores/${shop.id}`;
    for (const form of <Array<Record<string, string>>>[{}, { _csrf: 'forged' }]) {
      const res = await b.request('POST', `${page}/pause`, form);
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('CSRF');
    }
    const row = async () => (await world.database.db.select().from(stores).where(eq(stores.id, shop.id)))[0]!;
    expect((await row()).state).toBe('active');

    const paused = await b.request('POST', `${page}/pause`, { _csrf: await b.csrf(page) });
    expect(paused.statusCode).toBe(303);
    expect(paused.headers.location).toBe(`${page}?done=pause`);
    expect((await row()).state).toBe('paused');
    const after = await b.request('GET', paused.headers.location as string);
    expect(after.body).toContain('Paused: no new run starts');
    expect(after.body).toContain('>Resume<');
    // A sync of a paused store is refused by the same rule as the API's, shown on the page.
    const resumed = await b.request('POST', `${page}/resume`, { _csrf: await b.csrf(page) });
    expect(resumed.statusCode).toBe(303);
    expect((await row()).state).toBe('active');

    const audited = await finishedAudit(and(eq(auditLog.storeId, shop.id), eq(auditLog.actorId, 'admin'))!, 2);
    expect(audited.map((a) => [a.route, a.status])).toEqual([
      ['/console/stores/:id/resume', 303],
      ['/console/stores/:id/pause', 303],
    ]);
    // The CSRF token is not kept in the audit log.
    expect(JSON.stringify(audited)).not.toContain('_csrf');
  });

  it('escapes what the page shows (a shop name with markup)', async () => {
    await world.database.db.update(stores).set({ shopName: '<script>alert(1)</script> & "Co"' }).where(eq(stores.id, shop.id));
    const b = new Browser();
    await b.signIn({ token: world.apiToken });
    const page = await b.request('GET', `/console/stores/${shop.id}`);
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;');
    await world.database.db.update(stores).set({ shopName: 'Shop console-api' }).where(eq(stores.id, shop.id));
  });
});

describe('POST /stores/:id/documents/:sourceKey/retry | ignore | unignore', () => {
  const url = (sourceKey: string, action: string, store = shop.id) => `/stores/${store}/documents/${enc(sourceKey)}/${action}`;

  it('answers precise 4xx: a bad source key 400, an unknown store or document 404, a synced document 409', async () => {
    const bad = await world.api('POST', url('nonsense', 'retry'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('not a ledger source key');
    const payout = await world.api('POST', url('payout:gid://shopify/ShopifyPaymentsPayout/1', 'ignore'));
    expect(payout.status).toBe(400);
    expect(payout.body.error.message).toContain('payouts');
    expect((await world.api('POST', url('order:gid://shopify/Order/1', 'retry', 'no-such-store'))).status).toBe(404);
    const unknown = await world.api('POST', url('order:gid://shopify/Order/999999999', 'retry'));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('Document order:gid://shopify/Order/999999999');

    const [synced] = await world.database.db
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.storeId, shop.id), eq(ledgerEntries.status, 'synced')))
      .limit(1);
    if (synced) {
      for (const action of ['retry', 'ignore', 'unignore']) {
        const res = await world.api('POST', url(synced.sourceKey, action));
        expect(res.status, action).toBe(409);
      }
    }
    const parked = (await shop.parked())[0]!;
    expect((await world.api('POST', url(parked.sourceKey, 'unignore'))).status).toBe(409);
    // Without a token: 401; a read token: 403.
    expect((await world.app.inject({ method: 'POST', url: url(parked.sourceKey, 'ignore') })).statusCode).toBe(401);
    const { token } = await createApiToken(world.database.db, { storeId: shop.id, scope: 'read' });
    const read = await world.app.inject({
      method: 'POST',
      url: url(parked.sourceKey, 'ignore'),
      headers: { authorization: `Bearer ${token}` },
    });
    expect(read.statusCode).toBe(403);
  });

  it('ignores a parked order (no run books it), un-ignores it, and retries one: the next run books it once its item exists', async () => {
    const parked = await shop.parked();
    expect(parked.length).toBeGreaterThanOrEqual(2);
    const [first, second] = parked as [(typeof parked)[0], (typeof parked)[0]];
    expect(first.reasonCode).toBe('needs_mapping');

    const ignored = await world.api('POST', url(first.sourceKey, 'ignore'));
    expect(ignored.status, ignored.text).toBe(200);
    expect(ignored.body).toMatchObject({
      sourceKey: first.sourceKey,
      action: 'ignore',
      sync: null,
      items: [{ role: 'sale', status: 'ignored', reasonCode: 'needs_mapping' }],
    });
    // Idempotent.
    expect((await world.api('POST', url(first.sourceKey, 'ignore'))).status).toBe(200);

    // Retry the second once the items it names exist: the run the retry starts books it.
    for (const name of missingItemNames(second.reason)) await shop.createItem(name);
    const retried = await world.api('POST', url(second.sourceKey, 'retry'));
    expect(retried.status, retried.text).toBe(200);
    expect(retried.body).toMatchObject({ action: 'retry', sync: { started: true }, items: [{ reasonCode: 'retry_requested' }] });
    const row = async (key: string) =>
      (
        await world.database.db
          .select()
          .from(ledgerEntries)
          .where(and(eq(ledgerEntries.storeId, shop.id), eq(ledgerEntries.sourceKey, key), eq(ledgerEntries.role, 'sale')))
      )[0]!;
    await eventually(async () => (await row(second.sourceKey)).status === 'synced', 'the retried order booked');
    expect((await row(second.sourceKey)).qboId).toBeTruthy();
    // The ignored one stayed ignored through that run.
    expect((await row(first.sourceKey)).status).toBe('ignored');

    const unignored = await world.api('POST', url(first.sourceKey, 'unignore'));
    expect(unignored.status, unignored.text).toBe(200);
    expect(unignored.body).toMatchObject({ action: 'unignore', items: [{ status: 'parked', reasonCode: 'retry_requested' }] });
    // Its items are still missing: the next run parks it again with its reason.
    await eventually(async () => (await row(first.sourceKey)).reasonCode === 'needs_mapping', 'the un-ignored order re-tried');
    expect((await row(first.sourceKey)).status).toBe('parked');

    const audited = await world.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.storeId, shop.id))
      .orderBy(desc(auditLog.id))
      .limit(20);
    expect(audited.map((a) => a.route)).toEqual(
      expect.arrayContaining([
        '/stores/:id/documents/:sourceKey/ignore',
        '/stores/:id/documents/:sourceKey/retry',
        '/stores/:id/documents/:sourceKey/unignore',
      ]),
    );
    expect(audited.find((a) => a.route.endsWith('/retry'))?.params).toMatchObject({ sourceKey: second.sourceKey });
  });
});
