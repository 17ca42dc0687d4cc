/**
 * `npm start`'s entry point on embedded defaults: it brings up the Temporal dev server (with UI),
 * PGlite, the worker and the API; /health turns green; Ctrl-C stops everything, leaving no process.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alive, descendants, freePort } from '../support/processes';

const root = path.resolve(__dirname, '..', '..');

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-start-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('serves a green /health and the Temporal UI, then shuts down cleanly on SIGINT', async () => {
    const [apiPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/start.ts'], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_PRETTY: 'false',
        LOG_LEVEL: 'info',
        LEDGERLINE_DATA_DIR: dataDir,
        API_PORT: String(apiPort),
        TEMPORAL_DEV_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(uiPort),
        TEMPORAL_ADDRESS: '',
        DATABASE_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    let health: { status: string; checks: Record<string, { ok: boolean }> } | undefined;
    for (let i = 0; i < 240 && child.exitCode === null; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${apiPort}/health`);
        if (res.status === 200) {
          health = (await res.json()) as typeof health;
          break;
        }
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(health, `no green /health; output:\n${output}`).toMatchObject({
      status: 'ok',
      checks: { database: { ok: true }, temporal: { ok: true }, worker: { ok: true } },
    });
    const ui = await fetch(`http://127.0.0.1:${uiPort}/api/v1/namespaces`);
    expect(ui.status).toBe(200);
    expect(output).toContain(`http://127.0.0.1:${apiPort}/docs`);
    expect(fs.existsSync(path.join(dataDir, 'pglite'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'temporal', 'temporal.db'))).toBe(true);

    const tree = descendants(child.pid!);
    const described = execFileSync('ps', ['-o', 'pid=,args=', '-p', tree.join(',')], { encoding: 'utf8' });
    expect(tree.length).toBeGreaterThan(0); // the Temporal dev server runs as our child
    child.kill('SIGINT');
    const code = await exited;
    expect(code, output).toBe(0);
    expect(output).toContain('stopped');
    // tsx's esbuild service exits when its parent's pipe closes, a moment after the parent: allow 10 s.
    for (let i = 0; i < 50 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 200));
    expect(tree.filter(alive), described).toEqual([]);
  }, 180_000);
});
