/**
 * What the store services need, built once per app (api/app.ts): the database, the cipher, the
 * Temporal client, the task queue store workflows run on, and where Shopify/QBO calls go. The Shopify
 * pacer and QBO limiter are the process's own (main/system.ts), shared with the worker's activities
 * (docs/qbo-facts.md §1, docs/shopify-facts.md §1).
 */
import type { Client } from '@temporalio/client';
import type { Logger } from '../../config/logger';
import type { Cipher } from '../../config/secrets';
import type { Db } from '../../db/client';
import type { QboLimiter } from '../../integrations/qbo/limiter';
import type { ShopifyPacer } from '../../integrations/shopify/pacer';
import { HttpError } from '../errors';

export interface StoreContext {
  db: Db;
  cipher: Cipher;
  temporal: () => Promise<Client>;
  taskQueue: string;
  shopifyApiBaseUrl: string | undefined;
  qboEndpoint: string | undefined;
  qboTokenUrl: string | undefined;
  /** The Intuit app of the OAuth connect (QBO_CLIENT_ID/SECRET), which holds the grants POST /stores may name. */
  qboOAuthApp?: { clientId: string; clientSecret: string } | undefined;
  /** The Shopify app of the install flow (SHOPIFY_CLIENT_ID), which holds the grants POST /stores may name. */
  shopifyOAuthApp?: { clientId: string } | undefined;
  pacer: ShopifyPacer;
  limiter: QboLimiter;
  log: Logger;
  clock: () => Date;
}

export interface StoreServiceDeps {
  db: Db;
  cipher: Cipher;
  temporal: () => Promise<Client>;
  taskQueue: string;
  pacer: ShopifyPacer;
  limiter: QboLimiter;
  log: Logger;
  /** Where Shopify/QBO calls go (emulators in tests and the demo); undefined → the real services. */
  integrations?: { shopifyApiBaseUrl?: string | undefined; qboEndpoint?: string | undefined; qboTokenUrl?: string | undefined } | undefined;
}

export function storeContext(deps: StoreServiceDeps): StoreContext {
  // Wiring mistakes must stop start-up, not surface as 500s on the first request.
  if (!deps.cipher) throw new Error('the store services need a cipher to encrypt store credentials');
  if (!deps.taskQueue) throw new Error('the store services need the task queue store workflows run on');
  return {
    db: deps.db,
    cipher: deps.cipher,
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    shopifyApiBaseUrl: deps.integrations?.shopifyApiBaseUrl,
    qboEndpoint: deps.integrations?.qboEndpoint,
    qboTokenUrl: deps.integrations?.qboTokenUrl,
    pacer: deps.pacer,
    limiter: deps.limiter,
    log: deps.log.child({ component: 'stores' }),
    clock: () => new Date(),
  };
}

// The API must answer even when Temporal does not: bounded waits for the client and each call.
export const TEMPORAL_CONNECT_TIMEOUT_MS = 5_000;

export async function temporalClient(ctx: StoreContext): Promise<Client> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      ctx.temporal(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Temporal did not answer within ${TEMPORAL_CONNECT_TIMEOUT_MS} ms`)),
          TEMPORAL_CONNECT_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (err) {
    throw temporalUnavailable(err);
  } finally {
    clearTimeout(timer);
  }
}

export function temporalUnavailable(err: unknown, doing = 'reach Temporal'): HttpError {
  const reason = err instanceof Error ? err.message : String(err);
  return new HttpError(503, 'temporal_unavailable', `Could not ${doing}: ${reason}`);
}
