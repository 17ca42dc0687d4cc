import type { NewCompany, QboEmulatorCore } from '../emulator';
import type { FaultRule } from '../types';
import type { Reply } from './oauthRoutes';

/** /_emulator/… — companies, tokens, the request log, the clock, fault rules and reset (README "Admin API"). */
function json(body: string): unknown {
  return body.trim() === '' ? {} : JSON.parse(body);
}

function companySummary(core: QboEmulatorCore, realmId: string): Reply {
  const company = core.companies.get(realmId);
  if (!company) return { status: 404, body: { error: `unknown realm ${realmId}` } };
  const counts = Object.fromEntries(Object.entries(company.state.entities).map(([name, table]) => [name, Object.keys(table).length]));
  return {
    status: 200,
    body: {
      realmId,
      country: company.country,
      companyName: company.companyInfo().CompanyName,
      automatedSalesTax: company.usesAst(),
      entities: counts,
    },
  };
}

function faultRules(body: unknown): FaultRule[] {
  const rules = Array.isArray(body) ? body : ((body as { rules?: unknown }).rules ?? [body]);
  if (!Array.isArray(rules) || rules.some((r) => typeof (r as FaultRule)?.match !== 'string'))
    throw new Error('a fault rule needs a "match" string');
  return rules as FaultRule[];
}

export function handleAdmin(core: QboEmulatorCore, method: string, parts: string[], url: URL, body: string): Reply {
  const admin = core.admin();
  const [resource, realmId, sub, action] = parts;
  try {
    if (resource === 'companies') {
      if (method === 'GET' && !realmId) return { status: 200, body: { companies: admin.companies() } };
      if (method === 'POST' && !realmId) return { status: 201, body: admin.createCompany(json(body) as NewCompany) };
      if (realmId && method === 'GET' && !sub) return companySummary(core, realmId);
      if (realmId && method === 'POST' && sub === 'tokens' && !action) return { status: 200, body: admin.issueTokens(realmId) };
      if (realmId && method === 'POST' && sub === 'tokens' && action === 'expire') {
        const which = (json(body) as { which?: 'access' | 'refresh' | 'all' }).which ?? 'access';
        return { status: 200, body: { expired: admin.expireTokens(realmId, which) } };
      }
      if (realmId && method === 'POST' && sub === 'tokens' && action === 'revoke') {
        admin.revokeTokens(realmId);
        return { status: 200, body: {} };
      }
    }
    if (resource === 'requests' && method === 'GET') {
      const limit = Number(url.searchParams.get('limit') ?? '0') || undefined;
      return { status: 200, body: { requests: admin.requestLog({ realmId: url.searchParams.get('realmId') ?? undefined, limit }) } };
    }
    if (resource === 'requests' && method === 'DELETE') {
      admin.clearRequestLog();
      return { status: 200, body: {} };
    }
    if (resource === 'reset' && method === 'POST') {
      admin.reset();
      return { status: 200, body: { companies: admin.companies() } };
    }
    if (resource === 'clock') {
      if (method === 'POST' && realmId === 'advance') {
        const { ms, seconds } = json(body) as { ms?: number; seconds?: number };
        admin.clock.advance((ms ?? 0) + (seconds ?? 0) * 1000);
      }
      if (method === 'GET' || (method === 'POST' && realmId === 'advance')) {
        const now = admin.clock.now();
        return { status: 200, body: { now, iso: new Date(now).toISOString(), offsetMs: core.clock.offset } };
      }
    }
    if (resource === 'faults') {
      if (method === 'GET') return { status: 200, body: { faults: admin.faults() } };
      if (method === 'POST') {
        admin.addFaults(faultRules(json(body)));
        return { status: 200, body: { faults: admin.faults() } };
      }
      if (method === 'DELETE') {
        admin.clearFaults();
        return { status: 200, body: { faults: [] } };
      }
    }
  } catch (error) {
    return { status: 400, body: { error: (error as Error).message } };
  }
  return { status: 404, body: { error: `no admin route ${method} /_emulator/${parts.join('/')}` } };
}
