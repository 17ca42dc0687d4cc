/**
 * The store API (issue #4 "Connect and control"): connect a shop to a QBO company, see its status,
 * sync now or resync a window, pause/resume, replace credentials, change settings, read its ledger.
 * Registered behind bearer auth (api/app.ts), each route with the access it needs (api/access.ts); the logic
 * lives in services/stores/, the views in api/stores/.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { connectStore, type ConnectBody } from '../../services/stores/connect';
import type { StoreContext } from '../../services/stores/context';
import {
  pauseStore,
  replaceCredentials,
  resumeStore,
  resyncWindow,
  updateSettings,
  type CredentialsBody,
} from '../../services/stores/control';
import { listDocuments, listOrderDocuments } from '../stores/documents';
import {
  connectBodySchema,
  connectedSchema,
  credentialsBodySchema,
  documentsPageSchema,
  documentsQuerySchema,
  orderDocumentsParams,
  orderDocumentsSchema,
  errorResponses,
  idParams,
  pauseBodySchema,
  resyncBodySchema,
  settingsSchema,
  storeViewSchema,
  syncDoneSchema,
  syncPendingSchema,
  syncStatusParams,
  waitQuerySchema,
} from '../stores/schemas';
import { loadStore, storeView, storeViews } from '../stores/views';
import { taxMappingRoutes } from '../stores/tax-mapping';
import { documentActionRoutes } from '../stores/document-actions';
import { undoRoutes } from '../stores/undo';
import { statsRoutes } from '../stores/stats';
import { reviewRoutes } from '../stores/review';
import { operateStore, readStore } from '../access';
import { requestSync, syncRequestStatus, type SyncOutcome } from '../../services/stores/workflow';

const TAGS = ['stores'];
const SYNC_WAIT_DEFAULT_S = 20;

interface IdParams {
  id: string;
}
interface WaitQuery {
  wait: number;
}

/** The error answers a route documents; 403 on every one (a scoped token may be refused any route). */
const pick = <K extends number>(codes: readonly K[]) =>
  Object.fromEntries([...codes, 403].map((c) => [c, errorResponses[c as keyof typeof errorResponses]]));

/** 200 with the run's summary, or 202 with where to look when the run outlasts the wait. */
function answerSync(reply: FastifyReply, storeId: string, outcome: SyncOutcome) {
  if (outcome.done) return reply.status(200).send({ status: 'completed', runId: outcome.result.runId, summary: outcome.result.summary });
  return reply.status(202).send({
    status: 'running',
    updateId: outcome.updateId,
    runId: outcome.runId,
    statusUrl: `/stores/${storeId}/syncs/${encodeURIComponent(outcome.updateId)}`,
  });
}

/** The store routes over the app's store services (built once by buildApp). */
export const storeRoutes =
  (ctx: StoreContext) =>
  async (app: FastifyInstance): Promise<void> => {
    app.addSchema(storeViewSchema);
    const view = { $ref: 'StoreView#' };

    app.post<{ Body: ConnectBody }>(
      '/stores',
      {
        config: { access: { scope: 'operate', stores: 'all' } },
        schema: {
          tags: TAGS,
          summary: "Connect a Shopify shop to a QBO company (checks both, resolves accounts, starts the store's workflow)",
          body: connectBodySchema,
          response: { 201: connectedSchema, ...pick([400, 401, 409, 422, 502, 503]) },
        },
      },
      async (req, reply) => {
        const { row, accounts, taxMapping } = await connectStore(ctx, req.body);
        return reply
          .status(201)
          .send({ ...(await storeView(ctx, row)), accountsResolved: accounts, ...(taxMapping ? { taxMapping } : {}) });
      },
    );

    app.get(
      '/stores',
      {
        config: { access: { scope: 'read', stores: 'listed' } },
        schema: {
          tags: TAGS,
          summary: 'Every connected store with its status',
          response: { 200: { type: 'object', properties: { stores: { type: 'array', items: view } } }, ...pick([401]) },
        },
      },
      async (req) => ({ stores: await storeViews(ctx, req.principal?.storeId) }),
    );

    app.get<{ Params: IdParams }>(
      '/stores/:id',
      {
        config: { access: readStore },
        schema: {
          tags: TAGS,
          summary: 'A store: state, last and next run, cursor, ledger counts, last error, connection health',
          params: idParams,
          response: { 200: view, ...pick([401, 404]) },
        },
      },
      async (req) => storeView(ctx, await loadStore(ctx, req.params.id)),
    );

    app.post<{ Params: IdParams; Querystring: WaitQuery }>(
      '/stores/:id/sync',
      {
        config: { access: operateStore },
        schema: {
          tags: TAGS,
          summary: 'Sync now: answers with the run summary, or 202 when the run outlasts ?wait= seconds',
          params: idParams,
          querystring: waitQuerySchema(SYNC_WAIT_DEFAULT_S),
          response: { 200: syncDoneSchema, 202: syncPendingSchema, ...pick([401, 404, 409, 502, 503]) },
        },
      },
      async (req, reply) => {
        const store = await loadStore(ctx, req.params.id);
        return answerSync(reply, store.id, await requestSync(ctx, store.shopDomain, { trigger: 'manual' }, req.query.wait));
      },
    );

    app.post<{ Params: IdParams; Querystring: WaitQuery; Body: { from: string; to?: string } }>(
      '/stores/:id/resync',
      {
        config: { access: operateStore },
        schema: {
          tags: TAGS,
          summary: 'Re-examine a window of orders (nothing is duplicated; the cursor does not move)',
          params: idParams,
          querystring: waitQuerySchema(SYNC_WAIT_DEFAULT_S),
          body: resyncBodySchema,
          response: { 200: syncDoneSchema, 202: syncPendingSchema, ...pick([400, 401, 404, 409, 502, 503]) },
        },
      },
      async (req, reply) => {
        const store = await loadStore(ctx, req.params.id);
        const window = resyncWindow(ctx, req.body.from, req.body.to, store.startDate);
        return answerSync(reply, store.id, await requestSync(ctx, store.shopDomain, { trigger: 'resync', window }, req.query.wait));
      },
    );

    app.get<{ Params: IdParams & { updateId: string }; Querystring: WaitQuery }>(
      '/stores/:id/syncs/:updateId',
      {
        config: { access: readStore },
        schema: {
          tags: TAGS,
          summary: 'The outcome of a sync or resync that answered 202',
          params: syncStatusParams,
          querystring: waitQuerySchema(0),
          response: { 200: syncDoneSchema, 202: syncPendingSchema, ...pick([401, 404, 409, 502, 503]) },
        },
      },
      async (req, reply) => {
        const store = await loadStore(ctx, req.params.id);
        return answerSync(reply, store.id, await syncRequestStatus(ctx, store.shopDomain, req.params.updateId, req.query.wait));
      },
    );

    app.post<{ Params: IdParams; Body: { reason?: string } | null | undefined }>(
      '/stores/:id/pause',
      {
        config: { access: operateStore },
        schema: {
          tags: TAGS,
          summary: 'Pause syncing (a running sync finishes; no new one starts)',
          params: idParams,
          body: pauseBodySchema,
          response: { 200: view, ...pick([401, 404, 409, 503]) },
        },
      },
      async (req) => {
        const row = await pauseStore(ctx, await loadStore(ctx, req.params.id), req.body?.reason);
        return storeView(ctx, row);
      },
    );

    app.post<{ Params: IdParams }>(
      '/stores/:id/resume',
      {
        config: { access: operateStore },
        schema: {
          tags: TAGS,
          summary: 'Resume syncing (starts the workflow again if it is gone); a disconnected store needs new credentials',
          params: idParams,
          response: { 200: view, ...pick([401, 404, 409, 503]) },
        },
      },
      async (req) => storeView(ctx, await resumeStore(ctx, await loadStore(ctx, req.params.id))),
    );

    app.put<{ Params: IdParams; Body: CredentialsBody }>(
      '/stores/:id/credentials',
      {
        config: { access: operateStore },
        schema: {
          tags: TAGS,
          summary:
            "Replace the Shopify token and/or the QBO tokens (checked like at connect), which clears the connection error and resumes; or set or forget (null) the shop's own webhook secret",
          params: idParams,
          body: credentialsBodySchema,
          response: { 200: view, ...pick([400, 401, 404, 409, 422, 502, 503]) },
        },
      },
      async (req) => storeView(ctx, await replaceCredentials(ctx, await loadStore(ctx, req.params.id), req.body)),
    );

    app.get<{ Params: IdParams }>(
      '/stores/:id/settings',
      {
        config: { access: readStore },
        schema: { tags: TAGS, summary: "The store's settings", params: idParams, response: { 200: settingsSchema, ...pick([401, 404]) } },
      },
      async (req) => (await loadStore(ctx, req.params.id)).settings,
    );

    app.put<{ Params: IdParams; Body: Record<string, unknown> }>(
      '/stores/:id/settings',
      {
        config: { access: operateStore },
        schema: {
          tags: TAGS,
          summary: 'Change settings: keys sent replace the current ones (accounts merge key by key; null restores a default)',
          params: idParams,
          body: settingsSchema,
          response: { 200: settingsSchema, ...pick([400, 401, 404, 409, 422, 502, 503]) },
        },
      },
      async (req) => updateSettings(ctx, await loadStore(ctx, req.params.id), req.body),
    );

    await taxMappingRoutes(ctx, app);
    await documentActionRoutes(ctx, app);
    await undoRoutes(ctx, app);
    await statsRoutes(ctx, app);
    await reviewRoutes(ctx, app);

    app.get<{ Params: IdParams; Querystring: { status?: string; limit: number; cursor?: string; attention?: 'true' | 'false' } }>(
      '/stores/:id/documents',
      {
        config: { access: readStore },
        schema: {
          tags: TAGS,
          summary: 'The ledger: each Shopify source, its QBO document, status and reason (newest first, paginated)',
          params: idParams,
          querystring: documentsQuerySchema,
          response: { 200: documentsPageSchema, ...pick([400, 401, 404]) },
        },
      },
      async (req) => listDocuments(ctx, await loadStore(ctx, req.params.id), req.query),
    );

    app.get<{ Params: { id: string; orderId: string } }>(
      '/stores/:id/orders/:orderId/documents',
      {
        config: { access: readStore },
        schema: {
          tags: TAGS,
          summary: "One order's ledger rows: its sale, the invoice's payment and each refund, with their QBO documents",
          params: orderDocumentsParams,
          response: { 200: orderDocumentsSchema, ...pick([400, 401, 404]) },
        },
      },
      async (req) => listOrderDocuments(ctx, await loadStore(ctx, req.params.id), req.params.orderId),
    );
  };
