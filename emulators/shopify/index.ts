// startShopifyEmulator: a local Shopify Admin GraphQL API (2026-10) over HTTP, for tests, the demo
// and benchmarks. Reached only through @shopify/admin-api-client (docs/shopify-facts.md §3).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ShopifyAdmin } from './admin';
import { MAX_QUERY_COST } from './cost';
import type { AppOptions } from './oauth';
import { EmulatorCore, type Logger } from './emulator';
import type { FaultRule } from './faults';
import { loadState, saveState } from './persist';
import { DEFAULT_API_VERSION, loadAdminSchema } from './schema';
import { applySeed, planSeed, readSeedDir, seededShopToken } from './seed';
import { requestListener } from './server';
import type { ShopOptions } from './state';
import { DEFAULT_WEBHOOK_RETRY, type WebhookRetryOptions } from './webhooks';

export type { ShopOptions } from './state';
export { SeedError } from './seed';
export type { FaultRule } from './faults';
export type { RefundRequest } from './refund-ops';
export type { RequestLogEntry, Logger } from './emulator';
export type { DeliveryRecord } from './webhooks';
export { ShopifyAdmin } from './admin';
export { loadAdminSchema } from './schema';
export { webhookHmac } from './webhooks';
export { oauthHmac, type AppOptions } from './oauth';

export interface ShopifyEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  shops?: ShopOptions[];
  /** false turns the cost bucket off (costs are still reported). */
  throttling?: boolean;
  /** Single-query cost limit, 1000 as on Shopify; raise it only to inspect what a too-costly query returns. */
  maxQueryCost?: number;
  /** The app's client secret: key of X-Shopify-Hmac-SHA256. */
  webhookSecret?: string;
  /** Apps the install flow knows (oauth.ts); unset: one app, DEFAULT_APP_CLIENT_ID with the webhook secret as its secret. */
  apps?: AppOptions[];
  webhookRetry?: Partial<WebhookRetryOptions>;
  faults?: FaultRule[];
  seedDir?: string;
  stateFile?: string;
  /** Seed of the fault-injection PRNG. */
  seed?: number;
  clock?: () => Date;
  logger?: Logger;
  bulkStepMs?: number;
  saveIntervalMs?: number;
}

export interface ShopifyEmulator {
  url: string;
  port: number;
  webhookSecret: string;
  /** The first app's client id and secret (the install flow, /admin/oauth/…). */
  clientId: string;
  clientSecret: string;
  admin: ShopifyAdmin;
  close(): Promise<void>;
}

export const DEFAULT_SHOP: ShopOptions = { domain: 'ledgerline-demo.myshopify.com', accessToken: 'shpat_ledgerline_emulator' };
export const DEFAULT_WEBHOOK_SECRET = 'ledgerline-emulator-client-secret';
export const DEFAULT_APP_CLIENT_ID = 'ledgerline-emulator-client-id';

export async function startShopifyEmulator(opts: ShopifyEmulatorOptions = {}): Promise<ShopifyEmulator> {
  loadAdminSchema(DEFAULT_API_VERSION); // fail at start, with the setup hint, if the schema is missing
  const webhookSecret = opts.webhookSecret ?? DEFAULT_WEBHOOK_SECRET;
  const core = new EmulatorCore({
    clock: opts.clock ?? (() => new Date()),
    seed: opts.seed ?? 1,
    throttling: opts.throttling ?? true,
    maxQueryCost: opts.maxQueryCost ?? MAX_QUERY_COST,
    webhookSecret,
    webhookRetry: { ...DEFAULT_WEBHOOK_RETRY, ...opts.webhookRetry },
    faults: opts.faults ?? [],
    bulkStepMs: opts.bulkStepMs ?? 20,
    logger: opts.logger,
  });
  const shops = opts.shops?.length ? opts.shops : [DEFAULT_SHOP];
  const apps = opts.apps?.length ? opts.apps : [{ clientId: DEFAULT_APP_CLIENT_ID, clientSecret: webhookSecret, name: 'Ledgerline' }];
  for (const app of apps) core.oauth.registerApp(app);
  const initialise = (): void => {
    core.shops.clear();
    core.requestLog.length = 0;
    core.faults.clear();
    core.faults.add(opts.faults ?? []);
    core.oauth.reset();
    for (const s of shops) core.createShop(s);
    if (!opts.seedDir) return;
    const { folders, skipped } = readSeedDir(opts.seedDir);
    const plan = planSeed(
      folders,
      shops.map((s) => s.domain),
    );
    for (const seeded of plan.shops) {
      let target = core.shop(seeded.domain);
      if (!target) {
        // A shop the seed names and the options do not: its own shop, reached with the seed's token.
        const accessToken = seeded.accessToken ?? seededShopToken(seeded.domain);
        target = core.createShop({ domain: seeded.domain, accessToken });
        opts.logger?.info({ emulator: 'shopify', shop: seeded.domain, accessToken }, 'shop created from the seed folder');
      }
      for (const b of seeded.bundles) applySeed(target, b);
    }
    for (const warning of plan.warnings) opts.logger?.warn({ emulator: 'shopify', seedDir: opts.seedDir }, warning);
    if (skipped.length) opts.logger?.info({ emulator: 'shopify', skipped }, 'seed files without Shopify data skipped');
  };
  if (!opts.stateFile || !loadState(core, opts.stateFile)) initialise();
  const admin = new ShopifyAdmin(core, initialise);

  const server = http.createServer(requestListener(core, admin));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  core.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const saver = opts.stateFile ? setInterval(() => saveState(core, opts.stateFile!), opts.saveIntervalMs ?? 5000) : undefined;
  saver?.unref();

  return {
    url: core.baseUrl,
    port,
    webhookSecret,
    clientId: apps[0]!.clientId,
    clientSecret: apps[0]!.clientSecret,
    admin,
    close: async () => {
      if (saver) clearInterval(saver);
      core.close();
      if (opts.stateFile) saveState(core, opts.stateFile);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
