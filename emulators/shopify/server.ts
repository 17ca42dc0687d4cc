// HTTP routing: the Admin GraphQL endpoint (token → shop, known API versions only) and /_emulator/.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ShopifyAdmin } from './admin';
import { handleAdmin } from './admin-routes';
import type { EmulatorCore } from './emulator';
import { type GraphqlRequest, handleGraphql, sendJson } from './graphql-handler';
import { handleOAuth } from './oauth';
import { availableApiVersions } from './schema';

const GRAPHQL_PATH = /^\/admin\/api\/([^/]+)\/graphql\.json$/;
// Shopify's body for a wrong or missing access token (HTTP 401).
const INVALID_TOKEN = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function route(core: EmulatorCore, admin: ShopifyAdmin, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = req.method ?? 'GET';
  if (url.pathname.startsWith('/_emulator/')) return handleAdmin(admin, method, url, await readBody(req), res);
  if (url.pathname.startsWith('/admin/oauth/')) {
    const request = { method, url, host: req.headers.host, contentType: req.headers['content-type'] ?? '' };
    if (handleOAuth(core, request, await readBody(req), res)) return;
  }
  const gql = GRAPHQL_PATH.exec(url.pathname);
  if (!gql) return sendJson(res, 404, { errors: 'Not Found' });
  const token = req.headers['x-shopify-access-token'];
  const shop = core.shopByToken(Array.isArray(token) ? token[0] : token);
  if (!shop) return sendJson(res, 401, INVALID_TOKEN);
  const version = gql[1] ?? '';
  if (!availableApiVersions().includes(version)) return sendJson(res, 404, { errors: 'Not Found' });
  if (method !== 'POST') return sendJson(res, 405, { errors: 'Method Not Allowed' });
  let body: GraphqlRequest;
  try {
    body = JSON.parse(await readBody(req)) as GraphqlRequest;
  } catch {
    return sendJson(res, 400, { errors: { query: 'Required parameter missing or invalid' } });
  }
  return handleGraphql(core, res, shop, version, body ?? {});
}

export function requestListener(core: EmulatorCore, admin: ShopifyAdmin) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    route(core, admin, req, res).catch((err: unknown) => {
      core.opts.logger?.warn({ emulator: 'shopify', err: err instanceof Error ? err.message : String(err) }, 'emulator request failed');
      if (!res.headersSent)
        sendJson(res, 500, { errors: [{ message: 'Internal error in the emulator', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    });
  };
}
