/**
 * Intuit's authorization page, enough of it for the OAuth 2.0 authorization-code flow to run end to end here
 * (https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0):
 * GET /connect/oauth2 checks client_id, response_type=code, the scope and redirect_uri, and shows a consent page
 * with one radio button per company and a "Connect" button (and "Cancel"); POST /connect/oauth2 (the form) redirects
 * to redirect_uri with `code`, `state` and `realmId` (Intuit's step 4), or with `error=access_denied` and `state`.
 * The code is single use and bound to the client and redirect_uri it was issued for (tokens.ts, exchange), as RFC 6749
 * §4.1.3 requires (https://datatracker.ietf.org/doc/html/rfc6749#section-4.1.3).
 * Emulator choices: there is no Intuit sign-in; a `redirectUris` option lists the registered redirect URIs (unset:
 * any http(s) URL is accepted).
 */
import type { TokenService } from './tokens';

export const ACCOUNTING_SCOPE = 'com.intuit.quickbooks.accounting';

export interface AuthorizeSettings {
  clientId: string;
  redirectUris: readonly string[] | undefined;
  /** realmId → company name */
  companies: () => Array<{ realmId: string; name: string }>;
}

export interface PageReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(status: number, title: string, inner: string): PageReply {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${inner}</main></body></html>`;
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }, body };
}

const errorPage = (message: string): PageReply => page(400, 'Something went wrong', `<p role="alert">${escape(message)}</p>`);

function redirectUriOk(settings: AuthorizeSettings, uri: string | null): uri is string {
  if (!uri) return false;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return settings.redirectUris === undefined || settings.redirectUris.includes(uri);
}

/** The request's own parameters, checked as Intuit does before it shows anything; an error page otherwise. */
function checkRequest(settings: AuthorizeSettings, params: URLSearchParams): { redirectUri: string; state: string } | PageReply {
  if (params.get('client_id') !== settings.clientId) return errorPage('client_id is unknown to this emulator');
  const redirectUri = params.get('redirect_uri');
  if (!redirectUriOk(settings, redirectUri)) return errorPage('redirect_uri is missing or not registered for this app');
  if (params.get('response_type') !== 'code') return errorPage('response_type must be code');
  const scopes = (params.get('scope') ?? '').split(' ');
  if (!scopes.includes(ACCOUNTING_SCOPE)) return errorPage(`scope must include ${ACCOUNTING_SCOPE}`);
  return { redirectUri, state: params.get('state') ?? '' };
}

/** GET /connect/oauth2: the consent page. */
export function authorizePage(settings: AuthorizeSettings, query: URLSearchParams): PageReply {
  const checked = checkRequest(settings, query);
  if ('status' in checked) return checked;
  const companies = settings.companies();
  if (companies.length === 0) return errorPage('This emulator has no QuickBooks company to connect');
  const hidden = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state']
    .map((k) => `<input type="hidden" name="${k}" value="${escape(query.get(k) ?? '')}">`)
    .join('');
  const choices = companies
    .map(
      (c, i) =>
        `<label><input type="radio" name="realmId" value="${escape(c.realmId)}"${i === 0 ? ' checked' : ''}> ${escape(c.name)} (${escape(c.realmId)})</label><br>`,
    )
    .join('');
  return page(
    200,
    'Connect to QuickBooks',
    `<p>Ledgerline wants to read and write this company's accounting data.</p>
<form method="post" action="/connect/oauth2">${hidden}<fieldset><legend>Company</legend>${choices}</fieldset>
<button type="submit" name="decision" value="connect">Connect</button> <button type="submit" name="decision" value="cancel">Cancel</button></form>`,
  );
}

/** POST /connect/oauth2: the merchant's decision, answered with the redirect back to the app. */
export function authorizeDecision(settings: AuthorizeSettings, tokens: TokenService, body: string): PageReply {
  const form = new URLSearchParams(body);
  const checked = checkRequest(settings, form);
  if ('status' in checked) return checked;
  const target = new URL(checked.redirectUri);
  if (form.get('decision') === 'cancel') {
    target.searchParams.set('error', 'access_denied');
  } else {
    const realmId = form.get('realmId') ?? '';
    if (!settings.companies().some((c) => c.realmId === realmId)) return errorPage('Choose one of the companies');
    target.searchParams.set('code', tokens.authCode(realmId, { clientId: settings.clientId, redirectUri: checked.redirectUri }));
    target.searchParams.set('realmId', realmId);
  }
  if (checked.state) target.searchParams.set('state', checked.state);
  return { status: 302, headers: { Location: target.toString(), 'Cache-Control': 'no-store' }, body: '' };
}
