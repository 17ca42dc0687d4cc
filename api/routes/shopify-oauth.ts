/**
 * "Connect with Shopify" (issue #17, docs/oauth.md): Shopify's authorization code grant
 * (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant).
 * - GET /connect/shopify/start?shop= (operate token, as POST /stores): 302 to the shop's install page with a signed,
 *   single-use state;
 * - GET /connect/shopify/callback?code&hmac&host&shop&state&timestamp: public (the merchant's browser comes back from
 *   Shopify without Ledgerline's bearer token; Shopify's HMAC and the state are what authenticate it), answers the
 *   pending grant for POST /stores.
 * The logic lives in services/oauth/shopify-connect.ts.
 */
import type { FastifyInstance } from 'fastify';
import {
  finishShopifyConnect,
  startShopifyConnect,
  type ShopifyCallbackQuery,
  type ShopifyOAuthContext,
} from '../../services/oauth/shopify-connect';
import { startedByConsole } from '../../services/oauth/state';
import type { RouteAccess } from '../access';
import { errorResponses } from '../stores/schemas';

const TAGS = ['connect'];
const connectAccess: RouteAccess = { scope: 'operate', stores: 'all' };

const pick = <K extends keyof typeof errorResponses>(codes: readonly K[]) => Object.fromEntries(codes.map((c) => [c, errorResponses[c]]));

const param = (description: string, maxLength = 2048) => ({ type: 'string', minLength: 1, maxLength, description }) as const;

/** The route behind the bearer token. */
export const shopifyOAuthRoutes = (ctx: ShopifyOAuthContext) => async (app: FastifyInstance) => {
  app.get<{ Querystring: { shop: string } }>(
    '/connect/shopify/start',
    {
      config: { access: connectAccess },
      schema: {
        tags: TAGS,
        summary: "Connect with Shopify: redirects to the shop's app install page (state valid 10 minutes, once)",
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['shop'],
          properties: { shop: param("The shop's <handle>.myshopify.com domain", 255) },
        },
        response: { 302: { type: 'null', description: "Location: the shop's authorize URL" }, ...pick([400, 401, 403, 503]) },
      },
    },
    async (req, reply) => {
      const { location } = await startShopifyConnect(ctx, req.query.shop);
      return reply.header('cache-control', 'no-store').redirect(location, 302);
    },
  );
};

/** The callback Shopify redirects the merchant's browser to (SHOPIFY_REDIRECT_URI): public, authenticated by HMAC and state. */
export const shopifyOAuthCallbackRoutes = (ctx: ShopifyOAuthContext) => async (app: FastifyInstance) => {
  app.get<{ Querystring: ShopifyCallbackQuery }>(
    '/connect/shopify/callback',
    {
      schema: {
        tags: TAGS,
        summary:
          "Where Shopify sends the merchant back: checks Shopify's HMAC and the state, exchanges the code, keeps the token as a pending grant",
        // Every parameter Shopify sends is part of what its HMAC signs, so unknown ones are kept, not refused.
        querystring: {
          type: 'object',
          properties: {
            code: param('The authorization code (single use)'),
            hmac: param("Shopify's HMAC-SHA256 (hex) of the other parameters", 128),
            host: param('The base64 of the shop admin host', 1024),
            shop: param("The shop's <handle>.myshopify.com domain", 255),
            state: param('The state GET /connect/shopify/start issued'),
            timestamp: param('Seconds since the epoch when Shopify signed the redirect', 20),
            error: param('Set when the merchant did not install the app', 255),
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              grantId: { type: 'string' },
              shopDomain: { type: 'string' },
              scopes: { type: 'array', items: { type: 'string' } },
              next: { type: 'string' },
            },
          },
          ...pick([400, 422, 502, 503]),
        },
      },
    },
    async (req, reply) => {
      // Started by the console's set-up wizard: its own callback finishes it (the query, Shopify's HMAC with it, unchanged).
      if (startedByConsole(ctx.stateKey, req.query.state, ctx.store.clock(), 'shopify')) {
        const query = req.url.slice(req.url.indexOf('?'));
        return reply.header('cache-control', 'no-store').redirect(`/console/connect/shopify/callback${query}`, 303);
      }
      const grant = await finishShopifyConnect(ctx, req.query);
      void reply.header('cache-control', 'no-store');
      return {
        ...grant,
        next: `POST /stores with { "shopDomain": "${grant.shopDomain}", "shopify": { "grantId": "${grant.grantId}" }, "qbo": … } finishes the connect`,
      };
    },
  );
};
