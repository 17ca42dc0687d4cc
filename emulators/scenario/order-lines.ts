// Line items, discounts, shipping and taxes of one generated order, in integer cents.
// Discounts are allocated to lines (line-level and order-level ACROSS) and to shipping lines;
// taxes are computed on discounted amounts, on top of them or contained in them.
import { gid } from '../shopify/gid';
import { allocate, moneyBag, moneyV2, toCents } from '../shopify/money';
import type { Rng } from '../shopify/prng';
import type { Obj } from '../shopify/state';
import type { Catalogue } from './catalogue';
import type { IdSource } from './ids';
import type { Mix } from './mix';
import { exclusiveTax, inclusiveTax, type TaxRate } from './regions';

export interface LineDraft {
  product: Obj;
  variant: Obj;
  quantity: number;
  unit: number;
  giftCard: boolean;
  allocations: { app: Obj; cents: number }[];
  tax: number[];
}
export interface ShippingDraft {
  title: string;
  code: string;
  price: number;
  allocations: { app: Obj; cents: number }[];
  tax: number[];
}
export interface LinesResult {
  lines: LineDraft[];
  shipping: ShippingDraft[];
  applications: Obj[];
}

export interface LineContext {
  rng: Rng;
  ids: IdSource;
  catalogue: Catalogue;
  mix: Mix;
  currency: string;
  taxesIncluded: boolean;
  rates: TaxRate[];
  shippingRates: TaxRate[];
}

const net = (l: { quantity?: number; unit?: number; price?: number; allocations: { cents: number }[] }): number =>
  (l.price ?? (l.unit ?? 0) * (l.quantity ?? 0)) - l.allocations.reduce((s, a) => s + a.cents, 0);

function application(
  ctx: LineContext,
  index: number,
  fields: { targetType: string; targetSelection: string; allocationMethod: string; percent?: number; cents?: number },
): Obj {
  const kinds = ['DiscountCodeApplication', 'ManualDiscountApplication', 'AutomaticDiscountApplication'] as const;
  const kind = ctx.rng.pick(kinds);
  const value = fields.percent !== undefined ? { percentage: fields.percent } : moneyV2(fields.cents ?? 0, ctx.currency);
  const base = {
    __typename: kind,
    index,
    allocationMethod: fields.allocationMethod,
    targetSelection: fields.targetSelection,
    targetType: fields.targetType,
    value,
  };
  if (kind === 'DiscountCodeApplication') return { ...base, code: ctx.rng.pick(['WELCOME10', 'SPRING', 'VIP', 'FREESHIP', 'SAVE5']) };
  if (kind === 'ManualDiscountApplication') return { ...base, title: 'Staff discount', description: null };
  return { ...base, title: ctx.rng.pick(['Bundle deal', 'Seasonal sale']) };
}

function pickLines(ctx: LineContext): LineDraft[] {
  const { rng, catalogue, mix } = ctx;
  const lines: LineDraft[] = [];
  const count = rng.int(1, 4);
  for (let i = 0; i < count; i++) {
    const { product, variant } = rng.pick(catalogue.sellable);
    if (lines.some((l) => l.variant === variant)) continue;
    lines.push({
      product,
      variant,
      quantity: rng.chance(0.75) ? 1 : rng.int(2, 3),
      unit: toCents(variant.price),
      giftCard: false,
      allocations: [],
      tax: [],
    });
  }
  if (rng.chance(mix.giftCardPurchase)) {
    const { product, variant } = rng.pick(catalogue.giftCards);
    // A gift-card-only order now and then: nothing to ship, nothing taxed.
    if (rng.chance(0.3)) lines.length = 0;
    lines.push({ product, variant, quantity: 1, unit: toCents(variant.price), giftCard: true, allocations: [], tax: [] });
  }
  return lines;
}

function discountLines(ctx: LineContext, lines: LineDraft[], applications: Obj[]): void {
  const { rng, mix } = ctx;
  const goods = lines.filter((l) => !l.giftCard);
  if (goods.length > 0 && rng.chance(mix.lineDiscount)) {
    const line = rng.pick(goods);
    const percent = rng.chance(0.6) ? rng.pick([10, 15, 20]) : undefined;
    const cents = percent === undefined ? Math.min(500, net(line)) : Math.floor((net(line) * percent + 50) / 100);
    const app = application(ctx, applications.length, {
      targetType: 'LINE_ITEM',
      targetSelection: 'ENTITLED',
      allocationMethod: percent === undefined ? 'ACROSS' : 'EACH',
      percent,
      cents: percent === undefined ? cents : undefined,
    });
    applications.push(app);
    line.allocations.push({ app, cents });
  }
  if (goods.length > 0 && rng.chance(mix.orderDiscount)) {
    const base = goods.reduce((s, l) => s + net(l), 0);
    const percent = rng.chance(0.5) ? rng.pick([5, 10, 25]) : undefined;
    const total = Math.min(base, percent === undefined ? rng.pick([500, 1000]) : Math.floor((base * percent + 50) / 100));
    const app = application(ctx, applications.length, {
      targetType: 'LINE_ITEM',
      targetSelection: 'ALL',
      allocationMethod: 'ACROSS',
      percent,
      cents: percent === undefined ? total : undefined,
    });
    applications.push(app);
    allocate(total, goods.map(net)).forEach((cents, i) => goods[i]!.allocations.push({ app, cents }));
  }
  // Drawn only when enabled, so shops generated without it keep their random sequence.
  if (mix.fullDiscount > 0 && goods.length > 0 && rng.chance(mix.fullDiscount)) {
    const everything = rng.chance(0.5);
    const free = everything ? goods : [rng.pick(goods)];
    const app = application(ctx, applications.length, {
      targetType: 'LINE_ITEM',
      targetSelection: everything ? 'ALL' : 'ENTITLED',
      allocationMethod: everything ? 'ACROSS' : 'EACH',
      percent: 100,
    });
    applications.push(app);
    for (const line of free) {
      const rest = net(line);
      if (rest > 0) line.allocations.push({ app, cents: rest });
    }
  }
}

function shippingFor(ctx: LineContext, lines: LineDraft[], applications: Obj[]): ShippingDraft[] {
  const { rng, mix } = ctx;
  if (!lines.some((l) => !l.giftCard)) return [];
  const express = rng.chance(0.15);
  const ship: ShippingDraft = {
    title: express ? 'Express Shipping' : 'Standard Shipping',
    code: express ? 'EXPRESS' : 'STANDARD',
    price: express ? 1499 : rng.pick([0, 499, 599, 999]),
    allocations: [],
    tax: [],
  };
  if (ship.price > 0 && rng.chance(mix.shippingDiscount)) {
    const free = rng.chance(0.6);
    const cents = free ? ship.price : Math.min(300, ship.price);
    const app = application(ctx, applications.length, {
      targetType: 'SHIPPING_LINE',
      targetSelection: 'ALL',
      allocationMethod: 'ACROSS',
      percent: free ? 100 : undefined,
      cents: free ? undefined : cents,
    });
    applications.push(app);
    ship.allocations.push({ app, cents });
  }
  return [ship];
}

function taxOn(ctx: LineContext, amount: number, rates: TaxRate[]): number[] {
  return ctx.taxesIncluded ? inclusiveTax(amount, rates, allocate) : exclusiveTax(amount, rates);
}

export function draftLines(ctx: LineContext, exportOrder: boolean): LinesResult {
  const applications: Obj[] = [];
  const lines = pickLines(ctx);
  discountLines(ctx, lines, applications);
  const shipping = shippingFor(ctx, lines, applications);
  // Exports (orders that pay duties) are zero-rated: no sales tax on them.
  const rates = exportOrder ? [] : ctx.rates;
  const shippingRates = exportOrder ? [] : ctx.shippingRates;
  for (const l of lines) l.tax = l.giftCard ? [] : taxOn(ctx, net(l), rates);
  for (const s of shipping) s.tax = taxOn(ctx, net(s), shippingRates);
  return { lines, shipping, applications };
}

export function lineTotals(d: LinesResult): { subtotal: number; shipping: number; discounts: number; tax: number } {
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const allocs = [...d.lines, ...d.shipping].flatMap((l) => l.allocations.map((a) => a.cents));
  return {
    subtotal: sum(d.lines.map(net)),
    shipping: sum(d.shipping.map(net)),
    discounts: sum(allocs),
    tax: sum([...d.lines, ...d.shipping].flatMap((l) => l.tax)),
  };
}

/** Stored Admin-GraphQL shapes of the drafted lines. */
export function lineNodes(
  ctx: LineContext,
  d: LinesResult,
  rates: TaxRate[],
  shippingRates: TaxRate[],
): { lineItems: Obj[]; shippingLines: Obj[]; taxLines: Obj[] } {
  const bag = (cents: number): Obj => moneyBag(cents, ctx.currency);
  const taxLines = (tax: number[], rs: TaxRate[]): Obj[] =>
    tax.length === 0
      ? []
      : rs.map((r, i) => ({
          title: r.title,
          rate: r.ppm / 1_000_000,
          ratePercentage: r.ppm / 10_000,
          channelLiable: false,
          priceSet: bag(tax[i] ?? 0),
        }));
  const allocations = (a: LineDraft['allocations']): Obj[] =>
    a.map((x) => ({ allocatedAmountSet: bag(x.cents), discountApplication: x.app }));
  const lineItems = d.lines.map((l) => {
    const discount = l.allocations.reduce((s, a) => s + a.cents, 0);
    const sku = l.variant.sku ?? null;
    return {
      id: gid('LineItem', ctx.ids.next()),
      sku,
      name: `${l.product.title}${l.giftCard ? '' : ` - ${l.variant.title}`}`,
      title: l.product.title,
      variantTitle: l.variant.title,
      vendor: l.product.vendor,
      isGiftCard: l.giftCard,
      quantity: l.quantity,
      currentQuantity: l.quantity,
      refundableQuantity: l.quantity,
      requiresShipping: !l.giftCard,
      taxable: !l.giftCard,
      variant: {
        id: l.variant.id,
        sku,
        title: l.variant.title,
        product: { id: l.product.id, title: l.product.title },
        inventoryItem: { id: l.variant.inventoryItem.id },
      },
      originalUnitPriceSet: bag(l.unit),
      discountedUnitPriceAfterAllDiscountsSet: bag(Math.round((l.unit * l.quantity - discount) / l.quantity)),
      totalDiscountSet: bag(discount),
      discountAllocations: allocations(l.allocations),
      taxLines: l.giftCard ? [] : taxLines(l.tax, rates),
    };
  });
  const shippingLines = d.shipping.map((s) => ({
    id: gid('ShippingLine', ctx.ids.next()),
    title: s.title,
    code: s.code,
    source: 'shopify',
    originalPriceSet: bag(s.price),
    discountedPriceSet: bag(net(s)),
    discountAllocations: allocations(s.allocations),
    taxLines: taxLines(s.tax, shippingRates),
  }));
  const byTitle = new Map<string, Obj>();
  for (const t of [...lineItems, ...shippingLines].flatMap((l) => l.taxLines as Obj[])) {
    const seen = byTitle.get(t.title);
    const cents = toCents(t.priceSet.shopMoney.amount);
    if (!seen) byTitle.set(t.title, { ...t, cents });
    else seen.cents += cents;
  }
  const orderTaxLines = [...byTitle.values()].map(({ cents, ...t }) => ({ ...t, priceSet: bag(cents) }));
  return { lineItems, shippingLines, taxLines: orderTaxLines };
}
