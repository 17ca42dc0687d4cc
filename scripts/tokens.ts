/**
 * `npm run tokens -- create|list|revoke …`: scoped API tokens on the configured database (DATABASE_URL, or
 * the PGlite database under the data dir). See scripts/tokens/command.ts for the commands, README
 * "API tokens and the audit log" for what a token may do.
 *
 * PGlite is one process's database: on it, run this while Ledgerline is stopped. Its open database leaves
 * `postmaster.pid` in its folder, and this command refuses to open one that has it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { databaseOptionsFromConfig, openDatabase } from '../db/client';
import { tokensCommand, TOKENS_USAGE, UsageError } from './tokens/command';

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(TOKENS_USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const config = loadConfig();
  const options = databaseOptionsFromConfig(config);
  if ('pgliteDir' in options && options.pgliteDir && fs.existsSync(path.join(options.pgliteDir, 'postmaster.pid'))) {
    console.error(
      `The PGlite database in ${options.pgliteDir} is open in another process (Ledgerline is running?): stop it and try again. ` +
        'PGlite serves one process; with PostgreSQL (DATABASE_URL) tokens can be managed while Ledgerline runs. ' +
        '(If nothing is running, the file postmaster.pid there is left from a crash: start and stop Ledgerline once.)',
    );
    return 1;
  }
  const database = await openDatabase(options);
  try {
    await database.migrate();
    return await tokensCommand(database.db, argv, { out: (l) => console.log(l), err: (l) => console.error(l) });
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${TOKENS_USAGE}`);
      return 2;
    }
    throw err;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
