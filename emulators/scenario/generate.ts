// generateShop: a deterministic, internally consistent Shopify shop for tests, the demo and
// benchmarks. Orders are built first; later events (refunds, late payments, cancellations) are
// then applied in time order with the emulator's own admin operations, so generated data and
// data changed through the emulator's admin API follow the same rules.
import { gid } from '../shopify/gid';
import { fromCents, toCents } from '../shopify/money';
import type { OpsEnv } from '../shopify/order-helpers';
import { cancelOrder, markPaid } from '../shopify/order-ops';
import { createRng, type Rng } from '../shopify/prng';
import { addRefund, type RefundRequest } from '../shopify/refund-ops';
import { createShopState, putProduct, type Obj } from '../shopify/state';
import { generateCatalogue } from './catalogue';
import { createIds } from './ids';
import { DEFAULT_MIX, type Mix } from './mix';
import { buildOrder, type OrderContext } from './order-build';
import { generatePayouts } from './payouts';
import { REGIONS, type TaxRegion } from './regions';
import { generateStock, type GeneratedStock, type StockOptions } from './stock';

export interface GenerateShopOptions {
  seed: number;
  orders: number;
  /** ISO date or timestamp of the first day. */
  start: string | Date;
  days: number;
  currency?: string;
  taxesIncluded?: boolean;
  taxRegion?: TaxRegion;
  mix?: Partial<Mix>;
  domain?: string;
  /** A large stocked catalogue besides the usual one (the inventory benchmark): never sold by the orders. */
  stock?: StockOptions;
}

export interface GeneratedShop {
  shop: Obj;
  products: Obj[];
  orders: Obj[];
  payouts: Obj[];
  balanceTransactions: Obj[];
  /** Present when `stock` was asked for; its products are in `products` too. */
  stock?: GeneratedStock;
}

const DAY = 86_400_000;

interface Later {
  at: number;
  apply: (env: OpsEnv) => void;
}

function followUps(rng: Rng, mix: Mix, order: Obj, state: string, endMs: number, work: ReturnType<typeof createShopState>): Later[] {
  const created = Date.parse(order.createdAt);
  const later = (minDays: number, maxDays: number): number =>
    created + rng.int(minDays * 24, maxDays * 24) * 3_600_000 + rng.int(0, 3_599_999);
  const out: Later[] = [];
  if (state === 'unpaid') {
    const r = rng.next();
    if (r < mix.unpaidLaterPaid) out.push({ at: later(3, 20), apply: (env) => markPaid(env, work, order, { gateway: 'manual' }) });
    else if (r < mix.unpaidLaterPaid + mix.unpaidCancelled)
      out.push({ at: later(2, 15), apply: (env) => cancelOrder(env, work, order, { reason: rng.pick(['CUSTOMER', 'OTHER']) }) });
  } else if (state === 'authorized') {
    out.push({ at: later(1, 5), apply: (env) => markPaid(env, work, order) });
  } else if (rng.chance(mix.refund)) {
    const full = rng.chance(mix.fullRefund);
    out.push({ at: later(1, 14), apply: (env) => refundOnce(env, rng, work, order, full) });
    if (!full && rng.chance(mix.secondRefund)) out.push({ at: later(15, 25), apply: (env) => refundOnce(env, rng, work, order, false) });
  }
  return out.filter((l) => l.at < endMs);
}

function refundOnce(env: OpsEnv, rng: Rng, work: ReturnType<typeof createShopState>, order: Obj, full: boolean): void {
  // Tips (a line item with no variant) are not returned goods.
  const goods = (order.lineItems.nodes as Obj[]).filter((l) => !l.isGiftCard && l.variant !== null && l.refundableQuantity > 0);
  if (goods.length === 0) return;
  const restock = rng.chance(0.5) ? 'RETURN' : 'NO_RESTOCK';
  const picked = full ? goods : [rng.pick(goods)];
  const req: RefundRequest = {
    lineItems: picked.map((l) => ({ lineItemId: l.id, quantity: full ? l.refundableQuantity : 1, restockType: restock })),
    note: full ? 'Returned' : rng.pick(['Damaged in transit', 'Wrong size', 'Changed mind']),
  };
  if (full && order.shippingLines.nodes.length > 0) req.shipping = { full: true };
  if (!full && rng.chance(0.2)) {
    // A restocking fee keeps part of the money: negative, as it reduces the refund.
    const line = picked[0]!;
    const fee = Math.max(100, Math.floor(toCents(line.originalUnitPriceSet.shopMoney.amount) / 10));
    // A line given away (100 % discount) refunds nothing a fee could come out of.
    const paidForOne =
      toCents(line.originalUnitPriceSet.shopMoney.amount) - Math.ceil(toCents(line.totalDiscountSet.shopMoney.amount) / line.quantity);
    if (paidForOne > fee) req.adjustments = [{ amount: fromCents(-fee), reason: 'RESTOCK' }];
  } else if (!full && rng.chance(0.1)) {
    req.adjustments = [{ amount: rng.pick(['2.00', '5.00']), reason: 'CUSTOMER' }];
  }
  try {
    addRefund(env, work, order, req);
  } catch {
    // A refund the order cannot carry (e.g. more than was captured) is simply not generated.
  }
}

export function generateShop(opts: GenerateShopOptions): GeneratedShop {
  const rng = createRng(opts.seed);
  const ids = createIds();
  const region = REGIONS[opts.taxRegion ?? 'US'];
  const currency = opts.currency ?? region.currency;
  const taxesIncluded = opts.taxesIncluded ?? (opts.taxRegion === 'GB' || opts.taxRegion === 'AU');
  const mix = { ...DEFAULT_MIX, ...opts.mix };
  const startMs = new Date(opts.start).getTime();
  const endMs = startMs + opts.days * DAY;
  const domain = opts.domain ?? `scenario-${opts.seed}.myshopify.com`;
  const catalogue = generateCatalogue(rng, ids, currency, new Date(startMs - 30 * DAY));
  const work = createShopState({ domain, accessToken: 'generator', currencyCode: currency }, 1, startMs);
  for (const p of catalogue.products) putProduct(work, p);
  let now = startMs;
  const env: OpsEnv = { now: () => new Date(now), nextId: () => ids.next(), emit: () => undefined };
  const ctx: OrderContext = {
    rng,
    ids,
    catalogue,
    mix,
    currency,
    taxesIncluded,
    rates: [],
    shippingRates: [],
    region,
    env,
    customers: [],
    setNow: (ms) => {
      now = ms;
    },
  };
  const times = Array.from({ length: opts.orders }, () => startMs + Math.floor(rng.next() * (endMs - startMs))).sort((a, b) => a - b);
  const orders: Obj[] = [];
  const events: Later[] = [];
  times.forEach((at, i) => {
    const { order, state } = buildOrder(ctx, i + 1, at, endMs);
    orders.push(order);
    events.push(...followUps(rng, mix, order, state, endMs, work));
  });
  for (const e of events.sort((a, b) => a.at - b.at)) {
    now = e.at;
    e.apply(env);
  }
  const { payouts, balanceTransactions } = generatePayouts(rng, ids, currency, orders, startMs, endMs);
  const shop = {
    id: gid('Shop', ids.next()),
    name: `Scenario ${opts.seed}`,
    myshopifyDomain: domain,
    currencyCode: currency,
    ianaTimezone: region.timezone,
    taxesIncluded,
    email: `owner@${domain}`,
    contactEmail: `owner@${domain}`,
  };
  if (!opts.stock) return { shop, products: catalogue.products, orders, payouts, balanceTransactions };
  const stock = generateStock(opts.seed, opts.stock, catalogue.location, currency, new Date(startMs - 30 * DAY));
  return { shop, products: [...catalogue.products, ...stock.products], orders, payouts, balanceTransactions, stock };
}
