/**
 * The chaos run's stack, every part real and each one a process the run can kill or restart: a private
 * PostgreSQL cluster (scripts/chaos/postgres.ts), the Temporal CLI dev server (history in its SQLite file,
 * so a restart keeps it), both emulators holding a generated shop and a QBO company, the API as its own
 * process (`main/api.ts`) and worker processes (`main/worker.ts`). A process that exits without being
 * told to is started again (as a process supervisor would) and counted.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config';
import { openDatabase, type Database } from '../../db/client';
import { startDevServer, type DevServer } from '../../temporal/dev-server';
import { ensureTemporalCli } from '../../temporal/tools';
import { freePort } from '../../test/support/processes';
import { silentLogger, startWorld, type SyncWorld, type WorldOptions } from '../../test/support/sync-fixture';
import { startPrivatePostgres, type PrivatePostgres } from './postgres';

const root = path.resolve(__dirname, '..', '..');

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  output(): string;
}

export interface ChaosStack {
  world: SyncWorld;
  pg: PrivatePostgres;
  database: Database;
  temporal(): DevServer;
  workers: ManagedProcess[];
  apiUrl: string;
  apiToken: string;
  /** Exits of workers or the API that the run did not cause (each was started again). */
  unplannedExits: string[];
  killWorker(w: ManagedProcess): Promise<void>;
  killApi(): Promise<void>;
  restartTemporal(): Promise<void>;
  /** Runs a script of the repository as its own process with the workers' environment; its exit code and output. */
  runScript(entry: string, args: string[], timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** HTTP to the API process; network errors are thrown. */
  http<T = any>(method: string, url: string, body?: unknown, timeoutMs?: number): Promise<{ status: number; body: T }>;
  /** As http, but retried through refused connections and 5xx while a part restarts. */
  httpRetry<T = any>(method: string, url: string, body?: unknown, timeoutMs?: number): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export interface ChaosStackOptions extends WorldOptions {
  workers: number;
  qboTimeScale: number;
}

const open = new Set<() => Promise<void>>();

/** Closes every stack still open (a signal handler's last act: nothing started may outlive the run). */
export async function closeAllStacks(): Promise<void> {
  await Promise.all([...open].map((c) => c()));
}

export async function startChaosStack(opts: ChaosStackOptions): Promise<ChaosStack> {
  const cleanups: Array<() => Promise<void>> = [];
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    open.delete(close);
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  open.add(close);
  try {
    const pg = await startPrivatePostgres(await freePort());
    cleanups.push(() => pg.stop());
    const database = await openDatabase({ url: pg.url, poolSize: 5 });
    cleanups.push(() => database.close());
    await database.migrate();
    const world = await startWorld(opts);
    cleanups.push(() => world.close());

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-chaos-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const cacheDir = loadConfig({ ...process.env, NODE_ENV: 'test' }).cacheDir;
    const cli = await ensureTemporalCli({ cacheDir });
    const devOpts = {
      bin: cli.path,
      dataDir: path.join(dataDir, 'temporal'),
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
      log: silentLogger,
    };
    let temporal = await startDevServer(devOpts);
    cleanups.push(() => temporal.stop());

    const apiPort = await freePort();
    const apiToken = randomBytes(24).toString('hex');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      LOG_PRETTY: 'false',
      LEDGERLINE_DATA_DIR: dataDir,
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: `chaos-${randomBytes(4).toString('hex')}`,
      LEDGERLINE_ENCRYPTION_KEYS: `chaos:${randomBytes(32).toString('base64')}`,
      LEDGERLINE_API_TOKEN: apiToken,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      SHOPIFY_API_BASE_URL: world.shopify.url,
      QBO_API_ENDPOINT: world.qbo.v3Endpoint,
      QBO_TOKEN_URL: world.qbo.tokenUrl,
      QBO_LIMITS_TIME_SCALE: String(opts.qboTimeScale),
    };
    const unplannedExits: string[] = [];
    const planned = new WeakSet<ChildProcess>();
    const workers: ManagedProcess[] = [];
    let api: ManagedProcess;

    const launch = (name: string, entry: string, onUnplanned: (p: ManagedProcess) => void): ManagedProcess => {
      const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const keep = (b: Buffer) => {
        out = (out + b.toString()).slice(-20_000);
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      const p: ManagedProcess = { name, child, output: () => out, exited: new Promise((r) => child.once('exit', () => r())) };
      void p.exited.then(() => {
        if (closing || planned.has(child)) return;
        unplannedExits.push(`${name} exited (code ${child.exitCode}, signal ${child.signalCode}): ${out.slice(-400)}`);
        setTimeout(() => {
          if (!closing) onUnplanned(p);
        }, 1000);
      });
      return p;
    };
    const stopProcess = async (p: ManagedProcess, signal: NodeJS.Signals) => {
      planned.add(p.child);
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill(signal);
        const timer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
        await p.exited;
        clearTimeout(timer);
      }
    };
    const startWorker = (i: number) => {
      const w = launch(`worker ${i}`, 'main/worker.ts', (old) => {
        workers[workers.indexOf(old)] = startWorker(i);
      });
      return w;
    };
    const startApi = () => {
      api = launch('api', 'main/api.ts', () => {
        api = startApi();
      });
      return api;
    };
    cleanups.push(async () => {
      await Promise.all([...workers, api].filter(Boolean).map((p) => stopProcess(p, 'SIGTERM')));
    });
    for (let i = 0; i < opts.workers; i++) workers.push(startWorker(i));
    startApi();

    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const http = async <T>(method: string, url: string, body?: unknown, timeoutMs = 60_000) => {
      const res = await fetch(`${apiUrl}${url}`, {
        method,
        headers: { authorization: `Bearer ${apiToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed as T };
    };
    const httpRetry = async <T>(method: string, url: string, body?: unknown, timeoutMs = 60_000) => {
      const deadline = Date.now() + 180_000;
      for (;;) {
        try {
          const res = await http<T>(method, url, body, timeoutMs);
          if (res.status < 500 || Date.now() > deadline) return res;
        } catch (err) {
          if (Date.now() > deadline) throw err;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    // The API is up when /health answers.
    const upBy = Date.now() + 120_000;
    for (;;) {
      try {
        if ((await http('GET', '/health', undefined, 5000)).status < 500) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > upBy) throw new Error(`the API did not come up: ${api!.output()}`);
      await new Promise((r) => setTimeout(r, 300));
    }

    return {
      world,
      pg,
      database,
      temporal: () => temporal,
      workers,
      apiUrl,
      apiToken,
      unplannedExits,
      async killWorker(w) {
        await stopProcess(w, 'SIGKILL');
        const i = workers.indexOf(w);
        if (i >= 0) workers[i] = startWorker(i);
      },
      async killApi() {
        await stopProcess(api, 'SIGKILL');
        startApi();
      },
      async restartTemporal() {
        await temporal.stop();
        temporal = await startDevServer(devOpts);
      },
      runScript(entry, args, timeoutMs = 60_000) {
        return new Promise((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
          child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-5000)));
          const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
          child.once('exit', (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
          });
        });
      },
      http,
      httpRetry,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
