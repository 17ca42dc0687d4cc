// Webhook delivery (docs/shopify-facts.md §4): REST-named topic, base64 HMAC-SHA256 of the raw body keyed
// with the app's client secret, the same X-Shopify-Webhook-Id on every retry of one event,
// at-least-once delivery with bounded retries and exponential backoff (fast, in emulator time).
import crypto from 'node:crypto';
import type { Obj, ShopState } from './state';

export interface WebhookRetryOptions {
  /** Retries after the first attempt (Shopify: 8, docs/shopify-facts.md §4). */
  retries: number;
  /** First retry delay; doubles each time. */
  baseDelayMs: number;
  /** A receiver must answer within 5 s (docs/shopify-facts.md §4). */
  timeoutMs: number;
}

export interface DeliveryRecord {
  webhookId: string;
  topic: string;
  shop: string;
  uri: string;
  attempts: number;
  status: 'pending' | 'delivered' | 'failed';
  lastStatusCode: number | null;
  lastError: string | null;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetryOptions = { retries: 8, baseDelayMs: 100, timeoutMs: 5000 };

/** ORDERS_UPDATED → orders/updated, ORDER_TRANSACTIONS_CREATE → order_transactions/create. */
export function restTopic(graphqlTopic: string): string {
  const cut = graphqlTopic.lastIndexOf('_');
  return `${graphqlTopic.slice(0, cut)}/${graphqlTopic.slice(cut + 1)}`.toLowerCase();
}

export function webhookHmac(secret: string, rawBody: string): string {
  return crypto.createHmac('sha256', secret).update(rawBody, 'utf8').digest('base64');
}

export class WebhookDispatcher {
  readonly deliveries: DeliveryRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly opts: { secret: string; retry: WebhookRetryOptions; now: () => Date; onError?: (msg: string) => void }) {}

  emit(shop: ShopState, graphqlTopic: string, payload: Obj): void {
    const subs = shop.webhookSubscriptions.filter((s) => s.topic === graphqlTopic);
    if (subs.length === 0 || this.closed) return;
    const body = JSON.stringify(payload);
    const triggeredAt = this.opts.now().toISOString();
    for (const sub of subs) {
      const record: DeliveryRecord = {
        webhookId: crypto.randomUUID(),
        topic: restTopic(graphqlTopic),
        shop: shop.domain,
        uri: sub.uri,
        attempts: 0,
        status: 'pending',
        lastStatusCode: null,
        lastError: null,
      };
      this.deliveries.push(record);
      const headers = {
        'Content-Type': 'application/json',
        'X-Shopify-Hmac-SHA256': webhookHmac(this.opts.secret, body),
        'X-Shopify-Topic': record.topic,
        'X-Shopify-Shop-Domain': shop.domain,
        'X-Shopify-API-Version': sub.apiVersion?.handle ?? '2026-10',
        'X-Shopify-Webhook-Id': record.webhookId,
        'X-Shopify-Event-Id': crypto.randomUUID(),
        'X-Shopify-Triggered-At': triggeredAt,
      };
      this.pending++;
      void this.attempt(record, headers, body);
    }
  }

  private async attempt(record: DeliveryRecord, headers: Record<string, string>, body: string): Promise<void> {
    record.attempts++;
    try {
      const res = await fetch(record.uri, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.opts.retry.timeoutMs) });
      record.lastStatusCode = res.status;
      await res.arrayBuffer();
      if (res.ok) return this.settle(record, 'delivered');
      record.lastError = `HTTP ${res.status}`;
    } catch (err) {
      record.lastError = err instanceof Error ? err.message : String(err);
    }
    if (this.closed || record.attempts > this.opts.retry.retries) {
      this.opts.onError?.(`webhook ${record.topic} to ${record.uri} failed after ${record.attempts} attempts: ${record.lastError}`);
      return this.settle(record, 'failed');
    }
    const delay = this.opts.retry.baseDelayMs * 2 ** (record.attempts - 1);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(record, headers, body);
    }, delay);
    this.timers.add(timer);
  }

  private settle(record: DeliveryRecord, status: 'delivered' | 'failed'): void {
    record.status = status;
    this.pending--;
    if (this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves once every delivery so far has succeeded or given up. */
  idle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.deliveries) if (r.status === 'pending') r.status = 'failed';
    this.pending = 0;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
