/**
 * The inventory run's activities (contract: workflows/contracts.ts InventoryActivities; orchestration:
 * workflows/inventory.ts; decisions: domain/inventory; docs/inventory.md). Reads QBO's quantities on hand and
 * Shopify's levels at the mapped location, records the diff, and writes Shopify's `available` with
 * compare-and-set and an idempotency key, so a retried activity replays Shopify's first answer instead of
 * writing twice, and a sale racing the run is re-read instead of overwritten. Nothing here writes to QBO.
 */
import { getStore } from '../../db/queries';
import {
  beginInventoryRun,
  countAppliedInventoryChanges,
  getInventoryRun,
  listPendingInventoryChanges,
  markInventoryChange,
  replaceInventoryChanges,
  updateInventoryRun,
  type InventoryChangeRow,
} from '../../db/queries/inventory';
import { inventoryIdempotencyKey, inventoryTarget, planInventoryRun, type InventoryBreaker } from '../../domain/inventory';
import { stableHashHex } from '../../domain/hash';
import { inventorySettingsOf } from '../../domain/settings';
import { INVENTORY_SET_QUANTITIES, SET_QUANTITIES_MAX } from '../../integrations/shopify/queries/inventory';
import type { ShopifyClient } from '../../integrations/shopify/client';
import type { InventoryActivities, InventoryApplied, InventoryRunStatus } from '../../workflows/contracts';
import type { ActivityDeps } from '../deps';
import { guardedStep, heartbeat } from '../heartbeat';
import { loadStoreContext } from '../sync/context';
import type { SyncActivityOptions } from '../sync';
import { readLevels, readQboItems, readShopifyItems, readUnbookedSold } from './read';

/** A stale compare re-reads the item and tries again this many times; an item still moving is left to the next run. */
export const STALE_RETRIES = 3;

/** The `referenceDocumentUri` Shopify keeps with each change: the run, in the merchant's inventory history. */
export const runDocumentUri = (runId: string): string => `gid://ledgerline/InventoryRun/${encodeURIComponent(runId)}`;

interface Entry {
  row: InventoryChangeRow;
  from: number;
  to: number;
}

interface UserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

interface SetAnswer {
  inventorySetQuantities: {
    inventoryAdjustmentGroup: {
      id: string;
      changes: Array<{ name: string; quantityAfterChange: number | null; item: { id: string } }>;
    } | null;
    userErrors: UserError[];
  };
}

/** The index of the quantity a user error names (`input.quantities.<i>…`), if it names one. */
function entryIndex(err: UserError): number | null {
  const at = err.field ?? [];
  const i = at.indexOf('quantities');
  if (i < 0 || at[i + 1] === undefined) return null;
  const n = Number(at[i + 1]);
  return Number.isInteger(n) ? n : null;
}

/** One key for one call: the items' own keys (store, item, location, run, from, to) hashed together. */
function batchKey(storeId: string, locationId: string, runId: string, entries: Entry[]): string {
  const keys = entries.map((e) => inventoryIdempotencyKey(storeId, e.row.inventoryItemId!, locationId, { runId, from: e.from, to: e.to }));
  return `ledgerline-inv-${entries.length}-${stableHashHex(JSON.stringify(keys))}`;
}

export function createInventoryActivities(deps: ActivityDeps, { pacer, limiter }: SyncActivityOptions): InventoryActivities {
  const { db, log } = deps;

  const guarded = <T>(storeId: string, body: () => Promise<T>): Promise<T> => guardedStep(deps, storeId, body);

  /** Writes one batch (≤ 250), re-reading stale items a bounded number of times. */
  async function writeBatch(
    shopify: ShopifyClient,
    storeId: string,
    runId: string,
    locationId: string,
    batch: Entry[],
    tally: InventoryApplied,
    bookedSince: Date,
  ): Promise<void> {
    let entries = batch;
    for (let attempt = 0; entries.length > 0; attempt++) {
      const input = {
        name: 'available',
        reason: 'correction',
        referenceDocumentUri: runDocumentUri(runId),
        quantities: entries.map((e) => ({
          inventoryItemId: e.row.inventoryItemId,
          locationId,
          quantity: e.to,
          changeFromQuantity: e.from,
        })),
      };
      const data = await shopify.request<SetAnswer>(INVENTORY_SET_QUANTITIES, {
        input,
        key: batchKey(storeId, locationId, runId, entries),
      });
      heartbeat({ written: tally.applied });
      const answer = data.inventorySetQuantities;
      const now = deps.clock();
      if (answer.userErrors.length === 0) {
        const after = new Map(
          (answer.inventoryAdjustmentGroup?.changes ?? [])
            .filter((c) => c.name === 'available')
            .map((c) => [c.item.id, c.quantityAfterChange]),
        );
        for (const e of entries) {
          await markInventoryChange(db, {
            runId,
            seq: e.row.seq,
            applied: true,
            after: after.get(e.row.inventoryItemId!) ?? e.to,
            target: e.to,
            at: now,
          });
        }
        tally.applied += entries.length;
        return;
      }
      // Shopify applies all quantities or none: each entry named by an error is taken out; the rest are sent again.
      const stale = new Set<number>();
      const refused = new Map<number, string>();
      for (const err of answer.userErrors) {
        const i = entryIndex(err);
        if (i === null || i >= entries.length) {
          throw new Error(`Shopify refused the inventory write for run ${runId}: ${err.code ?? ''} ${err.message}`);
        }
        if (err.code === 'CHANGE_FROM_QUANTITY_STALE') stale.add(i);
        else refused.set(i, `${err.code ?? 'refused'}: ${err.message}`);
      }
      for (const [i, message] of refused) {
        const e = entries[i]!;
        await markInventoryChange(db, {
          runId,
          seq: e.row.seq,
          applied: false,
          after: e.from,
          reason: `Shopify refused the write: ${message}`,
          at: now,
        });
        tally.notApplied += 1;
      }
      const keep = entries.filter((_e, i) => !stale.has(i) && !refused.has(i));
      const moved = entries.filter((_e, i) => stale.has(i));
      if (moved.length === 0) {
        entries = keep;
        continue;
      }
      if (attempt >= STALE_RETRIES) {
        for (const e of moved) {
          await markInventoryChange(db, {
            runId,
            seq: e.row.seq,
            applied: false,
            after: null,
            reason: `Shopify's available kept changing while the run wrote (${STALE_RETRIES + 1} compares were stale): left to the next run`,
            at: now,
          });
        }
        tally.notApplied += moved.length;
        entries = keep;
        continue;
      }
      // Stock moved since the read (a sale, a person): read the item again, and the unbooked sales with it, and recompute.
      tally.staleRereads += moved.length;
      const levels = await readLevels(
        shopify,
        locationId,
        moved.map((e) => e.row.inventoryItemId!),
      );
      const unbooked = await readUnbookedSold(db, shopify, storeId, { bookedSince });
      const again: Entry[] = [];
      for (const e of moved) {
        const level = levels.get(e.row.inventoryItemId!);
        const sold = unbooked[e.row.inventoryItemId!] ?? 0;
        const qty = e.row.qboQty === null ? null : Number(e.row.qboQty);
        if (!level || level.available === null) {
          await markInventoryChange(db, {
            runId,
            seq: e.row.seq,
            applied: false,
            after: null,
            reason: 'the item is no longer stocked at the location',
            at: now,
          });
          tally.notApplied += 1;
          continue;
        }
        const target = inventoryTarget({ qboQtyOnHand: qty, unavailable: level.unavailable, unbookedSold: sold });
        const reason = `re-read after a stale compare: QBO on hand ${e.row.qboQty} − Shopify unavailable ${level.unavailable} − sold in Shopify, not yet in QBO ${sold}`;
        if (!target.ok) {
          await markInventoryChange(db, {
            runId,
            seq: e.row.seq,
            applied: false,
            after: level.available,
            reason: `${reason}: ${target.reason}`,
            at: now,
          });
          tally.notApplied += 1;
        } else if (target.available === level.available) {
          await markInventoryChange(db, {
            runId,
            seq: e.row.seq,
            applied: false,
            after: level.available,
            target: target.available,
            reason: `${reason} → available ${target.available}, which Shopify already holds`,
            at: now,
          });
          tally.notApplied += 1;
        } else {
          await markInventoryChange(db, {
            runId,
            seq: e.row.seq,
            applied: false,
            after: null,
            target: target.available,
            reason: `${reason} → available ${target.available} (was ${level.available})`,
            at: now,
          });
          again.push({ row: e.row, from: level.available, to: target.available });
        }
      }
      entries = [...keep, ...again];
    }
  }

  /**
   * Sales booked from this instant on count as unbooked for the run (read.ts readUnbookedSold): the run's start, which
   * precedes its QBO item read. The ledger and the run are stamped by the workers' clocks, which NTP keeps within
   * milliseconds of each other; a sale booked between the start and the read is counted twice, holding back its units
   * until the next run (the safe side).
   */
  const bookedSince = (run: { startedAt: Date }): Date => run.startedAt;

  async function summary(storeId: string, runId: string) {
    const run = await getInventoryRun(db, { storeId, runId });
    if (!run) throw new Error(`inventory run ${runId} of store ${storeId} is not recorded`);
    return run;
  }

  return {
    async inventoryBegin({ storeId, runId, trigger, mode }) {
      const store = await getStore(db, { storeId });
      if (!store) return { runId, mode: mode ?? 'preview', blocked: `store ${storeId} no longer exists` };
      const inv = inventorySettingsOf(store.settings);
      const chosen = mode ?? (inv.mode === 'apply' ? 'apply' : 'preview');
      await beginInventoryRun(db, { id: runId, storeId, mode: chosen, trigger, locationId: inv.locationId ?? null, at: deps.clock() });
      let blocked: string | undefined;
      if (store.state !== 'active') blocked = `store is ${store.state}`;
      else if (trigger === 'scheduled' && inv.mode === 'off') blocked = 'inventory is off for this store';
      else if (!inv.locationId) blocked = 'no Shopify location is set (inventory.locationId)';
      else if (chosen === 'apply' && inv.mode !== 'apply') blocked = `inventory.mode is "${inv.mode}": only "apply" writes to Shopify`;
      return blocked ? { runId, mode: chosen, blocked } : { runId, mode: chosen };
    },

    async inventoryPlan({ storeId, runId }) {
      return guarded(storeId, async () => {
        const ctx = await loadStoreContext(deps, storeId, { pacer, limiter });
        const run = await summary(storeId, runId);
        const inv = inventorySettingsOf(ctx.settings);
        const locationId = run.locationId ?? inv.locationId!;
        const qboItems = await readQboItems(ctx.qbo);
        heartbeat({ qboItems: qboItems.length });
        const shopifyItems = await readShopifyItems(ctx.shopify, locationId);
        const unbookedSold = await readUnbookedSold(db, ctx.shopify, storeId, { bookedSince: bookedSince(run) });
        const plan = planInventoryRun(
          { qboItems, shopifyItems, unbookedSold },
          { productMatch: ctx.settings.productMatch, maxLowerShare: inv.maxLowerShare },
        );
        const byItem = new Map(shopifyItems.map((s) => [s.inventoryItemId, s]));
        await replaceInventoryChanges(db, {
          runId,
          storeId,
          rows: plan.rows.map((r) => ({
            qboItemId: r.qboItemId,
            name: r.name,
            sku: r.sku,
            inventoryItemId: r.shopifyInventoryItemId,
            qboQty: r.qboQtyOnHand === null ? null : String(r.qboQtyOnHand),
            shopifyBefore: r.shopifyBefore,
            shopifyUnavailable: r.shopifyInventoryItemId ? (byItem.get(r.shopifyInventoryItemId)?.unavailable ?? null) : null,
            unbookedSold: r.shopifyInventoryItemId ? (unbookedSold[r.shopifyInventoryItemId] ?? 0) : null,
            target: r.target,
            after: r.action === 'unchanged' ? r.shopifyBefore : null,
            action: r.action,
            skipCode: r.skip,
            reason: r.reason,
          })),
        });
        await updateInventoryRun(db, {
          runId,
          set: {
            compared: plan.counts.raise + plan.counts.lower + plan.counts.unchanged,
            raised: plan.counts.raise,
            lowered: plan.counts.lower,
            unchanged: plan.counts.unchanged,
            skipped: plan.counts.skip,
            breaker: plan.breaker as unknown as Record<string, unknown> | null,
            breakerReason: plan.breaker?.reasons.join(',') ?? null,
            note: plan.breaker?.message ?? null,
          },
        });
        ctx.log.info({ runId, verdict: plan.verdict, counts: plan.counts, breaker: plan.breaker?.reasons }, 'inventory run planned');
        return { verdict: plan.verdict, counts: plan.counts, breaker: plan.breaker, changes: plan.changes.length };
      });
    },

    async inventoryApply({ storeId, runId }) {
      return guarded(storeId, async () => {
        const ctx = await loadStoreContext(deps, storeId, { pacer, limiter });
        const run = await summary(storeId, runId);
        const locationId = run.locationId!;
        const pending = await listPendingInventoryChanges(db, { runId });
        const entries: Entry[] = pending
          .filter((r) => r.inventoryItemId !== null && r.shopifyBefore !== null && r.target !== null)
          .map((row) => ({ row, from: row.shopifyBefore!, to: row.target! }));
        const tally: InventoryApplied = { applied: 0, notApplied: 0, staleRereads: 0 };
        for (let i = 0; i < entries.length; i += SET_QUANTITIES_MAX) {
          await writeBatch(ctx.shopify, storeId, runId, locationId, entries.slice(i, i + SET_QUANTITIES_MAX), tally, bookedSince(run));
        }
        ctx.log.info({ runId, ...tally }, 'inventory run written');
        return tally;
      });
    },

    async inventoryRecord({ storeId, runId, status, confirmed, note }) {
      await summary(storeId, runId);
      await updateInventoryRun(db, {
        runId,
        set: { status, ...(confirmed ? { confirmedAt: deps.clock() } : {}), ...(note !== undefined ? { note } : {}) },
      });
    },

    async inventoryFinish({ storeId, runId, status, note }) {
      const store = await getStore(db, { storeId });
      const existing = store ? await getInventoryRun(db, { storeId, runId }) : undefined;
      if (!existing) {
        return {
          runId,
          storeId,
          mode: 'preview',
          trigger: 'manual',
          status,
          verdict: null,
          counts: { raise: 0, lower: 0, unchanged: 0, skip: 0 },
          breaker: null,
          applied: 0,
          notApplied: 0,
          note: note ?? null,
        };
      }
      const { applied, pending } = await countAppliedInventoryChanges(db, { runId });
      const notApplied = status === 'completed' ? Math.max(0, existing.raised + existing.lowered - applied) : 0;
      await updateInventoryRun(db, {
        runId,
        set: { status, applied, notApplied, finishedAt: deps.clock(), ...(note !== undefined ? { note } : {}) },
      });
      const run = await summary(storeId, runId);
      const breaker = (run.breaker as unknown as InventoryBreaker | null) ?? null;
      const verdict =
        status === 'blocked'
          ? null
          : breaker && !run.confirmedAt
            ? 'needs_confirmation'
            : run.raised + run.lowered === 0
              ? 'nothing_to_do'
              : 'apply';
      log.info({ storeId, runId, status, applied, pending }, 'inventory run finished');
      return {
        runId,
        storeId,
        mode: run.mode as 'preview' | 'apply',
        trigger: run.trigger as 'scheduled' | 'manual',
        status: run.status as InventoryRunStatus,
        verdict,
        counts: { raise: run.raised, lower: run.lowered, unchanged: run.unchanged, skip: run.skipped },
        breaker,
        applied,
        notApplied,
        note: run.note,
      };
    },
  };
}
