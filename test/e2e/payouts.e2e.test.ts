/**
 * Payouts end to end (issue #15): a generated shop with weeks of orders, refunds, fees, a chargeback, a reserve and
 * its release, grouped into payouts (the last ones still SCHEDULED), served by the Shopify emulator; a store connected
 * through the API with payouts switched on (their accounts found or created at connect); a real worker process on the
 * Temporal dev server. Each sync run discovers the payouts and starts one saga per payout. QBO answers Deposit
 * creates slowly, drops the answer to some after committing them, and fails some reads; the worker is killed with
 * SIGKILL while sagas are posting and a new one started. Reading QBO back then proves, for every paid payout: one
 * Deposit `SP<id>`, total = the payout's net, fees booked = Σ fees, every linked document deposited exactly once
 * across all Deposits, and each clearing account's net change from the payout's contents zero.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerEntries, payouts as payoutsTable } from '../../db/schema';
import {
  readBalanceTransaction,
  readPayout,
  type BalanceTransactionNode,
  type PayoutNode,
  type ReconciliationReport,
} from '../../domain/payouts';
import { startStack, type Stack } from '../support/stack';
import { qboReader } from '../support/sync-fixture';

let stack: Stack;
let storeId: string;

beforeAll(async () => {
  stack = await startStack({
    seed: 515,
    orders: 160,
    days: 30,
    qbo: {
      faults: [
        // The first two Deposit creates are committed, then their answers lost: the saga must find them by DocNumber.
        { match: 'Deposit:create', commitThenDrop: true, times: 2 },
        // Slow creates, so the kill lands while sagas are posting.
        { match: 'Deposit:create', latencyMs: 1500 },
        { match: 'Deposit:read', rate5xx: 0.2 },
      ],
    },
  });
  stack.world.shopify.admin.addPayouts(stack.world.shopDomain, stack.world.generated.payouts);
  stack.world.shopify.admin.addBalanceTransactions(stack.world.shopDomain, stack.world.generated.balanceTransactions);
  stack.startWorker();
  storeId = await stack.connect({ payouts: { enabled: true } });
}, 240_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

const payoutRows = () => stack.database.db.select().from(payoutsTable).where(eq(payoutsTable.storeId, storeId));

async function waitFor<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not reached after ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 3000)}\n${stack.workers.map((w) => w.output()).join('\n---\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('payouts end to end', () => {
  it('every paid payout becomes one Deposit equal to its net, through lost answers, failed reads and a worker SIGKILL', async () => {
    const generated = stack.world.generated.payouts.map((n) => readPayout(n as unknown as PayoutNode));
    const paid = generated.filter((p) => p.status === 'PAID');
    const scheduled = generated.filter((p) => p.status === 'SCHEDULED');
    expect(paid.length).toBeGreaterThan(5);

    // Sagas posting: a Deposit ledger row written and not yet settled. Then the worker dies.
    await waitFor(
      'a saga posting',
      () =>
        stack.database.db
          .select()
          .from(ledgerEntries)
          .where(and(eq(ledgerEntries.storeId, storeId), eq(ledgerEntries.role, 'deposit'))),
      (rows) => rows.some((r) => r.status === 'pending'),
      400_000,
    );
    const first = stack.workers[0]!;
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    stack.startWorker();

    const settled = new Set(['watching', 'posted']);
    // Every paid payout posted, and every scheduled one found and assessed as scheduled: discovery writes a row
    // (`discovered`) and the payout's saga moves it on at its first assessment, both on their own time, so a scheduled
    // payout can still be on its way when the paid ones have settled.
    const rows = await waitFor(
      'every paid payout posted and every scheduled one assessed',
      payoutRows,
      (rs) =>
        paid.every((p) => settled.has(rs.find((r) => r.payoutId === p.id)?.state ?? '')) &&
        scheduled.every((p) => rs.find((r) => r.payoutId === p.id)?.state === 'scheduled'),
      600_000,
    );

    const qbo = qboReader(stack.world, stack.database.db);
    const deposits = await qbo.query('Deposit');
    const byNumber = new Map<string, Record<string, unknown>[]>();
    for (const d of deposits) byNumber.set(String(d.DocNumber), [...(byNumber.get(String(d.DocNumber)) ?? []), d]);
    const transactions = stack.world.generated.balanceTransactions.map((n) =>
      readBalanceTransaction(n as unknown as BalanceTransactionNode),
    );
    const seenLinks = new Map<string, string>();
    for (const p of paid) {
      const docs = byNumber.get(`SP${p.legacyResourceId}`) ?? [];
      expect(docs, `payout ${p.legacyResourceId}: one Deposit`).toHaveLength(1);
      const deposit = docs[0]!;
      const expected = p.net.minor < 0 ? 0 : p.net.minor;
      expect(Math.round(Number(deposit.TotalAmt) * 100), `payout ${p.legacyResourceId}: total = net`).toBe(expected);
      const row = rows.find((r) => r.payoutId === p.id)!;
      expect(row.depositId).toBe(String(deposit.Id));
      const report = row.report as unknown as ReconciliationReport;
      const fees = transactions.filter((t) => t.associatedPayout.id === p.id).reduce((s, t) => s + t.fee.minor, 0);
      expect(report.fees.minor, `payout ${p.legacyResourceId}: Σ fees`).toBe(fees);
      expect(report.feesBooked.minor).toBe(fees);
      expect(report.clearingBalanced, `payout ${p.legacyResourceId}: clearing change zero`).toBe(true);
      for (const line of deposit.Line as Array<{ LinkedTxn?: Array<{ TxnId: string; TxnType: string }> }>) {
        for (const link of line.LinkedTxn ?? []) {
          const key = `${link.TxnType}:${link.TxnId}`;
          expect(seenLinks.get(key), `${key} deposited twice`).toBeUndefined();
          seenLinks.set(key, p.legacyResourceId);
        }
      }
    }
    expect(seenLinks.size).toBeGreaterThan(paid.length);
    // Scheduled payouts wait for PAID: nothing posted.
    for (const p of scheduled) {
      expect(byNumber.get(`SP${p.legacyResourceId}`) ?? []).toHaveLength(0);
      expect(rows.find((r) => r.payoutId === p.id)?.state).toBe('scheduled');
    }
    // Only Ledgerline's Deposits exist, one per paid payout.
    expect(deposits).toHaveLength(paid.length);
    // Operators find the sagas by state in the Temporal UI (the LedgerlinePayoutState search attribute).
    const countIn = async (state: string) => {
      let n = 0;
      for await (const _ of stack.client.workflow.list({ query: `WorkflowType = 'payoutWorkflow' AND LedgerlinePayoutState = '${state}'` }))
        n++;
      return n;
    };
    // A payout older than the failure watch ends `posted` at once; a recent one stays `watching`.
    await waitFor(
      'the sagas visible by state',
      async () => [(await countIn('watching')) + (await countIn('posted')), await countIn('scheduled')],
      ([done, waiting]) => done === paid.length && waiting === scheduled.length,
      60_000,
    );
  }, 1_200_000);
});
