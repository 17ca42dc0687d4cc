/**
 * The payout saga (workflows/payout.ts) on the time-skipping server with the real activities, a real database
 * (PGlite) and both emulators holding a generated shop: its orders are booked by the real sync run, its payouts
 * and balance transactions served by the Shopify emulator. Reading QBO back proves each posted payout: one Deposit
 * `SP<id>`, total = the payout's net, every linked document deposited once; a SCHEDULED payout waits days for PAID;
 * a payout that turns FAILED after it was posted has its Deposit removed; a payout whose order is not booked waits
 * for it through the grace period, then posts with the money on the clearing line; a re-run makes no duplicate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, and } from 'drizzle-orm';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Database } from '../../db/client';
import { ledgerEntries } from '../../db/schema';
import { getPayout } from '../../db/queries';
import { DEFAULT_ACCOUNT_IDS as A, DEFAULT_LIST_IDS as L } from '../../emulators/qbo';
import { readBalanceTransaction, readPayout, type BalanceTransactionNode, type Payout, type PayoutNode } from '../../domain/payouts';
import { ledgerlineInterceptors } from '../../temporal/interceptors';
import { payoutWorkflowId, payoutStatusQuery, payoutSeenSignal, retryPayoutUpdate } from '../../workflows/definitions';
import { payoutWorkflow } from '../../workflows/payout';
import { syncRunWorkflow } from '../../workflows/sync-run';
import type { Settings } from '../../domain/settings';
import { pgliteDatabase } from '../support/db';
import {
  insertConnectedStore,
  qboReader,
  startWorld,
  testCipher,
  usSettings,
  worldActivities,
  type SyncWorld,
} from '../support/sync-fixture';
import { timeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';
import type { QboClient } from '../../integrations/qbo/client';

let env: TestWorkflowEnvironment;
let db: Database;
let world: SyncWorld;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;
let qbo: QboClient;

function payoutSettings(): Settings {
  const base = usSettings();
  return {
    ...base,
    payouts: {
      ...base.payouts,
      enabled: true,
      bankAccountId: A.checking,
      clearingAccountId: A.shopifyClearing,
      feeVendorId: L.shopifyVendor,
      disputesAccountId: A.chargebacks,
      reserveAccountId: A.shopifyReserve,
      capitalAccountId: A.creditCard,
      adjustmentsAccountId: A.chargebacks,
      // Two days instead of seven keep the hourly looks of the waiting test few.
      documentGraceDays: 2,
    },
  };
}

const payoutsOf = () => world.generated.payouts.map((n) => readPayout(n as unknown as PayoutNode));
const rowsOf = (p: Payout) =>
  world.generated.balanceTransactions
    .map((n) => readBalanceTransaction(n as unknown as BalanceTransactionNode))
    .filter((t) => t.associatedPayout.id === p.id);

/** Moves a payout in the emulator (the node as the generator made it, with another status). */
function setStatus(p: Payout, status: string): void {
  const node = world.generated.payouts.find((n) => n.id === p.id)!;
  world.shopify.admin.addPayouts(world.shopDomain, [{ ...node, status }]);
}

const used = new Set<string>();
/** A paid payout with at least `charges` charges that no other test of this file uses. */
function pick(charges: number, from: 'first' | 'last' = 'first'): Payout {
  const all = payoutsOf().filter(
    (p) => p.status === 'PAID' && !used.has(p.id) && rowsOf(p).filter((t) => t.type === 'CHARGE').length >= charges,
  );
  const p = from === 'first' ? all[0] : all[all.length - 1];
  if (!p) throw new Error('the generated shop has no such payout left');
  used.add(p.id);
  return p;
}

function linksOf(deposit: Record<string, unknown>): string[] {
  return (deposit.Line as Array<{ LinkedTxn?: Array<{ TxnId: string; TxnType: string }> }>).flatMap((l) =>
    (l.LinkedTxn ?? []).map((t) => `${t.TxnType}:${t.TxnId}`),
  );
}

async function depositsOf(p: Payout): Promise<Record<string, unknown>[]> {
  return qbo.query('Deposit', `DocNumber = 'SP${p.legacyResourceId}'`);
}

function start(p: Payout, id = payoutWorkflowId(world.shopDomain, p.legacyResourceId)) {
  return env.client.workflow.start(payoutWorkflow, {
    taskQueue,
    workflowId: id,
    args: [{ storeId: world.storeId, shopDomain: world.shopDomain, payoutId: p.id, legacyId: p.legacyResourceId }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}

beforeAll(async () => {
  [env, db, world] = await Promise.all([
    timeSkippingEnv(),
    pgliteDatabase(),
    startWorld({
      seed: 73,
      orders: 40,
      days: 20,
      shopify: {},
    }),
  ]);
  world.shopify.admin.addPayouts(world.shopDomain, world.generated.payouts);
  world.shopify.admin.addBalanceTransactions(world.shopDomain, world.generated.balanceTransactions);
  const cipher = testCipher();
  await insertConnectedStore(db.db, cipher, world, payoutSettings());
  qbo = qboReader(world, db.db);
  taskQueue = uniqueTaskQueue('payout');
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: worldActivities(world, db.db, cipher),
    interceptors: ledgerlineInterceptors,
  });
  running = worker.run();
  // The store's orders and refunds are booked by the real sync first (the payouts link their documents).
  await env.client.workflow.execute(syncRunWorkflow, {
    taskQueue,
    workflowId: `store:${world.shopDomain}:sync:first`,
    args: [{ storeId: world.storeId, shopDomain: world.shopDomain, trigger: 'manual' }],
  });
}, 240_000);

afterAll(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await world?.close();
  await db?.close();
  await env?.teardown();
});

describe('the payout saga', () => {
  it('posts a paid payout as one Deposit equal to its net, linking every charge and refund once; a re-run adds nothing', async () => {
    const paid = pick(1);
    const result = await (await start(paid)).result();
    expect(result.state).toBe('posted');
    const [deposit, ...others] = await depositsOf(paid);
    expect(others).toHaveLength(0);
    expect(Math.round(Number(deposit!.TotalAmt) * 100)).toBe(paid.net.minor);
    expect(result.depositId).toBe(String(deposit!.Id));
    const linked = (deposit!.Line as Array<{ LinkedTxn?: Array<{ TxnId: string; TxnType: string }> }>).flatMap((l) => l.LinkedTxn ?? []);
    const charges = rowsOf(paid).filter((t) => t.type === 'CHARGE' || t.type === 'REFUND');
    expect(linked.length).toBeGreaterThan(0);
    expect(linked.length).toBeLessThanOrEqual(charges.length);
    expect(new Set(linked.map((l) => `${l.TxnType}:${l.TxnId}`)).size).toBe(linked.length);
    const row = await getPayout(db.db, { storeId: world.storeId, payoutId: paid.id });
    expect(row).toMatchObject({ state: 'posted', depositId: String(deposit!.Id), netMinor: paid.net.minor });
    expect((row!.report as { clearingBalanced?: boolean }).clearingBalanced).toBe(true);

    // An operator re-runs the finished saga (the Temporal UI's "start again"): still one Deposit.
    const again = await (await start(paid)).result();
    expect(again.state).toBe('posted');
    expect(again.depositId).toBe(String(deposit!.Id));
    expect(await depositsOf(paid)).toHaveLength(1);
  });

  it('waits days while SCHEDULED, posts once PAID, removes the Deposit when the bank fails it, and links its documents again in the payout that returns the money', async () => {
    const p = pick(1, 'last');
    setStatus(p, 'SCHEDULED');
    const handle = await start(p);
    // Three days pass on the saga's clock (time skips while the test sleeps on the server's clock).
    await env.sleep('3 days');
    expect((await handle.query(payoutStatusQuery)).state).toBe('scheduled');
    expect(await depositsOf(p)).toHaveLength(0);

    setStatus(p, 'PAID');
    await handle.signal(payoutSeenSignal, { status: 'PAID' });
    await env.sleep('1 hour');
    const watching = await handle.query(payoutStatusQuery);
    expect(watching.state).toBe('watching');
    const [deposit] = await depositsOf(p);
    expect(Math.round(Number(deposit!.TotalAmt) * 100)).toBe(p.net.minor);

    // Two days later the bank declines it: the saga removes the Deposit (QBO deletes, never voids, a Deposit).
    const linkedBefore = linksOf(deposit!);
    await env.sleep('2 days');
    // The bank's failure: Shopify marks the payout FAILED and returns its money to the balance (TRANSFER_FAILURE).
    world.shopify.admin.setPayoutStatus(world.shopDomain, p.id, { status: 'FAILED', returnFunds: true });
    await handle.signal(payoutSeenSignal, { status: 'FAILED' });
    const ended = await handle.result();
    expect(ended.state).toBe('compensated');
    expect(await depositsOf(p)).toHaveLength(0);
    const rows = await db.db
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.storeId, world.storeId), eq(ledgerEntries.sourceKey, `payout:${p.id}`)));
    expect(rows.map((r) => [r.role, r.status])).toEqual([['deposit', 'voided']]);
    expect((await getPayout(db.db, { storeId: world.storeId, payoutId: p.id }))?.state).toBe('compensated');

    // The next payout carries the returned money: its Deposit links the failed payout's documents again.
    const next = readPayout(
      world.shopify.admin.issuePayout(world.shopDomain, {
        issuedAt: new Date(Date.now() + 60_000).toISOString(),
        status: 'PAID',
      }) as unknown as PayoutNode,
    );
    const retried = await (await start(next)).result();
    expect(retried.state).toBe('posted');
    const [nextDeposit] = await depositsOf(next);
    expect(Math.round(Number(nextDeposit!.TotalAmt) * 100)).toBe(next.net.minor);
    expect(linksOf(nextDeposit!)).toEqual(expect.arrayContaining(linkedBefore));
    const report = (await getPayout(db.db, { storeId: world.storeId, payoutId: next.id }))?.report as { rows: Array<{ outcome: string }> };
    expect(report.rows.some((r) => r.outcome === 'expanded')).toBe(true);
  });

  it('waits for an order that is not booked, then after the grace period posts it on the clearing line, flagged', async () => {
    const p = pick(2);
    const charge = rowsOf(p).find((t) => t.type === 'CHARGE')!;
    // The order's document is missing: its ledger row is gone (as if the sync had not reached it yet).
    await db.db
      .delete(ledgerEntries)
      .where(and(eq(ledgerEntries.storeId, world.storeId), eq(ledgerEntries.sourceKey, `order:${charge.associatedOrder!.id}`)));
    const handle = await start(p);
    await env.sleep('1 day');
    const waiting = await handle.query(payoutStatusQuery);
    expect(waiting.state).toBe('waiting_documents');
    expect(waiting.reason).toContain(charge.associatedOrder!.name);
    const row = await getPayout(db.db, { storeId: world.storeId, payoutId: p.id });
    expect(row?.blockers).toEqual([expect.objectContaining({ orderName: charge.associatedOrder!.name, kind: 'waits' })]);
    expect(await depositsOf(p)).toHaveLength(0);

    // A retry after "a fix" reads again at once; the order is still missing, so it keeps waiting.
    const retried = await handle.executeUpdate(retryPayoutUpdate, { args: [{}] });
    expect(retried.state).toBe('waiting_documents');

    // Past the grace period (2 days here) the payout posts, the missing charge on the clearing line.
    const ended = await handle.result();
    expect(ended.state).toBe('posted');
    const [deposit] = await depositsOf(p);
    expect(Math.round(Number(deposit!.TotalAmt) * 100)).toBe(p.net.minor);
    const clearingLines = (deposit!.Line as Array<{ DepositLineDetail?: { AccountRef?: { value: string } }; Amount: number }>).filter(
      (l) => l.DepositLineDetail?.AccountRef?.value === A.shopifyClearing,
    );
    expect(clearingLines.map((l) => Math.round(l.Amount * 100))).toEqual([charge.amount.minor]);
    expect((await getPayout(db.db, { storeId: world.storeId, payoutId: p.id }))?.needsAttention).toBe(true);
  });

  it('posts a negative payout as a JournalEntry taking the money out of the bank and a zero Deposit that clears its contents', async () => {
    const currency = String(world.generated.shop.currencyCode);
    // A Shopify bill taken from a balance that had nothing else: the payout withdraws $50 from the bank.
    world.shopify.admin.addBalanceTransactions(world.shopDomain, [
      {
        id: 'gid://shopify/ShopifyPaymentsBalanceTransaction/77000001',
        type: 'BILLING_DEBIT',
        test: false,
        transactionDate: '2021-01-04T10:00:00Z',
        sourceType: 'ADJUSTMENT',
        sourceId: '77000001',
        sourceOrderTransactionId: null,
        adjustmentReason: 'billing_debit',
        adjustmentsOrders: [],
        amount: { amount: '-50.00', currencyCode: currency },
        fee: { amount: '0.00', currencyCode: currency },
        net: { amount: '-50.00', currencyCode: currency },
        associatedOrder: null,
        associatedPayout: { id: null, status: 'PENDING' },
      },
    ]);
    const node = world.shopify.admin.issuePayout(world.shopDomain, { issuedAt: '2021-01-05T10:00:00Z', status: 'PAID' });
    const p = readPayout(node as unknown as PayoutNode);
    expect(p.transactionType).toBe('WITHDRAWAL');
    const result = await (await start(p)).result();
    expect(result.state).toBe('posted');
    const [deposit, ...others] = await depositsOf(p);
    expect(others).toHaveLength(0);
    expect(Number(deposit!.TotalAmt)).toBe(0);
    const journals = await qbo.query('JournalEntry', `DocNumber = 'SP${p.legacyResourceId}'`);
    expect(journals).toHaveLength(1);
    expect(result.journalEntryId).toBe(String(journals[0]!.Id));
    const credit = (
      journals[0]!.Line as Array<{ Amount: number; JournalEntryLineDetail: { PostingType: string; AccountRef: { value: string } } }>
    ).find((l) => l.JournalEntryLineDetail.PostingType === 'Credit');
    expect(credit).toMatchObject({ Amount: 50, JournalEntryLineDetail: { AccountRef: { value: A.checking } } });
    const linksJournal = (deposit!.Line as Array<{ LinkedTxn?: Array<{ TxnType: string; TxnId: string }> }>).some((l) =>
      (l.LinkedTxn ?? []).some((t) => t.TxnType === 'JournalEntry' && t.TxnId === String(journals[0]!.Id)),
    );
    expect(linksJournal).toBe(true);
  });

  it('keeps its history bounded while it waits: it continues as new with what it knew, and posts once in the last run', async () => {
    const p = pick(1);
    setStatus(p, 'SCHEDULED');
    const workflowId = payoutWorkflowId(world.shopDomain, p.legacyResourceId);
    const handle = await env.client.workflow.start(payoutWorkflow, {
      taskQueue,
      workflowId,
      args: [
        {
          storeId: world.storeId,
          shopDomain: world.shopDomain,
          payoutId: p.id,
          legacyId: p.legacyResourceId,
          assessmentsPerRun: 3,
        },
      ],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    // Four days of 6-hourly reads: 17 assessments, so five runs of at most three.
    await env.sleep('4 days');
    const latest = env.client.workflow.getHandle(workflowId);
    const waiting = await latest.query(payoutStatusQuery);
    expect(waiting.state).toBe('scheduled');
    expect(waiting.assessments).toBeGreaterThanOrEqual(16);
    const { runId } = await latest.describe();
    expect(runId).not.toBe(handle.firstExecutionRunId);
    const events = (await latest.fetchHistory()).events ?? [];
    expect(events.length).toBeLessThan(60);
    // The first run ended by continuing as new, carrying its state.
    const first = env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId);
    expect((await first.describe()).status.name).toBe('CONTINUED_AS_NEW');

    setStatus(p, 'PAID');
    await latest.signal(payoutSeenSignal, { status: 'PAID' });
    const ended = await handle.result(); // follows the runs to the last one
    expect(ended.state).toBe('posted');
    expect(ended.assessments).toBeGreaterThan(waiting.assessments);
    const deposits = await depositsOf(p);
    expect(deposits).toHaveLength(1);
    expect(Math.round(Number(deposits[0]!.TotalAmt) * 100)).toBe(p.net.minor);
  });
});
