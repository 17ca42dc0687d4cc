/**
 * Runs the official Temporal CLI dev server (`temporal server start-dev`) as a child process: history
 * persisted in a SQLite file under the data dir, Web UI on its own port, Ledgerline's search attributes
 * registered by flag. Its output is routed into our logs; stop() sends SIGTERM and waits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { Logger } from '../config/logger';
import { ensurePrivateDir } from '../config/private-files';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

export interface DevServer {
  address: string;
  uiUrl: string;
  pid: number;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  bin: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  log: Logger;
  /** ms to wait for the gRPC port and the UI (default 60 s). */
  readyTimeoutMs?: number;
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Settings for a dev server that carries a fleet (docs/BENCHMARKS.md "Fleet"), each a documented flag of
 * `temporal server start-dev` (https://docs.temporal.io/cli/server#start-dev):
 * - the CLI turns `system.forceSearchAttributesCacheRefreshOnRead` on so that search attributes created at run time
 *   are seen at once; it makes the server re-read them from SQLite on every use. Ledgerline's are registered when the
 *   server starts (the --search-attribute flags above), so the cache may be used;
 * - one task queue partition instead of the server's default four: a single server with one worker's pollers
 *   matches tasks to pollers directly instead of forwarding them between partitions and persisting the backlog;
 * - SQLite in write-ahead-log mode with synchronous=NORMAL (https://www.sqlite.org/wal.html): a commit appends to the
 *   log instead of rewriting a rollback journal, and stays durable when the process is killed;
 * - eager activity execution (`system.enableActivityEagerExecution`, off by default in the server, on in Temporal
 *   Cloud): when a workflow task schedules an activity on the worker's own task queue and the worker has a slot free,
 *   the server hands the activity back in its answer to the task's completion instead of queueing it for a poller
 *   (the SDK asks for it by default: ActivityOptions.allowEagerDispatch). A sync run's activities each skip a round
 *   through the task queue.
 */
const DEV_SERVER_TUNING: Array<[string, string]> = [
  ['--dynamic-config-value', 'system.forceSearchAttributesCacheRefreshOnRead=false'],
  ['--dynamic-config-value', 'system.enableActivityEagerExecution=true'],
  ['--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1'],
  ['--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1'],
  ['--sqlite-pragma', 'journal_mode=wal'],
  ['--sqlite-pragma', 'synchronous=normal'],
];

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const log = opts.log.child({ component: 'temporal-dev-server' });
  for (const p of [opts.port, opts.uiPort]) {
    if (await portOpen(p)) {
      throw new Error(
        `Port ${p} on 127.0.0.1 is already in use. Another Temporal server running? Set TEMPORAL_ADDRESS=127.0.0.1:${opts.port} ` +
          'to use it, or TEMPORAL_DEV_PORT / TEMPORAL_UI_PORT to pick free ports.',
      );
    }
  }
  // Owner-only: the CLI writes temporal.db with the process umask (config/private-files.ts).
  ensurePrivateDir(opts.dataDir);
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--namespace',
    opts.namespace,
    '--db-filename',
    path.join(opts.dataDir, 'temporal.db'),
    '--log-level',
    'warn',
    '--log-format',
    'json',
    ...SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]),
    ...DEV_SERVER_TUNING.flatMap(([flag, value]) => [flag, value]),
  ];
  const child: ChildProcess = spawn(opts.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { level?: string; msg?: string };
        const lvl = entry.level === 'error' ? 'error' : entry.level === 'warn' ? 'warn' : 'debug';
        log[lvl]({ server: entry }, entry.msg ?? 'temporal');
      } catch {
        log.info(line);
      }
    });
  }

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  const uiUrl = `http://127.0.0.1:${opts.uiPort}`;
  let exitCode: number | null | undefined;
  void exited.then((c) => {
    exitCode = c;
  });
  for (;;) {
    if (exitCode !== undefined) throw new Error(`Temporal dev server exited during start-up (code ${exitCode}); see the log above`);
    if (await portOpen(opts.port)) {
      try {
        const res = await fetch(`${uiUrl}/api/v1/namespaces`);
        if (res.ok) break;
      } catch {
        /* UI not up yet */
      }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Temporal dev server did not become ready on 127.0.0.1:${opts.port} within ${opts.readyTimeoutMs ?? 60_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl,
    pid: child.pid!,
    async stop() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
