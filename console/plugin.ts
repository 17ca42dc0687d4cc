/**
 * The web console (issue #17 "The console"), a Fastify plugin that api/app.ts mounts under /console: server-
 * rendered pages over the same store services and views the JSON API uses (services/stores/*, api/stores/views.ts,
 * api/stores/documents.ts), so a button here does exactly what its route does there.
 *
 * - Security headers (@fastify/helmet; the Content-Security-Policy allows this origin only: no inline script or
 *   style), cookies (@fastify/cookie), form posts (@fastify/formbody) and CSRF tokens (@fastify/csrf-protection:
 *   a secret in an HttpOnly cookie, a token in every form; a POST without a valid one is a 403), all scoped to
 *   /console: the JSON API keeps bearer tokens only and never reads a cookie.
 * - Sign-in with an API token (the admin token or a scoped one: the same principals and access rules as the API,
 *   api/tokens.ts, api/access.ts) or LEDGERLINE_CONSOLE_PASSWORD when set (every store, operate); failures count
 *   against the address's failed-authentication budget (api/rate-limits.ts). The session is a cookie sealed with
 *   the project's cipher (console/session.ts), HttpOnly, SameSite=Lax, Path=/console, and Secure unless the page
 *   was asked for over plain http from localhost.
 * - Every change (sync, pause, resume, retry, ignore, un-ignore, undo) is written to the audit log like the API's
 *   (api/audit.ts), with the signed-in principal as its actor.
 */
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Cipher } from '../config/secrets';
import type { Db } from '../db/client';
import { listSyncRuns } from '../db/queries/sync-runs';
import { authorize, operateStore, readStore, refuseRemovedStore, type RouteAccess } from '../api/access';
import { finishAudit, startAudit } from '../api/audit';
import { listDocuments } from '../api/stores/documents';
import { STATS_DAYS_DEFAULT, statsQuerySchema, storeStats } from '../api/stores/stats';
import { loadStore, storeView, storeViews, type StoreRow } from '../api/stores/views';
import { removeStore } from '../services/stores/remove';
import { ADMIN_PRINCIPAL, verifyApiToken, type Principal } from '../api/tokens';
import { HttpError } from '../services/errors';
import type { StoreContext } from '../services/stores/context';
import { pauseStore, resumeStore, resyncWindow, updateSettings } from '../services/stores/control';
import { listPayouts } from '../api/payouts/views';
import { parseSettings } from '../domain/settings';
import { temporalWorkflowUrl, type StoreExtras } from './store-extras';
import { DOCUMENT_ACTIONS, type DocumentAction } from '../services/stores/documents';
import { applyUndo, previewUndo, undoRequest, undoStatus, type UndoBody } from '../services/stores/undo';
import { requestSync } from '../services/stores/workflow';
import type { Html } from './html';
import { errorPage, progressCard, signInPage, storePage, storesPage, type PageContext } from './pages';
import { undoPreviewPage, undoResultPage } from './undo-pages';
import { registerWizard } from './wizard';
import { disconnectQbo, type OAuthContext } from '../services/oauth/qbo-connect';
import type { ShopifyOAuthContext } from '../services/oauth/shopify-connect';
import { reviewConsoleRoutes } from './review-pages';
import { PASSWORD_PRINCIPAL, SESSION_COOKIE, fingerprint, openSession, sealSession, secretsEqual, type Session } from './session';

export interface ConsoleOptions {
  stores: StoreContext;
  db: Db;
  cipher: Cipher;
  /** The admin token (LEDGERLINE_API_TOKEN). */
  apiToken: string;
  /** LEDGERLINE_CONSOLE_PASSWORD; undefined: sign-in with a token only. */
  password?: string | undefined;
  /** Where each run's workflow link points (TEMPORAL_UI_URL) and the namespace it is in. */
  temporalUi: { baseUrl: string; namespace: string };
  /** The failed-authentication budget the bearer check uses (api/rate-limits.ts). */
  auth: { authBlocked(req: FastifyRequest): Promise<HttpError | undefined>; authFailed(req: FastifyRequest): Promise<void> };
  /** The OAuth flows the "Add a store" wizard (console/wizard.ts) and Disconnect use; unset: not offered. */
  oauth?: OAuthContext | undefined;
  shopifyOAuth?: ShopifyOAuthContext | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The console session, on console routes behind sign-in. */
    consoleSession?: Session;
  }
}

const CSRF_COOKIE = 'ledgerline_csrf';
const COOKIE_PATH = '/console';
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
/** How many parked or failed documents the store page lists (the API pages through all of them). */
const ATTENTION_LIMIT = 200;
const IGNORED_LIMIT = 50;
const RUNS_SHOWN = 30;
const PAYOUTS_SHOWN = 10;

/** Secure cookies unless the request is plain http to this machine (README "The web console"). */
export function secureCookies(req: FastifyRequest): boolean {
  return !(req.protocol === 'http' && LOOPBACK.has(req.hostname));
}

const cookieOptions = (req: FastifyRequest) => ({
  path: COOKIE_PATH,
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: secureCookies(req),
});

/** The folder of console.css: beside this file in the source tree, or the source tree's from dist/console. */
function staticRoot(): string {
  const candidates = [path.join(__dirname, 'static'), path.resolve(__dirname, '..', '..', 'console', 'static')];
  return candidates.find((c) => fs.existsSync(path.join(c, 'console.css'))) ?? candidates[0]!;
}

/** Fixed texts for what an action did (the page shows these, never text from the request). */
/** How long a confirmed undo is waited for before its page says it is still running. */
const UNDO_WAIT_S = 20;

const DONE: Record<string, string> = {
  sync: 'Sync requested: the run appears below once it starts.',
  pause: 'Paused: no new run starts until you resume.',
  resume: 'Resumed.',
  retry: 'Retry requested: the next run books it again.',
  ignore: 'Ignored: no run books or retries it until you un-ignore it.',
  unignore: 'Un-ignored (or redone): the next run tries it again.',
  connected: 'Connected: the first sync has started; its progress shows below.',
  disconnect: 'Disconnected from QuickBooks: the tokens are revoked and no run starts until the store is connected again.',
  resync: 'Resync requested: the run appears below once it starts.',
  settings: 'Settings saved.',
  remove: 'Removed: its workflows are stopped and its credentials deleted; what Ledgerline booked is kept here.',
  reconnected: 'Reconnected to QuickBooks: the store is active again and syncs from where it stopped.',
};

function send(reply: FastifyReply, page: Html, status = 200) {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page.value);
}

export const consolePlugin =
  (opts: ConsoleOptions) =>
  async (app: FastifyInstance): Promise<void> => {
    const ctx = opts.stores;
    // Pages, not API: out of the OpenAPI document (@fastify/swagger's `hide`), whose routes all take the bearer token.
    app.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          imgSrc: ["'self'"],
          styleSrc: ["'self'"],
          scriptSrc: ["'self'"],
        },
      },
      // Plain http from localhost must keep working (no upgrade, no HSTS pinned by a dev machine).
      hsts: false,
    });
    await app.register(cookie);
    await app.register(formbody);
    await app.register(csrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: CSRF_COOKIE,
      cookieOpts: { path: COOKIE_PATH, httpOnly: true, sameSite: 'lax' },
    });
    await app.register(fastifyStatic, {
      root: staticRoot(),
      prefix: '/assets/',
      decorateReply: false,
      cacheControl: true,
      maxAge: 3_600_000,
    });
    // uPlot, the store page's charting library (static/charts.js), same-origin from its package: its two built files only.
    await app.register(fastifyStatic, {
      root: path.join(path.dirname(require.resolve('uplot/package.json')), 'dist'),
      prefix: '/assets/uplot/',
      decorateReply: false,
      cacheControl: true,
      maxAge: 3_600_000,
      allowedPath: (file) => file === '/uPlot.iife.min.js' || file === '/uPlot.min.css',
    });

    const pageContext = (req: FastifyRequest, reply: FastifyReply): PageContext => ({
      csrf: reply.generateCsrf({ ...cookieOptions(req) }),
      principal: req.consoleSession?.principal,
    });

    app.setErrorHandler((err, req, reply) => {
      const e = err as Error & { statusCode?: number; validation?: unknown };
      const status = err instanceof HttpError ? err.statusCode : e.validation ? 400 : (e.statusCode ?? 500);
      if (status >= 500) req.log.error({ err }, 'console request failed');
      const message =
        status >= 500
          ? 'Internal error; see the server log'
          : e.message === 'Invalid csrf token' || e.message === 'Missing csrf secret'
            ? 'This form has expired or did not come from this console (missing or invalid CSRF token). Go back, reload the page and try again.'
            : e.message;
      if (status === 429 && err instanceof HttpError) {
        const retry = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
        if (retry) void reply.header('retry-after', retry);
      }
      return send(reply, errorPage(pageContext(req, reply), status, message), status);
    });
    app.setNotFoundHandler((req, reply) =>
      send(reply, errorPage(pageContext(req, reply), 404, 'There is no such page in the console.'), 404),
    );

    /** The session cookie's live session, if any. */
    async function sessionOf(req: FastifyRequest): Promise<Session | undefined> {
      return openSession(opts.db, opts.cipher, req.cookies[SESSION_COOKIE], { apiToken: opts.apiToken, password: opts.password });
    }

    // --- Sign-in and sign-out --------------------------------------------------------------------------

    app.get('/', async (req, reply) => reply.redirect((await sessionOf(req)) ? '/console/stores' : '/console/sign-in', 303));

    app.get('/sign-in', async (req, reply) => {
      if (await sessionOf(req)) return reply.redirect('/console/stores', 303);
      return send(reply, signInPage(pageContext(req, reply), { passwordEnabled: opts.password !== undefined }));
    });

    /** Who a sign-in form stands for: a token (admin or a live scoped one) or the console password. */
    async function signInWith(body: {
      token?: unknown;
      password?: unknown;
    }): Promise<{ session: Parameters<typeof sealSession>[1] } | undefined> {
      const now = new Date();
      const token = typeof body.token === 'string' ? body.token.trim() : '';
      const password = typeof body.password === 'string' ? body.password : '';
      if (token) {
        if (secretsEqual(token, opts.apiToken))
          return { session: { kind: 'admin-token', principal: ADMIN_PRINCIPAL, fp: fingerprint(opts.apiToken), now } };
        const scoped: Principal | undefined = await verifyApiToken(opts.db, token, now);
        if (scoped) return { session: { kind: 'scoped-token', principal: scoped, fp: '', now } };
        return undefined;
      }
      if (password && opts.password !== undefined && secretsEqual(password, opts.password)) {
        return { session: { kind: 'password', principal: PASSWORD_PRINCIPAL, fp: fingerprint(opts.password), now } };
      }
      return undefined;
    }

    app.post<{ Body: { token?: string; password?: string } }>('/sign-in', { preHandler: app.csrfProtection }, async (req, reply) => {
      const blocked = await opts.auth.authBlocked(req);
      if (blocked) throw blocked;
      const found = await signInWith(req.body ?? {});
      if (!found) {
        await opts.auth.authFailed(req);
        const error = opts.password !== undefined ? 'That token or password is not valid.' : 'That token is not valid.';
        return send(reply, signInPage(pageContext(req, reply), { error, passwordEnabled: opts.password !== undefined }), 401);
      }
      const sealed = sealSession(opts.cipher, found.session);
      void reply.setCookie(SESSION_COOKIE, sealed.value, { ...cookieOptions(req), expires: sealed.expiresAt });
      req.log.info({ actor: found.session.principal.id }, 'console sign-in');
      return reply.redirect('/console/stores', 303);
    });

    app.post('/sign-out', { preHandler: app.csrfProtection }, async (req, reply) => {
      void reply.clearCookie(SESSION_COOKIE, cookieOptions(req));
      return reply.redirect('/console/sign-in', 303);
    });

    // --- Pages and actions behind the session ---------------------------------------------------------------

    await app.register(async (secured) => {
      secured.addHook('onRoute', (route) => {
        if (!route.config?.access) throw new Error(`Console route ${String(route.method)} ${route.url} declares no access`);
      });
      secured.addHook('onRequest', async (req, reply) => {
        const session = await sessionOf(req);
        if (!session) {
          // A page asks to sign in; a form post without a session is refused like the API refuses a missing token.
          if (req.method === 'GET' || req.method === 'HEAD') return reply.redirect('/console/sign-in', 303);
          throw new HttpError(401, 'unauthorized', 'Sign in first: your session has ended.');
        }
        req.consoleSession = session;
        req.principal = session.principal;
      });
      // CSRF before anything else of a post: a forged one is refused (403) before it is recorded or done.
      secured.addHook('preValidation', (req, reply, done) => {
        if (req.method !== 'POST') return done();
        app.csrfProtection(req, reply, () => {
          if (req.body && typeof req.body === 'object') delete (req.body as Record<string, unknown>)._csrf;
          done();
        });
      });
      // Recorded before it is judged, like the API's requests (refused attempts are in the audit log too).
      secured.addHook('preHandler', async (req) => {
        await startAudit(opts.db, req.principal!, req);
        authorize(req.principal!, req);
        await refuseRemovedStore(opts.db, req);
      });
      secured.addHook('onResponse', async (req, reply) => finishAudit(opts.db, req, reply));

      secured.get('/stores', { config: { access: { scope: 'read', stores: 'listed' } } }, async (req, reply) =>
        send(reply, storesPage(pageContext(req, reply), await storeViews(ctx, req.principal?.storeId))),
      );

      /** The wizard's: a page whose forms redirect to Intuit's consent page must allow that origin (form-action). */
      let allowOAuthForms: (reply: FastifyReply) => void = () => undefined;

      async function renderStore(
        req: FastifyRequest,
        reply: FastifyReply,
        row: StoreRow,
        notice?: { kind: 'ok' | 'error'; text: string },
        status = 200,
      ) {
        const [view, runs, attention, ignored, undone, stats, payouts] = await Promise.all([
          storeView(ctx, row),
          listSyncRuns(ctx.db, { storeId: row.id }),
          listDocuments(ctx, row, { status: 'parked,failed', limit: ATTENTION_LIMIT }),
          listDocuments(ctx, row, { status: 'ignored', limit: IGNORED_LIMIT }),
          listDocuments(ctx, row, { status: 'undone', limit: IGNORED_LIMIT }),
          storeStats(ctx, row, STATS_DAYS_DEFAULT),
          listPayouts(ctx, row, { limit: PAYOUTS_SHOWN }),
        ]);
        const settings = parseSettings(row.settings);
        const extras: StoreExtras = {
          posting: settings.posting,
          intervalMinutes: settings.syncIntervalMinutes,
          startDate: row.startDate.toISOString(),
          payouts: { enabled: settings.payouts.enabled, items: payouts.items, counts: payouts.counts },
          workflowUrl: (id) => temporalWorkflowUrl(opts.temporalUi, id),
        };
        runs.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || b.id.localeCompare(a.id));
        // Its Reconnect QuickBooks form ends on Intuit's consent page.
        if (view.state === 'disconnected') allowOAuthForms(reply);
        return send(
          reply,
          storePage(pageContext(req, reply), {
            view,
            runs: runs.slice(0, RUNS_SHOWN),
            attention: attention.items,
            attentionMore: attention.nextCursor !== null,
            ignored: ignored.items,
            undone: undone.items.filter((d) => d.role !== 'payment'),
            temporalUi: opts.temporalUi,
            notice,
            canOperate: req.principal?.scope === 'operate',
            stats,
            extras,
          }),
          status,
        );
      }

      secured.get<{ Params: { id: string }; Querystring: { done?: string } }>(
        '/stores/:id',
        { config: { access: readStore } },
        async (req, reply) => {
          const done = req.query.done !== undefined ? DONE[req.query.done] : undefined;
          return renderStore(req, reply, await loadStore(ctx, req.params.id), done ? { kind: 'ok', text: done } : undefined);
        },
      );

      // The store page's progress card, fetched by static/progress.js while a sync runs (HTML, never cached).
      secured.get<{ Params: { id: string } }>('/stores/:id/progress', { config: { access: readStore } }, async (req, reply) => {
        const view = await storeView(ctx, await loadStore(ctx, req.params.id));
        return reply
          .header('cache-control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(String(progressCard(view, { finished: true })));
      });

      // The store page's chart data (static/charts.js): GET /stores/:id/stats's figures, with the session.
      secured.get<{ Params: { id: string }; Querystring: { days: number } }>(
        '/stores/:id/stats',
        { config: { access: readStore }, schema: { querystring: statsQuerySchema } },
        async (req, reply) =>
          reply.header('cache-control', 'no-store').send(await storeStats(ctx, await loadStore(ctx, req.params.id), req.query.days)),
      );

      /**
       * An action on a store: done → back to its page with what happened (303, so a reload does not post again);
       * refused by the services (409 paused, 503 Temporal…) → its page with the services' own message and status.
       */
      function action<B>(name: string, access: RouteAccess, run: (row: StoreRow, body: B, req: FastifyRequest) => Promise<unknown>) {
        secured.post<{ Params: { id: string }; Body: B }>(`/stores/:id/${name}`, { config: { access } }, async (req, reply) => {
          const row = await loadStore(ctx, req.params.id);
          try {
            await run(row, req.body as B, req);
          } catch (err) {
            if (!(err instanceof HttpError) || (err.statusCode >= 500 && err.statusCode !== 502 && err.statusCode !== 503)) throw err;
            return renderStore(req, reply, await loadStore(ctx, row.id), { kind: 'error', text: err.message }, err.statusCode);
          }
          return reply.redirect(`/console/stores/${encodeURIComponent(row.id)}?done=${name.split('/').pop()}`, 303);
        });
      }

      action('sync', operateStore, (row) => requestSync(ctx, row.shopDomain, { trigger: 'manual' }, 0));
      action('pause', operateStore, (row) => pauseStore(ctx, row, 'paused from the console'));
      action('resume', operateStore, (row) => resumeStore(ctx, row));
      // Resync from a time (POST /stores/:id/resync's service): the form's datetime-local is UTC.
      action<{ from?: unknown }>('resync', operateStore, async (row, body) => {
        const from = typeof body?.from === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(body.from) ? `${body.from}:00Z` : undefined;
        if (!from) throw new HttpError(400, 'bad_request', 'Give the time to resync from (UTC)', { field: 'from' });
        return requestSync(ctx, row.shopDomain, { trigger: 'resync', window: resyncWindow(ctx, from, undefined, row.startDate) }, 0);
      });
      // Two settings (PUT /stores/:id/settings' service, its checks and messages); the rest through the API.
      action<{ syncIntervalMinutes?: unknown; posting?: unknown }>('settings', operateStore, async (row, body) => {
        const raw = typeof body?.syncIntervalMinutes === 'string' ? body.syncIntervalMinutes.trim() : '';
        if (!/^\d{1,6}$/.test(raw))
          throw new HttpError(400, 'bad_request', 'Sync every (minutes) must be a whole number', { field: 'syncIntervalMinutes' });
        // A form without the posting field changes only the interval (an absent key must not reset posting to auto).
        const posting = typeof body?.posting === 'string' ? { posting: body.posting } : {};
        return updateSettings(ctx, row, { syncIntervalMinutes: Number(raw), ...posting });
      });
      action('qbo/disconnect', operateStore, async (row) => {
        if (!opts.oauth) throw new HttpError(503, 'oauth_not_configured', 'Disconnecting is not available on this server');
        return disconnectQbo(opts.oauth, row);
      });
      // Removing (DELETE /stores/:id's service): an operate token for every store, and the shop's domain typed to confirm.
      action<{ confirm?: unknown }>('remove', operateStore, async (row, body, req) => {
        if (req.principal?.storeId) {
          throw new HttpError(403, 'forbidden', 'Removing a store needs an operate token for all stores, not one for this store only');
        }
        if (typeof body?.confirm !== 'string' || body.confirm.trim().toLowerCase() !== row.shopDomain) {
          throw new HttpError(400, 'bad_request', `Type the shop's domain (${row.shopDomain}) to confirm the removal`);
        }
        if (!opts.oauth) throw new HttpError(503, 'oauth_not_configured', 'Removing is not available on this server');
        return removeStore(opts.oauth, row);
      });
      ({ allowOAuthForms } = registerWizard(secured, {
        stores: ctx,
        cipher: opts.cipher,
        oauth: opts.oauth,
        shopifyOAuth: opts.shopifyOAuth,
        pageContext,
        send,
        cookieOptions,
      }));
      // Undo a window (console/undo-pages.ts): preview (nothing changes) → confirm → the result, by its undo id.
      const formWindow = (body: { from?: unknown; to?: unknown } | undefined): UndoBody => {
        // <input type="datetime-local"> sends "2026-11-01T10:00" with no zone: the form says UTC.
        const utc = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v) ? `${v}:00Z` : v);
        const from = utc(body?.from);
        const to = utc(body?.to);
        if (typeof from !== 'string' || typeof to !== 'string' || from.length > 64 || to.length > 64) {
          throw new HttpError(400, 'bad_request', 'The form needs a from and a to time');
        }
        return { from, to, mode: 'preview' };
      };
      secured.post<{ Params: { id: string }; Body: { from?: unknown; to?: unknown } }>(
        '/stores/:id/undo/preview',
        { config: { access: operateStore } },
        async (req, reply) => {
          const row = await loadStore(ctx, req.params.id);
          const preview = await previewUndo(ctx, row, undoRequest(ctx, row, formWindow(req.body)));
          return send(reply, undoPreviewPage(pageContext(req, reply), row.id, preview));
        },
      );
      secured.post<{ Params: { id: string }; Body: { from?: unknown; to?: unknown } }>(
        '/stores/:id/undo',
        { config: { access: operateStore } },
        async (req, reply) => {
          const row = await loadStore(ctx, req.params.id);
          const status = await applyUndo(ctx, row, undoRequest(ctx, row, formWindow(req.body)), UNDO_WAIT_S);
          return reply.redirect(`/console/stores/${encodeURIComponent(row.id)}/undo/${encodeURIComponent(status.undoId)}`, 303);
        },
      );
      secured.get<{ Params: { id: string; undoId: string } }>(
        '/stores/:id/undo/:undoId',
        { config: { access: readStore } },
        async (req, reply) => {
          const row = await loadStore(ctx, req.params.id);
          if (!/^u-[0-9a-f]{16}$/.test(req.params.undoId)) throw new HttpError(404, 'not_found', 'There is no such undo.');
          return send(reply, undoResultPage(pageContext(req, reply), row.id, await undoStatus(ctx, row, req.params.undoId, 0)));
        },
      );

      // Review before posting (console/review-pages.ts): the held documents, approve and reject.
      reviewConsoleRoutes(secured, { ctx, pageContext, send });

      for (const name of Object.keys(DOCUMENT_ACTIONS) as DocumentAction[]) {
        action<{ sourceKey?: unknown }>(`documents/${name}`, operateStore, (row, body) => {
          const key = body?.sourceKey;
          if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
            throw new HttpError(400, 'bad_request', 'The form names no document (sourceKey)');
          }
          return DOCUMENT_ACTIONS[name](ctx, row, key);
        });
      }
    });
  };
