// Admin operations on a shop's data: add/replace orders, mark an unpaid order paid, cancel an
// order; add payouts, balance transactions and products. Each change fires the webhooks Shopify
// would (docs/shopify-facts.md §4 topics).
import { transactionFee } from './fees';
import { gidType } from './gid';
import { bagCents } from './money';
import {
  AdminError,
  bumpUpdatedAt,
  capturedCents,
  ensureTipLineItem,
  newTransaction,
  type OpsEnv,
  setIfStored,
  successful,
} from './order-helpers';
import { placeOrders, releaseOrder } from './inventory-moves';
import { addRefund } from './refund-ops';
import { putProduct, type Obj, type ShopState } from './state';
import { orderPayload } from './webhook-payloads';
import { isoSeconds, orderTimesToSeconds } from './time';

function requireGid(obj: Obj, type: string): void {
  if (gidType(obj?.id) !== type) throw new AdminError(`Expected a ${type} with id gid://shopify/${type}/…, got ${JSON.stringify(obj?.id)}`);
}

/**
 * Adds or replaces orders; a replaced order's updatedAt moves unless the new one states it, and stated timestamps
 * lose any fraction of a second (Shopify keeps whole seconds, `orderTimesToSeconds`). A new order is placed:
 * its tracked lines take stock (inventory-moves.ts `placeOrders`, refused as a whole when a DENY variant would be
 * oversold); a replaced one is a correction of stored data and moves no stock.
 */
export function upsertOrders(env: OpsEnv, shop: ShopState, orders: Obj[]): Obj[] {
  for (const o of orders) requireGid(o, 'Order');
  const fresh = orders.filter((o, i) => !shop.orders.has(o.id) && orders.findIndex((x) => x.id === o.id) === i);
  placeOrders(env, shop, fresh);
  return orders.map((input) => {
    const order = structuredClone(input);
    orderTimesToSeconds(order);
    ensureTipLineItem(env, order);
    const existing = shop.orders.get(order.id);
    if (existing && order.updatedAt === undefined) {
      order.updatedAt = existing.updatedAt;
      bumpUpdatedAt(order, env.now());
    }
    order.updatedAt ??= order.createdAt ?? isoSeconds(env.now());
    shop.orders.set(order.id, order);
    env.emit(shop, existing ? 'ORDERS_UPDATED' : 'ORDERS_CREATE', orderPayload(order));
    return order;
  });
}

export function getOrder(shop: ShopState, id: string): Obj {
  const order = shop.orders.get(id) ?? shop.orders.get(`gid://shopify/Order/${id}`);
  if (!order) throw new AdminError(`Order ${id} not found in ${shop.domain}`, 404);
  return order;
}

/**
 * Captures what is still owed on an unpaid order: a CAPTURE of an open authorization, else a SALE
 * (gateway "manual" by default); the order becomes PAID and its updatedAt moves.
 */
export function markPaid(env: OpsEnv, shop: ShopState, order: Obj, opts: { gateway?: string } = {}): Obj {
  if (order.cancelledAt) throw new AdminError(`Order ${order.id} is cancelled`);
  const owed = bagCents(order.totalPriceSet) - capturedCents(order);
  if (owed <= 0) throw new AdminError(`Order ${order.id} has nothing left to pay`);
  const txs: Obj[] = order.transactions ?? [];
  const auth = txs.find((t) => successful(t) && t.kind === 'AUTHORIZATION' && !txs.some((c) => c.parentTransaction?.id === t.id));
  const gateway = opts.gateway ?? auth?.gateway ?? 'manual';
  const fees = gateway === 'shopify_payments' ? [transactionFee(env.nextId(), owed, order.currencyCode)] : [];
  const tx = newTransaction(env, order, { kind: auth ? 'CAPTURE' : 'SALE', gateway, cents: owed, parentId: auth?.id, fees });
  order.transactions = [...txs, tx];
  order.displayFinancialStatus = 'PAID';
  if (Array.isArray(order.paymentGatewayNames) && !order.paymentGatewayNames.includes(gateway)) order.paymentGatewayNames.push(gateway);
  bumpUpdatedAt(order, env.now());
  env.emit(shop, 'ORDERS_PAID', orderPayload(order));
  env.emit(shop, 'ORDER_TRANSACTIONS_CREATE', {
    id: Number(tx.id.split('/').pop()),
    admin_graphql_api_id: tx.id,
    order_id: Number(order.id.split('/').pop()),
    kind: String(tx.kind).toLowerCase(),
    status: 'success',
    gateway,
    amount: tx.amountSet.shopMoney.amount,
  });
  env.emit(shop, 'ORDERS_UPDATED', orderPayload(order));
  return tx;
}

/**
 * Cancels an order: an unpaid one is voided; a paid one is refunded in full (lines restocked). Units still committed
 * to it go back to available either way.
 */
export function cancelOrder(env: OpsEnv, shop: ShopState, order: Obj, opts: { reason?: string } = {}): Obj {
  if (order.cancelledAt) throw new AdminError(`Order ${order.id} is already cancelled`);
  if (capturedCents(order) > 0) {
    const lineItems = ((order.lineItems?.nodes ?? []) as Obj[])
      .filter((li) => (li.refundableQuantity ?? li.quantity) > 0)
      .map((li) => ({ lineItemId: li.id, quantity: li.refundableQuantity ?? li.quantity, restockType: 'CANCEL' as const }));
    addRefund(env, shop, order, { lineItems, shipping: { full: true }, note: 'Order cancelled' });
  } else {
    const auths = ((order.transactions ?? []) as Obj[]).filter((t) => successful(t) && t.kind === 'AUTHORIZATION');
    order.transactions = [
      ...(order.transactions ?? []),
      ...auths.map((a) => newTransaction(env, order, { kind: 'VOID', gateway: a.gateway, cents: bagCents(a.amountSet), parentId: a.id })),
    ];
    order.displayFinancialStatus = 'VOIDED';
  }
  releaseOrder(env, shop, order);
  order.cancelledAt = isoSeconds(env.now());
  order.cancelReason = opts.reason ?? 'OTHER';
  setIfStored(order, 'closed', true);
  setIfStored(order, 'closedAt', order.cancelledAt);
  bumpUpdatedAt(order, env.now());
  env.emit(shop, 'ORDERS_CANCELLED', orderPayload(order));
  env.emit(shop, 'ORDERS_UPDATED', orderPayload(order));
  return order;
}

export function addPayouts(shop: ShopState, payouts: Obj[]): void {
  for (const p of payouts) requireGid(p, 'ShopifyPaymentsPayout');
  for (const p of payouts) shop.payouts.set(p.id, structuredClone(p));
}

export function addBalanceTransactions(shop: ShopState, txs: Obj[]): void {
  for (const t of txs) requireGid(t, 'ShopifyPaymentsBalanceTransaction');
  for (const t of txs) shop.balanceTransactions.set(t.id, structuredClone(t));
}

export function addProducts(shop: ShopState, products: Obj[]): void {
  for (const p of products) requireGid(p, 'Product');
  for (const p of products) putProduct(shop, structuredClone(p));
}
