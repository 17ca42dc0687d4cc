/**
 * Configuration: every environment variable Ledgerline reads, validated once at start-up.
 * `.env.example` documents each one. Nothing else in the code base reads `process.env`.
 */
import path from 'node:path';
import { z } from 'zod';

const bool = z.enum(['1', '0', 'true', 'false', 'yes', 'no', '']).transform((v) => v === '1' || v === 'true' || v === 'yes');

const port = z.coerce.number().int().min(1).max(65535);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  LOG_PRETTY: bool.optional(),
  /** Where embedded state lives (PGlite database, Temporal dev-server history, generated dev secrets). */
  LEDGERLINE_DATA_DIR: z.string().min(1).default('.data'),
  /** Where downloaded/built tools are cached (Temporal CLI, test server, Shopify schema). */
  LEDGERLINE_CACHE_DIR: z.string().min(1).optional(),

  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  /** Bearer token required on every API route but /health. Generated into the data dir when unset (dev). */
  LEDGERLINE_API_TOKEN: z.string().min(16, 'LEDGERLINE_API_TOKEN must be at least 16 characters').optional(),
  /**
   * AES-256-GCM keys for credentials at rest: comma-separated `keyId:base64key` (32-byte keys), the
   * first encrypts, all decrypt (key rotation: prepend a new key, re-encrypt, drop the old one).
   * Generated into the data dir when unset (dev only).
   */
  LEDGERLINE_ENCRYPTION_KEYS: z.string().min(1).optional(),
  /** A password for the web console's sign-in (besides an API token); unset → tokens only. */
  LEDGERLINE_CONSOLE_PASSWORD: z.string().min(12, 'LEDGERLINE_CONSOLE_PASSWORD must be at least 12 characters').optional(),

  /** PostgreSQL connection string. Unset → embedded PGlite under LEDGERLINE_DATA_DIR/pglite. */
  DATABASE_URL: z.string().url('DATABASE_URL must be a postgres:// URL').optional(),

  /** An existing Temporal cluster (host:port). Unset → Ledgerline runs the Temporal CLI dev server. */
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('ledgerline'),
  /** Temporal Cloud / mTLS: client certificate and key files (PEM), optional server CA and SNI name. */
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** Temporal Cloud API key (implies TLS). */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  /** Explicit path to a `temporal` CLI binary for the embedded dev server. */
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  /** The Temporal Web UI the console links each run to. Unset → http://localhost:<TEMPORAL_UI_PORT> (the dev server's). */
  TEMPORAL_UI_URL: z.string().url('TEMPORAL_UI_URL must be a URL').optional(),
  /**
   * Worker sizing (README "Running a fleet"). Workflows kept in the worker's sticky cache: each cached one holds memory;
   * one evicted is replayed from its (bounded) history on its next task. A store's loop sleeps most of its interval, so
   * what the cache must hold is the workflows active at once (runs in progress, their loops), not every store.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(100_000).default(150),
  /** Activities one worker process runs at once (Shopify reads, QBO writes, database bookkeeping). */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(1_000).default(20),
  /** Workflow tasks one worker process runs at once. */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1_000).default(40),
  /**
   * Seconds between the worker's status lines (resident memory, V8 heap, cached workflows, tasks in flight) at info
   * level; 0 turns them off. What to watch when sizing a worker for a fleet.
   */
  WORKER_STATUS_LOG_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /**
   * QBO calls in flight per realm from this process. QBO allows 10 per realm in all; the per-minute windows are shared
   * through the database, this one is not: with N worker processes set floor(10 / N).
   */
  QBO_CONCURRENT_PER_REALM: z.coerce.number().int().min(1).max(10).default(10),

  /** Where Shopify Admin API calls go instead of https://<shop> (the emulator, e.g. http://127.0.0.1:4001). */
  SHOPIFY_API_BASE_URL: z.string().url('SHOPIFY_API_BASE_URL must be a URL').optional(),
  /** The Shopify app's client secret: webhook deliveries are verified with its HMAC-SHA256. Unset → webhooks are refused. */
  SHOPIFY_WEBHOOK_SECRET: z.string().min(1).optional(),
  /**
   * The app's previous client secret during a rotation: deliveries signed with it are still accepted
   * (Shopify can take up to an hour to sign with a new secret, docs/shopify-facts.md §4). Unset it after.
   */
  SHOPIFY_WEBHOOK_SECRET_PREVIOUS: z.string().min(1).optional(),
  /**
   * Per-shop client secrets, comma-separated `<handle>.myshopify.com:<secret>`: a store connected through
   * its own custom app has its own secret, and a shop listed here is verified with that secret only, so a
   * delivery signed for another shop cannot be replayed against it.
   */
  SHOPIFY_WEBHOOK_SECRETS: z.string().min(1).optional(),
  /** QBO v3 endpoint ending in /v3/company/ (sandbox: https://sandbox-quickbooks.api.intuit.com/v3/company/). Unset → production. */
  QBO_API_ENDPOINT: z.string().url('QBO_API_ENDPOINT must be a URL ending in /v3/company/').optional(),
  /** QBO OAuth token endpoint. Unset → Intuit's. */
  QBO_TOKEN_URL: z.string().url('QBO_TOKEN_URL must be a URL').optional(),
  /**
   * "Connect to QuickBooks" (docs/oauth.md): the Intuit app's OAuth 2.0 client id and secret (Keys & credentials
   * in the Intuit developer portal) and the redirect URI registered there (…/connect/qbo/callback). Unset → the
   * OAuth connect routes answer 503 and merchants paste tokens into POST /stores as before.
   */
  QBO_CLIENT_ID: z.string().min(1).optional(),
  QBO_CLIENT_SECRET: z.string().min(1).optional(),
  QBO_REDIRECT_URI: z.string().url('QBO_REDIRECT_URI must be a URL (…/connect/qbo/callback)').optional(),
  /** Intuit's authorize URL. Unset → https://appcenter.intuit.com/connect/oauth2 (the emulator's in tests). */
  QBO_AUTHORIZE_URL: z.string().url('QBO_AUTHORIZE_URL must be a URL').optional(),
  /** Intuit's token revocation URL. Unset → https://developer.api.intuit.com/v2/oauth2/tokens/revoke. */
  QBO_REVOKE_URL: z.string().url('QBO_REVOKE_URL must be a URL').optional(),
  /**
   * "Connect with Shopify" (docs/oauth.md): the Shopify app's client id (API key) and client secret, and the redirect
   * URL allowed for it (…/connect/shopify/callback). Unset → the Shopify connect routes answer 503 and merchants paste
   * a custom app's access token into POST /stores as before. The authorize and token endpoints are the shop's own
   * (https://<shop>/admin/oauth/…), or SHOPIFY_API_BASE_URL's when that is set (the emulator).
   */
  SHOPIFY_CLIENT_ID: z.string().min(1).optional(),
  SHOPIFY_CLIENT_SECRET: z.string().min(1).optional(),
  SHOPIFY_REDIRECT_URI: z.string().url('SHOPIFY_REDIRECT_URI must be a URL (…/connect/shopify/callback)').optional(),
  /** HMAC key (at least 32 characters) that signs the OAuth `state`. Unset → derived from the first encryption key. */
  LEDGERLINE_OAUTH_STATE_KEY: z.string().min(32, 'LEDGERLINE_OAUTH_STATE_KEY must be at least 32 characters').optional(),
  /**
   * Only for emulators run with a time scale (tests, benchmarks, the demo): QBO's per-minute windows and
   * its "wait 60 s after a 429" shrink by this factor; 0 turns Ledgerline's QBO pacing off (an emulator
   * without limits). Leave at 1 against the real QBO.
   */
  QBO_LIMITS_TIME_SCALE: z.coerce.number().min(0, 'QBO_LIMITS_TIME_SCALE must be 0 (off) or a positive number').default(1),

  /** Order webhooks for one shop within this many ms of its last nudge fold into one trailing nudge (0 = none folded). */
  LEDGERLINE_WEBHOOK_NUDGE_WINDOW_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),

  /** 1 = `npm start` also runs both emulators with a generated shop and QBO company, and connects them. */
  LEDGERLINE_DEMO: bool.optional(),
  LEDGERLINE_DEMO_ORDERS: z.coerce.number().int().min(1).max(20000).default(400),
  LEDGERLINE_DEMO_DAYS: z.coerce.number().int().min(1).max(3650).default(42),
  LEDGERLINE_DEMO_SHOPIFY_PORT: port.default(4001),
  LEDGERLINE_DEMO_QBO_PORT: port.default(4002),
});

export type Env = z.infer<typeof schema>;

export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  logPretty: boolean;
  dataDir: string;
  cacheDir: string;
  api: { host: string; port: number; token: string | undefined; consolePassword: string | undefined };
  encryptionKeys: string | undefined;
  databaseUrl: string | undefined;
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    tls: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string } | undefined;
    apiKey: string | undefined;
    cliPath: string | undefined;
    devPort: number;
    uiPort: number;
    /** The Temporal Web UI the console links runs to. */
    uiUrl: string;
    /** WORKER_MAX_CACHED_WORKFLOWS, WORKER_MAX_CONCURRENT_ACTIVITIES, WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, WORKER_STATUS_LOG_SECONDS. */
    worker: { maxCachedWorkflows: number; maxConcurrentActivities: number; maxConcurrentWorkflowTasks: number; statusLogSeconds: number };
  };
  shopify: {
    apiBaseUrl: string | undefined;
    webhookSecret: string | undefined;
    /** LEDGERLINE_WEBHOOK_NUDGE_WINDOW_MS (api/nudge-debounce.ts). */
    webhookNudgeWindowMs: number;
    webhookSecretPrevious: string | undefined;
    webhookSecrets: Record<string, string>;
    /** The Shopify app of the install flow (docs/oauth.md); undefined when SHOPIFY_CLIENT_ID is unset. */
    oauth: ShopifyOAuthConfig | undefined;
  };
  qbo: {
    endpoint: string | undefined;
    tokenUrl: string | undefined;
    limitsTimeScale: number;
    /** QBO_CONCURRENT_PER_REALM: calls in flight per realm from this process. */
    concurrentPerRealm: number;
    /** The OAuth connect flow's app (docs/oauth.md); undefined when QBO_CLIENT_ID is unset. */
    oauth: QboOAuthConfig | undefined;
  };
  oauthStateKey: string | undefined;
  demo: { enabled: boolean; orders: number; days: number; shopifyPort: number; qboPort: number };
}

export interface QboOAuthConfig {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  authorizeUrl: string | undefined;
  revokeUrl: string | undefined;
}

export interface ShopifyOAuthConfig {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `shop.myshopify.com:secret,…` → { domain: secret }; a malformed entry is a problem naming its position, never its secret. */
export function parseShopSecrets(spec: string | undefined, problems: string[]): Record<string, string> {
  const secrets: Record<string, string> = {};
  if (!spec) return secrets;
  spec.split(',').forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const domain = entry.slice(0, colon).trim().toLowerCase();
    const secret = entry.slice(colon + 1).trim();
    if (colon < 0 || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(domain) || !secret) {
      problems.push(`SHOPIFY_WEBHOOK_SECRETS: entry ${i + 1} must be <handle>.myshopify.com:<secret>`);
    } else if (secrets[domain] !== undefined) {
      problems.push(`SHOPIFY_WEBHOOK_SECRETS: ${domain} is listed twice`);
    } else {
      secrets[domain] = secret;
    }
  });
  return secrets;
}

/** Parses and validates the environment. Throws ConfigError listing every bad variable at once. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" (docker-compose passes `VAR=` for optional values).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (Boolean(e.TEMPORAL_TLS_CERT_PATH) !== Boolean(e.TEMPORAL_TLS_KEY_PATH)) {
    problems.push('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together');
  }
  if (e.NODE_ENV === 'production' && !e.LEDGERLINE_ENCRYPTION_KEYS) {
    problems.push('LEDGERLINE_ENCRYPTION_KEYS is required in production (credentials are encrypted at rest)');
  }
  if (e.SHOPIFY_WEBHOOK_SECRET_PREVIOUS && !e.SHOPIFY_WEBHOOK_SECRET) {
    problems.push('SHOPIFY_WEBHOOK_SECRET_PREVIOUS needs SHOPIFY_WEBHOOK_SECRET (the new secret) set too');
  }
  if (e.NODE_ENV === 'production' && !e.LEDGERLINE_API_TOKEN) {
    problems.push('LEDGERLINE_API_TOKEN is required in production');
  }
  const oauthSet = [e.QBO_CLIENT_ID, e.QBO_CLIENT_SECRET, e.QBO_REDIRECT_URI].filter(Boolean).length;
  if (oauthSet !== 0 && oauthSet !== 3) {
    problems.push('QBO_CLIENT_ID, QBO_CLIENT_SECRET and QBO_REDIRECT_URI must be set together (the OAuth connect flow, docs/oauth.md)');
  }
  const shopifyOAuthSet = [e.SHOPIFY_CLIENT_ID, e.SHOPIFY_CLIENT_SECRET, e.SHOPIFY_REDIRECT_URI].filter(Boolean).length;
  if (shopifyOAuthSet !== 0 && shopifyOAuthSet !== 3) {
    problems.push(
      'SHOPIFY_CLIENT_ID, SHOPIFY_CLIENT_SECRET and SHOPIFY_REDIRECT_URI must be set together (the Shopify install flow, docs/oauth.md)',
    );
  }
  const webhookSecrets = parseShopSecrets(e.SHOPIFY_WEBHOOK_SECRETS, problems);
  if (problems.length) throw new ConfigError(problems);

  const dataDir = path.resolve(e.LEDGERLINE_DATA_DIR);
  const home = source.HOME ?? '/tmp';
  const cacheDir = path.resolve(e.LEDGERLINE_CACHE_DIR ?? path.join(source.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'ledgerline'));
  const tlsWanted = e.TEMPORAL_TLS_CERT_PATH || e.TEMPORAL_TLS_CA_PATH || e.TEMPORAL_TLS_SERVER_NAME;
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_PRETTY ?? (e.NODE_ENV === 'development' && Boolean(process.stdout.isTTY)),
    dataDir,
    cacheDir,
    api: { host: e.API_HOST, port: e.API_PORT, token: e.LEDGERLINE_API_TOKEN, consolePassword: e.LEDGERLINE_CONSOLE_PASSWORD },
    encryptionKeys: e.LEDGERLINE_ENCRYPTION_KEYS,
    databaseUrl: e.DATABASE_URL,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      tls: tlsWanted
        ? {
            certPath: e.TEMPORAL_TLS_CERT_PATH,
            keyPath: e.TEMPORAL_TLS_KEY_PATH,
            caPath: e.TEMPORAL_TLS_CA_PATH,
            serverName: e.TEMPORAL_TLS_SERVER_NAME,
          }
        : undefined,
      apiKey: e.TEMPORAL_API_KEY,
      cliPath: e.TEMPORAL_CLI_PATH,
      devPort: e.TEMPORAL_DEV_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      uiUrl: e.TEMPORAL_UI_URL ?? `http://localhost:${e.TEMPORAL_UI_PORT}`,
      worker: {
        maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
        maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
        maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
        statusLogSeconds: e.WORKER_STATUS_LOG_SECONDS,
      },
    },
    shopify: {
      apiBaseUrl: e.SHOPIFY_API_BASE_URL,
      webhookSecret: e.SHOPIFY_WEBHOOK_SECRET,
      webhookNudgeWindowMs: e.LEDGERLINE_WEBHOOK_NUDGE_WINDOW_MS,
      webhookSecretPrevious: e.SHOPIFY_WEBHOOK_SECRET_PREVIOUS,
      webhookSecrets,
      oauth:
        e.SHOPIFY_CLIENT_ID && e.SHOPIFY_CLIENT_SECRET && e.SHOPIFY_REDIRECT_URI
          ? { clientId: e.SHOPIFY_CLIENT_ID, clientSecret: e.SHOPIFY_CLIENT_SECRET, redirectUri: e.SHOPIFY_REDIRECT_URI }
          : undefined,
    },
    qbo: {
      endpoint: e.QBO_API_ENDPOINT,
      tokenUrl: e.QBO_TOKEN_URL,
      limitsTimeScale: e.QBO_LIMITS_TIME_SCALE,
      concurrentPerRealm: e.QBO_CONCURRENT_PER_REALM,
      oauth:
        e.QBO_CLIENT_ID && e.QBO_CLIENT_SECRET && e.QBO_REDIRECT_URI
          ? {
              clientId: e.QBO_CLIENT_ID,
              clientSecret: e.QBO_CLIENT_SECRET,
              redirectUri: e.QBO_REDIRECT_URI,
              authorizeUrl: e.QBO_AUTHORIZE_URL,
              revokeUrl: e.QBO_REVOKE_URL,
            }
          : undefined,
    },
    oauthStateKey: e.LEDGERLINE_OAUTH_STATE_KEY,
    demo: {
      enabled: e.LEDGERLINE_DEMO ?? false,
      orders: e.LEDGERLINE_DEMO_ORDERS,
      days: e.LEDGERLINE_DEMO_DAYS,
      shopifyPort: e.LEDGERLINE_DEMO_SHOPIFY_PORT,
      qboPort: e.LEDGERLINE_DEMO_QBO_PORT,
    },
  };
}

/** The variables `loadConfig` understands (used by the docker-compose consistency test). */
export const configKeys = Object.keys(schema.shape) as (keyof Env)[];
