/** `npm run api`: the HTTP API role alone (needs a worker somewhere polling the same task queue). */
import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { startSystem } from './system';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config, 'ledgerline-api');
  const system = await startSystem({ config, log, roles: { worker: false, api: true }, embeddedTemporal: false });
  log.info({ url: system.apiUrl }, 'API listening');
  const stop = async () => {
    await system.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
