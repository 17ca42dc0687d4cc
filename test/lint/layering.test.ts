/**
 * The layering the README states is enforced by lint (eslint.config.mjs: per-folder allowed imports,
 * no cycles, workflows free of Node built-ins and activity code). These probes lint small files placed
 * in the real folders with the project's real ESLint config, so a rule that stops biting fails here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });
const written: string[] = [];

afterAll(() => {
  for (const dir of written) rmSync(dir, { recursive: true, force: true });
});

/** Lints `files` (path relative to the repository → source), written into a fresh folder per probe. */
async function lint(folder: string, files: Record<string, string>): Promise<Map<string, string[]>> {
  const dir = mkdtempSync(path.join(root, folder, '__lint-probe-'));
  written.push(dir);
  let results: ESLint.LintResult[];
  try {
    for (const [name, source] of Object.entries(files)) writeFileSync(path.join(dir, name), source);
    results = await eslint.lintFiles(Object.keys(files).map((name) => path.join(dir, name)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return new Map(results.map((r) => [path.basename(r.filePath), r.messages.map((m) => `${m.ruleId}: ${m.message}`)]));
}

describe('layering lint', () => {
  it.each([
    ['domain', "import { buildApp } from '../../api/app';\nexport const x = buildApp;\n", 'api'],
    ['domain', "import { getStore } from '../../db/queries';\nexport const x = getStore;\n", 'db'],
    ['integrations', "import { getStore } from '../../db/queries';\nexport const x = getStore;\n", 'db'],
    ['api', "import { startSystem } from '../../main/system';\nexport const x = startSystem;\n", 'main'],
    ['activities', "import { processOrders } from '../../api/app';\nexport const x = processOrders;\n", 'api'],
    ['db', "import { createActivities } from '../../activities';\nexport const x = createActivities;\n", 'activities'],
  ])('%s/ may not import %s', async (folder, source, target) => {
    const messages = (await lint(folder, { 'probe.ts': source })).get('probe.ts')!;
    expect(messages.join('\n')).toMatch(new RegExp(`boundaries/dependencies: Layering: ${folder}/ may not import ${target}/`));
  });

  it('allows imports that go down', async () => {
    const messages = (
      await lint('activities', {
        'probe.ts':
          "import { getStore } from '../../db/queries';\nimport { planSlices } from '../../domain/sync';\nexport const x = [getStore, planSlices];\n",
      })
    ).get('probe.ts')!;
    expect(messages).toEqual([]);
  });

  it('refuses an import cycle', async () => {
    const messages = await lint('domain', {
      'a.ts': "import { b } from './b';\nexport const a = (): number => b() + 1;\n",
      'b.ts': "import { a } from './a';\nexport const b = (): number => (a.length > 0 ? 1 : 0);\n",
    });
    expect(messages.get('a.ts')!.join('\n')).toMatch(/import-x\/no-cycle/);
  });

  it('keeps workflows free of activity code and Node built-ins', async () => {
    const messages = (
      await lint('workflows', {
        'probe.ts':
          "import fs from 'node:fs';\nimport { createActivities } from '../../activities';\nexport const x = [fs, createActivities];\n",
      })
    ).get('probe.ts')!;
    expect(messages.join('\n')).toMatch(/Node built-ins are not allowed in workflow code/);
    expect(messages.join('\n')).toMatch(/workflows\/ may not import activities\//);
  });
});
