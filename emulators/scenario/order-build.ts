// One generated order in the Admin GraphQL shape: lines and totals from order-lines, a customer
// and addresses, and the payment transactions (Shopify Payments ones carry fees).
import { transactionFee } from '../shopify/fees';
import { gid } from '../shopify/gid';
import { moneyBag } from '../shopify/money';
import { newTransaction, type OpsEnv, tipLineItem } from '../shopify/order-helpers';
import type { Obj } from '../shopify/state';
import { isoSeconds } from '../shopify/time';
import { draftLines, type LineContext, lineNodes, lineTotals } from './order-lines';
import type { RegionInfo } from './regions';

export interface OrderContext extends LineContext {
  region: RegionInfo;
  env: OpsEnv;
  setNow(ms: number): void;
  customers: Obj[];
}
export type PaymentState = 'paid' | 'unpaid' | 'authorized';

const FIRST = [
  'Ada',
  'Ben',
  'Chloé',
  'Dev',
  'Eva',
  'Finn',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kira',
  'Liam',
  'Maya',
  'Noah',
  'Olga',
  'Priya',
];
const LAST = ['Okafor', 'Smith', 'Dubois', 'Patel', 'Larsen', 'Murphy', 'Tanaka', 'García', 'Novak', 'Chen', 'Rossi', 'Walker'];

function customer(ctx: OrderContext): Obj {
  if (ctx.customers.length < 40 || ctx.rng.chance(0.3)) {
    const first = ctx.rng.pick(FIRST);
    const last = ctx.rng.pick(LAST);
    const id = ctx.ids.next();
    const email = `${first}.${last}.${id % 10000}@example.com`
      .toLowerCase()
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '');
    ctx.customers.push({ id: gid('Customer', id), email, displayName: `${first} ${last}`, firstName: first, lastName: last });
  }
  return ctx.rng.pick(ctx.customers);
}

function payments(ctx: OrderContext, order: Obj, total: number, state: PaymentState): { transactions: Obj[]; gateways: string[] } {
  const { rng, env, mix } = ctx;
  const tx = (kind: string, gateway: string, cents: number, parentId?: string): Obj =>
    newTransaction(env, order, {
      kind,
      gateway,
      cents,
      parentId,
      fees: gateway === 'shopify_payments' && kind !== 'AUTHORIZATION' ? [transactionFee(env.nextId(), cents, ctx.currency)] : [],
    });
  if (state === 'unpaid') return { transactions: [], gateways: ['manual'] };
  if (state === 'authorized') return { transactions: [tx('AUTHORIZATION', 'shopify_payments', total)], gateways: ['shopify_payments'] };
  const transactions: Obj[] = [];
  let rest = total;
  if (total > 0 && rng.chance(mix.giftCardRedemption)) {
    const covered = Math.min(total, rng.pick([1000, 2500, 5000]));
    transactions.push(tx('SALE', 'gift_card', covered));
    rest -= covered;
  }
  const gateway = rng.chance(mix.paypal) ? 'paypal' : 'shopify_payments';
  if (rest > 0 && gateway === 'shopify_payments' && rng.chance(mix.authorizeThenCapture)) {
    const auth = tx('AUTHORIZATION', gateway, rest);
    transactions.push(auth);
    ctx.setNow(Date.parse(order.createdAt) + 3_600_000);
    transactions.push(tx('CAPTURE', gateway, rest, auth.id));
  } else if (rest > 0) {
    transactions.push(tx('SALE', gateway, rest));
  }
  return { transactions, gateways: [...new Set(transactions.map((t) => t.gateway as string))] };
}

export function buildOrder(ctx: OrderContext, number: number, createdMs: number, endMs: number): { order: Obj; state: PaymentState } {
  const { rng, mix, region } = ctx;
  ctx.setNow(createdMs);
  const exportOrder = rng.chance(mix.duties);
  const place = exportOrder ? { ...region.abroad, rates: [], shippingRates: [] } : rng.pick(region.jurisdictions);
  const lineCtx = { ...ctx, rates: place.rates, shippingRates: place.shippingRates };
  const draft = draftLines(lineCtx, exportOrder);
  const nodes = lineNodes(lineCtx, draft, place.rates, place.shippingRates);
  const t = lineTotals(draft);
  const tip = rng.chance(mix.tip) ? rng.pick([200, 300, 500, Math.floor(t.subtotal / 10)]) : 0;
  const duties = exportOrder ? rng.int(300, 1500) : 0;
  const total = t.subtotal + t.shipping + (ctx.taxesIncluded ? 0 : t.tax) + tip + duties;
  const state: PaymentState = rng.chance(mix.unpaidManual) ? 'unpaid' : rng.chance(mix.authorizedOnly) ? 'authorized' : 'paid';
  const guest = rng.chance(mix.guestCheckout);
  const who = guest ? null : customer(ctx);
  const bag = (cents: number): Obj => moneyBag(cents, ctx.currency);
  const address = {
    address1: `${rng.int(1, 999)} Market Street`,
    city: place.city,
    provinceCode: place.provinceCode,
    countryCodeV2: place.countryCode,
    zip: place.zip,
  };
  const id = ctx.ids.next();
  const created = isoSeconds(createdMs);
  const order: Obj = {
    id: gid('Order', id),
    legacyResourceId: String(id),
    name: `#${1000 + number}`,
    createdAt: created,
    updatedAt: created,
    // A few orders were imported: processed before they were created in Shopify.
    processedAt: rng.chance(0.02) ? isoSeconds(createdMs - rng.int(1, 48) * 3_600_000) : created,
    cancelledAt: null,
    cancelReason: null,
    closed: false,
    closedAt: null,
    test: rng.chance(mix.testOrder),
    displayFinancialStatus: state === 'paid' ? 'PAID' : state === 'authorized' ? 'AUTHORIZED' : 'PENDING',
    displayFulfillmentStatus: state === 'paid' && createdMs < endMs - 3 * 86_400_000 ? 'FULFILLED' : 'UNFULFILLED',
    currencyCode: ctx.currency,
    presentmentCurrencyCode: ctx.currency,
    taxesIncluded: ctx.taxesIncluded,
    email: who?.email ?? (guest && rng.chance(0.5) ? `guest${id % 100000}@example.com` : null),
    note: state === 'unpaid' ? `Net 30 terms, PO ${rng.int(10000, 99999)}` : rng.chance(0.03) ? 'Please gift wrap' : null,
    customer: who,
    shippingAddress: draft.shipping.length > 0 ? address : null,
    billingAddress: guest && rng.chance(0.5) ? null : address,
    subtotalPriceSet: bag(t.subtotal),
    totalShippingPriceSet: bag(t.shipping),
    totalDiscountsSet: bag(t.discounts),
    totalTaxSet: bag(t.tax),
    totalTipReceivedSet: bag(tip),
    originalTotalDutiesSet: duties > 0 ? bag(duties) : null,
    currentTotalDutiesSet: duties > 0 ? bag(duties) : null,
    totalPriceSet: bag(total),
    currentTotalPriceSet: bag(total),
    totalRefundedSet: bag(0),
    taxLines: nodes.taxLines,
    // A tip is a line item of its own as well as totalTipReceivedSet (emulators/shopify/order-helpers.ts tipLineItem).
    lineItems: { nodes: tip > 0 ? [...nodes.lineItems, tipLineItem(gid('LineItem', ctx.ids.next()), tip, ctx.currency)] : nodes.lineItems },
    shippingLines: { nodes: nodes.shippingLines },
    discountApplications: { nodes: draft.applications },
    refunds: [],
  };
  const paid = payments(ctx, order, total, state);
  order.transactions = paid.transactions;
  order.paymentGatewayNames = paid.gateways;
  return { order, state };
}
