/** `npm run worker`: the worker role alone, from compiled code with the prebuilt workflow bundle. */
import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { startSystem } from './system';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config, 'ledgerline-worker');
  if (!config.databaseUrl)
    log.warn('DATABASE_URL is unset: PGlite is embedded in one process; run the worker and API together with npm start, or use PostgreSQL');
  const system = await startSystem({ config, log, roles: { worker: true, api: false }, embeddedTemporal: false });
  const stop = async () => {
    await system.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  await system.workerDone;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
