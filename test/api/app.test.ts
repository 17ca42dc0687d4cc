/**
 * The API through Fastify's inject, on real PGlite and a real (time-skipping) Temporal server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../api/app';
import { createCipher } from '../../config/secrets';
import type { Database } from '../../db/client';
import { processPacing } from '../support/app';
import { pgliteDatabase } from '../support/db';
import { timeSkippingEnv } from '../support/temporal';

const token = 'test-token-0123456789abcdef';
let env: TestWorkflowEnvironment;
let database: Database;
let app: FastifyInstance;

beforeAll(async () => {
  [env, database] = await Promise.all([timeSkippingEnv(), pgliteDatabase()]);
  app = await buildApp({ ...baseDeps(), temporal: async () => env.client });
}, 60_000);

function baseDeps(): Omit<AppDeps, 'temporal'> {
  return {
    database,
    apiToken: token,
    log: pino({ level: 'silent' }),
    cipher: createCipher(`test:${Buffer.alloc(32, 7).toString('base64')}`),
    taskQueue: 'app-test',
    ...processPacing(database.db),
  };
}

afterAll(async () => {
  await app?.close();
  await database?.close();
  await env?.teardown();
});

describe('the HTTP API', () => {
  it('reports the database and Temporal healthy on /health without a token', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      checks: { database: { ok: true, detail: 'pglite' }, temporal: { ok: true, detail: 'default' } },
    });
  });

  it('answers 503 with the failing check when Temporal is unreachable', async () => {
    const broken = await buildApp({
      ...baseDeps(),
      temporal: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      },
    });
    const res = await broken.inject({ method: 'GET', url: '/health' });
    await broken.close();
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      status: 'degraded',
      checks: { database: { ok: true }, temporal: { ok: false, detail: 'connect ECONNREFUSED 127.0.0.1:1' } },
    });
  });

  it('serves its OpenAPI document', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/health');
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
  });

  it.each([
    ['a NUL in the store id', 'GET', '/stores/%00', undefined, 'params.id'],
    ['a control character in a store id', 'GET', '/stores/acme%01shop/documents', undefined, 'params.id'],
    ['a NUL in a query value', 'GET', '/stores/acme/documents?status=%00', undefined, 'query.status'],
    [
      'a NUL inside a settings string',
      'PUT',
      '/stores/acme/settings',
      { settings: { docNumberPrefix: 'SH\u0000' } },
      'body.settings.docNumberPrefix',
    ],
    ['a NUL in a JSON key', 'PUT', '/stores/acme/settings', { settings: { 'x\u0000': 1 } }, 'body.settings.x\u0000'],
    ['a vertical tab in a pause reason', 'POST', '/stores/acme/pause', { reason: 'holiday\u000b' }, 'body.reason'],
  ] as const)(
    'refuses %s with a 400 naming the field, before anything reaches the database',
    async (_name, method, url, payload, field) => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
        ...(payload ? { payload: JSON.stringify(payload) } : {}),
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'bad_request', details: { field } });
    },
  );

  it('lets tabs and line breaks through in free text (the request goes on to the store lookup)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/stores/no-such-store/pause',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ reason: 'closed\tfor the\r\nholidays' }),
    });
    expect(res.statusCode, res.body).toBe(404);
  });

  it.each([
    ['an array for a string', 'POST', '/stores', { shopDomain: ['x.myshopify.com'], shopifyAccessToken: 't', qbo: {} }, 'body.shopDomain'],
    ['a number for a string', 'POST', '/stores/acme/pause', { reason: 5 }, 'body.reason'],
    ['a string for an object', 'PUT', '/stores/acme/settings', '"fast"', 'body'],
  ] as const)(
    'refuses %s in a JSON body with 400 invalid_request naming the field (no coercion)',
    async (_name, method, url, payload, field) => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(Object.keys(res.json())).toEqual(['error']);
      expect(res.json().error).toMatchObject({ code: 'invalid_request', details: { field } });
      expect(res.json().error.details.issues).toContainEqual({ path: field, message: expect.any(String) });
    },
  );

  it.each([
    ['text', '/stores/acme/sync?wait=soon'],
    ['a hexadecimal number', '/stores/acme/sync?wait=0x5'],
    ['an exponent', '/stores/acme/sync?wait=5e0'],
    ['a repeated parameter', '/stores/acme/sync?wait=1&wait=2'],
    ['a negative number', '/stores/acme/sync?wait=-1'],
  ])('refuses %s for an integer query parameter with 400 naming it', async (_name, url) => {
    const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_request', details: { field: 'querystring.wait' } });
  });

  it('takes plain decimal digits for an integer query parameter (the request goes on to the store lookup)', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/stores/no-such-store/documents?limit=10',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode, res.body).toBe(404);
  });

  it('answers over-long ids with 400 naming the field and its maximum, in the one error shape', async () => {
    const long = await app.inject({ method: 'GET', url: `/stores/${'a'.repeat(300)}`, headers: { authorization: `Bearer ${token}` } });
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toMatchObject({
      code: 'invalid_request',
      message: 'params/id must NOT have more than 255 characters',
      details: { field: 'params.id' },
    });
    const huge = await app.inject({
      method: 'GET',
      url: `/stores/${'a'.repeat(5000)}/documents`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(huge.statusCode).toBe(400);
    expect(huge.json()).toEqual({ error: { code: 'invalid_request', message: 'A path segment (a store id or another id) is too long' } });
  });

  it.each([
    ['a resync instant', 'POST', '/stores/acme/resync', { from: `2026-01-01T00:00:00${'0'.repeat(100)}Z` }, 'body.from', 64],
    ['a documents status filter', 'GET', `/stores/acme/documents?status=${'synced,'.repeat(40)}`, undefined, 'querystring.status', 200],
    ['a connect start date', 'POST', '/stores', { shopDomain: 'a.myshopify.com', startDate: '2026-01-01'.repeat(5) }, 'body.startDate', 32],
    ['a sync status id', 'GET', `/stores/acme/syncs/${'u'.repeat(256)}`, undefined, 'params.updateId', 255],
  ] as const)('refuses an over-long %s with 400 naming the field and its maxLength', async (_name, method, url, payload, field, max) => {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
      ...(payload ? { payload: JSON.stringify(payload) } : {}),
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('invalid_request');
    expect(res.json().error.details.issues).toContainEqual({ path: field, message: `must NOT have more than ${max} characters` });
  });

  it("answers Fastify's own refusals in the one error shape with stable codes", async () => {
    const headers = { authorization: `Bearer ${token}` };
    const badJson = await app.inject({
      method: 'POST',
      url: '/stores',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '{"shopDomain":',
    });
    const wrongType = await app.inject({
      method: 'POST',
      url: '/stores',
      headers: { ...headers, 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    const badUrl = await app.inject({ method: 'GET', url: '/stores/%E0%A4%A', headers });
    expect([badJson, wrongType, badUrl].map((r) => [r.statusCode, r.json().error.code, Object.keys(r.json())])).toEqual([
      [400, 'invalid_json', ['error']],
      [415, 'unsupported_media_type', ['error']],
      [400, 'bad_url', ['error']],
    ]);
  });

  it('answers an unknown route with the uniform error body', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No route GET /nope' } });
  });
});
