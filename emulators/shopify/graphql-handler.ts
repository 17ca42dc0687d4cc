// POST /admin/api/<version>/graphql.json: faults, validation, cost and throttling (docs/shopify-facts.md §1),
// execution with the emulator's resolvers, the `extensions.cost` block on every response.
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type DocumentNode,
  execute,
  getOperationAST,
  getVariableValues,
  type GraphQLError,
  Kind,
  type OperationDefinitionNode,
  parse,
  validate,
} from 'graphql';
import { actualQueryCost, requestedQueryCost } from './cost';
import type { EmulatorCore, RequestLogEntry } from './emulator';
import { typeResolver } from './field-resolver';
import { loadAdminSchema } from './schema';
import type { ShopState } from './state';
import { giveBack, take, throttleStatus } from './throttle';

export interface GraphqlRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

// graphql-js validation messages mapped to the codes Shopify's (graphql-ruby) errors carry.
const VALIDATION_CODES: [RegExp, string][] = [
  [/^Cannot query field/, 'undefinedField'],
  [/^Unknown argument/, 'argumentNotAccepted'],
  [/^Field ".*" argument ".*" of type ".*" is required/, 'missingRequiredArguments'],
  [/^Unknown type/, 'undefinedType'],
  [/^Variable ".*" is never used/, 'variableNotUsed'],
  [/^Variable ".*" is not defined/, 'undefinedVariable'],
  [/must have a selection of subfields/, 'selectionMismatch'],
];

function shopifyError(err: GraphQLError, fallbackCode: string): Record<string, unknown> {
  const json = err.toJSON() as { message: string; locations?: unknown; path?: unknown; extensions?: Record<string, unknown> };
  const code = json.extensions?.code ?? VALIDATION_CODES.find(([re]) => re.test(err.message))?.[1] ?? fallbackCode;
  return { ...json, extensions: { ...json.extensions, code } };
}

function rootFieldNames(op: OperationDefinitionNode | null | undefined): string[] {
  return (op?.selectionSet.selections ?? []).flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
}

export async function handleGraphql(
  core: EmulatorCore,
  res: ServerResponse,
  shop: ShopState,
  apiVersion: string,
  body: GraphqlRequest,
): Promise<void> {
  const schema = loadAdminSchema(apiVersion);
  const bucket = shop.bucket;
  const entry: RequestLogEntry = {
    time: core.now().toISOString(),
    shop: shop.domain,
    operationName: typeof body.operationName === 'string' ? body.operationName : null,
    rootFields: [],
    requestedQueryCost: null,
    actualQueryCost: null,
    status: 200,
    throttled: false,
    fault: null,
  };
  const cost = (requested: number, actual: number | null) => ({
    cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: throttleStatus(bucket) },
  });
  const reply = (status: number, payload: unknown, headers?: Record<string, string>): void => {
    entry.status = status;
    core.log(entry);
    sendJson(res, status, payload, headers);
  };
  if (typeof body.query !== 'string' || !body.query.trim()) {
    return reply(400, { errors: { query: 'Required parameter missing or invalid' } });
  }
  let document: DocumentNode;
  try {
    document = parse(body.query);
  } catch (err) {
    return reply(200, { errors: [shopifyError(err as GraphQLError, 'SYNTAX_ERROR')], extensions: cost(0, 0) });
  }
  const op = getOperationAST(document, entry.operationName ?? undefined);
  entry.operationName ??= op?.name?.value ?? null;
  entry.rootFields = rootFieldNames(op);

  const fault = core.faults.decide(entry.rootFields);
  if (fault.latencyMs > 0) await sleep(fault.latencyMs);
  if (fault.status === 500) {
    entry.fault = '5xx';
    return reply(500, {
      errors: [{ message: 'Internal error. Looks like something went wrong on our end.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
  }
  if (fault.status === 429) {
    entry.fault = '429';
    return reply(
      429,
      { errors: 'Exceeded the rate limit for this app. Retry after the delay in Retry-After.' },
      { 'Retry-After': String(fault.retryAfterSeconds ?? 1) },
    );
  }

  const invalid = validate(schema, document);
  if (invalid.length > 0 || !op) {
    const errors =
      invalid.length > 0
        ? invalid.map((e) => shopifyError(e, 'GRAPHQL_VALIDATION_FAILED'))
        : [{ message: 'An operation name is required when the document holds several operations.', extensions: { code: 'BAD_REQUEST' } }];
    return reply(200, { errors, extensions: cost(0, 0) });
  }
  const coerced = getVariableValues(schema, op.variableDefinitions ?? [], (body.variables ?? {}) as Record<string, unknown>);
  if (coerced.errors) return reply(200, { errors: coerced.errors.map((e) => shopifyError(e, 'INVALID_VARIABLE')), extensions: cost(0, 0) });

  const requested = requestedQueryCost(schema, document, op, coerced.coerced);
  entry.requestedQueryCost = requested;
  const maxCost = core.opts.maxQueryCost;
  if (requested > maxCost) {
    const message =
      `Query cost is ${requested}, which exceeds the single query max cost limit (${maxCost}).\n\n` +
      'See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\n' +
      'To query larger amounts of data with fewer limits, bulk operations should be used instead.\n' +
      'See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n';
    return reply(200, {
      errors: [{ message, extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost } }],
      extensions: cost(requested, null),
    });
  }
  const nowMs = core.now().getTime();
  if (core.opts.throttling && !take(bucket, requested, nowMs)) {
    entry.throttled = true;
    return reply(200, {
      errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
      extensions: cost(requested, null),
    });
  }

  const result = await execute({
    schema,
    document,
    rootValue: {},
    operationName: op.name?.value,
    variableValues: coerced.coerced,
    contextValue: core.context(shop, schema, apiVersion),
    fieldResolver: core.fieldResolver,
    typeResolver,
  });
  const actual = Math.min(requested, actualQueryCost(schema, document, op, coerced.coerced, result.data as Record<string, unknown> | null));
  entry.actualQueryCost = actual;
  if (core.opts.throttling) giveBack(bucket, requested - actual, core.now().getTime());
  if (fault.drop) {
    // Commit-then-drop: the operation has been applied; the client never hears back.
    entry.fault = 'drop';
    entry.status = 0;
    core.log(entry);
    res.socket?.destroy();
    return;
  }
  const payload: Record<string, unknown> = {};
  if (result.errors?.length) payload.errors = result.errors.map((e) => shopifyError(e, 'INTERNAL_SERVER_ERROR'));
  payload.data = result.data ?? null;
  payload.extensions = cost(requested, actual);
  return reply(200, payload);
}
