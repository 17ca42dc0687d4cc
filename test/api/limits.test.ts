/**
 * Rate limits and log redaction (issue #13 defect 10), through Fastify's inject on real PGlite.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { buildApp, type AppDeps } from '../../api/app';
import { createCipher } from '../../config/secrets';
import type { Database } from '../../db/client';
import { processPacing } from '../support/app';
import { pgliteDatabase } from '../support/db';

const token = 'test-token-0123456789abcdef';
let database: Database;

beforeAll(async () => {
  database = await pgliteDatabase();
}, 60_000);

afterAll(async () => {
  await database?.close();
});

function deps(overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    database,
    apiToken: token,
    log: pino({ level: 'silent' }),
    cipher: createCipher(`test:${Buffer.alloc(32, 7).toString('base64')}`),
    taskQueue: 'limits-test',
    temporal: async () => {
      throw new Error('Temporal is not needed here');
    },
    ...processPacing(database.db),
    ...overrides,
  };
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('rate limits', () => {
  it('refuses an address with 429 and Retry-After after too many wrong tokens, even when it then sends the right one', async () => {
    const app = await buildApp(deps({ rateLimits: { authFailuresMax: 5 } }));
    try {
      const wrong = [];
      for (let i = 0; i < 5; i++) wrong.push(await app.inject({ method: 'GET', url: '/stores', headers: bearer(`guess-${i}`) }));
      expect(wrong.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401]);

      const blocked = await app.inject({ method: 'GET', url: '/stores/nope', headers: bearer(token) });
      expect(blocked.statusCode).toBe(429);
      const retryAfter = Number(blocked.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(blocked.json()).toEqual({
        error: {
          code: 'rate_limited',
          message: `Too many failed authentications from this address; retry in ${retryAfter} s`,
          details: { retryAfterSeconds: retryAfter },
        },
      });

      // Another address is not affected.
      const other = await app.inject({ method: 'GET', url: '/stores/nope', headers: bearer(token), remoteAddress: '10.0.0.7' });
      expect(other.statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('limits every route per address with 429 and Retry-After, the webhook receiver on its own budget', async () => {
    const app = await buildApp(deps({ rateLimits: { max: 3, webhookMax: 2 } }));
    try {
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await app.inject({ method: 'GET', url: '/stores/nope', headers: bearer(token) }));
      expect(answers.map((r) => r.statusCode)).toEqual([404, 404, 404, 429]);
      expect(Number(answers[3]!.headers['retry-after'])).toBeGreaterThan(0);
      expect(answers[3]!.json().error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/^Too many requests/) });
      // Public routes count too.
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(429);

      // The webhook receiver has its own budget (no secret configured here: 503 until the budget is spent).
      const hooks = [];
      for (let i = 0; i < 3; i++) hooks.push(await app.inject({ method: 'POST', url: '/webhooks/shopify', payload: '{}' }));
      expect(hooks.map((r) => r.statusCode)).toEqual([503, 503, 429]);
    } finally {
      await app.close();
    }
  });
});

describe('log redaction', () => {
  it('never writes a query-string secret to the log, and keeps the other query values', async () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'debug' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const app = await buildApp(deps({ log }));
    try {
      const res = await app.inject({
        method: 'GET',
        url: '/stores/nope/documents?access_token=SECRET-ONE&status=synced&token=SECRET-TWO&api_key=SECRET-THREE',
        headers: bearer(token),
      });
      // Refused (the route takes no such parameters), and logged with the URL as sent, minus the secrets.
      expect(res.statusCode).toBe(400);
      expect(res.body).not.toMatch(/SECRET/);
      const unknown = await app.inject({ method: 'GET', url: '/nowhere?token=SECRET-FOUR', headers: bearer(token) });
      expect(unknown.json().error.message).toBe('No route GET /nowhere?token=[redacted]');

      const text = lines.join('');
      expect(text).toContain('/stores/nope/documents?access_token=[redacted]&status=synced&token=[redacted]&api_key=[redacted]');
      expect(text).not.toMatch(/SECRET-(ONE|TWO|THREE|FOUR)/);
    } finally {
      await app.close();
    }
  });
});
