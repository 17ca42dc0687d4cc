/**
 * The payout routes (issue #15, docs/payouts.md "Visibility"): each Shopify Payments payout the saga has seen, its
 * reconciliation report, and a retry after a fix. Reads come from the `payouts` table the saga writes
 * (activities/payouts); the Temporal side is services/payouts/workflow.ts.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { parseSettings } from '../../domain/settings';
import type { StoreContext } from '../../services/stores/context';
import { assertRetryAllowed, retryPayout } from '../../services/payouts/workflow';
import { operateStore, readStore } from '../access';
import {
  payoutDetailQuerySchema,
  payoutDetailSchema,
  payoutParams,
  payoutsPageSchema,
  payoutsQuerySchema,
  retriedSchema,
  retryBodySchema,
  retryPendingSchema,
  retryQuerySchema,
} from '../payouts/schemas';
import { listPayouts, loadPayout, payoutDetail, type PayoutListQuery } from '../payouts/views';
import { errorResponses, idParams } from '../stores/schemas';
import { loadStore } from '../stores/views';

const TAGS = ['payouts'];

interface PayoutParams {
  id: string;
  payoutId: string;
}

const pick = <K extends number>(codes: readonly K[]) =>
  Object.fromEntries([...codes, 403].map((c) => [c, errorResponses[c as keyof typeof errorResponses]]));

/** Payouts off, or settings that no longer parse: either way nothing may be posted. */
function payoutsEnabled(settings: unknown): boolean {
  try {
    return parseSettings(settings).payouts.enabled;
  } catch {
    return false;
  }
}

export const payoutRoutes =
  (ctx: StoreContext) =>
  async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: { id: string }; Querystring: PayoutListQuery }>(
      '/stores/:id/payouts',
      {
        config: { access: readStore },
        schema: {
          tags: TAGS,
          summary: "The store's payouts, newest first: status, date, net, fees, saga state, Deposit id, blockers (paginated)",
          params: idParams,
          querystring: payoutsQuerySchema,
          response: { 200: payoutsPageSchema, ...pick([400, 401, 404]) },
        },
      },
      async (req) => listPayouts(ctx, await loadStore(ctx, req.params.id), req.query),
    );

    app.get<{ Params: PayoutParams; Querystring: { live: 'true' | 'false' } }>(
      '/stores/:id/payouts/:payoutId',
      {
        config: { access: readStore },
        schema: {
          tags: TAGS,
          summary: "One payout: its row, every blocker, the reconciliation report, and the running saga's live status",
          params: payoutParams,
          querystring: payoutDetailQuerySchema,
          response: { 200: payoutDetailSchema, ...pick([400, 401, 404]) },
        },
      },
      async (req) => {
        const store = await loadStore(ctx, req.params.id);
        const row = await loadPayout(ctx, store, req.params.payoutId);
        return payoutDetail(ctx, row, { live: req.query.live !== 'false' });
      },
    );

    app.post<{
      Params: PayoutParams;
      Querystring: { wait: number };
      Body: { reason?: string; requestId?: string } | null | undefined;
    }>(
      '/stores/:id/payouts/:payoutId/retry',
      {
        config: { access: operateStore },
        schema: {
          tags: TAGS,
          summary:
            'After a fix: a running saga reads and decides again (200 with its new status, 202 if it takes longer than ?wait=); an ended one is started again (202)',
          params: payoutParams,
          querystring: retryQuerySchema,
          body: retryBodySchema,
          response: { 200: retriedSchema, 202: retryPendingSchema, ...pick([400, 401, 404, 409, 503]) },
        },
      },
      async (req, reply) => {
        const store = await loadStore(ctx, req.params.id);
        const row = await loadPayout(ctx, store, req.params.payoutId);
        assertRetryAllowed(store, payoutsEnabled(store.settings));
        const updateId = `retry:${req.body?.requestId ?? randomUUID()}`;
        const outcome = await retryPayout(ctx, store, row, { updateId, reason: req.body?.reason, waitSeconds: req.query.wait });
        const statusUrl = `/stores/${store.id}/payouts/${row.legacyId}`;
        switch (outcome.kind) {
          case 'retried':
            return reply.status(200).send({
              result: 'retried',
              workflowId: outcome.workflowId,
              runId: outcome.runId,
              updateId: outcome.updateId,
              saga: outcome.status,
            });
          case 'accepted':
            return reply.status(202).send({
              result: 'accepted',
              workflowId: outcome.workflowId,
              runId: outcome.runId,
              updateId: outcome.updateId,
              previousStatus: null,
              statusUrl,
            });
          case 'restarted':
            return reply.status(202).send({
              result: 'restarted',
              workflowId: outcome.workflowId,
              runId: outcome.runId,
              updateId: null,
              previousStatus: outcome.previousStatus,
              statusUrl,
            });
        }
      },
    );
  };
