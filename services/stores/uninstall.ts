/**
 * Confirms an `app/uninstalled` webhook with Shopify before anything is disconnected: a signed body can
 * be captured and replayed, but only Shopify can say the app's access token is revoked. The shop is read
 * with the store's own token (`shop { … }`, one cost point); Shopify answers 401/403 once the app is
 * uninstalled (docs/shopify-facts.md §4).
 */
import { ShopifyAuthError } from '../../domain/errors';
import { getStoreWithShopifyToken } from '../../db/queries/stores';
import { createShopifyClient } from '../../integrations/shopify/client';
import { HttpError } from '../errors';
import type { StoreContext } from './context';

// Shopify wants a webhook answered within 5 s (docs/shopify-facts.md §4); the read is well under 1 s.
const UNINSTALL_CHECK_TIMEOUT_MS = 3_000;

export type UninstallCheck = 'uninstalled' | 'still_installed';

/**
 * 'uninstalled' when Shopify refuses the store's token (401/403), 'still_installed' when it answers.
 * A Shopify that cannot be reached is a 503, so Shopify retries the delivery later.
 */
export async function confirmAppUninstalled(ctx: StoreContext, storeId: string): Promise<UninstallCheck> {
  const row = await getStoreWithShopifyToken(ctx.db, { storeId });
  // Every connected store has credentials (connect writes both); without them nothing can be asked.
  if (!row)
    throw new HttpError(409, 'store_without_credentials', `Store ${storeId} has no Shopify credentials to confirm the uninstall with`);
  const client = createShopifyClient({
    shopDomain: row.store.shopDomain,
    accessToken: ctx.cipher.decrypt(row.shopifyTokenEnc),
    pacer: ctx.pacer,
    logger: ctx.log,
    timeoutMs: UNINSTALL_CHECK_TIMEOUT_MS,
    ...(ctx.shopifyApiBaseUrl ? { apiBaseUrl: ctx.shopifyApiBaseUrl } : {}),
  });
  try {
    await client.shopInfo();
    return 'still_installed';
  } catch (err) {
    if (err instanceof ShopifyAuthError) return 'uninstalled';
    ctx.log.warn({ err, storeId }, 'could not confirm an app/uninstalled webhook with Shopify');
    throw new HttpError(
      503,
      'shopify_unavailable',
      'Could not confirm the uninstall with Shopify; the webhook was not processed (Shopify will retry it)',
    );
  }
}
