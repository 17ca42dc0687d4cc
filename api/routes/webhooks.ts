/**
 * `POST /webhooks/shopify`: Shopify's webhooks turn the hourly poll into near-real-time syncing
 * (README "Operating it"). An order webhook nudges the store's workflow, which coalesces nudges into one
 * next run (workflows/store.ts); `app/uninstalled` disconnects the store. The webhook carries no data we
 * book: the sync re-reads orders from the Admin API, so a lost webhook only delays a sync until the poll.
 *
 * Authenticated by the HMAC of the raw body (docs/shopify-facts.md §4), not by the bearer token, so it is
 * registered through AppDeps.publicRoutes. Deliveries are at least once: the X-Shopify-Webhook-Id is
 * recorded in `webhook_deliveries` and a repeat answers 200 without acting again.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { disconnectStore, findStoreByShopDomain } from '../../db/queries/stores';
import { forgetWebhookDelivery, pruneWebhookDeliveries, recordWebhookDelivery } from '../../db/queries/webhooks';
import { TEMPORAL_CALL_TIMEOUT_MS, withTimeout } from '../../services/deadline';
import { InvalidInputError } from '../../domain/errors';
import { normalizeShopDomain } from '../../domain/store';
import { disconnectedSignal, nudgeSignal, workflowIds } from '../../workflows/definitions';
import { HttpError, badRequest } from '../errors';

/**
 * Topics that mean "an order's money or status may have changed": worth a sync now. `orders/updated`
 * alone would cover them all; the others are accepted too because merchants' apps often subscribe to
 * the specific ones. `orders/delete` is not here: a deleted order can no longer be read from Shopify,
 * so a sync would find nothing (it is logged for the bookkeeper instead).
 */
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

export type WebhookOutcome =
  | { status: 'nudged' | 'disconnected' | 'duplicate' }
  | {
      status: 'ignored';
      reason: 'unknown_shop' | 'store_paused' | 'store_disconnected' | 'workflow_not_running' | 'order_deleted' | 'topic_not_handled';
    };

interface Delivery {
  topic: string;
  shopDomain: string;
  webhookId: string;
  body: Buffer;
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

/** Checks the signature first (nothing about an unsigned request is trusted), then the headers. */
function readDelivery(req: FastifyRequest, secret: string | undefined): Delivery {
  if (!secret) {
    throw new HttpError(
      503,
      'webhooks_not_configured',
      "Shopify webhooks are not configured on this server: set SHOPIFY_WEBHOOK_SECRET to the Shopify app's client secret",
    );
  }
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const hmac = header(req, 'x-shopify-hmac-sha256');
  if (!hmac) throw new HttpError(401, 'invalid_hmac', 'Missing X-Shopify-Hmac-Sha256 header');
  if (!shopifyHmacValid(secret, body, hmac)) {
    throw new HttpError(
      401,
      'invalid_hmac',
      'X-Shopify-Hmac-Sha256 does not match the request body (signed with another secret, or the body was altered)',
    );
  }
  const topic = header(req, 'x-shopify-topic');
  const domain = header(req, 'x-shopify-shop-domain');
  const webhookId = header(req, 'x-shopify-webhook-id');
  const missing = [
    ...(topic ? [] : ['X-Shopify-Topic']),
    ...(domain ? [] : ['X-Shopify-Shop-Domain']),
    ...(webhookId ? [] : ['X-Shopify-Webhook-Id']),
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
  return { topic: topic!.toLowerCase(), shopDomain, webhookId: webhookId!, body };
}

/** The order's id from a REST-shaped body, for the log line of a deleted order (best effort). */
function orderIdOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { admin_graphql_api_id?: unknown; id?: unknown };
    const id = parsed.admin_graphql_api_id ?? parsed.id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}

export async function webhookRoutes(app: FastifyInstance): Promise<void> {
  const { database, log } = app.deps;
  const db = database.db;
  const wlog = log.child({ component: 'webhooks' });
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

  async function act(d: Delivery): Promise<WebhookOutcome> {
    const store = await findStoreByShopDomain(db, { shopDomain: d.shopDomain });
    if (!store) {
      // Acknowledged: a non-2xx would only make Shopify retry for hours and then drop the subscription,
      // and a shop that is not (or no longer) connected has nothing to sync. Logged, since a shop that
      // should be connected points at a misconfiguration.
      wlog.warn({ shopDomain: d.shopDomain, topic: d.topic }, 'webhook for a shop that is not connected: ignored');
      return { status: 'ignored', reason: 'unknown_shop' };
    }

    if (d.topic === UNINSTALLED_TOPIC) {
      const reason =
        'The Ledgerline app was uninstalled from the Shopify shop (app/uninstalled webhook): reinstall it and replace the credentials (PUT /stores/:id/credentials), then resume';
      await disconnectStore(db, { storeId: store.id, reason, at: new Date() });
      const running = await signal(d.shopDomain, (c, id) => c.workflow.getHandle(id).signal(disconnectedSignal, { reason }));
      wlog.warn({ storeId: store.id, workflowSignalled: running }, 'Shopify app uninstalled: store disconnected');
      return { status: 'disconnected' };
    }
    if (d.topic === 'orders/delete') {
      wlog.warn(
        { storeId: store.id, order: orderIdOf(d.body) },
        'Shopify order deleted: what Ledgerline booked for it stays in QBO; review it there',
      );
      return { status: 'ignored', reason: 'order_deleted' };
    }
    if (!NUDGE_TOPICS.has(d.topic)) {
      wlog.debug({ storeId: store.id, topic: d.topic }, 'webhook topic not handled: acknowledged');
      return { status: 'ignored', reason: 'topic_not_handled' };
    }
    // The workflow ignores nudges unless active, but each signal still grows its history, and a paused
    // store runs no sync that would let it continue-as-new: don't signal it at all.
    if (store.state === 'paused') return { status: 'ignored', reason: 'store_paused' };
    if (store.state === 'disconnected') return { status: 'ignored', reason: 'store_disconnected' };
    const running = await signal(d.shopDomain, (c, id) => c.workflow.getHandle(id).signal(nudgeSignal, { reason: d.topic }));
    if (!running) {
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
      schema: {
        tags: ['webhooks'],
        summary: "Receives Shopify webhooks (HMAC-signed with the app's client secret; no bearer token)",
        description:
          "Order topics nudge the store's sync workflow; app/uninstalled disconnects the store. A repeated X-Shopify-Webhook-Id answers 200 and does nothing.",
        security: [],
        headers: {
          type: 'object',
          properties: {
            'x-shopify-hmac-sha256': { type: 'string', description: 'base64 HMAC-SHA256 of the raw body' },
            'x-shopify-topic': { type: 'string', description: 'e.g. orders/updated' },
            'x-shopify-shop-domain': { type: 'string', description: '<handle>.myshopify.com' },
            'x-shopify-webhook-id': { type: 'string', description: 'the same on every retry of one event' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['status'],
            properties: {
              status: { type: 'string', enum: ['nudged', 'disconnected', 'duplicate', 'ignored'] },
              reason: { type: 'string' },
            },
          },
          400: { $ref: 'Error#' },
          401: { $ref: 'Error#' },
          503: { $ref: 'Error#' },
        },
      },
    },
    async (req) => {
      const d = readDelivery(req, app.deps.shopifyWebhookSecret);
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
}
