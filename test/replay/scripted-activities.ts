/**
 * Deterministic activities for recording workflow histories (scripts/record-histories.ts): every
 * answer follows from the input and a script the recorder sets per store, and failures are the
 * project's typed errors, so the worker's interceptor (temporal/interceptors.ts) turns them into the
 * same ApplicationFailures production writes into history. Typed by the real activity contract.
 */
import type { Activities, KeepAliveResult, SyncCounts, UndoInput, UndoItem, UndoResult } from '../../workflows/contracts';
import type { SyncRunSummary } from '../../workflows/definitions';
import { webhookRunMayBookOnly } from '../../domain/sync/window';
import { InvalidInputError, QboConnectionRevokedError, StoreBusyError, TransientUpstreamError } from '../../domain/errors';
import { scriptedAuditActivities, type AuditScript } from '../support/audit-activities';
import { type PayoutCalls, type PayoutScript, scriptedPayoutActivities } from './scripted-payouts';
import { scriptedInventoryActivities, type InventoryScript } from '../support/inventory-activities';

/** What the next `syncOrdersPage` of a store does instead of answering. */
export type PageFailure = 'transient-once' | 'invalid-input' | 'connection-revoked';

export interface ActivityScript {
  /** Makes the store's next page fail (consumed once). */
  failNextPage(storeId: string, failure: PageFailure): void;
  /** The fleet the keep-alive workflow sees, and each store's refresh outcome. */
  setFleet(stores: Array<{ storeId: string; shopDomain: string; outcome: 'ok' | 'failing' | 'revoked' }>): void;
  /** The nightly audit's doubles (test/support/audit-activities.ts). */
  audit: AuditScript;
  /** The payout sagas' and discovery's answers (./scripted-payouts.ts); unscripted ones are idle (payouts off). */
  payouts: PayoutScript & PayoutCalls;
  /** The inventory runs' doubles (test/support/inventory-activities.ts). */
  inventory: InventoryScript;
  /** The undo's double: a store whose write lease a sync holds for the undo's first `attempts` attempts. */
  undo: { busy(storeId: string, attempts: number): void; attempts(storeId: string): number };
}

const counts = (n: number): SyncCounts => ({ fetched: n, synced: n, unchanged: 0, parked: 0, skipped: 0, failed: 0 });

/** Pages per page-mode run; orders a bulk resync's first slice reports (two chunks of 1000, two lanes). */
export const PAGES_PER_RUN = 2;
export const BULK_OBJECTS = 1500;

const undoItem = (
  sourceKey: string,
  role: string,
  sourceName: string,
  qboType: string,
  qboId: string,
  totalMinor: number,
  outcome: UndoItem['outcome'],
  code: string | null = null,
  reason: string | null = null,
): UndoItem => ({
  sourceKey,
  role,
  sourceName,
  qboType,
  qboId,
  qboDocNumber: sourceName,
  totalMinor,
  outcome,
  code,
  reason,
});

/**
 * What undoApply answers for a window: per kind, the documents Ledgerline booked for three orders (an invoice with
 * its Payment, which QBO refuses to delete as a Deposit links it, so the invoice stays too; a sales receipt deleted; one
 * QBO no longer holds: gone) or for one refund (deleted), in the undo's order (refunds and Payments before their sale).
 */
function undoResult(input: UndoInput): UndoResult {
  const items: UndoItem[] = [];
  if (input.kinds.includes('refunds'))
    items.push(undoItem('gid://shopify/Refund/9101', 'refund', '#1042-R1', 'RefundReceipt', '301', 1_500, 'deleted'));
  if (input.kinds.includes('orders'))
    items.push(
      undoItem(
        'gid://shopify/Order/1041',
        'payment',
        '#1041',
        'Payment',
        '212',
        4_250,
        'refused',
        'qbo_refused',
        'A Deposit in QBO links this Payment (scripted)',
      ),
      undoItem(
        'gid://shopify/Order/1041',
        'sale',
        '#1041',
        'Invoice',
        '211',
        4_250,
        'refused',
        'dependent_kept',
        'Its Payment or a refund stays in QBO (see those rows), so the sale stays too',
      ),
      undoItem('gid://shopify/Order/1042', 'sale', '#1042', 'SalesReceipt', '213', 2_999, 'deleted'),
      undoItem('gid://shopify/Order/1043', 'sale', '#1043', 'SalesReceipt', '214', 1_250, 'gone'),
    );
  const count = (o: UndoItem['outcome']) => items.filter((i) => i.outcome === o).length;
  return {
    undoId: input.undoId,
    from: input.from,
    to: input.to,
    kinds: input.kinds,
    deleted: count('deleted'),
    gone: count('gone'),
    refused: count('refused'),
    skipped: count('skipped'),
    items,
    finishedAt: new Date().toISOString(),
  };
}

export function scriptedActivities(): { activities: Activities; script: ActivityScript } {
  const cursors = new Map<string, string>();
  /** When each store's last run of a trigger other than webhook began (activities/sync: lastFullRunStartedAt). */
  const fullRunAt = new Map<string, Date>();
  const pageFailures = new Map<string, PageFailure>();
  const polled = new Set<string>();
  let fleet: Array<{ storeId: string; shopDomain: string; outcome: 'ok' | 'failing' | 'revoked' }> = [];
  let bulkSeq = 0;
  const audit = scriptedAuditActivities();
  const payouts = scriptedPayoutActivities();
  const inventory = scriptedInventoryActivities();
  const undoBusy = new Map<string, number>();
  const undoAttempts = new Map<string, number>();

  const activities: Activities = {
    ...audit.activities,
    ...payouts.activities,
    ...inventory.activities,
    async undoApply(input) {
      const tries = (undoAttempts.get(input.storeId) ?? 0) + 1;
      undoAttempts.set(input.storeId, tries);
      const busy = undoBusy.get(input.storeId) ?? 0;
      if (busy > 0) {
        undoBusy.set(input.storeId, busy - 1);
        // As activities/sync/lease.ts answers while a sync run holds the lease (retried after retryAfterMs).
        throw new StoreBusyError(input.storeId, `store:${input.storeId}:sync:scripted`, 1_000);
      }
      return undoResult(input);
    },
    async syncRunBegin(input) {
      // A resync reads its window through Shopify bulk operations (as a long history window does),
      // so the recorded histories cover both of the sync run's paths.
      const bulk = input.trigger === 'resync';
      // A webhook run only books after a recent run of another trigger, as activities/sync decides it (the same pure
      // rule, an hourly interval), so recorded webhook runs take the book-only path too.
      const now = new Date();
      const bookOnly =
        input.trigger === 'webhook'
          ? webhookRunMayBookOnly({ lastFullRunStartedAt: fullRunAt.get(input.storeId) ?? null, intervalMinutes: 60, now })
          : undefined;
      if (input.trigger !== 'webhook') fullRunAt.set(input.storeId, now);
      return {
        ...(bookOnly === undefined ? {} : { bookOnly }),
        runId: input.workflowId,
        windowFrom: input.window?.from ?? cursors.get(input.storeId) ?? null,
        windowTo: input.window?.to ?? new Date().toISOString(),
        mode: bulk ? 'bulk' : 'page',
        advanceCursor: !bulk,
      };
    },
    async syncOrdersPage(input) {
      const failure = pageFailures.get(input.storeId);
      if (failure) {
        pageFailures.delete(input.storeId);
        if (failure === 'transient-once') throw new TransientUpstreamError('Shopify answered HTTP 503 (scripted)');
        if (failure === 'invalid-input') throw new InvalidInputError('order 1001 has a malformed amount (scripted)');
        throw new QboConnectionRevokedError();
      }
      const page = Number(input.after ?? '0') + 1;
      const more = page < PAGES_PER_RUN;
      return { ...counts(3), hasNextPage: more, endCursor: more ? String(page) : null };
    },
    async shopifyPlanBulkSlices(input) {
      const to = input.windowTo;
      const mid = input.windowFrom ? new Date((Date.parse(input.windowFrom) + Date.parse(to)) / 2).toISOString() : to;
      return [
        { from: input.windowFrom, to: mid },
        { from: mid, to },
      ];
    },
    async shopifyStartOrdersBulk() {
      return { bulkId: `gid://shopify/BulkOperation/${++bulkSeq}` };
    },
    async shopifyAwaitBulk(input) {
      // The first check of each operation finds it still running: a retried poll, as in production.
      if (!polled.has(input.bulkId)) {
        polled.add(input.bulkId);
        throw new TransientUpstreamError('bulk operation still RUNNING (scripted)');
      }
      const first = Number(input.bulkId.split('/').pop()) % 2 === 1;
      return first ? { hasResult: true, objectCount: BULK_OBJECTS } : { hasResult: false, objectCount: 0 };
    },
    async syncOrdersFromBulk(input) {
      const limit = input.limit ?? 1000;
      const n = Math.max(0, Math.min(limit, BULK_OBJECTS - input.offset));
      return { ...counts(n), nextOffset: input.offset + n, done: n < limit };
    },
    async syncRetryParked() {
      return counts(0);
    },
    async syncRunFinish(input): Promise<SyncRunSummary> {
      if (input.advanceCursor) cursors.set(input.storeId, input.windowTo);
      return {
        runId: input.runId,
        trigger: input.trigger,
        windowFrom: input.windowFrom,
        windowTo: input.windowTo,
        ...input.counts,
        startedAt: input.startedAt,
        finishedAt: new Date().toISOString(),
      };
    },
    async syncRunFail() {},
    async storesListConnected() {
      return fleet.map(({ storeId, shopDomain }) => ({ storeId, shopDomain }));
    },
    async qboKeepAlive(input): Promise<KeepAliveResult> {
      const s = fleet.find((f) => f.storeId === input.storeId);
      if (!s) throw new InvalidInputError(`unknown store ${input.storeId}`);
      if (s.outcome === 'ok') return { storeId: s.storeId, shopDomain: s.shopDomain, ok: true, disconnected: false };
      if (s.outcome === 'failing')
        return {
          storeId: s.storeId,
          shopDomain: s.shopDomain,
          ok: false,
          disconnected: false,
          error: 'QBO token endpoint answered HTTP 503 (scripted)',
        };
      return { storeId: s.storeId, shopDomain: s.shopDomain, ok: false, disconnected: true, error: 'invalid_grant (scripted)' };
    },
    async storeMarkDisconnected() {},
  };

  return {
    activities,
    script: {
      failNextPage: (storeId, failure) => void pageFailures.set(storeId, failure),
      setFleet: (stores) => {
        fleet = stores;
      },
      audit: audit.script,
      payouts: { ...payouts.script, calls: payouts.record.calls },
      inventory: inventory.script,
      undo: {
        busy: (storeId, attempts) => void undoBusy.set(storeId, attempts),
        attempts: (storeId) => undoAttempts.get(storeId) ?? 0,
      },
    },
  };
}
