/**
 * Who may call which route (issue #13 "Operators and tenants"). Every route behind the bearer token
 * declares its access in its config (`config: { access }`); buildApp refuses to start with one that does
 * not, so a new route cannot silently be open to every token.
 *
 * - `scope`: `read` routes answer any token; `operate` routes (those that change something) need a token
 *   with the operate scope. A read-only token gets 403 `forbidden` on them.
 * - `stores`: `param`, the route acts on the store its `:id` names; `listed`, the route lists stores and
 *   shows a store token its own store only (GET /stores); `all`, the route is not about one store
 *   (connecting a new store, the audit log) and needs a token for every store (403 otherwise).
 *
 * A token for store A that names store B gets the very 404 an unknown store gets (`Store <id> not found`),
 * before anything is looked up: whether B exists is not this token's business, and the answer cannot
 * tell. The configured admin token (LEDGERLINE_API_TOKEN) is an operate token for every store.
 */
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/client';
import { getStore } from '../db/queries/stores';
import { storeRemoved } from '../services/stores/remove';
import { HttpError, notFound } from './errors';
import { storeIdFromParam } from './stores/views';
import type { ApiTokenScope, Principal } from './tokens';

export interface RouteAccess {
  scope: ApiTokenScope;
  stores: 'param' | 'listed' | 'all';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** Set by the bearer check on every route behind it. */
    principal?: Principal;
  }
}

export const readStore: RouteAccess = { scope: 'read', stores: 'param' };
export const operateStore: RouteAccess = { scope: 'operate', stores: 'param' };

const forbidden = (message: string) => new HttpError(403, 'forbidden', message);

/** Throws the 404 or 403 a principal gets on a route it may not call; returns when it may. */
export function authorize(principal: Principal, req: FastifyRequest): void {
  const access = req.routeOptions.config.access;
  if (!access) throw forbidden('This route declares no access rule'); // buildApp refuses such routes; never reached
  if (principal.storeId !== null) {
    if (access.stores === 'all') {
      throw forbidden(
        `This token is for store ${principal.storeId} only; ${req.method} ${req.routeOptions.url} needs a token for all stores`,
      );
    }
    if (access.stores === 'param') {
      const named = (req.params as { id?: unknown }).id;
      if (typeof named !== 'string' || storeIdFromParam(named) !== principal.storeId) throw notFound(`Store ${String(named)}`);
    }
  }
  if (access.scope === 'operate' && principal.scope !== 'operate') {
    throw forbidden(`This token is read-only; ${req.method} ${req.routeOptions.url} needs a token with the operate scope`);
  }
}

/**
 * A removed store (DELETE /stores/:id) keeps its ledger for reading; nothing may act on it until it is connected
 * again. The API's and the console's guard: an operate route naming a removed store answers 409 `store_removed`
 * (removing it again is the one exception: it changes nothing).
 */
export async function refuseRemovedStore(db: Db, req: FastifyRequest): Promise<void> {
  if (req.routeOptions.config.access?.scope !== 'operate') return;
  if (req.method === 'DELETE' && req.routeOptions.url === '/stores/:id') return;
  const named = (req.params as { id?: unknown }).id;
  const id = typeof named === 'string' ? storeIdFromParam(named) : undefined;
  if (id !== undefined && (await getStore(db, { storeId: id }))?.state === 'removed') throw storeRemoved(id);
}
