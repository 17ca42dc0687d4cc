/**
 * The API secret key of a shop's own custom app (`store_credentials.shopify_api_secret_enc`, an AES-256-GCM
 * envelope), looked up by shop domain to verify the shop's webhooks (api/routes/webhooks.ts), with the previous
 * secret while a rotation is in progress.
 */
import { and, eq, isNotNull } from 'drizzle-orm';
import { storeCredentials, stores } from '../schema';
import type { Executor } from './executor';

export interface ShopSecretEnvelopes {
  current: string;
  /** The secret it replaced, while the rotation window is open at `at`. */
  previous?: string;
}

/** The envelopes of the shop's own API secret; undefined when the shop is not connected or has none. */
export async function findShopApiSecret(db: Executor, p: { shopDomain: string; at: Date }): Promise<ShopSecretEnvelopes | undefined> {
  const [row] = await db
    .select({
      enc: storeCredentials.shopifyApiSecretEnc,
      previous: storeCredentials.shopifyApiSecretPreviousEnc,
      until: storeCredentials.shopifyApiSecretPreviousUntil,
    })
    .from(stores)
    .innerJoin(storeCredentials, eq(storeCredentials.storeId, stores.id))
    .where(eq(stores.shopDomain, p.shopDomain))
    .limit(1);
  if (!row?.enc) return undefined;
  const open = row.previous !== null && row.until !== null && row.until.getTime() > p.at.getTime();
  return open ? { current: row.enc, previous: row.previous! } : { current: row.enc };
}

/**
 * Ends a rotation window: a delivery signed with the new secret shows Shopify signs with it now. Only the
 * window that was open is closed (a rotation begun meanwhile keeps its own). Returns whether one was closed.
 */
export async function retirePreviousShopApiSecret(db: Executor, p: { shopDomain: string; current: string }): Promise<boolean> {
  const [store] = await db.select({ id: stores.id }).from(stores).where(eq(stores.shopDomain, p.shopDomain)).limit(1);
  if (!store) return false;
  const done = await db
    .update(storeCredentials)
    .set({ shopifyApiSecretPreviousEnc: null, shopifyApiSecretPreviousUntil: null })
    .where(
      and(
        eq(storeCredentials.storeId, store.id),
        eq(storeCredentials.shopifyApiSecretEnc, p.current),
        isNotNull(storeCredentials.shopifyApiSecretPreviousEnc),
      ),
    )
    .returning({ id: storeCredentials.storeId });
  return done.length > 0;
}
