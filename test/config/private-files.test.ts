/**
 * Data on disk is owner-only (issue #13 defect 9): the PGlite directory, the generated development
 * secrets and the directory holding them, whether they are new or left by an older version.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSecrets } from '../../config/secrets';
import type { Config } from '../../config';
import { openDatabase } from '../../db/client';

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const made: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-private-'));
  made.push(dir);
  return dir;
}

afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('owner-only data files', () => {
  it('creates the PGlite directory 0700, and tightens one an older version left 0755', async () => {
    const fresh = path.join(tmp(), 'data', 'pglite');
    const db = await openDatabase({ pgliteDir: fresh });
    await db.close();
    expect(mode(fresh)).toBe(0o700);

    const old = path.join(tmp(), 'pglite');
    fs.mkdirSync(old, { mode: 0o755 });
    fs.chmodSync(old, 0o755);
    const db2 = await openDatabase({ pgliteDir: old });
    await db2.close();
    expect(mode(old)).toBe(0o700);
  });

  it('writes the development secrets 0600 in a 0700 directory, and tightens a file left readable', () => {
    const dataDir = path.join(tmp(), 'data');
    const config = { dataDir, api: { token: undefined }, encryptionKeys: undefined } as unknown as Config;
    const first = resolveSecrets(config);
    expect(first.generated).toBe(true);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(path.join(dataDir, 'dev-secrets.json'))).toBe(0o600);

    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(path.join(dataDir, 'dev-secrets.json'), 0o644);
    expect(resolveSecrets(config).apiToken).toBe(first.apiToken);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(path.join(dataDir, 'dev-secrets.json'))).toBe(0o600);
  });
});
