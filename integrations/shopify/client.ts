/**
 * A thin Shopify Admin GraphQL client over @shopify/admin-api-client (docs/shopify-facts.md §3): paces every
 * request through the shared cost pacer and turns failures into Ledgerline's typed errors. With a `retry` policy
 * (activities), a transient fault is sent again a few times within the call (integrations/call-retry.ts: queries
 * and `@idempotent` mutations on any transient fault, other mutations only when Shopify certainly did not run
 * them), and a bulk result download that breaks off resumes after the last whole order; beyond that bound, and
 * without a policy, Temporal retries. `userErrors` stay in the returned data for callers to judge.
 */
import { createAdminApiClient } from '@shopify/admin-api-client';
import type { Logger } from '../../config/logger';
import { TransientUpstreamError } from '../../domain/errors';
import {
  type CallRetryPolicy,
  type CallSafety,
  DEFAULT_CALL_ATTEMPTS,
  mayRetryCall,
  pauseBeforeRetry,
  retryDelayMs,
  withCallRetry,
} from '../call-retry';
import { type BulkOperation, type BulkOperationStatus, bulkStatus, readBulkJsonl, type ReadBulkOptions, startBulkQuery } from './bulk';
import { classifyShopifyErrors, type CostExtension } from './errors';
import type { ShopifyPacer } from './pacer';

export const SHOPIFY_API_VERSION = '2026-10';
// docs/shopify-facts.md §1: no single query may cost more than 1000 points, so booking 1000 for a query we have
// never seen can never be too little.
const UNKNOWN_QUERY_COST = 1000;
// A stuck connection must fail the activity attempt (Temporal retries) rather than hang it.
const DEFAULT_TIMEOUT_MS = 60_000;

export interface ShopifyClientOptions {
  shopDomain: string;
  accessToken: string;
  apiVersion?: string;
  /** e.g. the emulator `http://127.0.0.1:4001`: requests for `https://<shop>/admin/…` go to `<apiBaseUrl>/admin/…`. */
  apiBaseUrl?: string;
  pacer: ShopifyPacer;
  logger: Logger;
  timeoutMs?: number;
  /** Retry of transient faults within one call (integrations/call-retry.ts); none when absent. */
  retry?: CallRetryPolicy;
}

export interface ShopifyRequestOptions {
  /** The query's requested cost when known (e.g. computed for the document); else the last one seen. */
  estimatedCost?: number;
  signal?: AbortSignal;
}

export interface ShopifyShopInfo {
  id: string;
  name: string;
  myshopifyDomain: string;
  currencyCode: string;
  ianaTimezone: string;
}

export interface ShopifyClient {
  readonly shopDomain: string;
  request<T>(query: string, variables?: Record<string, unknown>, opts?: ShopifyRequestOptions): Promise<T>;
  /** Validates the credentials at connect time and reads what the books need from the shop. */
  shopInfo(): Promise<ShopifyShopInfo>;
  startBulkQuery(innerQuery: string): Promise<{ id: string; status: BulkOperationStatus }>;
  bulkStatus(id: string): Promise<BulkOperation | null>;
  readBulkJsonl<T = Record<string, unknown>>(url: string, opts?: ReadBulkOptions): AsyncGenerator<T>;
}

const SHOP_INFO = 'query LedgerlineShopInfo { shop { id name myshopifyDomain currencyCode ianaTimezone } }';
const SHOP_INFO_COST = 1;

/** The operation's name, which keys the remembered cost; anonymous documents are keyed by their text. */
function operationKey(query: string): string {
  return /^\s*(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(query)?.[1] ?? query.trim();
}

/**
 * Queries are safe to send again; a mutation only with an idempotency key (`@idempotent(key: …)`, with which
 * Shopify answers a repeat with the first answer, docs/shopify-facts.md).
 */
export function requestSafety(query: string): CallSafety {
  const body = query.replace(/#[^\n]*/g, '').trim();
  if (!/^mutation\b/.test(body)) return 'repeatable';
  return /@idempotent\s*\(\s*key\s*:/.test(body) ? 'repeatable' : 'once';
}

/** docs/shopify-facts.md §3: the client forces https on the store URL, so a plain-http base needs the rewrite. */
function fetchVia(apiBaseUrl: string | undefined): ((url: string, init?: RequestInit) => Promise<Response>) | undefined {
  if (!apiBaseUrl) return undefined;
  const base = apiBaseUrl.replace(/\/+$/, '');
  return (url, init) => fetch(url.replace(/^https:\/\/[^/]+/, base), init);
}

export function createShopifyClient(opts: ShopifyClientOptions): ShopifyClient {
  const { shopDomain, pacer, logger } = opts;
  const customFetchApi = fetchVia(opts.apiBaseUrl);
  const api = createAdminApiClient({
    storeDomain: shopDomain,
    apiVersion: opts.apiVersion ?? SHOPIFY_API_VERSION,
    accessToken: opts.accessToken,
    retries: 0,
    ...(customFetchApi ? { customFetchApi: customFetchApi as Parameters<typeof createAdminApiClient>[0]['customFetchApi'] } : {}),
  });
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  function request<T>(query: string, variables: Record<string, unknown> = {}, ropts: ShopifyRequestOptions = {}): Promise<T> {
    return withCallRetry(opts.retry, { operation: operationKey(query), safety: requestSafety(query) }, () =>
      requestOnce<T>(query, variables, ropts),
    );
  }

  /**
   * The bulk result from where the last whole order ended: a download that breaks off (a transient fault) is
   * opened again, skipping the orders already handed out, within the retry policy's bound.
   */
  async function* readBulkResuming<T>(url: string, ropts: ReadBulkOptions = {}): AsyncGenerator<T> {
    const offset = ropts.offset ?? 0;
    const limit = ropts.limit ?? Number.POSITIVE_INFINITY;
    const attempts = opts.retry ? Math.max(1, opts.retry.attempts ?? DEFAULT_CALL_ATTEMPTS) : 1;
    let handed = 0;
    for (let attempt = 1; ; attempt++) {
      const before = handed;
      try {
        for await (const row of readBulkJsonl<T>(url, { ...ropts, offset: offset + handed, limit: limit - handed })) {
          handed++;
          yield row;
        }
        return;
      } catch (err) {
        // Progress since the last break-off starts the count again: only breaks without progress use up the bound.
        if (handed > before) attempt = 1;
        const policy = opts.retry;
        if (!policy || attempt >= attempts || !mayRetryCall(err, 'repeatable') || policy.signal?.aborted) throw err;
        const waitMs = retryDelayMs(err, attempt, policy);
        logger.warn({ shopDomain, offset: offset + handed, waitMs }, 'bulk result download broke off; resuming');
        await pauseBeforeRetry(policy, { operation: 'bulk result download', attempt, waitMs, code: err.code });
      }
    }
  }

  async function requestOnce<T>(query: string, variables: Record<string, unknown>, ropts: ShopifyRequestOptions): Promise<T> {
    const operation = operationKey(query);
    const estimate = ropts.estimatedCost ?? pacer.knownCost(shopDomain, operation) ?? UNKNOWN_QUERY_COST;
    const ticket = await pacer.acquire(shopDomain, estimate, ropts.signal);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = ropts.signal ? AbortSignal.any([ropts.signal, timeout]) : timeout;
    let response: Awaited<ReturnType<typeof api.request<T>>>;
    try {
      response = await api.request<T>(query, { variables, signal });
    } catch (err) {
      ticket.settle(undefined);
      throw new TransientUpstreamError(`Shopify request ${operation} failed: ${(err as Error).message}`, { shopDomain, operation });
    }
    const cost = response.extensions?.cost as CostExtension | undefined;
    ticket.settle(cost, operation);
    if (response.errors) {
      const error = classifyShopifyErrors(response.errors, {
        shopDomain,
        operation,
        cost,
        fallbackRetryAfterMs: pacer.waitMs(shopDomain, estimate),
      });
      logger.warn({ shopDomain, operation, code: error.code, retryAfterMs: error.retryAfterMs }, 'shopify request failed');
      throw error;
    }
    if (response.data === undefined) {
      throw new TransientUpstreamError(`Shopify answered ${operation} without data`, { shopDomain, operation });
    }
    return response.data;
  }

  return {
    shopDomain,
    request,
    async shopInfo() {
      const data = await request<{ shop: ShopifyShopInfo }>(SHOP_INFO, {}, { estimatedCost: SHOP_INFO_COST });
      return data.shop;
    },
    startBulkQuery: (innerQuery) => startBulkQuery(request, innerQuery),
    bulkStatus: (id) => bulkStatus(request, id),
    readBulkJsonl: (url, ropts) => readBulkResuming(url, ropts),
  };
}
