import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { faults } from '../core/faults';
import type { QboEmulatorCore } from '../emulator';
import { handleAdmin } from './adminRoutes';
import { authorizeDecision, authorizePage } from './authorize';
import { revokeEndpoint, tokenEndpoint, type Reply } from './oauthRoutes';
import { handleV3 } from './v3';

/** The HTTP front: routes to the OAuth endpoints, /v3/company/:realmId/… and the admin API; logs each call. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply & { headers?: Record<string, string> }): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(text);
}

function faultCode(body: unknown): string | null {
  const b = body as { Fault?: { Error?: { code?: string }[] }; fault?: { error?: { code?: string }[] }; error?: string } | null;
  return b?.Fault?.Error?.[0]?.code ?? b?.fault?.error?.[0]?.code ?? b?.error ?? null;
}

async function route(core: QboEmulatorCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator.local');
  const method = req.method ?? 'GET';
  const body = await readBody(req);
  const parts = url.pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  const log = (
    status: number,
    reply: unknown,
    extra: { realmId?: string; entity?: string | null; operation?: string | null; replayed?: boolean; dropped?: boolean } = {},
  ): void => {
    core.log.add({
      time: core.clock.responseTime(),
      realmId: extra.realmId ?? null,
      method,
      path: url.pathname,
      entity: extra.entity ?? null,
      operation: extra.operation ?? null,
      requestId: url.searchParams.get('requestid'),
      status,
      faultCode: status >= 400 ? faultCode(reply) : null,
      replayed: extra.replayed ?? false,
      dropped: extra.dropped ?? false,
    });
  };
  if (parts[0] === '_emulator') {
    send(res, handleAdmin(core, method, parts.slice(1), url, body));
    return;
  }
  const client = { clientId: core.clientId, clientSecret: core.clientSecret };
  if (method === 'POST' && url.pathname === '/oauth2/v1/tokens/bearer') {
    const decision = core.injector.decide('token');
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    const reply =
      decision.answer === '429'
        ? { status: 429, body: faults.throttled().body }
        : decision.answer === '5xx'
          ? { status: decision.status5xx, body: faults.system(decision.status5xx).body }
          : tokenEndpoint(core.tokens, client, req.headers.authorization, body);
    log(reply.status, reply.body, { operation: 'token', dropped: decision.answer === 'drop' });
    if (decision.answer === 'drop') {
      req.socket.destroy();
      return;
    }
    send(res, reply);
    return;
  }
  if (url.pathname === '/connect/oauth2' && (method === 'GET' || method === 'POST')) {
    const settings = {
      clientId: core.clientId,
      redirectUris: core.options.redirectUris,
      companies: () =>
        [...core.companies.entries()].map(([realmId, c]) => ({ realmId, name: String(c.companyInfo().CompanyName ?? realmId) })),
    };
    const reply = method === 'GET' ? authorizePage(settings, url.searchParams) : authorizeDecision(settings, core.tokens, body);
    log(reply.status, null, { operation: 'authorize' });
    res.writeHead(reply.status, { ...reply.headers, 'Content-Length': Buffer.byteLength(reply.body) });
    res.end(reply.body);
    return;
  }
  if (method === 'POST' && url.pathname === '/v2/oauth2/tokens/revoke') {
    const reply = revokeEndpoint(core.tokens, client, req.headers.authorization, body);
    log(reply.status, reply.body, { operation: 'revoke' });
    send(res, reply);
    return;
  }
  if (parts[0] === 'v3' && parts[1] === 'company' && parts[2]) {
    const realmId = parts[2];
    const outcome = await handleV3(core, { method, realmId, rest: parts.slice(3), url, body, authorization: req.headers.authorization });
    log(outcome.status, outcome.body, {
      realmId,
      entity: outcome.entity,
      operation: outcome.operation,
      replayed: outcome.replayed,
      dropped: outcome.drop,
    });
    if (outcome.drop) {
      // Commit-then-drop: the change is stored, the client never hears back.
      req.socket.destroy();
      return;
    }
    send(res, { status: outcome.status, body: outcome.body, ...(outcome.headers ? { headers: outcome.headers } : {}) });
    return;
  }
  send(res, { status: 404, body: { error: `no route ${method} ${url.pathname}` } });
}

export function createQboServer(core: QboEmulatorCore): Server {
  return createServer((req, res) => {
    route(core, req, res).catch((error: unknown) => {
      core.options.logger?.warn({ err: error, url: req.url }, 'qbo emulator: internal error');
      if (!res.headersSent) {
        send(res, {
          status: 500,
          body: {
            Fault: {
              Error: [{ Message: 'An application error has occurred while processing your request', Detail: String(error), code: '10000' }],
              type: 'SystemFault',
            },
          },
        });
      }
    });
  });
}
