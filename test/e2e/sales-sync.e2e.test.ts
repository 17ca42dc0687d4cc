/**
 * End to end, every part real: a store connected through the API, its workflow on the Temporal dev
 * server, the worker as its own process on PostgreSQL, Shopify and QBO emulated and reached through
 * the real clients. A 520-order shop syncs; QBO is read back to prove invariant 1 (each order booked
 * once, none missing: a document or a recorded reason for every order), invariant 2 (totals and tax
 * to the cent), invariant 5 (a document QBO rejects parks only its order, with QBO's reason, and is
 * booked once the cause is fixed), and a trial balance whose debits equal its credits. Then invoices
 * paid later get their Payments and cancelled unpaid ones are voided.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerEntries } from '../../db/schema';
import { readBooks, refundProblems } from '../support/books';
import { startStack, type Stack } from '../support/stack';
import { qboReader } from '../support/sync-fixture';

let stack: Stack;
let storeId: string;

const reader = () => qboReader(stack.world, stack.database.db);

const saleRows = async () =>
  await stack.database.db
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.storeId, storeId), eq(ledgerEntries.role, 'sale')));

beforeAll(async () => {
  stack = await startStack({ seed: 101, orders: 520, days: 40 });
  stack.startWorker();
  // `manual` payments are deposited into an account QBO does not have: QBO rejects those documents.
  storeId = await stack.connect({ gateways: { manual: { depositAccountId: '999999' } } });
  // The backfill connect starts is the fixture every test reads from (each test also runs alone).
  await stack.waitForRuns(storeId, 1, 300_000);
}, 480_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

describe('sales sync end to end', () => {
  it('books a 520-order shop exactly once, to the cent, parking only what QBO rejects', async () => {
    const rows = await saleRows();
    const books = await readBooks(reader(), stack.world.shopify, stack.world.shopDomain);
    expect(books.shopifyOrders.length).toBe(520);
    // Invariant 1: one ledger row per order, no order with two documents, no write left in doubt.
    expect(new Set(rows.map((r) => r.sourceKey)).size).toBe(520);
    expect(books.duplicates).toEqual([]);
    expect(rows.filter((r) => r.status === 'pending' || r.status === 'failed')).toEqual([]);
    for (const r of rows.filter((x) => x.status !== 'synced'))
      expect(r.reason, `${r.sourceName} is ${r.status} without a reason`).toBeTruthy();
    const synced = rows.filter((r) => r.status === 'synced');
    expect(books.documentsByOrder.size).toBe(synced.length);
    for (const r of synced) expect(books.documentsByOrder.get(r.sourceKey.replace(/^order:/, ''))?.[0]?.Id).toBe(r.qboId);
    // Invariant 2: every document's TotalAmt and TotalTax, as QBO computed them, equal Shopify's.
    expect(books.mismatches).toEqual([]);
    // Invariant 5: the `manual` orders are parked with QBO's own message; everything else went through.
    const manualIds = new Set(
      books.shopifyOrders.filter((o) => o.transactions.some((t) => t.gateway === 'manual')).map((o) => `order:${o.id}`),
    );
    const parked = rows.filter((r) => r.status === 'parked');
    expect(parked.length).toBeGreaterThan(0);
    for (const r of parked) {
      expect(manualIds.has(r.sourceKey)).toBe(true);
      expect(r.reasonCode).toBe('qbo_validation');
      expect(r.reason).toMatch(/Invalid Reference|999999/);
    }
    expect(synced.length).toBeGreaterThan(450);
    expect(books.trialBalance.debits).toBe(books.trialBalance.credits);
    // Unpaid orders are invoices.
    const invoices = [...books.documentsByOrder.values()].flat().filter((d) => d._type === 'Invoice');
    expect(invoices.length).toBeGreaterThan(0);
    // Invariants 1 and 3 for refunds: one document per Shopify refund, its total the money sent back.
    const all = await stack.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, storeId));
    expect(refundProblems(books, all)).toEqual([]);
    expect(books.refundDocuments.size).toBeGreaterThan(10);
  }, 330_000);

  it('books payments for invoices paid later, voids cancelled ones, and retries the parked orders once fixed', async () => {
    const rows = await saleRows();
    const invoiced = rows.filter((r) => r.qboType === 'Invoice' && r.status === 'synced').map((r) => r.sourceKey.replace(/^order:/, ''));
    expect(invoiced.length).toBeGreaterThanOrEqual(4);
    const [paid1, paid2, cancelled1, cancelled2] = invoiced;
    for (const id of [paid1!, paid2!]) stack.world.shopify.admin.markPaid(stack.world.shopDomain, id, { gateway: 'shopify_payments' });
    for (const id of [cancelled1!, cancelled2!]) stack.world.shopify.admin.cancelOrder(stack.world.shopDomain, id, { reason: 'CUSTOMER' });
    // Fix the mapping, then sync now (the API waits for the run's summary).
    const put = await stack.api('PUT', `/stores/${storeId}/settings`, { gateways: {} });
    expect(put.status).toBe(200);
    const sync = await stack.api<{ runId: string; summary: { synced: number } }>('POST', `/stores/${storeId}/sync?wait=60`);
    expect([200, 202]).toContain(sync.status);
    await stack.waitForRuns(storeId, 2, 120_000);

    const after = await saleRows();
    expect(after.filter((r) => r.status === 'parked' || r.status === 'pending' || r.status === 'failed')).toEqual([]);
    for (const id of [cancelled1!, cancelled2!]) expect(after.find((r) => r.sourceKey === `order:${id}`)?.status).toBe('voided');
    const payments = await stack.database.db
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.storeId, storeId), eq(ledgerEntries.role, 'payment')));
    expect(payments.map((p) => p.sourceKey).sort()).toEqual([`order:${paid1}`, `order:${paid2}`].sort());
    expect(payments.every((p) => p.status === 'synced' && p.qboId)).toBe(true);

    const qbo = reader();
    const books = await readBooks(qbo, stack.world.shopify, stack.world.shopDomain);
    expect(books.duplicates).toEqual([]);
    expect(books.mismatches).toEqual([]);
    expect(books.documentsByOrder.size).toBe(after.filter((r) => r.qboId).length);
    const linked = books.payments.flatMap((p) => (p.Line as any[]).flatMap((l) => (l.LinkedTxn as any[]).map((t) => t.TxnId)));
    for (const id of [paid1!, paid2!]) expect(linked).toContain(after.find((r) => r.sourceKey === `order:${id}`)!.qboId);
    for (const id of [cancelled1!, cancelled2!]) {
      const doc = await qbo.read('Invoice', after.find((r) => r.sourceKey === `order:${id}`)!.qboId!);
      expect(Number(doc.TotalAmt)).toBe(0);
    }
    expect(books.trialBalance.debits).toBe(books.trialBalance.credits);
  }, 200_000);

  it('a revoked QBO connection disconnects the store, which stops until new credentials are given', async () => {
    const { world } = stack;
    const [booked] = (await saleRows()).filter((r) => r.status === 'synced' && r.qboType === 'SalesReceipt');
    const order = world.shopify.admin.getOrder(world.shopDomain, booked!.sourceKey.replace(/^order:/, ''));
    world.shopify.admin.upsertOrders(world.shopDomain, [
      { ...order, updatedAt: undefined, shippingAddress: { ...(order.shippingAddress ?? {}), address1: '1 Revoked Rd' } },
    ]);
    world.qbo.admin.revokeTokens(world.realmId); // the merchant disconnected the app in QBO

    const failed = await stack.api<{ error: { code: string; message: string } }>('POST', `/stores/${storeId}/sync?wait=60`);
    expect(failed.status).toBe(502);
    expect(failed.body.error.message).toMatch(/invalid_grant|reconnect/i);
    const view = await stack.api<{ state: string; connection: { ok: boolean; error: string | null } }>('GET', `/stores/${storeId}`);
    expect(view.body.state).toBe('disconnected');
    expect(view.body.connection.ok).toBe(false);
    expect((await stack.api('POST', `/stores/${storeId}/sync`)).status).toBe(409);

    // Reconnected: new tokens through the API, and the edit that waited is booked on the same document.
    const issued = world.qbo.admin.issueTokens(world.realmId);
    const put = await stack.api('PUT', `/stores/${storeId}/credentials`, {
      qbo: {
        realmId: world.realmId,
        clientId: world.qbo.clientId,
        clientSecret: world.qbo.clientSecret,
        accessToken: issued.accessToken,
        refreshToken: issued.refreshToken,
      },
    });
    expect(put.status).toBe(200);
    const ok = await stack.api<{ summary: { synced: number } }>('POST', `/stores/${storeId}/sync?wait=60`);
    expect(ok.status).toBe(200);
    expect(ok.body.summary.synced).toBeGreaterThanOrEqual(1);
    const doc = await reader().read('SalesReceipt', booked!.qboId!);
    expect((doc.ShipAddr as { Line1?: string }).Line1).toBe('1 Revoked Rd');
    const books = await readBooks(reader(), world.shopify, world.shopDomain);
    expect(books.duplicates).toEqual([]);
  }, 200_000);
});
