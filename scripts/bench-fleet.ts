/**
 * `npm run bench:fleet`: a fleet of connected stores on one worker process, then on three (docs/BENCHMARKS.md "Fleet"),
 * every part real: a private PostgreSQL cluster (scripts/chaos/postgres.ts), the Temporal CLI dev server (SQLite), the
 * API as its own process (`main/api.ts`), worker processes (`main/worker.ts`), and both emulators in this process
 * holding one generated shop and one QBO company (US, automated sales tax) per store. Each store is connected with
 * `POST /stores` with its sync interval at the minimum the settings allow (5 minutes, `--interval`), payouts on
 * (payout discovery at the end of every sync run; a tenth of the shops hold payouts, so sagas run too) and inventory
 * in preview mode on a schedule of the same interval.
 *
 * Measured, for each worker count:
 *  - RSS of each worker process (VmRSS of /proc/<pid>/status, every second): peak, and steady = the median of the
 *    last half of its samples;
 *  - DB connections: `pg_stat_activity` rows of the database, every second (the maximum; this script's own one
 *    included);
 *  - Temporal task backlog: DescribeTaskQueue's approximate backlog of the workflow and activity queues, every 5 s
 *    (the maximum);
 *  - scheduled-to-started lag: once every store's first run (its backfill) is over, a window of one interval (or
 *    `--window`) opens;
 *    each store's slot in it (domain/schedule.ts, the store workflow's own computation) is matched to the first
 *    `sync_runs` row with trigger `scheduled` that started at or after it; lag = started_at − slot (p50/p95/max).
 *    A slot with no run 5 minutes after it counts as missed. The inventory schedules' runs are matched the same way
 *    (inventory_runs, the schedule's offset from services/stores/inventory-schedule.ts);
 *  - the N workers share this machine's cores, so each gets 1/N of the default activity and workflow-task slots and
 *    of QBO's calls in flight per realm (README "Running a fleet"; --worker-env overrides);
 *  - with three workers, one worker is SIGKILLed half-way through the window and started again only after it (as a
 *    supervisor would, late): its work must move to the other two without a slot missed; the burst waits `--settle`
 *    seconds after the restart;
 *  - a webhook burst: `--webhook-orders` new orders in each of `--webhook-stores` stores are put in the Shopify
 *    emulator, and one signed `orders/create` delivery per order is posted to the API; latency = from the delivery
 *    being sent to the order's sale document being booked (its ledger row with a QBO id, polled every 250 ms);
 *  - QBO 429 answers (the emulator's count of every answer by status; QBO's real limits, not time-scaled);
 *  - duplicates, read back from QBO (every realm: no order with more than one sale document; totals and tax against
 *    Shopify, test/support/books.ts), and runs of one store that overlapped in time (sync_runs).
 *
 * The API and workers run built, as `npm run api` and `npm run worker` run them in production (the same node flags:
 * the worker's heap cap; the prebuilt workflow bundle): run `npm run build` first, or pass --from-source (tsx; each
 * worker then bundles the workflows itself at start, which raises its memory).
 *
 * Options: --stores 1000 --workers 1|3|both (default both) --seed 1000 --interval 5 (minutes, ≥ 5) --window N (minutes,
 * default the interval: the lag window's length; with a shorter one only the slots due in it are measured, so the
 * shipped hourly loop can be run in less than an hour)
 * --webhook-stores 100 --webhook-orders 10 --from-source --log-dir DIR (each process's output and the dev server's
 * warnings; default a new directory under the OS temp dir, printed) --cpu-prof (V8 CPU profiles of the API and workers
 * into that directory) --worker-env KEY=VALUE (repeatable; extra environment for the workers only, for sizing
 * experiments) --settle 60 (seconds from the killed worker's restart to the webhook burst; 0 bursts on a worker
 * still starting). Exits 1 when a target is missed: RSS peak < 500 MB per
 * worker, every slot's run started within 5 minutes (none missed), no 429, no duplicate, no overlapping runs, no run
 * stuck, every webhook order booked with p95 < 10 s.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../config';
import { openDatabase, type Database } from '../db/client';
import { qboRateWindowStore } from '../db/queries';
import { inventoryRuns, ledgerEntries, syncRuns } from '../db/schema';
import { orderSourceKey } from '../domain/ledger';
import { msUntilNextSlot, scheduleSlotOffsetMs } from '../domain/schedule';
import { storeIdFor } from '../domain/store';
import { defaultCompany, startQboEmulator, type QboEmulatorHandle } from '../emulators/qbo';
import { generateShop } from '../emulators/scenario';
import { startShopifyEmulator, webhookHmac, type ShopifyEmulator } from '../emulators/shopify';
import { createQboClient } from '../integrations/qbo/client';
import { createQboLimiter } from '../integrations/qbo/limiter';
import { inventoryScheduleOffsetMs } from '../services/stores/inventory-schedule';
import { startDevServer, type DevServer } from '../temporal/dev-server';
import { ensureTemporalCli } from '../temporal/tools';
import { readBooks } from '../test/support/books';
import { freePort } from '../test/support/processes';
import { silentLogger, UNPACED } from '../test/support/sync-fixture';
import { startPrivatePostgres, type PrivatePostgres } from './chaos/postgres';

const root = path.resolve(__dirname, '..');
const packageScripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;
const WEBHOOK_SECRET = `shpss_fleet_${randomBytes(12).toString('hex')}`;
const RSS_TARGET_MB = 500;
const LAG_TARGET_S = 300;
const WEBHOOK_P95_TARGET_S = 10;
type Obj = Record<string, any>;

interface Options {
  stores: number;
  seed: number;
  intervalMinutes: number;
  /** The lag window's length (≤ the interval): slots due in it are measured. */
  windowMinutes: number;
  webhookStores: number;
  webhookOrders: number;
  fromSource: boolean;
  /** Where each process's output and the dev server's warnings go (kept after the run). */
  logDir: string;
  /** Write V8 CPU profiles of the API and workers into logDir (node --cpu-prof), to see where their time goes. */
  cpuProf: boolean;
  /** Extra environment for the worker processes only (--worker-env K=V, repeatable): sizing experiments. */
  workerEnv: Record<string, string>;
  /** Seconds between the killed worker's restart and the webhook burst (--settle; three workers only). */
  settleSeconds: number;
}

interface FleetStore {
  index: number;
  domain: string;
  storeId: string;
  realmId: string;
  orders: number;
  locationId: string;
  /** Orders held back for the webhook burst (ids already the shop's own). */
  held: Obj[];
}

/** mulberry32: the fleet's sizes from --seed, the same every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pct = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const median = (xs: number[]) =>
  pct(
    [...xs].sort((a, b) => a - b),
    50,
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s1 = (ms: number) => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);

/**
 * CPU seconds used so far, per part of the stack, from /proc (Linux): the bench process itself (both emulators, the
 * samplers), the API, the workers (summed; a killed one counts with its CPU up to the kill), the Temporal dev server and PostgreSQL (every
 * process named postgres). Differences between two readings say which part a phase kept busy.
 */
type CpuReading = Record<'bench' | 'api' | 'workers' | 'temporal' | 'postgres', number>;
const lastWorkerCpu = new Map<number, number>();
function readCpu(pids: { api: number | undefined; workers: Array<number | undefined>; temporal: number }): CpuReading {
  const ticks = 100; // USER_HZ: 100 on Linux
  const cpuOf = (pid: number): { comm: string; s: number } | null => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      return { comm, s: (Number(fields[11]) + Number(fields[12])) / ticks };
    } catch {
      return null;
    }
  };
  let postgres = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const c = cpuOf(Number(entry));
    if (c?.comm === 'postgres') postgres += c.s;
  }
  const usage = process.cpuUsage();
  return {
    bench: (usage.user + usage.system) / 1e6,
    api: pids.api ? (cpuOf(pids.api)?.s ?? 0) : 0,
    // A worker gone since (the killed one) counts with its last reading, so a phase's difference stays its own.
    workers: pids.workers.reduce((sum: number, pid) => {
      if (!pid) return sum;
      const now = cpuOf(pid)?.s ?? lastWorkerCpu.get(pid) ?? 0;
      lastWorkerCpu.set(pid, now);
      return sum + now;
    }, 0),
    temporal: cpuOf(pids.temporal)?.s ?? 0,
    postgres,
  };
}
const cpuBetween = (a: CpuReading, b: CpuReading, wallMs: number): CpuPhase => ({
  wallS: wallMs / 1000,
  ...(Object.fromEntries(Object.keys(a).map((k) => [k, Math.max(0, b[k as keyof CpuReading] - a[k as keyof CpuReading])])) as CpuReading),
});
type CpuPhase = CpuReading & { wallS: number };

async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/**
 * The fleet: shop i is generated from seed + i with 0–40 orders (plus the held-back burst orders for webhook stores),
 * its Shopify ids moved into a range of its own (the generator numbers every shop from the same start; Shopify's ids
 * are unique across shops, and the webhook receiver refuses an order another store booked).
 */
function buildFleet(opts: Options, shopify: ShopifyEmulator, qbo: QboEmulatorHandle): FleetStore[] {
  const random = rng(opts.seed);
  const webhookStep = Math.max(1, Math.floor(opts.stores / opts.webhookStores));
  const end = new Date(Date.now() - 86_400_000);
  const days = 30;
  const start = new Date(end.getTime() - days * 86_400_000).toISOString().slice(0, 10);
  const fleet: FleetStore[] = [];
  for (let i = 0; i < opts.stores; i++) {
    const orders = Math.floor(random() * 41);
    const burst = i % webhookStep === 0 && i / webhookStep < opts.webhookStores;
    const withPayouts = !burst && i % 10 === 5;
    const domain = `fleet-${opts.seed}-${i}.myshopify.com`;
    const generated = generateShop({
      seed: opts.seed * 10_000 + i,
      orders: Math.max(1, orders + (burst ? opts.webhookOrders : 0)),
      start,
      days,
      domain,
      taxRegion: 'US',
    });
    const offset = (i + 1) * 10_000_000;
    const shop = JSON.parse(JSON.stringify(generated).replace(/\b5\d{9}\b/g, (m) => String(Number(m) + offset))) as typeof generated;
    const locationId = /gid:\/\/shopify\/Location\/\d+/.exec(JSON.stringify(shop.products))?.[0];
    if (!locationId) throw new Error(`shop ${domain} has no location`);
    const sorted = [...shop.orders].sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
    const held = burst ? sorted.slice(sorted.length - opts.webhookOrders) : [];
    const heldIds = new Set(held.map((o) => o.id));
    shopify.admin.createShop({
      domain,
      accessToken: `shpat_fleet_${i}`,
      ianaTimezone: String(shop.shop.ianaTimezone),
      currencyCode: String(shop.shop.currencyCode),
      scopes: ['read_orders', 'read_all_orders'],
    });
    shopify.admin.addProducts(domain, shop.products);
    const kept = shop.orders.filter((o) => !heldIds.has(o.id));
    if (kept.length > 0) shopify.admin.upsertOrders(domain, kept);
    if (withPayouts) {
      shopify.admin.addPayouts(domain, shop.payouts);
      shopify.admin.addBalanceTransactions(domain, shop.balanceTransactions);
    }
    const realmId = String(9_300_000_000 + i);
    qbo.admin.createCompany(defaultCompany({ realmId, country: 'US', automatedSalesTax: true }));
    fleet.push({ index: i, domain, storeId: storeIdFor(domain), realmId, orders: kept.length, locationId, held });
  }
  return fleet;
}

interface Proc {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<void>;
  output(): string;
  rss: Array<{ at: number; kb: number }>;
}

interface Figures {
  workers: number;
  stores: number;
  orders: number;
  connectSeconds: number;
  backfillSeconds: number;
  rss: Array<{ name: string; peakMb: number; steadyMb: number; note: string; atPeak: string }>;
  dbConnectionsMax: number;
  dbConnectionsSteady: number;
  backlogMax: { workflow: number; activity: number } | null;
  lag: { n: number; p50: number; p95: number; max: number; missed: number };
  inventoryLag: { n: number; p50: number; p95: number; max: number; missed: number };
  killed: string;
  qbo: { requests: number; r429: number; other4xx5xx: number };
  shopifyThrottled: number;
  duplicates: number;
  mismatches: number;
  overlaps: number;
  webhook: {
    sent: number;
    booked: number;
    noDocument: number;
    p50: number;
    p95: number;
    max: number;
    answers: Record<string, number>;
    /** Sync runs with trigger webhook started in the burst's stores since it began. */
    runs: number;
    /** p50/p95 of each stage: the API's answer, a store's first webhook → its run begun, run begun → order booked. */
    stages: Record<'answer' | 'toRun' | 'runToBooked', { p50: number; p95: number }> | undefined;
  };
  runsLeftRunning: number;
  /** CPU seconds per part of the stack in each phase (readCpu). */
  cpu: Record<'connect and backfill' | 'lag window' | 'webhook burst', CpuPhase>;
}

async function runFleet(opts: Options, workerCount: number): Promise<Figures> {
  const cleanups: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  stopping = closeAll;
  try {
    const postgres: PrivatePostgres = await startPrivatePostgres(await freePort());
    cleanups.push(() => postgres.stop());
    const database: Database = await openDatabase({ url: postgres.url, poolSize: 4 });
    cleanups.push(() => database.close());
    await database.migrate();

    const shopify = await startShopifyEmulator({
      shops: [{ domain: 'unused.myshopify.com', accessToken: 'shpat_unused' }],
      webhookSecret: WEBHOOK_SECRET,
    });
    cleanups.push(() => shopify.close());
    const qbo = await startQboEmulator({ companies: [] });
    cleanups.push(() => qbo.close());
    const t0 = Date.now();
    const fleet = buildFleet(opts, shopify, qbo);
    const orders = fleet.reduce((s, f) => s + f.orders, 0);
    console.log(`  fleet generated: ${fleet.length} shops, ${orders} orders (${s1(Date.now() - t0)})`);

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-fleet-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const defaults = loadConfig({ ...process.env, NODE_ENV: 'test' });
    const cacheDir = defaults.cacheDir;
    const cli = await ensureTemporalCli({ cacheDir });
    const temporal: DevServer = await startDevServer({
      bin: cli.path,
      dataDir: path.join(dataDir, 'temporal'),
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
      // Its warnings and errors, kept: under load the dev server is the first part to give (see docs/BENCHMARKS.md).
      log: pino({ level: 'warn' }, pino.destination({ dest: path.join(opts.logDir, `temporal-${workerCount}w.log`), sync: false })),
    });
    cleanups.push(() => temporal.stop());
    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());

    const apiPort = await freePort();
    const apiToken = randomBytes(24).toString('hex');
    const taskQueue = `fleet-${randomBytes(4).toString('hex')}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      LOG_PRETTY: 'false',
      LEDGERLINE_DATA_DIR: dataDir,
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LEDGERLINE_ENCRYPTION_KEYS: `fleet:${randomBytes(32).toString('base64')}`,
      LEDGERLINE_API_TOKEN: apiToken,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      SHOPIFY_API_BASE_URL: shopify.url,
      SHOPIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
      QBO_API_ENDPOINT: qbo.v3Endpoint,
      QBO_TOKEN_URL: qbo.tokenUrl,
      QBO_LIMITS_TIME_SCALE: '1',
      // QBO's 10 calls in flight per realm, split between the worker processes (README "Running a fleet").
      QBO_CONCURRENT_PER_REALM: String(Math.floor(10 / workerCount)),
    };
    // The workers share this machine's cores, so they share one process's activity and workflow-task slots too
    // (README "Running a fleet": 20 / N and 40 / N); --worker-env overrides either.
    const slots = defaults.temporal.worker;
    const sharedSlots: NodeJS.ProcessEnv = {
      WORKER_MAX_CONCURRENT_ACTIVITIES: String(Math.max(1, Math.round(slots.maxConcurrentActivities / workerCount))),
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: String(Math.max(2, Math.round(slots.maxConcurrentWorkflowTasks / workerCount))),
    };
    const procs: Proc[] = [];
    // Workers log their status (memory split, cached workflows) every 5 s: the report shows it at each one's RSS peak.
    const workerEnv: NodeJS.ProcessEnv = { ...env, ...sharedSlots, LOG_LEVEL: 'info', WORKER_STATUS_LOG_SECONDS: '5', ...opts.workerEnv };
    console.log(
      `  each worker: ${workerEnv.WORKER_MAX_CONCURRENT_ACTIVITIES} activity slots, ${workerEnv.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS} workflow-task slots, ${workerEnv.QBO_CONCURRENT_PER_REALM} QBO calls in flight per realm`,
    );
    const launch = (name: string, entry: string): Proc => {
      // Built (the default): `node dist/main/<role>.js` with the prebuilt workflow bundle, as `npm run worker` runs in
      // production; --from-source: through tsx, the worker then bundles the workflows itself at start (more memory).
      const prof = opts.cpuProf
        ? ['--cpu-prof', '--cpu-prof-dir', opts.logDir, '--cpu-prof-name', `${entry}-${workerCount}w-${procs.length}.cpuprofile`]
        : [];
      // The node flags of `npm run <role>` (the worker's heap cap), so the bench measures what the project ships.
      const script = packageScripts[entry]!.split(/\s+/);
      if (script[0] !== 'node') throw new Error(`npm run ${entry} is not a node command: ${packageScripts[entry]}`);
      const nodeFlags = script.slice(1).filter((a) => a.startsWith('--'));
      const target = opts.fromSource ? ['--import', 'tsx', `main/${entry}.ts`] : script.slice(1).filter((a) => !a.startsWith('--'));
      const args = [...prof, ...nodeFlags, ...target];
      const child = spawn(process.execPath, args, {
        cwd: root,
        env: entry === 'worker' ? workerEnv : env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      const logFile = path.join(opts.logDir, `${name.replace(/\s+/g, '')}-${workerCount}w.log`);
      const file = fs.createWriteStream(logFile, { flags: 'a' });
      child.once('exit', () => file.end());
      const keep = (b: Buffer) => {
        out = (out + b.toString()).slice(-20_000);
        file.write(b);
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      const p: Proc = { name, child, logFile, output: () => out, exited: new Promise((r) => child.once('exit', () => r())), rss: [] };
      procs.push(p);
      return p;
    };
    const stop = async (p: Proc, signal: NodeJS.Signals) => {
      if (p.child.exitCode !== null || p.child.signalCode !== null) return;
      p.child.kill(signal);
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 25_000);
      await p.exited;
      clearTimeout(timer);
    };
    cleanups.push(async () => {
      await Promise.all(procs.map((p) => stop(p, 'SIGTERM')));
    });
    const api = launch('api', 'api');
    const workers = Array.from({ length: workerCount }, (_, i) => launch(`worker ${i + 1}`, 'worker'));

    const sampleClient = new pg.Client({ connectionString: postgres.url });
    await sampleClient.connect();
    cleanups.push(() => sampleClient.end());
    // Samplers: worker RSS and DB connections every second, the task queues' backlog every 5 s.
    const dbSamples: number[] = [];
    let backlog: { workflow: number; activity: number } | null = { workflow: 0, activity: 0 };
    let backlogFailures = 0;
    let sampling = true;
    const rssOf = (pid: number | undefined): number | undefined => {
      if (!pid) return undefined;
      try {
        const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
        return m ? Number(m[1]) : undefined;
      } catch {
        return undefined;
      }
    };
    const sampler = (async () => {
      let tick = 0;
      while (sampling) {
        for (const p of procs) {
          if (p === api || p.child.exitCode !== null || p.child.signalCode !== null) continue;
          const kb = rssOf(p.child.pid);
          if (kb !== undefined) p.rss.push({ at: Date.now(), kb });
        }
        try {
          const r = await sampleClient.query<{ n: number }>(
            'select count(*)::int as n from pg_stat_activity where datname = current_database()',
          );
          dbSamples.push(r.rows[0]!.n);
        } catch {
          /* a sample lost */
        }
        if (tick++ % 5 === 0 && backlog) {
          try {
            for (const [kind, type] of [
              ['workflow', proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW],
              ['activity', proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
            ] as const) {
              const res = await connection.workflowService.describeTaskQueue({
                namespace: 'default',
                taskQueue: { name: taskQueue, kind: proto.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
                taskQueueType: type,
                reportStats: true,
              });
              const n = Number(res.stats?.approximateBacklogCount ?? 0);
              backlog[kind] = Math.max(backlog[kind], n);
              backlogFailures = 0;
            }
          } catch (err) {
            // One failed sample is skipped (the dev server answers UNKNOWN now and then under load); a server without
            // task queue statistics fails every time, and then the figure is n/a.
            backlogFailures += 1;
            if (backlogFailures >= 5) {
              console.log(`  (task queue backlog not available: ${(err as Error).message})`);
              backlog = null;
            }
          }
        }
        await sleep(1000);
      }
    })();
    cleanups.push(async () => {
      sampling = false;
      await sampler;
    });

    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const http = async (method: string, url: string, body?: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${apiUrl}${url}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(120_000),
      });
      return { status: res.status, text: await res.text(), retryAfter: Number(res.headers.get('retry-after') ?? 0) };
    };
    for (const upBy = Date.now() + 120_000; ;) {
      try {
        if ((await http('GET', '/health')).status < 500) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > upBy) throw new Error(`the API did not come up: ${api.output()}`);
      await sleep(300);
    }

    // Connect every store through the API (it answers 429 past its per-address budget: wait as told and retry).
    const cpuNow = () =>
      readCpu({ api: api.child.pid, workers: procs.filter((p) => p !== api).map((p) => p.child.pid), temporal: temporal.pid });
    const cpuStart = cpuNow();
    const connectStart = Date.now();
    const intervalMs = opts.intervalMinutes * 60_000;
    await pool(fleet, 8, async (f) => {
      const issued = qbo.admin.issueTokens(f.realmId);
      const body = JSON.stringify({
        shopDomain: f.domain,
        shopifyAccessToken: `shpat_fleet_${f.index}`,
        qbo: {
          realmId: f.realmId,
          clientId: qbo.clientId,
          clientSecret: qbo.clientSecret,
          accessToken: issued.accessToken,
          refreshToken: issued.refreshToken,
        },
        settings: {
          syncIntervalMinutes: opts.intervalMinutes,
          payouts: { enabled: true },
          inventory: { mode: 'preview', locationId: f.locationId, intervalMinutes: opts.intervalMinutes },
        },
      });
      for (let attempt = 0; ; attempt++) {
        const res = await http('POST', '/stores', body, { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' });
        if (res.status === 201) return;
        if ((res.status === 429 || res.status >= 500) && attempt < 30) {
          await sleep(Math.max(1, res.retryAfter) * 1000);
          continue;
        }
        throw new Error(`POST /stores for ${f.domain} answered ${res.status}: ${res.text}`);
      }
    });
    const connectSeconds = (Date.now() - connectStart) / 1000;
    console.log(`  connected ${fleet.length} stores in ${connectSeconds.toFixed(1)} s`);

    // Every store's first run (its backfill) over.
    const { db } = database;
    const storeIds = new Set(fleet.map((f) => f.storeId));
    for (const deadline = Date.now() + 3_600_000; ;) {
      const rows = await db
        .select({ storeId: syncRuns.storeId, n: sql<number>`count(*)::int` })
        .from(syncRuns)
        .where(eq(syncRuns.status, 'completed'))
        .groupBy(syncRuns.storeId);
      const done = rows.filter((r) => storeIds.has(r.storeId) && r.n > 0).length;
      const dead = workers.find((w) => w.child.exitCode !== null || w.child.signalCode !== null);
      if (dead) throw new Error(`${dead.name} exited: ${dead.output()}`);
      if (done === fleet.length) break;
      if (Date.now() > deadline)
        throw new Error(`only ${done}/${fleet.length} stores finished their first run\n${workers.map((w) => w.output()).join('\n---\n')}`);
      await sleep(2000);
    }
    const backfillSeconds = (Date.now() - connectStart) / 1000;
    console.log(`  every store's first run over ${backfillSeconds.toFixed(1)} s after the first connect`);
    const cpuBackfilled = cpuNow();
    const backfilledAt = Date.now();

    // The lag window: one interval; each store's slot in it against its scheduled run's start.
    const windowStart = Date.now() + 5_000;
    const due = fleet.map((f) => windowStart + msUntilNextSlot(windowStart, intervalMs, scheduleSlotOffsetMs(f.domain, intervalMs)));
    const invDue = fleet.map(
      (f) => windowStart + msUntilNextSlot(windowStart, intervalMs, inventoryScheduleOffsetMs(f.domain, opts.intervalMinutes)),
    );
    const windowMs = opts.windowMinutes * 60_000;
    const windowEnd = windowStart + windowMs;
    // With a window shorter than the interval, only the slots due in it are measured (the others come after it).
    const inWindow = (at: number) => at < windowEnd;
    console.log(
      `  lag window: ${opts.windowMinutes} min of the ${opts.intervalMinutes}-min interval; ` +
        `${due.filter(inWindow).length} sync and ${invDue.filter(inWindow).length} inventory slots due in it`,
    );
    let killed = 'none';
    if (workerCount > 1) {
      await sleep(windowStart + windowMs / 2 - Date.now());
      const victim = workers[0]!;
      cpuNow(); // its CPU up to the kill, kept for the phase's sum
      victim.child.kill('SIGKILL');
      await victim.exited;
      killed = `${victim.name} SIGKILLed ${s1(Date.now() - windowStart)} into the window, started again after it, the burst ${opts.settleSeconds} s later`;
      console.log(`  ${killed.split(',')[0]}`);
    }
    const matchRuns = async () => {
      const since = new Date(windowStart - 60_000);
      const runs = await db
        .select({ storeId: syncRuns.storeId, startedAt: syncRuns.startedAt })
        .from(syncRuns)
        .where(and(eq(syncRuns.trigger, 'scheduled'), gte(syncRuns.startedAt, since)));
      const invRuns = await db
        .select({ storeId: inventoryRuns.storeId, startedAt: inventoryRuns.startedAt })
        .from(inventoryRuns)
        .where(and(eq(inventoryRuns.trigger, 'scheduled'), gte(inventoryRuns.startedAt, since)));
      const firstAfter = (list: typeof runs, storeId: string, at: number) =>
        list
          .filter((r) => r.storeId === storeId && r.startedAt.getTime() >= at - 1000)
          .map((r) => r.startedAt.getTime())
          .sort((a, b) => a - b)[0];
      const byStore = (list: typeof runs) => {
        const m = new Map<string, typeof runs>();
        for (const r of list) m.set(r.storeId, [...(m.get(r.storeId) ?? []), r]);
        return m;
      };
      const sync = byStore(runs);
      const inv = byStore(invRuns);
      return {
        sync: fleet.map((f, i) => firstAfter(sync.get(f.storeId) ?? [], f.storeId, due[i]!)),
        inv: fleet.map((f, i) => firstAfter(inv.get(f.storeId) ?? [], f.storeId, invDue[i]!)),
      };
    };
    let matched = await matchRuns();
    for (;;) {
      const now = Date.now();
      const pending = matched.sync.some((s, i) => s === undefined && inWindow(due[i]!) && now < due[i]! + LAG_TARGET_S * 1000);
      const invPending = matched.inv.some((s, i) => s === undefined && inWindow(invDue[i]!) && now < invDue[i]! + LAG_TARGET_S * 1000);
      if (now > windowEnd + 2000 && !pending && !invPending) break;
      await sleep(2000);
      matched = await matchRuns();
    }
    const lagOf = (starts: Array<number | undefined>, dues: number[]) => {
      const measured = starts.flatMap((s, i) => (inWindow(dues[i]!) ? [{ s, due: dues[i]! }] : []));
      const lags = measured.flatMap(({ s, due }) => (s === undefined ? [] : [Math.max(0, s - due)])).sort((a, b) => a - b);
      return {
        n: lags.length,
        p50: pct(lags, 50),
        p95: pct(lags, 95),
        max: lags.at(-1) ?? NaN,
        missed: measured.filter(({ s }) => s === undefined).length,
      };
    };
    const lag = lagOf(matched.sync, due);
    const inventoryLag = lagOf(matched.inv, invDue);
    console.log(`  lag window over: sync p95 ${s1(lag.p95)}, max ${s1(lag.max)}, missed ${lag.missed}`);
    const cpuWindow = cpuBetween(cpuBackfilled, cpuNow(), Date.now() - backfilledAt);
    if (workerCount > 1) {
      workers[0] = launch(`${workers[0]!.name} (restarted)`, 'worker');
      // The burst measures a running fleet's throughput; the kill above measures failover. --settle 0 puts the burst
      // on a worker still starting (its bundle, JIT and first replays share the cores with the burst).
      if (opts.settleSeconds > 0) {
        console.log(`  restarted worker settling for ${opts.settleSeconds} s before the webhook burst`);
        await new Promise((r) => setTimeout(r, opts.settleSeconds * 1000));
      }
    }

    // The webhook burst: new orders in the emulator, one signed orders/create delivery each.
    const burstStores = fleet.filter((f) => f.held.length > 0);
    const deliveries: Array<{ key: string; storeId: string; order: Obj; domain: string }> = [];
    for (const f of burstStores) {
      const now = new Date().toISOString();
      const fresh: Obj[] = f.held.map((o) => ({ ...o, createdAt: now, processedAt: now, updatedAt: now }));
      shopify.admin.upsertOrders(f.domain, fresh);
      for (const o of fresh) deliveries.push({ key: orderSourceKey(String(o.id)), storeId: f.storeId, order: o, domain: f.domain });
    }
    const sentAt = new Map<string, number>();
    const answerMs: number[] = [];
    const answers: Record<string, number> = {};
    const burstStart = Date.now();
    const cpuBurstStart = cpuNow();
    await pool(deliveries, 50, async (d) => {
      const payload = JSON.stringify({
        id: Number(String(d.order.id).split('/').pop()),
        admin_graphql_api_id: d.order.id,
        name: d.order.name,
        created_at: d.order.createdAt,
        updated_at: d.order.updatedAt,
      });
      sentAt.set(d.key, Date.now());
      const res = await http('POST', '/webhooks/shopify', payload, {
        'content-type': 'application/json',
        'x-shopify-hmac-sha256': webhookHmac(WEBHOOK_SECRET, payload),
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': d.domain,
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-api-version': '2026-10',
        'x-shopify-triggered-at': new Date().toISOString(),
      });
      let status = String(res.status);
      try {
        status += ` ${(JSON.parse(res.text) as { status?: string }).status ?? ''}`.trimEnd();
      } catch {
        /* not JSON */
      }
      answers[status] = (answers[status] ?? 0) + 1;
      answerMs.push(Date.now() - sentAt.get(d.key)!);
    });
    console.log(`  ${deliveries.length} webhooks delivered in ${s1(Date.now() - burstStart)}`);
    const bookedAt = new Map<string, number>();
    const noDocument = new Set<string>();
    const keys = deliveries.map((d) => d.key);
    const burstIds = [...new Set(deliveries.map((d) => d.storeId))];
    for (const deadline = Date.now() + 600_000; bookedAt.size + noDocument.size < keys.length && Date.now() < deadline;) {
      const now = Date.now();
      const rows = await db
        .select({ key: ledgerEntries.sourceKey, status: ledgerEntries.status, qboId: ledgerEntries.qboId })
        .from(ledgerEntries)
        .where(and(inArray(ledgerEntries.storeId, burstIds), inArray(ledgerEntries.sourceKey, keys)));
      for (const r of rows) {
        if (bookedAt.has(r.key)) continue;
        if (r.qboId) {
          bookedAt.set(r.key, now);
          noDocument.delete(r.key);
        } else if (['skipped', 'ignored', 'voided'].includes(r.status)) noDocument.add(r.key);
      }
      await sleep(250);
    }
    const cpuBurst = cpuBetween(cpuBurstStart, cpuNow(), Date.now() - burstStart);
    const latencies = [...bookedAt].map(([k, at]) => at - sentAt.get(k)!).sort((a, b) => a - b);
    const webhook = {
      sent: deliveries.length,
      booked: bookedAt.size,
      noDocument: noDocument.size,
      p50: pct(latencies, 50),
      p95: pct(latencies, 95),
      max: latencies.at(-1) ?? NaN,
      answers,
      runs: 0,
      stages: undefined as Figures['webhook']['stages'],
    };
    console.log(`  webhook orders booked: ${bookedAt.size}/${deliveries.length}, p95 ${s1(webhook.p95)}`);
    // Let runs still going finish before the books are read.
    for (const deadline = Date.now() + 300_000; Date.now() < deadline;) {
      const [r] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(syncRuns)
        .where(eq(syncRuns.status, 'running'));
      if (r!.n === 0) break;
      await sleep(1000);
    }
    sampling = false;
    await sampler;
    // How many runs the burst cost: one per store is the least (a queued webhook run the previous one covered is dropped).
    const [burstRuns] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(syncRuns)
      .where(and(inArray(syncRuns.storeId, burstIds), eq(syncRuns.trigger, 'webhook'), gte(syncRuns.startedAt, new Date(burstStart))));
    webhook.runs = burstRuns!.n;
    // Where the latency went, per burst store: the API's answer, its first webhook → its first webhook run begun
    // (signal, store workflow, child workflow, the run's first activity), and that run begun → each order booked.
    const firstRuns = await db
      .select({ storeId: syncRuns.storeId, startedAt: sql<Date>`min(${syncRuns.startedAt})` })
      .from(syncRuns)
      .where(and(inArray(syncRuns.storeId, burstIds), eq(syncRuns.trigger, 'webhook'), gte(syncRuns.startedAt, new Date(burstStart))))
      .groupBy(syncRuns.storeId);
    const runStart = new Map(firstRuns.map((r) => [r.storeId, new Date(r.startedAt).getTime()]));
    const toRun: number[] = [];
    const runToBooked: number[] = [];
    for (const id of burstIds) {
      const mine = deliveries.filter((d) => d.storeId === id);
      const first = Math.min(...mine.map((d) => sentAt.get(d.key)!));
      const began = runStart.get(id);
      if (began === undefined) continue;
      toRun.push(began - first);
      for (const d of mine) if (bookedAt.has(d.key)) runToBooked.push(bookedAt.get(d.key)! - began);
    }
    const stage = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return { p50: pct(sorted, 50), p95: pct(sorted, 95) };
    };
    webhook.stages = { answer: stage(answerMs), toRun: stage(toRun), runToBooked: stage(runToBooked) };

    // QBO's counts, then the books read back per realm (after the counts: the reads are requests too).
    const counts = qbo.admin.requestCounts();
    const qboFigures = {
      requests: Object.values(counts).reduce((a, b) => a + b, 0),
      r429: counts[429] ?? 0,
      other4xx5xx: Object.entries(counts)
        .filter(([s]) => Number(s) >= 400 && Number(s) !== 429)
        .reduce((a, [, n]) => a + n, 0),
    };
    const shopifyThrottled = shopify.admin.requests().filter((r) => r.throttled).length;
    let duplicates = 0;
    let mismatches = 0;
    const limiter = createQboLimiter({ store: qboRateWindowStore(db), clock: () => new Date(), limits: UNPACED });
    await pool(fleet, 8, async (f) => {
      const issued = qbo.admin.issueTokens(f.realmId);
      const reader = createQboClient({
        realmId: f.realmId,
        tokens: { storeId: 'reader', accessToken: async () => issued.accessToken },
        endpoint: qbo.v3Endpoint,
        limiter,
        logger: silentLogger,
      });
      const books = await readBooks(reader, shopify, f.domain);
      duplicates += books.duplicates.length;
      mismatches += books.mismatches.length;
    });
    // Runs of one store that overlapped in time (never two syncs of one store at once).
    const all = await db
      .select({ storeId: syncRuns.storeId, startedAt: syncRuns.startedAt, finishedAt: syncRuns.finishedAt, status: syncRuns.status })
      .from(syncRuns);
    let overlaps = 0;
    const byStore = new Map<string, typeof all>();
    for (const r of all) byStore.set(r.storeId, [...(byStore.get(r.storeId) ?? []), r]);
    for (const list of byStore.values()) {
      list.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
      for (let i = 1; i < list.length; i++) {
        const prevEnd = list[i - 1]!.finishedAt?.getTime() ?? Infinity;
        if (list[i]!.startedAt.getTime() < prevEnd) overlaps += 1;
      }
    }
    const runsLeftRunning = all.filter((r) => r.status === 'running' && r.startedAt.getTime() < Date.now() - 600_000).length;

    const rss = procs
      .filter((p) => p !== api)
      .map((p) => {
        const kbs = p.rss.map((s) => s.kb);
        const half = kbs.slice(Math.floor(kbs.length / 2));
        const note = p.child.signalCode === 'SIGKILL' ? 'killed mid-window' : p.name.includes('restarted') ? 'from the restart on' : '';
        return { name: p.name, peakMb: Math.max(...kbs) / 1024, steadyMb: median(half) / 1024, note, atPeak: statusAtPeak(p.logFile) };
      });
    const dbHalf = dbSamples.slice(Math.floor(dbSamples.length / 2));
    return {
      cpu: {
        'connect and backfill': cpuBetween(cpuStart, cpuBackfilled, backfilledAt - connectStart),
        'lag window': cpuWindow,
        'webhook burst': cpuBurst,
      },
      workers: workerCount,
      stores: fleet.length,
      orders,
      connectSeconds,
      backfillSeconds,
      rss,
      dbConnectionsMax: Math.max(...dbSamples),
      dbConnectionsSteady: median(dbHalf),
      backlogMax: backlog,
      lag,
      inventoryLag,
      killed,
      qbo: qboFigures,
      shopifyThrottled,
      duplicates,
      mismatches,
      overlaps,
      webhook,
      runsLeftRunning,
    };
  } finally {
    await closeAll();
    stopping = undefined;
  }
}

let stopping: (() => Promise<void>) | undefined;

/** The worker's own status line (main/system.ts, every 5 s here) with the highest RSS in its log: where the memory was. */
function statusAtPeak(logFile: string): string {
  let best: Obj | undefined;
  for (const line of fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n') : []) {
    if (!line.includes('"worker status"')) continue;
    try {
      const o = JSON.parse(line) as Obj;
      if (!best || o.rssMb > best.rssMb) best = o;
    } catch {
      /* a line cut short */
    }
  }
  return best
    ? `rss ${best.rssMb} MB: main heap ${best.heapUsedMb} used of ${best.heapTotalMb}, external ${best.externalMb} (array buffers ${best.arrayBuffersMb}), rest ${best.rssMb - best.heapTotalMb - best.externalMb}; ${best.cachedWorkflows} workflows cached, ${best.activitiesInFlight} activities in flight`
    : 'n/a (no status line)';
}

function report(f: Figures): string[] {
  const problems: string[] = [];
  for (const r of f.rss) if (r.peakMb >= RSS_TARGET_MB) problems.push(`${r.name} RSS peak ${r.peakMb.toFixed(0)} MB ≥ ${RSS_TARGET_MB} MB`);
  if (f.lag.missed > 0 || f.lag.max > LAG_TARGET_S * 1000)
    problems.push(`scheduled runs: ${f.lag.missed} missed, max lag ${s1(f.lag.max)}`);
  if (f.qbo.r429 > 0) problems.push(`${f.qbo.r429} QBO 429 answers`);
  if (f.duplicates > 0) problems.push(`${f.duplicates} duplicate sale documents`);
  if (f.overlaps > 0) problems.push(`${f.overlaps} overlapping runs of one store`);
  if (f.runsLeftRunning > 0) problems.push(`${f.runsLeftRunning} sync runs stuck running`);
  if (f.webhook.booked + f.webhook.noDocument < f.webhook.sent)
    problems.push(`${f.webhook.sent - f.webhook.booked - f.webhook.noDocument} webhook orders not booked`);
  if (!(f.webhook.p95 < WEBHOOK_P95_TARGET_S * 1000)) problems.push(`webhook p95 ${s1(f.webhook.p95)} ≥ ${WEBHOOK_P95_TARGET_S} s`);
  const lagLine = (l: Figures['lag']) => `${s1(l.p50)} / ${s1(l.p95)} / ${s1(l.max)}  (${l.n} slots, ${l.missed} missed)`;
  const rows: Array<[string, string]> = [
    ['stores (orders backfilled)', `${f.stores} (${f.orders})`],
    ['workers', String(f.workers)],
    ['connect (POST /stores, all)', `${f.connectSeconds.toFixed(1)} s`],
    ['first connect → every backfill over', `${f.backfillSeconds.toFixed(1)} s`],
    ...f.rss.map((r): [string, string] => [
      `RSS ${r.name} peak / steady`,
      `${r.peakMb.toFixed(0)} MB / ${r.steadyMb.toFixed(0)} MB${r.note ? ` (${r.note})` : ''}`,
    ]),
    ...f.rss.map((r): [string, string] => [`${r.name} status at its RSS peak`, r.atPeak]),
    ['DB connections max / steady', `${f.dbConnectionsMax} / ${f.dbConnectionsSteady}`],
    ['task backlog max (workflow, activity)', f.backlogMax ? `${f.backlogMax.workflow}, ${f.backlogMax.activity}` : 'n/a'],
    ['sync slot → run started p50/p95/max', lagLine(f.lag)],
    ['inventory slot → run started p50/p95/max', lagLine(f.inventoryLag)],
    ['worker killed', f.killed],
    ['QBO requests / 429s / other errors', `${f.qbo.requests} / ${f.qbo.r429} / ${f.qbo.other4xx5xx}`],
    ['Shopify throttled answers', String(f.shopifyThrottled)],
    ['duplicates (read back from QBO)', String(f.duplicates)],
    ['totals or tax not matching Shopify', String(f.mismatches)],
    ['overlapping runs of one store', String(f.overlaps)],
    ['sync runs running > 10 min at the end', String(f.runsLeftRunning)],
    [
      'webhooks sent (answers)',
      `${f.webhook.sent} (${Object.entries(f.webhook.answers)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')})`,
    ],
    ['webhook orders booked / no document', `${f.webhook.booked} / ${f.webhook.noDocument}`],
    ['webhook-triggered sync runs (burst stores)', String(f.webhook.runs)],
    ['webhook → QBO document p50/p95/max', `${s1(f.webhook.p50)} / ${s1(f.webhook.p95)} / ${s1(f.webhook.max)}`],
    [
      'its stages p50/p95',
      f.webhook.stages
        ? `API answer ${s1(f.webhook.stages.answer.p50)} / ${s1(f.webhook.stages.answer.p95)}; first webhook → run begun ${s1(f.webhook.stages.toRun.p50)} / ${s1(f.webhook.stages.toRun.p95)}; run begun → booked ${s1(f.webhook.stages.runToBooked.p50)} / ${s1(f.webhook.stages.runToBooked.p95)}`
        : 'n/a',
    ],
    ...Object.entries(f.cpu).map(([phase, c]): [string, string] => [
      `CPU s in ${phase} (${c.wallS.toFixed(0)} s)`,
      `bench+emulators ${c.bench.toFixed(0)}, API ${c.api.toFixed(0)}, workers ${c.workers.toFixed(0)}, Temporal ${c.temporal.toFixed(0)}, PostgreSQL ${c.postgres.toFixed(0)}`,
    ]),
    ['targets', problems.length === 0 ? 'all met' : `MISSED: ${problems.join('; ')}`],
  ];
  console.log(`\nfleet: ${f.stores} stores on ${f.workers} worker process${f.workers > 1 ? 'es' : ''}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(42)} ${v}`);
  return problems;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stores: { type: 'string', default: '1000' },
      workers: { type: 'string', default: 'both' },
      seed: { type: 'string', default: '1000' },
      interval: { type: 'string', default: '5' },
      window: { type: 'string' },
      'webhook-stores': { type: 'string', default: '100' },
      'webhook-orders': { type: 'string', default: '10' },
      'from-source': { type: 'boolean', default: false },
      'log-dir': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'worker-env': { type: 'string', multiple: true, default: [] },
      settle: { type: 'string', default: '60' },
    },
  });
  const num = (name: string, v: string | undefined, min = 1): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${v}"`);
    return n;
  };
  const opts: Options = {
    stores: num('stores', values.stores),
    seed: num('seed', values.seed, 0),
    intervalMinutes: num('interval', values.interval, 5),
    windowMinutes: values.window === undefined ? num('interval', values.interval, 5) : num('window', values.window),
    webhookStores: num('webhook-stores', values['webhook-stores']),
    webhookOrders: num('webhook-orders', values['webhook-orders']),
    fromSource: values['from-source'] ?? false,
    logDir: values['log-dir'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-fleet-logs-')),
    cpuProf: values['cpu-prof'] ?? false,
    workerEnv: Object.fromEntries(
      (values['worker-env'] ?? []).map((kv) => {
        const i = kv.indexOf('=');
        if (i <= 0) throw new Error(`--worker-env must be KEY=VALUE, got "${kv}"`);
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
    ),
    settleSeconds: num('settle', values.settle, 0),
  };
  fs.mkdirSync(opts.logDir, { recursive: true });
  if (!opts.fromSource && !fs.existsSync(path.join(root, 'dist', 'main', 'worker.js')))
    throw new Error('dist/main/worker.js is missing: run `npm run build` first (or pass --from-source)');
  opts.webhookStores = Math.min(opts.webhookStores, opts.stores);
  if (opts.windowMinutes > opts.intervalMinutes) throw new Error('--window must not be longer than --interval');
  const counts = values.workers === 'both' ? [1, 3] : [num('workers', values.workers)];
  console.log(
    `Ledgerline fleet benchmark · node ${process.version} · ${new Date().toISOString()} · ${os.cpus().length} cores · load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`logs (API, workers, the dev server's warnings): ${opts.logDir}`);
  const problems: string[] = [];
  for (const n of counts) {
    console.log(`\n${opts.stores} stores, ${n} worker process${n > 1 ? 'es' : ''}: starting`);
    const figures = await runFleet(opts, n);
    problems.push(...report(figures).map((p) => `${n} worker(s): ${p}`));
  }
  console.log(
    `\nload at the end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (problems.length > 0) {
    console.log(`\ntargets missed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (stopping?.() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    void (stopping?.() ?? Promise.resolve()).finally(() => process.exit(1));
  },
);
