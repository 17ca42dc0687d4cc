/**
 * node-quickbooks failures as Ledgerline's typed errors (docs/qbo-facts.md §6 "Error shapes", §7 Fault codes):
 * - HTTP ≥ 400: the AxiosError, with `response.status` and `response.data.Fault` (or, for an expired
 *   token, the lower-case `{ fault: { error: [...] } }` shape);
 * - HTTP 200 whose body holds a `Fault`: the body itself;
 * - no response: an AxiosError with a network `code` (ECONNRESET, ECONNREFUSED, …);
 * - batch items: `{ bId, Fault }` inside a successful batch answer.
 * QBO's code, message and detail are kept; the AxiosError itself is never attached, because its
 * `config.headers` carry the bearer token.
 */
import { LedgerlineError, QboAuthError, QboThrottledError, QboValidationError, TransientUpstreamError } from '../../domain/errors';

export interface QboFaultError {
  code: string;
  message: string;
  detail?: string;
  element?: string;
}

export interface QboFault {
  type: string;
  errors: QboFaultError[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Reads either Fault shape: `{ Fault: { Error: [{ Message, Detail, code }] } }` or `{ fault: { error: [{ message, detail, code }] } }`. */
export function readFault(body: unknown): QboFault | undefined {
  if (!isObject(body)) return undefined;
  const fault = body.Fault ?? body.fault;
  if (!isObject(fault)) return undefined;
  const list = fault.Error ?? fault.error;
  const errors = (Array.isArray(list) ? list : []).filter(isObject).map((e): QboFaultError => {
    const out: QboFaultError = { code: String(e.code ?? ''), message: str(e.Message) ?? str(e.message) ?? 'QBO fault' };
    const detail = str(e.Detail) ?? str(e.detail);
    const element = str(e.element);
    if (detail) out.detail = detail;
    if (element) out.element = element;
    return out;
  });
  return { type: String(fault.type ?? ''), errors };
}

export interface QboCallContext {
  realmId: string;
  /** e.g. `create SalesReceipt`, `batch`, `query Item`. */
  operation: string;
}

function faultDetails(fault: QboFault, ctx: QboCallContext, status: number | undefined): Json {
  const first = fault.errors[0];
  return {
    realmId: ctx.realmId,
    operation: ctx.operation,
    status,
    faultType: fault.type,
    code: first?.code,
    message: first?.message,
    detail: first?.detail,
    element: first?.element,
    errors: fault.errors,
  };
}

const THROTTLE_CODES = new Set(['003001', '3001']);
const AUTH_CODES = new Set(['003200', '3200']);

/** Classifies a Fault by its type and code (used for HTTP-200 Faults and batch items). */
export function faultToError(fault: QboFault, ctx: QboCallContext, status?: number): LedgerlineError {
  const codes = fault.errors.map((e) => e.code);
  const first = fault.errors[0];
  if (status === 429 || codes.some((c) => THROTTLE_CODES.has(c)))
    return new QboThrottledError(`QBO throttled ${ctx.operation} for realm ${ctx.realmId}`);
  // docs/qbo-facts.md §7: the 401 detail ("Token expired: …") is left out of the message on purpose.
  if (status === 401 || /^auth/i.test(fault.type) || codes.some((c) => AUTH_CODES.has(c))) {
    return new QboAuthError(`QBO rejected the access token for realm ${ctx.realmId} (${first?.code ?? '401'})`);
  }
  if ((status !== undefined && status >= 500) || /^system/i.test(fault.type)) {
    return new TransientUpstreamError(`QBO failed ${ctx.operation}: ${first?.message ?? 'system fault'}`, faultDetails(fault, ctx, status));
  }
  const text = fault.errors.map((e) => `${e.code} ${e.message}${e.detail ? `: ${e.detail}` : ''}`).join('; ');
  return new QboValidationError(`QBO rejected ${ctx.operation}: ${text || 'fault without errors'}`, faultDetails(fault, ctx, status));
}

/** Turns whatever node-quickbooks handed its callback as `err` into a typed error. */
export function classifyQboError(err: unknown, ctx: QboCallContext): LedgerlineError {
  if (err instanceof LedgerlineError) return err;
  const where = { realmId: ctx.realmId, operation: ctx.operation };
  if (isObject(err) && err.isAxiosError === true) {
    const response = isObject(err.response) ? err.response : undefined;
    const status = typeof response?.status === 'number' ? response.status : undefined;
    if (status === undefined) {
      return new TransientUpstreamError(`QBO ${ctx.operation} got no response (${str(err.code) ?? str(err.message) ?? 'network error'})`, {
        ...where,
        networkCode: str(err.code),
      });
    }
    const fault = readFault(response?.data);
    if (fault) return faultToError(fault, ctx, status);
    if (status === 429) return new QboThrottledError(`QBO throttled ${ctx.operation} for realm ${ctx.realmId}`);
    if (status === 401) return new QboAuthError(`QBO rejected the access token for realm ${ctx.realmId} (HTTP 401)`);
    if (status >= 500) return new TransientUpstreamError(`QBO answered ${ctx.operation} with HTTP ${status}`, { ...where, status });
    // 403 (the app is not authorised for this company) and other statuses: a person must look.
    return new LedgerlineError('qbo_request_failed', `QBO answered ${ctx.operation} with HTTP ${status}`, false, {
      details: { ...where, status },
    });
  }
  const fault = readFault(err);
  if (fault) return faultToError(fault, ctx, 200);
  // Anything else is a fault of ours (a bad argument to node-quickbooks): retrying cannot help.
  const message = err instanceof Error ? err.message : String(err);
  return new LedgerlineError('qbo_client_error', `QBO ${ctx.operation} failed in the client: ${message}`, false, { details: where });
}
