/** `webhook_deliveries`: Shopify deliveries accepted, by X-Shopify-Webhook-Id (stable across retries). */
import { and, eq, lt, ne } from 'drizzle-orm';
import { ledgerEntries, stores, webhookDeliveries } from '../schema';
import type { Executor } from './executor';

/** Records a delivery; false when it was recorded before (a repeat). */
export async function recordWebhookDelivery(db: Executor, p: { webhookId: string; shopDomain: string; topic: string }): Promise<boolean> {
  const inserted = await db
    .insert(webhookDeliveries)
    .values({ webhookId: p.webhookId, shopDomain: p.shopDomain, topic: p.topic })
    .onConflictDoNothing()
    .returning({ webhookId: webhookDeliveries.webhookId });
  return inserted.length > 0;
}

/** Forgets a delivery that was not acted on, so Shopify's retry of it is processed. */
export async function forgetWebhookDelivery(db: Executor, p: { webhookId: string; shopDomain: string }): Promise<void> {
  await db
    .delete(webhookDeliveries)
    .where(and(eq(webhookDeliveries.webhookId, p.webhookId), eq(webhookDeliveries.shopDomain, p.shopDomain)));
}

export async function pruneWebhookDeliveries(db: Executor, p: { receivedBefore: Date }): Promise<void> {
  await db.delete(webhookDeliveries).where(lt(webhookDeliveries.receivedAt, p.receivedBefore));
}

/**
 * Whether another store's ledger holds `sourceKey` (Shopify gids are unique across shops, so an order
 * booked for another store is not this shop's). Joined through `stores` so each lookup uses the ledger's
 * primary key (store_id, source_key, …) once per store instead of scanning the ledger.
 */
export async function sourceBookedForAnotherStore(db: Executor, p: { storeId: string; sourceKey: string }): Promise<boolean> {
  const rows = await db
    .select({ storeId: ledgerEntries.storeId })
    .from(stores)
    .innerJoin(ledgerEntries, and(eq(ledgerEntries.storeId, stores.id), eq(ledgerEntries.sourceKey, p.sourceKey)))
    .where(ne(stores.id, p.storeId))
    .limit(1);
  return rows.length > 0;
}
