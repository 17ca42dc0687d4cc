/**
 * A PostgreSQL connection dropped while idle in the pool (a server restart, pg_terminate_backend) must not kill
 * the process: node-postgres emits 'error' on the pool, and an EventEmitter 'error' with no listener throws.
 */
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../db/client';
import { postgresDatabase, TEST_DATABASE_URL } from '../support/db';

let scratch: Database & { url: string };

beforeAll(async () => {
  scratch = await postgresDatabase();
});

afterAll(async () => {
  await scratch?.close();
});

async function terminateOthers(url: string): Promise<number> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    const dbName = new URL(url).pathname.slice(1);
    const res = await admin.query<{ n: number }>(
      `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
      [dbName],
    );
    return res.rows[0]!.n;
  } finally {
    await admin.end();
  }
}

describe('the PostgreSQL pool', () => {
  it('reports an idle connection the server dropped and answers the next query on a new one', async () => {
    const reported: Error[] = [];
    const database = await openDatabase({ url: scratch.url, poolSize: 2, onIdleError: (err) => reported.push(err) });
    try {
      await database.ping(); // one idle connection in the pool now
      expect(await terminateOthers(scratch.url)).toBeGreaterThanOrEqual(1);
      // The server's goodbye reaches the idle client asynchronously.
      for (let i = 0; i < 50 && reported.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(reported.length).toBeGreaterThanOrEqual(1);
      expect(reported[0]!.message).toMatch(/terminat/i);
      const res = (await database.db.execute(sql`select 1 as one`)) as unknown as { rows: Array<{ one: number }> };
      expect(res.rows[0]).toEqual({ one: 1 });
    } finally {
      await database.close();
    }
  });

  it('without a handler of its own the pool still survives: the default report goes to stderr, not a crash', async () => {
    const database = await openDatabase({ url: scratch.url, poolSize: 2 });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      await database.ping();
      expect(await terminateOthers(scratch.url)).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(uncaught).toEqual([]);
      await database.ping();
    } finally {
      process.off('uncaughtException', onUncaught);
      await database.close();
    }
  });
});
