/**
 * The HTTP API as a Fastify plugin tree built from its dependencies (`buildApp(deps)`): every route —
 * health, the store API, the audit log, the Shopify webhook receiver, the OpenAPI docs — and the web console
 * under /console (console/plugin.ts). It never listens by itself
 * (main/system.ts does), so tests exercise the production app with `inject`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import type { Logger } from '../config/logger';
import type { Cipher } from '../config/secrets';
import type { Database } from '../db/client';
import type { QboLimiter } from '../integrations/qbo/limiter';
import type { ShopifyPacer } from '../integrations/shopify/pacer';
import { storeContext } from '../services/stores/context';
import type { QboOAuthSettings } from '../services/oauth/qbo-connect';
import type { ShopifyOAuthSettings } from '../services/oauth/shopify-connect';
import { authorize, refuseRemovedStore } from './access';
import { finishAudit, startAudit } from './audit';
import { controlCharacterAt } from './control-chars';
import { HttpError, badRequest, errorBodySchema } from './errors';
import { redactUrl, requestSerializer } from './log-redaction';
import { clientErrorCode, frameworkErrors, queryIntegers, validationIssues } from './strict-input';
import { DEFAULT_RATE_LIMITS, registerRateLimits, type RateLimits } from './rate-limits';
import { auditRoutes } from './routes/audit';
import { healthRoutes } from './routes/health';
import { payoutRoutes } from './routes/payouts';
import { inventoryRoutes } from './routes/inventory';
import { storeRoutes } from './routes/stores';
import { oauthCallbackRoutes, oauthRoutes } from './routes/oauth';
import { shopifyOAuthCallbackRoutes, shopifyOAuthRoutes } from './routes/shopify-oauth';
import { webhookRoutes } from './routes/webhooks';
import { ADMIN_PRINCIPAL, verifyApiToken, type Principal } from './tokens';
import { consolePlugin } from '../console/plugin';

export interface AppDeps {
  database: Database;
  /** Resolves the Temporal client (lazy: the API can start before Temporal is reachable). */
  temporal: () => Promise<Client>;
  /** The admin token (LEDGERLINE_API_TOKEN): every store, operate. Scoped tokens live in the database (api/tokens.ts). */
  apiToken: string;
  log: Logger;
  /** Reports the in-process worker's state when there is one (npm start); undefined for API-only processes. */
  workerState?: () => string;
  version?: string;
  /** Encrypts credentials at rest (stores' Shopify and QBO secrets). */
  cipher: Cipher;
  /** The Temporal task queue store workflows run on. */
  taskQueue: string;
  /** The process's one Shopify pacer and QBO limiter (main/system.ts), shared with the worker's activities. */
  pacer: ShopifyPacer;
  limiter: QboLimiter;
  /** Where Shopify/QBO calls go (emulators in tests and the demo); undefined → the real services. */
  integrations?: { shopifyApiBaseUrl?: string | undefined; qboEndpoint?: string | undefined; qboTokenUrl?: string | undefined };
  /** The Shopify app's client secret, for webhook HMACs; undefined → webhooks are refused. */
  shopifyWebhookSecret?: string | undefined;
  /** During a secret rotation, the app's previous client secret: still accepted until it is unset. */
  shopifyWebhookSecretPrevious?: string | undefined;
  /**
   * Per-shop client secrets by shop domain (a store connected through its own custom app): a shop listed
   * here is verified with its own secret only; other shops with shopifyWebhookSecret.
   */
  shopifyWebhookSecrets?: Readonly<Record<string, string>> | undefined;
  /**
   * Order webhooks for one shop within this many ms of a nudge fold into one trailing nudge (api/nudge-debounce.ts);
   * 0 or undefined → every webhook signals the store's workflow (config LEDGERLINE_WEBHOOK_NUDGE_WINDOW_MS).
   */
  webhookNudgeWindowMs?: number | undefined;
  /** "Connect to QuickBooks" (docs/oauth.md): the Intuit app and its endpoints; undefined → those routes answer 503. */
  qboOAuth?: QboOAuthSettings | undefined;
  /** "Connect with Shopify" (docs/oauth.md): the Shopify app; undefined → those routes answer 503. */
  shopifyOAuth?: ShopifyOAuthSettings | undefined;
  /** HMAC key of the OAuth state (config/secrets.ts oauthStateKey); undefined → a random key for this process. */
  oauthStateKey?: Buffer | undefined;
  /** The web console (console/, README "The web console"): its password and where run links point. */
  console?: { password?: string | undefined; temporalUiUrl?: string | undefined; temporalNamespace?: string | undefined } | undefined;
  /** Request budgets per client address (api/rate-limits.ts); tests use small ones. */
  rateLimits?: Partial<RateLimits> | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
    rateLimits: RateLimits;
  }
}

function tokensEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * The principal an Authorization header stands for: exactly `Bearer <token>` (anything after the token,
 * or a second space, is refused, not ignored), the token the configured admin token or a live scoped one.
 */
function authenticator(deps: AppDeps) {
  return async (header: string | undefined): Promise<Principal | undefined> => {
    const parts = (header ?? '').split(' ');
    const [scheme, token] = parts;
    if (parts.length !== 2 || scheme?.toLowerCase() !== 'bearer' || !token) return undefined;
    if (tokensEqual(token, deps.apiToken)) return ADMIN_PRINCIPAL;
    return verifyApiToken(deps.database.db, token);
  };
}

/** The Temporal dev server's UI (npm start); TEMPORAL_UI_URL points elsewhere. */
export const DEFAULT_TEMPORAL_UI_URL = 'http://localhost:8233';

/** Longer than any id's maxLength in the schemas (255), so those answer with the field named. */
const MAX_PARAM_LENGTH = 1024;

export async function buildApp(deps: AppDeps, opts: Pick<FastifyServerOptions, 'logger'> = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Fastify logs each request's URL: secrets in its query string (?token=, ?access_token=) are redacted.
    loggerInstance: opts.logger === false ? undefined : deps.log.child({ component: 'api' }, { serializers: { req: requestSerializer } }),
    // Strict: no type coercion (api/strict-input.ts converts integer query parameters itself).
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: false } },
    // Long enough that an over-long id reaches its schema (maxLength, a precise 400); longer still is a 400 too.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
  });
  app.decorate('deps', deps);
  const rateLimits: RateLimits = { ...DEFAULT_RATE_LIMITS, ...deps.rateLimits };
  app.decorate('rateLimits', rateLimits);
  app.addSchema({ $id: 'Error', ...errorBodySchema });
  // First, so every route registered after it (all of them) is limited.
  const auth = await registerRateLimits(app as unknown as FastifyInstance, rateLimits);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Ledgerline API',
        version: deps.version ?? '0.1.0',
        description: 'Shopify → QuickBooks Online bookkeeping on Temporal.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HttpError) {
      return reply
        .status(err.statusCode)
        .send({ error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } });
    }
    const e = err as Error & { validation?: unknown; validationContext?: string; statusCode?: number; code?: string };
    if (e.validation) {
      const issues = validationIssues(e.validation, e.validationContext);
      return reply
        .status(400)
        .send({ error: { code: 'invalid_request', message: e.message, details: { field: issues[0]?.path, issues } } });
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.status(e.statusCode).send({ error: { code: clientErrorCode(e), message: e.message } });
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: { code: 'internal', message: 'Internal error; see the server log' } });
  });
  app.addHook('preValidation', queryIntegers);
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No route ${req.method} ${redactUrl(req.url)}` } }),
  );

  const authenticate = authenticator(deps);
  const stores = storeContext({
    db: deps.database.db,
    cipher: deps.cipher,
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    pacer: deps.pacer,
    limiter: deps.limiter,
    log: deps.log,
    integrations: deps.integrations,
  });
  if (deps.qboOAuth) stores.qboOAuthApp = { clientId: deps.qboOAuth.clientId, clientSecret: deps.qboOAuth.clientSecret };
  if (deps.shopifyOAuth) stores.shopifyOAuthApp = { clientId: deps.shopifyOAuth.clientId };
  const oauth = { store: stores, qbo: deps.qboOAuth, stateKey: deps.oauthStateKey ?? randomBytes(32) };
  const shopifyOAuth = { store: stores, shopify: deps.shopifyOAuth, stateKey: oauth.stateKey };

  await app.register(healthRoutes);
  // Shopify webhooks carry their own authentication (an HMAC of the body), not the bearer token.
  await app.register(webhookRoutes(stores));
  // Intuit sends the merchant's browser back here without a bearer token: its signed, single-use state authenticates it.
  await app.register(oauthCallbackRoutes(oauth));
  // Shopify's likewise: its HMAC and the state authenticate it.
  await app.register(shopifyOAuthCallbackRoutes(shopifyOAuth));

  // The web console: its own session cookie and CSRF tokens (console/plugin.ts); never the bearer token's routes.
  await app.register(
    consolePlugin({
      stores,
      db: deps.database.db,
      cipher: deps.cipher,
      apiToken: deps.apiToken,
      password: deps.console?.password,
      temporalUi: {
        baseUrl: deps.console?.temporalUiUrl ?? DEFAULT_TEMPORAL_UI_URL,
        namespace: deps.console?.temporalNamespace ?? 'default',
      },
      auth,
      oauth,
      shopifyOAuth,
    }),
    { prefix: '/console' },
  );

  // Everything else needs a bearer token: the admin token, or a scoped token (api/tokens.ts, api/access.ts).
  await app.register(async (secured) => {
    // A route behind the token must say who may call it (api/access.ts): refuse to start otherwise.
    secured.addHook('onRoute', (route) => {
      if (!route.config?.access)
        throw new Error(`Route ${String(route.method)} ${route.url} declares no access (config.access, api/access.ts)`);
    });
    secured.addHook('onRequest', async (req, reply) => {
      // An address that failed too often is refused before its token is compared (no guessing at speed).
      const blocked = await auth.authBlocked(req);
      if (blocked) {
        void reply.header('retry-after', (blocked.details as { retryAfterSeconds: number }).retryAfterSeconds);
        throw blocked;
      }
      const principal = await authenticate(req.headers.authorization);
      if (!principal) {
        await auth.authFailed(req);
        throw new HttpError(
          401,
          'unauthorized',
          'Missing or invalid bearer token (Authorization: Bearer <LEDGERLINE_API_TOKEN or a token from npm run tokens>)',
        );
      }
      req.principal = principal;
      // Recorded before it is judged or carried out: refused attempts are in the log too.
      await startAudit(deps.database.db, principal, req);
      authorize(principal, req);
    });
    secured.addHook('onResponse', async (req, reply) => finishAudit(deps.database.db, req, reply));
    // Before schema validation: a control character anywhere is a 400 naming the field, never a 500.
    secured.addHook('preValidation', async (req) => {
      const at =
        controlCharacterAt(req.params, 'params', false) ??
        controlCharacterAt(req.query, 'query', false) ??
        controlCharacterAt(req.body, 'body', true);
      if (at) throw badRequest(`${at} contains a control character (NUL or another non-printing character); remove it`, { field: at });
    });
    secured.addHook('preHandler', async (req) => refuseRemovedStore(deps.database.db, req));
    await secured.register(storeRoutes(stores));
    await secured.register(oauthRoutes(oauth));
    await secured.register(shopifyOAuthRoutes(shopifyOAuth));
    await secured.register(payoutRoutes(stores));
    await secured.register(inventoryRoutes(stores));
    await secured.register(auditRoutes(deps.database.db));
  });

  return app as unknown as FastifyInstance;
}
