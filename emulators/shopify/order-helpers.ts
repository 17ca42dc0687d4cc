// Small shared pieces of the admin operations on stored orders.
import { gid } from './gid';
import { bagCents, moneyBag } from './money';
import type { Obj, ShopState } from './state';
import { isoSeconds } from './time';

export interface OpsEnv {
  now(): Date;
  nextId(): number;
  emit(shop: ShopState, topic: string, payload: Obj): void;
}

export class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** updatedAt (to the second, as Shopify's) moves forward on every change, even within one second. */
export function bumpUpdatedAt(order: Obj, now: Date): void {
  const prev = Date.parse(order.updatedAt ?? '') || 0;
  order.updatedAt = isoSeconds(Math.max(now.getTime(), prev + 1000));
}

export const successful = (t: Obj): boolean => t.status === 'SUCCESS';

/** Cents captured: successful SALE and CAPTURE transactions. */
export function capturedCents(order: Obj): number {
  return ((order.transactions as Obj[]) ?? [])
    .filter((t) => successful(t) && (t.kind === 'SALE' || t.kind === 'CAPTURE'))
    .reduce((sum, t) => sum + bagCents(t.amountSet), 0);
}

export function refundedCents(order: Obj): number {
  return ((order.refunds as Obj[]) ?? []).reduce((sum, r) => sum + bagCents(r.totalRefundedSet), 0);
}

export function currencyOf(order: Obj): { shop: string; presentment: string } {
  return { shop: order.currencyCode, presentment: order.presentmentCurrencyCode ?? order.currencyCode };
}

/** A MoneyBag in the order's currencies; presentment equals shop money (single-currency orders). */
export function bag(order: Obj, cents: number): Obj {
  const c = currencyOf(order);
  return moneyBag(cents, c.shop, { cents, currencyCode: c.presentment === c.shop ? c.shop : c.presentment });
}

export function newTransaction(
  env: OpsEnv,
  order: Obj,
  fields: { kind: string; gateway: string; cents: number; parentId?: string; fees?: Obj[] },
): Obj {
  return {
    id: gid('OrderTransaction', env.nextId()),
    kind: fields.kind,
    status: 'SUCCESS',
    gateway: fields.gateway,
    formattedGateway: formatGateway(fields.gateway),
    processedAt: isoSeconds(env.now()),
    test: order.test ?? false,
    parentTransaction: fields.parentId ? { id: fields.parentId } : null,
    amountSet: bag(order, fields.cents),
    fees: fields.fees ?? [],
  };
}

export function formatGateway(gateway: string): string {
  const names: Record<string, string> = {
    shopify_payments: 'Shopify Payments',
    paypal: 'PayPal',
    manual: 'Manual',
    gift_card: 'Gift card',
  };
  return names[gateway] ?? gateway;
}

export function setIfStored(obj: Obj, field: string, value: unknown): void {
  if (Object.prototype.hasOwnProperty.call(obj, field)) obj[field] = value;
}

/**
 * A tip as Shopify records it: a line item of its own — the TipSale agreement's `lineItem`, with no variant, title
 * "Tip", untaxed, nothing to ship, quantity 1 — besides the order's `totalTipReceivedSet`
 * (https://shopify.dev/docs/api/admin-graphql/latest/objects/TipSale,
 * https://shopify.dev/docs/api/admin-graphql/latest/objects/Order#field-totalTipReceivedSet; docs/shopify-facts.md §2 "Tips").
 */
export function tipLineItem(id: string, cents: number, currency: string): Obj {
  const price = moneyBag(cents, currency);
  return {
    id,
    sku: null,
    name: 'Tip',
    title: 'Tip',
    variantTitle: null,
    vendor: null,
    isGiftCard: false,
    quantity: 1,
    currentQuantity: 1,
    refundableQuantity: 1,
    requiresShipping: false,
    taxable: false,
    variant: null,
    originalUnitPriceSet: price,
    discountedUnitPriceAfterAllDiscountsSet: price,
    totalDiscountSet: moneyBag(0, currency),
    discountAllocations: [],
    taxLines: [],
  };
}

const isTipLine = (l: Obj): boolean => l?.variant === null && l?.title === 'Tip' && l?.taxable === false && l?.requiresShipping === false;

/**
 * A stored order with a tip and no tip line item gets one, as every tipped Shopify order has: seeds written
 * before tips were modelled as line items (only `totalTipReceivedSet`) read back like real Shopify orders.
 */
export function ensureTipLineItem(env: OpsEnv, order: Obj): void {
  const cents = bagCents(order.totalTipReceivedSet);
  const lines: unknown = Array.isArray(order.lineItems) ? order.lineItems : order.lineItems?.nodes;
  if (cents === 0 || !Array.isArray(lines) || lines.some(isTipLine)) return;
  lines.push(tipLineItem(gid('LineItem', env.nextId()), cents, order.currencyCode));
}
