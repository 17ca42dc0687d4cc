/**
 * `npm run bench:inventory`: one inventory run over 10,000 tracked items (issue #16; docs/BENCHMARKS.md "Inventory"),
 * every part real as in `bench:sync` (b) and `bench:payouts`: a generated shop whose catalogue holds `--items`
 * single-variant products tracked at its location (emulators/scenario/stock.ts), a QBO company holding an Inventory
 * item of the same SKU for each, PostgreSQL, the Temporal dev server, the API and the worker as its own process. QBO's
 * limits are time-scaled (`--scale`, as the other benchmarks); Shopify's cost bucket is on at the rates of the plan the
 * emulator models (Basic: a 2,000-point bucket refilling 100 points a second, docs/shopify-facts.md §1) and not
 * time-scaled, like Shopify itself.
 *
 * A share of the items (`--changed`, default 0.1) has a QBO quantity on hand that differs from what Shopify can sell,
 * half higher and half lower (below the circuit breaker's 20 % of lowered items); about 2 % hold damaged units, which
 * the target takes off. The store is connected with inventory in apply mode at that location; once the first sales
 * sync run has finished (the worker is up), one inventory run is started through the API
 * (POST /stores/:id/inventory/sync?mode=apply) and timed from the workflow's start to its close (Temporal's own times).
 *
 * Prints: items, items changed, run time, the Shopify cost points the run used (the actual cost the emulator charged,
 * the figure Shopify reports as `extensions.cost.actualQueryCost`, summed over the run's requests), the minimum run
 * time the bucket allows for that cost, bound ÷ measured (target ≥ 0.8), the QBO calls, and a correctness check read
 * from the emulator's state afterwards: each item's `available` equals its target, and no item was changed twice.
 * The bound: the bucket starts full, so the first `maximumAvailable` points are free and the rest come at
 * `restoreRate` a second: max(0, points − maximumAvailable) ÷ restoreRate.
 *
 * Options: --items 10000 --changed 0.1 --orders 200 --scale 5 --seed 16000. Needs PostgreSQL (TEST_DATABASE_URL,
 * default postgres://ledgerline:ledgerline@127.0.0.1:5432/ledgerline; scripts/setup-postgres.sh).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { inventoryRuns } from '../db/schema';
import { startStack } from '../test/support/stack';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      items: { type: 'string', default: '10000' },
      changed: { type: 'string', default: '0.1' },
      orders: { type: 'string', default: '200' },
      scale: { type: 'string', default: '5' },
      seed: { type: 'string', default: '16000' },
    },
  });
  const num = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${v}"`);
    return n;
  };
  const items = num('items', values.items);
  const changeShare = num('changed', values.changed);
  const orders = num('orders', values.orders);
  const scale = num('scale', values.scale);
  const seed = num('seed', values.seed);
  console.log(
    `Ledgerline inventory benchmark · node ${process.version} · ${new Date().toISOString()} · load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  const stack = await startStack({
    seed,
    orders,
    days: 30,
    qboTimeScale: scale,
    qbo: { timeScale: scale },
    stock: { items, changeShare },
  });
  try {
    const { world } = stack;
    const stock = world.generated.stock!;
    const firstLevel = (
      stock.products[0]!.variants.nodes[0].inventoryItem.inventoryLevels.nodes as Array<{ location: { id: string } }>
    )[0]!;
    const locationId = firstLevel.location.id;
    stack.startWorker();
    const storeId = await stack.connect({ inventory: { mode: 'apply', locationId, intervalMinutes: 1440 } });
    // The first sales sync run (a small backfill) shows the worker is up; the inventory run starts after it.
    await stack.waitForRuns(storeId, 1, 600_000);

    const started = await stack.api<{ runId: string }>('POST', `/stores/${storeId}/inventory/sync?mode=apply&wait=0`);
    if (started.status !== 202 && started.status !== 200)
      throw new Error(`inventory sync answered ${started.status}: ${JSON.stringify(started.body)}`);
    const { runId } = started.body;
    const handle = stack.client.workflow.getHandle(runId);
    const summary = (await handle.result()) as { status: string; counts: Record<string, number>; applied: number; notApplied: number };
    const described = await handle.describe();
    const t0 = described.startTime.getTime();
    const t1 = described.closeTime?.getTime() ?? Date.now();
    const seconds = (t1 - t0) / 1000;
    const [row] = await stack.database.db.select().from(inventoryRuns).where(eq(inventoryRuns.id, runId));

    // Shopify's side of the run: every request of the shop between the run's start and close.
    const inRun = (time: string) => Date.parse(time) >= t0 && Date.parse(time) <= t1;
    const shopifyLog = world.shopify.admin.requests(world.shopDomain).filter((r) => inRun(r.time));
    const byOp = new Map<string, { requests: number; points: number; requested: number }>();
    for (const r of shopifyLog) {
      const key = r.operationName ?? r.rootFields.join(',');
      const e = byOp.get(key) ?? { requests: 0, points: 0, requested: 0 };
      byOp.set(key, {
        requests: e.requests + 1,
        points: e.points + (r.actualQueryCost ?? 0),
        requested: e.requested + (r.requestedQueryCost ?? 0),
      });
    }
    const points = shopifyLog.reduce((s, r) => s + (r.actualQueryCost ?? 0), 0);
    const throttled = shopifyLog.filter((r) => r.throttled).length;
    const { bucket } = world.shopify.admin.shop(world.shopDomain);
    const bound = Math.max(0, points - bucket.maximumAvailable) / bucket.restoreRate;
    const first = shopifyLog[0] ? Date.parse(shopifyLog[0].time) : t0;
    const last = shopifyLog.length ? Date.parse(shopifyLog[shopifyLog.length - 1]!.time) : t1;

    // QBO's side: every request of the realm in the run (token refreshes apart).
    const qboLog = world.qbo.admin.requestLog({ realmId: world.realmId }).filter((r) => inRun(r.time) && r.operation !== 'token');
    const qboBy = new Map<string, number>();
    for (const r of qboLog) qboBy.set(`${r.entity ?? '?'} ${r.operation}`, (qboBy.get(`${r.entity ?? '?'} ${r.operation}`) ?? 0) + 1);

    // Correctness, from the emulator's state: each stock item's available at the location equals its target, and
    // no item was changed more than once (the adjustment groups the run left, by item).
    const shop = world.shopify.admin.shop(world.shopDomain);
    const availableOf = new Map<string, number>();
    for (const { level, item } of shop.inventoryLevels.values()) {
      if (level.location?.id !== locationId) continue;
      const q = (level.quantities as Array<{ name: string; quantity: number }>).find((x) => x.name === 'available');
      availableOf.set(item.id as string, q?.quantity ?? NaN);
    }
    let wrong = 0;
    for (const [itemId, target] of stock.targets) if (availableOf.get(itemId) !== target) wrong++;
    const changesByItem = new Map<string, number>();
    for (const g of shop.inventoryAdjustmentGroups.values()) {
      if (!String(g.referenceDocumentUri ?? '').includes(encodeURIComponent(runId))) continue;
      for (const c of g.changes as Array<{ name: string; item: { id: string } }>) {
        if (c.name !== 'available') continue;
        changesByItem.set(c.item.id, (changesByItem.get(c.item.id) ?? 0) + 1);
      }
    }
    const doubled = [...changesByItem.values()].filter((n) => n > 1).length;
    const changedStock = [...changesByItem.keys()].filter((id) => stock.targets.has(id)).length;

    if (process.env.BENCH_TIMELINE) {
      const rel = (ms: number) => ((ms - t0) / 1000).toFixed(2);
      for (const r of shopifyLog) {
        console.log(
          `    shopify ${rel(Date.parse(r.time))} s ${r.operationName ?? '?'} requested ${r.requestedQueryCost} actual ${r.actualQueryCost}`,
        );
      }
      for (const r of qboLog) console.log(`    qbo ${rel(Date.parse(r.time))} s ${r.entity ?? '?'} ${r.operation}`);
      const history = await handle.fetchHistory();
      const names = new Map<string, string>();
      for (const e of history.events ?? []) {
        const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
        const s = e.activityTaskScheduledEventAttributes;
        if (s) names.set(String(e.eventId), s.activityType?.name ?? '?');
        const st = e.activityTaskStartedEventAttributes;
        if (st) console.log(`    activity ${names.get(String(st.scheduledEventId))} started ${rel(at)} s`);
        const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
        if (done) console.log(`    activity ${names.get(String(done.scheduledEventId))} ended ${rel(at)} s`);
      }
    }

    const out: Record<string, string> = {
      'items (tracked, matched by SKU)': String(items),
      'items that need a change (generated)': `${stock.changed} (${stock.raised} raised, ${stock.lowered} lowered)`,
      'run status': `${summary.status} (compared ${row?.compared ?? '?'}, raised ${summary.counts.raise}, lowered ${summary.counts.lower}, unchanged ${summary.counts.unchanged}, skipped ${summary.counts.skip})`,
      'items changed (applied, not applied)': `${summary.applied}, ${summary.notApplied}`,
      'run time (workflow start → close)': `${seconds.toFixed(1)} s`,
      'first → last Shopify request': `${((first - t0) / 1000).toFixed(1)} → ${((last - t0) / 1000).toFixed(1)} s`,
      'Shopify requests': `${shopifyLog.length} (${[...byOp].map(([k, v]) => `${k} ${v.requests}×/${v.points} pts (requested ${v.requested})`).join(', ')})`,
      'Shopify cost points used (actual)': String(points),
      'Shopify throttled answers': String(throttled),
      'bucket (plan rates)': `${bucket.maximumAvailable} points, restoring ${bucket.restoreRate}/s`,
      'minimum run time the bucket allows': `${bound.toFixed(1)} s = (${points} − ${bucket.maximumAvailable}) ÷ ${bucket.restoreRate}`,
      'bound / measured': `${(bound / seconds).toFixed(3)}   (target ≥ 0.8)`,
      'QBO calls': `${qboLog.length} (${[...qboBy].map(([k, v]) => `${k} ${v}`).join(', ')}; QBO minute = ${(60 / scale).toFixed(1)} s)`,
      'items whose available ≠ target afterwards': `${wrong} of ${stock.targets.size}`,
      'items changed by the run (stock items)': String(changedStock),
      'items changed twice': String(doubled),
    };
    console.log(`\ninventory: ${items} tracked items, ${changeShare * 100} % to change, Shopify bucket real (not time-scaled)`);
    const width = Math.max(...Object.keys(out).map((k) => k.length));
    for (const [k, v] of Object.entries(out)) console.log(`  ${k.padEnd(width)}  ${v}`);
    if (summary.status !== 'completed' || wrong > 0 || doubled > 0) process.exitCode = 1;
  } finally {
    await stack.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
