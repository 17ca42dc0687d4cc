/**
 * `LEDGERLINE_DEMO=1 npm start`'s entry point: the emulators start with a generated shop, the store is
 * connected through the API and its orders reach the QBO emulator; a webhook from the shop triggers a
 * sync; Ctrl-C stops everything (emulators included) and a restart resumes the same demo.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alive, descendants, freePort } from '../support/processes';

const root = path.resolve(__dirname, '..', '..');
const STORE_ID = 'ledgerline-demo';

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-demo-'));
const running: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const c of running) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Ports {
  api: number;
  temporal: number;
  ui: number;
  shopify: number;
  qbo: number;
}

function startDemo(ports: Ports) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/start.ts'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_PRETTY: 'false',
      LOG_LEVEL: 'info',
      LEDGERLINE_DATA_DIR: dataDir,
      API_PORT: String(ports.api),
      TEMPORAL_DEV_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      TEMPORAL_ADDRESS: '',
      DATABASE_URL: '',
      LEDGERLINE_API_TOKEN: '',
      LEDGERLINE_ENCRYPTION_KEYS: '',
      SHOPIFY_API_BASE_URL: '',
      QBO_API_ENDPOINT: '',
      QBO_TOKEN_URL: '',
      SHOPIFY_WEBHOOK_SECRET: '',
      LEDGERLINE_DEMO: '1',
      LEDGERLINE_DEMO_ORDERS: '40',
      LEDGERLINE_DEMO_DAYS: '20',
      LEDGERLINE_DEMO_SHOPIFY_PORT: String(ports.shopify),
      LEDGERLINE_DEMO_QBO_PORT: String(ports.qbo),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.push(child);
  const proc = { child, output: '', exited: new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout.on('data', (d: Buffer) => {
    proc.output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    proc.output += d.toString();
  });
  return proc;
}
type Proc = ReturnType<typeof startDemo>;

/** Polls `check` every second until it returns a value, the process exits, or the deadline passes. */
async function waitFor<T>(proc: Proc, what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    const gaveUp = /the demo could not connect its store/.test(proc.output);
    if (gaveUp || proc.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(
        `gave up waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}; output:\n${proc.output.slice(-20_000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

interface StoreView {
  id: string;
  state: string;
  counts: Record<string, number>;
  lastRun: { trigger: string; status: string; startedAt: string } | null;
  connection: { ok: boolean; error: string | null };
}

async function getStore(apiPort: number): Promise<StoreView | undefined> {
  const { apiToken } = JSON.parse(fs.readFileSync(path.join(dataDir, 'dev-secrets.json'), 'utf8')) as { apiToken: string };
  const res = await fetch(`http://127.0.0.1:${apiPort}/stores/${STORE_ID}`, { headers: { authorization: `Bearer ${apiToken}` } });
  return res.status === 200 ? ((await res.json()) as StoreView) : undefined;
}

async function stopCleanly(proc: Proc, ports: Ports): Promise<void> {
  const tree = descendants(proc.child.pid!);
  proc.child.kill('SIGINT');
  const code = await proc.exited;
  expect(code, proc.output.slice(-20_000)).toBe(0);
  expect(proc.output).toContain('stopped');
  for (let i = 0; i < 50 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 200));
  expect(tree.filter(alive)).toEqual([]);
  expect(await portOpen(ports.shopify)).toBe(false);
  expect(await portOpen(ports.qbo)).toBe(false);
}

describe('LEDGERLINE_DEMO=1 npm start', () => {
  it('connects a generated shop that syncs into the QBO emulator, reacts to its webhooks, and resumes after a restart', async () => {
    const ports: Ports = {
      api: await freePort(),
      temporal: await freePort(),
      ui: await freePort(),
      shopify: await freePort(),
      qbo: await freePort(),
    };
    const first = startDemo(ports);

    const synced = await waitFor(first, 'GET /stores/ledgerline-demo to report a completed first sync', 300_000, async () => {
      const view = await getStore(ports.api);
      return view && view.counts.synced! > 0 && view.lastRun?.status === 'completed' ? view : undefined;
    });
    expect(synced).toMatchObject({ id: STORE_ID, state: 'active', connection: { ok: true }, lastRun: { status: 'completed' } });
    // Health is green: the database, Temporal and the in-process worker all answer.
    const health = await fetch(`http://127.0.0.1:${ports.api}/health`);
    const healthBody = (await health.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect({ code: health.status, body: healthBody }).toMatchObject({ code: 200, body: { status: 'ok' } });
    expect(Object.values(healthBody.checks).every((c) => c.ok)).toBe(true);
    expect(Object.keys(healthBody.checks)).toEqual(expect.arrayContaining(['database', 'temporal']));
    // The documents are in the QBO company (a US one with Automated Sales Tax).
    const company = (await (await fetch(`http://127.0.0.1:${ports.qbo}/_emulator/companies/9130357766554433`)).json()) as {
      companyName: string;
      automatedSalesTax: boolean;
      entities: Record<string, number>;
    };
    expect(company).toMatchObject({ companyName: 'Ledgerline Demo Books', automatedSalesTax: true });
    expect((company.entities.SalesReceipt ?? 0) + (company.entities.Invoice ?? 0)).toBeGreaterThan(0);

    // The guide a newcomer reads, with working links.
    const guide = await waitFor(first, 'the demo guide in the log', 60_000, async () =>
      /Store status {2}curl/.test(first.output) ? first.output : undefined,
    );
    expect(guide).toContain(`http://127.0.0.1:${ports.api}/stores/${STORE_ID}`);
    expect(guide).toContain(
      `http://127.0.0.1:${ports.ui}/namespaces/default/workflows?query=${encodeURIComponent('LedgerlineStore="ledgerline-demo.myshopify.com"')}`,
    );
    expect(guide).toContain(path.join(dataDir, 'dev-secrets.json'));

    // The guide's webhook line: marking an unpaid order paid makes the emulator send orders/paid, which nudges a sync.
    const markPaid = /curl -s -X POST (\S+\/mark-paid)/.exec(guide)?.[1];
    expect(markPaid).toBeDefined();
    const before = Date.now();
    const paid = await fetch(markPaid!, { method: 'POST' });
    expect(paid.status).toBe(201);
    const webhookRun = await waitFor(first, 'a sync run triggered by the orders/paid webhook', 120_000, async () => {
      const view = await getStore(ports.api);
      return view?.lastRun?.trigger === 'webhook' && Date.parse(view.lastRun.startedAt) >= before - 1000 ? view.lastRun : undefined;
    });
    expect(webhookRun.trigger).toBe('webhook');
    const deliveries = (await (await fetch(`http://127.0.0.1:${ports.shopify}/_emulator/webhooks/deliveries`)).json()) as {
      result: Array<{ topic: string; status: string; uri: string }>;
    };
    expect(deliveries.result.filter((d) => d.topic === 'orders/paid')).toEqual([
      expect.objectContaining({ status: 'delivered', uri: `http://127.0.0.1:${ports.api}/webhooks/shopify` }),
    ]);

    await stopCleanly(first, ports);
    // No credential reached the log: not the API token, the shop's token nor the QBO tokens.
    const { apiToken } = JSON.parse(fs.readFileSync(path.join(dataDir, 'dev-secrets.json'), 'utf8')) as { apiToken: string };
    expect(first.output).not.toContain(apiToken);
    expect(first.output).not.toMatch(/shpat_ledgerline_demo|AB11[A-Za-z0-9_-]{20}|eyJlbmMi/);
    for (const f of ['demo.json', 'shopify-state.json', 'qbo-state.json'])
      expect(fs.existsSync(path.join(dataDir, 'demo', f)), f).toBe(true);
    const manifest = fs.readFileSync(path.join(dataDir, 'demo', 'demo.json'), 'utf8');

    // A restart resumes the same demo: same shop and books, the store already connected.
    const second = startDemo(ports);
    const resumed = await waitFor(second, 'the resumed store', 240_000, async () => {
      const view = await getStore(ports.api);
      return view && /already connected/.test(second.output) ? view : undefined;
    });
    expect(resumed.counts.synced).toBeGreaterThanOrEqual(synced.counts.synced!);
    expect(second.output).not.toContain('generated the demo shop');
    expect(fs.readFileSync(path.join(dataDir, 'demo', 'demo.json'), 'utf8')).toBe(manifest);
    const order = (await (await fetch(markPaid!.replace(/\/mark-paid$/, ''))).json()) as { result: { displayFinancialStatus: string } };
    expect(order.result.displayFinancialStatus).toBe('PAID'); // the change made before the restart is still there
    await stopCleanly(second, ports);
  }, 900_000);
});
