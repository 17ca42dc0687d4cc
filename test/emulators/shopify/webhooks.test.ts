// Webhook subscriptions and at-least-once delivery with Shopify's headers (docs/shopify-facts.md §4).
import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShopifyEmulator } from '../../../emulators/shopify';
import { adminPost, clientFor, errorsOf, seedFolder, SHOP, startEmulator } from './helpers';
import { startReceiver } from './receiver';

const SECRET = 'test-client-secret';
let emu: ShopifyEmulator | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  await emu?.close();
  await receiver?.close();
  emu = undefined;
  receiver = undefined;
});

function validHmac(rawBody: string, header: string | string[] | undefined): boolean {
  const expected = crypto.createHmac('sha256', SECRET).update(rawBody, 'utf8').digest();
  const given = Buffer.from(String(header), 'base64');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

async function subscribe(topic: string, uri: string): Promise<void> {
  const res: any = await clientFor(emu!).request(
    'mutation($topic: WebhookSubscriptionTopic!, $uri: String!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri, format: JSON }) { webhookSubscription { id topic uri format } userErrors { field message } } }',
    { variables: { topic, uri } },
  );
  expect(errorsOf(res)).toEqual([]);
  expect(res.data.webhookSubscriptionCreate.userErrors).toEqual([]);
  expect(res.data.webhookSubscriptionCreate.webhookSubscription).toMatchObject({ topic, uri, format: 'JSON' });
}

function paidOrderWithLine(shop: ReturnType<typeof seedFolder>['shop']) {
  return shop.orders.find(
    (o) =>
      o.displayFinancialStatus === 'PAID' &&
      o.lineItems.nodes.some((l: any) => !l.isGiftCard && l.quantity > 0) &&
      o.transactions.some((t: any) => t.kind !== 'AUTHORIZATION'),
  )!;
}

describe('webhooks', () => {
  it("delivers refunds/create and orders/updated with a valid HMAC and Shopify's headers", async () => {
    const seed = seedFolder();
    receiver = await startReceiver();
    emu = await startEmulator({ seedDir: seed.dir, webhookSecret: SECRET });
    await subscribe('REFUNDS_CREATE', receiver.url);
    await subscribe('ORDERS_UPDATED', receiver.url);
    const order = paidOrderWithLine(seed.shop);
    const line = order.lineItems.nodes.find((l: any) => !l.isGiftCard);
    const refund = await adminPost(emu, `/_emulator/shops/${SHOP}/orders/${order.legacyResourceId}/refunds`, {
      lineItems: [{ lineItemId: line.id, quantity: 1 }],
    });
    expect(refund.status).toBe(201);
    await emu.admin.webhooksIdle();
    const topics = receiver.deliveries.map((d) => d.headers['x-shopify-topic']);
    expect(topics).toEqual(['refunds/create', 'orders/updated']);
    for (const d of receiver.deliveries) {
      expect(validHmac(d.rawBody, d.headers['x-shopify-hmac-sha256'])).toBe(true);
      expect(d.headers['x-shopify-shop-domain']).toBe(SHOP);
      expect(d.headers['x-shopify-api-version']).toBe('2026-10');
      expect(d.headers['x-shopify-webhook-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(String(d.headers['x-shopify-triggered-at']))).not.toBeNaN();
    }
    const updated = JSON.parse(receiver.deliveries[1]!.rawBody);
    expect(updated).toMatchObject({
      id: Number(order.legacyResourceId),
      admin_graphql_api_id: order.id,
      name: order.name,
      financial_status: 'partially_refunded',
    });
    expect(updated.updated_at > order.updatedAt).toBe(true);
    expect(JSON.parse(receiver.deliveries[0]!.rawBody)).toMatchObject({
      order_id: Number(order.legacyResourceId),
      admin_graphql_api_id: refund.json.result.id,
    });
    expect(validHmac(receiver.deliveries[0]!.rawBody.replace('}', ' }'), receiver.deliveries[0]!.headers['x-shopify-hmac-sha256'])).toBe(
      false,
    );
  });

  it('retries a failed delivery with backoff and the same webhook id until the receiver accepts it', async () => {
    receiver = await startReceiver(2);
    emu = await startEmulator({ webhookSecret: SECRET, webhookRetry: { baseDelayMs: 20 } });
    await subscribe('ORDERS_CREATE', receiver.url);
    emu.admin.upsertOrders(SHOP, [
      { id: 'gid://shopify/Order/77', name: '#77', createdAt: '2026-11-01T00:00:00Z', updatedAt: '2026-11-01T00:00:00Z' },
    ]);
    await emu.admin.webhooksIdle();
    expect(receiver.deliveries.map((d) => d.answered)).toEqual([500, 500, 200]);
    const ids = new Set(receiver.deliveries.map((d) => d.headers['x-shopify-webhook-id']));
    expect(ids.size).toBe(1);
    expect(new Set(receiver.deliveries.map((d) => d.rawBody)).size).toBe(1);
    expect(receiver.deliveries.every((d) => validHmac(d.rawBody, d.headers['x-shopify-hmac-sha256']))).toBe(true);
    expect(emu.admin.webhookDeliveries()).toMatchObject([
      { topic: 'orders/create', attempts: 3, status: 'delivered', lastStatusCode: 200 },
    ]);
  });

  it('gives up after the bounded number of retries', async () => {
    receiver = await startReceiver(100);
    emu = await startEmulator({ webhookSecret: SECRET, webhookRetry: { retries: 2, baseDelayMs: 5 } });
    await subscribe('ORDERS_CREATE', receiver.url);
    emu.admin.upsertOrders(SHOP, [{ id: 'gid://shopify/Order/78', name: '#78', createdAt: '2026-11-01T00:00:00Z' }]);
    await emu.admin.webhooksIdle();
    expect(receiver.deliveries).toHaveLength(3);
    expect(emu.admin.webhookDeliveries()).toMatchObject([{ attempts: 3, status: 'failed', lastStatusCode: 500 }]);
  });
});
