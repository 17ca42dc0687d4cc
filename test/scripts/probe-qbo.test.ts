import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCompany, startQboEmulator, type QboEmulatorHandle } from '../../emulators/qbo';
import { formatResults, PROBES, runProbes, type ProbeResult, type ProbeTarget } from '../../scripts/probe-qbo';

/**
 * `npm run probe:qbo` (scripts/probe-qbo.ts) against the QBO emulator: every probe of a behaviour Ledgerline depends
 * on holds there (docs/qbo-behaviours.md), cleans up after itself, and fails when the emulator answers otherwise
 * (a proxy between the probes and the emulator plays an emulator with a rule broken).
 */
const ROOT = path.join(__dirname, '..', '..');
const US = '9130350000000801';
const US_NUMBERED = '9130350000000802';
const GB = '9130350000000803';

let emu: QboEmulatorHandle;

function targetFor(realmId: string, endpoint = emu.v3Endpoint): ProbeTarget {
  return { endpoint, realmId, accessToken: emu.admin.issueTokens(realmId).accessToken, emulatorAdmin: emu.url };
}

const outcomes = (results: ProbeResult[]): Record<string, string> => Object.fromEntries(results.map((r) => [r.id, r.outcome]));

beforeAll(async () => {
  const numbered = defaultCompany({ realmId: US_NUMBERED, country: 'US' });
  numbered.qboCompany.preferences = { SalesFormsPrefs: { CustomTxnNumbers: false } };
  emu = await startQboEmulator({
    companies: [defaultCompany({ realmId: US, country: 'US' }), numbered, defaultCompany({ realmId: GB, country: 'GB' })],
    limits: false,
  });
});
afterAll(() => emu.close());

describe('probe:qbo against the QBO emulator', () => {
  let results: ProbeResult[];
  beforeAll(async () => {
    results = await runProbes(targetFor(US));
  });

  it('finds every behaviour holding in a US company, skipping only what needs custom transaction numbers off', () => {
    const expected = Object.fromEntries(PROBES.map((p) => [p.id, p.id === 'docnumber-assigned-when-custom-off' ? 'skipped' : 'holds']));
    expect(outcomes(results)).toEqual(expected);
    expect(results.find((r) => r.outcome === 'skipped')?.detail).toMatch(/custom transaction numbers are on/);
  });

  it('leaves no probe document behind and every probe customer, vendor and item inactive', async () => {
    const query = async (entity: string, where = ''): Promise<any[]> => {
      const sql = encodeURIComponent(`select * from ${entity} ${where}`.trim());
      const res = await fetch(`${emu.v3Endpoint}${US}/query?query=${sql}`, {
        headers: { Authorization: `Bearer ${emu.admin.issueTokens(US).accessToken}`, Accept: 'application/json' },
      });
      const body = (await res.json()) as { QueryResponse: Record<string, any[]> };
      return body.QueryResponse[entity] ?? [];
    };
    for (const entity of ['SalesReceipt', 'Invoice', 'Deposit', 'Payment'])
      expect({ entity, left: await query(entity) }).toEqual({ entity, left: [] });
    for (const [entity, field] of [
      ['Customer', 'DisplayName'],
      ['Vendor', 'DisplayName'],
      ['Item', 'Name'],
    ] as const) {
      const probes = (await query(entity, 'where Active IN (true, false) maxresults 1000')).filter((e) =>
        String(e[field]).startsWith('LL-PROBE-'),
      );
      // The vendor probe's create is refused (6240), so only customers and items are made.
      if (entity !== 'Vendor') expect(probes.length).toBeGreaterThan(0);
      expect({ entity, active: probes.filter((e) => e.Active !== false).map((e) => e[field]) }).toEqual({ entity, active: [] });
    }
  });

  it('prints one row per probe with its result and how the behaviour is known', () => {
    const table = formatResults(results);
    for (const probe of PROBES) expect(table).toMatch(new RegExp(`^${probe.id}\\s+(HOLDS|SKIPPED)\\s+${probe.verifiedBy}`, 'm'));
    expect(table).toMatch(new RegExp(`${PROBES.length - 1} holds, 0 fails, 1 skipped$`));
  });

  it('confirms DocNumbers assigned by QBO in a company with custom transaction numbers off', async () => {
    const ids = [
      'docnumber-assigned-when-custom-off',
      'docnumber-absent-when-custom-on',
      'docnumber-duplicate-6140',
      'update-full-keeps-docnumber',
    ];
    expect(outcomes(await runProbes(targetFor(US_NUMBERED), { only: ids }))).toEqual({
      'docnumber-assigned-when-custom-off': 'holds',
      'docnumber-absent-when-custom-on': 'skipped',
      'docnumber-duplicate-6140': 'skipped',
      'update-full-keeps-docnumber': 'holds',
    });
  });

  it('runs the probes that do not send US sales lines in a UK company and skips the rest, saying why', async () => {
    const ids = [
      'fault-invalid-id-2030',
      'name-duplicate-6240-no-id',
      'query-escaped-quote',
      'batch-item-faults',
      'sales-totalamt-computed',
    ];
    const gb = await runProbes(targetFor(GB), { only: ids });
    expect(outcomes(gb)).toEqual({
      'fault-invalid-id-2030': 'holds',
      'name-duplicate-6240-no-id': 'holds',
      'query-escaped-quote': 'holds',
      'batch-item-faults': 'holds',
      'sales-totalamt-computed': 'skipped',
    });
    expect(gb.find((r) => r.id === 'sales-totalamt-computed')?.detail).toMatch(/GB/);
  });
});

/**
 * A proxy in front of the emulator that rewrites some answers: an emulator with one rule broken, the way an
 * emulator that drifted from QBO (or a QBO that differs from the emulator) would answer.
 */
async function tamperingProxy(
  upstream: string,
  tamper: (req: { method: string; url: string; body: string }, res: { status: number; body: any }) => { status: number; body: any },
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const h of ['authorization', 'content-type', 'accept']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
      void fetch(`${upstream}${req.url}`, { method: req.method, headers, ...(body && req.method !== 'GET' ? { body } : {}) })
        .then(async (answer) => {
          const text = await answer.text();
          const parsed = text ? (JSON.parse(text) as unknown) : null;
          const out = tamper({ method: req.method ?? 'GET', url: req.url ?? '/', body }, { status: answer.status, body: parsed });
          res.writeHead(out.status, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(out.body));
        })
        .catch((error: unknown) => {
          res.writeHead(502);
          res.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('probe:qbo against an emulator with a rule broken', () => {
  it('fails the probe of each broken behaviour, saying what it saw', async () => {
    const proxy = await tamperingProxy(emu.url, (req, res) => {
      const error = res.body?.Fault?.Error?.[0];
      // 6240 naming the holder's Id, as the emulator used to and as Ledgerline once relied on.
      if (error?.code === '6240') error.Detail = 'Another customer is already using this name: Id=40';
      // 2030 answered as a plain "not found".
      if (error?.code === '2030') Object.assign(error, { code: '610', Message: 'Object Not Found', element: '' });
      // The emulator's old throttle fault: code 003001.
      if (error?.code === '3001') error.code = '003001';
      // Every update counted as a change.
      if (req.url.includes('operation=update') && res.body?.Customer)
        res.body.Customer.SyncToken = String(Number(res.body.Customer.SyncToken) + 1);
      return res;
    });
    try {
      const broken = ['name-duplicate-6240-no-id', 'fault-invalid-id-2030', 'fault-throttle-3001', 'update-noop-keeps-synctoken'];
      const results = await runProbes(targetFor(US, `${proxy.url}/v3/company/`), { only: [...broken, 'query-escaped-quote'] });
      expect(outcomes(results)).toEqual({ ...Object.fromEntries(broken.map((id) => [id, 'fails'])), 'query-escaped-quote': 'holds' });
      const detail = Object.fromEntries(results.map((r) => [r.id, r.detail]));
      expect(detail['name-duplicate-6240-no-id']).toMatch(/names Id/);
      expect(detail['fault-invalid-id-2030']).toMatch(/\["2030","Invalid ID","Id"\]/);
      expect(detail['fault-throttle-3001']).toMatch(/"003001"/);
      expect(detail['update-noop-keeps-synctoken']).toMatch(/SyncToken, LastUpdatedTime/);
    } finally {
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });
});

describe('npm run probe:qbo', () => {
  const run = promisify(execFile);
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');

  it('runs against an in-process emulator with --emulator and exits 0 when the probes hold', async () => {
    const { stdout } = await run(tsx, ['scripts/probe-qbo.ts', '--emulator', '--only', 'fault-invalid-id-2030,query-paging'], {
      cwd: ROOT,
    });
    expect(stdout).toMatch(/^fault-invalid-id-2030\s+HOLDS\s+recorded/m);
    expect(stdout).toMatch(/2 holds, 0 fails, 0 skipped/);
  });

  it('exits 2 and says how to give a company when it has none', async () => {
    const env = { ...process.env, QBO_PROBE_REALM_ID: '', QBO_PROBE_ACCESS_TOKEN: '' };
    const failure = await run(tsx, ['scripts/probe-qbo.ts'], { cwd: ROOT, env }).then(
      () => undefined,
      (err: { code?: number; stderr?: string }) => err,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/QBO_PROBE_REALM_ID and QBO_PROBE_ACCESS_TOKEN/);
  });

  it('is the package script, and every probe is a row of docs/qbo-behaviours.md with the same verification', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['probe:qbo']).toBe('tsx scripts/probe-qbo.ts');
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'qbo-behaviours.md'), 'utf8');
    for (const probe of PROBES) {
      const row = doc.split('\n').find((l) => l.startsWith('|') && l.includes(`\`${probe.id}\``));
      expect({ probe: probe.id, documented: row !== undefined }).toEqual({ probe: probe.id, documented: true });
      const cells = row!.split('|').map((c) => c.trim());
      expect({ probe: probe.id, verifiedBy: cells.some((c) => c.startsWith(probe.verifiedBy)) }).toEqual({
        probe: probe.id,
        verifiedBy: true,
      });
    }
  });
});
