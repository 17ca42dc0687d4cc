// The scenario generator: every order's money adds up to the cent, payouts match their
// transactions, output is deterministic per seed and fast.
import { describe, expect, it } from 'vitest';
import { type GeneratedShop, generateShop, type TaxRegion } from '../../../emulators/scenario';
import { toCents } from '../../../emulators/shopify/money';

type O = Record<string, any>;
const c = (bag: O | null | undefined): number => (bag ? toCents(bag.shopMoney?.amount ?? bag.amount) : 0);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const taxOf = (lines: O[]): number => sum(lines.map((t) => c(t.priceSet)));

/** The project's Shopify money contract, checked on one order; returns the broken equations. */
function broken(o: O): string[] {
  const out: string[] = [];
  const check = (name: string, a: number, b: number): void => {
    if (a !== b) out.push(`${o.name} ${name}: ${a} ≠ ${b}`);
  };
  // A tip is a line item too (no variant, "Tip", untaxed, unshipped) besides totalTipReceivedSet, and is not in the subtotal.
  const isTip = (l: O): boolean => l.variant === null && l.title === 'Tip';
  const lines: O[] = o.lineItems.nodes.filter((l: O) => !isTip(l));
  const tips: O[] = o.lineItems.nodes.filter(isTip);
  check('tip = Σ tip line items', c(o.totalTipReceivedSet), sum(tips.map((l) => c(l.originalUnitPriceSet) * l.quantity)));
  for (const t of tips) check('tip untaxed and unshipped', Number(t.taxable) + Number(t.requiresShipping) + t.taxLines.length, 0);
  const ships: O[] = o.shippingLines.nodes;
  for (const l of lines) {
    check('line discount = Σ allocations', c(l.totalDiscountSet), sum(l.discountAllocations.map((a: O) => c(a.allocatedAmountSet))));
    if (l.isGiftCard) check('gift card untaxed and unshipped', Number(l.taxable) + Number(l.requiresShipping) + l.taxLines.length, 0);
  }
  for (const s of ships)
    check(
      'shipping original − discount = discounted',
      c(s.originalPriceSet) - sum(s.discountAllocations.map((a: O) => c(a.allocatedAmountSet))),
      c(s.discountedPriceSet),
    );
  const subtotal = sum(lines.map((l) => c(l.originalUnitPriceSet) * l.quantity - c(l.totalDiscountSet)));
  check('subtotal', c(o.subtotalPriceSet), subtotal);
  check('shipping', c(o.totalShippingPriceSet), sum(ships.map((s) => c(s.discountedPriceSet))));
  check(
    'discounts',
    c(o.totalDiscountsSet),
    sum([...lines, ...ships].flatMap((l) => l.discountAllocations.map((a: O) => c(a.allocatedAmountSet)))),
  );
  check('tax = Σ order tax lines', c(o.totalTaxSet), taxOf(o.taxLines));
  check('tax = Σ line and shipping tax lines', c(o.totalTaxSet), sum([...lines, ...ships].map((l) => taxOf(l.taxLines))));
  const extras = c(o.totalTipReceivedSet) + c(o.originalTotalDutiesSet);
  check(
    'total',
    c(o.totalPriceSet),
    c(o.subtotalPriceSet) + c(o.totalShippingPriceSet) + (o.taxesIncluded ? 0 : c(o.totalTaxSet)) + extras,
  );
  const ok = (o.transactions as O[]).filter((t) => t.status === 'SUCCESS');
  const captured = sum(ok.filter((t) => t.kind === 'SALE' || t.kind === 'CAPTURE').map((t) => c(t.amountSet)));
  if (['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(o.displayFinancialStatus)) check('paid = total', captured, c(o.totalPriceSet));
  if (['PENDING', 'VOIDED'].includes(o.displayFinancialStatus)) check('unpaid: nothing captured', captured, 0);
  for (const t of ok.filter((x) => x.gateway === 'shopify_payments' && (x.kind === 'SALE' || x.kind === 'CAPTURE')))
    check('Shopify Payments charge has a fee', Math.sign(sum(t.fees.map((f: O) => c(f.amount)))), 1);
  for (const r of o.refunds as O[]) {
    const parts =
      sum(r.refundLineItems.nodes.map((x: O) => c(x.subtotalSet) + c(x.totalTaxSet))) +
      sum(r.refundShippingLines.nodes.map((x: O) => c(x.subtotalAmountSet) + c(x.taxAmountSet))) +
      sum(r.orderAdjustments.nodes.map((x: O) => c(x.amountSet) + c(x.taxAmountSet)));
    check('refund = Σ its parts', c(r.totalRefundedSet), parts);
    check(
      'refund = Σ its REFUND transactions',
      c(r.totalRefundedSet),
      sum(r.transactions.nodes.filter((t: O) => t.kind === 'REFUND' && t.status === 'SUCCESS').map((t: O) => c(t.amountSet))),
    );
  }
  check('order refunded = Σ refunds', c(o.totalRefundedSet), sum(o.refunds.map((r: O) => c(r.totalRefundedSet))));
  if (o.refunds.length > 0) check('refunded status', Number(['PARTIALLY_REFUNDED', 'REFUNDED'].includes(o.displayFinancialStatus)), 1);
  return out;
}

function payoutProblems(shop: GeneratedShop): string[] {
  const out: string[] = [];
  for (const t of shop.balanceTransactions) if (c(t.net) !== c(t.amount) - c(t.fee)) out.push(`${t.id} net ≠ amount − fee`);
  for (const p of shop.payouts) {
    // The payout's own TRANSFER row (−net) is the payout leaving the balance, not part of its contents.
    const txs = shop.balanceTransactions.filter((t) => t.associatedPayout.id === p.id && t.type !== 'TRANSFER');
    const transfer = shop.balanceTransactions.filter((t) => t.associatedPayout.id === p.id && t.type === 'TRANSFER');
    if (transfer.length !== 1 || c(transfer[0]!.net) !== -c(p.net)) out.push(`${p.id} has no TRANSFER row of −net`);
    const net = sum(txs.map((t) => c(t.net)));
    if (c(p.net) !== net) out.push(`${p.id} net ${c(p.net)} ≠ Σ transactions ${net}`);
    const s = p.summary;
    const summaryNet =
      c(s.chargesGross) -
      c(s.chargesFee) +
      c(s.refundsFeeGross) -
      c(s.refundsFee) +
      c(s.adjustmentsGross) -
      c(s.adjustmentsFee) +
      c(s.reservedFundsGross) -
      c(s.reservedFundsFee) +
      c(s.retriedPayoutsGross) -
      c(s.retriedPayoutsFee) +
      c(s.advanceGross) -
      c(s.advanceFees);
    if (summaryNet !== net) out.push(`${p.id} summary ${summaryNet} ≠ net ${net}`);
    const charges = txs.filter((t) => t.type === 'CHARGE');
    if (c(s.chargesGross) !== sum(charges.map((t) => c(t.amount)))) out.push(`${p.id} chargesGross`);
  }
  return out;
}

const CONFIGS: { region: TaxRegion; taxesIncluded: boolean }[] = [
  { region: 'US', taxesIncluded: false },
  { region: 'CA', taxesIncluded: false },
  { region: 'GB', taxesIncluded: true },
  { region: 'AU', taxesIncluded: true },
  { region: 'US', taxesIncluded: true },
];

describe('scenario generator', () => {
  it.each(CONFIGS)(
    'keeps every money equation exact to the cent ($region, taxes included: $taxesIncluded)',
    ({ region, taxesIncluded }) => {
      const shop = generateShop({ seed: 11, orders: 1500, start: '2026-08-01T00:00:00Z', days: 45, taxRegion: region, taxesIncluded });
      expect(shop.orders.flatMap(broken)).toEqual([]);
      expect(payoutProblems(shop)).toEqual([]);
    },
  );

  it.each(['GB', 'AU'] as const)('gives whole lines and whole orders away with 100 per cent discounts when asked (%s)', (region) => {
    const shop = generateShop({
      seed: 7,
      orders: 400,
      start: '2026-08-01T00:00:00Z',
      days: 30,
      taxRegion: region,
      mix: { fullDiscount: 0.2 },
    });
    expect(shop.orders.flatMap(broken)).toEqual([]);
    const free = (l: O): boolean => !l.isGiftCard && l.variant !== null && c(l.originalUnitPriceSet) * l.quantity === c(l.totalDiscountSet);
    expect(shop.orders.some((o) => o.lineItems.nodes.some(free) && o.lineItems.nodes.some((l: O) => !free(l) && l.variant !== null))).toBe(
      true,
    );
    expect(shop.orders.some((o) => o.lineItems.nodes.filter((l: O) => l.variant !== null).every(free))).toBe(true);
    expect(shop.orders.every((o) => o.taxesIncluded)).toBe(true);
  });

  it('produces the situations Ledgerline must book', () => {
    const shop = generateShop({ seed: 3, orders: 3000, start: '2026-08-01T00:00:00Z', days: 60 });
    const o = shop.orders;
    const has = (p: (x: O) => boolean): boolean => o.some(p);
    expect(
      has((x) =>
        x.lineItems.nodes.some((l: O) => l.discountAllocations.some((a: O) => a.discountApplication.targetSelection === 'ENTITLED')),
      ),
    ).toBe(true);
    expect(has((x) => x.discountApplications.nodes.some((a: O) => a.targetSelection === 'ALL' && a.targetType === 'LINE_ITEM'))).toBe(true);
    expect(has((x) => x.shippingLines.nodes.some((s: O) => s.discountAllocations.length > 0))).toBe(true);
    expect(has((x) => x.lineItems.nodes.some((l: O) => l.isGiftCard))).toBe(true);
    expect(has((x) => x.transactions.some((t: O) => t.gateway === 'gift_card'))).toBe(true);
    expect(has((x) => c(x.totalTipReceivedSet) > 0)).toBe(true);
    expect(has((x) => x.lineItems.nodes.some((l: O) => l.variant === null && l.title === 'Tip'))).toBe(true);
    expect(has((x) => c(x.originalTotalDutiesSet) > 0)).toBe(true);
    expect(has((x) => x.displayFinancialStatus === 'REFUNDED')).toBe(true);
    expect(has((x) => x.displayFinancialStatus === 'PARTIALLY_REFUNDED')).toBe(true);
    expect(has((x) => x.refunds.some((r: O) => r.refundLineItems.nodes.some((l: O) => l.restocked)))).toBe(true);
    expect(has((x) => x.refunds.some((r: O) => r.refundShippingLines.nodes.length > 0))).toBe(true);
    expect(has((x) => x.refunds.some((r: O) => r.orderAdjustments.nodes.length > 0))).toBe(true);
    expect(has((x) => x.displayFinancialStatus === 'PENDING' && x.paymentGatewayNames.includes('manual'))).toBe(true);
    expect(has((x) => x.displayFinancialStatus === 'VOIDED' && x.cancelledAt !== null)).toBe(true);
    expect(has((x) => x.transactions.some((t: O) => t.gateway === 'manual' && t.kind === 'SALE'))).toBe(true);
    expect(has((x) => x.transactions.some((t: O) => t.kind === 'CAPTURE' && t.parentTransaction))).toBe(true);
    expect(has((x) => x.transactions.some((t: O) => t.gateway === 'paypal'))).toBe(true);
    expect(shop.balanceTransactions.some((t) => t.type === 'ADJUSTMENT' && t.adjustmentReason === 'chargeback')).toBe(true);
    expect(shop.balanceTransactions.some((t) => t.type === 'RESERVED_FUNDS')).toBe(true);
    const variants = shop.products.flatMap((p) => p.variants.nodes);
    expect(variants.some((v) => v.sku === null) && variants.some((v) => v.sku)).toBe(true);
    const gaps = shop.payouts.slice(1).map((p, i) => (Date.parse(p.issuedAt) - Date.parse(shop.payouts[i]!.issuedAt)) / 86_400_000);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const opts = { orders: 300, start: '2026-08-01T00:00:00Z', days: 30 };
    expect(JSON.stringify(generateShop({ seed: 5, ...opts }))).toBe(JSON.stringify(generateShop({ seed: 5, ...opts })));
    expect(JSON.stringify(generateShop({ seed: 6, ...opts }).orders)).not.toBe(JSON.stringify(generateShop({ seed: 5, ...opts }).orders));
  });

  it('generates a 10,000-order shop with unique order ids and names', () => {
    // Speed is measured by the benchmark script, not asserted in a test (timed tests are flaky).
    const shop = generateShop({ seed: 1, orders: 10_000, start: '2026-08-01T00:00:00Z', days: 60 });
    expect(shop.orders).toHaveLength(10_000);
    expect(new Set(shop.orders.map((o) => o.id)).size).toBe(10_000);
    expect(new Set(shop.orders.map((o) => o.name)).size).toBe(10_000);
  });
});
