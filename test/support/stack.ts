/**
 * The whole system for end-to-end tests and the sync benchmark, each part real: a fresh PostgreSQL
 * database, the Temporal CLI dev server, both emulators holding a generated shop and a QBO company,
 * the HTTP API (in process, through `inject`) and the worker as its own OS process (`main/worker.ts`),
 * so a test can SIGKILL it and start another.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../config';
import { createCipher } from '../../config/secrets';
import { buildApp } from '../../api/app';
import type { Database } from '../../db/client';
import { syncRuns } from '../../db/schema';
import { startDevServer, type DevServer } from '../../temporal/dev-server';
import { ensureTemporalCli } from '../../temporal/tools';
import { processPacing } from './app';
import { postgresDatabase } from './db';
import { freePort } from './processes';
import { silentLogger, startWorld, type SyncWorld, type WorldOptions } from './sync-fixture';

const root = path.resolve(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export interface Stack {
  world: SyncWorld;
  database: Database & { url: string };
  temporal: DevServer;
  client: Client;
  app: FastifyInstance;
  apiToken: string;
  taskQueue: string;
  workers: WorkerProcess[];
  startWorker(): WorkerProcess;
  /** POST /stores for the world's shop and QBO company; answers the created store's id. */
  connect(settings?: Record<string, unknown>): Promise<string>;
  api<T = any>(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Polls until the store has `n` completed sync runs; past the deadline it fails with every run's status and error and the workers' output. */
  waitForRuns(storeId: string, n: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions extends WorldOptions {
  /** QBO_LIMITS_TIME_SCALE for the worker (match the QBO emulator's timeScale). */
  qboTimeScale?: number;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const world = await startWorld(opts);
    cleanups.push(() => world.close());
    const database = await postgresDatabase();
    cleanups.push(() => database.close());
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-e2e-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const cacheDir = loadConfig({ ...process.env, NODE_ENV: 'test' }).cacheDir;
    const cli = await ensureTemporalCli({ cacheDir });
    const temporal = await startDevServer({
      bin: cli.path,
      dataDir: path.join(dataDir, 'temporal'),
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
      log: silentLogger,
    });
    cleanups.push(() => temporal.stop());
    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });

    const encryptionKeys = `e2e:${randomBytes(32).toString('base64')}`;
    const cipher = createCipher(encryptionKeys);
    const apiToken = randomBytes(24).toString('hex');
    const taskQueue = `e2e-${randomBytes(4).toString('hex')}`;
    const app = await buildApp(
      {
        database,
        temporal: async () => client,
        apiToken,
        log: silentLogger,
        cipher,
        taskQueue,
        integrations: { shopifyApiBaseUrl: world.shopify.url, qboEndpoint: world.qbo.v3Endpoint, qboTokenUrl: world.qbo.tokenUrl },
        ...processPacing(database.db),
      },
      { logger: false },
    );
    cleanups.push(() => app.close());

    const workers: WorkerProcess[] = [];
    const startWorker = (): WorkerProcess => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'main/worker.ts'], {
        cwd: root,
        env: {
          ...process.env,
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          LOG_PRETTY: 'false',
          LEDGERLINE_DATA_DIR: dataDir,
          DATABASE_URL: database.url,
          TEMPORAL_ADDRESS: temporal.address,
          TEMPORAL_TASK_QUEUE: taskQueue,
          LEDGERLINE_ENCRYPTION_KEYS: encryptionKeys,
          LEDGERLINE_API_TOKEN: apiToken,
          SHOPIFY_API_BASE_URL: world.shopify.url,
          QBO_API_ENDPOINT: world.qbo.v3Endpoint,
          QBO_TOKEN_URL: world.qbo.tokenUrl,
          QBO_LIMITS_TIME_SCALE: String(opts.qboTimeScale ?? 1),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      const keep = (b: Buffer) => {
        out = (out + b.toString()).slice(-20_000);
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const w = { child, output: () => out, exited };
      workers.push(w);
      return w;
    };
    cleanups.push(async () => {
      for (const w of workers) {
        if (w.child.exitCode === null && w.child.signalCode === null) {
          w.child.kill('SIGTERM');
          const timer = setTimeout(() => w.child.kill('SIGKILL'), 25_000);
          await w.exited;
          clearTimeout(timer);
        }
      }
    });

    const api = async <T>(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${apiToken}` },
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      return { status: res.statusCode, body: res.json() as T };
    };

    return {
      world,
      database,
      temporal,
      client,
      app,
      apiToken,
      taskQueue,
      workers,
      startWorker,
      api,
      async connect(settings = {}) {
        const issued = world.qbo.admin.issueTokens(world.realmId);
        const res = await api<{ id: string }>('POST', '/stores', {
          shopDomain: world.shopDomain,
          shopifyAccessToken: 'shpat_test',
          qbo: {
            realmId: world.realmId,
            clientId: world.qbo.clientId,
            clientSecret: world.qbo.clientSecret,
            accessToken: issued.accessToken,
            refreshToken: issued.refreshToken,
          },
          settings,
        });
        if (res.status !== 201) throw new Error(`POST /stores answered ${res.status}: ${JSON.stringify(res.body)}`);
        return res.body.id;
      },
      async waitForRuns(storeId, n, timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const runs = await database.db.select().from(syncRuns).where(eq(syncRuns.storeId, storeId));
          const done = runs.filter((r) => r.status === 'completed');
          if (done.length >= n) return;
          if (Date.now() > deadline) {
            throw new Error(
              `store ${storeId}: ${done.length}/${n} runs completed after ${timeoutMs} ms (runs: ${JSON.stringify(runs.map((r) => [r.status, r.error]))})\nworker output:\n${workers.map((w) => w.output()).join('\n---\n')}`,
            );
          }
          await new Promise((r) => setTimeout(r, 500));
        }
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
