/**
 * Checks a Shopify access token at connect (and credential replacement) time by reading the shop, and
 * turns the client's typed errors into precise API answers. The token is never part of a message.
 */
import { isLedgerlineError, ShopifyAuthError, ShopifyThrottledError, TransientUpstreamError } from '../../domain/errors';
import { createShopifyClient, type ShopifyShopInfo } from '../../integrations/shopify/client';
import { HttpError } from '../errors';
import type { StoreContext } from './context';

// A person is waiting on the answer; Shopify answers `shop` in well under a second when it is up.
const SHOPIFY_CHECK_TIMEOUT_MS = 15_000;

export function shopifyHttpError(err: unknown, shopDomain: string): unknown {
  if (err instanceof ShopifyAuthError) return new HttpError(422, 'shopify_rejected', err.message);
  if (err instanceof TransientUpstreamError || err instanceof ShopifyThrottledError) {
    return new HttpError(
      502,
      'shopify_unavailable',
      `Could not check the Shopify credentials of ${shopDomain}: ${err.message}. Try again.`,
    );
  }
  if (isLedgerlineError(err) && err.code === 'shopify_request') {
    // e.g. HTTP 404 for a shop that does not exist.
    return new HttpError(422, 'shopify_rejected', `Shopify refused to read ${shopDomain}: ${err.message}`);
  }
  return err;
}

/** Reads the shop with `accessToken`; 422 `shopify_rejected` when Shopify refuses it or it is another shop's. */
export async function checkShopify(ctx: StoreContext, shopDomain: string, accessToken: string): Promise<ShopifyShopInfo> {
  const client = createShopifyClient({
    shopDomain,
    accessToken,
    pacer: ctx.pacer,
    logger: ctx.log,
    timeoutMs: SHOPIFY_CHECK_TIMEOUT_MS,
    ...(ctx.shopifyApiBaseUrl ? { apiBaseUrl: ctx.shopifyApiBaseUrl } : {}),
  });
  let info: ShopifyShopInfo;
  try {
    info = await client.shopInfo();
  } catch (err) {
    throw shopifyHttpError(err, shopDomain);
  }
  if (info.myshopifyDomain.toLowerCase() !== shopDomain) {
    throw new HttpError(422, 'shopify_rejected', `The Shopify access token belongs to ${info.myshopifyDomain}, not ${shopDomain}`);
  }
  return info;
}
