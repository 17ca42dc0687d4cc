/**
 * Demo mode (`LEDGERLINE_DEMO=1 npm start`): both API emulators run in this process with a generated
 * shop and a QBO company; Ledgerline's configuration is pointed at them; once the API listens the shop
 * is connected through `POST /stores`, its order webhooks are subscribed to `/webhooks/shopify`, and
 * the log says where to watch it sync. Nothing here is used outside the demo.
 */
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import { connectDemoStore } from './connect';
import { startDemoEmulators, type DemoEmulators } from './emulators';
import { demoGuide } from './guide';
import { DEMO_COMPANY_NAME, DEMO_SHOPIFY_TOKEN } from './manifest';
import type { ShopifyPacer } from '../integrations/shopify/pacer';
import { DEMO_WEBHOOK_TOPICS, dropStaleSubscriptions, subscribeWebhooks } from './webhooks';

/** QBO access tokens live an hour, refresh tokens 101 days (docs/qbo-facts.md §3; the emulator does the same). */
const ACCESS_TOKEN_TTL_MS = 3_600_000;
const REFRESH_TOKEN_TTL_MS = 8_726_400_000;

export interface RunningSystemView {
  apiUrl: string | undefined;
  apiToken: string;
  temporalUiUrl: string | undefined;
  /** The process's Shopify pacer: the demo's own Shopify calls share its cost bucket. */
  pacer: ShopifyPacer;
}

export interface Demo {
  emulators: DemoEmulators;
  /** The configuration with every Shopify and QBO endpoint (and the webhook secret) pointing at the emulators. */
  config: Config;
  /** After the API listens: connects the store over HTTP, subscribes its webhooks, logs the guide. Returns the store id. */
  connect(system: RunningSystemView, signal?: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

function webhookCallback(config: Config): string {
  // The emulator delivers from this machine; a wildcard listen address is reached through loopback.
  const host = ['0.0.0.0', '::', '[::]'].includes(config.api.host) ? '127.0.0.1' : config.api.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.api.port}/webhooks/shopify`;
}

export async function startDemo(config: Config, log: Logger): Promise<Demo> {
  const dlog = log.child({ component: 'demo' });
  const emulators = await startDemoEmulators({
    dataDir: config.dataDir,
    orders: config.demo.orders,
    days: config.demo.days,
    shopifyPort: config.demo.shopifyPort,
    qboPort: config.demo.qboPort,
    webhookSecret: config.shopify.webhookSecret,
    qboTimeScale: config.qbo.limitsTimeScale,
    log: dlog,
  });
  const { shopify, qbo, manifest } = emulators;
  if (config.shopify.apiBaseUrl || config.qbo.endpoint || config.qbo.tokenUrl) {
    dlog.warn('demo mode: SHOPIFY_API_BASE_URL / QBO_API_ENDPOINT / QBO_TOKEN_URL are replaced by the demo emulators');
  }
  const demoConfig: Config = {
    ...config,
    shopify: { ...config.shopify, apiBaseUrl: shopify.url, webhookSecret: shopify.webhookSecret },
    qbo: { ...config.qbo, endpoint: qbo.v3Endpoint, tokenUrl: qbo.tokenUrl },
  };

  return {
    emulators,
    config: demoConfig,
    async connect(system, signal) {
      if (!system.apiUrl) throw new Error('demo mode needs the API role in this process');
      const tokens = qbo.admin.issueTokens(manifest.realmId);
      const now = qbo.admin.clock.now();
      const { storeId, created } = await connectDemoStore({
        apiUrl: system.apiUrl,
        apiToken: system.apiToken,
        log: dlog,
        ...(signal ? { signal } : {}),
        body: {
          shopDomain: manifest.shopDomain,
          shopifyAccessToken: DEMO_SHOPIFY_TOKEN,
          qbo: {
            realmId: manifest.realmId,
            clientId: qbo.clientId,
            clientSecret: qbo.clientSecret,
            accessToken: tokens.accessToken,
            refreshToken: tokens.refreshToken,
            accessTokenExpiresAt: new Date(now + ACCESS_TOKEN_TTL_MS).toISOString(),
            refreshTokenExpiresAt: new Date(now + REFRESH_TOKEN_TTL_MS).toISOString(),
          },
        },
      });
      dlog.info({ storeId }, created ? 'demo store connected: its first sync is running' : 'demo store was already connected: resuming');

      const callbackUrl = webhookCallback(config);
      const dropped = dropStaleSubscriptions(shopify, manifest.shopDomain, callbackUrl);
      const subs = await subscribeWebhooks({
        apiBaseUrl: shopify.url,
        shopDomain: manifest.shopDomain,
        accessToken: DEMO_SHOPIFY_TOKEN,
        callbackUrl,
        topics: DEMO_WEBHOOK_TOPICS,
        log: dlog,
        pacer: system.pacer,
      });
      dlog.info({ callbackUrl, ...subs, dropped }, 'demo shop webhooks subscribed');

      const unpaid = [...shopify.admin.shop(manifest.shopDomain).orders.values()].find(
        (o) => ['PENDING', 'AUTHORIZED'].includes(String(o.displayFinancialStatus)) && !o.cancelledAt && !o.test,
      );
      dlog.info(
        demoGuide({
          apiUrl: system.apiUrl,
          tokenFromEnv: Boolean(config.api.token),
          dataDir: config.dataDir,
          storeId,
          shopDomain: manifest.shopDomain,
          orders: manifest.orders,
          days: manifest.days,
          companyName: DEMO_COMPANY_NAME,
          realmId: manifest.realmId,
          shopifyUrl: shopify.url,
          qboUrl: qbo.url,
          temporalUiUrl: system.temporalUiUrl,
          namespace: config.temporal.namespace,
          unpaidOrder: unpaid ? { id: String(unpaid.legacyResourceId), name: String(unpaid.name) } : undefined,
        }),
      );
      return storeId;
    },
    close: () => emulators.close(),
  };
}
