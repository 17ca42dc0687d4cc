// Payouts a test moves over the emulator's HTTP API: status changes (and the money of a failed or canceled
// payout returned to the balance), payouts issued from the pending balance, read back through the real client
// with the documents the payout saga uses, and checked with the payout domain's own arithmetic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  categoryOf,
  checkPayoutArithmetic,
  readBalanceTransaction,
  readPayout,
  type BalanceTransactionNode,
  type PayoutNode,
} from '../../../domain/payouts';
import type { GeneratedShop } from '../../../emulators/scenario';
import type { ShopifyEmulator } from '../../../emulators/shopify';
import { fromCents, toCents } from '../../../emulators/shopify/money';
import { PAYOUT_BALANCE_TRANSACTIONS, PAYOUTS_PAGE } from '../../../integrations/shopify/queries/payouts';
import { adminPost, clientFor, errorsOf, seedFolder, SHOP, startEmulator } from './helpers';

const NOW = '2026-12-04T00:00:00Z';
let emu: ShopifyEmulator;
let generated: GeneratedShop;
beforeAll(async () => {
  const seed = seedFolder();
  generated = seed.shop;
  // A fixed clock: a returned payout's row is dated "now" (2026-12-04), between the payouts issued below.
  emu = await startEmulator({ seedDir: seed.dir, throttling: false, clock: () => new Date(NOW) });
});
afterAll(async () => {
  await emu.close();
});

const PAYOUT_NODE = `query($id: ID!) { node(id: $id) {
  ... on ShopifyPaymentsPayout { id legacyResourceId status issuedAt net { amount currencyCode } }
} }`;

async function gql(query: string, variables: Record<string, unknown>): Promise<any> {
  const res: any = await clientFor(emu).request(query, { variables });
  expect(errorsOf(res)).toEqual([]);
  return res.data;
}

async function nodeOf(id: string): Promise<any> {
  return (await gql(PAYOUT_NODE, { id })).node;
}

/** A payout as the saga reads it (PAYOUTS_PAGE), found by id among those issued since `since`. */
async function listedPayout(id: string, since = '2026-01-01'): Promise<PayoutNode> {
  const data = await gql(PAYOUTS_PAGE, { query: `issued_at:>=${since}`, after: null });
  const payout = data.shopifyPaymentsAccount.payouts.nodes.find((p: PayoutNode) => p.id === id);
  expect(payout, id).toBeDefined();
  return payout;
}

/** Every balance transaction of one payout as the saga reads them (PAYOUT_BALANCE_TRANSACTIONS). */
async function payoutRows(legacyId: string): Promise<BalanceTransactionNode[]> {
  const data = await gql(PAYOUT_BALANCE_TRANSACTIONS, { query: `payments_transfer_id:${legacyId}`, after: null });
  return data.shopifyPaymentsAccount.balanceTransactions.nodes;
}

async function pendingRows(): Promise<BalanceTransactionNode[]> {
  const data = await gql(PAYOUT_BALANCE_TRANSACTIONS, { query: 'payout_status:PENDING', after: null });
  return data.shopifyPaymentsAccount.balanceTransactions.nodes;
}

const USD = (cents: number) => ({ amount: fromCents(cents), currencyCode: 'USD' });
let nextRow = 7_000_000;
function row(type: string, amount: number, fee: number, at: string, extra: Record<string, unknown> = {}) {
  const n = ++nextRow;
  return {
    id: `gid://shopify/ShopifyPaymentsBalanceTransaction/${n}`,
    type,
    test: false,
    transactionDate: at,
    sourceType: type === 'RESERVED_FUNDS' ? 'ADJUSTMENT' : type,
    sourceId: String(n),
    sourceOrderTransactionId: null,
    adjustmentReason: null,
    adjustmentsOrders: [],
    amount: USD(amount),
    fee: USD(fee),
    net: USD(amount - fee),
    associatedOrder: null,
    associatedPayout: { id: null, status: 'PENDING' },
    ...extra,
  };
}

const issue = (body: unknown) => adminPost(emu, `/_emulator/shops/${SHOP}/payouts/issue`, body);
const move = (id: string, body: unknown) => adminPost(emu, `/_emulator/shops/${SHOP}/payouts/${encodeURIComponent(id)}/status`, body);

/** The payout, read back, adds up by the domain's own check. */
async function expectArithmeticOk(payout: PayoutNode): Promise<BalanceTransactionNode[]> {
  const rows = await payoutRows(payout.legacyResourceId);
  const check = checkPayoutArithmetic(readPayout(payout), rows.map(readBalanceTransaction));
  expect(check.ok, JSON.stringify(check.differences)).toBe(true);
  return rows;
}

describe('payouts of the seeded (generated) shop', () => {
  it('reads a generated payout with node(id:) as the saga re-reads its status', async () => {
    const payout = generated.payouts.at(-1)!;
    expect(await nodeOf(payout.id)).toEqual({
      id: payout.id,
      legacyResourceId: payout.legacyResourceId,
      status: payout.status,
      issuedAt: payout.issuedAt,
      net: payout.net,
    });
    // The last two days' payouts are SCHEDULED, older ones PAID; none is the deprecated IN_TRANSIT.
    expect(new Set(generated.payouts.map((p) => p.status))).toEqual(new Set(['PAID', 'SCHEDULED']));
    // Its own TRANSFER row is −net, and the rest add up to net.
    const rows = await expectArithmeticOk(payout as PayoutNode);
    const transfer = rows.filter((r) => r.type === 'TRANSFER');
    expect(transfer).toHaveLength(1);
    expect(transfer[0]).toMatchObject({ sourceType: 'TRANSFER', sourceId: payout.legacyResourceId, fee: { amount: '0.00' } });
    expect(toCents(transfer[0]!.net.amount)).toBe(-toCents(payout.net.amount));
  });

  it('issues a payout of the pending balance: Σ net, rows attached, its TRANSFER row, fees as the summary says', async () => {
    const before = await pendingRows();
    expect(before.length).toBeGreaterThan(0);
    const issuedAt = '2026-11-01T12:00:00Z';
    const res = await issue({ issuedAt });
    expect(res.status).toBe(201);
    const payout = res.json.result;
    expect(payout).toMatchObject({ issuedAt, status: 'SCHEDULED', transactionType: 'DEPOSIT' });
    expect(toCents(payout.net.amount)).toBe(before.reduce((s, r) => s + toCents(r.net.amount), 0));

    const listed = await listedPayout(payout.id, '2026-11-01');
    const rows = await expectArithmeticOk(listed);
    expect(
      rows
        .filter((r) => r.type !== 'TRANSFER')
        .map((r) => r.id)
        .sort(),
    ).toEqual(before.map((r) => r.id).sort());
    expect(rows.every((r) => r.associatedPayout?.id === payout.id && r.associatedPayout?.status === 'SCHEDULED')).toBe(true);
    const transfer = rows.find((r) => r.type === 'TRANSFER')!;
    expect(toCents(transfer.amount.amount)).toBe(-toCents(payout.net.amount));
    expect(categoryOf(readBalanceTransaction(transfer))).toBe('transfer');
    expect(await pendingRows()).toEqual([]);
    expect(await nodeOf(payout.id)).toMatchObject({ status: 'SCHEDULED', issuedAt, net: payout.net });
  });
});

describe('moving and issuing payouts', () => {
  // Money taken in December, after everything the generated shop holds.
  const charge1 = row('CHARGE', 10_000, 320, '2026-12-01T10:00:00Z');
  const charge2 = row('CHARGE', 5_000, 175, '2026-12-01T11:00:00Z');
  const refund = row('REFUND', -2_000, 0, '2026-12-01T12:00:00Z');
  const chargeback = row('ADJUSTMENT', -3_000, 1_500, '2026-12-01T13:00:00Z', { sourceType: 'DISPUTE', adjustmentReason: 'chargeback' });
  const reserve = row('RESERVED_FUNDS', -1_000, 0, '2026-12-01T14:00:00Z', { adjustmentReason: 'reserve' });
  const later = row('CHARGE', 2_500, 103, '2026-12-05T09:00:00Z');
  const december = [charge1, charge2, refund, chargeback, reserve];
  const decemberNet = december.reduce((s, r) => s + toCents(r.net.amount), 0);
  let first: any;

  beforeAll(async () => {
    expect((await adminPost(emu, `/_emulator/shops/${SHOP}/balance-transactions`, [...december, later])).status).toBe(201);
  });

  it('issues only what was processed at or before issuedAt, with the summary filled per category', async () => {
    const res = await issue({ issuedAt: '2026-12-02T00:00:00Z' });
    expect(res.status).toBe(201);
    first = res.json.result;
    expect(toCents(first.net.amount)).toBe(decemberNet);
    const s = first.summary;
    expect([s.chargesGross, s.chargesFee, s.refundsFeeGross, s.refundsFee].map((m: any) => m.amount)).toEqual([
      '150.00',
      '4.95',
      '-20.00',
      '0.00',
    ]);
    expect([s.adjustmentsGross, s.adjustmentsFee, s.reservedFundsGross, s.retriedPayoutsGross].map((m: any) => m.amount)).toEqual([
      '-30.00',
      '15.00',
      '-10.00',
      '0.00',
    ]);
    const rows = await expectArithmeticOk(await listedPayout(first.id, '2026-12-01'));
    expect(rows.map((r) => r.id).filter((id) => id !== rows.find((r) => r.type === 'TRANSFER')!.id)).toEqual(december.map((r) => r.id));
    expect((await pendingRows()).map((r) => r.id)).toEqual([later.id]);
  });

  it('moves a payout by legacy id; its rows follow; node(id:) shows the new status', async () => {
    const res = await move(first.legacyResourceId, { status: 'PAID' });
    expect(res.status).toBe(201);
    expect(res.json.result).toMatchObject({ payout: { id: first.id, status: 'PAID' }, returned: null });
    expect(await nodeOf(first.id)).toMatchObject({ status: 'PAID', legacyResourceId: first.legacyResourceId });
    const rows = await payoutRows(first.legacyResourceId);
    expect(rows).toHaveLength(december.length + 1);
    expect(rows.every((r) => r.associatedPayout?.status === 'PAID')).toBe(true);
    // Stored rows are kept in step too (not only what the resolver derives).
    const stored = [...emu.admin.shop(SHOP).balanceTransactions.values()].filter((t) => t.associatedPayout?.id === first.id);
    expect(stored.every((t) => t.associatedPayout.status === 'PAID')).toBe(true);
  });

  it('refuses an unknown status (400) and an unknown payout (404)', async () => {
    for (const body of [
      { status: 'BOGUS' },
      { status: 'PENDING' },
      {},
      { status: 'PAID', returnFunds: true },
      { status: 'FAILED', returnFunds: 'yes' },
    ]) {
      const res = await move(first.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.ok).toBe(false);
    }
    expect((await nodeOf(first.id)).status).toBe('PAID');
    expect((await move('999999999', { status: 'PAID' })).status).toBe(404);
    expect((await move('gid://shopify/ShopifyPaymentsPayout/999999999', { status: 'PAID' })).status).toBe(404);
    expect((await move('not-an-id', { status: 'PAID' })).status).toBe(404);
  });

  it('fails a paid payout (by gid) and returns its net to the balance as a pending TRANSFER_FAILURE', async () => {
    const res = await move(first.id, { status: 'FAILED', returnFunds: true });
    expect(res.status).toBe(201);
    const returned = res.json.result.returned;
    expect(returned).toMatchObject({
      type: 'TRANSFER_FAILURE',
      sourceType: 'TRANSFER',
      sourceId: first.legacyResourceId,
      amount: first.net,
      fee: { amount: '0.00' },
      net: first.net,
      associatedPayout: { id: null, status: 'PENDING' },
    });
    expect(await nodeOf(first.id)).toMatchObject({ status: 'FAILED' });
    expect((await payoutRows(first.legacyResourceId)).every((r) => r.associatedPayout?.status === 'FAILED')).toBe(true);
    expect((await pendingRows()).map((r) => r.id).sort()).toEqual([later.id, returned.id].sort());
    expect(categoryOf(readBalanceTransaction(returned))).toBe('retried_payout');
    // Once only.
    expect((await move(first.id, { status: 'FAILED', returnFunds: true })).status).toBe(409);
  });

  it('carries the returned money in the next payout, as a retried payout in its summary', async () => {
    const res = await issue({ issuedAt: '2026-12-06T00:00:00Z', status: 'PAID' });
    expect(res.status).toBe(201);
    const second = res.json.result;
    expect(second.status).toBe('PAID');
    expect(toCents(second.net.amount)).toBe(decemberNet + toCents(later.net.amount));
    expect(second.summary.retriedPayoutsGross.amount).toBe(first.net.amount);
    expect(second.summary.chargesGross.amount).toBe('25.00');
    const rows = await expectArithmeticOk(await listedPayout(second.id, '2026-12-06'));
    expect(rows.map((r) => r.type).sort()).toEqual(['CHARGE', 'TRANSFER', 'TRANSFER_FAILURE']);
    expect(rows.every((r) => r.associatedPayout?.status === 'PAID')).toBe(true);
    expect(await pendingRows()).toEqual([]);
  });

  it('cancels a payout through the in-process admin, returning its money as TRANSFER_CANCEL', async () => {
    await adminPost(emu, `/_emulator/shops/${SHOP}/balance-transactions`, row('CHARGE', 4_000, 146, '2026-12-10T09:00:00Z'));
    const third = emu.admin.issuePayout(SHOP, { issuedAt: '2026-12-11T00:00:00Z' });
    expect(third.status).toBe('SCHEDULED');
    const { payout, returned } = emu.admin.setPayoutStatus(SHOP, third.legacyResourceId, { status: 'CANCELED', returnFunds: true });
    expect(payout.status).toBe('CANCELED');
    expect(returned).toMatchObject({ type: 'TRANSFER_CANCEL', net: third.net, associatedPayout: { id: null } });
    expect(await nodeOf(third.id)).toMatchObject({ status: 'CANCELED', net: { amount: '38.54', currencyCode: 'USD' } });
    expect((await pendingRows()).map((r) => r.type)).toEqual(['TRANSFER_CANCEL']);
    // Back to SCHEDULED (a retry) without returning anything.
    expect((await move(third.id, { status: 'SCHEDULED' })).json.result.returned).toBeNull();
    expect((await payoutRows(third.legacyResourceId)).every((r) => r.associatedPayout?.status === 'SCHEDULED')).toBe(true);
  });

  it('refuses an issue without a valid date or status, or with nothing pending at that time', async () => {
    expect((await issue({})).status).toBe(400);
    expect((await issue({ issuedAt: 'yesterday' })).status).toBe(400);
    expect((await issue({ issuedAt: '2026-12-20T00:00:00Z', status: 'IN_TRANSIT' })).status).toBe(400);
    // The pending TRANSFER_CANCEL row is dated NOW (the emulator's clock), after 2026-12-01.
    expect((await issue({ issuedAt: '2026-12-01T00:00:00Z' })).status).toBe(409);
  });
});
