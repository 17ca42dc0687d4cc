/**
 * The sales-sync activities (contract: workflows/contracts.ts SyncActivities; orchestration:
 * workflows/sync-run.ts). Each is idempotent: a retried or re-run activity reads the ledger and
 * QBO before writing, so Temporal may repeat any of them (retries, resets, worker crashes).
 */
import { Context } from '@temporalio/activity';
import {
  completeSyncRun,
  disconnectStore,
  failSyncRun,
  getStore,
  lastFullRunStartedAt,
  listRetryableParents,
  listRetryableRows,
  markChildrenGone,
  markSourcesGone,
  startSyncRun,
} from '../../db/queries';
import { BulkNotReadyError, BulkOperationFailedError, QboConnectionRevokedError, StoreNotFoundError } from '../../domain/errors';
import { parseSourceKey } from '../../domain/ledger';
import { giveUpWriteLease, takeWriteLease } from './lease';
import type { ShopifyOrderCore, ShopifyRefund } from '../../domain/shopify/types';
import {
  heldCodesToRetry,
  HELD_STATUS,
  planRunWindow,
  planSlices,
  REFUND_ROLE,
  RETRYABLE_PARK_CODES,
  RETRYABLE_REFUND_CODES,
  webhookRunMayBookOnly,
  windowSearch,
} from '../../domain/sync';
import { parseSettings } from '../../domain/settings';
import { ORDER_PAGE_LIMITS, SINGLE_ORDER_LIMITS, truncatedLists } from '../../domain/shopify/limits';
import type { QboLimiter } from '../../integrations/qbo/limiter';
import type { ShopifyPacer } from '../../integrations/shopify/pacer';
import {
  ORDER_BY_ID,
  ORDER_LINE_ITEMS_PAGE,
  ORDERS_BY_IDS,
  ORDERS_UPDATED_SINCE,
  ordersBulkQuery,
  REFUND_BY_ID,
} from '../../integrations/shopify/queries/orders';
import type { ShopifyClient } from '../../integrations/shopify/client';
import type { ActivityDeps } from '../deps';
import { BULK_CHUNK_ORDERS, type SyncActivities, type SyncCounts } from '../../workflows/contracts';
import { loadStoreContext, type StoreContext } from './context';
import { processOrders, zeroCounts } from './orders';
import { processRefunds, startRefundReads } from './refunds';
import { heartbeat } from '../heartbeat';

/** Orders one page activity collects (several 3-order Shopify pages) before writing them. */
export const PAGE_TARGET_ORDERS = 30;
/** Parked orders re-tried per run (mapping may exist now, QBO may accept now). */
export const PARKED_RETRY_LIMIT = 60;
const HEARTBEAT_EVERY_MS = 5_000;

/** The attempt's cancellation signal (outside an activity, e.g. tests calling directly: none). */
function attemptSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

export interface SyncActivityOptions {
  /** One pacer per process: it models each shop's cost bucket (integrations/shopify/pacer.ts). */
  pacer: ShopifyPacer;
  /** One limiter per process; its windows live in PostgreSQL, shared by every worker. */
  limiter: QboLimiter;
}

export function createSyncActivities(deps: ActivityDeps, { pacer, limiter }: SyncActivityOptions): SyncActivities {
  const { db, log } = deps;

  const context = (storeId: string) => loadStoreContext(deps, storeId, { pacer, limiter });

  /**
   * Runs the body with a heartbeat every few seconds (a dead worker is noticed within the heartbeat
   * timeout; a live one may wait a whole QBO rate window). A revoked QBO grant marks the store
   * disconnected before the failure propagates.
   */
  async function guarded<T>(storeId: string, body: () => Promise<T>, opts: { writes?: boolean } = {}): Promise<T> {
    // Writers hold the store's lease (activities/sync/lease.ts) for as long as they heartbeat.
    const lease = opts.writes ? await takeWriteLease(db, storeId, deps.clock) : undefined;
    let renewing = false;
    const timer = setInterval(() => {
      heartbeat();
      if (!lease || renewing) return;
      renewing = true;
      lease
        .renew()
        .then((held) => {
          if (!held) log.warn({ storeId }, 'the store write lease lapsed and another run took it');
        })
        .catch((err: unknown) => log.warn({ storeId, err }, 'renewing the store write lease failed'))
        .finally(() => {
          renewing = false;
        });
    }, HEARTBEAT_EVERY_MS);
    try {
      return await body();
    } catch (err) {
      if (err instanceof QboConnectionRevokedError) {
        await disconnectStore(db, { storeId, reason: err.message, at: deps.clock() });
      }
      throw err;
    } finally {
      clearInterval(timer);
    }
  }

  /** Sales first, then the refunds of the same orders (a refund waits for its sale's document). */
  const write = async (ctx: StoreContext, read: ReadOrders): Promise<SyncCounts> => {
    const orderCtx = {
      db,
      log: ctx.log,
      clock: deps.clock,
      storeId: ctx.storeId,
      settings: ctx.settings,
      timeZone: ctx.timeZone,
      qbo: ctx.qbo,
      company: await ctx.company(),
      heartbeat,
      signal: attemptSignal(),
    };
    const refundCtx = { ...orderCtx, readRefund: (id: string) => readRefund(ctx.shopify, id) };
    // Refund details are read from Shopify while the sales go to QBO (each side has its own rate limit).
    const reads = await startRefundReads(refundCtx, read.orders);
    try {
      const counts = await processOrders(orderCtx, read.orders, read.unreadable);
      await processRefunds(refundCtx, read.orders, counts, reads);
      return counts;
    } finally {
      reads.stop();
    }
  };

  return {
    async syncRunBegin(input) {
      const store = await getStore(db, { storeId: input.storeId });
      if (!store) throw new StoreNotFoundError(input.storeId);
      const now = deps.clock();
      const runId = input.workflowId;
      const { windowFrom, windowTo, mode, advanceCursor, blocked } = planRunWindow(store, input.window, now);
      // Read before this run's own row exists (a webhook run is never a full run anyway).
      const bookOnly =
        input.trigger === 'webhook'
          ? webhookRunMayBookOnly({
              lastFullRunStartedAt: await lastFullRunStartedAt(db, { storeId: store.id }),
              intervalMinutes: parseSettings(store.settings).syncIntervalMinutes,
              now,
            })
          : undefined;
      await startSyncRun(db, {
        runId,
        storeId: store.id,
        workflowId: input.workflowId,
        trigger: input.trigger,
        windowFrom: new Date(windowFrom),
        windowTo: new Date(windowTo),
        at: now,
        blocked,
      });
      log.info(
        { storeId: store.id, runId, mode, windowFrom, windowTo, trigger: input.trigger, ...(bookOnly ? { bookOnly } : {}) },
        blocked ? 'sync run blocked' : 'sync run started',
      );
      return {
        runId,
        windowFrom,
        windowTo,
        mode,
        advanceCursor,
        ...(blocked ? { blocked } : {}),
        ...(bookOnly === undefined ? {} : { bookOnly }),
      };
    },

    async syncOrdersPage(input) {
      return guarded(
        input.storeId,
        async () => {
          const ctx = await context(input.storeId);
          const search = windowSearch(input.windowFrom, input.windowTo);
          const orders: ShopifyOrderCore[] = [];
          let after = input.after;
          let hasNextPage = true;
          while (hasNextPage && orders.length < PAGE_TARGET_ORDERS) {
            const data = await ctx.shopify.request<{
              orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ShopifyOrderCore[] };
            }>(ORDERS_UPDATED_SINCE, { query: search, after });
            orders.push(...data.orders.nodes);
            hasNextPage = data.orders.pageInfo.hasNextPage;
            after = data.orders.pageInfo.endCursor ?? after;
            heartbeat({ after });
          }
          const counts = await write(ctx, await completeOrders(ctx.shopify, orders));
          return { ...counts, hasNextPage, endCursor: after };
        },
        { writes: true },
      );
    },

    async shopifyPlanBulkSlices(input) {
      return guarded(input.storeId, async () => {
        const ctx = await context(input.storeId);
        const data = await ctx.shopify.request<{ orders: { nodes: Array<{ updatedAt: string }> } }>(
          'query LedgerlineOldestOrder($query: String!) { orders(first: 1, sortKey: UPDATED_AT, query: $query) { nodes { updatedAt } } }',
          { query: windowSearch(input.windowFrom, input.windowTo) },
          { estimatedCost: 3 },
        );
        const oldest = data.orders.nodes[0]?.updatedAt;
        return planSlices(input.windowFrom, input.windowTo, oldest ?? null);
      });
    },

    async shopifyStartOrdersBulk(input) {
      return guarded(input.storeId, async () => {
        const ctx = await context(input.storeId);
        const query = ordersBulkQuery(windowSearch(input.windowFrom, input.windowTo));
        // A retried start after a lost answer: the operation we started is the current one.
        const current = await ctx.shopify.request<{ currentBulkOperation: { id: string; status: string; query: string } | null }>(
          'query LedgerlineCurrentBulk { currentBulkOperation(type: QUERY) { id status query } }',
          {},
          { estimatedCost: 1 },
        );
        const op = current.currentBulkOperation;
        if (op && op.query === query && ['CREATED', 'RUNNING', 'COMPLETED'].includes(op.status)) return { bulkId: op.id };
        const started = await ctx.shopify.startBulkQuery(query);
        log.info({ storeId: input.storeId, bulkId: started.id }, 'shopify bulk operation started');
        return { bulkId: started.id };
      });
    },

    async shopifyAwaitBulk(input) {
      const ctx = await context(input.storeId);
      const op = await ctx.shopify.bulkStatus(input.bulkId);
      if (!op) throw new BulkOperationFailedError(`Shopify has no bulk operation ${input.bulkId}`);
      if (op.status === 'COMPLETED') return { hasResult: op.url !== null, objectCount: op.rootObjectCount };
      if (op.status === 'CREATED' || op.status === 'RUNNING') throw new BulkNotReadyError(op.status);
      throw new BulkOperationFailedError(`Shopify bulk operation ${op.id} ended ${op.status}${op.errorCode ? ` (${op.errorCode})` : ''}`);
    },

    async syncOrdersFromBulk(input) {
      return guarded(
        input.storeId,
        async () => {
          const ctx = await context(input.storeId);
          // The result URL is signed (read access to the shop's orders for days): asked for here, never
          // carried through workflow history.
          const op = await ctx.shopify.bulkStatus(input.bulkId);
          if (!op?.url)
            throw new BulkOperationFailedError(
              `Shopify bulk operation ${input.bulkId} has no result file (status ${op?.status ?? 'unknown'})`,
            );
          const orders: ShopifyOrderCore[] = [];
          const limit = input.limit ?? BULK_CHUNK_ORDERS;
          // The inner query places child rows that carry no gid (shipping lines, discount applications).
          const query = ordersBulkQuery(windowSearch(input.windowFrom, input.windowTo));
          for await (const order of ctx.shopify.readBulkJsonl<ShopifyOrderCore>(op.url, { offset: input.offset, limit, query })) {
            orders.push(order);
          }
          heartbeat({ offset: input.offset, read: orders.length });
          // Bulk results hold every nested row (no `first`), so nothing needs completing.
          const counts = await write(ctx, { orders, unreadable: new Map() });
          return { ...counts, nextOffset: input.offset + orders.length, done: orders.length < limit };
        },
        { writes: true },
      );
    },

    async syncRetryParked(input) {
      return guarded(
        input.storeId,
        async () => {
          // Held sales (docs/review.md): approved ones, and with `posting: auto` every held one, are posted now.
          // Read as saved: a store saved before the setting existed has none (automatic posting).
          const posting = (await getStore(db, { storeId: input.storeId }))?.settings.posting;
          const keys = await listRetryableRows(db, {
            storeId: input.storeId,
            role: 'sale',
            statuses: ['parked', 'failed', HELD_STATUS],
            reasonCodes: [...RETRYABLE_PARK_CODES, ...heldCodesToRetry(posting)],
            before: new Date(input.before),
            limit: PARKED_RETRY_LIMIT,
          });
          // Refunds waiting for their sale or their money, or parked for a mapping: their orders are re-read too.
          const refundParents = await listRetryableParents(db, {
            storeId: input.storeId,
            role: REFUND_ROLE,
            statuses: ['parked', 'failed'],
            reasonCodes: [...RETRYABLE_REFUND_CODES],
            before: new Date(input.before),
            limit: PARKED_RETRY_LIMIT,
          });
          const ids = [
            ...new Set(
              [...keys, ...refundParents]
                .map((k) => parseSourceKey(k))
                .filter((k) => k.kind === 'order')
                .map((k) => k.gid),
            ),
          ];
          if (ids.length === 0) return zeroCounts();
          const ctx = await context(input.storeId);
          const orders: ShopifyOrderCore[] = [];
          for (let i = 0; i < ids.length; i += ORDER_PAGE_LIMITS.orders) {
            const data = await ctx.shopify.request<{ nodes: Array<ShopifyOrderCore | null> }>(ORDERS_BY_IDS, {
              ids: ids.slice(i, i + ORDER_PAGE_LIMITS.orders),
            });
            orders.push(...data.nodes.filter((n): n is ShopifyOrderCore => n !== null && typeof n === 'object' && 'id' in n));
            heartbeat({ retried: orders.length });
          }
          // Orders Shopify no longer returns (deleted, or beyond the token's history scope) stop being re-tried.
          const returned = new Set(orders.map((o) => o.id));
          const gone = ids.filter((id) => !returned.has(id));
          await markSourcesGone(db, {
            storeId: input.storeId,
            role: 'sale',
            sourceKeys: gone.map((g) => `order:${g}`),
            reasonCode: 'order_not_found',
            at: deps.clock(),
            note: " — Shopify no longer returns this order (deleted, or outside the token's order history); not re-tried",
          });
          // Its refunds waiting for it would otherwise be re-read every run.
          await markChildrenGone(db, {
            storeId: input.storeId,
            role: REFUND_ROLE,
            parentSourceKeys: gone.map((g) => `order:${g}`),
            reasonCode: 'order_not_found',
            at: deps.clock(),
            note: " — Shopify no longer returns this refund's order (deleted, or outside the token's order history); not re-tried",
          });
          return write(ctx, await completeOrders(ctx.shopify, orders));
        },
        { writes: true },
      );
    },

    async syncRunFinish(input) {
      await giveUpWriteLease(db, input.storeId);
      const now = deps.clock();
      // The cursor never moves backwards: a re-run of an old run must not rewind it (db/queries recordRunCompleted).
      await completeSyncRun(db, {
        runId: input.runId,
        storeId: input.storeId,
        counts: input.counts,
        at: now,
        ...(input.advanceCursor ? { cursorTo: new Date(input.windowTo) } : {}),
      });
      const summary = {
        runId: input.runId,
        trigger: input.trigger,
        windowFrom: input.windowFrom,
        windowTo: input.windowTo,
        ...input.counts,
        startedAt: input.startedAt,
        finishedAt: now.toISOString(),
      };
      log.info({ storeId: input.storeId, ...summary }, 'sync run finished');
      return summary;
    },

    async syncRunFail(input) {
      await giveUpWriteLease(db, input.storeId);
      const now = deps.clock();
      await failSyncRun(db, { runId: input.runId, storeId: input.storeId, error: input.error, at: now });
      log.warn({ storeId: input.storeId, runId: input.runId, error: input.error }, 'sync run failed');
    },
  };
}

/**
 * Orders whose nested lists came back full are re-read with larger lists (ORDER_BY_ID) and, for
 * very long orders, their line items paged (ORDER_LINE_ITEMS_PAGE); never booked from a partial read.
 */
export interface ReadOrders {
  orders: ShopifyOrderCore[];
  /** Orders that cannot be read whole (more transactions/refunds than one query returns): parked, by id. */
  unreadable: Map<string, string>;
}

export async function completeOrders(shopify: ShopifyClient, orders: ShopifyOrderCore[]): Promise<ReadOrders> {
  const out: ShopifyOrderCore[] = [];
  const unreadable = new Map<string, string>();
  for (const order of orders) {
    if (truncatedLists(order, ORDER_PAGE_LIMITS).length === 0) {
      out.push(order);
      continue;
    }
    const { order: full } = await shopify.request<{ order: ShopifyOrderCore | null }>(ORDER_BY_ID, { id: order.id });
    if (!full) continue; // deleted meanwhile: nothing to book
    const still = truncatedLists(full, SINGLE_ORDER_LIMITS).filter((l) => l !== 'lineItems');
    if (still.length > 0) {
      unreadable.set(
        order.id,
        `Order ${order.name} has more ${still.join(' and ')} than Ledgerline reads in one query (${SINGLE_ORDER_LIMITS.transactions} transactions, ${SINGLE_ORDER_LIMITS.refunds} refunds); book it by hand`,
      );
      out.push(full);
      continue;
    }
    let page = full.lineItems;
    const lines = [...page.nodes];
    while (page.pageInfo?.hasNextPage) {
      const data = await shopify.request<{ order: { lineItems: ShopifyOrderCore['lineItems'] } }>(ORDER_LINE_ITEMS_PAGE, {
        id: order.id,
        after: page.pageInfo.endCursor,
      });
      page = data.order.lineItems;
      lines.push(...page.nodes);
    }
    out.push({ ...full, lineItems: { nodes: lines } });
  }
  return { orders: out, unreadable };
}

/** One refund with its details (its nested lists are far below what one refund holds in practice). */
export async function readRefund(shopify: ShopifyClient, id: string): Promise<ShopifyRefund | null> {
  const data = await shopify.request<{ refund: ShopifyRefund | null }>(REFUND_BY_ID, { id });
  return data.refund;
}
