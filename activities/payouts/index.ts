/**
 * The payout saga's activities (contract: workflows/contracts.ts PayoutActivities; orchestration:
 * workflows/payout.ts; decisions: domain/payouts). Each reads what it needs afresh (Shopify, the ledger, QBO),
 * decides with the pure domain and records the outcome on the payout's row, so Temporal may repeat any of them
 * (retries, resets, a killed worker) without a second document in QBO.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import {
  FINAL_PAYOUT_STATES,
  getPayout,
  getStore,
  listPayoutsByIds,
  listPayoutsByLegacyIds,
  getPayoutContents,
  savePayoutContents,
  payoutDiscoveryFloor,
  savePayoutState,
  upsertDiscoveredPayouts,
  type PayoutRow,
  type PayoutWrite,
} from '../../db/queries';
import { InvalidInputError, QboValidationError, StoreNotFoundError } from '../../domain/errors';
import { stableHashHex } from '../../domain/hash';
import {
  buildDeposit,
  checkDepositReadBack,
  checkJournalReadBack,
  categoryOf,
  checkPayoutArithmetic,
  decidePayout,
  journalDebitLineId,
  linkJournalEntry,
  payoutBlockers,
  readBalanceTransaction,
  readPayout,
  summaryFees,
  type BalanceTransaction,
  type BalanceTransactionNode,
  type Payout,
  type PayoutBlocker,
  type PayoutDecision,
  type RetriedContents,
} from '../../domain/payouts';
import { listPayoutsSince, listPayoutTransactions, readPayoutById } from '../../integrations/shopify/payouts';
import { PAYOUT_STATE_OF_STEP, type PayoutActivities, type PayoutAssessment, type PayoutStep } from '../../workflows/contracts';
import { type PayoutWorkflowInput, nudgeSignal, payoutSeenSignal, payoutWorkflowId, workflowIds } from '../../workflows/definitions';
import { PAYOUT_STATE_SEARCH_ATTRIBUTE, STORE_SEARCH_ATTRIBUTE } from '../../workflows/search-attributes';
import type { ActivityDeps } from '../deps';
import type { SyncActivityOptions } from '../sync';
import { loadStoreContext, type StoreContext } from '../sync/context';
import { resolvePayoutDocuments } from './documents';
import { payoutRows, removePayoutDocuments, writeOnce } from './write';
import { guardedStep, heartbeat } from '../heartbeat';

/** Discovery lists from a few days before its floor: a payout issued late in a day is not missed across zones. */
const DISCOVERY_OVERLAP_MS = 3 * 86_400_000;
/** Orders a waiting payout asks the store's sync about, at most (the rest follow on the next look). */
const REQUESTED_ORDERS_MAX = 50;
/** Blockers kept on the payout's row (the API shows them; the count says how many more). */
const BLOCKERS_KEPT = 200;

const STATE_OF = PAYOUT_STATE_OF_STEP;

function stepOf(d: PayoutDecision): PayoutStep {
  switch (d.action) {
    case 'wait_documents':
      return { action: d.action, reason: d.reason, until: d.until, waitingSince: d.waitingSince };
    case 'watch':
      return { action: d.action, reason: d.reason, until: d.until };
    case 'done':
      return { action: d.action, reason: d.reason, outcome: d.outcome };
    default:
      return { action: d.action, reason: d.reason };
  }
}

export function createPayoutActivities(deps: ActivityDeps, { pacer, limiter }: SyncActivityOptions): PayoutActivities {
  const { db } = deps;
  const context = (storeId: string) => loadStoreContext(deps, storeId, { pacer, limiter });

  const guarded = <T>(storeId: string, body: () => Promise<T>): Promise<T> => guardedStep(deps, storeId, body);

  /** The payout as Shopify has it now; a payout Shopify no longer returns is an error a person must see. */
  async function readNow(ctx: StoreContext, payoutId: string): Promise<Payout> {
    const node = await readPayoutById(ctx.shopify, payoutId);
    if (!node) throw new InvalidInputError(`Shopify no longer returns payout ${payoutId} (is Shopify Payments still active on the shop?)`);
    return readPayout(node);
  }

  /**
   * A paid payout's balance transactions. Its contents are fixed at `issuedAt` ("the payout only contains balance
   * transactions that were available at this time", docs/payouts.md), so they are read from Shopify once and kept on
   * the payout's row: the assessments and the post that follow, hours or days apart, read them from there. Reading
   * them costs most of a payout's Shopify points (a page is 724 requested points), and Shopify's cost budget is what
   * bounds a backfill of payouts (docs/BENCHMARKS.md).
   */
  async function readRows(ctx: StoreContext, payout: Pick<Payout, 'id' | 'legacyResourceId' | 'status'>): Promise<BalanceTransaction[]> {
    const kept = await getPayoutContents(db, { storeId: ctx.storeId, payoutId: payout.id });
    if (kept) return kept.map((n) => readBalanceTransaction(n as BalanceTransactionNode));
    const nodes = await listPayoutTransactions(ctx.shopify, payout.legacyResourceId);
    // Only a paid payout's contents are kept: Shopify's own word that they are final.
    if (payout.status === 'PAID') await savePayoutContents(db, { storeId: ctx.storeId, payoutId: payout.id, contents: nodes });
    return nodes.map(readBalanceTransaction);
  }

  /**
   * A TRANSFER_FAILURE (or _CANCEL, _REFUND) row brings back the money of a payout whose Deposit was removed or never
   * made (docs/payouts.md "Retried payouts"): its `sourceId` names that payout (the emulator's reading; unverified on
   * a real shop). Its contents are read so the Deposit links their documents again; a row whose payout is unknown
   * here, or still posted, goes to the clearing account, flagged (buildDeposit).
   */
  async function readRetried(ctx: StoreContext, transactions: readonly BalanceTransaction[]): Promise<Record<string, RetriedContents>> {
    const out: Record<string, RetriedContents> = {};
    for (const tx of transactions) {
      if (categoryOf(tx) !== 'retried_payout' || !tx.sourceId) continue;
      const [row] = await listPayoutsByLegacyIds(db, { storeId: ctx.storeId, legacyIds: [tx.sourceId] });
      if (!row || !['compensated', 'failed', 'canceled'].includes(row.state)) continue;
      const node = await readPayoutById(ctx.shopify, row.payoutId);
      if (!node) continue;
      const retriedPayout = readPayout(node);
      out[tx.id] = { payout: retriedPayout, transactions: await readRows(ctx, retriedPayout) };
    }
    return out;
  }

  async function readContents(ctx: StoreContext, payout: Payout, startDate: Date) {
    const transactions = await readRows(ctx, payout);
    heartbeat();
    const retried = await readRetried(ctx, transactions);
    const documents = await resolvePayoutDocuments({
      db,
      shopify: ctx.shopify,
      storeId: ctx.storeId,
      settings: ctx.settings,
      startDate,
      currency: payout.net.currency,
      transactions: [...transactions, ...Object.values(retried).flatMap((r) => r.transactions)],
    });
    return { transactions, retried, documents, blockers: payoutBlockers(transactions, documents) };
  }

  function baseRow(ctx: StoreContext, payout: Payout, workflowId: string, now: Date): PayoutWrite {
    return {
      storeId: ctx.storeId,
      payoutId: payout.id,
      legacyId: payout.legacyResourceId,
      status: payout.status,
      issuedAt: new Date(payout.issuedAt),
      currency: payout.net.currency,
      netMinor: payout.net.minor,
      feesMinor: summaryFees(payout.summary, payout.net.currency).minor,
      state: 'discovered',
      workflowId,
      updatedAt: now,
    };
  }

  async function startDateOf(storeId: string): Promise<Date> {
    const store = await getStore(db, { storeId });
    if (!store) throw new StoreNotFoundError(storeId);
    return store.startDate;
  }

  return {
    async payoutsDiscover({ storeId, now }) {
      const empty = { listed: 0, started: 0, signalled: 0, settled: 0 };
      const store = await getStore(db, { storeId });
      if (!store) throw new StoreNotFoundError(storeId);
      const ctx = await context(storeId);
      if (!ctx.settings.payouts.enabled) return { ...empty, skipped: 'payouts are off in the store settings' };
      if (store.state !== 'active') return { ...empty, skipped: `the store is ${store.state}` };
      if (!deps.temporal) return { ...empty, skipped: 'this process has no Temporal client to start payout sagas with' };
      return guarded(storeId, async () => {
        const floor = (await payoutDiscoveryFloor(db, { storeId })) ?? store.startDate;
        const since = new Date(Math.max(floor.getTime() - DISCOVERY_OVERLAP_MS, store.startDate.getTime() - DISCOVERY_OVERLAP_MS));
        const listed = (await listPayoutsSince(ctx.shopify, since.toISOString().slice(0, 10))).map(readPayout);
        const known = new Map((await listPayoutsByIds(db, { storeId, payoutIds: listed.map((p) => p.id) })).map((r) => [r.payoutId, r]));
        const at = new Date(now);
        const client = await deps.temporal!.client();
        const counts = { ...empty, listed: listed.length };
        for (const payout of listed) {
          heartbeat();
          const workflowId = payoutWorkflowId(store.shopDomain, payout.legacyResourceId);
          const row = known.get(payout.id);
          if (row && isSettled(row, payout)) {
            counts.settled += 1;
            continue;
          }
          await upsertDiscoveredPayouts(db, { rows: [{ ...baseRow(ctx, payout, workflowId, at), createdAt: at }] });
          if (row && row.state === 'posted' && (payout.status === 'FAILED' || payout.status === 'CANCELED')) {
            // Its saga ended after the failure watch: a person restarts it (POST …/retry), which removes the Deposit.
            await savePayoutState(db, {
              row: {
                ...baseRow(ctx, payout, workflowId, at),
                state: row.state,
                needsAttention: true,
                reason:
                  `Payout ${payout.legacyResourceId} turned ${payout.status} after its watch ended; retry it to remove Deposit ${row.depositId ?? ''}`.trim(),
              },
            });
            counts.settled += 1;
            continue;
          }
          const input: PayoutWorkflowInput = {
            storeId,
            shopDomain: store.shopDomain,
            payoutId: payout.id,
            legacyId: payout.legacyResourceId,
          };
          try {
            await client.workflow.signalWithStart('payoutWorkflow', {
              workflowId,
              taskQueue: deps.temporal!.taskQueue,
              args: [input],
              signal: payoutSeenSignal,
              signalArgs: [{ status: payout.status }],
              // A completed saga is not started again by discovery; a failed or terminated one is.
              workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
              ...(deps.temporal!.searchAttributes
                ? {
                    typedSearchAttributes: [
                      { key: STORE_SEARCH_ATTRIBUTE, value: store.shopDomain },
                      { key: PAYOUT_STATE_SEARCH_ATTRIBUTE, value: 'discovered' },
                    ],
                  }
                : {}),
            });
            if (row) counts.signalled += 1;
            else counts.started += 1;
          } catch (err) {
            if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
            counts.settled += 1;
          }
        }
        deps.log.info({ storeId, ...counts }, 'payouts discovered');
        return counts;
      });
    },

    async payoutAssess({ storeId, payoutId, workflowId, now, paidObservedAt, documentsWaitingSince }) {
      const ctx = await context(storeId);
      return guarded(storeId, async (): Promise<PayoutAssessment> => {
        const startDate = await startDateOf(storeId);
        const payout = await readNow(ctx, payoutId);
        const rows = await payoutRows(db, storeId, payoutId);
        const deposit = rows.deposit?.status === 'synced' && rows.deposit.qboId ? rows.deposit : undefined;
        const posted = deposit
          ? {
              depositId: deposit.qboId!,
              journalEntryId: rows.journal?.status === 'synced' ? rows.journal.qboId : null,
              postedAt: deposit.updatedAt.toISOString(),
            }
          : null;
        const contents = payout.status === 'PAID' && !posted ? await readContents(ctx, payout, startDate) : null;
        const decision = decidePayout({
          payout,
          now,
          posted,
          paidObservedAt,
          documentsWaitingSince,
          arithmetic: contents ? checkPayoutArithmetic(payout, contents.transactions) : null,
          blockers: contents ? contents.blockers : null,
          settings: ctx.settings.payouts,
        });
        const state = decision.action === 'done' ? decision.outcome : STATE_OF[decision.action];
        const shown: PayoutBlocker[] =
          decision.action === 'wait_documents' ? decision.blockers : decision.action === 'post' ? decision.fallback : [];
        const previous = await getPayout(db, { storeId, payoutId });
        await savePayoutState(db, {
          row: {
            ...baseRow(ctx, payout, workflowId, new Date(now)),
            ...(previous ? {} : { createdAt: new Date(now) }),
            state,
            reason: decision.reason,
            // A posted payout keeps what its post found (the clearing-line rows, the flag) until it is removed.
            ...(posted
              ? {}
              : {
                  blockers: shown.slice(0, BLOCKERS_KEPT),
                  needsAttention: decision.action === 'hold' || (decision.action === 'post' && decision.needsAttention),
                }),
            depositId: posted?.depositId ?? null,
            journalEntryId: posted?.journalEntryId ?? null,
          },
        });
        const orderIds =
          decision.action === 'wait_documents'
            ? [...new Set(decision.blockers.flatMap((b) => (b.orderId ? [b.orderId] : [])))].slice(0, REQUESTED_ORDERS_MAX)
            : [];
        return {
          status: payout.status,
          step: stepOf(decision),
          posted: posted ? { depositId: posted.depositId, journalEntryId: posted.journalEntryId ?? null } : null,
          orderIds,
        };
      });
    },

    async payoutRequestDocuments({ storeId, orderIds, reason }) {
      const store = await getStore(db, { storeId });
      if (!store || !deps.temporal || orderIds.length === 0) return;
      const client = await deps.temporal.client();
      try {
        // The store's next run books new orders and re-tries parked ones; the nudge makes it run soon.
        await client.workflow.getHandle(workflowIds.store(store.shopDomain)).signal(nudgeSignal, { reason });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        deps.log.warn({ storeId }, 'the store workflow is not running: a waiting payout could not ask for its orders');
      }
    },

    async payoutPost({ storeId, payoutId, now }) {
      const ctx = await context(storeId);
      return guarded(storeId, async () => {
        const at = new Date(now);
        const startDate = await startDateOf(storeId);
        const payout = await readNow(ctx, payoutId);
        const contents = await readContents(ctx, payout, startDate);
        const row = await getPayout(db, { storeId, payoutId });
        const workflowId = row?.workflowId ?? payoutWorkflowId(ctx.shopDomain, payout.legacyResourceId);
        const hold = async (reason: string) => {
          await savePayoutState(db, {
            row: {
              ...baseRow(ctx, payout, workflowId, at),
              state: 'held',
              reason,
              needsAttention: true,
              depositId: null,
              journalEntryId: null,
            },
          });
          return { ok: false as const, held: reason };
        };
        const built = buildDeposit({
          payout,
          transactions: contents.transactions,
          documents: contents.documents,
          settings: ctx.settings,
          timeZone: ctx.timeZone,
          retried: contents.retried,
        });
        if (!built.ok) return hold(built.reason);
        const { plan } = built;
        const fingerprint = stableHashHex(JSON.stringify(plan.deposit));
        const rows = await payoutRows(db, storeId, payoutId);
        const writeCtx = { db, qbo: ctx.qbo, storeId, clock: () => at };
        let journalId: string | null = null;
        let depositBody = plan.deposit;
        try {
          if (plan.journalEntry) {
            const journal = await writeOnce(
              writeCtx,
              payout,
              'journal',
              plan.journalEntry as unknown as Record<string, unknown>,
              stableHashHex(JSON.stringify(plan.journalEntry)),
              rows.journal,
            );
            const verdict = checkJournalReadBack(journal, payout, plan);
            if (!verdict.ok) {
              await removePayoutDocuments(writeCtx, payout, verdict.reason);
              return hold(verdict.reason);
            }
            journalId = String(journal.Id);
            depositBody = linkJournalEntry(plan.deposit, journalId, journalDebitLineId(journal) ?? '0');
          }
          const created = await writeOnce(
            writeCtx,
            payout,
            'deposit',
            depositBody as unknown as Record<string, unknown>,
            fingerprint,
            rows.deposit,
          );
          const readBack = await ctx.qbo.read('Deposit', String(created.Id));
          const verdict = checkDepositReadBack(readBack, payout, plan, journalId);
          if (!verdict.ok) {
            // A wrong Deposit never stays in the books (invariant 4).
            await removePayoutDocuments(writeCtx, payout, verdict.reason);
            return hold(verdict.reason);
          }
          const depositId = String(created.Id);
          await savePayoutState(db, {
            row: {
              ...baseRow(ctx, payout, workflowId, at),
              state: 'watching',
              reason: `Payout ${payout.legacyResourceId} is posted as Deposit ${depositId}`,
              report: plan.report as unknown as Record<string, unknown>,
              blockers: contents.blockers.slice(0, BLOCKERS_KEPT),
              needsAttention: plan.report.needsAttention,
              depositId,
              journalEntryId: journalId,
            },
          });
          return { ok: true as const, depositId, journalEntryId: journalId, needsAttention: plan.report.needsAttention };
        } catch (err) {
          if (!(err instanceof QboValidationError)) throw err;
          // QBO refused a document: nothing of this payout may stay half-posted.
          const reason = `QBO refused the payout's ${journalId ? 'Deposit' : 'documents'}: ${err.message}`;
          await removePayoutDocuments(writeCtx, payout, reason);
          return hold(reason);
        }
      });
    },

    async payoutRemove({ storeId, payoutId, reason, state, now }) {
      const ctx = await context(storeId);
      await guarded(storeId, async () => {
        const row = await getPayout(db, { storeId, payoutId });
        const legacyId = row?.legacyId ?? payoutId.split('/').pop()!;
        await removePayoutDocuments(
          { db, qbo: ctx.qbo, storeId, clock: () => new Date(now) },
          { id: payoutId, legacyResourceId: legacyId },
          reason,
        );
        if (row) {
          await savePayoutState(db, {
            row: {
              ...row,
              state,
              reason,
              needsAttention: state === 'held',
              depositId: null,
              journalEntryId: null,
              updatedAt: new Date(now),
            },
          });
        }
      });
    },

    async payoutRecord({ storeId, payoutId, state, reason, now }) {
      const row = await getPayout(db, { storeId, payoutId });
      if (!row) return;
      await savePayoutState(db, {
        row: {
          ...row,
          state,
          reason,
          needsAttention: state === 'held' || (state === 'posted' && row.needsAttention),
          updatedAt: new Date(now),
        },
      });
    },
  };
}

/** Nothing more for the saga: it ended, and Shopify's status has not moved since. */
function isSettled(row: PayoutRow, payout: Payout): boolean {
  return (FINAL_PAYOUT_STATES as readonly string[]).includes(row.state) && row.status === payout.status;
}
