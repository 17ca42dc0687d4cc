/**
 * Real databases for tests: in-memory PGlite, and a throwaway database on the PostgreSQL server that
 * `.ci/run` (scripts/setup-postgres.sh) starts. PostgreSQL tests fail, never skip, when it is missing.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../db/client';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://ledgerline:ledgerline@127.0.0.1:5432/ledgerline';

export async function pgliteDatabase(): Promise<Database> {
  const database = await openDatabase({ pgliteDir: undefined });
  await database.migrate();
  return database;
}

/** A fresh PostgreSQL database (created, migrated); close() drops it. `url` reaches it from other processes. */
export async function postgresDatabase(): Promise<Database & { url: string }> {
  const name = `ledgerline_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_DATABASE_URL} (${(err as Error).message}). Run: sudo bash scripts/setup-postgres.sh`,
    );
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: 5 });
  await database.migrate();
  return {
    ...database,
    url: url.toString(),
    async close() {
      await database.close();
      await dropDatabase(name);
    },
  };
}

/**
 * `drop database … with (force)` terminates every session on the database first, and refuses with 42501
 * when one of them is an autovacuum worker and the role is not in `pg_signal_backend` (PostgreSQL 15
 * checks the worker's role, which is none). setup-postgres.sh grants that role; on a server where it
 * was not granted, the worker is gone a moment later, so the drop is tried again.
 */
async function dropDatabase(name: string): Promise<void> {
  const a = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await a.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await a.query(`drop database if exists ${name} with (force)`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '42501' || attempt >= 10) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await a.end();
  }
}

export const databaseKinds = [
  ['PGlite', pgliteDatabase],
  ['PostgreSQL', postgresDatabase],
] as const;
