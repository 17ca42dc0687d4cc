/**
 * The fuzz suite (issue #13 "The fuzz suite"): a fast-check property over every route the app registers
 * and the Shopify webhook, against real components (PostgreSQL, the Temporal CLI dev server with a real
 * worker, the Shopify and QBO emulators through the real clients), through Fastify's inject.
 *
 * Each case is one request built from random and boundary values for its path parameters, query string,
 * JSON body and headers (the bearer token among admin, scoped, revoked and malformed ones), together with
 * what the answer must be: an exact status where the API's rules make it simple (401 without a live token,
 * 403/404 for a token that may not call the route, 400 for input the schema refuses, 200 for a valid
 * read), and otherwise any 2xx or 4xx. Never a 5xx, every 4xx carries the one error body
 * (`{ error: { code, message, details? } }`), every answer comes within REQUEST_TIMEOUT_MS, and after
 * the run every store can still be read, resumed and synced to completion.
 *
 * The routes come from the app itself (printRoutes): a route without an arbitrary below fails the first
 * test, so a new route is fuzzed as soon as it is registered. Fixed seed by default; FUZZ_SEED and FUZZ_RUNS
 * override it (README "Fuzzing"); a failure prints the seed, the path and the shrunk counterexample.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import { createActivities } from '../../activities';
import { buildApp } from '../../api/app';
import { createApiToken } from '../../api/tokens';
import { createCipher } from '../../config/secrets';
import type { Database } from '../../db/client';
import { revokeApiToken } from '../../db/queries/api-tokens';
import { startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { oauthHmac, startShopifyEmulator, webhookHmac, type ShopifyEmulator } from '../../emulators/shopify';
import { signState } from '../../services/oauth/state';
import { processPacing } from '../support/app';
import { postgresDatabase } from '../support/db';
import { devServerEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261203;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 1200;
// A hang, not a slow answer: under the full suite on two cores a resume (signal-with-start on the store
// workflow, then the audit schedule's unpause) took over 5 s in CI.
const REQUEST_TIMEOUT_MS = 30_000;

// What the API refuses as control characters (api/control-chars.ts): anywhere in ids and query values,
// and all but tab, line feed and carriage return in JSON text. Matching them is the point of these patterns.
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const ADMIN = `test-${randomBytes(12).toString('hex')}`;
const WEBHOOK_SECRET = `shpss_${randomBytes(16).toString('hex')}`;
const cipher = createCipher(`test:${randomBytes(32).toString('base64')}`);
const STATE_KEY = randomBytes(32);
const taskQueue = uniqueTaskQueue('fuzz');
const log = pino({ level: 'silent' });

let env: TestWorkflowEnvironment;
let database: Database;
let shopify: ShopifyEmulator;
let qbo: QboEmulatorHandle;
let app: FastifyInstance;
let worker: Worker;
let workerRun: Promise<void>;

type StoreKey = 'A' | 'B';
interface ShopFixture {
  id: string;
  domain: string;
  token: string;
}
const shops: Partial<Record<StoreKey | 'C', ShopFixture>> = {};
/** A shop in the Shopify emulator that no store is connected to yet: a valid POST /stores may connect it (once). */
let spareCompany: { realmId: string; accessToken: string; refreshToken: string };
const tokens: Record<string, string> = {};
let auditCursor = '';
let freshShops = 0;

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
    activities: createActivities({ db: database.db, cipher, log, clock: () => new Date(), ...integrations }, pacing),
  });
  workerRun = worker.run();
  app = await buildApp(
    {
      database,
      temporal: async () => env.client,
      apiToken: ADMIN,
      log,
      cipher,
      taskQueue,
      integrations,
      shopifyWebhookSecret: WEBHOOK_SECRET,
      // "Connect to QuickBooks" against the emulator; its redirect URI is never followed here.
      qboOAuth: {
        clientId: qbo.clientId,
        clientSecret: qbo.clientSecret,
        redirectUri: 'http://127.0.0.1:9/connect/qbo/callback',
        authorizeUrl: qbo.authorizeUrl,
        revokeUrl: qbo.revokeUrl,
      },
      // "Connect with Shopify" against the emulator's app; its redirect URI is never followed here either.
      shopifyOAuth: {
        clientId: shopify.clientId,
        clientSecret: shopify.clientSecret,
        redirectUri: 'http://127.0.0.1:9/connect/shopify/callback',
      },
      oauthStateKey: STATE_KEY,
      // The fuzz sends thousands of requests (many with wrong tokens) from one address: limits are tested in limits.test.ts.
      rateLimits: { max: 1_000_000, webhookMax: 1_000_000, authFailuresMax: 1_000_000 },
      ...pacing,
    },
    { logger: false },
  );
  await app.ready();
  shops.A = await connect('fza');
  shops.B = await connect('fzb');
  shops.C = newShop('fzc');
  spareCompany = qbo.admin.createCompany({ country: 'US' });

  const make = async (name: string, storeId: string | null, scope: 'read' | 'operate') =>
    (tokens[name] = (await createApiToken(database.db, { storeId, scope, label: `fuzz ${name}` })).token);
  await make('allRead', null, 'read');
  await make('allOperate', null, 'operate');
  await make('aRead', shops.A.id, 'read');
  await make('aOperate', shops.A.id, 'operate');
  await make('bOperate', shops.B.id, 'operate');
  const revoked = await createApiToken(database.db, { storeId: null, scope: 'operate', label: 'fuzz revoked' });
  await revokeApiToken(database.db, { id: revoked.row.id, at: new Date() });
  tokens.revoked = revoked.token;
  // The same id with another secret: a forged token.
  tokens.forged = `${tokens.allOperate!.slice(0, 21)}${'A'.repeat(43)}`;

  // A few audit entries so that GET /audit has a real cursor to page with.
  for (const s of ['A', 'B'] as const) await inject({ method: 'POST', url: `/stores/${shops[s]!.id}/resume`, headers: bearer(ADMIN) });
  const page = await inject({ method: 'GET', url: '/audit?limit=1', headers: bearer(ADMIN) });
  auditCursor = (page.json() as { nextCursor: string }).nextCursor;
  expect(auditCursor).toBeTruthy();
}, 180_000);

afterAll(async () => {
  // Dropping the test database ends the pool's connections from the server side: not an error of the API.
  (database?.db as unknown as { $client?: { on?: (event: string, fn: () => void) => void } } | undefined)?.$client?.on?.(
    'error',
    () => undefined,
  );
  await app?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerRun?.catch(() => undefined);
  await env?.teardown();
  await database?.close();
  await shopify?.close();
  await qbo?.close();
});

function newShop(handle: string): ShopFixture {
  const id = `${handle}-${process.pid}`;
  const domain = `${id}.myshopify.com`;
  const token = `shpat_${randomBytes(12).toString('hex')}`;
  shopify.admin.createShop({ domain, accessToken: token, name: `Shop ${handle}`, currencyCode: 'USD', ianaTimezone: 'America/New_York' });
  return { id, domain, token };
}

function connectBody(shop: ShopFixture, company: { realmId: string; accessToken: string; refreshToken: string }) {
  return {
    shopDomain: shop.domain,
    shopifyAccessToken: shop.token,
    qbo: {
      realmId: company.realmId,
      clientId: qbo.clientId,
      clientSecret: qbo.clientSecret,
      accessToken: company.accessToken,
      refreshToken: company.refreshToken,
      accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    },
  };
}

async function connect(handle: string): Promise<ShopFixture> {
  const shop = newShop(handle);
  const res = await inject({
    method: 'POST',
    url: '/stores',
    headers: bearer(ADMIN),
    payload: connectBody(shop, qbo.admin.createCompany({ country: 'US' })),
  });
  expect(res.statusCode, res.body).toBe(201);
  return shop;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** inject under a deadline: a hang is a failure, not a stuck test run. */
async function inject(opts: InjectOptions) {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
  });
  try {
    return await Promise.race([app.inject(opts), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------------
// What an answer must be

/** An exact status, a set of statuses, or a class: `ok` any 2xx, `refused` any 4xx, `any` a 2xx or a 4xx. */
type Expected = number | readonly number[] | 'ok' | 'refused' | 'any';

interface Case {
  route: string;
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  payload?: string | undefined;
  expected: Expected;
  /** The webhook's replay: sent a second time, the same delivery must answer 200 duplicate (when the first was a 200). */
  replay?: boolean;
}

function statusMatches(status: number, expected: Expected): boolean {
  if (typeof expected === 'number') return status === expected;
  if (Array.isArray(expected)) return expected.includes(status);
  if (expected === 'ok') return status >= 200 && status < 300;
  if (expected === 'refused') return status >= 400 && status < 500;
  return (status >= 200 && status < 300) || (status >= 400 && status < 500);
}

const ERROR_CODE = /^[a-z][a-z0-9_]*$/;

/** The one error body (api/errors.ts): `{ error: { code, message, details? } }` and nothing else. */
function errorShapeProblem(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `not JSON: ${body.slice(0, 200)}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not an object';
  const keys = Object.keys(parsed);
  if (keys.length !== 1 || keys[0] !== 'error') return `top-level keys ${keys.join(',')}`;
  const error = (parsed as { error: unknown }).error as Record<string, unknown> | null;
  if (typeof error !== 'object' || error === null) return 'error is not an object';
  if (typeof error.code !== 'string' || !ERROR_CODE.test(error.code)) return `error.code ${JSON.stringify(error.code)}`;
  if (typeof error.message !== 'string' || error.message.length === 0) return 'error.message missing';
  const extra = Object.keys(error).filter((k) => !['code', 'message', 'details'].includes(k));
  if (extra.length) return `error has ${extra.join(',')}`;
  return undefined;
}

/** Answers by status class, to show in the log that the run reached valid input (2xx) and not only refusals. */
const tally = new Map<string, number>();

async function check(c: Case): Promise<void> {
  const res = await inject({
    method: c.method,
    url: c.url,
    headers: c.headers,
    ...(c.payload !== undefined ? { payload: c.payload } : {}),
  });
  const key = `${String(res.statusCode)[0]}xx`;
  tally.set(key, (tally.get(key) ?? 0) + 1);
  const where = `${c.method} ${c.url.slice(0, 300)} → ${res.statusCode} ${res.body.slice(0, 400)}`;
  expect(res.statusCode, `5xx: ${where}`).toBeLessThan(500);
  expect(statusMatches(res.statusCode, c.expected), `expected ${JSON.stringify(c.expected)}: ${where}`).toBe(true);
  if (res.statusCode >= 400 && c.method !== 'HEAD') expect(errorShapeProblem(res.body), `error body: ${where}`).toBeUndefined();
  if (c.replay && res.statusCode === 200) {
    const again = await inject({ method: c.method, url: c.url, headers: c.headers, payload: c.payload });
    expect(again.statusCode, `replay: ${again.body}`).toBe(200);
    expect(again.json()).toEqual({ status: 'duplicate' });
  }
}

// ---------------------------------------------------------------------------------------------------
// Building blocks

interface Principal {
  store: StoreKey | null;
  scope: 'read' | 'operate';
}
interface AuthChoice {
  headers: Record<string, string>;
  /** undefined: no live token (401). */
  principal: Principal | undefined;
}

const authArb: fc.Arbitrary<AuthChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<AuthChoice>({ headers: bearer(ADMIN), principal: { store: null, scope: 'operate' } }) },
  fc.constant<AuthChoice>({ headers: { authorization: `bearer ${ADMIN}` }, principal: { store: null, scope: 'operate' } }),
  fc
    .constantFrom(
      ['allRead', null, 'read'] as const,
      ['allOperate', null, 'operate'] as const,
      ['aRead', 'A', 'read'] as const,
      ['aOperate', 'A', 'operate'] as const,
      ['bOperate', 'B', 'operate'] as const,
    )
    .map(([name, store, scope]) => ({ headers: bearer(tokens[name]!), principal: { store, scope } })),
  fc
    .oneof(
      fc.constant({} as Record<string, string>),
      fc.constant({ authorization: '' }),
      fc.constant({ authorization: 'Bearer' }),
      fc.constant({ authorization: 'Bearer ' }),
      fc.constant({ authorization: `Bearer ${ADMIN} extra` }),
      fc.constant({ authorization: `Bearer  ${ADMIN}` }),
      fc.constant({ authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}` }),
      fc.constant({ authorization: ADMIN }),
      fc.constant({ authorization: `Bearer ${ADMIN}x` }),
      fc.constant({ authorization: `Bearer ${'x'.repeat(16_000)}` }),
      fc.constant({ authorization: `Bearer llt_${'0'.repeat(16)}_${'a'.repeat(43)}` }),
      fc.constant(null).map(() => bearer(tokens.revoked!)),
      fc.constant(null).map(() => bearer(tokens.forged!)),
      fc.stringMatching(/^[!-~]{1,80}$/).map((t) => bearer(t)),
      fc.stringMatching(/^[ -~]{0,120}$/).map((h) => ({ authorization: h })),
    )
    .map((headers) => ({ headers, principal: undefined })),
);

/** A :id path segment, already encoded for the URL, and what it names. */
interface IdChoice {
  raw: string;
  /** known: A or B; unknown: a valid id no store has; weird: ≤ 255 characters, names nothing; long: 256–1024; huge: over 1024; badUrl: not decodable. */
  kind: StoreKey | 'unknown' | 'weird' | 'control' | 'long' | 'huge' | 'badUrl' | 'dots';
}

const weirdIds = fc.oneof(
  fc.constantFrom('a%2Fb', '%2F', '%5C', 'a.b', '%2E%2E%2F%2E%2E%2Fetc', 'x.myshopify.com.evil.com', '%20', 'a%20b', '-', '%E2%80%AE'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map(encodeURIComponent),
);

const idArb = (): fc.Arbitrary<IdChoice> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<StoreKey>('A', 'B').map((k) => ({ raw: shops[k]!.id, kind: k })) },
    fc.constantFrom<StoreKey>('A', 'B').map((k) => ({ raw: shops[k]!.domain, kind: k })),
    fc.constantFrom<StoreKey>('A', 'B').map((k) => ({ raw: shops[k]!.domain.toUpperCase(), kind: k })),
    fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,40}$/).map((s) => ({ raw: `zz${s}`, kind: 'unknown' as const })),
    weirdIds.map((raw) => ({ raw, kind: 'weird' as const })),
    // Literal dot segments: the URL is normalized (`/stores/../x` is `/x`), so another route or none answers.
    fc.constantFrom('.', '..', '../..', './.', '%2E', '%2E%2E', '%2e%2E').map((raw) => ({ raw, kind: 'dots' as const })),
    fc.constantFrom('%00', 'a%00b', '%01', '%7F', '%0A', '%0D%0A', '%1B').map((raw) => ({ raw, kind: 'control' as const })),
    fc.integer({ min: 256, max: 1024 }).map((n) => ({ raw: 'a'.repeat(n), kind: 'long' as const })),
    fc.integer({ min: 1025, max: 5000 }).map((n) => ({ raw: 'a'.repeat(n), kind: 'huge' as const })),
    fc.constantFrom('%', '%zz', 'a%E0%A4%A', '%C0%AF', '%FF').map((raw) => ({ raw, kind: 'badUrl' as const })),
  );

/** A query string (without `?`) and whether the route's schema accepts it. */
interface QueryChoice {
  raw: string;
  valid: boolean;
  /** Invalid, but found by the handler after the store is looked up (an unknown store answers 404 first). */
  late?: boolean;
}

const noQuery: fc.Arbitrary<QueryChoice> = fc.constant({ raw: '', valid: true });

const junkQuery: fc.Arbitrary<QueryChoice> = fc.oneof(
  fc.constantFrom('unknown=1', 'a=%00', '__proto__=1', 'constructor[prototype]=x', 'x=%zz').map((raw) => ({ raw, valid: false })),
  fc.string({ maxLength: 30 }).map((s) => ({ raw: `junk=${encodeURIComponent(s)}`, valid: false })),
);

const waitQuery = (max: number): fc.Arbitrary<QueryChoice> =>
  fc.oneof(
    { weight: 4, arbitrary: noQuery },
    { weight: 4, arbitrary: fc.integer({ min: 0, max }).map((n) => ({ raw: `wait=${n}`, valid: true })) },
    fc
      .constantFrom(
        '-1',
        '61',
        '1e1',
        '0x5',
        '05',
        '',
        'abc',
        '1.5',
        '99999999999999999999',
        '%00',
        '5&wait=6',
        ' 5',
        'Infinity',
        'NaN',
        'null',
      )
      .map((v) => ({ raw: `wait=${v}`, valid: false })),
    junkQuery,
  );

const limitValues = fc.oneof(
  fc.integer({ min: 1, max: 200 }).map((n) => ({ raw: String(n), valid: true })),
  fc
    .constantFrom('0', '-1', '201', '1e2', '0x10', '', 'abc', '10.5', '999999999999999999999999', '%00', '1&limit=2')
    .map((raw) => ({ raw, valid: false })),
);

const forgedCursors = fc.oneof(
  fc.constantFrom('', 'x', 'null', '%00', 'eyJ9', Buffer.from('{}').toString('base64url'), Buffer.from('audit:0').toString('base64url')),
  fc.string({ maxLength: 60 }).map((s) => encodeURIComponent(s)),
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom(
          '0000-01-01 00:00:00+00',
          '275760-09-13 00:00:00+00',
          '2026-02-30 00:00:00+00',
          '2026-12-03 10:12:34.1234567+00',
          'now',
          '',
        ),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      fc.oneof(
        fc.constantFrom('order:gid://shopify/Order/1', 'order:\u0000', '', "'; drop table stores; --"),
        fc.string({ maxLength: 30 }),
      ),
      fc.oneof(fc.constantFrom('sale', 'refund', 'x'.repeat(40), '', 'sale\u0000'), fc.string({ maxLength: 10 })),
    )
    // The shape of a real cursor ([createdAt, sourceKey, role]) with values no page issued.
    .map((c) => Buffer.from(JSON.stringify(c)).toString('base64url')),
  fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
);

/** Joins query parts, each `{ raw, valid }`, into one choice valid only if all are. */
const joinQuery = (parts: QueryChoice[]): QueryChoice => ({
  raw: parts
    .map((p) => p.raw)
    .filter(Boolean)
    .join('&'),
  valid: parts.every((p) => p.valid),
  late: parts.some((p) => !p.valid) && parts.every((p) => p.valid || p.late),
});

const payoutsQuery: fc.Arbitrary<QueryChoice> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          state: fc.oneof(
            fc.constantFrom('held', 'posted', 'waiting_documents', '', '%20').map((s) => ({ raw: `state=${s}`, valid: true })),
            fc.constantFrom('HELD', 'bogus', 'held,posted').map((s) => ({ raw: `state=${s}`, valid: false, late: true })),
            fc.constantFrom('x'.repeat(65), '%00').map((s) => ({ raw: `state=${s}`, valid: false })),
          ),
          attention: fc.oneof(
            fc.constantFrom('true', 'false').map((s) => ({ raw: `attention=${s}`, valid: true })),
            fc.constantFrom('yes', '1', '').map((s) => ({ raw: `attention=${s}`, valid: false })),
          ),
          limit: limitValues.map((v) => ({ raw: `limit=${v.raw}`, valid: v.valid })),
          cursor: forgedCursors.map((raw) => ({ raw: `cursor=${raw}`, valid: false, late: !raw.includes('%00') && raw.length <= 2000 })),
        },
        { requiredKeys: [] },
      )
      .map((r) => joinQuery(Object.values(r))),
  },
  junkQuery,
);

const payoutSegment = fc.oneof(
  fc.bigInt({ min: 1n, max: 10n ** 20n - 1n }).map((n) => ({ segment: String(n), valid: true })),
  fc.constantFrom('gid%3A%2F%2Fshopify%2FShopifyPaymentsPayout%2F7').map((segment) => ({ segment, valid: true })),
  fc
    .constantFrom('-1', '1e3', '123456789012345678901', 'gid%3A%2F%2Fshopify%2FOrder%2F1', '%00', 'abc', '1.0')
    .map((segment) => ({ segment, valid: false })),
  weirdIds.filter((s) => !/^[0-9]{1,20}$/.test(s)).map((segment) => ({ segment, valid: false })),
);

/**
 * A ledger source key as a path segment (URL-encoded): well-formed keys of orders and refunds that may or may not be
 * in the ledger (200, 404 or 409), other text the schema accepts but the service refuses (400 after the store is
 * found), and segments the schema refuses (too long, control characters).
 */
const sourceKeySegment = fc.oneof(
  fc
    .record({ kind: fc.constantFrom('Order', 'Refund'), n: fc.bigInt({ min: 1n, max: 10n ** 15n }) })
    .map(({ kind, n }) => ({ segment: encodeURIComponent(`${kind.toLowerCase()}:gid://shopify/${kind}/${n}`), valid: true })),
  fc
    .constantFrom('payout%3Agid%3A%2F%2Fshopify%2FShopifyPaymentsPayout%2F7', 'order%3A', 'order', 'gid%3A%2F%2Fshopify%2FOrder%2F1', '%20')
    .map((segment) => ({ segment, valid: true })),
  weirdIds.map((segment) => ({ segment, valid: !ANY_CONTROL.test(decodeURIComponent(segment)) })),
  fc.constantFrom('a'.repeat(300), '%00', 'order%3Agid%3A%2F%2Fshopify%2FOrder%2F1%01').map((segment) => ({ segment, valid: false })),
);

const documentsQuery: fc.Arbitrary<QueryChoice> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          status: fc.oneof(
            fc.constantFrom('synced', 'parked', 'failed', 'skipped', 'synced,parked').map((s) => ({ raw: `status=${s}`, valid: true })),
            // Empty, blank or naming no status: no filter (api/stores/documents.ts parseStatuses); empty items are skipped.
            fc.constantFrom('', '%20', ',', '%20,%20', 'synced,,parked').map((s) => ({ raw: `status=${s}`, valid: true })),
            fc.constantFrom('SYNCED', 'bogus', 'synced,bogus').map((s) => ({ raw: `status=${s}`, valid: false, late: true })),
            fc.constantFrom('x'.repeat(201), '%00').map((s) => ({ raw: `status=${s}`, valid: false })),
          ),
          limit: limitValues.map((v) => ({ raw: `limit=${v.raw}`, valid: v.valid })),
          cursor: forgedCursors.map((raw) => ({ raw: `cursor=${raw}`, valid: false, late: !raw.includes('%00') && raw.length <= 2000 })),
        },
        { requiredKeys: [] },
      )
      .map((r) => joinQuery(Object.values(r))),
  },
  junkQuery,
);

const auditQuery: fc.Arbitrary<QueryChoice> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          store: fc.oneof(
            fc.constantFrom<StoreKey>('A', 'B').map((k) => ({ raw: `store=${shops[k]!.id}`, valid: true })),
            fc.string({ minLength: 1, maxLength: 40 }).map((s) => ({ raw: `store=${encodeURIComponent(s)}`, valid: !ANY_CONTROL.test(s) })),
            fc.constantFrom('', 'a'.repeat(256)).map((s) => ({ raw: `store=${s}`, valid: false })),
          ),
          actor: fc.oneof(
            fc.constantFrom('admin', '0123456789abcdef').map((s) => ({ raw: `actor=${s}`, valid: true })),
            fc.constantFrom('ADMIN', 'root', '', '0123456789ABCDEF', '%00').map((s) => ({ raw: `actor=${s}`, valid: false })),
          ),
          limit: limitValues.map((v) => ({ raw: `limit=${v.raw}`, valid: v.valid })),
          cursor: fc.oneof(
            fc.constant(null).map(() => ({ raw: `cursor=${auditCursor}`, valid: true })),
            forgedCursors.map((raw) => ({ raw: `cursor=${raw}`, valid: false })),
            // The form the API issues (`audit:<id>`): any id from 1 to 2^53 - 1 is a position, the rest is refused.
            fc.bigInt({ min: -10n, max: 10n ** 20n }).map((n) => ({
              raw: `cursor=${Buffer.from(`audit:${n}`).toString('base64url')}`,
              valid: n >= 1n && n <= BigInt(Number.MAX_SAFE_INTEGER),
            })),
          ),
        },
        { requiredKeys: [] },
      )
      .map((r) => joinQuery(Object.values(r))),
  },
  junkQuery,
);

/** A request body: its text (or none), its content type, and whether the route's schema accepts it. */
interface BodyChoice {
  payload?: string | undefined;
  contentType?: string | undefined;
  valid: boolean;
  /** Refused before validation: over the 1 MiB body limit (413) or not JSON by its content type (415). */
  problem?: 'tooLarge' | 'mediaType';
  /** The answer to an invalid body when it is not simply a 400 (a deep object the schema lets through). */
  refusedWith?: Expected;
}

const json = (v: unknown, valid: boolean): BodyChoice => ({ payload: JSON.stringify(v), contentType: 'application/json', valid });

/** Bodies that no route accepts: invalid JSON, wrong content types, deep nesting, over the body limit. */
const badBodies: fc.Arbitrary<BodyChoice> = fc.oneof(
  fc.constantFrom('{', '{"a":', "{'a':1}", 'undefined', '{"a":1}{', '\u0000', 'nul', '[', '{"__proto__":{"x":1}', '').map((payload) => ({
    payload,
    contentType: 'application/json',
    valid: false,
  })),
  fc
    .constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      '*/*',
      'application/jsonx',
    )
    .map((contentType): BodyChoice => ({ payload: '{}', contentType, valid: false, problem: 'mediaType' })),
  fc
    .integer({ min: 1_000, max: 20_000 })
    .map((n) => ({ payload: `${'['.repeat(n)}${']'.repeat(n)}`, contentType: 'application/json', valid: false })),
  fc.integer({ min: 1_000, max: 5_000 }).map((n): BodyChoice => ({
    payload: `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`,
    contentType: 'application/json',
    valid: false,
    refusedWith: 'refused',
  })),
  fc.constant<BodyChoice>({
    payload: JSON.stringify({ x: 'a'.repeat(1_100_000) }),
    contentType: 'application/json',
    valid: false,
    problem: 'tooLarge',
  }),
);

/** Values of the wrong type where the schema wants a string (or the right type with control characters). */
const notAString = fc.oneof(
  fc.constantFrom(null, 0, -1, 1.5, true, false, [], {}, ['x'], { a: 1 }, 1e308),
  fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'string'),
);
const badString = (max: number) =>
  fc.oneof(
    notAString,
    fc.constantFrom('\u0000', 'a\u0000b', '\u001b[2J', 'a\u007f'),
    fc.integer({ min: max + 1, max: max + 3000 }).map((n) => 'a'.repeat(n)),
  );

/** An object body for a route with a closed schema: a valid one, or a valid one with one field broken or one added. */
function objectBody(
  valid: fc.Arbitrary<Record<string, unknown>>,
  breakers: Record<string, fc.Arbitrary<unknown>>,
  opts: { nullable?: boolean } = {},
): fc.Arbitrary<BodyChoice> {
  const fields = Object.keys(breakers);
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((v) => json(v, true)) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...fields), fc.constant(null))
        .chain(([v, field]) => breakers[field]!.map((bad) => json({ ...v, [field]: bad }, false))),
    },
    valid.chain((v) =>
      fc
        .tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.jsonValue({ maxDepth: 1 }))
        .filter(([k]) => !(k in v) && k !== '__proto__')
        .map(([k, x]) => json({ ...v, [k]: x }, false)),
    ),
    fc
      .oneof(fc.constantFrom(null, [], 'text', 0, true), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }))
      // A null body is an object's absence where the schema allows it (POST /stores/:id/pause).
      .map((v) => json(v, v === null && opts.nullable === true)),
    badBodies,
  );
}

const isoInstant = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
/** Instants the date-time format accepts, at the edges: year 0000, far future, a leap second, odd spellings and offsets. */
const oddInstants = fc.constantFrom(
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '1969-12-31T23:59:59.999Z',
  '2028-02-29T00:00:00Z',
  '2026-12-31T23:59:60Z',
  '2026-12-03t10:00:00z',
  '2026-12-03 10:00:00Z',
  '2026-12-03T10:00:00.123456789Z',
  '2026-12-03T10:00:00+14:00',
  '2026-12-03T10:00:00-12:00',
  '2026-12-03T10:00:00+23:59',
);
/** Token expiries are instants from year 1000 on (api/stores/schemas.ts): the odd ones the schema takes there. */
const expiryInstants = oddInstants.filter((t) => !t.startsWith('0') && !t.includes(':60'));
const badInstants = fc.oneof(
  fc.constantFrom(
    '+275760-09-13T00:00:00.000Z',
    '2026-02-29T00:00:00Z',
    '2026-12-03T24:00:00Z',
    '',
    'yesterday',
    '2026-13-01T00:00:00Z',
    '2026-12-03',
    '2026-12-03T10:00:00',
    '12/03/2026',
    'NaN',
    '2026-12-32T00:00:00Z',
    'x'.repeat(65),
  ),
  notAString,
);

const tokenString = fc.stringMatching(/^[!-~]{1,60}$/);

const qboCreds = (required: readonly string[]) =>
  fc
    .record(
      {
        realmId: fc.oneof(
          fc.stringMatching(/^[0-9]{1,32}$/),
          fc.constant(null).map(() => spareCompany.realmId),
        ),
        clientId: fc.oneof(
          tokenString,
          fc.constant(null).map(() => qbo.clientId),
        ),
        clientSecret: fc.oneof(
          tokenString,
          fc.constant(null).map(() => qbo.clientSecret),
        ),
        accessToken: fc.oneof(
          tokenString,
          fc.constant(null).map(() => spareCompany.accessToken),
        ),
        refreshToken: fc.oneof(
          tokenString,
          fc.constant(null).map(() => spareCompany.refreshToken),
        ),
        accessTokenExpiresAt: fc.oneof(isoInstant, expiryInstants),
        refreshTokenExpiresAt: fc.oneof(isoInstant, expiryInstants),
      },
      { requiredKeys: required as Array<'realmId'> },
    )
    .map((r) => r as Record<string, unknown>);

const settingsValue = fc.oneof(
  fc.constant({}),
  fc.record(
    {
      taxMode: fc.oneof(fc.constantFrom('none', 'us', 'vat', 'auto', 'TAX'), notAString),
      usTaxCodeId: fc.oneof(fc.constantFrom('1', '99999', '', null), notAString),
      accounts: fc.oneof(
        fc.dictionary(fc.constantFrom('sales', 'shipping', 'discounts', 'bogus'), fc.oneof(fc.constantFrom('1', '999', null), notAString)),
        notAString,
      ),
      shipping: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

// ---------------------------------------------------------------------------------------------------
// The routes

interface Access {
  scope: 'read' | 'operate';
  stores: 'param' | 'listed' | 'all' | 'public';
}

/** What a route is given besides its token: the path, a query and a body, and what its own rules expect. */
interface RouteInput {
  /** The path with its parameters filled in. */
  path: string;
  id?: IdChoice | undefined;
  query: QueryChoice;
  body?: BodyChoice | undefined;
  /** The answer when the token may call the route and every part passed its schema. */
  whenValid: Expected;
}

interface RouteFuzz {
  access: Access;
  input: fc.Arbitrary<RouteInput>;
}

/** Known stores answer the valid read with `known`; unknown store ids 404; weird ones 400 or 404. */
function byStore(id: IdChoice, known: Expected): Expected {
  if (id.kind === 'A' || id.kind === 'B') return known;
  if (id.kind === 'unknown') return 404;
  return [400, 404];
}

const storeRoute = (
  suffix: string,
  access: Access,
  parts: {
    query?: fc.Arbitrary<QueryChoice>;
    body?: fc.Arbitrary<BodyChoice>;
    extra?: fc.Arbitrary<{ segment: string; valid: boolean }>;
    known: Expected;
  },
): RouteFuzz => ({
  access,
  input: fc
    .record({
      id: idArb(),
      query:
        parts.query ??
        fc.oneof(
          { weight: 5, arbitrary: noQuery },
          junkQuery.map((q) => ({ ...q, valid: true })),
        ),
      body: parts.body ?? fc.constant(undefined),
      extra: parts.extra ?? fc.constant(undefined),
    })
    .map(({ id, query, body, extra }) => {
      const path = `/stores/${id.raw}${suffix.replace(':param', extra?.segment ?? '')}`;
      // Schema failures (400) come before the store is looked up (404), the handler's own checks after it.
      let whenValid: Expected;
      if ((!query.valid && !query.late) || extra?.valid === false) whenValid = 400;
      else if (body && !body.valid) whenValid = body.refusedWith ?? 400;
      else whenValid = byStore(id, query.valid ? parts.known : 400);
      return { path, id, query, body, whenValid };
    }),
});

/** Routes without a query schema ignore unknown query parameters (but not control characters in them). */
const ignoredQuery = fc.oneof(
  { weight: 5, arbitrary: noQuery },
  junkQuery.map((q) => ({ ...q, valid: true })),
);

const pauseBody: fc.Arbitrary<BodyChoice> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<BodyChoice>({ valid: true }) },
  fc.constant(json(null, true)),
  objectBody(
    fc.record({ reason: fc.string({ maxLength: 500 }).filter((s) => !CONTROL_BUT_WHITESPACE.test(s)) }, { requiredKeys: [] }),
    {
      reason: badString(500),
    },
    { nullable: true },
  ),
);

const resyncBody = objectBody(
  fc.record({ from: fc.oneof(isoInstant, oddInstants), to: fc.oneof(isoInstant, oddInstants) }, { requiredKeys: ['from'] }),
  { from: badInstants, to: badInstants },
);

/** POST /stores/:id/undo (api/stores/undo.ts): a window, a mode and the kinds of documents. */
const undoBody = objectBody(
  fc.record(
    {
      from: fc.oneof(isoInstant, oddInstants),
      to: fc.oneof(isoInstant, oddInstants),
      mode: fc.constantFrom('preview', 'preview', 'apply'),
      kinds: fc.constantFrom(['orders'], ['refunds'], ['orders', 'refunds']),
    },
    { requiredKeys: ['from', 'to', 'mode'] },
  ),
  {
    from: badInstants,
    to: badInstants,
    mode: fc.constantFrom('delete', '', 'APPLY', 1, null),
    kinds: fc.constantFrom([], ['payouts'], ['orders', 'orders'], 'orders', [1]),
  },
);

/** POST /stores/:id/review/approve | reject (api/stores/review.ts): order source keys, or (approve) all. */
const heldKeys = fc.uniqueArray(
  fc.bigInt({ min: 1n, max: 10n ** 20n - 1n }).map((n) => `order:gid://shopify/Order/${n}`),
  { minLength: 1, maxLength: 5 },
);
const badHeldKeys = fc.constantFrom(
  [],
  ['x'],
  ['refund:gid://shopify/Refund/1'],
  ['order:gid://shopify/Order/-1'],
  'order:gid://shopify/Order/1',
  [1],
  ['order:gid://shopify/Order/1', 'order:gid://shopify/Order/1'],
  null,
);
const approveBody = objectBody(fc.oneof(fc.record({ ids: heldKeys }), fc.constant({ all: true })), {
  ids: badHeldKeys,
  all: fc.constantFrom(false, 'true', 1, null),
});
const rejectBody = objectBody(fc.record({ ids: heldKeys }), { ids: badHeldKeys });

/** An undo's id in the path: `u-` and 16 hex digits (never started here: 404), or not one (400). */
const undoIdSegment = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[0-9a-f]{16}$/).map((h) => ({ segment: `u-${h}`, valid: true })) },
  fc.constantFrom('u-0', 'not-an-id', 'U-0123456789ABCDEF', 'u-0123456789abcdef0', '%00', 'x'.repeat(300)).map((segment) => ({
    segment,
    valid: false,
  })),
);

const credentialsBody = fc.oneof(
  objectBody(
    fc
      .record({ shopifyAccessToken: tokenString, qbo: qboCreds(['refreshToken']) }, { requiredKeys: [] })
      .filter((r) => Object.keys(r).length > 0),
    { shopifyAccessToken: badString(4096), qbo: fc.oneof(notAString, fc.constant({}), fc.record({ refreshToken: badString(4096) })) },
  ),
  fc.constant(json({}, false)),
  // A Shopify grant no reinstall left: the schema takes it, the service refuses it (400), an unknown store 404s first.
  fc.stringMatching(/^shpg_[A-Za-z0-9_-]{16,40}$/).map((grantId) => json({ shopify: { grantId } }, true)),
  fc.constantFrom({ shopify: {} }, { shopify: { grantId: 1 } }, { shopify: 'shpg_x' }).map((b) => json(b, false)),
);

/** POST /stores naming an OAuth grant: none of these exists (or the shape is wrong), so each is a 400. */
const grantConnectBody: fc.Arbitrary<BodyChoice> = fc
  .record({
    grantId: fc.oneof(
      fc.stringMatching(/^qbog_[A-Za-z0-9_-]{16,40}$/),
      fc.string({ maxLength: 120 }).filter((g) => !CONTROL_BUT_WHITESPACE.test(g)),
      notAString,
    ),
    extra: fc.option(fc.constantFrom('refreshToken', 'realmId', 'clientId')),
  })
  .map(({ grantId, extra }) => ({
    ...json(
      { shopDomain: shops.C!.domain, shopifyAccessToken: shops.C!.token, qbo: { grantId, ...(extra ? { [extra]: '1' } : {}) } },
      false,
    ),
  }));

/** POST /stores naming a Shopify grant: none exists (or the shape is wrong, or a token is beside it), so each is a 400. */
const shopifyGrantConnectBody: fc.Arbitrary<BodyChoice> = fc
  .record({
    shopify: fc.oneof(
      fc.stringMatching(/^shpg_[A-Za-z0-9_-]{16,40}$/).map((grantId) => ({ grantId })),
      fc.string({ maxLength: 120 }).map((grantId) => ({ grantId })),
      fc.record({ grantId: notAString }),
      fc.constantFrom({}, null, [], 'shpg_x'),
    ),
    withToken: fc.boolean(),
  })
  .map(({ shopify: part, withToken }) =>
    json(
      {
        shopDomain: shops.C!.domain,
        shopify: part,
        ...(withToken ? { shopifyAccessToken: shops.C!.token } : {}),
        qbo: connectBody(shops.C!, spareCompany).qbo,
      },
      false,
    ),
  );

const connectBodyArb = fc.oneof(
  { weight: 1, arbitrary: grantConnectBody },
  { weight: 1, arbitrary: shopifyGrantConnectBody },
  // A fresh shop and company with the right tokens (so a valid body really connects, 201), the token
  // expiry instants at their edges.
  {
    weight: 2,
    arbitrary: fc
      .record({ accessTokenExpiresAt: fc.option(oddInstants), refreshTokenExpiresAt: fc.option(oddInstants) })
      .map(({ accessTokenExpiresAt, refreshTokenExpiresAt }) => {
        const body = connectBody(newShop(`fzn${++freshShops}`), qbo.admin.createCompany({ country: 'US' }));
        const qboPart: Record<string, unknown> = { ...body.qbo };
        if (accessTokenExpiresAt !== null) qboPart.accessTokenExpiresAt = accessTokenExpiresAt;
        if (refreshTokenExpiresAt !== null) qboPart.refreshTokenExpiresAt = refreshTokenExpiresAt;
        return json({ ...body, qbo: qboPart }, true);
      }),
  },
  {
    weight: 4,
    arbitrary: objectBody(
      fc.record(
        {
          shopDomain: fc.oneof(
            fc.constant(null).map(() => shops.A!.domain),
            fc.constantFrom('evil.com', 'a.myshopify.com', 'HTTPS://X.MYSHOPIFY.COM/', '.myshopify.com', 'x'.repeat(255)),
            fc.string({ minLength: 1, maxLength: 40 }),
          ),
          shopifyAccessToken: tokenString,
          qbo: qboCreds(['realmId', 'clientId', 'clientSecret', 'refreshToken']),
          startDate: fc.oneof(
            fc.constantFrom(null, '2026-01-01', '0000-01-01', '9999-12-31', '2026-02-30', 'yesterday', ''),
            fc.string({ maxLength: 32 }),
          ),
          settings: settingsValue,
        },
        { requiredKeys: ['shopDomain', 'shopifyAccessToken', 'qbo'] },
      ),
      {
        shopDomain: badString(255),
        shopifyAccessToken: badString(4096),
        qbo: fc.oneof(notAString, fc.constant({})),
        startDate: fc.oneof(fc.constantFrom(0, [], {}, true), fc.constant('x'.repeat(33))),
      },
    ),
  },
);

const settingsBody: fc.Arbitrary<BodyChoice> = fc.oneof(
  { weight: 3, arbitrary: settingsValue.map((v) => ({ ...json(v, true) })) },
  fc.constantFrom(null, [], 'text', 1).map((v) => json(v, false)),
  badBodies,
);

/** Run ids as the inventory routes take them (`^[A-Za-z0-9_.:+-]{1,255}$`), and ones their schema refuses. */
const runIdValues = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.:+-]{1,60}$/).map((s) => ({ raw: encodeURIComponent(`r${s}`), valid: true })) },
  fc
    .constantFrom('store:x.myshopify.com:inventory:apply:2026-12-03T21:00:00.000Z:abcd1234')
    .map((s) => ({ raw: encodeURIComponent(s), valid: true })),
  fc.constantFrom('a%20b', '%00', 'a%2Fb', 'x'.repeat(256), '%C3%A9', 'a%3Fb').map((raw) => ({ raw, valid: false })),
);

const inventoryWait = fc.oneof(
  fc.integer({ min: 0, max: 1 }).map((n) => ({ raw: `wait=${n}`, valid: true })),
  fc.constantFrom('-1', '61', 'abc', '1.5', '').map((v) => ({ raw: `wait=${v}`, valid: false })),
);

const inventorySyncQuery: fc.Arbitrary<QueryChoice> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        mode: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('preview', 'apply').map((m) => ({ raw: `mode=${m}`, valid: true })) },
          fc.constantFrom('force', 'APPLY', '', 'off', '%00').map((m) => ({ raw: `mode=${m}`, valid: false })),
          fc.constant({ raw: '', valid: false }),
        ),
        wait: fc.option(inventoryWait, { nil: undefined }),
      })
      .map(({ mode, wait }) => joinQuery(wait ? [mode, wait] : [mode])),
  },
  junkQuery,
);

const inventoryChangesQuery: fc.Arbitrary<QueryChoice> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          runId: runIdValues.map((v) => ({ raw: `runId=${v.raw}`, valid: v.valid })),
          changed: fc.oneof(
            fc.constantFrom('true', 'false').map((s) => ({ raw: `changed=${s}`, valid: true })),
            fc.constantFrom('yes', '1', '').map((s) => ({ raw: `changed=${s}`, valid: false })),
          ),
          limit: fc.oneof(
            fc.integer({ min: 1, max: 500 }).map((n) => ({ raw: `limit=${n}`, valid: true })),
            fc.constantFrom('0', '501', '-1', 'abc', '1e2').map((v) => ({ raw: `limit=${v}`, valid: false })),
          ),
          cursor: forgedCursors.map((raw) => ({ raw: `cursor=${raw}`, valid: false, late: !raw.includes('%00') && raw.length <= 2000 })),
        },
        { requiredKeys: [] },
      )
      .map((r) => joinQuery(Object.values(r))),
  },
  junkQuery,
);

/** GET /stores/:id/stats: `days` is an integer 1..35 (default 30); any other value or parameter is a 400. */
const statsQuery: fc.Arbitrary<QueryChoice> = fc.oneof(
  { weight: 3, arbitrary: noQuery },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 35 }).map((n) => ({ raw: `days=${n}`, valid: true })) },
  fc
    .constantFrom('0', '36', '-1', '1.5', '1e1', '0x5', '', 'abc', 'NaN', '99999999999999999999', '%00', '5&days=6')
    .map((v) => ({ raw: `days=${v}`, valid: false })),
  junkQuery,
);

/** Any 2xx or a 4xx for an input the schema accepts but the service may refuse (a 409 paused, a 422 from QBO). */
const ROUTES: Record<string, RouteFuzz> = {
  'GET /health': {
    access: { scope: 'read', stores: 'public' },
    input: ignoredQuery.map((query) => ({ path: '/health', query, whenValid: 200 })),
  },
  'GET /stores': {
    access: { scope: 'read', stores: 'listed' },
    input: ignoredQuery.map((query) => ({ path: '/stores', query, whenValid: 200 })),
  },
  'POST /stores': {
    access: { scope: 'operate', stores: 'all' },
    input: fc.record({ query: ignoredQuery, body: connectBodyArb }).map(({ query, body }) => ({
      path: '/stores',
      query,
      body,
      whenValid: body.valid ? 'any' : 'refused',
    })),
  },
  'GET /stores/:id': storeRoute('', { scope: 'read', stores: 'param' }, { known: 200 }),
  'POST /stores/:id/sync': storeRoute('/sync', { scope: 'operate', stores: 'param' }, { query: waitQuery(1), known: 'any' }),
  'POST /stores/:id/resync': storeRoute(
    '/resync',
    { scope: 'operate', stores: 'param' },
    { query: waitQuery(1), body: resyncBody, known: 'any' },
  ),
  'GET /stores/:id/syncs/:updateId': storeRoute(
    '/syncs/:param',
    { scope: 'read', stores: 'param' },
    {
      query: waitQuery(60),
      extra: fc.oneof(
        fc.uuid().map((u) => ({ segment: u, valid: true })),
        weirdIds.map((segment) => ({ segment, valid: true })),
        fc.constant({ segment: 'a'.repeat(300), valid: false }),
        fc.constantFrom('%00', 'x%01').map((segment) => ({ segment, valid: false })),
      ),
      known: 'any',
    },
  ),
  'POST /stores/:id/pause': storeRoute('/pause', { scope: 'operate', stores: 'param' }, { body: pauseBody, known: [200, 409] }),
  'POST /stores/:id/resume': storeRoute('/resume', { scope: 'operate', stores: 'param' }, { known: [200, 409] }),
  'PUT /stores/:id/credentials': storeRoute('/credentials', { scope: 'operate', stores: 'param' }, { body: credentialsBody, known: 'any' }),
  'GET /stores/:id/settings': storeRoute('/settings', { scope: 'read', stores: 'param' }, { known: 200 }),
  'PUT /stores/:id/settings': storeRoute('/settings', { scope: 'operate', stores: 'param' }, { body: settingsBody, known: 'any' }),
  'GET /stores/:id/tax-mapping': storeRoute('/tax-mapping', { scope: 'read', stores: 'param' }, { known: 'any' }),
  'POST /stores/:id/tax-mapping/apply': storeRoute('/tax-mapping/apply', { scope: 'operate', stores: 'param' }, { known: 'any' }),
  'GET /stores/:id/documents': storeRoute('/documents', { scope: 'read', stores: 'param' }, { query: documentsQuery, known: 200 }),
  'GET /stores/:id/orders/:orderId/documents': storeRoute(
    '/orders/:param/documents',
    { scope: 'read', stores: 'param' },
    {
      extra: fc.oneof(
        fc.bigInt({ min: 1n, max: 10n ** 20n - 1n }).map((n) => ({ segment: String(n), valid: true })),
        fc.constantFrom('0', '00000000000000000000').map((segment) => ({ segment, valid: true })),
        fc
          .constantFrom('-1', '1e3', '123456789012345678901', 'gid%3A%2F%2Fshopify%2FOrder%2F1', '%00', 'abc', '1.0')
          .map((segment) => ({ segment, valid: false })),
        weirdIds.filter((s) => !/^[0-9]{1,20}$/.test(s)).map((segment) => ({ segment, valid: false })),
      ),
      known: [200, 404],
    },
  ),
  ...Object.fromEntries(
    ['retry', 'ignore', 'unignore'].map((action) => [
      `POST /stores/:id/documents/:sourceKey/${action}`,
      storeRoute(`/documents/:param/${action}`, { scope: 'operate', stores: 'param' }, { extra: sourceKeySegment, known: 'any' }),
    ]),
  ),
  'GET /stores/:id/payouts': storeRoute('/payouts', { scope: 'read', stores: 'param' }, { query: payoutsQuery, known: 200 }),
  'GET /stores/:id/payouts/:payoutId': storeRoute(
    '/payouts/:param',
    { scope: 'read', stores: 'param' },
    {
      extra: payoutSegment,
      query: fc.constantFrom<QueryChoice>({ raw: 'live=false', valid: true }, { raw: '', valid: true }),
      known: [200, 404],
    },
  ),
  'POST /stores/:id/payouts/:payoutId/retry': storeRoute(
    '/payouts/:param/retry',
    { scope: 'operate', stores: 'param' },
    { extra: payoutSegment, query: waitQuery(1), body: pauseBody, known: 'any' },
  ),
  // Undo (api/stores/undo.ts): a wait of 0 or 1 s keeps an apply from holding the fuzz for the default 20 s.
  'POST /stores/:id/undo': storeRoute(
    '/undo',
    { scope: 'operate', stores: 'param' },
    { query: inventoryWait, body: undoBody, known: 'any' },
  ),
  'GET /stores/:id/undo/:undoId': storeRoute(
    '/undo/:param',
    { scope: 'read', stores: 'param' },
    { extra: undoIdSegment, query: fc.oneof(noQuery, inventoryWait), known: 404 },
  ),
  // The store page's figures (api/stores/stats.ts): ?days=1..35, nothing else.
  'GET /stores/:id/stats': storeRoute('/stats', { scope: 'read', stores: 'param' }, { query: statsQuery, known: 200 }),
  // Review before posting (api/stores/review.ts): the fuzz's stores hold nothing, so named keys are 404s.
  'GET /stores/:id/review': storeRoute('/review', { scope: 'read', stores: 'param' }, { known: 200 }),
  'POST /stores/:id/review/approve': storeRoute(
    '/review/approve',
    { scope: 'operate', stores: 'param' },
    { body: approveBody, known: 'any' },
  ),
  'POST /stores/:id/review/reject': storeRoute('/review/reject', { scope: 'operate', stores: 'param' }, { body: rejectBody, known: 'any' }),
  // Inventory (api/routes/inventory.ts): the fuzz's stores have no inventory location, so runs are refused (409).
  'GET /stores/:id/inventory/preview': storeRoute(
    '/inventory/preview',
    { scope: 'read', stores: 'param' },
    { query: fc.oneof(noQuery, inventoryWait, junkQuery), known: 'any' },
  ),
  'POST /stores/:id/inventory/sync': storeRoute(
    '/inventory/sync',
    { scope: 'operate', stores: 'param' },
    { query: inventorySyncQuery, known: 'any' },
  ),
  'GET /stores/:id/inventory/changes': storeRoute(
    '/inventory/changes',
    { scope: 'read', stores: 'param' },
    { query: inventoryChangesQuery, known: 200 },
  ),
  'POST /stores/:id/inventory/runs/:runId/confirm': storeRoute(
    '/inventory/runs/:param/confirm',
    { scope: 'operate', stores: 'param' },
    { extra: runIdValues.map((v) => ({ segment: v.raw, valid: v.valid })), known: 404 },
  ),
  'GET /connect/qbo/start': {
    access: { scope: 'operate', stores: 'all' },
    input: fc
      .oneof(
        {
          weight: 4,
          arbitrary: fc.constant(null).map(() => ({ raw: `shopDomain=${encodeURIComponent(shops.C!.domain)}`, expected: 302 as Expected })),
        },
        fc.stringMatching(/^[a-z0-9]{1,30}$/).map((h) => ({ raw: `shopDomain=${h}.myshopify.com`, expected: 302 as Expected })),
        fc
          .oneof(
            fc.constantFrom('evil.com', 'HTTPS://X.MYSHOPIFY.COM/', '.myshopify.com', 'a-.myshopify.com'),
            fc.string({ minLength: 1, maxLength: 60 }),
          )
          .map((d) => ({ raw: `shopDomain=${encodeURIComponent(d)}`, expected: [302, 400] as Expected })),
        fc
          .constantFrom('', 'shopDomain=', `shopDomain=${'a'.repeat(256)}.myshopify.com`)
          .map((raw) => ({ raw, expected: 400 as Expected })),
        junkQuery.map((q) => ({ raw: q.raw, expected: 400 as Expected })),
      )
      .map(({ raw, expected }) => ({ path: '/connect/qbo/start', query: { raw, valid: expected !== 400 }, whenValid: expected })),
  },
  'GET /connect/qbo/callback': {
    access: { scope: 'read', stores: 'public' },
    input: fc
      .record({
        state: fc.option(
          fc.oneof(
            fc.string({ maxLength: 80 }),
            // Well signed but never issued, or expired: refused all the same.
            fc
              .record({ nonce: fc.string({ minLength: 1, maxLength: 30 }), ahead: fc.integer({ min: -3_600_000, max: 600_000 }) })
              .map(({ nonce, ahead }) =>
                signState(STATE_KEY, { nonce, shopDomain: shops.C!.domain, expiresAt: new Date(Date.now() + ahead) }),
              ),
          ),
        ),
        code: fc.option(fc.string({ maxLength: 60 })),
        realmId: fc.option(fc.oneof(fc.stringMatching(/^[0-9]{1,32}$/), fc.string({ maxLength: 40 }))),
        error: fc.option(fc.constantFrom('access_denied', 'invalid_scope')),
        junk: fc.option(junkQuery),
      })
      .map(({ junk, ...params }) => {
        const raw = [
          ...Object.entries(params)
            .filter(([, v]) => v !== null)
            .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`),
          ...(junk ? [junk.raw] : []),
        ].join('&');
        return { path: '/connect/qbo/callback', query: { raw, valid: false }, whenValid: 'refused' as Expected };
      }),
  },
  'GET /connect/shopify/start': {
    access: { scope: 'operate', stores: 'all' },
    input: fc
      .oneof(
        {
          weight: 4,
          arbitrary: fc.constant(null).map(() => ({ raw: `shop=${encodeURIComponent(shops.C!.domain)}`, expected: 302 as Expected })),
        },
        fc.stringMatching(/^[a-z0-9]{1,30}$/).map((h) => ({ raw: `shop=${h}.myshopify.com`, expected: 302 as Expected })),
        fc
          .oneof(
            fc.constantFrom('evil.com', 'HTTPS://X.MYSHOPIFY.COM/', '.myshopify.com', 'a-.myshopify.com', 'admin.shopify.com/store/x'),
            fc.string({ minLength: 1, maxLength: 60 }),
          )
          .map((d) => ({ raw: `shop=${encodeURIComponent(d)}`, expected: [302, 400] as Expected })),
        fc
          .constantFrom('', 'shop=', `shop=${'a'.repeat(256)}.myshopify.com`, `shopDomain=${encodeURIComponent('x.myshopify.com')}`)
          .map((raw) => ({ raw, expected: 400 as Expected })),
        junkQuery.map((q) => ({ raw: q.raw, expected: 400 as Expected })),
      )
      .map(({ raw, expected }) => ({ path: '/connect/shopify/start', query: { raw, valid: expected !== 400 }, whenValid: expected })),
  },
  // Nothing here went through the install page, so every callback is refused: unsigned, signed with the wrong secret,
  // or signed with the app's own secret around a state that was never issued, expired or is QuickBooks'.
  'GET /connect/shopify/callback': {
    access: { scope: 'read', stores: 'public' },
    input: fc
      .record({
        state: fc.option(
          fc.oneof(
            fc.string({ maxLength: 80 }),
            fc
              .record({
                nonce: fc.string({ minLength: 1, maxLength: 30 }),
                ahead: fc.integer({ min: -3_600_000, max: 600_000 }),
                provider: fc.constantFrom('shopify' as const, 'qbo' as const),
              })
              .map(({ nonce, ahead, provider }) =>
                signState(STATE_KEY, { nonce, shopDomain: shops.C!.domain, expiresAt: new Date(Date.now() + ahead), provider }),
              ),
          ),
        ),
        code: fc.option(fc.string({ maxLength: 60 })),
        shop: fc.option(
          fc.oneof(
            fc.constant(null).map(() => shops.C!.domain),
            fc.string({ maxLength: 40 }),
          ),
        ),
        error: fc.option(fc.constantFrom('access_denied')),
        timestamp: fc.option(
          fc.oneof(
            fc.integer({ min: -60, max: 60 }).map((d) => String(Math.floor(Date.now() / 1000) + d)),
            fc.constantFrom('0', '', 'x', '99999999999'),
          ),
          { freq: 5 },
        ),
        hmac: fc.constantFrom('app', 'app', 'app', 'wrongSecret', 'garbage', 'missing'),
        junk: fc.option(fc.string({ maxLength: 20 })),
      })
      .map(({ hmac, junk, ...params }) => {
        const given: Record<string, string> = Object.fromEntries(
          Object.entries({ ...params, ...(junk === null ? {} : { junk }) }).filter((e): e is [string, string] => e[1] !== null),
        );
        if (hmac !== 'missing') {
          given.hmac =
            hmac === 'app' ? oauthHmac(shopify.clientSecret, given) : hmac === 'wrongSecret' ? oauthHmac('not-the-secret', given) : 'zz';
        }
        const raw = new URLSearchParams(given).toString();
        return { path: '/connect/shopify/callback', query: { raw, valid: false }, whenValid: 'refused' as Expected };
      }),
  },
  // Only ids that name no store: a real disconnect would leave a store that the last test cannot resume
  // (test/api/qbo-oauth.test.ts disconnects real ones).
  'POST /stores/:id/qbo/disconnect': {
    access: { scope: 'operate', stores: 'param' },
    input: fc
      .record({ id: idArb().filter((id) => id.kind !== 'A' && id.kind !== 'B'), query: ignoredQuery })
      .map(({ id, query }) => ({ path: `/stores/${id.raw}/qbo/disconnect`, id, query, whenValid: byStore(id, 'any') })),
  },
  // Only ids that name no store: removing a real one would leave a store later cases cannot act on
  // (test/api/qbo-oauth.test.ts removes real ones).
  'DELETE /stores/:id': {
    access: { scope: 'operate', stores: 'param' },
    input: fc
      .record({ id: idArb().filter((id) => id.kind !== 'A' && id.kind !== 'B'), query: ignoredQuery })
      .map(({ id, query }) => ({ path: `/stores/${id.raw}`, id, query, whenValid: byStore(id, 'any') })),
  },
  'GET /audit': {
    access: { scope: 'read', stores: 'all' },
    input: auditQuery.map((query) => ({ path: '/audit', query, whenValid: query.valid ? 200 : 400 })),
  },
};

/** Documentation routes (@fastify/swagger-ui): public; a redirect is a fine answer, a path outside its files is not. */
const docsInput = (path: string) => fc.constant({ path, query: { raw: '', valid: true }, whenValid: [200, 302] as Expected });
const DOCS_ROUTES: Record<string, RouteFuzz> = {
  'GET /docs': { access: { scope: 'read', stores: 'public' }, input: docsInput('/docs') },
  'GET /docs/': { access: { scope: 'read', stores: 'public' }, input: docsInput('/docs/') },
  'GET /docs/json': { access: { scope: 'read', stores: 'public' }, input: docsInput('/docs/json') },
  'GET /docs/yaml': { access: { scope: 'read', stores: 'public' }, input: docsInput('/docs/yaml') },
  'GET /docs/static/index.html': { access: { scope: 'read', stores: 'public' }, input: docsInput('/docs/static/index.html') },
  'GET /docs/static/swagger-initializer.js': {
    access: { scope: 'read', stores: 'public' },
    input: docsInput('/docs/static/swagger-initializer.js'),
  },
  'GET /docs/static/*': {
    access: { scope: 'read', stores: 'public' },
    input: fc.oneof(
      fc
        .constantFrom('swagger-ui.css', 'swagger-ui-bundle.js')
        .map((f) => ({ path: `/docs/static/${f}`, query: { raw: '', valid: true }, whenValid: 200 as Expected })),
      fc
        .constantFrom(
          '..%2F..%2Fpackage.json',
          '../../package.json',
          '%2E%2E/%2E%2E/package.json',
          '..%5C..%5Cpackage.json',
          '%00',
          'nope.js',
          '....//....//package.json',
        )
        .map((f) => ({ path: `/docs/static/${f}`, query: { raw: '', valid: true }, whenValid: 'refused' as Expected })),
    ),
  },
};

/** The expected answer for a request to a route, from the token, the path's shape and the route's own rules. */
function expectedFor(access: Access, auth: AuthChoice, input: RouteInput): Expected {
  const id = input.id;
  // Decided by the router, before any hook: an undecodable URL or a path segment over 1024 characters.
  if (id?.kind === 'badUrl' || id?.kind === 'huge') return 400;
  if (id?.kind === 'dots') return 'refused';
  if (access.stores === 'public') return input.whenValid;
  if (!auth.principal) return 401;
  const p = auth.principal;
  if (p.store !== null) {
    if (access.stores === 'all') return 403;
    if (access.stores === 'param' && id?.kind !== p.store) return 404;
  }
  if (access.scope === 'operate' && p.scope !== 'operate') return 403;
  // The body is read (and refused when too large or of another type) before anything is validated.
  if (input.body?.problem === 'tooLarge') return 413;
  if (input.body?.problem === 'mediaType') return [400, 415];
  // A control character anywhere in the path or the query string is a 400 before the schema.
  if (id?.kind === 'control' || /%(0[0-9a-fA-F]|1[0-9a-fA-F]|7[fF])/.test(input.path + input.query.raw)) return 400;
  if (id?.kind === 'long') return 400;
  return input.whenValid;
}

function routeCase(route: string, fuzz: RouteFuzz, method: Case['method']): fc.Arbitrary<Case> {
  const auth = fuzz.access.stores === 'public' ? fc.constant<AuthChoice>({ headers: {}, principal: undefined }) : authArb;
  return fc.tuple(auth, fuzz.input).map(([a, input]): Case => {
    const headers: Record<string, string> = { ...a.headers };
    if (input.body?.contentType) headers['content-type'] = input.body.contentType;
    return {
      route,
      method,
      url: input.query.raw ? `${input.path}?${input.query.raw}` : input.path,
      headers,
      payload: method === 'HEAD' ? undefined : input.body?.payload,
      expected: expectedFor(fuzz.access, a, input),
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// The webhook

const NUDGE = [
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/cancelled',
  'orders/edited',
  'refunds/create',
  'order_transactions/create',
] as const;

const webhookCase: fc.Arbitrary<Case> = fc
  .record({
    shop: fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .constantFrom<StoreKey>('A', 'B')
          .map((k) => ({ domain: shops[k]!.domain, valid: true, known: k as StoreKey | undefined })),
      },
      fc
        .constantFrom<StoreKey>('A', 'B')
        .map((k) => ({ domain: `HTTPS://${shops[k]!.domain.toUpperCase()}/`, valid: true, known: k as StoreKey | undefined })),
      fc.constant({ domain: 'nobody-here.myshopify.com', valid: true, known: undefined }),
      fc
        .constantFrom('evil.com', 'a.b.myshopify.com.evil.com', '', ' ', 'x'.repeat(255), '-.myshopify.com', 'ünï.myshopify.com')
        .map((domain) => ({ domain, valid: false, known: undefined })),
    ),
    topic: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...NUDGE) },
      fc.constantFrom('app/uninstalled', 'orders/delete', 'products/update', 'ORDERS/CREATE', '', 'x'.repeat(255)),
    ),
    body: fc.oneof(
      { weight: 4, arbitrary: fc.bigInt({ min: 1n, max: 2n ** 53n - 1n }).map((n) => ({ kind: 'order' as const, id: Number(n) })) },
      fc.constant({ kind: 'shop' as const, id: 0 }),
      fc.constant({ kind: 'otherShop' as const, id: 0 }),
      fc.constant({ kind: 'empty' as const, id: 0 }),
      fc.constant({ kind: 'notJson' as const, id: 0 }),
      fc.constant({ kind: 'array' as const, id: 0 }),
      fc.constant({ kind: 'deep' as const, id: 0 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => ({ kind: 'random' as const, id: 0, v })),
    ),
    hmac: fc.constantFrom('valid', 'valid', 'valid', 'valid', 'missing', 'wrongSecret', 'garbage', 'long'),
    triggered: fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .integer({ min: -4 * 3_600_000, max: 4 * 60_000 })
          .map((ms) => ({ at: (now: number) => new Date(now + ms).toISOString(), ok: true })),
      },
      fc
        .integer({ min: 5 * 3_600_000, max: 100 * 86_400_000 })
        .map((ms) => ({ at: (now: number) => new Date(now - ms).toISOString(), ok: false })),
      fc
        .integer({ min: 10 * 60_000, max: 10 * 86_400_000 })
        .map((ms) => ({ at: (now: number) => new Date(now + ms).toISOString(), ok: false })),
      fc
        .constantFrom('', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'yesterday', '2026-12-03', '2026-13-45T99:99:99Z', 'x'.repeat(64))
        .map((s) => ({ at: () => s, ok: false })),
    ),
    webhookId: fc.oneof(
      { weight: 4, arbitrary: fc.uuid().map((id) => ({ id, ok: true })) },
      fc.constantFrom({ id: '', ok: false }, { id: 'x'.repeat(256), ok: false }),
    ),
    missing: fc.option(fc.constantFrom('x-shopify-topic', 'x-shopify-shop-domain', 'x-shopify-webhook-id', 'x-shopify-triggered-at'), {
      freq: 8,
    }),
    replay: fc.boolean(),
  })
  .map((w): Case => {
    const domain = w.shop.domain;
    let payload: string;
    let bodyOk = true;
    switch (w.body.kind) {
      case 'order':
        payload = JSON.stringify({
          id: w.body.id,
          order_id: w.body.id,
          order_edit: { order_id: w.body.id },
          admin_graphql_api_id: `gid://shopify/Order/${w.body.id}`,
        });
        break;
      case 'shop':
        payload = JSON.stringify({ myshopify_domain: w.shop.known ? shops[w.shop.known]!.domain : domain, id: 1 });
        break;
      case 'otherShop':
        payload = JSON.stringify({ myshopify_domain: 'someone-else.myshopify.com', id: 1 });
        break;
      case 'empty':
        payload = '';
        bodyOk = false;
        break;
      case 'notJson':
        payload = '{"id": 1';
        bodyOk = false;
        break;
      case 'array':
        payload = '[1,2]';
        bodyOk = false;
        break;
      case 'deep':
        payload = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
        bodyOk = false;
        break;
      default:
        payload = JSON.stringify((w.body as { v: unknown }).v);
        bodyOk =
          typeof (w.body as { v: unknown }).v === 'object' &&
          (w.body as { v: unknown }).v !== null &&
          !Array.isArray((w.body as { v: unknown }).v);
    }
    const now = Date.now();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-shopify-topic': w.topic,
      'x-shopify-shop-domain': domain,
      'x-shopify-webhook-id': w.webhookId.id,
      'x-shopify-triggered-at': w.triggered.at(now),
      'x-shopify-api-version': '2026-10',
    };
    if (w.hmac !== 'missing') {
      headers['x-shopify-hmac-sha256'] =
        w.hmac === 'valid'
          ? webhookHmac(WEBHOOK_SECRET, payload)
          : w.hmac === 'wrongSecret'
            ? webhookHmac('shpss_not_the_secret', payload)
            : w.hmac === 'long'
              ? 'A'.repeat(200)
              : 'bm90IGFuIGhtYWM=';
    }
    if (w.missing) delete headers[w.missing];

    // Header schema first (over-long values), then the signature, then the headers, then the body.
    let expected: Expected;
    const overLong = Object.entries(headers).some(([h, v]) => (h === 'x-shopify-hmac-sha256' ? v.length > 128 : v.length > 255));
    const emptyHeader = (h: string) => w.missing === h || headers[h]?.trim() === '';
    if (overLong) expected = 400;
    else if (w.hmac !== 'valid') expected = 401;
    else if (['x-shopify-topic', 'x-shopify-shop-domain', 'x-shopify-webhook-id', 'x-shopify-triggered-at'].some(emptyHeader))
      expected = 400;
    else if (!w.shop.valid || !w.triggered.ok || !bodyOk) expected = 400;
    else if (w.topic === 'app/uninstalled') expected = w.body.kind === 'shop' ? 200 : w.body.kind === 'otherShop' ? 403 : [400, 403];
    else if ((NUDGE as readonly string[]).includes(w.topic.toLowerCase())) expected = w.body.kind === 'order' ? 200 : [200, 400];
    else expected = 200;
    return { route: 'POST /webhooks/shopify', method: 'POST', url: '/webhooks/shopify', headers, payload, expected, replay: w.replay };
  });

// ---------------------------------------------------------------------------------------------------

/**
 * Every method and path the JSON API answers, from Fastify's own route tree. The web console under /console
 * (HTML pages and form posts behind a session cookie and CSRF tokens, not the bearer token) is left out: its
 * sign-in, session, CSRF and access rules are tested in test/api/console.test.ts and test/console/.
 */
function registeredRoutes(): string[] {
  const tree = app.printRoutes({ commonPrefix: true });
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    const depth = (at - 1) / 4;
    const m = /^(\S*)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(at + 3).trim());
    if (!m) throw new Error(`unexpected printRoutes line: ${line}`);
    stack.length = depth;
    stack.push(m[1]!);
    for (const method of m[2]?.split(', ') ?? []) routes.push(`${method} ${stack.join('')}`);
  }
  return routes.filter((r) => !r.split(' ')[1]!.startsWith('/console'));
}

function allRouteCases(): Map<string, fc.Arbitrary<Case>> {
  const cases = new Map<string, fc.Arbitrary<Case>>();
  const fuzzes: Record<string, RouteFuzz> = { ...ROUTES, ...DOCS_ROUTES };
  for (const route of registeredRoutes()) {
    const [method, path] = route.split(' ') as [Case['method'], string];
    if (route === 'POST /webhooks/shopify') cases.set(route, webhookCase);
    else if (fuzzes[route]) cases.set(route, routeCase(route, fuzzes[route], method));
    // HEAD is Fastify's automatic twin of each GET: the same checks, without a body.
    else if (method === 'HEAD' && fuzzes[`GET ${path}`]) cases.set(route, routeCase(route, fuzzes[`GET ${path}`]!, 'HEAD'));
  }
  return cases;
}

describe('the API fuzz', () => {
  it('has an arbitrary for every route the app registers', () => {
    const routes = registeredRoutes();
    expect(routes).toContain('POST /webhooks/shopify');
    expect(routes).toContain('GET /stores/:id/orders/:orderId/documents');
    const covered = allRouteCases();
    expect(routes.filter((r) => !covered.has(r))).toEqual([]);
  });

  it(`answers ${RUNS} random requests with a 2xx for valid input and a precise 4xx otherwise, never a 5xx or a hang`, async () => {
    const cases = allRouteCases();
    // Weighted towards the routes with the most inputs; every route is drawn.
    const weight = (route: string) =>
      route.startsWith('HEAD') || route.startsWith('GET /docs') ? 1 : route === 'POST /webhooks/shopify' ? 20 : 6;
    const anyCase = fc.oneof(...[...cases].map(([route, arb]) => ({ weight: weight(route), arbitrary: arb })));
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(anyCase, (c) => check(c)),
      { seed: SEED, numRuns: RUNS, endOnFailure: false, interruptAfterTimeLimit: undefined },
    );
    const answers = [...tally]
      .sort()
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    console.log(`fuzz: ${RUNS} cases, seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(1)} s; answers ${answers}`);
    // A fuzz that only ever met refusals would prove little: valid requests must be a real share.
    expect(tally.get('2xx') ?? 0).toBeGreaterThan(RUNS / 10);
  }, 600_000);

  it('leaves every store it touched working: readable, resumable, and a manual sync completes', async () => {
    const listed = await inject({ method: 'GET', url: '/stores', headers: bearer(ADMIN) });
    expect(listed.statusCode, listed.body).toBe(200);
    const ids = (listed.json() as { stores: Array<{ id: string }> }).stores.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining([shops.A!.id, shops.B!.id]));
    for (const id of ids) {
      const view = await inject({ method: 'GET', url: `/stores/${id}`, headers: bearer(ADMIN) });
      expect(view.statusCode, view.body).toBe(200);
      expect((view.json() as { workflow: { ok: boolean } }).workflow.ok, view.body).toBe(true);
      const resumed = await inject({ method: 'POST', url: `/stores/${id}/resume`, headers: bearer(ADMIN) });
      expect(resumed.statusCode, resumed.body).toBe(200);
      expect((resumed.json() as { state: string }).state).toBe('active');
      const synced = await app.inject({ method: 'POST', url: `/stores/${id}/sync?wait=60`, headers: bearer(ADMIN) });
      expect(synced.statusCode, synced.body).toBe(200);
      expect((synced.json() as { status: string }).status).toBe('completed');
      const after = (await inject({ method: 'GET', url: `/stores/${id}`, headers: bearer(ADMIN) })).json() as {
        lastRun: { status: string } | null;
        connection: { ok: boolean };
      };
      expect(after.lastRun?.status).toBe('completed');
      expect(after.connection.ok).toBe(true);
    }
  }, 180_000);
});
