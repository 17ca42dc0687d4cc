/**
 * A private PostgreSQL cluster for the chaos run: its own data directory and port under a temporary
 * directory (initdb + pg_ctl from the installed server binaries), so the run can restart it without
 * touching any other PostgreSQL on the machine. As root the cluster runs as the `postgres` OS user.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PrivatePostgres {
  url: string;
  port: number;
  /** Stops the server (`-m fast`: clients are disconnected) and starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function findBin(): string {
  const fromEnv = process.env.CHAOS_PG_BIN;
  if (fromEnv) return fromEnv;
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (fs.existsSync(path.join(base, v, 'bin', 'initdb'))) return path.join(base, v, 'bin');
  throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql; set CHAOS_PG_BIN');
}

export async function startPrivatePostgres(port: number): Promise<PrivatePostgres> {
  const bin = findBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-chaos-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const asRoot = process.getuid?.() === 0;
  // initdb refuses to run as root: hand the directory to the postgres user and run the tools as it.
  const run = (tool: string, args: string[]) => {
    const cmd = path.join(bin, tool);
    if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
    else execFileSync(cmd, args, { stdio: 'pipe' });
  };
  if (asRoot) {
    fs.chmodSync(dir, 0o700);
    execFileSync('chown', ['postgres:postgres', dir]);
  }
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const start = () => run('pg_ctl', ['-D', data, '-l', logFile, '-o', opts, '-w', '-t', '60', 'start']);
  const stopServer = (mode: 'fast' | 'immediate') => run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
  let running = false;
  try {
    run('initdb', ['-D', data, '-U', 'ledgerline', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    start();
    running = true;
    run('psql', ['-h', dir, '-p', String(port), '-U', 'ledgerline', '-d', 'postgres', '-qc', 'create database ledgerline']);
  } catch (err) {
    if (running) stopServer('immediate');
    fs.rmSync(dir, { recursive: true, force: true });
    const e = err as Error & { stderr?: Buffer };
    throw new Error(`private PostgreSQL did not start: ${e.message} ${e.stderr?.toString() ?? ''}`);
  }
  return {
    url: `postgres://ledgerline@127.0.0.1:${port}/ledgerline`,
    port,
    async restart() {
      stopServer('fast');
      running = false;
      start();
      running = true;
    },
    async stop() {
      try {
        if (running) stopServer('fast');
      } catch {
        try {
          stopServer('immediate');
        } catch {
          /* already down */
        }
      }
      running = false;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
