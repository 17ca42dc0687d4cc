import { setTimeout as sleep } from 'node:timers/promises';
import { AUTHENTICATION_FAILED_HEADERS, QboFault, authenticationFailedBody, faults } from '../core/faults';
import { profitAndLoss, trialBalance } from '../books/reports';
import { canonicalEntity, type Company, type EntityName } from '../company/company';
import type { QboEmulatorCore } from '../emulator';
import type { RuleContext } from '../rules/context';
import { createEntity, deleteEntity, readEntity, updateEntity, voidEntity } from '../rules/operations';
import type { Entity } from '../types';
import { runBatch } from './batch';
import { runCdc } from './cdc';
import { runQuery } from './query';

/**
 * /v3/company/:realmId/… — the order QBO's gateway applies: authentication (401), throttling (429), then the
 * service; the requestid replay (docs/qbo-facts.md §2) answers a repeated POST with the stored original response,
 * a Fault included ("the same response as the original request", https://blogs.intuit.com/2015/04/06/15346/): only
 * a new requestid sees a cause fixed since.
 */
export interface V3Request {
  method: string;
  realmId: string;
  rest: string[];
  url: URL;
  body: string;
  authorization: string | undefined;
}

export interface V3Outcome {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  drop: boolean;
  entity: string | null;
  operation: string | null;
  replayed: boolean;
}

/** docs/qbo-facts.md §2: requestid at most 50 characters, 36 for batch. */
const MAX_REQUEST_ID = 50;
const MAX_BATCH_REQUEST_ID = 36;

interface Operation {
  entity: EntityName | null;
  operation: string;
  key: string;
  batch: boolean;
  run: (ctx: RuleContext, company: Company) => Entity;
}

function parseJson(body: string): unknown {
  try {
    return body.trim() === '' ? {} : JSON.parse(body);
  } catch (error) {
    throw faults.unsupportedProperty(`Unexpected character in the request body: ${(error as Error).message}`);
  }
}

/**
 * A POST to an entity without `operation` is an update when the body names an Id: qbo_api's recorded updates post
 * `{Id, SyncToken, …}` to `/customer`, `/salesreceipt` and `/account` with no operation parameter
 * (test/fixtures/qbo-recorded/qbo_api/update/*.yml, deactivate/*.yml). An unparseable body stays a create and
 * fails there (2010).
 */
function impliedOperation(body: string): 'create' | 'update' {
  try {
    const doc = JSON.parse(body) as { Id?: unknown } | null;
    return doc !== null && typeof doc === 'object' && doc.Id !== undefined && doc.Id !== null && doc.Id !== '' ? 'update' : 'create';
  } catch {
    return 'create';
  }
}

function includes(url: URL, value: string): boolean {
  return (url.searchParams.get('include') ?? '').toLowerCase().split(',').includes(value);
}

function classify(core: QboEmulatorCore, req: V3Request): Operation {
  const [head = '', id, ...more] = req.rest;
  const resource = head.toLowerCase();
  const time = (): string => core.clock.responseTime();
  if (resource === 'query') {
    const sql = req.method === 'POST' ? req.body : (req.url.searchParams.get('query') ?? '');
    const entity = canonicalEntity(/\bfrom\s+(\w+)/i.exec(sql)?.[1] ?? '') ?? null;
    return {
      entity,
      operation: 'query',
      key: `${entity ?? '*'}:query`,
      batch: false,
      run: (ctx) => ({ QueryResponse: runQuery(ctx, sql), time: time() }),
    };
  }
  if (resource === 'cdc' && req.method === 'GET' && !id) {
    return { entity: null, operation: 'cdc', key: 'cdc', batch: false, run: (ctx) => ({ ...runCdc(ctx, req.url), time: time() }) };
  }
  if (resource === 'batch' && req.method === 'POST') {
    const withRequestId = req.url.searchParams.has('requestid');
    return {
      entity: null,
      operation: 'batch',
      key: 'batch',
      batch: true,
      run: (ctx) => ({ ...runBatch(ctx, parseJson(req.body), withRequestId), time: time() }),
    };
  }
  if (resource === 'reports' && req.method === 'GET' && id) {
    const run = (ctx: RuleContext, company: Company): Entity => {
      const now = core.clock.timestamp();
      if (id === 'TrialBalance') return trialBalance(company, req.url.searchParams, core.clock.today(), time(), now);
      if (id === 'ProfitAndLoss') return profitAndLoss(company, req.url.searchParams, core.clock.today(), time());
      throw faults.unsupportedOperation(`Report ${id} is not supported by the emulator`);
    };
    return { entity: null, operation: 'report', key: `report:${id}`, batch: false, run };
  }
  const entity = canonicalEntity(head);
  if (!entity || more.length > 0) throw faults.unknownResource(req.url.pathname, `${req.url.origin}${req.url.pathname}`);
  const wrap = (doc: Entity): Entity => ({ [entity]: doc, time: time() });
  if (req.method === 'GET') {
    const readId = entity === 'Preferences' || entity === 'CompanyInfo' ? '1' : id;
    if (!readId) throw faults.requiredMissing('Id');
    // test/fixtures/qbo-recorded/qbo_api/error/500.yml: GET /customer/1.5 → 2030 "Invalid ID".
    if (!/^\d+$/.test(readId)) throw faults.invalidId(readId);
    return { entity, operation: 'read', key: `${entity}:read`, batch: false, run: (ctx) => wrap(readEntity(ctx, entity, readId)) };
  }
  const requested = (req.url.searchParams.get('operation') ?? impliedOperation(req.body)).toLowerCase();
  const operation = requested === 'update' && includes(req.url, 'void') ? 'void' : requested;
  const body = (): unknown => parseJson(req.body);
  const runs: Record<string, (ctx: RuleContext) => Entity> = {
    create: (ctx) => wrap(createEntity(ctx, entity, body())),
    update: (ctx) => wrap(updateEntity(ctx, entity, body())),
    delete: (ctx) => wrap(deleteEntity(ctx, entity, body())),
    void: (ctx) => wrap(voidEntity(ctx, entity, body())),
  };
  const run = runs[operation];
  if (!run) throw faults.unsupportedOperation(`Operation ${operation} is not supported`);
  return { entity, operation, key: `${entity}:${operation}`, batch: false, run };
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match?.[1]?.trim();
}

export async function handleV3(core: QboEmulatorCore, req: V3Request): Promise<V3Outcome> {
  const outcome = (status: number, body: unknown, op?: Operation, extra: Partial<V3Outcome> = {}): V3Outcome => ({
    status,
    body,
    drop: false,
    entity: op?.entity ?? null,
    operation: op?.operation ?? null,
    replayed: false,
    ...extra,
  });
  const withTime = (body: object): object => ({ ...body, time: core.clock.responseTime() });
  const auth = core.tokens.checkAccess(bearer(req.authorization), req.realmId);
  const company = core.companies.get(req.realmId);
  if (!auth.ok || !company) {
    const detail = auth.ok ? `Unknown realm ${req.realmId}` : auth.detail;
    return outcome(401, authenticationFailedBody(detail, core.clock.now()), undefined, { headers: AUTHENTICATION_FAILED_HEADERS });
  }
  let op: Operation;
  try {
    op = classify(core, req);
  } catch (error) {
    if (error instanceof QboFault) return outcome(error.status, error.timed ? withTime(error.body) : error.body);
    throw error;
  }
  const release = core.limiter.admit(req.realmId, op.batch);
  if (!release) return outcome(429, withTime(faults.throttled().body), op);
  try {
    const decision = core.injector.decide(op.key);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.answer === '429') return outcome(429, withTime(faults.throttled().body), op);
    if (decision.answer === '5xx') return outcome(decision.status5xx, withTime(faults.system(decision.status5xx).body), op);
    const result = execute(core, company, op, req);
    return outcome(result.status, result.body, op, { replayed: result.replayed, drop: decision.answer === 'drop' });
  } finally {
    release();
  }
}

function execute(
  core: QboEmulatorCore,
  company: Company,
  op: Operation,
  req: V3Request,
): { status: number; body: unknown; replayed: boolean } {
  const requestId = req.method === 'POST' ? req.url.searchParams.get('requestid') : null;
  const ctx: RuleContext = {
    company,
    clock: core.clock,
    schema: core.schema,
    allowDuplicateDocNum: includes(req.url, 'allowduplicatedocnum'),
    hidden: new Set(),
    taxDelta: (key) => core.injector.taxDelta(key),
  };
  if (requestId !== null) {
    const max = op.batch ? MAX_BATCH_REQUEST_ID : MAX_REQUEST_ID;
    if (requestId.length > max) {
      const fault = faults.stringLength('requestid', max, requestId.length);
      return { status: fault.status, body: { ...fault.body, time: core.clock.responseTime() }, replayed: false };
    }
    const stored = company.state.requestIds[requestId];
    if (stored) return { ...stored, replayed: true };
  }
  let result: { status: number; body: unknown };
  try {
    result = { status: 200, body: op.run(ctx, company) };
  } catch (error) {
    if (!(error instanceof QboFault)) throw error;
    result = { status: error.status, body: error.timed ? { ...error.body, time: core.clock.responseTime() } : error.body };
  }
  if (requestId !== null) company.state.requestIds[requestId] = result;
  return { ...result, replayed: false };
}
