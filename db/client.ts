/**
 * Database access: PostgreSQL when DATABASE_URL is set, else embedded PGlite (real PostgreSQL compiled
 * to WASM, in-process) persisted under the data dir. The same drizzle migrations serve both.
 */
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { repoRoot } from '../config/paths';
import { ensurePrivateDir } from '../config/private-files';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Applies pending migrations (idempotent). */
  migrate(): Promise<void>;
  /** Round-trips a query; throws when the database is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(repoRoot, 'db', 'migrations');

export type DatabaseOptions =
  | { url: string; poolSize?: number; onIdleError?: (err: Error) => void }
  /** `dataDir` undefined → in-memory PGlite (tests). */
  | { pgliteDir: string | undefined };

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if ('url' in opts) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // An idle connection the server drops (a PostgreSQL restart, an admin's pg_terminate_backend, a network cut)
    // makes the pool emit 'error'; without a listener Node treats that as an uncaught exception and the process
    // dies. The pool has already discarded the client and opens a new one on the next query, so the error is
    // reported, not fatal (node-postgres, "Pool" → "events" → 'error': https://node-postgres.com/apis/pool#error).
    pool.on('error', (err) => (opts.onIdleError ?? reportIdleError)(err));
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      migrate: () => migratePg(drizzlePg(pool), { migrationsFolder }),
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: () => pool.end(),
    };
  }
  // Owner-only: PGlite writes its files with the process umask (config/private-files.ts).
  if (opts.pgliteDir) ensurePrivateDir(opts.pgliteDir);
  const client = opts.pgliteDir ? new PGlite(opts.pgliteDir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    migrate: () => migratePglite(drizzlePglite(client), { migrationsFolder }),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
  };
}

function reportIdleError(err: Error): void {
  process.stderr.write(`PostgreSQL dropped an idle connection (the pool reconnects on the next query): ${err.message}\n`);
}

/** The database the configuration names: DATABASE_URL, or PGlite under `<dataDir>/pglite`. */
export function databaseOptionsFromConfig(config: { databaseUrl: string | undefined; dataDir: string }): DatabaseOptions {
  return config.databaseUrl ? { url: config.databaseUrl } : { pgliteDir: path.join(config.dataDir, 'pglite') };
}
