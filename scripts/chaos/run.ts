/**
 * The chaos suite (`npm run chaos`, test/chaos/chaos.e2e.test.ts): against the real stack (scripts/chaos/stack.ts)
 * with both emulators failing about one request in ten (5xx, 429 and, on QBO, commit-then-drop), a backfill of a
 * generated shop with refunds, and payouts landing as it goes, runs each scenario while a sync run is in flight and
 * then reads QBO back: duplicates, missing documents, cent differences against Shopify, whether the stored QBO
 * refresh token still works, and how long the store took to be `active` with a completed run again on its own.
 */
import { and, eq, gte } from 'drizzle-orm';
import { ledgerEntries, payouts as payoutsTable, stores, syncRuns } from '../../db/schema';
import { orderSourceKey } from '../../domain/ledger';
import { readPayout, type PayoutNode } from '../../domain/payouts';
import { readBooks, refundProblems } from '../../test/support/books';
import { qboReader } from '../../test/support/sync-fixture';
import { startChaosStack, type ChaosStack } from './stack';

export const SCENARIOS = ['worker-kills', 'temporal-restart', 'postgres-restart', 'token-race', 'api-kill'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ChaosOptions {
  orders: number;
  days?: number;
  seed?: number;
  kills?: number;
  scenarios?: readonly ScenarioName[];
  /** Seconds within which the store must be back to `active` with a completed run (default 600). */
  recoverBoundS?: number;
  log?: (line: string) => void;
}

export interface ScenarioResult {
  scenario: ScenarioName;
  action: string;
  /** A sync run of the store was running when the fault struck (at least once). */
  runInFlight: boolean;
  duplicates: number;
  missing: number;
  centDifference: number;
  tokenOk: boolean;
  recoveredS: number | null;
  faultsInjected: number;
  problems: string[];
}

const QBO_FAULTS = [
  { match: 'batch', commitThenDrop: true, times: 1 },
  { match: '*', rate5xx: 0.04, rate429: 0.03, commitThenDrop: 0.03 },
];
const SHOPIFY_FAULTS = [{ match: '*', rate5xx: 0.05, rate429: 0.05 }];
const TIME_SCALE = 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(opts: ChaosOptions): Promise<{ results: ScenarioResult[]; unplannedExits: string[] }> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const scenarios = opts.scenarios ?? SCENARIOS;
  const stack = await startChaosStack({
    seed: opts.seed ?? 7000,
    orders: opts.orders,
    days: opts.days ?? Math.max(20, Math.ceil(opts.orders / 50)),
    workers: 2,
    qboTimeScale: TIME_SCALE,
    qbo: { timeScale: TIME_SCALE },
  });
  try {
    return { results: await drive(stack, opts, scenarios, log), unplannedExits: [...stack.unplannedExits] };
  } finally {
    await stack.close();
  }
}

async function drive(stack: ChaosStack, opts: ChaosOptions, scenarios: readonly ScenarioName[], log: (l: string) => void) {
  const { world, database } = stack;
  const db = database.db;
  const bound = opts.recoverBoundS ?? 600;
  const faultsOn = () => {
    world.qbo.admin.setFaults(QBO_FAULTS);
    world.shopify.admin.clearFaults();
    world.shopify.admin.addFaults(SHOPIFY_FAULTS);
  };
  const faultsOff = () => {
    world.qbo.admin.clearFaults();
    world.shopify.admin.clearFaults();
  };
  const faultCount = () =>
    world.qbo.admin.requestLog().filter((r) => r.status >= 500 || r.status === 429 || r.dropped).length +
    world.shopify.admin.requests(world.shopDomain).filter((r) => r.status >= 500 || r.status === 429).length;

  // Connect (faults begin right after: connecting is a person's one-off request), payouts switched on.
  const issued = world.qbo.admin.issueTokens(world.realmId);
  // The backfill's run can begin before POST /stores answers (the worker picks the store's first task up while the API
  // still builds its reply), so the first scenario, which rides that run, counts from before the request.
  const connectSentAt = new Date();
  const connected = await stack.httpRetry<{ id: string }>('POST', '/stores', {
    shopDomain: world.shopDomain,
    shopifyAccessToken: 'shpat_test',
    qbo: {
      realmId: world.realmId,
      clientId: world.qbo.clientId,
      clientSecret: world.qbo.clientSecret,
      accessToken: issued.accessToken,
      refreshToken: issued.refreshToken,
    },
    settings: { payouts: { enabled: true } },
  });
  if (connected.status !== 201) throw new Error(`POST /stores answered ${connected.status}: ${JSON.stringify(connected.body)}`);
  const storeId = connected.body.id;
  faultsOn();
  log(`store ${storeId} connected; ${opts.orders} orders, faults on`);

  const payouts = world.generated.payouts.map((n) => readPayout(n as unknown as PayoutNode));
  let payoutsAdded: false | 'half' | 'all' = false;
  const half = Math.ceil(world.generated.payouts.length / 2);
  const landed = () => (payoutsAdded === 'all' ? payouts : payoutsAdded === 'half' ? payouts.slice(0, half) : []);
  const orders = [...world.shopify.admin.shop(world.shopDomain).orders.values()] as Array<{ id: string }>;
  let refundSeq = 0;
  const results: ScenarioResult[] = [];

  const safe = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch {
      return undefined; // PostgreSQL restarting: ask again
    }
  };
  const runningRunSince = async (t: Date) =>
    safe(async () =>
      (
        await db
          .select()
          .from(syncRuns)
          .where(and(eq(syncRuns.storeId, storeId), gte(syncRuns.startedAt, t)))
      ).some((r) => r.status === 'running'),
    );
  const waitRunning = async (t: Date, ms = 120_000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await runningRunSince(t)) return true;
      await sleep(200);
    }
    return false;
  };
  /** The store `active`, connected, idle, its latest run completed and started after `t`, no sale or deposit write in doubt. */
  const recovered = async (t: Date) =>
    safe(async () => {
      const [row] = await db.select().from(stores).where(eq(stores.id, storeId));
      if (!row || row.state !== 'active' || row.connectionError) return false;
      const runs = (await db.select().from(syncRuns).where(eq(syncRuns.storeId, storeId))).sort(
        (a, b) => b.startedAt.getTime() - a.startedAt.getTime(),
      );
      const last = runs[0];
      if (!last || last.status !== 'completed' || last.startedAt < t || runs.some((r) => r.status === 'running')) return false;
      const view = await stack.http<{ running: boolean | null; queued: unknown[] | null; workflow: { ok: boolean } }>(
        'GET',
        `/stores/${storeId}`,
        undefined,
        10_000,
      );
      if (view.status !== 200 || view.body.running !== false || (view.body.queued?.length ?? 0) > 0 || !view.body.workflow.ok) return false;
      const rows = await db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, storeId));
      return !rows.some((r) => r.status === 'pending' && r.role !== 'refund');
    });
  const waitRecovered = async (t: Date, from: number): Promise<number | null> => {
    const deadline = from + bound * 1000;
    while (Date.now() < deadline) {
      if (await recovered(t)) return (Date.now() - from) / 1000;
      await sleep(1000);
    }
    return null;
  };
  const syncWait = async (trigger: 'sync' | 'resync', body?: unknown) =>
    stack.httpRetry<{ status?: string; summary?: { startedAt: string } }>(
      'POST',
      `/stores/${storeId}/${trigger}?wait=60`,
      body ?? (trigger === 'resync' ? { from: await resyncFrom() } : undefined),
      150_000,
    );
  /**
   * A sync that must be seen through: a 202 (the request joined a run still going, as after a long resync) is followed
   * through its status link until the run ends or `bound` seconds pass.
   */
  const syncDone = async (trigger: 'sync' | 'resync') => {
    let res = await syncWait(trigger);
    const until = Date.now() + bound * 1000;
    type Pending = { status?: string; summary?: { startedAt: string }; statusUrl?: string };
    while (res.status === 202 && (res.body as Pending).statusUrl && Date.now() < until) {
      res = await stack.httpRetry<Pending>('GET', `${(res.body as Pending).statusUrl!}?wait=60`, undefined, 150_000);
    }
    return res;
  };
  const resyncFrom = async () => {
    const [row] = await db.select().from(stores).where(eq(stores.id, storeId));
    // A resync may not start before 2000-01-01 (the API's floor) nor the store's start date.
    return new Date(Math.max(row!.startDate.getTime(), Date.parse('2000-01-01T00:00:00Z'))).toISOString();
  };
  /** New refunds on random orders, as merchants issue them while the sync runs. */
  const landRefunds = (n: number) => {
    for (let i = 0; i < n; i++) {
      const order = orders[(refundSeq * 7919 + i * 104_729) % orders.length]!;
      refundSeq++;
      try {
        world.shopify.admin.addRefund(world.shopDomain, order.id, {
          adjustments: [{ amount: `${(1 + (refundSeq % 9)).toFixed(2)}`, reason: 'CUSTOMER' }],
          note: `chaos goodwill ${refundSeq}`,
        });
      } catch {
        /* nothing left to refund on that order */
      }
    }
  };

  for (const scenario of scenarios) {
    const t0 = results.length === 0 ? connectSentAt : new Date();
    const faults0 = faultCount();
    let action = '';
    const problems: string[] = [];
    faultsOn();
    landRefunds(5);
    // Payouts land in two halves: the first with the dev-server restart, the rest with the token race (many sagas at
    // once, on both workers, each needing the access token). The balance transactions are all there from the start.
    if (!payoutsAdded && (scenario === 'temporal-restart' || scenario === 'token-race')) {
      world.shopify.admin.addBalanceTransactions(world.shopDomain, world.generated.balanceTransactions);
      world.shopify.admin.addPayouts(world.shopDomain, world.generated.payouts.slice(0, half));
      payoutsAdded = 'half';
    } else if (payoutsAdded === 'half' && scenario === 'token-race') {
      world.shopify.admin.addPayouts(world.shopDomain, world.generated.payouts.slice(half));
      payoutsAdded = 'all';
    }
    // The first scenario rides the backfill the connect started; each later one a resync over the whole history.
    let trigger: Promise<unknown> = Promise.resolve();
    if (results.length > 0)
      trigger = syncWait('resync')
        .then((r) => log(`[${scenario}] resync answered ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`))
        .catch((err: Error) => log(`[${scenario}] resync failed: ${err.message}`));
    const running = await waitRunning(t0);
    if (!running) problems.push('no sync run was seen running when the fault was due');
    log(`[${scenario}] run in flight: ${running}`);

    let inFlightAtFault = false;
    const markFault = async () => {
      inFlightAtFault ||= (await runningRunSince(t0)) === true;
    };
    if (scenario === 'worker-kills') {
      const kills = opts.kills ?? 20;
      for (let i = 0; i < kills; i++) {
        await sleep(1500 + Math.floor(Math.random() * 2000));
        const w = stack.workers[Math.floor(Math.random() * stack.workers.length)]!;
        await markFault();
        await stack.killWorker(w);
      }
      action = `${kills} SIGKILLs of workers, each restarted`;
    } else if (scenario === 'temporal-restart') {
      await sleep(500);
      await markFault();
      await stack.restartTemporal();
      action = 'dev server stopped and started on its SQLite history';
    } else if (scenario === 'postgres-restart') {
      await sleep(500);
      await markFault();
      await stack.pg.restart();
      action = 'private PostgreSQL stopped (fast) and started';
    } else if (scenario === 'token-race') {
      // Token calls answer slowly (1.5 s), so refreshes that start close together overlap (the first matching rule
      // decides: token calls get the latency and no other fault).
      world.qbo.admin.setFaults([{ match: 'token', latencyMs: 1500 }, ...QBO_FAULTS]);
      // Under the workers: the realm's access tokens expire once a second while the run and the sagas use them, so
      // both workers meet 401s and refresh through the per-realm lock.
      let expired = 0;
      for (let i = 0; i < 8; i++) {
        await sleep(1000);
        await markFault();
        expired += world.qbo.admin.expireTokens(world.realmId, 'access');
      }
      // Head to head: two processes of their own, each doing what a worker does after a 401 (the current token
      // rejected), start at the same instant. One must refresh; the other must wait for the lock and use its token.
      // Once the workers' own refreshes are over (no token call for 3 s: nothing expires the tokens any more), so the
      // token both racers read as "rejected" is still the stored one when they ask.
      for (const quietBy = Date.now() + 60_000; Date.now() < quietBy;) {
        const last = world.qbo.admin
          .requestLog()
          .filter((r) => r.operation === 'token')
          .reduce((m, r) => Math.max(m, Date.parse(r.time)), 0);
        if (Date.now() - last >= 3000) break;
        await sleep(500);
      }
      const at = Date.now() + 6000;
      const racers = await Promise.all(
        [0, 1].map(() => stack.runScript('scripts/chaos/token-racer.ts', ['--store', storeId, '--at', String(at)], 90_000)),
      );
      const answers = racers.map((r) => {
        try {
          return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as RacerAnswer;
        } catch {
          return undefined;
        }
      });
      const race = judgeTokenRace(answers);
      if (race.problem) problems.push(`token race head to head: ${race.problem}; ${racers.map((r) => r.stderr.slice(-300)).join(' | ')}`);
      const tokenCalls = world.qbo.admin.requestLog().filter((r) => r.operation === 'token' && Date.parse(r.time) >= t0.getTime());
      const refused = tokenCalls.filter((r) => r.status === 400).length;
      if (refused > 0) problems.push(`${refused} token calls refused (a refresh token spent twice)`);
      const unauthorized = world.qbo.admin
        .requestLog({ realmId: world.realmId })
        .filter((r) => r.status === 401 && Date.parse(r.time) >= t0.getTime()).length;
      action =
        `access token expired 8× (${expired} tokens) under 2 workers: ${unauthorized} calls answered 401, ` +
        `${tokenCalls.length} token calls, ${refused} refused; head to head: ${race.summary}`;
    } else if (scenario === 'api-kill') {
      let sent = 0;
      for (let round = 0; round < 3; round++) {
        const inFlight = [
          stack.http('POST', `/stores/${storeId}/sync?wait=30`, undefined, 40_000),
          stack.http('POST', `/stores/${storeId}/resync`, { from: await resyncFrom() }, 40_000),
          stack.http('POST', `/stores/${storeId}/sync`, undefined, 40_000),
          stack.http('GET', `/stores/${storeId}`, undefined, 40_000),
        ].map((p) => p.catch(() => undefined));
        sent += inFlight.length;
        await sleep(100 + Math.floor(Math.random() * 300));
        await markFault();
        await stack.killApi();
        await Promise.all(inFlight);
        await stack.httpRetry('GET', '/health');
      }
      action = `API SIGKILLed 3× with ${sent} requests in flight (sync, resync), restarted`;
    }
    const chaosEnd = Date.now();
    const stillRunning = inFlightAtFault;
    await trigger;
    const recoveredS = await waitRecovered(t0, chaosEnd);
    if (recoveredS === null) problems.push(`not back to active with a completed run within ${bound} s`);
    log(`[${scenario}] ${action}; recovered in ${recoveredS?.toFixed(1) ?? '—'} s`);
    const faultsInjected = faultCount() - faults0;

    // Faults off for the checks. The refresh token: expire every access token, then a sync must refresh and complete.
    faultsOff();
    world.qbo.admin.expireTokens(world.realmId, 'access');
    const tokenFrom = Date.now();
    const tokenRun = await syncDone('sync');
    const refreshed = world.qbo.admin
      .requestLog()
      .some((r) => r.operation === 'token' && r.status === 200 && Date.parse(r.time) >= tokenFrom);
    const [cred] = await safe(() => db.select().from(stores).where(eq(stores.id, storeId))).then((r) => r ?? []);
    const tokenOk = tokenRun.status === 200 && tokenRun.body.status === 'completed' && refreshed && !cred?.connectionError;
    if (!tokenOk) problems.push(`refresh token check: sync answered ${tokenRun.status} ${JSON.stringify(tokenRun.body).slice(0, 300)}`);
    // Refunds a fault deferred are booked by the next runs (faults off now): at most three runs that started after the
    // faults stopped (a request may join a run that began before; ask again until a later run serves it).
    const clearedAt = Date.now();
    for (let runs = 0, i = 0; runs < 3 && i < 8; i++) {
      const rows = await db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, storeId));
      if (!rows.some((r) => r.role === 'refund' && !['synced', 'skipped'].includes(r.status))) break;
      const res = await syncDone('sync');
      const started = Date.parse(res.body.summary?.startedAt ?? '');
      if (res.status === 200 && started >= clearedAt) runs++;
      else if (res.status !== 200) await waitRecovered(new Date(clearedAt), Date.now());
    }
    if (payoutsAdded) await waitPayouts(stack, storeId, landed(), 180_000);
    const check = await readBack(stack, storeId, landed());
    problems.push(...check.problems.slice(0, 20));
    results.push({ scenario, action, runInFlight: stillRunning, ...check.figures, tokenOk, recoveredS, faultsInjected, problems });
    log(`[${scenario}] ${JSON.stringify({ ...check.figures, tokenOk, recoveredS, faultsInjected })}`);
    for (const p of problems.slice(0, 10)) log(`[${scenario}]   problem: ${p}`);
  }
  return results;
}

async function waitPayouts(stack: ChaosStack, storeId: string, payouts: ReturnType<typeof readPayout>[], ms: number) {
  const paid = payouts.filter((p) => p.status === 'PAID');
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const rows = await stack.database.db.select().from(payoutsTable).where(eq(payoutsTable.storeId, storeId));
    if (paid.every((p) => ['watching', 'posted'].includes(rows.find((r) => r.payoutId === p.id)?.state ?? ''))) return;
    await sleep(1000);
  }
}

const centsOf = (line: string): number => {
  const m = /(-?[\d.]+) ≠ (-?[\d.]+)/.exec(line);
  return m ? Math.abs(Math.round(Number(m[1]) * 100) - Math.round(Number(m[2]) * 100)) : 0;
};

/** QBO read back against Shopify and the ledger: sales, refunds and (once landed) paid payouts. */
export async function readBack(stack: ChaosStack, storeId: string, payouts: ReturnType<typeof readPayout>[]) {
  const { world, database } = stack;
  const qbo = qboReader(world, database.db);
  const books = await readBooks(qbo, world.shopify, world.shopDomain);
  const rows = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.storeId, storeId));
  const problems: string[] = [];
  let duplicates = books.duplicates.length;
  problems.push(...books.duplicates.map((d) => `duplicate sale: ${d}`));
  let missing = 0;
  const sales = new Map(rows.filter((r) => r.role === 'sale').map((r) => [r.sourceKey, r]));
  for (const o of books.shopifyOrders) {
    const row = sales.get(orderSourceKey(o.id));
    const docs = books.documentsByOrder.get(o.id) ?? [];
    if (row?.status === 'skipped') continue;
    if (docs.length === 0) {
      missing++;
      problems.push(`missing sale: ${o.name} (ledger ${row?.status ?? 'none'})`);
    }
  }
  let centDifference = books.mismatches.reduce((s, m) => s + centsOf(m), 0);
  problems.push(...books.mismatches.map((m) => `sale mismatch: ${m}`));
  for (const [gid, docs] of books.refundDocuments)
    if (docs.length > 1) {
      duplicates++;
      problems.push(`duplicate refund ${gid}`);
    }
  centDifference += books.refundMismatches.reduce((s, m) => s + centsOf(m), 0);
  for (const p of refundProblems(books, rows)) {
    if (/≠|documents \(/.test(p)) continue; // figures and doubles counted above
    missing++;
    problems.push(`refund: ${p}`);
  }
  const unsettled = rows.filter((r) => r.role === 'refund' && !['synced', 'skipped'].includes(r.status));
  missing += unsettled.length;
  problems.push(...unsettled.map((r) => `refund ${r.sourceKey} ${r.status}: ${r.reason ?? ''}`));
  if (payouts.length > 0) {
    const deposits = await qbo.query('Deposit');
    const byNumber = new Map<string, Record<string, unknown>[]>();
    for (const d of deposits) byNumber.set(String(d.DocNumber), [...(byNumber.get(String(d.DocNumber)) ?? []), d]);
    for (const p of payouts.filter((x) => x.status === 'PAID')) {
      const docs = byNumber.get(`SP${p.legacyResourceId}`) ?? [];
      if (docs.length === 0) {
        missing++;
        problems.push(`payout ${p.legacyResourceId}: no Deposit`);
      }
      if (docs.length > 1) {
        duplicates += docs.length - 1;
        problems.push(`payout ${p.legacyResourceId}: ${docs.length} Deposits`);
      }
      if (docs.length >= 1) {
        const want = p.net.minor < 0 ? 0 : p.net.minor;
        const diff = Math.abs(Math.round(Number(docs[0]!.TotalAmt) * 100) - want);
        if (diff) {
          centDifference += diff;
          problems.push(`payout ${p.legacyResourceId}: Deposit off by ${diff} cents`);
        }
      }
    }
  }
  if (books.trialBalance.debits !== books.trialBalance.credits) problems.push('trial balance: debits ≠ credits');
  return { figures: { duplicates, missing, centDifference }, problems };
}

export function formatTable(results: ScenarioResult[]): string {
  const head = ['scenario', 'run in flight', 'duplicates', 'missing', 'cent difference', 'token ok', 'recovered in s', 'faults injected'];
  const rows = results.map((r) => [
    r.scenario,
    r.runInFlight ? 'yes' : 'no',
    String(r.duplicates),
    String(r.missing),
    String(r.centDifference),
    r.tokenOk ? 'yes' : 'NO',
    r.recoveredS === null ? 'NOT RECOVERED' : r.recoveredS.toFixed(1),
    String(r.faultsInjected),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export const passed = (r: ScenarioResult) =>
  r.duplicates === 0 && r.missing === 0 && r.centDifference === 0 && r.tokenOk && r.recoveredS !== null;

interface RacerAnswer {
  pid: number;
  asked: number;
  answered: number;
  refreshed: boolean;
  fingerprint: string;
  changed: boolean;
}

/**
 * The head-to-head token race passes when both processes got an answer, the later one asked before the earlier one
 * had its answer (they overlapped), exactly one called Intuit, the other waited for that refresh to end (the lock),
 * and both hold the same new token.
 */
export function judgeTokenRace(answers: (RacerAnswer | undefined)[]): { summary: string; problem?: string } {
  const [a, b] = answers;
  if (!a || !b) return { summary: 'a racer gave no answer', problem: 'a racer process gave no answer' };
  const apart = Math.abs(a.asked - b.asked);
  const [winner, loser] = a.refreshed ? [a, b] : [b, a];
  const summary =
    `2 processes asked ${apart} ms apart; ${[a, b].filter((x) => x.refreshed).length} refreshed, ` +
    `the other answered after ${loser.answered - loser.asked} ms with ${a.fingerprint === b.fingerprint ? 'the same' : 'a different'} token`;
  const problem =
    Math.max(a.asked, b.asked) >= Math.min(a.answered, b.answered)
      ? `the racers asked ${apart} ms apart, one after the other had its answer (not a race)`
      : a.refreshed === b.refreshed
        ? `${a.refreshed ? 'both' : 'neither'} refreshed`
        : a.fingerprint !== b.fingerprint || !a.changed || !b.changed
          ? 'the racers ended with different or unchanged tokens'
          : loser.answered + 50 < winner.answered
            ? 'the other racer had its answer before the refresh ended (it did not wait for the lock)'
            : undefined;
  return problem ? { summary, problem } : { summary };
}
