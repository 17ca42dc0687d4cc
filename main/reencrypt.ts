/**
 * `npm run secrets:reencrypt`: re-encrypts every stored credential under the first key of
 * LEDGERLINE_ENCRYPTION_KEYS and prints what still names an older key (services/secrets.ts). Exits 1
 * while anything does, so a rotation script can stop before dropping the old key.
 */
import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { createCipher, resolveSecrets } from '../config/secrets';
import { databaseOptionsFromConfig, openDatabase } from '../db/client';
import { reencryptCredentials } from '../services/secrets';

async function main(): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config, 'secrets:reencrypt');
  const cipher = createCipher(resolveSecrets(config).encryptionKeys);
  const database = await openDatabase(databaseOptionsFromConfig(config));
  try {
    await database.migrate();
    const report = await reencryptCredentials(database.db, cipher);
    log.info(
      {
        currentKeyId: report.currentKeyId,
        stores: report.stores,
        reencrypted: report.reencrypted,
        alreadyCurrent: report.current,
        connectsInProgress: report.staged,
      },
      'credentials re-encrypted',
    );
    for (const r of report.remaining) log.error(r, 'a credential still names an older key');
    for (const r of report.remainingStaged) log.error(r, 'a connect in progress still holds a secret under an older key');
    const left = report.remaining.length + report.remainingStaged.length;
    if (left === 0) log.info(`nothing names a key other than "${report.currentKeyId}": older keys can be dropped`);
    return left === 0 ? 0 : 1;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
