/**
 * `npm run bench:payouts`: the payout saga's throughput (issue #15; docs/BENCHMARKS.md), end to end, every part real
 * as in `bench:sync` (b): a generated shop with its Shopify Payments payouts and balance transactions in the Shopify
 * emulator, a QBO company in the QBO emulator with QBO's limits time-scaled, PostgreSQL, the Temporal dev server, the
 * API (connect, with payouts switched on) and the worker as its own process.
 *
 * The sales backfill runs first (the first sync run); at its end it discovers the payouts and starts one saga per
 * payout. The payout phase is measured on its own: from discovery (the first payouts page read from Shopify) until
 * every PAID payout's row is `watching` or `posted`. Prints payouts posted per minute, QBO calls per payout (the
 * Deposit and JournalEntry requests of the phase ÷ payouts posted), and the minimum time the limits allow for the
 * phase ÷ the measured time (target ≥ 0.85). The minimum is the largest of:
 *  - QBO requests: every QBO request of the phase at 500 in any sliding (time-scaled) minute (docs/qbo-facts.md §1):
 *    (⌈R/500⌉ − 1) minutes. The realm's 10-concurrent limit binds only through request latency, which the
 *    emulator keeps at a few ms: it adds nothing measurable and is left out (a conservative ratio).
 *  - Shopify's cost budget: the actual query cost of the phase's payout reads (payout pages and nodes, balance
 *    transaction pages, refund transaction reads, the shop's context) against a bucket of 2,000 points refilling
 *    100 a second (docs/shopify-facts.md §1; not time-scaled, like Shopify itself), starting full.
 * Afterwards QBO is read back: one Deposit `SP<id>` per paid payout, its total = the payout's net, fees booked =
 * Σ fees, each linked document deposited once, and no Deposit for a scheduled payout; each problem is counted.
 *
 * Options: --orders 20000 --days 365 --scale 5 --seed 15000. `BENCH_TIMELINE=1` prints every payout saga's
 * activities (from its workflow history) relative to discovery. Needs PostgreSQL (TEST_DATABASE_URL, default
 * postgres://ledgerline:ledgerline@127.0.0.1:5432/ledgerline; scripts/setup-postgres.sh).
 */
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { listSyncRuns } from '../db/queries';
import { payouts as payoutsTable } from '../db/schema';
import {
  readBalanceTransaction,
  readPayout,
  type BalanceTransactionNode,
  type PayoutNode,
  type ReconciliationReport,
} from '../domain/payouts';
import { startStack, type Stack } from '../test/support/stack';
import { qboReader } from '../test/support/sync-fixture';

const QBO_REQUESTS_PER_MINUTE = 500;
/** The Shopify operations payout activities send (integrations/shopify/queries/payouts.ts, activities/sync/context.ts). */
const PAYOUT_OPERATIONS = new Set([
  'LedgerlinePayouts',
  'LedgerlinePayout',
  'LedgerlinePayoutTransactions',
  'LedgerlineRefundTransactions',
]);
const PAYOUT_QBO_ENTITIES = new Set(['Deposit', 'JournalEntry']);
const SETTLED = new Set(['watching', 'posted']);

interface ActivitySpan {
  type: string;
  scheduled: number;
  started: number;
  ended: number;
  failed: boolean;
}

const eventMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);

/** One saga's activities from its workflow history (absolute ms), and when the workflow started. */
async function sagaSpans(stack: Stack, workflowId: string): Promise<{ startedAt: number; spans: ActivitySpan[] }> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, { type: string; at: number }>();
  const started = new Map<string, number>();
  const spans: ActivitySpan[] = [];
  let startedAt = 0;
  for (const e of history.events ?? []) {
    const at = eventMs(e.eventTime);
    if (e.workflowExecutionStartedEventAttributes) startedAt = at;
    if (e.activityTaskScheduledEventAttributes)
      scheduled.set(String(e.eventId), { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at });
    if (e.activityTaskStartedEventAttributes) started.set(String(e.activityTaskStartedEventAttributes.scheduledEventId), at);
    const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
    if (done) {
      const s = scheduled.get(String(done.scheduledEventId));
      spans.push({
        type: s?.type ?? '?',
        scheduled: s?.at ?? at,
        started: started.get(String(done.scheduledEventId)) ?? at,
        ended: at,
        failed: !!e.activityTaskFailedEventAttributes,
      });
    }
  }
  return { startedAt, spans };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '20000' },
      days: { type: 'string', default: '365' },
      scale: { type: 'string', default: '5' },
      seed: { type: 'string', default: '15000' },
    },
  });
  const num = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${v}"`);
    return n;
  };
  const orders = num('orders', values.orders);
  const days = num('days', values.days);
  const scale = num('scale', values.scale);
  const seed = num('seed', values.seed);
  console.log(`Ledgerline payout benchmark · node ${process.version} · ${new Date().toISOString()}`);

  const stack = await startStack({ seed, orders, days, qboTimeScale: scale, qbo: { timeScale: scale } });
  try {
    const { world } = stack;
    world.shopify.admin.addPayouts(world.shopDomain, world.generated.payouts);
    world.shopify.admin.addBalanceTransactions(world.shopDomain, world.generated.balanceTransactions);
    const generated = world.generated.payouts.map((n) => readPayout(n as unknown as PayoutNode));
    const paid = generated.filter((p) => p.status === 'PAID');
    const scheduled = generated.filter((p) => p.status !== 'PAID');
    stack.startWorker();
    const connectedAt = Date.now();
    const storeId = await stack.connect({ payouts: { enabled: true } });
    await stack.waitForRuns(storeId, 1, 3_600_000);
    const [run] = (await listSyncRuns(stack.database.db, { storeId }))
      .filter((r) => r.status === 'completed')
      .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    if (!run?.finishedAt) throw new Error('the first sync run has no finish time');

    // Every paid payout posted (or, past its post, in the failure watch). A held one ends the wait: it needs a person.
    const rowsNow = () => stack.database.db.select().from(payoutsTable).where(eq(payoutsTable.storeId, storeId));
    const deadline = Date.now() + 3_600_000;
    let rows = await rowsNow();
    for (;;) {
      const byId = new Map(rows.map((r) => [r.payoutId, r]));
      if (paid.every((p) => SETTLED.has(byId.get(p.id)?.state ?? ''))) break;
      const held = rows.filter((r) => r.state === 'held');
      if (held.length > 0 || Date.now() > deadline) {
        const counts = new Map<string, number>();
        for (const r of rows) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
        const states = [...counts].map(([s, n]) => `${s}: ${n}`);
        throw new Error(
          `${held.length > 0 ? `${held.length} payout(s) held: ${held[0]!.reason ?? ''}` : 'timed out'} (${states.join(', ')})\n` +
            stack.workers.map((w) => w.output()).join('\n---\n'),
        );
      }
      await new Promise((r) => setTimeout(r, 250));
      rows = await rowsNow();
    }
    const settledAt = Date.now();

    const shopifyLog = world.shopify.admin.requests(world.shopDomain).filter((r) => Date.parse(r.time) >= connectedAt);
    const qboLog = world.qbo.admin.requestLog({ realmId: world.realmId });
    const discovery = shopifyLog.find((r) => r.operationName === 'LedgerlinePayouts');
    if (!discovery) throw new Error('no payout discovery in the Shopify request log');
    const t0 = Date.parse(discovery.time);
    const inPhase = (time: string) => Date.parse(time) >= t0 && Date.parse(time) <= settledAt;
    const phaseShopify = shopifyLog.filter((r) => inPhase(r.time));
    const payoutShopify = phaseShopify.filter((r) => r.status === 200 && PAYOUT_OPERATIONS.has(r.operationName ?? ''));
    const pointsBy = new Map<string, { requests: number; points: number }>();
    for (const r of payoutShopify) {
      const e = pointsBy.get(r.operationName!) ?? { requests: 0, points: 0 };
      pointsBy.set(r.operationName!, { requests: e.requests + 1, points: e.points + (r.actualQueryCost ?? 0) });
    }
    const shopifyPoints = payoutShopify.reduce((s, r) => s + (r.actualQueryCost ?? 0), 0);
    const phaseQbo = qboLog.filter((r) => inPhase(r.time) && r.operation !== 'token');
    const payoutQbo = qboLog.filter((r) => Date.parse(r.time) >= t0 && PAYOUT_QBO_ENTITIES.has(r.entity ?? ''));
    const qboBy = new Map<string, number>();
    for (const r of payoutQbo) qboBy.set(`${r.entity} ${r.operation}`, (qboBy.get(`${r.entity} ${r.operation}`) ?? 0) + 1);
    const seconds = (settledAt - t0) / 1000;
    const logsFull = world.shopify.admin.requests(world.shopDomain).length >= 10_000 || qboLog.length >= 10_000;

    // The payout sagas' activities, from their histories.
    const sagas = await Promise.all(rows.filter((r) => r.workflowId).map((r) => sagaSpans(stack, r.workflowId!)));
    const byType = new Map<string, { n: number; run: number; queued: number; failed: number }>();
    for (const s of sagas.flatMap((x) => x.spans)) {
      const e = byType.get(s.type) ?? { n: 0, run: 0, queued: 0, failed: 0 };
      byType.set(s.type, {
        n: e.n + 1,
        run: e.run + (s.ended - s.started),
        queued: e.queued + (s.started - s.scheduled),
        failed: e.failed + (s.failed ? 1 : 0),
      });
    }
    const allSpans = sagas.flatMap((x) => x.spans);
    // Busy time: how long at least one payout activity was running, of the phase.
    const edges = allSpans.flatMap((s) => [
      [s.started, 1],
      [s.ended, -1],
    ]) as Array<[number, number]>;
    edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let level = 0;
    let busy = 0;
    let maxLevel = 0;
    let since = 0;
    for (const [at, d] of edges) {
      if (level > 0) busy += at - since;
      level += d;
      maxLevel = Math.max(maxLevel, level);
      since = at;
    }
    if (process.env.BENCH_TIMELINE) {
      for (const [i, saga] of sagas.entries()) {
        const rel = (ms: number) => ((ms - t0) / 1000).toFixed(1);
        console.log(`    saga ${rows[i]!.legacyId} started ${rel(saga.startedAt)} s`);
        for (const s of saga.spans)
          console.log(
            `      ${s.type} scheduled ${rel(s.scheduled)}, ran ${rel(s.started)}–${rel(s.ended)} s${s.failed ? ' (failed attempt)' : ''}`,
          );
      }
    }

    // Correctness, read back from QBO.
    world.qbo.admin.setFaults([]);
    const qbo = qboReader(world, stack.database.db);
    const deposits = await qbo.query('Deposit');
    const byNumber = new Map<string, Record<string, unknown>[]>();
    for (const d of deposits) byNumber.set(String(d.DocNumber), [...(byNumber.get(String(d.DocNumber)) ?? []), d]);
    const transactions = world.generated.balanceTransactions.map((n) => readBalanceTransaction(n as unknown as BalanceTransactionNode));
    const problems = { missing: 0, doubled: 0, totals: 0, fees: 0, clearing: 0, linkedTwice: 0, scheduledPosted: 0, extra: 0 };
    const seenLinks = new Set<string>();
    for (const p of paid) {
      const docs = byNumber.get(`SP${p.legacyResourceId}`) ?? [];
      if (docs.length === 0) problems.missing += 1;
      if (docs.length > 1) problems.doubled += 1;
      const deposit = docs[0];
      if (!deposit) continue;
      if (Math.round(Number(deposit.TotalAmt) * 100) !== (p.net.minor < 0 ? 0 : p.net.minor)) problems.totals += 1;
      const report = rows.find((r) => r.payoutId === p.id)?.report as unknown as ReconciliationReport | undefined;
      const fees = transactions.filter((t) => t.associatedPayout.id === p.id).reduce((s, t) => s + t.fee.minor, 0);
      if (report?.fees.minor !== fees || report.feesBooked.minor !== fees) problems.fees += 1;
      if (!report?.clearingBalanced) problems.clearing += 1;
      for (const line of deposit.Line as Array<{ LinkedTxn?: Array<{ TxnId: string; TxnType: string }> }>) {
        for (const link of line.LinkedTxn ?? []) {
          const key = `${link.TxnType}:${link.TxnId}`;
          if (seenLinks.has(key)) problems.linkedTwice += 1;
          seenLinks.add(key);
        }
      }
    }
    for (const p of scheduled) if ((byNumber.get(`SP${p.legacyResourceId}`) ?? []).length > 0) problems.scheduledPosted += 1;
    problems.extra = Math.max(0, deposits.length - paid.length);

    // The bounds (see the header).
    const { bucket } = world.shopify.admin.shop(world.shopDomain) as unknown as {
      bucket: { maximumAvailable: number; restoreRate: number };
    };
    const shopifyBound = Math.max(0, shopifyPoints - bucket.maximumAvailable) / bucket.restoreRate;
    const qboBound = ((Math.ceil(phaseQbo.length / QBO_REQUESTS_PER_MINUTE) - 1) * 60) / scale;
    const minSeconds = Math.max(shopifyBound, qboBound);

    console.log(
      `\npayouts: ${orders}-order, ${days}-day backfill under real limits, time scale ${scale} (QBO minute = ${(60 / scale).toFixed(1)} s)`,
    );
    const out: Record<string, string> = {
      orders: String(orders),
      'sales backfill (first sync run)': `${((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000).toFixed(1)} s`,
      'payouts (paid, scheduled)': `${paid.length}, ${scheduled.length}`,
      'balance transactions': String(transactions.length),
      'payout phase (discovery → all paid posted)': `${seconds.toFixed(1)} s`,
      'payouts posted per minute': ((paid.length * 60) / seconds).toFixed(1),
      'QBO requests in the phase (all)': String(phaseQbo.length),
      'QBO payout requests': `${payoutQbo.length} (${[...qboBy].map(([k, v]) => `${k} ${v}`).join(', ')})`,
      'QBO calls per payout': (payoutQbo.length / paid.length).toFixed(2),
      'QBO 429 answers in the phase': String(phaseQbo.filter((r) => r.status === 429).length),
      'Shopify payout reads': `${payoutShopify.length} (${[...pointsBy].map(([k, v]) => `${k} ${v.requests}×/${v.points} pts`).join(', ')})`,
      'Shopify points spent (actual)': String(shopifyPoints),
      'Shopify points per paid payout': (shopifyPoints / paid.length).toFixed(0),
      'Shopify throttled answers in the phase': String(phaseShopify.filter((r) => r.throttled).length),
      'QBO bound (requests ÷ 500/min)': `${qboBound.toFixed(1)} s`,
      'Shopify bound (points ÷ restore rate)': `${shopifyBound.toFixed(1)} s`,
      'minimum time the limits allow': `${minSeconds.toFixed(1)} s`,
      'minimum / measured': `${(minSeconds / seconds).toFixed(3)}   (target ≥ 0.85)`,
      'payout activities (n, mean run, mean queue wait)': [...byType]
        .map(
          ([k, v]) =>
            `${k} ${v.n}${v.failed ? ` (${v.failed} failed)` : ''}, ${(v.run / v.n / 1000).toFixed(2)} s, ${(v.queued / v.n / 1000).toFixed(2)} s`,
        )
        .join('; '),
      'some payout activity running': `${(busy / 1000).toFixed(1)} s of ${seconds.toFixed(1)} s (at most ${maxLevel} at once)`,
      'Deposits missing': String(problems.missing),
      'Deposits doubled': String(problems.doubled),
      'totals not equal to net': String(problems.totals),
      'fees not equal to Σ fees': String(problems.fees),
      'clearing not balanced': String(problems.clearing),
      'documents deposited twice': String(problems.linkedTwice),
      'scheduled payouts posted': String(problems.scheduledPosted),
      'Deposits not of a paid payout': String(problems.extra),
      'documents linked': String(seenLinks.size),
    };
    for (const [k, v] of Object.entries(out)) console.log(`  ${k.padEnd(44)} ${v}`);
    if (logsFull) console.log('  (an emulator request log reached its 10,000-entry bound: counts from it may be short)');
  } finally {
    await stack.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
