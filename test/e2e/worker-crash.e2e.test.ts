/**
 * End to end through a crash: the worker process is killed with SIGKILL in the middle of a
 * 600-order backfill (QBO answers each batch slowly, so the kill lands while writes are in flight),
 * and a new worker process is started. Temporal retries the interrupted page on the new worker after
 * the heartbeat timeout; the ledger's pending rows are settled against QBO first. Every order ends up
 * booked exactly once, none missing.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerEntries } from '../../db/schema';
import { QBO_BATCH_MAX } from '../../integrations/qbo/client';
import { readBooks, refundProblems } from '../support/books';
import { startStack, type Stack } from '../support/stack';
import { qboReader } from '../support/sync-fixture';

let stack: Stack;
let storeId: string;

beforeAll(async () => {
  stack = await startStack({ seed: 303, orders: 600, days: 45, qbo: { faults: [{ match: 'batch', latencyMs: 1500 }] } });
  stack.startWorker();
  storeId = await stack.connect();
}, 240_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

const rowsOf = () =>
  stack.database.db
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.storeId, storeId), eq(ledgerEntries.role, 'sale')));

describe('sales sync end to end through a worker crash', () => {
  it('a worker killed mid-backfill and replaced leaves every order booked exactly once', async () => {
    const first = stack.workers[0]!;
    // Wait until the backfill is under way: some orders written, most not, and creates in flight.
    // More pending rows than the batches one activity sends at once (3 × 30) hold: the last batches
    // were not even sent yet, so the kill cannot land just after every pending create was answered
    // (with only a batch or two in flight, their answers could arrive between this read and the kill).
    const deadline = Date.now() + 180_000;
    const enoughInFlight = 3 * QBO_BATCH_MAX;
    let progress = 0;
    let inFlight = 0;
    while (Date.now() < deadline) {
      const rows = await rowsOf();
      progress = rows.filter((r) => r.status === 'synced').length;
      inFlight = rows.filter((r) => r.status === 'pending').length;
      if (progress >= 30 && inFlight > enoughInFlight) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(progress).toBeGreaterThanOrEqual(30);
    expect(inFlight).toBeGreaterThan(enoughInFlight);
    expect(progress).toBeLessThan(500);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    const atKill = await rowsOf();
    // Creates in flight: their rows say "sent, answer unknown" — the case the restart must settle.
    expect(atKill.some((r) => r.status === 'pending')).toBe(true);

    stack.world.qbo.admin.clearFaults();
    stack.startWorker();
    await stack.waitForRuns(storeId, 1, 400_000);

    // Exactly once came from the ledger's own search, not from QBO refusing a repeated DocNumber (6140):
    // that path reads and updates the document one by one, and no such call was made.
    expect(
      stack.world.qbo.admin.requestLog().filter((r) => /^(salesreceipt|invoice)$/i.test(r.entity ?? '') && r.operation !== 'query'),
    ).toEqual([]);
    const qbo = qboReader(stack.world, stack.database.db);
    const rows = await rowsOf();
    const books = await readBooks(qbo, stack.world.shopify, stack.world.shopDomain);
    expect(new Set(rows.map((r) => r.sourceKey)).size).toBe(600);
    expect(books.duplicates).toEqual([]);
    expect(books.mismatches).toEqual([]);
    expect(rows.filter((r) => !['synced', 'skipped'].includes(r.status))).toEqual([]);
    expect(books.documentsByOrder.size).toBe(rows.filter((r) => r.status === 'synced').length);
    expect(books.trialBalance.debits).toBe(books.trialBalance.credits);
    // Refunds across the kill: one document each, to the cent, none left pending.
    const all = await stack.database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, storeId));
    expect(refundProblems(books, all)).toEqual([]);
    expect(all.filter((r) => r.role === 'refund' && r.status === 'pending')).toEqual([]);
    expect(books.refundDocuments.size).toBeGreaterThan(5);
    // The rows synced before the kill kept their documents.
    for (const r of atKill.filter((x) => x.status === 'synced')) expect(rows.find((x) => x.sourceKey === r.sourceKey)?.qboId).toBe(r.qboId);
  }, 700_000);
});
