/**
 * "Connect to QuickBooks" (issue #17, docs/oauth.md): the OAuth 2.0 authorization-code flow of Intuit
 * (https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0).
 * - GET /connect/qbo/start?shopDomain= (operate token): 302 to Intuit's consent page with a signed, single-use state;
 * - GET /connect/qbo/callback?code&state&realmId: public (the merchant's browser comes back from Intuit without
 *   Ledgerline's bearer token; the state is what authenticates it), answers the pending grant for POST /stores;
 * - POST /stores/:id/qbo/disconnect (operate token): revokes the tokens at Intuit, marks the store disconnected;
 * - DELETE /stores/:id (operate token for every store): removes the store (services/stores/remove.ts).
 * The logic lives in services/oauth/.
 */
import type { FastifyInstance } from 'fastify';
import { disconnectQbo, finishQboConnect, startQboConnect, type CallbackQuery, type OAuthContext } from '../../services/oauth/qbo-connect';
import { startedByConsole } from '../../services/oauth/state';
import { operateStore, type RouteAccess } from '../access';
import { HttpError } from '../errors';
import { errorResponses, idParams, storeViewSchema } from '../stores/schemas';
import { loadStore, storeView } from '../stores/views';
import { removeStore } from '../../services/stores/remove';

const TAGS = ['connect'];
const connectAccess: RouteAccess = { scope: 'operate', stores: 'all' };

const pick = <K extends keyof typeof errorResponses>(codes: readonly K[]) => Object.fromEntries(codes.map((c) => [c, errorResponses[c]]));

const param = (description: string, maxLength = 2048) => ({ type: 'string', minLength: 1, maxLength, description }) as const;

/** The routes behind the bearer token. */
export const oauthRoutes = (ctx: OAuthContext) => async (app: FastifyInstance) => {
  app.get<{ Querystring: { shopDomain: string } }>(
    '/connect/qbo/start',
    {
      config: { access: connectAccess },
      schema: {
        tags: TAGS,
        summary: "Connect to QuickBooks: redirects to Intuit's consent page (state valid 10 minutes, once)",
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['shopDomain'],
          properties: { shopDomain: param("The shop's <handle>.myshopify.com domain the QBO company is for", 255) },
        },
        response: { 302: { type: 'null', description: "Location: Intuit's authorize URL" }, ...pick([400, 401, 403, 503]) },
      },
    },
    async (req, reply) => {
      const { location } = await startQboConnect(ctx, req.query.shopDomain);
      return reply.header('cache-control', 'no-store').redirect(location, 302);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/stores/:id/qbo/disconnect',
    {
      config: { access: operateStore },
      schema: {
        tags: TAGS,
        summary: 'Disconnect from QuickBooks: revokes the tokens at Intuit and marks the store disconnected',
        params: idParams,
        response: { 200: { type: 'object', properties: storeViewSchema.properties }, ...pick([400, 401, 403, 404, 502]) },
      },
    },
    async (req) => {
      const row = await disconnectQbo(ctx, await loadStore(ctx.store, req.params.id));
      return storeView(ctx.store, row);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/stores/:id',
    {
      // Like connecting a store: an operate token for every store. The access rule names the store (a token for
      // another store gets the unknown-store 404); the handler refuses a store's own token (403).
      config: { access: operateStore },
      schema: {
        tags: ['stores'],
        summary:
          'Remove a store: revokes its QBO tokens at Intuit, deletes its stored credentials, stops its workflows and schedules, and keeps its ledger (connect the shop again to the same QBO company with POST /stores to resume; nothing is booked twice)',
        params: idParams,
        response: { 200: { type: 'object', properties: storeViewSchema.properties }, ...pick([400, 401, 403, 404, 502, 503]) },
      },
    },
    async (req) => {
      if (req.principal?.storeId) {
        throw new HttpError(403, 'forbidden', 'Removing a store needs an operate token for all stores, not one for this store only');
      }
      const { row } = await removeStore(ctx, await loadStore(ctx.store, req.params.id));
      return storeView(ctx.store, row);
    },
  );
};

/** The callback Intuit redirects the merchant's browser to (QBO_REDIRECT_URI): public, authenticated by its state. */
export const oauthCallbackRoutes = (ctx: OAuthContext) => async (app: FastifyInstance) => {
  app.get<{ Querystring: CallbackQuery }>(
    '/connect/qbo/callback',
    {
      schema: {
        tags: TAGS,
        summary: 'Where Intuit sends the merchant back: checks the state, exchanges the code, keeps the tokens as a pending grant',
        querystring: {
          type: 'object',
          properties: {
            code: param('The authorization code (single use)'),
            state: param('The state GET /connect/qbo/start issued'),
            realmId: param('The QBO company the merchant chose', 32),
            error: param('Set by Intuit when the merchant refused', 255),
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              grantId: { type: 'string' },
              shopDomain: { type: 'string' },
              realmId: { type: 'string' },
              accessTokenExpiresAt: { type: 'string', format: 'date-time' },
              refreshTokenExpiresAt: { type: ['string', 'null'], format: 'date-time' },
              next: { type: 'string' },
            },
          },
          ...pick([400, 502, 503]),
        },
      },
    },
    async (req, reply) => {
      // Started by the console's set-up wizard: its own callback finishes it under the operator's session.
      if (startedByConsole(ctx.stateKey, req.query.state, ctx.store.clock(), 'qbo')) {
        const query = req.url.slice(req.url.indexOf('?'));
        return reply.header('cache-control', 'no-store').redirect(`/console/connect/qbo/callback${query}`, 303);
      }
      const grant = await finishQboConnect(ctx, req.query);
      void reply.header('cache-control', 'no-store');
      return {
        ...grant,
        accessTokenExpiresAt: grant.accessTokenExpiresAt.toISOString(),
        refreshTokenExpiresAt: grant.refreshTokenExpiresAt?.toISOString() ?? null,
        next: `POST /stores with { "shopDomain": "${grant.shopDomain}", "qbo": { "grantId": "${grant.grantId}" }, … } finishes the connect`,
      };
    },
  );
};
