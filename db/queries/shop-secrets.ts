/**
 * The API secret key of a shop's own custom app (`store_credentials.shopify_api_secret_enc`, an AES-256-GCM
 * envelope), looked up by shop domain to verify the shop's webhooks (api/routes/webhooks.ts).
 */
import { eq } from 'drizzle-orm';
import { storeCredentials, stores } from '../schema';
import type { Executor } from './executor';

/** The envelope of the shop's own API secret; undefined when the shop is not connected or has none. */
export async function findShopApiSecret(db: Executor, p: { shopDomain: string }): Promise<string | undefined> {
  const [row] = await db
    .select({ enc: storeCredentials.shopifyApiSecretEnc })
    .from(stores)
    .innerJoin(storeCredentials, eq(storeCredentials.storeId, stores.id))
    .where(eq(stores.shopDomain, p.shopDomain))
    .limit(1);
  return row?.enc ?? undefined;
}
