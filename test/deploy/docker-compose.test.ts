/**
 * docker-compose.yml is checked by the Compose client itself (`docker compose config`, or the
 * standalone `docker-compose` where the plugin is absent) and against Ledgerline's config schema:
 * Docker doesn't run on our machines, so this is how the file stays true.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configKeys, loadConfig } from '../../config';

const root = path.resolve(__dirname, '..', '..');

function composeCommand(): [string, string[]] {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', ['compose']];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose', []];
  throw new Error("Neither `docker compose` nor `docker-compose` is installed (.ci/run installs Debian's docker-compose)");
}

interface ComposeFile {
  services: Record<string, { image?: string; build?: unknown; environment?: Record<string, string | null>; command?: string[] }>;
}

const secrets = {
  LEDGERLINE_API_TOKEN: randomBytes(16).toString('hex'),
  LEDGERLINE_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
};

function composeConfig(env: Record<string, string>): ComposeFile {
  const [cmd, pre] = composeCommand();
  const out = execFileSync(cmd, [...pre, '-f', path.join(root, 'docker-compose.yml'), 'config'], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  return parse(out) as ComposeFile;
}

describe('docker-compose.yml', () => {
  it('is valid Compose with PostgreSQL, Temporal, its UI, the worker and the API', () => {
    const file = composeConfig(secrets);
    expect(Object.keys(file.services).sort()).toEqual(['api', 'postgres', 'temporal', 'temporal-ui', 'worker']);
    expect(file.services.temporal?.image).toMatch(/^temporalio\/auto-setup:/);
    expect(file.services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    // The server's dynamic configuration is Ledgerline's own file (eager activity execution on).
    const temporal = file.services.temporal as {
      environment?: Record<string, string>;
      volumes?: Array<string | { source?: string; target?: string }>;
    };
    expect(temporal.environment?.DYNAMIC_CONFIG_FILE_PATH).toBe('config/dynamicconfig/ledgerline.yaml');
    const mount = (temporal.volumes ?? [])
      .map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`))
      .find((v) => v.includes('dynamicconfig'));
    expect(mount).toContain(`${path.join(root, 'temporal', 'dynamicconfig')}:/etc/temporal/config/dynamicconfig`);
    const dynamic = parse(fs.readFileSync(path.join(root, 'temporal', 'dynamicconfig', 'ledgerline.yaml'), 'utf8')) as Record<
      string,
      Array<{ value: unknown }>
    >;
    expect(dynamic['system.enableActivityEagerExecution']).toEqual([{ value: true }]);
    // The worker runs as `npm run worker` does, its heap cap included, in Compose and in the image (README "Running a fleet").
    const workerCommand = (
      JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts.worker!.split(/\s+/);
    expect(workerCommand).toContain('--max-old-space-size=192');
    expect(file.services.worker?.command).toEqual(workerCommand);
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(JSON.parse(/^CMD\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1] ?? 'null')).toEqual(workerCommand);
    expect(file.services.api?.command).toEqual(['node', 'dist/main/api.js']);
  });

  it('gives the worker and API only variables Ledgerline knows, and a configuration that validates', () => {
    const file = composeConfig(secrets);
    for (const name of ['worker', 'api'] as const) {
      const env = Object.fromEntries(Object.entries(file.services[name]?.environment ?? {}).map(([k, v]) => [k, v ?? '']));
      expect(Object.keys(env).filter((k) => !(configKeys as string[]).includes(k))).toEqual([]);
      const config = loadConfig(env);
      expect(config.databaseUrl).toMatch(/^postgres:\/\/.+@postgres:5432\//);
      expect(config.temporal.address).toBe('temporal:7233');
    }
  });

  it('builds the worker and the API from the Dockerfile, every stage on Node 24, the current LTS', () => {
    const file = composeConfig(secrets);
    for (const name of ['worker', 'api'] as const) {
      const build = file.services[name]?.build as { context?: string; dockerfile?: string } | undefined;
      expect(build?.context).toBe(root);
      const dockerfile = fs.readFileSync(path.join(root, build?.dockerfile ?? 'Dockerfile'), 'utf8');
      const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
      expect(bases).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim']);
    }
  });

  it('refuses to render without the secrets a production stack needs', () => {
    expect(() => composeConfig({})).toThrow(/LEDGERLINE_API_TOKEN/);
  });
});
