/**
 * `npm run setup` (also run before `npm start` and `npm test`): makes sure the Temporal CLI (unless
 * TEMPORAL_ADDRESS names a cluster) and, with --test, the time-skipping test server are present, using
 * the lookup order in temporal/tools.ts. Idempotent and quick once cached.
 */
import { ConfigError, loadConfig } from '../config';
import { ensureTemporalCli, ensureTestServer, temporalCliVersion } from '../temporal/tools';

async function main(): Promise<void> {
  const forTests = process.argv.includes('--test');
  const config = loadConfig({ ...process.env, ...(forTests ? { NODE_ENV: 'test' } : {}) });
  if (!config.temporal.address || forTests) {
    const cli = await ensureTemporalCli({
      cliPath: config.temporal.cliPath,
      cacheDir: config.cacheDir,
      log: (m) => console.error(`[setup] ${m}`),
    });
    console.error(`[setup] Temporal CLI (${cli.source}): ${cli.path} — ${temporalCliVersion(cli.path).split('\n')[0]}`);
  } else {
    console.error(`[setup] TEMPORAL_ADDRESS=${config.temporal.address}: no local Temporal server needed`);
  }
  if (forTests) {
    const ts = ensureTestServer(config.cacheDir);
    console.error(`[setup] time-skipping test server (${ts.source}): ${ts.path}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
