/**
 * `npm start`: the whole system in the foreground on embedded defaults — the Temporal dev server with
 * its Web UI (unless TEMPORAL_ADDRESS), the database (PGlite unless DATABASE_URL), the worker and the
 * API. With LEDGERLINE_DEMO=1 it also starts both API emulators with a generated shop and connects it.
 * Ctrl-C (or SIGTERM) shuts everything down in order: API, worker (drains), Temporal, database.
 */
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config';
import { createLogger } from '../config/logger';
import { startDemo, type Demo } from '../demo';
import { startSystem } from './system';

async function main(): Promise<void> {
  let config: Config;
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

  // Demo mode: the emulators come first, and the system is configured to call them.
  let demo: Demo | undefined;
  if (config.demo.enabled) {
    demo = await startDemo(config, log);
    config = demo.config;
  }
  let system;
  try {
    system = await startSystem({ config, log, roles: { worker: true, api: true }, embeddedTemporal: true });
  } catch (err) {
    await demo?.close();
    throw err;
  }

  let stopping = false;
  const demoStarting = new AbortController();
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    demoStarting.abort();
    await system.stop();
    // After the worker has drained: its last activities may still be talking to the emulators.
    await demo?.close();
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
    `  API           ${system.apiUrl}   (Authorization: Bearer ${config.api.token ? '<LEDGERLINE_API_TOKEN>' : `see ${path.relative(process.cwd(), path.join(config.dataDir, 'dev-secrets.json'))}`})`,
    `  OpenAPI docs  ${system.apiUrl}/docs`,
    `  Console       ${system.apiUrl}/console   (sign in with the API token${config.api.consolePassword ? ' or LEDGERLINE_CONSOLE_PASSWORD' : ''})`,
    `  Health        ${system.apiUrl}/health`,
    `  Temporal      ${system.temporalAddress}${system.temporalUiUrl ? `   UI ${system.temporalUiUrl}` : ''}`,
    `  Database      ${system.database.kind}`,
    'Press Ctrl-C to stop.',
    '',
  ];
  log.info(lines.join('\n'));

  if (demo) {
    await demo.connect(system, demoStarting.signal).catch((err: unknown) => {
      if (!stopping) log.error({ err }, `the demo could not connect its store: ${(err as Error).message}`);
    });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
