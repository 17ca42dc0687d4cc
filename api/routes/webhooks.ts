/**
 * `POST /webhooks/shopify`: Shopify's webhooks turn the hourly poll into near-real-time syncing
 * (README "Operating it"). An order webhook nudges the store's workflow, which coalesces nudges into one
 * next run (workflows/store.ts); `app/uninstalled` disconnects the store once Shopify confirms it. The
 * webhook carries no data we book: the sync re-reads orders from the Admin API, so a lost webhook only
 * delays a sync until the poll.
 *
 * Authenticated by the HMAC of the raw body (docs/shopify-facts.md §4), not by the bearer token, so it is
 * registered through AppDeps.publicRoutes. The HMAC covers the body only, not the headers, so a captured
 * delivery could be replayed with another shop's domain, topic or webhook id; each delivery is therefore
 * tied to what its signed body says: the body must be the topic's resource, an `app/uninstalled` body must
 * name the header's shop, an order already booked for another store refuses the delivery, stale
 * deliveries (X-Shopify-Triggered-At) are refused, and an uninstall is confirmed with Shopify before
 * anything is disconnected. A shop connected with its own custom app (`shopifyApiSecret` at connect or in
 * PUT /stores/:id/credentials) has its webhooks verified with that app's secret alone, kept encrypted with
 * its credentials; other shops with the configured secrets. Deliveries are at least once: the X-Shopify-Webhook-Id is recorded in
 * `webhook_deliveries` and a repeat answers 200 without acting again.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findShopApiSecret, retirePreviousShopApiSecret } from '../../db/queries/shop-secrets';
import { disconnectStore, findStoreByShopDomain } from '../../db/queries/stores';
import {
  forgetWebhookDelivery,
  pruneWebhookDeliveries,
  recordWebhookDelivery,
  sourceBookedForAnotherStore,
} from '../../db/queries/webhooks';
import { TEMPORAL_CALL_TIMEOUT_MS, withTimeout } from '../../services/deadline';
import type { StoreContext } from '../../services/stores/context';
import { confirmAppUninstalled } from '../../services/stores/uninstall';
import { InvalidInputError } from '../../domain/errors';
import { orderSourceKey } from '../../domain/ledger';
import { normalizeShopDomain } from '../../domain/store';
import { disconnectedSignal, nudgeSignal, workflowIds } from '../../workflows/definitions';
import { HttpError, badRequest } from '../errors';
import { createNudgeDebouncer } from '../nudge-debounce';
import { webhookRateLimit } from '../rate-limits';

export const NUDGE_TOPICS: ReadonlySet<string> = new Set([
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/cancelled',
  'orders/edited',
  'refunds/create',
  'order_transactions/create',
]);
const UNINSTALLED_TOPIC = 'app/uninstalled';

/** Order webhooks can carry hundreds of line items; Fastify's 1 MiB default is too tight. */
const BODY_LIMIT_BYTES = 5 * 1024 * 1024;
/** Shopify retries a delivery for 4 hours (48 h in older docs, docs/shopify-facts.md §4): 7 days of ids is ample. */
const DELIVERY_RETENTION_MS = 7 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
/**
 * How old a delivery may be (by X-Shopify-Triggered-At, which Shopify keeps at the original time on every
 * retry): Shopify's own retry window of 4 hours (docs/shopify-facts.md §4) plus 5 minutes of clock skew.
 * A tighter bound would refuse Shopify's own late retries after an outage, and persistent refusals make
 * Shopify remove the subscription; what a replay inside the window can do is bounded by the checks below.
 */
export const WEBHOOK_MAX_AGE_MS = 4 * 3_600_000 + 5 * 60_000;
/** How far in the future X-Shopify-Triggered-At may be (clock skew between Shopify and this server). */
export const WEBHOOK_MAX_SKEW_MS = 5 * 60_000;

export type WebhookOutcome =
  | { status: 'nudged' | 'coalesced' | 'disconnected' | 'duplicate' }
  | {
      status: 'ignored';
      reason:
        | 'unknown_shop'
        | 'store_paused'
        | 'store_disconnected'
        | 'workflow_not_running'
        | 'order_deleted'
        | 'topic_not_handled'
        | 'app_still_installed'
        | 'store_removed';
    };

interface Delivery {
  topic: string;
  shopDomain: string;
  webhookId: string;
  triggeredAt: Date;
  /** The parsed body (a JSON object: Shopify's JSON format, the only one Ledgerline subscribes with). */
  payload: Record<string, unknown>;
}

/** base64(HMAC-SHA256(raw body, secret)) compared in constant time (docs/shopify-facts.md §4). */
export function shopifyHmacValid(secret: string, rawBody: Buffer, header: string): boolean {
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s?.trim() || undefined;
}

function shopDomainOrUndefined(value: string | undefined): string | undefined {
  try {
    return value === undefined ? undefined : normalizeShopDomain(value);
  } catch {
    return undefined; // refused with a 400 once the signature has been checked
  }
}

/** The secrets a delivery may be verified with: per shop (its own custom app), else the app's. */
export interface WebhookSecrets {
  app: string | undefined;
  /** The app's previous secret during a rotation (issue #13 item 14). */
  previous: string | undefined;
  /** Per-shop secrets from the configuration (SHOPIFY_WEBHOOK_SECRETS). */
  perShop: Readonly<Record<string, string>>;
  /**
   * The shop's own secret stored with its credentials, if it has one (looked up per delivery), with the secret it
   * replaced while the merchant rotates it; `retirePrevious` ends that window once the new secret has verified a
   * delivery.
   */
  stored(shopDomain: string): Promise<{ current: string; previous?: string; retirePrevious(): Promise<void> } | undefined>;
}

/**
 * Checks the signature first (nothing about an unsigned request is trusted), then the headers. The shop
 * header only selects the key: a shop with its own secret (stored with its credentials, else configured) is
 * verified with that secret alone, so a body another shop signed cannot be replayed with this shop's domain.
 */
async function readDelivery(req: FastifyRequest, secrets: WebhookSecrets, now: Date): Promise<Delivery> {
  // Normalized as the shop is looked up later, so no spelling of the domain (`HTTPS://…/`) escapes its key.
  const claimed = shopDomainOrUndefined(header(req, 'x-shopify-shop-domain'));
  const stored = claimed !== undefined ? await secrets.stored(claimed) : undefined;
  const own = stored?.current ?? (claimed !== undefined ? secrets.perShop[claimed] : undefined);
  const secret = own ?? secrets.app;
  if (!secret) {
    throw new HttpError(
      503,
      'webhooks_not_configured',
      "Shopify webhooks are not configured on this server: set SHOPIFY_WEBHOOK_SECRET to the Shopify app's client secret (or give this shop its own: shopifyApiSecret with its credentials, or SHOPIFY_WEBHOOK_SECRETS)",
    );
  }
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const hmac = header(req, 'x-shopify-hmac-sha256');
  if (!hmac) throw new HttpError(401, 'invalid_hmac', 'Missing X-Shopify-Hmac-Sha256 header');
  // During a rotation Shopify may still sign with the previous app secret (docs/shopify-facts.md §4).
  // A shop rotating its own secret: Shopify signs with the old one until the merchant revokes it, so both verify
  // until the new one does (services/stores/control.ts SHOP_SECRET_ROTATION_WINDOW_MS).
  const accepted = own ? [own, ...(stored?.previous ? [stored.previous] : [])] : [secret, ...(secrets.previous ? [secrets.previous] : [])];
  const verifiedBy = accepted.findIndex((key) => shopifyHmacValid(key, body, hmac));
  if (verifiedBy === 0 && stored?.previous) await stored.retirePrevious();
  if (verifiedBy < 0) {
    throw new HttpError(
      401,
      'invalid_hmac',
      own
        ? `X-Shopify-Hmac-Sha256 does not match the request body with ${claimed}'s own secret (signed for another shop, or the body was altered)`
        : 'X-Shopify-Hmac-Sha256 does not match the request body (signed with another secret, or the body was altered)',
    );
  }
  const topic = header(req, 'x-shopify-topic');
  const domain = header(req, 'x-shopify-shop-domain');
  const webhookId = header(req, 'x-shopify-webhook-id');
  const triggered = header(req, 'x-shopify-triggered-at');
  const missing = [
    ...(topic ? [] : ['X-Shopify-Topic']),
    ...(domain ? [] : ['X-Shopify-Shop-Domain']),
    ...(webhookId ? [] : ['X-Shopify-Webhook-Id']),
    ...(triggered ? [] : ['X-Shopify-Triggered-At']),
  ];
  if (missing.length) throw badRequest(`Missing webhook header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, { missing });
  if (webhookId!.length > 255) throw badRequest('X-Shopify-Webhook-Id is longer than 255 characters');
  let shopDomain: string;
  try {
    shopDomain = normalizeShopDomain(domain!);
  } catch (err) {
    if (err instanceof InvalidInputError) throw badRequest(`X-Shopify-Shop-Domain: ${err.message}`);
    throw err;
  }
  return {
    topic: topic!.toLowerCase(),
    shopDomain,
    webhookId: webhookId!,
    triggeredAt: freshTriggeredAt(triggered!, now),
    payload: jsonObject(body),
  };
}

/** X-Shopify-Triggered-At as an instant: 400 unless it is an ISO 8601 time within the bounds above. */
function freshTriggeredAt(value: string, now: Date): Date {
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    throw new HttpError(400, 'invalid_triggered_at', 'X-Shopify-Triggered-At must be an ISO 8601 time with a time zone', {
      field: 'X-Shopify-Triggered-At',
    });
  }
  const age = now.getTime() - at.getTime();
  if (age > WEBHOOK_MAX_AGE_MS) {
    throw new HttpError(
      400,
      'stale_delivery',
      `The delivery was triggered at ${at.toISOString()}, more than ${WEBHOOK_MAX_AGE_MS / 60_000} minutes ago; refused (the hourly poll covers what it was about)`,
      { field: 'X-Shopify-Triggered-At' },
    );
  }
  if (-age > WEBHOOK_MAX_SKEW_MS) {
    throw new HttpError(
      400,
      'invalid_triggered_at',
      `X-Shopify-Triggered-At ${at.toISOString()} is more than ${WEBHOOK_MAX_SKEW_MS / 60_000} minutes in the future`,
      { field: 'X-Shopify-Triggered-At' },
    );
  }
  return at;
}

function jsonObject(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('The webhook body is not JSON (subscribe with format JSON)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('The webhook body is not a JSON object');
  return parsed as Record<string, unknown>;
}

const ORDER_GID = /^gid:\/\/shopify\/Order\/\d{1,20}$/;
const orderGidFromNumber = (v: unknown): string | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? `gid://shopify/Order/${v}` : undefined;

/**
 * The order a delivery of an order topic is about, from its signed body: an order itself for `orders/*`
 * (`admin_graphql_api_id`, or the numeric `id`), `order_id` for refunds and transactions, `order_edit.order_id`
 * for `orders/edited`. Undefined when the body names it only by an id too large for a JSON number.
 */
function orderOf(topic: string, payload: Record<string, unknown>): string | undefined {
  let found: unknown;
  let gid: string | undefined;
  if (topic === 'refunds/create' || topic === 'order_transactions/create') found = payload.order_id;
  else if (topic === 'orders/edited') {
    const edit = payload.order_edit;
    found = typeof edit === 'object' && edit !== null ? (edit as Record<string, unknown>).order_id : undefined;
  } else {
    found = payload.id;
    if (typeof payload.admin_graphql_api_id === 'string' && ORDER_GID.test(payload.admin_graphql_api_id))
      gid = payload.admin_graphql_api_id;
  }
  gid ??= orderGidFromNumber(found);
  if (gid) return gid;
  if (typeof found === 'number' && Number.isInteger(found) && found > 0) return undefined;
  throw new HttpError(400, 'webhook_body_mismatch', `The body of a ${topic} delivery does not identify an order`, { topic });
}

/**
 * An `app/uninstalled` body is the shop: its permanent `myshopify_domain` (or, without it, `domain`) must
 * be the shop the headers name, so an uninstall captured from one shop cannot be replayed against another.
 */
function checkUninstalledShop(d: Delivery): void {
  const named = d.payload.myshopify_domain ?? d.payload.domain;
  const domain = typeof named === 'string' ? named.trim().toLowerCase() : undefined;
  if (!domain) {
    throw new HttpError(400, 'webhook_body_mismatch', 'The app/uninstalled body names no shop (myshopify_domain)', { topic: d.topic });
  }
  if (domain !== d.shopDomain) {
    throw new HttpError(403, 'webhook_shop_mismatch', 'The app/uninstalled body is about another shop than X-Shopify-Shop-Domain', {
      field: 'X-Shopify-Shop-Domain',
    });
  }
}

/** The order's id from a REST-shaped body, for the log line of a deleted order (best effort). */
function orderIdOf(payload: Record<string, unknown>): string | undefined {
  const id = payload.admin_graphql_api_id ?? payload.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

export const webhookRoutes =
  (stores: StoreContext) =>
  async (app: FastifyInstance): Promise<void> => {
    const { database, log } = app.deps;
    const db = database.db;
    const wlog = log.child({ component: 'webhooks' });
    const secrets: WebhookSecrets = {
      app: app.deps.shopifyWebhookSecret,
      previous: app.deps.shopifyWebhookSecretPrevious,
      perShop: app.deps.shopifyWebhookSecrets ?? {},
      stored: async (shopDomain) => {
        const enc = await findShopApiSecret(db, { shopDomain, at: stores.clock() });
        if (enc === undefined) return undefined;
        let current: string;
        try {
          current = stores.cipher.decrypt(enc.current);
        } catch (err) {
          // Not the app secret instead: that would let another shop's signed body through for this shop.
          wlog.error({ err, shopDomain }, "could not decrypt the shop's own webhook secret");
          throw new HttpError(
            503,
            'webhook_secret_unreadable',
            "The shop's webhook secret cannot be read on this server; Shopify will retry",
          );
        }
        let previous: string | undefined;
        try {
          previous = enc.previous === undefined ? undefined : stores.cipher.decrypt(enc.previous);
        } catch (err) {
          wlog.warn({ err, shopDomain }, "could not decrypt the shop's previous webhook secret; only the current one verifies");
        }
        return {
          current,
          ...(previous === undefined ? {} : { previous }),
          retirePrevious: async () => {
            if (await retirePreviousShopApiSecret(db, { shopDomain, current: enc.current })) {
              wlog.info({ shopDomain }, "the shop's new webhook secret signed a delivery: its previous secret no longer verifies");
            }
          },
        };
      },
    };
    let lastPrune = 0;

    // The HMAC covers the exact bytes Shopify sent, so this plugin (and only it: Fastify encapsulates
    // parsers per plugin) keeps the raw body instead of parsing JSON.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body));

    /**
     * Runs a Temporal call under a deadline (Shopify wants an answer within 5 s, docs/shopify-facts.md §4:
     * Temporal gets 3 s, then Shopify retries); an unreachable Temporal becomes a 503.
     */
    const withTemporal = async <T>(fn: (client: Client) => Promise<T>): Promise<T> => {
      try {
        const client = await withTimeout(app.deps.temporal(), TEMPORAL_CALL_TIMEOUT_MS, 'The Temporal connection');
        return await client.withDeadline(Date.now() + TEMPORAL_CALL_TIMEOUT_MS, () => fn(client));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw err;
        wlog.error({ err }, 'could not reach Temporal for a webhook');
        throw new HttpError(503, 'temporal_unavailable', 'Temporal is unavailable; the webhook was not processed (Shopify will retry it)');
      }
    };

    /** Signals the store's workflow; false when it is not running (nothing to nudge). */
    const signal = async (shopDomain: string, send: (client: Client, id: string) => Promise<void>): Promise<boolean> => {
      try {
        await withTemporal((client) => send(client, workflowIds.store(shopDomain)));
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    };

    const nudges = createNudgeDebouncer({
      windowMs: app.deps.webhookNudgeWindowMs ?? 0,
      send: (shopDomain, reason, receivedAt) =>
        signal(shopDomain, (c, id) => c.workflow.getHandle(id).signal(nudgeSignal, { reason, receivedAt: receivedAt.toISOString() })),
      onTrailingError: (err, shopDomain) =>
        wlog.warn({ err, shopDomain }, 'could not send the trailing nudge of a webhook burst; the next scheduled run books its orders'),
    });
    app.addHook('onClose', async () => nudges.close());

    async function act(d: Delivery): Promise<WebhookOutcome> {
      const store = await findStoreByShopDomain(db, { shopDomain: d.shopDomain });
      if (!store) {
        // Acknowledged: a non-2xx would only make Shopify retry for hours and then drop the subscription,
        // and a shop that is not (or no longer) connected has nothing to sync. Logged, since a shop that
        // should be connected points at a misconfiguration.
        wlog.warn({ shopDomain: d.shopDomain, topic: d.topic }, 'webhook for a shop that is not connected: ignored');
        return { status: 'ignored', reason: 'unknown_shop' };
      }
      // A removed store (DELETE /stores/:id) has nothing to sync and no token to ask Shopify with.
      if (store.state === 'removed') return { status: 'ignored', reason: 'store_removed' };

      if (d.topic === UNINSTALLED_TOPIC) {
        // A signed body proves Shopify sent it once, not that the app is uninstalled now: ask Shopify.
        if ((await confirmAppUninstalled(stores, store.id)) === 'still_installed') {
          wlog.warn({ storeId: store.id }, 'app/uninstalled webhook, but Shopify still accepts the store token: nothing disconnected');
          return { status: 'ignored', reason: 'app_still_installed' };
        }
        const reason =
          'The Ledgerline app was uninstalled from the Shopify shop (app/uninstalled webhook): reinstall it and replace the credentials (PUT /stores/:id/credentials), then resume';
        await disconnectStore(db, { storeId: store.id, reason, at: new Date() });
        const running = await signal(d.shopDomain, (c, id) => c.workflow.getHandle(id).signal(disconnectedSignal, { reason }));
        wlog.warn({ storeId: store.id, workflowSignalled: running }, 'Shopify app uninstalled: store disconnected');
        return { status: 'disconnected' };
      }
      if (d.topic === 'orders/delete') {
        wlog.warn(
          { storeId: store.id, order: orderIdOf(d.payload) },
          'Shopify order deleted: what Ledgerline booked for it stays in QBO; review it there',
        );
        return { status: 'ignored', reason: 'order_deleted' };
      }
      if (!NUDGE_TOPICS.has(d.topic)) {
        wlog.debug({ storeId: store.id, topic: d.topic }, 'webhook topic not handled: acknowledged');
        return { status: 'ignored', reason: 'topic_not_handled' };
      }
      // Shopify ids are unique across shops: an order booked for another store is not this shop's.
      const order = orderOf(d.topic, d.payload);
      if (order && (await sourceBookedForAnotherStore(db, { storeId: store.id, sourceKey: orderSourceKey(order) }))) {
        throw new HttpError(
          403,
          'webhook_shop_mismatch',
          `The order in the body (${order}) belongs to another shop than X-Shopify-Shop-Domain`,
          {
            field: 'X-Shopify-Shop-Domain',
          },
        );
      }
      // The workflow ignores nudges unless active, but each signal still grows its history, and a paused
      // store runs no sync that would let it continue-as-new: don't signal it at all.
      if (store.state === 'paused') return { status: 'ignored', reason: 'store_paused' };
      if (store.state === 'disconnected') return { status: 'ignored', reason: 'store_disconnected' };
      const sent = await nudges.nudge(d.shopDomain, d.topic);
      if (sent === 'coalesced') return { status: 'coalesced' };
      if (sent === 'not_running') {
        wlog.warn(
          { storeId: store.id, topic: d.topic },
          'webhook for a store whose workflow is not running: resume the store to restart syncing',
        );
        return { status: 'ignored', reason: 'workflow_not_running' };
      }
      return { status: 'nudged' };
    }

    async function pruneOldDeliveries(): Promise<void> {
      const now = Date.now();
      if (now - lastPrune < PRUNE_EVERY_MS) return;
      lastPrune = now;
      await pruneWebhookDeliveries(db, { receivedBefore: new Date(now - DELIVERY_RETENTION_MS) });
    }

    app.post(
      '/webhooks/shopify',
      {
        bodyLimit: BODY_LIMIT_BYTES,
        config: { rateLimit: webhookRateLimit(app.rateLimits) },
        schema: {
          tags: ['webhooks'],
          summary:
            "Receives Shopify webhooks (HMAC-signed with the shop's own app secret when it was connected with one, else the app's client secret; no bearer token)",
          description:
            "Order topics nudge the store's sync workflow; app/uninstalled disconnects the store once Shopify confirms the app's token is revoked. Order webhooks for a shop within a short window of its last nudge are coalesced into one trailing nudge (status coalesced). A repeated X-Shopify-Webhook-Id answers 200 and does nothing; a stale delivery (X-Shopify-Triggered-At) is a 400, one whose body is about another shop a 403.",
          security: [],
          headers: {
            type: 'object',
            properties: {
              'x-shopify-hmac-sha256': { type: 'string', maxLength: 128, description: 'base64 HMAC-SHA256 of the raw body' },
              'x-shopify-topic': { type: 'string', maxLength: 255, description: 'e.g. orders/updated' },
              'x-shopify-shop-domain': { type: 'string', maxLength: 255, description: '<handle>.myshopify.com' },
              'x-shopify-webhook-id': { type: 'string', maxLength: 255, description: 'the same on every retry of one event' },
              'x-shopify-triggered-at': {
                type: 'string',
                maxLength: 64,
                description: 'when Shopify triggered the event (kept on retries); older than 4 h 5 min or over 5 min ahead is refused',
              },
            },
          },
          response: {
            200: {
              type: 'object',
              required: ['status'],
              properties: {
                status: { type: 'string', enum: ['nudged', 'coalesced', 'disconnected', 'duplicate', 'ignored'] },
                reason: { type: 'string' },
              },
            },
            400: { $ref: 'Error#' },
            401: { $ref: 'Error#' },
            403: { $ref: 'Error#' },
            409: { $ref: 'Error#' },
            429: { $ref: 'Error#' },
            503: { $ref: 'Error#' },
          },
        },
      },
      async (req) => {
        const d = await readDelivery(req, secrets, new Date());
        if (d.topic === UNINSTALLED_TOPIC) checkUninstalledShop(d);
        if (NUDGE_TOPICS.has(d.topic)) orderOf(d.topic, d.payload);
        await pruneOldDeliveries();
        if (!(await recordWebhookDelivery(db, { webhookId: d.webhookId, shopDomain: d.shopDomain, topic: d.topic }))) {
          wlog.debug({ webhookId: d.webhookId, topic: d.topic }, 'repeated webhook delivery ignored');
          return { status: 'duplicate' };
        }
        try {
          const outcome = await act(d);
          wlog.info({ shopDomain: d.shopDomain, topic: d.topic, ...outcome }, 'shopify webhook');
          return outcome;
        } catch (err) {
          // Not acted on: forget the delivery so Shopify's retry (same webhook id) is processed.
          await forgetWebhookDelivery(db, { webhookId: d.webhookId, shopDomain: d.shopDomain });
          throw err;
        }
      },
    );
  };
