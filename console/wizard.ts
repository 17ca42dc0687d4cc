/**
 * The console's "Add a store" set-up wizard (issue #17), its routes under /console/connect, registered behind the
 * console's session, CSRF and audit hooks (console/plugin.ts), with the access POST /stores has (operate, every store):
 *
 * - GET  /connect                      the step the wizard is at (Shopify, QuickBooks, settings);
 * - POST /connect/shopify/install      starts Shopify's install flow (services/oauth/shopify-connect.ts) with a state
 *                                      marked for the console: Shopify's redirect reaches the public callback, which
 *                                      forwards it, query unchanged, to GET /connect/shopify/callback here;
 * - POST /connect/shopify/token        a custom app's token, checked against the shop (services/stores/shopify-check.ts);
 * - POST /connect/qbo                  starts Intuit's flow likewise (services/oauth/qbo-connect.ts);
 * - GET  /connect/{shopify,qbo}/callback  finish the flow with the services' own checks (signature, expiry, single use),
 *                                      after checking that the state is the one this browser's wizard started;
 * - POST /connect                      creates the store with the connect service POST /stores uses
 *                                      (services/stores/connect.ts): its 4xx answers are shown on the settings form;
 * - POST /connect/reset                forgets the wizard.
 *
 * What the wizard has gathered (the shop, the pending grants' ids or a pasted token, the state nonce it waits for)
 * lives in a cookie sealed with the project's cipher (like the session, console/session.ts), bound to the signed-in
 * principal, for WIZARD_TTL_MS; the grants themselves stay in the database where the OAuth callbacks put them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Cipher } from '../config/secrets';
import { storeExists } from '../db/queries/stores';
import { InvalidInputError } from '../domain/errors';
import { detectTaxMode } from '../domain/settings';
import { normalizeShopDomain, storeIdFor } from '../domain/store';
import type { RouteAccess } from '../api/access';
import { HttpError } from '../services/errors';
import { INTUIT_AUTHORIZE_URL } from '../services/oauth/intuit';
import { finishQboConnect, startQboConnect, type OAuthContext } from '../services/oauth/qbo-connect';
import { finishShopifyConnect, startShopifyConnect, type ShopifyOAuthContext } from '../services/oauth/shopify-connect';
import { StateError, verifyState, type OAuthProvider } from '../services/oauth/state';
import { ACCOUNT_RULES, type AccountKey } from '../services/stores/accounts';
import { connectStore, qboCredentialsFor, type ConnectBody } from '../services/stores/connect';
import { replaceCredentials, type CredentialsBody } from '../services/stores/control';
import { loadStore } from '../api/stores/views';
import type { StoreContext } from '../services/stores/context';
import { checkQbo } from '../services/stores/qbo-check';
import { checkShopify } from '../services/stores/shopify-check';
import type { Html } from './html';
import type { PageContext } from './pages';
import {
  ENUM_FIELDS,
  qboStep,
  settingsStep,
  shopifyStep,
  type PickerAccount,
  type SettingsStepData,
  type WizardNotice,
  type WizardSummary,
} from './wizard-pages';

export const WIZARD_COOKIE = 'ledgerline_wizard';
/** How long a set-up may take before the wizard starts over (the OAuth grants it names live longer). */
export const WIZARD_TTL_MS = 2 * 3_600_000;

const connectAccess: RouteAccess = { scope: 'operate', stores: 'all' };

/** What the settings form's free-text fields start with: the defaults of domain/settings.ts, shown. */
const FORM_DEFAULTS: Record<string, string> = { syncIntervalMinutes: '60', genericCustomerName: 'Shopify Customer' };

interface WizardState {
  v: 1;
  /** The principal that started it: another sign-in in the same browser does not inherit it. */
  by: string;
  exp: number;
  shopDomain?: string;
  shopName?: string;
  shopify?: { grantId: string } | { token: string };
  qbo?: { grantId: string; realmId: string; companyName: string | null };
  /** Reconnecting QuickBooks for this existing store (a disconnected one), not adding a store. */
  reconnect?: string;
  /** The OAuth flow this browser was sent to, and its state's nonce: only that state is taken back. */
  pending?: { provider: OAuthProvider; nonce: string };
}

export interface WizardDeps {
  stores: StoreContext;
  cipher: Cipher;
  oauth: OAuthContext | undefined;
  shopifyOAuth: ShopifyOAuthContext | undefined;
  pageContext(req: FastifyRequest, reply: FastifyReply): PageContext;
  send(reply: FastifyReply, page: Html, status?: number): FastifyReply;
  cookieOptions(req: FastifyRequest): { path: string; httpOnly: boolean; sameSite: 'lax'; secure: boolean };
}

/** The services' messages name the JSON routes to start again from; here the wizard is where one starts again. */
const forConsole = (message: string): string =>
  message
    .replace(/start again with GET \/connect\/(qbo|shopify)\/start/g, 'start again from the wizard')
    .replace(/connect with GET \/connect\/(qbo|shopify)\/start/g, 'connect again from the wizard');

export function registerWizard(secured: FastifyInstance, deps: WizardDeps): { allowOAuthForms(reply: FastifyReply): void } {
  const ctx = deps.stores;

  function read(req: FastifyRequest): WizardState {
    const by = req.principal!.id;
    const fresh: WizardState = { v: 1, by, exp: Date.now() + WIZARD_TTL_MS };
    const raw = req.cookies[WIZARD_COOKIE];
    if (!raw) return fresh;
    try {
      const s = JSON.parse(deps.cipher.decrypt(raw)) as WizardState;
      if (s.v !== 1 || s.by !== by || typeof s.exp !== 'number' || s.exp <= Date.now()) return fresh;
      return s;
    } catch {
      return fresh; // altered, or sealed under a key no longer configured
    }
  }

  function write(req: FastifyRequest, reply: FastifyReply, s: WizardState): void {
    void reply.setCookie(WIZARD_COOKIE, deps.cipher.encrypt(JSON.stringify(s)), {
      ...deps.cookieOptions(req),
      expires: new Date(s.exp),
    });
  }

  function clear(req: FastifyRequest, reply: FastifyReply): void {
    void reply.clearCookie(WIZARD_COOKIE, deps.cookieOptions(req));
  }

  const summary = (s: WizardState): WizardSummary => ({
    shopDomain: s.shopDomain,
    shopName: s.shopName,
    shopifyVia: s.shopify ? ('grantId' in s.shopify ? 'install' : 'token') : undefined,
    realmId: s.qbo?.realmId,
    companyName: s.qbo?.companyName,
  });

  /**
   * The wizard's pages post to Shopify's and Intuit's consent pages through a redirect, which the Content-Security-Policy's
   * form-action governs too: these pages allow those origins besides the console's own.
   */
  function allowOAuthForms(reply: FastifyReply): void {
    const sources = new Set<string>();
    if (deps.shopifyOAuth?.shopify) {
      sources.add(ctx.shopifyApiBaseUrl ? new URL(ctx.shopifyApiBaseUrl).origin : 'https://*.myshopify.com');
    }
    if (deps.oauth?.qbo) sources.add(new URL(deps.oauth.qbo.authorizeUrl ?? INTUIT_AUTHORIZE_URL).origin);
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string' && sources.size > 0) {
      void reply.header('content-security-policy', csp.replace("form-action 'self'", `form-action 'self' ${[...sources].join(' ')}`));
    }
  }

  function page(req: FastifyRequest, reply: FastifyReply, body: (p: PageContext) => Html, status = 200) {
    allowOAuthForms(reply);
    return deps.send(reply, body(deps.pageContext(req, reply)), status);
  }

  /** The step the wizard is at, with a notice (an error answered by a service, or what a step did). */
  async function render(req: FastifyRequest, reply: FastifyReply, s: WizardState, notice?: WizardNotice, status = 200) {
    if (!s.shopDomain || !s.shopify) {
      return page(
        req,
        reply,
        (p) => shopifyStep(p, { summary: summary(s), notice, installAvailable: !!deps.shopifyOAuth?.shopify }),
        status,
      );
    }
    if (!s.qbo) {
      return page(req, reply, (p) => qboStep(p, { summary: summary(s), notice, connectAvailable: !!deps.oauth?.qbo }), status);
    }
    let data: Omit<SettingsStepData, 'values' | 'errors' | 'notice'>;
    try {
      data = await settingsData(s);
    } catch (err) {
      if (!(err instanceof HttpError) || err.statusCode >= 500) throw err;
      // The grant is gone (used, or the app changed) or QBO refused it: connect QuickBooks again.
      delete s.qbo;
      write(req, reply, s);
      const text = `QuickBooks could not be read with this connection: ${forConsole(err.message)} Connect to QuickBooks again.`;
      return page(
        req,
        reply,
        (p) => qboStep(p, { summary: summary(s), notice: { kind: 'error', text }, connectAvailable: !!deps.oauth?.qbo }),
        400,
      );
    }
    return page(req, reply, (p) => settingsStep(p, { ...data, notice, values: { ...FORM_DEFAULTS }, errors: {} }), status);
  }

  /** The company's accounts for the pickers, read with the grant's tokens through the same check connect makes. */
  async function settingsData(s: WizardState): Promise<Omit<SettingsStepData, 'values' | 'errors' | 'notice'>> {
    const shopDomain = s.shopDomain!;
    const { body } = await qboCredentialsFor(ctx, shopDomain, { grantId: s.qbo!.grantId }, ctx.qboOAuthApp);
    const check = await checkQbo(ctx, {
      shopDomain,
      realmId: body.realmId,
      clientId: body.clientId,
      clientSecret: body.clientSecret,
      accessToken: body.accessToken,
      refreshToken: body.refreshToken,
      accessTokenExpiresAt: body.accessTokenExpiresAt ? new Date(body.accessTokenExpiresAt) : undefined,
      refreshTokenExpiresAt: body.refreshTokenExpiresAt ? new Date(body.refreshTokenExpiresAt) : undefined,
    });
    let rows: Array<Record<string, unknown>>;
    try {
      rows = await check.client.query('Account');
    } catch (err) {
      throw new HttpError(
        502,
        'qbo_unavailable',
        `Could not read the company's accounts: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const accounts: PickerAccount[] = rows
      .filter((a) => a.Active !== false)
      .map((a) => ({ id: String(a.Id), name: String(a.FullyQualifiedName ?? a.Name ?? a.Id), accountType: String(a.AccountType ?? '') }));
    const country = typeof check.companyInfo.Country === 'string' ? check.companyInfo.Country : null;
    const companyName = typeof check.companyInfo.CompanyName === 'string' ? check.companyInfo.CompanyName : null;
    return {
      summary: { ...summary(s), companyName },
      accounts,
      accountTypes: Object.fromEntries(Object.entries(ACCOUNT_RULES).map(([k, r]) => [k, r.types])) as Record<AccountKey, string[]>,
      detectedTaxMode: detectTaxMode(check.preferences as { TaxPrefs?: { PartnerTaxEnabled?: boolean } }, country),
    };
  }

  /** The shop domain typed into step 1, normalized; a 400 naming the field otherwise, or a 409 when it is connected already. */
  async function shopOf(raw: unknown): Promise<string> {
    let shopDomain: string;
    try {
      shopDomain = normalizeShopDomain(typeof raw === 'string' ? raw.trim() : '');
    } catch (err) {
      if (err instanceof InvalidInputError) throw new HttpError(400, 'bad_request', err.message, { field: 'shopDomain' });
      throw err;
    }
    if (await storeExists(ctx.db, { storeId: storeIdFor(shopDomain) })) {
      throw new HttpError(409, 'conflict', `${shopDomain} is already connected: open it from the stores list`, { field: 'shopDomain' });
    }
    return shopDomain;
  }

  /** Step 1 again with the services' message next to the field it names (or at the top). */
  function shopifyError(
    req: FastifyRequest,
    reply: FastifyReply,
    err: unknown,
    form: 'install' | 'token',
    values: { shopDomain?: string },
  ) {
    if (!(err instanceof HttpError) || (err.statusCode >= 500 && err.statusCode !== 502 && err.statusCode !== 503)) throw err;
    const field = (err.details as { field?: unknown } | undefined)?.field;
    const named = field === 'shopDomain' || field === 'shop' ? 'shopDomain' : field === 'token' ? 'token' : undefined;
    const s = read(req);
    return page(
      req,
      reply,
      (p) =>
        shopifyStep(p, {
          summary: summary(s),
          notice: { kind: 'error', text: forConsole(err.message) },
          installAvailable: !!deps.shopifyOAuth?.shopify,
          values,
          ...(named ? { fieldError: { form, field: named, message: forConsole(err.message) } } : {}),
        }),
      err.statusCode,
    );
  }

  secured.get('/connect', { config: { access: connectAccess } }, async (req, reply) => render(req, reply, read(req)));

  secured.post<{ Body: Record<string, unknown> }>('/connect/reset', { config: { access: connectAccess } }, async (req, reply) => {
    clear(req, reply);
    return reply.redirect('/console/connect', 303);
  });

  secured.post<{ Body: { shopDomain?: unknown } }>(
    '/connect/shopify/install',
    { config: { access: connectAccess } },
    async (req, reply) => {
      const typed = typeof req.body?.shopDomain === 'string' ? req.body.shopDomain.slice(0, 255) : '';
      try {
        if (!deps.shopifyOAuth)
          throw new HttpError(503, 'oauth_not_configured', 'Connecting with Shopify is not configured on this server');
        const shopDomain = await shopOf(typed);
        const started = await startShopifyConnect(deps.shopifyOAuth, shopDomain, { returnTo: 'console' });
        write(req, reply, {
          v: 1,
          by: req.principal!.id,
          exp: Date.now() + WIZARD_TTL_MS,
          shopDomain,
          pending: { provider: 'shopify', nonce: started.nonce },
        });
        return reply.header('cache-control', 'no-store').redirect(started.location, 303);
      } catch (err) {
        return shopifyError(req, reply, err, 'install', { shopDomain: typed });
      }
    },
  );

  secured.post<{ Body: { shopDomain?: unknown; token?: unknown } }>(
    '/connect/shopify/token',
    { config: { access: connectAccess } },
    async (req, reply) => {
      const typed = typeof req.body?.shopDomain === 'string' ? req.body.shopDomain.slice(0, 255) : '';
      const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
      try {
        const shopDomain = await shopOf(typed);
        if (!/^[!-~]{1,4096}$/.test(token)) {
          throw new HttpError(400, 'bad_request', 'The access token is missing or has spaces or line breaks in it: paste it again', {
            field: 'token',
          });
        }
        // The same check POST /stores makes: the token must read this very shop.
        const shop = await checkShopify(ctx, shopDomain, token);
        write(req, reply, {
          v: 1,
          by: req.principal!.id,
          exp: Date.now() + WIZARD_TTL_MS,
          shopDomain,
          shopName: shop.name,
          shopify: { token },
        });
        return reply.redirect('/console/connect', 303);
      } catch (err) {
        if (err instanceof HttpError && err.code === 'shopify_rejected') {
          return shopifyError(
            req,
            reply,
            new HttpError(422, err.code, `Shopify refused the token: ${err.message}`, { field: 'token' }),
            'token',
            {
              shopDomain: typed,
            },
          );
        }
        return shopifyError(req, reply, err, 'token', { shopDomain: typed });
      }
    },
  );

  /**
   * "Reconnect QuickBooks" on a disconnected store's page (its refresh token lapsed or was revoked): the same Intuit
   * flow, and its grant replaces the store's QBO credentials (the service behind PUT /stores/:id/credentials), which
   * resumes the store. The company must be the store's: its ledger names documents there.
   */
  secured.post<{ Params: { id: string } }>('/stores/:id/qbo/reconnect', { config: { access: connectAccess } }, async (req, reply) => {
    const row = await loadStore(ctx, req.params.id);
    if (row.state !== 'disconnected') {
      throw new HttpError(409, 'conflict', `Store ${row.id} is ${row.state}: only a disconnected store is reconnected`);
    }
    if (!deps.oauth?.qbo) throw new HttpError(503, 'oauth_not_configured', 'Connecting with QuickBooks is not configured on this server');
    const started = await startQboConnect(deps.oauth, row.shopDomain, { returnTo: 'console' });
    write(req, reply, {
      v: 1,
      by: req.principal!.id,
      exp: Date.now() + WIZARD_TTL_MS,
      shopDomain: row.shopDomain,
      reconnect: row.id,
      pending: { provider: 'qbo', nonce: started.nonce },
    });
    return reply.header('cache-control', 'no-store').redirect(started.location, 303);
  });

  secured.post('/connect/qbo', { config: { access: connectAccess } }, async (req, reply) => {
    const s = read(req);
    if (!s.shopDomain || !s.shopify) return reply.redirect('/console/connect', 303);
    try {
      if (!deps.oauth) throw new HttpError(503, 'oauth_not_configured', 'Connecting with QuickBooks is not configured on this server');
      const started = await startQboConnect(deps.oauth, s.shopDomain, { returnTo: 'console' });
      write(req, reply, { ...s, pending: { provider: 'qbo', nonce: started.nonce } });
      return reply.header('cache-control', 'no-store').redirect(started.location, 303);
    } catch (err) {
      if (!(err instanceof HttpError) || (err.statusCode >= 500 && err.statusCode !== 503)) throw err;
      return render(req, reply, s, { kind: 'error', text: forConsole(err.message) }, err.statusCode);
    }
  });

  /**
   * The state of a callback must be the one this browser's wizard is waiting for: a valid state started elsewhere
   * (another browser, or a link someone sent) is refused before it is used up, and one already used is refused too.
   */
  function expectState(s: WizardState, provider: OAuthProvider, state: unknown): void {
    const restart = 'start again from the wizard';
    if (typeof state !== 'string' || !state) {
      throw new HttpError(
        400,
        'state_missing',
        `The address has no state: open this page only by coming back from ${provider === 'qbo' ? 'Intuit' : 'Shopify'}; ${restart}`,
      );
    }
    let payload;
    try {
      payload = verifyState(provider === 'qbo' ? deps.oauth!.stateKey : deps.shopifyOAuth!.stateKey, state, ctx.clock(), provider);
    } catch (err) {
      if (err instanceof StateError) throw new HttpError(400, `state_${err.reason}`, forConsole(err.message), { field: 'state' });
      throw err;
    }
    if (payload.returnTo !== 'console' || s.pending?.provider !== provider || s.pending.nonce !== payload.nonce) {
      throw new HttpError(
        400,
        'state_not_pending',
        `This return from ${provider === 'qbo' ? 'Intuit' : 'Shopify'} is not the one this browser's wizard is waiting for (it was already used, or the connect was started elsewhere); ${restart}`,
        { field: 'state' },
      );
    }
  }

  secured.get<{ Querystring: Record<string, string | string[] | undefined> }>(
    '/connect/shopify/callback',
    { config: { access: connectAccess } },
    async (req, reply) => {
      const s = read(req);
      try {
        if (!deps.shopifyOAuth)
          throw new HttpError(503, 'oauth_not_configured', 'Connecting with Shopify is not configured on this server');
        expectState(s, 'shopify', req.query.state);
        const grant = await finishShopifyConnect(deps.shopifyOAuth, req.query);
        write(req, reply, { ...s, shopDomain: grant.shopDomain, shopify: { grantId: grant.grantId }, pending: undefined });
        return reply.redirect('/console/connect', 303);
      } catch (err) {
        if (!(err instanceof HttpError) || (err.statusCode >= 500 && err.statusCode !== 502 && err.statusCode !== 503)) throw err;
        // A return this wizard is not waiting for changes nothing; any other failure ends the wait (start again).
        const after = err.code === 'state_not_pending' ? s : { ...s, pending: undefined };
        if (after !== s) write(req, reply, after);
        return render(req, reply, after, { kind: 'error', text: forConsole(err.message) }, err.statusCode);
      }
    },
  );

  secured.get<{ Querystring: { code?: string; state?: string; realmId?: string; error?: string } }>(
    '/connect/qbo/callback',
    { config: { access: connectAccess } },
    async (req, reply) => {
      const s = read(req);
      try {
        if (!deps.oauth) throw new HttpError(503, 'oauth_not_configured', 'Connecting with QuickBooks is not configured on this server');
        expectState(s, 'qbo', req.query.state);
        const q = req.query;
        const grant = await finishQboConnect(deps.oauth, {
          code: typeof q.code === 'string' ? q.code : undefined,
          state: typeof q.state === 'string' ? q.state : undefined,
          realmId: typeof q.realmId === 'string' ? q.realmId : undefined,
          error: typeof q.error === 'string' ? q.error : undefined,
        });
        if (s.reconnect) {
          const row = await loadStore(ctx, s.reconnect);
          clear(req, reply);
          if (grant.realmId !== row.qboRealmId) {
            throw new HttpError(
              409,
              'realm_mismatch',
              `That is QuickBooks company ${grant.realmId}; store ${row.id} books to company ${row.qboRealmId}. Reconnect and choose that company.`,
            );
          }
          // A grant alone, as PUT /stores/:id/credentials takes it (services/stores/connect.ts qboCredentialsFor).
          await replaceCredentials(ctx, row, { qbo: { grantId: grant.grantId } } as CredentialsBody);
          return reply.redirect(`/console/stores/${encodeURIComponent(row.id)}?done=reconnected`, 303);
        }
        write(req, reply, { ...s, qbo: { grantId: grant.grantId, realmId: grant.realmId, companyName: null }, pending: undefined });
        return reply.redirect('/console/connect', 303);
      } catch (err) {
        if (!(err instanceof HttpError) || (err.statusCode >= 500 && err.statusCode !== 502 && err.statusCode !== 503)) throw err;
        // A return this wizard is not waiting for changes nothing; any other failure ends the wait (start again).
        const after = err.code === 'state_not_pending' ? s : { ...s, pending: undefined };
        if (after !== s) write(req, reply, after);
        return render(req, reply, after, { kind: 'error', text: forConsole(err.message) }, err.statusCode);
      }
    },
  );

  secured.post<{ Body: Record<string, unknown> }>('/connect', { config: { access: connectAccess } }, async (req, reply) => {
    const s = read(req);
    if (!s.shopDomain || !s.shopify || !s.qbo) return reply.redirect('/console/connect', 303);
    const values = formValues(req.body);
    // The form names the shop and company it was shown for (and the audit entry the store): a form left open in
    // another tab while the wizard moved on to another shop or company must not connect that one with its choices.
    if (values.shopDomain !== s.shopDomain || values.realmId !== s.qbo.realmId) {
      const data = await settingsData(s);
      const text = `That form was for ${values.shopDomain || 'another shop'} and QuickBooks company ${values.realmId || '?'}, but the wizard has since moved on to ${s.shopDomain} and company ${s.qbo.realmId} (in another tab?). Check the settings below and connect again.`;
      return page(
        req,
        reply,
        (p) => settingsStep(p, { ...data, notice: { kind: 'error', text }, values: { ...FORM_DEFAULTS }, errors: {} }),
        409,
      );
    }
    const input: ConnectBody = {
      shopDomain: s.shopDomain,
      ...('grantId' in s.shopify ? { shopify: { grantId: s.shopify.grantId } } : { shopifyAccessToken: s.shopify.token }),
      qbo: { grantId: s.qbo.grantId },
      startDate: values.startDate ? values.startDate : null,
      settings: settingsOf(values),
    };
    try {
      const { row } = await connectStore(ctx, input);
      clear(req, reply);
      return reply.redirect(`/console/stores/${encodeURIComponent(row.id)}?done=connected`, 303);
    } catch (err) {
      if (!(err instanceof HttpError) || (err.statusCode >= 500 && err.statusCode !== 502 && err.statusCode !== 503)) throw err;
      const errors: Record<string, string> = {};
      const issues = (err.details as { issues?: Array<{ path: string; message: string }> } | undefined)?.issues;
      for (const i of issues ?? []) errors[i.path || 'settings'] = i.message;
      const field = (err.details as { field?: unknown } | undefined)?.field;
      if (!issues && typeof field === 'string') errors[field] = err.message;
      let data;
      try {
        data = await settingsData(s);
      } catch {
        return render(req, reply, s, { kind: 'error', text: forConsole(err.message) }, err.statusCode);
      }
      const text = issues
        ? `The settings were not accepted (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}, marked below): ${err.message}`
        : forConsole(err.message);
      return page(req, reply, (p) => settingsStep(p, { ...data, notice: { kind: 'error', text }, values, errors }), err.statusCode);
    }
  });
  return { allowOAuthForms };
}

/** The settings form's fields as posted (strings, at most 255 characters each; nothing else is kept). */
function formValues(body: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body ?? {})) {
    if (typeof v === 'string' && k.length <= 80) out[k] = v.slice(0, 255);
  }
  return out;
}

/**
 * The settings object the form stands for, in the shape POST /stores takes (domain/settings.ts judges it: a value
 * the form could not have sent is refused there with its path). Empty choices are left out so defaults apply.
 */
function settingsOf(v: Record<string, string>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  const put = (path: string, value: unknown) => {
    const keys = path.split('.');
    let at = settings;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    at[keys[keys.length - 1]!] = value;
  };
  const number = (s: string): number | string => (/^-?\d+(\.\d+)?$/.test(s.trim()) ? Number(s) : s);
  for (const name of ENUM_FIELDS) if (v[name]) put(name, v[name]);
  if (v.taxMode) put('taxMode', v.taxMode);
  for (const [k, value] of Object.entries(v)) {
    if (k.startsWith('accounts.') && value) put(k, value);
  }
  if (v.syncIntervalMinutes?.trim()) put('syncIntervalMinutes', number(v.syncIntervalMinutes));
  if (v.customers !== 'per_customer' && v.genericCustomerName?.trim()) put('genericCustomerName', v.genericCustomerName);
  if (v.docNumberPrefix !== undefined && v.docNumberPrefix !== '') put('docNumberPrefix', v.docNumberPrefix);
  if (v['gateways.shopify_payments.depositAccountId'])
    put('gateways.shopify_payments.depositAccountId', v['gateways.shopify_payments.depositAccountId']);
  if (v['defaultGateway.depositAccountId']) put('defaultGateway.depositAccountId', v['defaultGateway.depositAccountId']);
  if (v['payouts.enabled'] === 'on') put('payouts.enabled', true);
  // Stock levels: the section only when switched on (off is the default), with the location typed.
  if (v['inventory.mode'] && v['inventory.mode'] !== 'off') {
    if (v['inventory.locationId']?.trim()) put('inventory.locationId', v['inventory.locationId'].trim());
  } else {
    delete settings.inventory;
  }
  return settings;
}
