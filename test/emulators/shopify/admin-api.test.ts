// The emulator's own HTTP API under /_emulator/: refunds, payments, cancellations, shops, the log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopifyEmulator } from '../../../emulators/shopify';
import type { GeneratedShop } from '../../../emulators/scenario';
import { toCents } from '../../../emulators/shopify/money';
import { adminPost, clientFor, errorsOf, seedFolder, SHOP, startEmulator } from './helpers';

let emu: ShopifyEmulator;
let generated: GeneratedShop;
beforeAll(async () => {
  const seed = seedFolder();
  generated = seed.shop;
  emu = await startEmulator({ seedDir: seed.dir, throttling: false });
});
afterAll(async () => {
  await emu.close();
});

const ORDER = `query($id: ID!) { order(id: $id) {
  updatedAt displayFinancialStatus cancelledAt
  totalPriceSet { shopMoney { amount } } totalRefundedSet { shopMoney { amount } } currentTotalPriceSet { shopMoney { amount } }
  lineItems(first: 20) { nodes { id quantity refundableQuantity currentQuantity } }
  transactions { kind status gateway parentTransaction { id } amountSet { shopMoney { amount } } }
  refunds { totalRefundedSet { shopMoney { amount } }
    refundLineItems(first: 20) { nodes { quantity subtotalSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } } }
    refundShippingLines(first: 5) { nodes { subtotalAmountSet { shopMoney { amount } } taxAmountSet { shopMoney { amount } } } }
    orderAdjustments(first: 5) { nodes { reason amountSet { shopMoney { amount } } taxAmountSet { shopMoney { amount } } } }
    transactions(first: 5) { nodes { kind amountSet { shopMoney { amount } } } } }
} }`;

async function readOrder(id: string): Promise<any> {
  const res: any = await clientFor(emu).request(ORDER, { variables: { id } });
  expect(errorsOf(res)).toEqual([]);
  return res.data.order;
}
const c = (m: { shopMoney: { amount: string } }): number => toCents(m.shopMoney.amount);
// The generated copy is not changed by the emulator: each test takes an order no other test used.
const used = new Set<string>();
function take(pred: (o: any) => boolean): any {
  const order = generated.orders.find((o) => !used.has(o.id) && pred(o));
  if (!order) throw new Error('no generated order fits');
  used.add(order.id);
  return order;
}

describe('admin API', () => {
  it('answers a tipped order with the tip as a line item as well as totalTipReceivedSet, as Shopify does', async () => {
    const TIPPED = `query($id: ID!) { order(id: $id) { totalTipReceivedSet { shopMoney { amount } }
      lineItems(first: 20) { nodes { id title sku taxable requiresShipping isGiftCard quantity variant { id }
        originalUnitPriceSet { shopMoney { amount } } taxLines { title } } } } }`;
    const read = async (id: string): Promise<any> => {
      const res: any = await clientFor(emu).request(TIPPED, { variables: { id } });
      expect(errorsOf(res)).toEqual([]);
      return res.data.order;
    };
    const tipLines = (o: any) => o.lineItems.nodes.filter((l: any) => l.variant === null && l.title === 'Tip');
    // A generated tipped order carries its tip line.
    const generatedTip = generated.orders.find((o) => c(o.totalTipReceivedSet) > 0)!;
    const seeded = await read(generatedTip.id);
    expect(tipLines(seeded)).toHaveLength(1);
    // An order stored with only the tip total (an older seed) is answered with the line Shopify would have.
    const plain = take((o) => c(o.totalTipReceivedSet) === 0 && o.refunds.length === 0);
    emu.admin.upsertOrders(SHOP, [
      { ...plain, updatedAt: undefined, totalTipReceivedSet: { shopMoney: { amount: '2.50', currencyCode: plain.currencyCode } } },
    ]);
    const tipped = await read(plain.id);
    expect(tipLines(tipped)).toEqual([
      expect.objectContaining({ sku: null, taxable: false, requiresShipping: false, isGiftCard: false, quantity: 1, taxLines: [] }),
    ]);
    expect(c(tipLines(tipped)[0].originalUnitPriceSet)).toBe(250);
    expect(c(tipped.totalTipReceivedSet)).toBe(250);
    // Storing it again does not add a second tip line.
    emu.admin.upsertOrders(SHOP, [{ ...emu.admin.getOrder(SHOP, plain.id), updatedAt: undefined }]);
    expect(tipLines(await read(plain.id))).toHaveLength(1);
  });

  it('adds a partial refund: lines, adjustment, REFUND transaction, totals, status and updatedAt move', async () => {
    const order = take(
      (o) =>
        o.displayFinancialStatus === 'PAID' &&
        o.refunds.length === 0 &&
        o.transactions.some((t: any) => t.kind === 'SALE' && t.gateway === 'shopify_payments') &&
        o.lineItems.nodes.some((l: any) => !l.isGiftCard),
    );
    const line = order.lineItems.nodes.find((l: any) => !l.isGiftCard);
    const before = await readOrder(order.id);
    const res = await adminPost(emu, `/_emulator/shops/${SHOP}/orders/${order.legacyResourceId}/refunds`, {
      lineItems: [{ lineItemId: line.id, quantity: 1, restockType: 'RETURN' }],
      adjustments: [{ amount: '-1.00', reason: 'RESTOCK' }],
      note: 'Too small',
    });
    expect(res.status).toBe(201);
    const after = await readOrder(order.id);
    const refund = after.refunds[0];
    const parts =
      refund.refundLineItems.nodes.reduce((s: number, r: any) => s + c(r.subtotalSet) + c(r.totalTaxSet), 0) +
      refund.orderAdjustments.nodes.reduce((s: number, a: any) => s + c(a.amountSet) + c(a.taxAmountSet), 0);
    expect(c(refund.totalRefundedSet)).toBe(parts);
    expect(refund.transactions.nodes.map((t: any) => [t.kind, c(t.amountSet)])).toEqual([['REFUND', parts]]);
    expect(c(after.totalRefundedSet)).toBe(parts);
    expect(c(after.currentTotalPriceSet)).toBe(c(after.totalPriceSet) - parts);
    expect(after.displayFinancialStatus).toBe('PARTIALLY_REFUNDED');
    expect(after.updatedAt > before.updatedAt).toBe(true);
    expect(after.lineItems.nodes.find((l: any) => l.id === line.id).refundableQuantity).toBe(line.quantity - 1);
    const refundTx = after.transactions.find((t: any) => t.kind === 'REFUND');
    expect(refundTx).toMatchObject({ gateway: 'shopify_payments', status: 'SUCCESS' });
    expect(refundTx.parentTransaction.id).toBe(
      order.transactions.find((t: any) => t.kind === 'SALE' && t.gateway === 'shopify_payments').id,
    );
  });

  it('refunds the rest of an order in full and marks it REFUNDED', async () => {
    const order = take(
      (o) =>
        o.displayFinancialStatus === 'PAID' &&
        o.refunds.length === 0 &&
        !o.lineItems.nodes.some((l: any) => l.isGiftCard) &&
        o.shippingLines.nodes.length > 0 &&
        c(o.totalTipReceivedSet) === 0 &&
        !o.originalTotalDutiesSet,
    );
    const lineItems = order.lineItems.nodes.map((l: any) => ({ lineItemId: l.id, quantity: l.quantity }));
    const res = await adminPost(emu, `/_emulator/shops/${SHOP}/orders/${encodeURIComponent(order.id)}/refunds`, {
      lineItems,
      shipping: { full: true },
    });
    expect(res.json.error).toBeUndefined();
    const after = await readOrder(order.id);
    expect(after.displayFinancialStatus).toBe('REFUNDED');
    expect(c(after.totalRefundedSet)).toBe(c(after.totalPriceSet));
    expect(c(after.currentTotalPriceSet)).toBe(0);
  });

  it('refuses a refund larger than what can still be refunded', async () => {
    const order = take((o) => o.displayFinancialStatus === 'PAID' && o.refunds.length === 0);
    const res = await adminPost(emu, `/_emulator/shops/${SHOP}/orders/${order.legacyResourceId}/refunds`, {
      adjustments: [{ amount: '100000.00' }],
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/exceeds/);
  });

  it('marks an unpaid manual order paid with a SALE for the total', async () => {
    const order = take((o) => o.displayFinancialStatus === 'PENDING');
    const res = await adminPost(emu, `/_emulator/shops/${SHOP}/orders/${order.legacyResourceId}/mark-paid`, {});
    expect(res.status).toBe(201);
    const after = await readOrder(order.id);
    expect(after.displayFinancialStatus).toBe('PAID');
    expect(after.transactions.map((t: any) => [t.kind, t.gateway, c(t.amountSet)])).toEqual([['SALE', 'manual', c(after.totalPriceSet)]]);
    expect(after.updatedAt > order.updatedAt).toBe(true);
  });

  it('cancels an unpaid order as VOIDED', async () => {
    const order = take((o) => o.displayFinancialStatus === 'PENDING');
    const res = await adminPost(emu, `/_emulator/shops/${SHOP}/orders/${order.legacyResourceId}/cancel`, { reason: 'CUSTOMER' });
    expect(res.status).toBe(201);
    const after = await readOrder(order.id);
    expect(after.displayFinancialStatus).toBe('VOIDED');
    expect(after.cancelledAt).not.toBeNull();
  });

  it('replaces an order and moves its updatedAt when none is given', async () => {
    const order = structuredClone(generated.orders[0]!);
    delete order.updatedAt;
    order.note = 'edited';
    const res = await adminPost(emu, `/_emulator/shops/${SHOP}/orders`, [order]);
    expect(res.json.result).toEqual([order.id]);
    const r: any = await clientFor(emu).request('query($id: ID!) { order(id: $id) { note updatedAt } }', { variables: { id: order.id } });
    expect(r.data.order.note).toBe('edited');
    expect(r.data.order.updatedAt > generated.orders[0]!.updatedAt).toBe(true);
  });

  it('creates a shop reachable with its own token and logs each request', async () => {
    const created = await adminPost(emu, '/_emulator/shops', { domain: 'gamma.myshopify.com', accessToken: 'shpat_gamma', name: 'Gamma' });
    expect(created.status).toBe(201);
    const res: any = await clientFor(emu, 'shpat_gamma').request('query ShopCheck { shop { name } }');
    expect(res.data.shop.name).toBe('Gamma');
    const log: any = await (await fetch(`${emu.url}/_emulator/requests?shop=gamma.myshopify.com`)).json();
    expect(log.result).toMatchObject([
      {
        shop: 'gamma.myshopify.com',
        operationName: 'ShopCheck',
        rootFields: ['shop'],
        requestedQueryCost: 1,
        actualQueryCost: 1,
        status: 200,
        throttled: false,
      },
    ]);
  });

  it('adds payouts, balance transactions and products', async () => {
    const payout: any = { ...structuredClone(generated.payouts[0]!), id: 'gid://shopify/ShopifyPaymentsPayout/1', legacyResourceId: '1' };
    const product: any = { ...structuredClone(generated.products[0]!), id: 'gid://shopify/Product/1', title: 'Added product' };
    product.variants.nodes = [];
    expect((await adminPost(emu, `/_emulator/shops/${SHOP}/payouts`, payout)).status).toBe(201);
    expect((await adminPost(emu, `/_emulator/shops/${SHOP}/products`, [product])).status).toBe(201);
    const bt = {
      ...structuredClone(generated.balanceTransactions[0]!),
      id: 'gid://shopify/ShopifyPaymentsBalanceTransaction/1',
      associatedPayout: { id: payout.id, status: payout.status },
    };
    expect((await adminPost(emu, `/_emulator/shops/${SHOP}/balance-transactions`, bt)).status).toBe(201);
    const res: any = await clientFor(emu).request(
      '{ product(id: "gid://shopify/Product/1") { title } shopifyPaymentsAccount { balanceTransactions(first: 5, query: "payments_transfer_id:1") { nodes { id associatedPayout { id status } } } } }',
    );
    expect(errorsOf(res)).toEqual([]);
    expect(res.data.product.title).toBe('Added product');
    expect(res.data.shopifyPaymentsAccount.balanceTransactions.nodes).toEqual([
      { id: bt.id, associatedPayout: { id: payout.id, status: payout.status } },
    ]);
    const bad = await adminPost(emu, `/_emulator/shops/${SHOP}/payouts`, { id: 'gid://shopify/Order/1' });
    expect(bad.status).toBe(400);
  });

  it('resets to the seeded state', async () => {
    await adminPost(emu, `/_emulator/shops/${SHOP}/orders`, {
      id: 'gid://shopify/Order/424242',
      name: '#X',
      createdAt: '2026-10-01T00:00:00Z',
    });
    expect((await adminPost(emu, '/_emulator/reset')).status).toBe(201);
    const r: any = await clientFor(emu).request('{ order(id: "gid://shopify/Order/424242") { id } orders(first: 250) { nodes { id } } }');
    expect(r.data.order).toBeNull();
    expect(r.data.orders.nodes).toHaveLength(generated.orders.length);
    expect(emu.admin.requests()).toHaveLength(1);
  });
});
