/**
 * Shopify failures as Ledgerline's typed errors (domain/errors.ts). @shopify/admin-api-client never
 * throws for HTTP or GraphQL errors: it returns `errors` (docs/shopify-facts.md §3), which land here.
 */
import type { ClientResponse } from '@shopify/admin-api-client';
import {
  ShopifyAuthError,
  ShopifyRequestError,
  ShopifyThrottledError,
  TransientUpstreamError,
  type LedgerlineError,
} from '../../domain/errors';

type ResponseErrors = NonNullable<ClientResponse['errors']>;

export interface CostExtension {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: { maximumAvailable?: number; currentlyAvailable?: number; restoreRate?: number };
}

export interface FailureContext {
  shopDomain: string;
  operation: string;
  cost: CostExtension | undefined;
  /** The pacer's view of the bucket, used when a 429 carries no Retry-After. */
  fallbackRetryAfterMs: number;
}

const MIN_RETRY_AFTER_MS = 1000;

function retryAfterHeaderMs(errors: ResponseErrors): number | undefined {
  const header = errors.response?.headers.get('retry-after');
  const seconds = header ? Number.parseFloat(header) : Number.NaN;
  return Number.isFinite(seconds) ? Math.max(MIN_RETRY_AFTER_MS, Math.ceil(seconds * 1000)) : undefined;
}

/** Turns the client's `errors` into the error Temporal should see. */
export function classifyShopifyErrors(errors: ResponseErrors, ctx: FailureContext): LedgerlineError {
  const status = errors.networkStatusCode;
  const gqlErrors = errors.graphQLErrors ?? [];
  const codes = gqlErrors.map((e) => String(e.extensions?.code ?? ''));
  const messages = gqlErrors.map((e) => e.message);
  const where = { shopDomain: ctx.shopDomain, operation: ctx.operation };

  // docs/shopify-facts.md §1: THROTTLED arrives as HTTP 200; wait (requested − available) / restoreRate.
  if (codes.includes('THROTTLED')) {
    const t = ctx.cost?.throttleStatus;
    return ShopifyThrottledError.fromCost({
      requestedQueryCost: ctx.cost?.requestedQueryCost ?? 0,
      currentlyAvailable: t?.currentlyAvailable ?? 0,
      restoreRate: t?.restoreRate ?? 0,
    });
  }
  if (status === 429) {
    return new ShopifyThrottledError(retryAfterHeaderMs(errors) ?? Math.max(MIN_RETRY_AFTER_MS, ctx.fallbackRetryAfterMs), where);
  }
  if (status === 401 || status === 403 || codes.includes('ACCESS_DENIED')) {
    const reason = messages[0] ?? (status === 403 ? 'the app lacks a required access scope' : 'invalid or revoked access token');
    return new ShopifyAuthError(`Shopify rejected the credentials for ${ctx.shopDomain} (HTTP ${status ?? 200}): ${reason}`);
  }
  if (status === undefined) {
    // No HTTP answer at all: connection refused/reset, DNS, or our request timeout.
    return new TransientUpstreamError(
      `Shopify request ${ctx.operation} failed without a response: ${errors.message ?? 'network error'}`,
      where,
    );
  }
  if (status >= 500 || codes.includes('INTERNAL_SERVER_ERROR')) {
    return new TransientUpstreamError(
      `Shopify answered ${ctx.operation} with HTTP ${status}${messages.length ? `: ${messages.join('; ')}` : ''}`,
      { ...where, status },
    );
  }
  if (gqlErrors.length > 0) {
    return new ShopifyRequestError(`Shopify rejected ${ctx.operation}: ${messages.join('; ')}`, { ...where, status, codes, messages });
  }
  return new ShopifyRequestError(`Shopify answered ${ctx.operation} with HTTP ${status}: ${errors.message ?? 'no data'}`, {
    ...where,
    status,
  });
}
