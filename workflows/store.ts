import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { msUntilNextSlot, scheduleSlotOffsetMs } from '../domain/schedule';
import { webhookNudgeCovered } from '../domain/sync/window';
import { STATE_SEARCH_ATTRIBUTE, STORE_SEARCH_ATTRIBUTE } from './search-attributes';
import {
  type PendingRequest,
  type StoreCarriedState,
  type StoreState,
  type StoreWorkflowInput,
  type SyncNowResult,
  type SyncRunSummary,
  disconnectedSignal,
  nudgeSignal,
  pauseSignal,
  resumeSignal,
  setIntervalSignal,
  statusQuery,
  syncNowUpdate,
  workflowIds,
} from './definitions';
import { innermostCause, readableError } from './failures';
import { syncRunWorkflow } from './sync-run';

/** Continue-as-new after this many runs even if the server doesn't suggest it (keeps replays short). */
const RUNS_PER_HISTORY = 200;

interface Ticket extends PendingRequest {
  id: number;
  waiters: number;
}
type Outcome = { ok: true; result: SyncNowResult } | { ok: false; error: string };

/**
 * One per store, id `store:<shop domain>`, started when the store is connected (API) and never ends
 * on its own: it waits for the store's interval or a trigger (manual update, webhook nudge, resync),
 * runs one sync as a child workflow, and repeats. Guarantees: never two syncs of one store at once
 * (triggers during a run coalesce into one next run; a resync window is its own run); pause/resume;
 * a revoked QBO connection stops the loop until resumed; continue-as-new keeps history bounded.
 */
export async function storeWorkflow(input: StoreWorkflowInput): Promise<void> {
  const carried: StoreCarriedState = input.carried ?? { state: 'active', runCount: 0, pending: [] };
  let state: StoreState = carried.state;
  let intervalMinutes = input.intervalMinutes;
  let lastRun: SyncRunSummary | undefined = carried.lastRun;
  let lastError: string | undefined = carried.lastError;
  let runCount = carried.runCount;
  let nextTicket = 1;
  const queue: Ticket[] = carried.pending.map((p) => ({ ...p, id: nextTicket++, waiters: 0 }));
  const outcomes = new Map<number, Outcome>();
  let current: { runId: string; ticket: Ticket } | null = null;
  let nextRunAt: Date | null = null;
  let wake = false;

  // Search attributes are opt-in: the API starts store workflows with them (registered on the
  // cluster); a starter without them (e.g. the Java test server, which can't register any) gets none.
  const indexed = workflowInfo().typedSearchAttributes.get(STORE_SEARCH_ATTRIBUTE) !== undefined;
  const setState = (s: StoreState) => {
    state = s;
    if (indexed) upsertSearchAttributes([{ key: STATE_SEARCH_ATTRIBUTE, value: s }]);
  };

  /** Queues a request, merging it into one already waiting: one normal run, one (widened) resync. */
  const enqueue = (req: PendingRequest): Ticket => {
    const isResync = req.trigger === 'resync';
    const same = queue.find((t) => (t.trigger === 'resync') === isResync);
    if (same) {
      // A run only webhooks asked for keeps the newest webhook's time; anything else folded in makes it a run to do.
      if (same.webhookAt !== undefined) {
        if (req.webhookAt !== undefined) {
          if (req.webhookAt > same.webhookAt) same.webhookAt = req.webhookAt;
        } else delete same.webhookAt;
      }
      if (isResync && req.window) {
        const from = [same.window?.from, req.window.from].filter(Boolean).sort()[0];
        const tos = [same.window?.to, req.window.to];
        const to = tos.includes(undefined) ? undefined : tos.sort().reverse()[0];
        same.window = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
      }
      if (same.trigger === 'scheduled' || same.trigger === 'webhook') same.trigger = req.trigger;
      return same;
    }
    const t: Ticket = { ...req, id: nextTicket++, waiters: 0 };
    queue.push(t);
    return t;
  };

  setHandler(
    syncNowUpdate,
    async (req) => {
      const ticket = enqueue({ trigger: req.trigger ?? (req.window ? 'resync' : 'manual'), ...(req.window ? { window: req.window } : {}) });
      ticket.waiters += 1;
      await condition(() => outcomes.has(ticket.id));
      const outcome = outcomes.get(ticket.id)!;
      if (--ticket.waiters === 0) outcomes.delete(ticket.id);
      if (!outcome.ok) throw ApplicationFailure.create({ type: 'SyncRunFailed', message: outcome.error, nonRetryable: true });
      return outcome.result;
    },
    {
      validator: (req) => {
        if (state !== 'active') throw new Error(`store is ${state}: resume it before syncing`);
        const w = req.window;
        if (w?.from && Number.isNaN(Date.parse(w.from))) throw new Error('window.from is not an ISO date-time');
        if (w?.to && Number.isNaN(Date.parse(w.to))) throw new Error('window.to is not an ISO date-time');
        if (w?.from && w.to && Date.parse(w.from) >= Date.parse(w.to)) throw new Error('window.from must be before window.to');
      },
    },
  );
  setHandler(nudgeSignal, (nudge) => {
    // A nudge without receivedAt (an API from before it) queues a run that is never dropped.
    const at = typeof nudge?.receivedAt === 'string' && !Number.isNaN(Date.parse(nudge.receivedAt)) ? nudge.receivedAt : undefined;
    if (state === 'active') enqueue({ trigger: 'webhook', ...(at ? { webhookAt: new Date(at).toISOString() } : {}) });
  });
  setHandler(pauseSignal, () => setState('paused'));
  setHandler(resumeSignal, () => {
    lastError = state === 'disconnected' ? undefined : lastError;
    setState('active');
  });
  setHandler(disconnectedSignal, ({ reason }) => {
    lastError = reason;
    setState('disconnected');
  });
  setHandler(setIntervalSignal, ({ intervalMinutes: m }) => {
    intervalMinutes = m;
    wake = true; // restart the wait with the new interval
  });
  setHandler(statusQuery, () => ({
    storeId: input.storeId,
    shopDomain: input.shopDomain,
    state,
    intervalMinutes,
    running: current !== null,
    currentRunId: current?.runId ?? null,
    nextRunAt: state === 'active' && !current ? (nextRunAt?.toISOString() ?? null) : null,
    lastRun: lastRun ?? null,
    lastError: lastError ?? null,
    queued: queue.map(({ trigger, window }) => ({ trigger, ...(window ? { window } : {}) })),
    runCount,
  }));

  setState(state);

  for (;;) {
    if (state !== 'active') {
      await condition(() => state === 'active');
      continue;
    }
    if (queue.length === 0) {
      wake = false;
      // The store's own slot in its interval (domain/schedule.ts): a fleet's runs spread over the hour instead of
      // firing together, and they do not drift. Histories from before it waited one interval after the last run.
      const intervalMs = intervalMinutes * 60_000;
      const waitMs = patched('store-schedule-slots')
        ? msUntilNextSlot(Date.now(), intervalMs, scheduleSlotOffsetMs(input.shopDomain, intervalMs))
        : intervalMs;
      nextRunAt = new Date(Date.now() + waitMs);
      const triggered = await condition(() => queue.length > 0 || state !== 'active' || wake, waitMs);
      if (!triggered) enqueue({ trigger: 'scheduled' });
      if (state !== 'active' || queue.length === 0) continue;
    }
    const ticket = queue.shift()!;
    if (ticket.waiters === 0 && webhookNudgeCovered(ticket.webhookAt, lastRun)) {
      // Every webhook behind this run arrived before the last run began reading (with a margin): that run read them.
      log.info('webhook nudge covered by the last run: no run started', { webhookAt: ticket.webhookAt, readTo: lastRun?.windowTo });
      continue;
    }
    runCount += 1;
    const startedAt = new Date().toISOString();
    const childId = workflowIds.syncRun(input.shopDomain, startedAt, runCount);
    current = { runId: childId, ticket };
    try {
      const summary = await executeChild(syncRunWorkflow, {
        workflowId: childId,
        args: [
          {
            storeId: input.storeId,
            shopDomain: input.shopDomain,
            trigger: ticket.trigger,
            ...(ticket.window ? { window: ticket.window } : {}),
          },
        ],
        ...(indexed ? { typedSearchAttributes: [{ key: STORE_SEARCH_ATTRIBUTE, value: input.shopDomain }] } : {}),
      });
      lastRun = summary;
      lastError = undefined;
      if (ticket.waiters > 0) outcomes.set(ticket.id, { ok: true, result: { runId: childId, summary } });
    } catch (err) {
      // The readable error is the innermost one: child failure → activity failure → application failure.
      const cause = innermostCause(err);
      const message = readableError(err);
      lastError = message;
      if (ticket.waiters > 0) outcomes.set(ticket.id, { ok: false, error: message });
      if (cause instanceof ApplicationFailure && cause.type === 'QboConnectionRevokedError') setState('disconnected');
      log.warn('sync run failed', { runId: childId, error: message });
    } finally {
      current = null;
    }

    if (queue.length === 0 && (workflowInfo().continueAsNewSuggested || runCount % (input.runsPerHistory ?? RUNS_PER_HISTORY) === 0)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof storeWorkflow>({
        storeId: input.storeId,
        shopDomain: input.shopDomain,
        intervalMinutes,
        ...(input.runsPerHistory === undefined ? {} : { runsPerHistory: input.runsPerHistory }),
        carried: { state, runCount, pending: [], ...(lastRun ? { lastRun } : {}), ...(lastError ? { lastError } : {}) },
      });
    }
  }
}
