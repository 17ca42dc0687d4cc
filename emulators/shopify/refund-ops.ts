// Adds a refund to a stored order the way Shopify records one: refund line items (discounted
// price share and tax share of the quantity), refunded shipping, order adjustments, a REFUND
// transaction on the original gateway; then the order's totals, status and updatedAt move.
// Money equations follow the project contract: refund total = Σ(subtotal + tax) of its lines
// + Σ(subtotal + tax) of shipping + Σ(amount + tax) of adjustments = Σ its REFUND transactions.
import { gid, legacyId } from './gid';
import { restockUnits } from './inventory-moves';
import { bagCents, moneyV2, toCents } from './money';
import {
  AdminError,
  bag,
  bumpUpdatedAt,
  capturedCents,
  newTransaction,
  type OpsEnv,
  refundedCents,
  setIfStored,
  successful,
} from './order-helpers';
import type { Obj, ShopState } from './state';
import { orderPayload, refundPayload } from './webhook-payloads';
import { isoSeconds } from './time';

export interface RefundRequest {
  lineItems?: { lineItemId: string; quantity: number; restockType?: 'RETURN' | 'CANCEL' | 'NO_RESTOCK'; locationId?: string }[];
  /** `full: true` refunds what is left of every shipping line; `amount` (before tax) a part of the first. */
  shipping?: { full?: boolean; amount?: string };
  /** Signed as it affects the refund: a restocking fee is negative, a goodwill amount positive. */
  adjustments?: { amount: string; taxAmount?: string; reason?: string }[];
  note?: string;
}

/** The cents of `total` that belong to units (before, before + q] of `quantity`, rounding cumulatively. */
function share(total: number, quantity: number, before: number, q: number): number {
  const upTo = (k: number): number => Math.floor((total * k * 2 + quantity) / (2 * quantity));
  return upTo(before + q) - upTo(before);
}

const taxOf = (lines: Obj[] | undefined): number => (lines ?? []).reduce((s, t) => s + bagCents(t.priceSet), 0);

function refundLines(env: OpsEnv, shop: ShopState, order: Obj, req: RefundRequest): { nodes: Obj[]; cents: number; tax: number } {
  const nodes: Obj[] = [];
  let cents = 0;
  let tax = 0;
  for (const want of req.lineItems ?? []) {
    const li = (order.lineItems?.nodes as Obj[] | undefined)?.find(
      (l) => l.id === want.lineItemId || legacyId(l.id) === String(want.lineItemId),
    );
    if (!li) throw new AdminError(`Line item ${want.lineItemId} is not on order ${order.id}`);
    const refundable = li.refundableQuantity ?? li.quantity;
    if (!Number.isInteger(want.quantity) || want.quantity <= 0 || want.quantity > refundable) {
      throw new AdminError(`Cannot refund ${want.quantity} of line item ${li.id}: ${refundable} refundable`);
    }
    const before = li.quantity - refundable;
    const net = bagCents(li.originalUnitPriceSet) * li.quantity - bagCents(li.totalDiscountSet);
    const lineTax = share(taxOf(li.taxLines), li.quantity, before, want.quantity);
    const gross = share(net, li.quantity, before, want.quantity);
    const subtotal = order.taxesIncluded ? gross - lineTax : gross;
    const restockType = want.restockType ?? 'NO_RESTOCK';
    const restocked = restockType !== 'NO_RESTOCK';
    const locationId = restocked ? restockUnits(env, shop, li, want.quantity, restockType, want.locationId) : null;
    li.refundableQuantity = refundable - want.quantity;
    setIfStored(li, 'currentQuantity', (li.currentQuantity ?? li.quantity) - want.quantity);
    nodes.push({
      id: gid('RefundLineItem', env.nextId()),
      quantity: want.quantity,
      restockType,
      restocked,
      location: locationId ? { id: locationId } : null,
      lineItem: li,
      priceSet: li.discountedUnitPriceAfterAllDiscountsSet ?? li.originalUnitPriceSet,
      subtotalSet: bag(order, subtotal),
      totalTaxSet: bag(order, lineTax),
    });
    cents += subtotal + lineTax;
    tax += lineTax;
  }
  return { nodes, cents, tax };
}

function refundShipping(env: OpsEnv, order: Obj, req: RefundRequest): { nodes: Obj[]; cents: number; tax: number } {
  if (!req.shipping) return { nodes: [], cents: 0, tax: 0 };
  const nodes: Obj[] = [];
  let partial = req.shipping.amount === undefined ? undefined : toCents(req.shipping.amount);
  for (const line of (order.shippingLines?.nodes as Obj[] | undefined) ?? []) {
    const tax = taxOf(line.taxLines);
    const subtotal = bagCents(line.discountedPriceSet) - (order.taxesIncluded ? tax : 0);
    const done = ((order.refunds as Obj[]) ?? [])
      .flatMap((r) => r.refundShippingLines?.nodes ?? [])
      .filter((r: Obj) => r.shippingLine?.id === line.id);
    const leftSubtotal = subtotal - done.reduce((s: number, r: Obj) => s + bagCents(r.subtotalAmountSet), 0);
    const leftTax = tax - done.reduce((s: number, r: Obj) => s + bagCents(r.taxAmountSet), 0);
    if (leftSubtotal <= 0 && leftTax <= 0) continue;
    let sub = leftSubtotal;
    let t = leftTax;
    if (partial !== undefined) {
      if (partial > leftSubtotal) throw new AdminError(`Cannot refund ${req.shipping.amount} of shipping: ${leftSubtotal / 100} left`);
      sub = partial;
      t = subtotal === 0 ? 0 : Math.min(leftTax, Math.round((tax * partial) / subtotal));
    }
    nodes.push({
      id: gid('RefundShippingLine', env.nextId()),
      shippingLine: line,
      subtotalAmountSet: bag(order, sub),
      taxAmountSet: bag(order, t),
    });
    if (partial !== undefined) {
      partial = undefined;
      break;
    }
  }
  return {
    nodes,
    cents: nodes.reduce((s, n) => s + bagCents(n.subtotalAmountSet) + bagCents(n.taxAmountSet), 0),
    tax: nodes.reduce((s, n) => s + bagCents(n.taxAmountSet), 0),
  };
}

/** The gateway that took the most money: refunds go back there, as the parent transaction. */
function mainPayment(order: Obj): Obj | undefined {
  return ((order.transactions as Obj[]) ?? [])
    .filter((t) => successful(t) && (t.kind === 'SALE' || t.kind === 'CAPTURE'))
    .sort((a, b) => bagCents(b.amountSet) - bagCents(a.amountSet))[0];
}

export function addRefund(env: OpsEnv, shop: ShopState, order: Obj, req: RefundRequest): Obj {
  const lines = refundLines(env, shop, order, req);
  const shipping = refundShipping(env, order, req);
  const adjustments = (req.adjustments ?? []).map((a) => ({
    id: gid('OrderAdjustment', env.nextId()),
    reason: a.reason ?? 'REFUND_DISCREPANCY',
    amountSet: bag(order, toCents(a.amount)),
    taxAmountSet: bag(order, toCents(a.taxAmount ?? '0')),
  }));
  const total = lines.cents + shipping.cents + adjustments.reduce((s, a) => s + bagCents(a.amountSet) + bagCents(a.taxAmountSet), 0);
  const available = capturedCents(order) - refundedCents(order);
  if (total > available) throw new AdminError(`Refund of ${total / 100} exceeds the ${available / 100} that can still be refunded`);
  const parent = mainPayment(order);
  const transactions =
    total > 0 && parent ? [newTransaction(env, order, { kind: 'REFUND', gateway: parent.gateway, cents: total, parentId: parent.id })] : [];
  const now = isoSeconds(env.now());
  const refund = {
    id: gid('Refund', env.nextId()),
    createdAt: now,
    processedAt: now,
    updatedAt: now,
    note: req.note ?? null,
    order: { id: order.id },
    totalRefundedSet: bag(order, total),
    refundLineItems: { nodes: lines.nodes },
    refundShippingLines: { nodes: shipping.nodes },
    orderAdjustments: { nodes: adjustments },
    transactions: { nodes: transactions },
    duties: [],
    return: null,
    staffMember: null,
  };
  order.refunds = [...(order.refunds ?? []), refund];
  order.transactions = [...(order.transactions ?? []), ...transactions];
  const refunded = refundedCents(order);
  order.totalRefundedSet = bag(order, refunded);
  setIfStored(order, 'currentTotalPriceSet', bag(order, Math.max(0, bagCents(order.totalPriceSet) - refunded)));
  setIfStored(order, 'currentTotalTaxSet', bag(order, bagCents(order.currentTotalTaxSet) - lines.tax - shipping.tax));
  order.displayFinancialStatus = refunded >= capturedCents(order) ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  bumpUpdatedAt(order, env.now());
  recordPaymentsRefund(env, shop, order, transactions);
  env.emit(shop, 'REFUNDS_CREATE', refundPayload(order, refund));
  env.emit(shop, 'ORDERS_UPDATED', orderPayload(order));
  return refund;
}

/** A Shopify Payments refund also debits the payments balance (not yet in any payout). */
function recordPaymentsRefund(env: OpsEnv, shop: ShopState, order: Obj, transactions: Obj[]): void {
  for (const tx of transactions.filter((t) => t.gateway === 'shopify_payments')) {
    const cents = -bagCents(tx.amountSet);
    const id = gid('ShopifyPaymentsBalanceTransaction', env.nextId());
    shop.balanceTransactions.set(id, {
      id,
      type: 'REFUND',
      test: order.test ?? false,
      transactionDate: tx.processedAt,
      sourceType: 'REFUND',
      sourceId: legacyId(tx.id),
      sourceOrderTransactionId: legacyId(tx.id),
      adjustmentReason: null,
      adjustmentsOrders: [],
      amount: moneyV2(cents, order.currencyCode),
      fee: moneyV2(0, order.currencyCode),
      net: moneyV2(cents, order.currencyCode),
      associatedOrder: { id: order.id, name: order.name },
      associatedPayout: { id: null, status: 'PENDING' },
    });
  }
}
