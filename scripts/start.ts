/**
 * `npm start`: the whole system in the foreground on embedded defaults — the Temporal dev server with
 * its Web UI (unless TEMPORAL_ADDRESS), the database (PGlite unless DATABASE_URL), the worker and the
 * API. With LEDGERLINE_DEMO=1 it also starts both API emulators with a generated shop and connects it.
 * Ctrl-C (or SIGTERM) shuts everything down in order: API, worker (drains), Temporal, database.
 */
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { startSystem } from '../worker/system';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config);
  const system = await startSystem({ config, log, roles: { worker: true, api: true }, embeddedTemporal: true });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await system.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  void system.workerDone?.catch((err: unknown) => {
    log.fatal({ err }, 'worker crashed');
    void shutdown('worker-crash');
  });

  const lines = [
    '',
    'Ledgerline is running.',
    `  API           ${system.apiUrl}   (Authorization: Bearer ${config.api.token ? '<LEDGERLINE_API_TOKEN>' : 'see .data/dev-secrets.json'})`,
    `  OpenAPI docs  ${system.apiUrl}/docs`,
    `  Health        ${system.apiUrl}/health`,
    `  Temporal      ${system.temporalAddress}${system.temporalUiUrl ? `   UI ${system.temporalUiUrl}` : ''}`,
    `  Database      ${system.database.kind}`,
    'Press Ctrl-C to stop.',
    '',
  ];
  log.info(lines.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
