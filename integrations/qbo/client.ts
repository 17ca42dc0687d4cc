/**
 * A thin QBO Accounting API client for one realm over node-quickbooks (docs/qbo-facts.md §6). Every call takes
 * a valid access token from the TokenProvider, passes the realm's limiter, and turns failures into
 * Ledgerline's typed errors (errors.ts). A 401 forces one token refresh and the call is sent once more (the
 * auth flow). With a `retry` policy (activities), a transient fault is sent again a few times within the call
 * (integrations/call-retry.ts: reads and requestid writes on any transient fault, other writes only when QBO
 * certainly did not perform them); beyond that bound, and without a policy, failure retries belong to Temporal.
 */
import type { Logger } from '../../config/logger';
import { type CallRetryPolicy, type CallSafety, withCallRetry } from '../call-retry';
import { InvalidInputError, type LedgerlineError, QboAuthError, QboThrottledError } from '../../domain/errors';
import { classifyQboError, faultToError, readFault } from './errors';
import type { QboCallKind, QboLimiter } from './limiter';
import { invoke, pluralize, quickBooksFor, type QuickBooksTarget, withTimeout } from './quickbooks';
import type { TokenProvider } from './tokens';

type Entity = Record<string, unknown>;

export interface QboClientOptions {
  realmId: string;
  tokens: TokenProvider;
  /** e.g. the emulator's `http://127.0.0.1:PORT/v3/company/`. */
  endpoint?: string;
  limiter: QboLimiter;
  logger: Logger;
  /** docs/qbo-facts.md §4: every request is served as 75 whatever is sent. */
  minorVersion?: number;
  timeoutMs?: number;
  /** Delay asked of Temporal after a 429 (default QBO's 60 s, docs/qbo-facts.md §1); time-scaled emulators use less. */
  throttleRetryAfterMs?: number;
  /** Retry of transient faults within one call (integrations/call-retry.ts); none when absent. */
  retry?: CallRetryPolicy;
}

export type BatchItemRequest =
  ({ bId: string; operation: 'create' | 'update' | 'delete' } & Record<string, unknown>) | { bId: string; Query: string };

export interface BatchItemResult {
  bId: string;
  /** The entity's name and value, for create/update/delete items that succeeded. */
  entityName?: string;
  entity?: Entity;
  queryResponse?: Record<string, unknown>;
  /** The item's Fault, classified (a ValidationFault becomes a QboValidationError); not thrown. */
  fault?: LedgerlineError;
}

export interface QboClient {
  readonly realmId: string;
  /** `requestId` becomes the `requestid` query parameter: QBO replays the first answer (docs/qbo-facts.md §2). */
  create(entity: string, body: Entity, opts: { requestId: string }): Promise<Entity>;
  /** Needs Id and SyncToken; sparse unless `sparse: false` (a full update replaces the document). */
  update(entity: string, body: Entity, opts?: { requestId?: string; sparse?: boolean }): Promise<Entity>;
  /** Voids a transaction (Id and SyncToken in `body`); it stays in QBO with zero amounts. */
  void(entity: string, body: Entity): Promise<Entity>;
  /**
   * Deletes a transaction (Id and SyncToken in `body`): `POST /<entity>?operation=delete`, answered with
   * `{ Id, status: "Deleted" }` (docs/qbo-facts.md §4 "Removing a wrong document").
   */
  delete(entity: string, body: Entity): Promise<Entity>;
  read(entity: string, id: string): Promise<Entity>;
  /** `select * from <entity> [whereClause]`, every page. */
  query(entity: string, whereClause?: string): Promise<Entity[]>;
  batch(items: BatchItemRequest[]): Promise<BatchItemResult[]>;
  /**
   * Change data capture (docs/qbo-facts.md §5): `GET /cdc?entities=…&changedSince=…`. Every listed entity changed
   * at or after `changedSince` (an ISO instant within the last 30 days), deleted ones as `{ Id, status: "Deleted" }`;
   * QBO sends at most 1000 objects, so `full` says the answer may have left changes out.
   */
  changeDataCapture(entities: string[], changedSince: string): Promise<ChangeDataCapture>;
  preferences(): Promise<Entity>;
  companyInfo(): Promise<Entity>;
  reportTrialBalance(params?: Record<string, string>): Promise<Entity>;
}

export interface ChangeDataCapture {
  /** By entity name as QBO spells it (SalesReceipt, Invoice, …); an entity without changes has an empty list. */
  changed: Record<string, Entity[]>;
  /** The answer held CDC_MAX_OBJECTS objects: QBO may have left some out. */
  full: boolean;
}

/** docs/qbo-facts.md §5: a CDC answer holds at most 1000 objects. */
export const CDC_MAX_OBJECTS = 1000;

/** `{ CDCResponse: [{ QueryResponse: [{ SalesReceipt: […], startPosition, maxResults }, …] }] }` by entity name. */
function cdcLists(data: unknown, entities: string[]): ChangeDataCapture {
  const changed: Record<string, Entity[]> = Object.fromEntries(entities.map((e) => [e, []]));
  const responses = (data as { CDCResponse?: Array<{ QueryResponse?: unknown }> } | null)?.CDCResponse ?? [];
  let count = 0;
  for (const response of responses) {
    const parts = Array.isArray(response.QueryResponse) ? (response.QueryResponse as Array<Record<string, unknown>>) : [];
    for (const part of parts) {
      for (const [key, list] of Object.entries(part)) {
        if (!Array.isArray(list)) continue;
        const name = entities.find((e) => e.toLowerCase() === key.toLowerCase()) ?? key;
        (changed[name] ??= []).push(...(list as Entity[]));
        count += list.length;
      }
    }
  }
  return { changed, full: count >= CDC_MAX_OBJECTS };
}

// docs/qbo-facts.md §2: requestid at most 50 characters; §1: at most 30 items per batch; §5: MAXRESULTS ≤ 1000.
export const QBO_REQUEST_ID_MAX = 50;
export const QBO_BATCH_MAX = 30;
const PAGE_SIZE = 1000;
// QBO answers or gives up within 120 s (docs/qbo-facts.md §1); a little more before we abandon the call.
const DEFAULT_TIMEOUT_MS = 130_000;

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function checkRequestId(requestId: string | undefined): void {
  if (requestId !== undefined && (requestId.length === 0 || requestId.length > QBO_REQUEST_ID_MAX)) {
    throw new InvalidInputError(`QBO requestid must be 1..${QBO_REQUEST_ID_MAX} characters (got ${requestId.length})`, { requestId });
  }
}

/** The list under QueryResponse whose key names the entity, whatever its case. */
function queryList(data: unknown, entity: string): Entity[] {
  const response = (data as { QueryResponse?: Record<string, unknown> } | null)?.QueryResponse ?? {};
  const key = Object.keys(response).find((k) => k.toLowerCase() === entity.toLowerCase());
  const list = key ? response[key] : undefined;
  return Array.isArray(list) ? (list as Entity[]) : [];
}

export function createQboClient(opts: QboClientOptions): QboClient {
  const { realmId, tokens, limiter, logger } = opts;
  const target: QuickBooksTarget = {
    realmId,
    minorVersion: opts.minorVersion ?? 75,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
  };
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  /**
   * One QBO call: token, limiter, classification, bounded retry of transient faults (`safety` says whether a send
   * whose answer was lost may be repeated); on 401 one forced refresh and a second send.
   */
  async function call<T>(
    operation: string,
    kind: QboCallKind,
    method: string,
    args: () => unknown[],
    safety: CallSafety = 'repeatable',
  ): Promise<T> {
    const ctx = { realmId, operation };
    // The wait between sends holds no limiter slot: the retry is outside limiter.run.
    const send = (token: string): Promise<T> => withCallRetry(opts.retry, { operation, safety }, () => sendOnce(token));
    const sendOnce = (token: string): Promise<T> =>
      limiter.run(realmId, kind, async () => {
        try {
          return (await withTimeout(invoke(quickBooksFor(target, token), method, ...args()), timeoutMs, operation)) as T;
        } catch (err) {
          const error = classifyQboError(err, ctx);
          if (error instanceof QboThrottledError && opts.throttleRetryAfterMs !== undefined)
            throw new QboThrottledError(error.message, opts.throttleRetryAfterMs);
          throw error;
        }
      });
    const token = await tokens.accessToken();
    try {
      return await send(token);
    } catch (err) {
      if (!(err instanceof QboAuthError)) throw err;
      // docs/qbo-facts.md §3: a 401 usually means the access token expired early; this is the auth flow.
      logger.info({ realmId, operation }, 'qbo rejected the access token; refreshing it once');
      return send(await tokens.accessToken({ rejected: token }));
    }
  }

  return {
    realmId,
    create(entity, body, { requestId }) {
      checkRequestId(requestId);
      const name = capitalize(entity);
      // node-quickbooks moves requestId into the query string and deletes it: a fresh copy per send.
      return call(`create ${name}`, 'request', `create${name}`, () => [{ ...body, requestId }]);
    },
    update(entity, body, uopts = {}) {
      checkRequestId(uopts.requestId);
      const name = capitalize(entity);
      const extra = { sparse: uopts.sparse ?? true, ...(uopts.requestId ? { requestId: uopts.requestId } : {}) };
      return call(`update ${name}`, 'request', `update${name}`, () => [{ ...body, ...extra }], uopts.requestId ? 'repeatable' : 'once');
    },
    void(entity, body) {
      const name = capitalize(entity);
      // node-quickbooks voids an Invoice with ?operation=void; other transactions by a sparse update
      // with include=void (its voidPayment), which `void: true` on the entity turns on.
      if (name === 'Invoice') {
        // voidInvoice hands back the whole answer ({ Invoice, time }), not the unwrapped entity.
        return call<Entity>('void Invoice', 'request', 'voidInvoice', () => [{ ...body }], 'once').then(
          (d) => (d.Invoice as Entity | undefined) ?? d,
        );
      }
      return call(`void ${name}`, 'request', `update${name}`, () => [{ ...body, sparse: true, void: true }], 'once');
    },
    delete(entity, body) {
      const name = capitalize(entity);
      // node-quickbooks' delete<Entity> posts the entity given and hands back the whole answer ({ SalesReceipt, time }).
      return call<Entity>(`delete ${name}`, 'request', `delete${name}`, () => [{ Id: body.Id, SyncToken: body.SyncToken }], 'once').then(
        (d) => (d[name] as Entity | undefined) ?? d,
      );
    },
    read(entity, id) {
      const name = capitalize(entity);
      return call(`read ${name}`, 'request', `get${name}`, () => [id]);
    },
    async query(entity, whereClause = '') {
      const name = capitalize(entity);
      const clause =
        whereClause.trim() && !/^(where|orderby)\b/i.test(whereClause.trim()) ? `where ${whereClause.trim()}` : whereClause.trim();
      const rows: Entity[] = [];
      // Paging, not retrying: STARTPOSITION is 1-based and a short page is the last (docs/qbo-facts.md §5).
      for (let start = 1; ; start += PAGE_SIZE) {
        const criteria = `${clause} startposition ${start} maxresults ${PAGE_SIZE}`.trim();
        const page = queryList(await call(`query ${name}`, 'request', `find${pluralize(name)}`, () => [criteria]), name);
        rows.push(...page);
        if (page.length < PAGE_SIZE) return rows;
      }
    },
    async batch(items) {
      if (items.length === 0) return [];
      if (items.length > QBO_BATCH_MAX)
        throw new InvalidInputError(`A QBO batch holds at most ${QBO_BATCH_MAX} items (got ${items.length})`);
      // docs/qbo-facts.md §2: a batch cannot carry a requestid, so one with writes is sent again only when QBO
      // certainly did not run it; a batch of queries may always be.
      const safety: CallSafety = items.every((i) => 'Query' in i) ? 'repeatable' : 'once';
      const data = await call<{ BatchItemResponse?: Entity[] }>('batch', 'batch', 'batch', () => [items.map((i) => ({ ...i }))], safety);
      return (data?.BatchItemResponse ?? []).map((item): BatchItemResult => {
        const bId = String(item.bId ?? '');
        const fault = readFault(item);
        if (fault) return { bId, fault: faultToError(fault, { realmId, operation: `batch item ${bId}` }) };
        if (item.QueryResponse) return { bId, queryResponse: item.QueryResponse as Record<string, unknown> };
        const entityName = Object.keys(item).find((k) => k !== 'bId' && /^[A-Z]/.test(k));
        return entityName ? { bId, entityName, entity: item[entityName] as Entity } : { bId };
      });
    },
    async changeDataCapture(entities, changedSince) {
      const names = entities.map(capitalize);
      // node-quickbooks appends `since` to the URL unencoded: an instant in UTC ("…Z") has nothing to escape.
      const since = new Date(changedSince).toISOString();
      const data = await call('change data capture', 'request', 'changeDataCapture', () => [names, since]);
      return cdcLists(data, names);
    },
    preferences: () => call('read Preferences', 'request', 'getPreferences', () => []),
    companyInfo: () => call('read CompanyInfo', 'request', 'getCompanyInfo', () => [realmId]),
    reportTrialBalance: (params = {}) => call('report TrialBalance', 'request', 'reportTrialBalance', () => [{ ...params }]),
  };
}
