/**
 * One strict parser and one error shape for everything the API refuses (issue #13 defect 8).
 *
 * - No type coercion: Ajv runs with `coerceTypes: false`, so `"shopDomain": ["x"]` or `"reason": 5` is a 400,
 *   not silently turned into a string. Query-string values are text by nature: an integer parameter is
 *   converted only from plain decimal digits (`wait=5`, not `wait=0x5`, `wait=5e0` or `wait=5&wait=6`), before
 *   validation, and anything else fails the schema.
 * - Every 4xx has the body `{ error: { code, message, details? } }`: schema failures are `invalid_request`
 *   with `details.issues` (`{ path, message }`, like `invalid_settings`) and `details.field`, the first path;
 *   Fastify's own refusals (bad JSON, wrong content type, too large, a bad URL, an over-long path segment) get
 *   stable snake_case codes instead of Fastify's `FST_…` ones and its own body.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** Strict decimal: what `?limit=` may hold to become an integer. */
const DECIMAL = /^(0|[1-9][0-9]{0,14})$/;

interface ObjectSchema {
  properties?: Record<string, { type?: unknown }>;
}

const isInteger = (s: { type?: unknown } | undefined): boolean =>
  s?.type === 'integer' || s?.type === 'number' || (Array.isArray(s?.type) && (s.type.includes('integer') || s.type.includes('number')));

/** preValidation: turns the route's integer query parameters from decimal text into numbers. */
export async function queryIntegers(req: FastifyRequest): Promise<void> {
  const schema = req.routeOptions.schema?.querystring as ObjectSchema | undefined;
  const query = req.query as Record<string, unknown> | undefined;
  if (!schema?.properties || !query || typeof query !== 'object') return;
  for (const [name, prop] of Object.entries(schema.properties)) {
    const v = query[name];
    if (isInteger(prop) && typeof v === 'string' && DECIMAL.test(v)) query[name] = Number(v);
  }
}

interface AjvError {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** Schema failures as `{ path, message }`, the path dotted from the request part (`body.qbo.realmId`). */
export function validationIssues(errors: unknown, context: string | undefined): Array<{ path: string; message: string }> {
  if (!Array.isArray(errors)) return [];
  return (errors as AjvError[]).map((e) => {
    const segments = (e.instancePath ?? '')
      .split('/')
      .filter(Boolean)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const extra = e.params?.missingProperty ?? e.params?.additionalProperty;
    if (typeof extra === 'string') segments.push(extra);
    return { path: [context ?? 'request', ...segments].join('.'), message: e.message ?? 'is invalid' };
  });
}

/** Fastify's own refusals, by their error code, as the API's codes. */
const FRAMEWORK_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_TYPE: 'bad_request',
  FST_ERR_BAD_URL: 'bad_url',
  FST_ERR_MAX_PARAM_LENGTH: 'invalid_request',
  FST_ERR_ASYNC_CONSTRAINT: 'bad_request',
};

/** The API's code for a 4xx Fastify or a plugin raised. */
export function clientErrorCode(err: { code?: string; statusCode?: number }): string {
  if (err.code && FRAMEWORK_CODES[err.code]) return FRAMEWORK_CODES[err.code]!;
  if (err.statusCode === 413) return 'body_too_large';
  if (err.statusCode === 415) return 'unsupported_media_type';
  if (err.code && /^[a-z][a-z0-9_]*$/.test(err.code)) return err.code;
  return 'bad_request';
}

/** Fastify's `frameworkErrors`: errors raised before routing (a bad URL, an over-long path segment). */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const message =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path segment (a store id or another id) is too long' : err.message || 'Bad request';
  void reply.status(400).send({ error: { code: clientErrorCode(err), message } });
}
