/** `webhook_deliveries`: Shopify deliveries accepted, by X-Shopify-Webhook-Id (stable across retries). */
import { and, eq, lt } from 'drizzle-orm';
import { webhookDeliveries } from '../schema';
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
