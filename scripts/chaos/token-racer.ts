/**
 * One side of the chaos suite's token race (docs/CHAOS.md, "token-race"): a process of its own that asks for the
 * store's QBO access token through the very code a worker's activities use (`createTokenProvider` over PostgreSQL's
 * per-realm advisory lock), as a worker does after QBO answered 401: the current token is "rejected", so it must be
 * replaced unless another process already did. Two of these are started together with the same `--at`; each waits
 * for that instant, asks, and prints one JSON line: its pid, when it asked and got an answer, whether it refreshed
 * itself, and a fingerprint of the token it got (never the token). Environment: the worker's (DATABASE_URL,
 * LEDGERLINE_ENCRYPTION_KEYS, QBO_TOKEN_URL).
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { createLogger } from '../../config/logger';
import { createCipher, resolveSecrets } from '../../config/secrets';
import { databaseOptionsFromConfig, openDatabase } from '../../db/client';
import { qboCredentialStore } from '../../db/queries/credentials';
import { createTokenProvider } from '../../integrations/qbo/tokens';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { store: { type: 'string' }, at: { type: 'string' } } });
  const storeId = values.store;
  const at = Number(values.at);
  if (!storeId || !Number.isFinite(at)) throw new Error('usage: token-racer --store <id> --at <epoch ms>');
  const config = loadConfig();
  const cipher = createCipher(resolveSecrets(config).encryptionKeys);
  const database = await openDatabase(databaseOptionsFromConfig(config));
  try {
    const store = qboCredentialStore(database.db);
    let refreshed = false;
    const log = createLogger(config, 'token-racer');
    const tokens = createTokenProvider({
      store,
      cipher,
      clock: () => new Date(),
      // The provider logs 'qbo tokens refreshed' when it called Intuit itself (not when it used another's token).
      logger: new Proxy(log, {
        get(target, prop, receiver) {
          if (prop === 'info')
            return (obj: unknown, msg?: string) => {
              if (msg === 'qbo tokens refreshed') refreshed = true;
            };
          return Reflect.get(target, prop, receiver) as unknown;
        },
      }),
      storeId,
      ...(config.qbo.tokenUrl ? { tokenUrl: config.qbo.tokenUrl } : {}),
    });
    // The stored token is read at the instant, not before the wait: a worker may still replace it meanwhile.
    await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
    const row = await store.read(storeId);
    if (!row?.accessTokenEnc) throw new Error(`store ${storeId} has no access token stored`);
    const rejected = cipher.decrypt(row.accessTokenEnc);
    const asked = Date.now();
    const token = await tokens.accessToken({ rejected });
    const answered = Date.now();
    const fingerprint = createHash('sha256').update(token).digest('hex').slice(0, 12);
    console.log(JSON.stringify({ pid: process.pid, asked, answered, refreshed, fingerprint, changed: token !== rejected }));
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
