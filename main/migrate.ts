/** `npm run db:migrate`: applies pending migrations to the configured database, then exits. */
import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { databaseOptionsFromConfig, openDatabase } from '../db/client';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config, 'db:migrate');
  const database = await openDatabase(databaseOptionsFromConfig(config));
  try {
    await database.migrate();
    log.info({ kind: database.kind }, 'migrations applied');
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
