/**
 * `npm run emulators -- [--seed <dir>] [--shopify-port 4001] [--qbo-port 4002] [--state-dir <dir>]`:
 * both local API emulators in the foreground. A seed folder may hold Shopify objects (orders,
 * payouts, balance transactions, products) and QBO company files side by side; each emulator takes
 * the files it understands (emulators/shopify/README.md, emulators/qbo/README.md).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startQboEmulator } from '../emulators/qbo';
import { startShopifyEmulator } from '../emulators/shopify';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      'shopify-port': { type: 'string', default: '4001' },
      'qbo-port': { type: 'string', default: '4002' },
      'state-dir': { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const port = (name: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number (0-65535), got "${v}"`);
    return n;
  };
  const seedDir = values.seed ? path.resolve(values.seed) : undefined;
  const stateDir = values['state-dir'] ? path.resolve(values['state-dir']) : undefined;
  const shopify = await startShopifyEmulator({
    host: values.host,
    port: port('shopify-port', values['shopify-port']),
    ...(seedDir ? { seedDir } : {}),
    ...(stateDir ? { stateFile: path.join(stateDir, 'shopify-state.json') } : {}),
  });
  const qbo = await startQboEmulator({
    host: values.host,
    port: port('qbo-port', values['qbo-port']),
    ...(seedDir ? { seedDir } : {}),
    ...(stateDir ? { stateFile: path.join(stateDir, 'qbo-state.json') } : {}),
  });
  console.log(
    [
      'Emulators running:',
      `  Shopify Admin GraphQL  ${shopify.url}/admin/api/2026-10/graphql.json   admin: ${shopify.url}/_emulator/`,
      `  QuickBooks Online v3   ${qbo.v3Endpoint}   OAuth: ${qbo.tokenUrl}   admin: ${qbo.url}/_emulator/`,
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
  const stop = async () => {
    await Promise.all([shopify.close(), qbo.close()]);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
