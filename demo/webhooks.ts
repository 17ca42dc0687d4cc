/**
 * Subscribes the demo shop's order topics to Ledgerline's webhook receiver, as a Shopify app does
 * after install: `webhookSubscriptionCreate` through the Admin GraphQL API (docs/shopify-facts.md §4), here
 * answered by the emulator, which then delivers signed webhooks on every order change.
 */
import type { Logger } from '../config/logger';
import type { ShopifyEmulator } from '../emulators/shopify';
import { createShopifyClient } from '../integrations/shopify/client';
import type { ShopifyPacer } from '../integrations/shopify/pacer';

/** What changes an order's books: each of these nudges the store's sync (api/routes/webhooks.ts). */
export const DEMO_WEBHOOK_TOPICS = ['ORDERS_CREATE', 'ORDERS_UPDATED', 'ORDERS_PAID', 'ORDERS_CANCELLED', 'REFUNDS_CREATE'] as const;

const SUBSCRIBE = `mutation LedgerlineWebhookSubscribe($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri, format: JSON }) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}`;

interface SubscribeResult {
  webhookSubscriptionCreate: { webhookSubscription: { id: string } | null; userErrors: Array<{ field: string[] | null; message: string }> };
}

export interface SubscribeOptions {
  apiBaseUrl: string;
  shopDomain: string;
  accessToken: string;
  callbackUrl: string;
  topics?: readonly string[];
  log: Logger;
  /** The process's Shopify pacer (main/system.ts): one cost bucket per shop per process. */
  pacer: ShopifyPacer;
}

/** Idempotent: a topic already subscribed to this address counts as done. */
export async function subscribeWebhooks(opts: SubscribeOptions): Promise<{ created: string[]; existing: string[] }> {
  const client = createShopifyClient({
    shopDomain: opts.shopDomain,
    accessToken: opts.accessToken,
    apiBaseUrl: opts.apiBaseUrl,
    pacer: opts.pacer,
    logger: opts.log,
  });
  const created: string[] = [];
  const existing: string[] = [];
  for (const topic of opts.topics ?? DEMO_WEBHOOK_TOPICS) {
    const data = await client.request<SubscribeResult>(SUBSCRIBE, { topic, uri: opts.callbackUrl });
    const { webhookSubscription, userErrors } = data.webhookSubscriptionCreate;
    if (webhookSubscription) created.push(topic);
    else if (userErrors.some((e) => /already been taken/i.test(e.message))) existing.push(topic);
    else
      throw new Error(
        `Shopify refused the ${topic} webhook subscription: ${userErrors.map((e) => e.message).join('; ') || 'no reason given'}`,
      );
  }
  return { created, existing };
}

/**
 * Drops subscriptions that point at a Ledgerline receiver on another address (an earlier run of the
 * demo on another API port), which would otherwise fail and be retried on every change. The emulator
 * runs in this process, so this edits its state directly (it does not emulate webhookSubscriptionDelete).
 */
export function dropStaleSubscriptions(shopify: ShopifyEmulator, shopDomain: string, callbackUrl: string): number {
  const shop = shopify.admin.shop(shopDomain);
  const before = shop.webhookSubscriptions.length;
  shop.webhookSubscriptions = shop.webhookSubscriptions.filter(
    (s) => s.uri === callbackUrl || !String(s.uri).endsWith('/webhooks/shopify'),
  );
  return before - shop.webhookSubscriptions.length;
}
