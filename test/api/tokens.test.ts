/**
 * Scoped API tokens and the audit log (issue #13 "Operators and tenants"), through Fastify's inject against
 * real components: PostgreSQL, the Temporal CLI dev server with a real worker, and the Shopify and QBO
 * emulators. Two stores are connected with the admin token; tokens are made with the tokens command
 * (scripts/tokens/command.ts, and once through `npm run tokens` itself).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import { createActivities } from '../../activities';
import { buildApp } from '../../api/app';
import { createCipher } from '../../config/secrets';
import type { Database } from '../../db/client';
import { apiTokens, stores } from '../../db/schema';
import { startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { startShopifyEmulator, type ShopifyEmulator } from '../../emulators/shopify';
import { tokensCommand, UsageError } from '../../scripts/tokens/command';
import { processPacing } from '../support/app';
import { postgresDatabase } from '../support/db';
import { devServerEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

const ADMIN = `test-${randomBytes(12).toString('hex')}`;
const cipher = createCipher(`test:${randomBytes(32).toString('base64')}`);
const taskQueue = uniqueTaskQueue('tokens-api');
const repoRoot = path.resolve(__dirname, '..', '..');

let env: TestWorkflowEnvironment;
let database: Database & { url: string };
let shopify: ShopifyEmulator;
let qbo: QboEmulatorHandle;
let app: FastifyInstance;
let worker: Worker;
let workerRun: Promise<void>;
/** The two connected stores: A (the bookkeeper's) and B (someone else's). */
let storeA: { id: string; domain: string; token: string };
let storeB: { id: string; domain: string; token: string };

beforeAll(async () => {
  [env, database, shopify, qbo] = await Promise.all([
    devServerEnv(),
    postgresDatabase(),
    startShopifyEmulator({ shops: [] }),
    startQboEmulator({ limits: false }),
  ]);
  const integrations = { shopifyApiBaseUrl: shopify.url, qboEndpoint: qbo.v3Endpoint, qboTokenUrl: qbo.tokenUrl };
  const pacing = processPacing(database.db);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(
      { db: database.db, cipher, log: pino({ level: 'silent' }), clock: () => new Date(), ...integrations },
      pacing,
    ),
  });
  workerRun = worker.run();
  app = await buildApp({
    database,
    temporal: async () => env.client,
    apiToken: ADMIN,
    log: pino({ level: 'silent' }),
    cipher,
    taskQueue,
    integrations,
    ...pacing,
  });
  storeA = await connect('alpha');
  storeB = await connect('bravo');
}, 180_000);

afterAll(async () => {
  await app?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerRun?.catch(() => undefined);
  await env?.teardown();
  await database?.close();
  await shopify?.close();
  await qbo?.close();
});

// ---------------------------------------------------------------------------------------------------

async function connect(name: string) {
  const id = `${name}-${process.pid}`;
  const domain = `${id}.myshopify.com`;
  const token = `shpat_${randomBytes(12).toString('hex')}`;
  shopify.admin.createShop({ domain, accessToken: token, name: `Shop ${name}`, currencyCode: 'USD', ianaTimezone: 'America/New_York' });
  const company = qbo.admin.createCompany({ country: 'US' });
  const res = await call(ADMIN, 'POST', '/stores', {
    shopDomain: domain,
    shopifyAccessToken: token,
    qbo: {
      realmId: company.realmId,
      clientId: qbo.clientId,
      clientSecret: qbo.clientSecret,
      accessToken: company.accessToken,
      refreshToken: company.refreshToken,
      accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  expect(res.status, res.text).toBe(201);
  return { id, domain, token };
}

async function call(bearer: string | undefined, method: InjectOptions['method'], url: string, payload?: unknown) {
  const res = await app.inject({
    method,
    url,
    headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` },
    ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
  });
  return { status: res.statusCode, body: res.body ? res.json() : undefined, text: res.body };
}

/** Runs the tokens command in-process; returns its exit code and what it printed. */
async function tokens(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await tokensCommand(database.db, argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Creates a token through the command; returns its secret and id. */
async function newToken(...flags: string[]): Promise<{ token: string; id: string }> {
  const res = await tokens('create', ...flags, '--json');
  expect(res.code, res.err).toBe(0);
  const created = JSON.parse(res.out) as { token: string; id: string };
  return { token: created.token, id: created.id };
}

async function stateOf(id: string) {
  const [row] = await database.db.select({ state: stores.state }).from(stores).where(eq(stores.id, id));
  return row?.state;
}

/** Polls `probe` until `accept` likes its value (audit entries are completed after the answer is sent). */
async function eventually<T>(probe: () => Promise<T>, accept: (v: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (accept(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface AuditEntry {
  id: string;
  actor: { id: string; label: string };
  method: string;
  route: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  storeId: string | null;
  status: number | null;
  at: string;
  finishedAt: string | null;
}

/** The audit entries of one actor, newest first, once all of them are completed. */
async function auditOf(actorId: string): Promise<AuditEntry[]> {
  return eventually(
    async () => (await call(ADMIN, 'GET', `/audit?actor=${actorId}&limit=200`)).body.items as AuditEntry[],
    (items) => items.every((e) => e.status !== null),
    `audit entries of ${actorId}`,
  );
}

// ---------------------------------------------------------------------------------------------------

describe('the tokens command', () => {
  it('creates a token shown once, keeps only its SHA-256, lists it without the secret, and revokes it', async () => {
    const created = await tokens('create', '--store', storeA.id, '--scope', 'read', '--label', 'Jane (bookkeeper)');
    expect(created.code, created.err).toBe(0);
    const token = /\b(llt_[0-9a-f]{16}_[A-Za-z0-9_-]{43})\b/.exec(created.out)?.[1];
    expect(token, created.out).toBeDefined();
    const id = token!.slice(4, 20);
    expect(created.out).toContain(`store ${storeA.id}, read`);

    const [row] = await database.db.select().from(apiTokens).where(eq(apiTokens.id, id));
    expect(row).toMatchObject({ label: 'Jane (bookkeeper)', storeId: storeA.id, scope: 'read', revokedAt: null });
    expect(row!.secretHash).toBe(createHash('sha256').update(token!).digest('hex'));
    const everything = await database.db.execute(sql`select row_to_json(t)::text as j from api_tokens t`);
    expect(JSON.stringify(everything)).not.toContain(token!.slice(21));

    const listed = await tokens('list');
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(id);
    expect(listed.out).toContain('Jane (bookkeeper)');
    expect(listed.out).not.toContain(token!.slice(21));
    const json = JSON.parse((await tokens('list', '--json')).out) as Array<{
      id: string;
      store: string;
      scope: string;
      revokedAt: string | null;
    }>;
    expect(json.find((t) => t.id === id)).toMatchObject({ store: storeA.id, scope: 'read', revokedAt: null });

    expect((await call(token, 'GET', `/stores/${storeA.id}`)).status).toBe(200);
    const revoked = await tokens('revoke', id);
    expect(revoked).toMatchObject({ code: 0 });
    expect(revoked.out).toContain(`Revoked token ${id}`);
    expect((await call(token, 'GET', `/stores/${storeA.id}`)).status).toBe(401);
    expect((await tokens('revoke', id)).out).toContain('already revoked');
    expect((await tokens('revoke', 'ffffffffffffffff')).code).toBe(1);
    const after = JSON.parse((await tokens('list', '--json')).out) as Array<{ id: string; revokedAt: string | null }>;
    expect(after.find((t) => t.id === id)?.revokedAt).not.toBeNull();
  });

  it('takes a store by shop domain, refuses unknown stores, and refuses a missing or wrong scope', async () => {
    const byDomain = await newToken('--store', storeB.domain, '--scope', 'operate');
    const [row] = await database.db.select().from(apiTokens).where(eq(apiTokens.id, byDomain.id));
    expect(row).toMatchObject({ storeId: storeB.id, scope: 'operate', label: `${storeB.id} (operate)` });

    const unknown = await tokens('create', '--store', 'nope', '--scope', 'read');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('No store nope');
    for (const argv of [
      ['create', '--store', storeA.id],
      ['create', '--store', storeA.id, '--scope', 'admin'],
      ['create', '--scope', 'read'],
      ['create', '--store', storeA.id, '--all-stores', '--scope', 'read'],
      ['create', '--store', storeA.id, '--scope', 'read', '--label', 'tab\there'],
      ['create', '--store', storeA.id, '--scope', 'read', '--frobnicate'],
      ['revoke'],
      ['revoke', 'not-an-id'],
      ['delete', 'x'],
      [],
    ]) {
      await expect(tokensCommand(database.db, argv, { out: () => undefined, err: () => undefined }), argv.join(' ')).rejects.toBeInstanceOf(
        UsageError,
      );
    }
  });

  it('works as `npm run tokens` against the configured database, printing the token once', async () => {
    const run = promisify(execFile);
    const envVars = { ...process.env, DATABASE_URL: database.url, NODE_ENV: 'test', LOG_LEVEL: 'error' };
    const created = await run(
      'npm',
      ['run', '--silent', 'tokens', '--', 'create', '--all-stores', '--scope', 'read', '--label', 'auditor'],
      {
        cwd: repoRoot,
        env: envVars,
      },
    );
    const token = /\b(llt_[0-9a-f]{16}_[A-Za-z0-9_-]{43})\b/.exec(created.stdout)?.[1];
    expect(token, created.stdout).toBeDefined();
    const list = await run('npm', ['run', '--silent', 'tokens', '--', 'list'], { cwd: repoRoot, env: envVars });
    expect(list.stdout).toContain('auditor');
    expect(list.stdout).not.toContain(token!.slice(21));
    const res = await call(token, 'GET', '/stores');
    expect(res.status).toBe(200);
    const usage = await run('npm', ['run', '--silent', 'tokens', '--', 'create', '--scope', 'read'], { cwd: repoRoot, env: envVars }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('give either --store <id> or --all-stores') });
  }, 60_000);

  it('on PGlite, manages tokens while no other process has the database open, and refuses while one has', async () => {
    const run = promisify(execFile);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-tokens-'));
    // No DATABASE_URL (an empty value is unset): the PGlite database under the data dir.
    const envVars = { ...process.env, DATABASE_URL: '', LEDGERLINE_DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'error' };
    try {
      const created = await run('npm', ['run', '--silent', 'tokens', '--', 'create', '--all-stores', '--scope', 'operate', '--json'], {
        cwd: repoRoot,
        env: envVars,
      });
      const { id } = JSON.parse(created.stdout) as { id: string };
      expect((await run('npm', ['run', '--silent', 'tokens', '--', 'list'], { cwd: repoRoot, env: envVars })).stdout).toContain(id);
      // What an open PGlite database leaves in its folder while a process (Ledgerline) has it.
      fs.writeFileSync(path.join(dataDir, 'pglite', 'postmaster.pid'), '-42\n');
      const refused = await run('npm', ['run', '--silent', 'tokens', '--', 'list'], { cwd: repoRoot, env: envVars }).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('is open in another process') });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('what a token may see and do', () => {
  it('a read token for store A reads A, gets 404 for B exactly as for an unknown store, and is refused every change (403)', async () => {
    const { token } = await newToken('--store', storeA.id, '--scope', 'read');

    const list = await call(token, 'GET', '/stores');
    expect(list.status).toBe(200);
    expect(list.body.stores.map((s: { id: string }) => s.id)).toEqual([storeA.id]);
    expect((await call(token, 'GET', `/stores/${storeA.id}`)).body.id).toBe(storeA.id);
    expect((await call(token, 'GET', `/stores/${storeA.domain.toUpperCase()}`)).status).toBe(200);
    expect((await call(token, 'GET', `/stores/${storeA.id}/documents`)).status).toBe(200);
    expect((await call(token, 'GET', `/stores/${storeA.id}/settings`)).status).toBe(200);

    for (const url of [
      `/stores/${storeB.id}`,
      `/stores/${storeB.domain}`,
      `/stores/${storeB.id}/settings`,
      `/stores/${storeB.id}/documents`,
    ]) {
      const other = await call(token, 'GET', url);
      const unknown = await call(token, 'GET', url.replace(storeB.id, 'no-such-store'));
      expect(other.status, url).toBe(404);
      expect(other.body.error).toEqual({ code: 'not_found', message: `Store ${url.split('/')[2]} not found` });
      expect(unknown.body.error.message).toBe(`Store ${url.split('/')[2]!.replace(storeB.id, 'no-such-store')} not found`);
    }

    for (const [method, url, payload] of [
      ['POST', `/stores/${storeA.id}/pause`, { reason: 'x' }],
      ['POST', `/stores/${storeA.id}/resume`, undefined],
      ['POST', `/stores/${storeA.id}/sync?wait=0`, undefined],
      ['PUT', `/stores/${storeA.id}/settings`, { syncIntervalMinutes: 30 }],
      ['PUT', `/stores/${storeA.id}/credentials`, { shopifyAccessToken: 'shpat_x' }],
    ] as const) {
      const res = await call(token, method, url, payload);
      expect(res.status, `${method} ${url}`).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('read-only') });
    }
    expect(await stateOf(storeA.id)).toBe('active');
    const connect = await call(token, 'POST', '/stores', { shopDomain: 'x.myshopify.com' });
    expect(connect.status).toBe(403);
    expect(connect.body.error.message).toContain(`for store ${storeA.id} only`);
    expect((await call(token, 'GET', '/audit')).status).toBe(403);
  });

  it('an operate token for store A pauses and resumes A, and cannot touch B (404, B unchanged)', async () => {
    const { token } = await newToken('--store', storeA.id, '--scope', 'operate', '--label', 'ops for alpha');
    const paused = await call(token, 'POST', `/stores/${storeA.domain}/pause`, { reason: 'month-end' });
    expect(paused.status, paused.text).toBe(200);
    expect(paused.body.state).toBe('paused');
    const resumed = await call(token, 'POST', `/stores/${storeA.id}/resume`);
    expect(resumed.status, resumed.text).toBe(200);
    expect(resumed.body.state).toBe('active');

    for (const [method, url, payload] of [
      ['POST', `/stores/${storeB.id}/pause`, { reason: 'not mine' }],
      ['POST', `/stores/${storeB.domain}/pause`, undefined],
      ['POST', `/stores/${storeB.id}/sync?wait=0`, undefined],
      ['POST', `/stores/${storeB.id}/resync`, { from: new Date(Date.now() - 86_400_000).toISOString() }],
      ['PUT', `/stores/${storeB.id}/settings`, { syncIntervalMinutes: 30 }],
      ['PUT', `/stores/${storeB.id}/credentials`, { shopifyAccessToken: 'shpat_x' }],
    ] as const) {
      const res = await call(token, method, url, payload);
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect(await stateOf(storeB.id)).toBe('active');
    expect((await call(ADMIN, 'GET', `/stores/${storeB.id}/settings`)).body.syncIntervalMinutes).not.toBe(30);
    expect((await call(token, 'POST', '/stores', {})).status).toBe(403);
  });

  it('refuses every route to a store token for another store, whatever the route (from the OpenAPI document)', async () => {
    const { token } = await newToken('--store', storeA.id, '--scope', 'operate');
    const doc = (await call(ADMIN, 'GET', '/docs/json')).body as { paths: Record<string, Record<string, unknown>> };
    let checked = 0;
    for (const [p, methods] of Object.entries(doc.paths)) {
      if (!p.includes('{id}')) continue;
      for (const method of Object.keys(methods)) {
        const url = p.replace('{id}', storeB.id).replace('{updateId}', 'u1').replace('{orderId}', '1001');
        const res = await call(token, method.toUpperCase() as InjectOptions['method'], url, method === 'get' ? undefined : {});
        expect(res.status, `${method} ${url}`).toBe(404);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(11);
    expect(await stateOf(storeB.id)).toBe('active');
  });

  it("a store's own operate token cannot remove its store (403); the store stays", async () => {
    const { token } = await newToken('--store', storeA.id, '--scope', 'operate');
    const res = await call(token, 'DELETE', `/stores/${storeA.id}`);
    expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
    expect(await stateOf(storeA.id)).toBe('active');
  });

  it('an all-stores read token lists every store and reads the audit log, but changes nothing', async () => {
    const { token } = await newToken('--all-stores', '--scope', 'read');
    const ids = (await call(token, 'GET', '/stores')).body.stores.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining([storeA.id, storeB.id]));
    expect((await call(token, 'GET', `/stores/${storeB.id}/documents`)).status).toBe(200);
    expect((await call(token, 'GET', '/audit?limit=1')).status).toBe(200);
    expect((await call(token, 'POST', `/stores/${storeB.id}/pause`)).status).toBe(403);
  });

  it('refuses forged, altered and malformed tokens (401); the admin token still works', async () => {
    const { token } = await newToken('--store', storeA.id, '--scope', 'read');
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    for (const bad of [
      `${token.slice(0, -1)}${last}`,
      `llt_ffffffffffffffff_${token.slice(21)}`,
      token.slice(0, -1),
      `${token} `,
      token.toUpperCase(),
      'llt_',
    ]) {
      const res = await app.inject({ method: 'GET', url: `/stores/${storeA.id}`, headers: { authorization: `Bearer ${bad}` } });
      expect(res.statusCode, bad).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
    expect((await call(ADMIN, 'GET', `/stores/${storeB.id}`)).status).toBe(200);
    expect((await call(ADMIN, 'GET', '/audit')).status).toBe(200);
    // HEAD follows its GET route's rule.
    expect((await call(ADMIN, 'HEAD', `/stores/${storeB.id}`)).status).toBe(200);
    expect((await call(token, 'HEAD', `/stores/${storeA.id}`)).status).toBe(200);
    expect((await call(token, 'HEAD', `/stores/${storeB.id}`)).status).toBe(404);
  });
});

describe('the audit log', () => {
  it('records each mutating request (who, what, when, store, status), refused ones too, and no GET', async () => {
    const { token, id } = await newToken('--store', storeA.id, '--scope', 'operate', '--label', 'audited');
    const before = Date.now();
    expect((await call(token, 'GET', `/stores/${storeA.id}`)).status).toBe(200);
    expect((await call(token, 'POST', `/stores/${storeA.id}/pause`, { reason: 'stock take' })).status).toBe(200);
    expect((await call(token, 'POST', `/stores/${storeA.id}/resume?`)).status).toBe(200);
    expect((await call(token, 'POST', `/stores/${storeB.id}/pause`)).status).toBe(404);
    expect((await call(token, 'POST', '/stores', { shopDomain: 'zulu.myshopify.com' })).status).toBe(403);
    expect((await call(token, 'POST', `/stores/${storeA.id}/sync?wait=abc`)).status).toBe(400);

    const entries = await auditOf(id);
    expect(entries.map((e) => [e.method, e.route, e.storeId, e.status])).toEqual([
      ['POST', '/stores/:id/sync', storeA.id, 400],
      // Refused before its body is read: the store it would have connected is not known.
      ['POST', '/stores', null, 403],
      ['POST', '/stores/:id/pause', storeB.id, 404],
      ['POST', '/stores/:id/resume', storeA.id, 200],
      ['POST', '/stores/:id/pause', storeA.id, 200],
    ]);
    const pause = entries[4]!;
    expect(pause).toMatchObject({ actor: { id, label: 'audited' }, params: { id: storeA.id }, query: {}, body: { reason: 'stock take' } });
    expect(Date.parse(pause.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(pause.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(pause.at));
    expect(entries[0]!.query).toEqual({ wait: 'abc' });
  });

  it('never records a secret from the body or the query', async () => {
    const { token, id } = await newToken('--store', storeA.id, '--scope', 'operate');
    const shopifySecret = `shpat_${randomBytes(16).toString('hex')}`;
    const qboSecret = `rt-${randomBytes(16).toString('hex')}`;
    const querySecret = `q-${randomBytes(16).toString('hex')}`;
    const secrets: string[] = [qbo.clientSecret];
    const res = await call(token, 'PUT', `/stores/${storeA.id}/credentials?access_token=${querySecret}`, {
      shopifyAccessToken: shopifySecret,
      qbo: { refreshToken: qboSecret, clientSecret: qboSecret },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const [entry] = await auditOf(id);
    expect(entry).toMatchObject({
      route: '/stores/:id/credentials',
      body: { shopifyAccessToken: '[redacted]', qbo: { refreshToken: '[redacted]', clientSecret: '[redacted]' } },
      query: { access_token: '[redacted]' },
    });
    // The connects in beforeAll, by the admin token: the store named by the body, every credential redacted.
    const connects = (await auditOf('admin')).filter((e) => e.route === '/stores' && e.method === 'POST');
    expect(connects.map((e) => [e.storeId, e.status])).toEqual(
      expect.arrayContaining([
        [storeA.id, 201],
        [storeB.id, 201],
      ]),
    );
    expect(connects.find((e) => e.storeId === storeA.id)).toMatchObject({
      actor: { id: 'admin', label: 'LEDGERLINE_API_TOKEN' },
      body: {
        shopDomain: storeA.domain,
        shopifyAccessToken: '[redacted]',
        qbo: { clientSecret: '[redacted]', accessToken: '[redacted]', refreshToken: '[redacted]' },
      },
    });
    secrets.push(storeA.token, storeB.token);
    const all = JSON.stringify(await database.db.execute(sql`select row_to_json(a)::text as j from audit_log a`));
    for (const secret of [shopifySecret, qboSecret, querySecret, token, ADMIN, ...secrets]) expect(all).not.toContain(secret);
  });

  it('records requests with NUL, lone surrogates and over-long values as visible escapes (never a 500)', async () => {
    const { token, id } = await newToken('--all-stores', '--scope', 'operate');
    const long = 'x'.repeat(5000);
    expect((await call(token, 'POST', '/stores/%00/pause')).status).toBe(400);
    const pause = await app.inject({
      method: 'POST',
      url: `/stores/${storeA.id}/pause`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: `{"reason":"a\\u0000b \\ud800 ${long}"}`,
    });
    expect(pause.statusCode).toBe(400);
    const [withBody, withNul] = await auditOf(id);
    expect(withNul).toMatchObject({ params: { id: '\\u0000' }, storeId: null, status: 400 });
    const reason = (withBody!.body as { reason: string }).reason;
    expect(reason.startsWith('a\\u0000b \\ud800 x')).toBe(true);
    expect(reason).toMatch(/…\[\d+ more characters\]$/);
    expect(await stateOf(storeA.id)).toBe('active');
  });

  it('pages newest first with an opaque cursor, filters by store and actor, and refuses forged cursors', async () => {
    const { token, id } = await newToken('--store', storeB.id, '--scope', 'operate');
    for (let i = 0; i < 5; i++) expect((await call(token, 'POST', `/stores/${storeB.id}/sync?wait=x${i}`)).status).toBe(400);
    await auditOf(id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: AuditEntry[]; nextCursor: string | null } } = await call(
        ADMIN,
        'GET',
        `/audit?actor=${id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((e) => String(e.query.wait)));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['x4', 'x3', 'x2', 'x1', 'x0']);

    const byStore = (await call(ADMIN, 'GET', `/audit?store=${storeB.domain}&limit=200`)).body.items as AuditEntry[];
    expect(byStore.length).toBeGreaterThanOrEqual(5);
    expect(byStore.every((e) => e.storeId === storeB.id)).toBe(true);
    expect((await call(ADMIN, 'GET', '/audit?store=no-such-store')).body.items).toEqual([]);

    for (const forged of ['abc', Buffer.from('audit:0').toString('base64url'), Buffer.from('audit:1e3').toString('base64url'), '%00']) {
      const res = await call(ADMIN, 'GET', `/audit?cursor=${forged}`);
      expect(res.status, forged).toBe(400);
    }
    for (const q of ['limit=0', 'limit=201', 'actor=someone', 'frob=1', 'limit=1&limit=2']) {
      expect((await call(ADMIN, 'GET', `/audit?${q}`)).status, q).toBe(400);
    }
  });

  it('refuses a change it cannot record (503) and carries nothing out', async () => {
    await database.db.execute(sql`alter table audit_log rename to audit_log_away`);
    try {
      const res = await call(ADMIN, 'POST', `/stores/${storeA.id}/pause`, { reason: 'unrecorded' });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('audit_unavailable');
      expect(await stateOf(storeA.id)).toBe('active');
      // Reads do not depend on the log.
      expect((await call(ADMIN, 'GET', `/stores/${storeA.id}`)).status).toBe(200);
    } finally {
      await database.db.execute(sql`alter table audit_log_away rename to audit_log`);
    }
  });
});
