/**
 * Where the Temporal servers come from on a machine without a `TEMPORAL_ADDRESS`. Lookup order
 * (issue #2): TEMPORAL_CLI_PATH → `temporal` on PATH → Ledgerline's cache (built by
 * scripts/install-temporal.sh from the Go module proxy; README "Where Temporal comes from") →
 * the SDK's own download (online machines) → building it now from the registry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../config/paths';

export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.38.0';

export interface ToolLocation {
  path: string;
  source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'sdk-download' | 'built' | 'TEMPORAL_TEST_SERVER_PATH';
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function onPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, bin))) return path.join(dir, bin);
  }
  return undefined;
}

export function cachedCliPath(cacheDir: string): string {
  return path.join(cacheDir, `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

export function cachedTestServerPath(cacheDir: string): string {
  return path.join(cacheDir, `temporal-test-server-${TEMPORAL_TEST_SERVER_VERSION}`, 'test-server');
}

/** Finds a Temporal CLI without installing anything; undefined when none is at hand. */
export function findTemporalCli(opts: { cliPath?: string; cacheDir: string }): ToolLocation | undefined {
  if (opts.cliPath) {
    if (!isExecutable(opts.cliPath)) throw new Error(`TEMPORAL_CLI_PATH=${opts.cliPath} is not an executable file`);
    return { path: opts.cliPath, source: 'TEMPORAL_CLI_PATH' };
  }
  const fromPath = onPath('temporal');
  if (fromPath) return { path: fromPath, source: 'PATH' };
  const cached = cachedCliPath(opts.cacheDir);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  const downloaded = findSdkDownload(opts.cacheDir);
  if (downloaded) return { path: downloaded, source: 'sdk-download' };
  return undefined;
}

/** The SDK's `cached-download` stores the CLI under `<cacheDir>/sdk-download/…`; find it if present. */
function findSdkDownload(cacheDir: string): string | undefined {
  const dir = path.join(cacheDir, 'sdk-download');
  if (!fs.existsSync(dir)) return undefined;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (/^temporal(-cli)?(-[\w.]+)?$/.test(e.name) && isExecutable(p)) return p;
    }
  }
  return undefined;
}

/**
 * Ensures a Temporal CLI exists: finds one, else tries the SDK's download (fast on an online machine,
 * fails fast here), else builds the pinned version with Go (scripts/install-temporal.sh).
 */
export async function ensureTemporalCli(opts: { cliPath?: string; cacheDir: string; log?: (m: string) => void }): Promise<ToolLocation> {
  const found = findTemporalCli(opts);
  if (found) return found;
  const log = opts.log ?? (() => undefined);
  try {
    log('no Temporal CLI found: trying the Temporal SDK download');
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'cached-download', downloadDir: path.join(opts.cacheDir, 'sdk-download') } },
    });
    await env.teardown();
    const downloaded = findSdkDownload(opts.cacheDir);
    if (downloaded) return { path: downloaded, source: 'sdk-download' };
  } catch (err) {
    log(`SDK download unavailable (${(err as Error).message.split('\n')[0]}): building from the Go module proxy`);
  }
  runInstallScript('cli', opts.cacheDir);
  return { path: cachedCliPath(opts.cacheDir), source: 'built' };
}

/** The time-skipping test server (tests only): TEMPORAL_TEST_SERVER_PATH → cache → Maven Central. */
export function ensureTestServer(cacheDir: string): ToolLocation {
  const explicit = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (explicit) return { path: explicit, source: 'TEMPORAL_TEST_SERVER_PATH' };
  const cached = cachedTestServerPath(cacheDir);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  runInstallScript('test-server', cacheDir);
  return { path: cached, source: 'built' };
}

function runInstallScript(what: 'cli' | 'test-server', cacheDir: string): void {
  const res = spawnSync('bash', [path.join(repoRoot, 'scripts', 'install-temporal.sh'), what], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, LEDGERLINE_CACHE_DIR: cacheDir },
  });
  if (res.status !== 0) throw new Error(`scripts/install-temporal.sh ${what} failed (exit ${res.status})`);
}

export function temporalCliVersion(bin: string): string {
  return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
}
