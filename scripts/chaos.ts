/**
 * `npm run chaos`: the chaos suite (docs/CHAOS.md). Against the real stack — the Temporal dev server, two worker
 * processes, the API process, a private PostgreSQL cluster and both emulators failing about one request in ten —
 * a backfill of `--orders` orders with refunds and payouts landing as it goes, through each scenario in turn:
 * worker SIGKILLs, a dev-server restart, a PostgreSQL restart, a QBO token refresh race, the API killed
 * mid-request. After each, QBO is read back. Prints a table; exits 1 when any scenario fails an outcome.
 *
 * Options: --orders 5000 --kills 20 --seed 7000 --only worker-kills,api-kill --bound 600 (seconds to recover).
 */
import { parseArgs } from 'node:util';
import { formatTable, passed, runChaos, SCENARIOS, type ScenarioName } from './chaos/run';
import { closeAllStacks } from './chaos/stack';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '5000' },
      kills: { type: 'string', default: '20' },
      seed: { type: 'string', default: '7000' },
      bound: { type: 'string', default: '600' },
      only: { type: 'string' },
    },
  });
  const num = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${v}"`);
    return n;
  };
  const only = values.only?.split(',').map((s) => s.trim());
  for (const s of only ?? [])
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--only: unknown scenario ${s} (${SCENARIOS.join(', ')})`);
  const started = Date.now();
  console.log(`Ledgerline chaos suite · node ${process.version} · ${new Date().toISOString()} · ${values.orders} orders`);
  const { results, unplannedExits } = await runChaos({
    orders: num('orders', values.orders),
    kills: num('kills', values.kills),
    seed: num('seed', values.seed),
    recoverBoundS: num('bound', values.bound),
    scenarios: (only as ScenarioName[] | undefined) ?? SCENARIOS,
    log: (l) => console.log(`  ${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s  ${l}`),
  });
  console.log(`\n${formatTable(results)}\n`);
  for (const r of results) {
    console.log(`${r.scenario}: ${r.action}`);
    for (const p of r.problems) console.log(`  problem: ${p}`);
  }
  if (unplannedExits.length) console.log(`\nprocesses that exited on their own and were started again:\n  ${unplannedExits.join('\n  ')}`);
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exitCode = results.every(passed) ? 0 : 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: stopping every process the run started`);
    void closeAllStacks().finally(() => process.exit(130));
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
