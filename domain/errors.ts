/**
 * Ledgerline's typed error taxonomy (docs/conventions.md "Errors"). Every error carries `name` (the Temporal
 * ApplicationFailure type), a stable `code`, whether retrying can help, and for rate limits the delay.
 * One interceptor turns these into ApplicationFailures; nothing is stringified into a generic failure.
 */

export interface LedgerlineErrorOptions {
  retryAfterMs?: number;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class LedgerlineError extends Error {
  override readonly name: string = 'LedgerlineError';
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, retryable: boolean, options: LedgerlineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = retryable;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.details !== undefined) this.details = options.details;
  }
}

export function isLedgerlineError(error: unknown): error is LedgerlineError {
  return error instanceof LedgerlineError;
}

/** Input that can never become valid by retrying (malformed money, bad settings, bad ids). */
export class InvalidInputError extends LedgerlineError {
  override readonly name: string = 'InvalidInputError';
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_input', message, false, details === undefined ? {} : { details });
  }
}

export interface SettingsIssue {
  /** Dotted path of the offending field, e.g. `accounts.productIncome` or `gateways.byName.paypal`. */
  path: string;
  message: string;
}

/** `PUT /stores/:id/settings` rejects with these issues (400). */
export class SettingsValidationError extends LedgerlineError {
  override readonly name: string = 'SettingsValidationError';
  readonly issues: SettingsIssue[];
  constructor(issues: SettingsIssue[]) {
    super('invalid_settings', `Invalid settings: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, false, {
      details: { issues },
    });
    this.issues = issues;
  }
}

/** QBO rejected the document (ValidationFault, HTTP 400): parks only that document (invariant 5). */
export class QboValidationError extends LedgerlineError {
  override readonly name: string = 'QboValidationError';
  constructor(message: string, details?: Record<string, unknown>) {
    super('qbo_validation', message, false, details === undefined ? {} : { details });
  }
}

/** docs/qbo-facts.md §1: on HTTP 429 Intuit says "wait 60 seconds before retrying". */
export const QBO_THROTTLE_RETRY_AFTER_MS = 60_000;

export class QboThrottledError extends LedgerlineError {
  override readonly name: string = 'QboThrottledError';
  constructor(message = 'QBO throttled the request (HTTP 429)', retryAfterMs = QBO_THROTTLE_RETRY_AFTER_MS) {
    super('qbo_throttled', message, true, { retryAfterMs });
  }
}

/** HTTP 401: the access token expired (docs/qbo-facts.md §3); refresh it, then retry. */
export class QboAuthError extends LedgerlineError {
  override readonly name: string = 'QboAuthError';
  constructor(message = 'QBO access token rejected (HTTP 401)') {
    super('qbo_auth', message, true);
  }
}

/** `invalid_grant` on refresh: the refresh token is gone; the store becomes disconnected. */
export class QboConnectionRevokedError extends LedgerlineError {
  override readonly name: string = 'QboConnectionRevokedError';
  constructor(message = 'QBO refresh token is no longer valid (invalid_grant); reconnect the company') {
    super('qbo_connection_revoked', message, false);
  }
}

export interface ShopifyThrottleStatus {
  requestedQueryCost: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** docs/shopify-facts.md §1: wait (requestedQueryCost − currentlyAvailable) / restoreRate seconds. */
export function shopifyRetryAfterMs(status: ShopifyThrottleStatus): number {
  const missing = Math.max(0, status.requestedQueryCost - status.currentlyAvailable);
  const rate = status.restoreRate > 0 ? status.restoreRate : 1;
  return Math.max(1000, Math.ceil((missing / rate) * 1000));
}

export class ShopifyThrottledError extends LedgerlineError {
  override readonly name: string = 'ShopifyThrottledError';
  constructor(retryAfterMs: number, details?: Record<string, unknown>) {
    super('shopify_throttled', `Shopify throttled the query; retry in ${retryAfterMs} ms`, true, {
      retryAfterMs,
      ...(details === undefined ? {} : { details }),
    });
  }

  static fromCost(status: ShopifyThrottleStatus): ShopifyThrottledError {
    return new ShopifyThrottledError(shopifyRetryAfterMs(status), { ...status });
  }
}

/** HTTP 401/403 from Shopify: the access token is invalid or lacks a scope; a person must fix it. */
export class ShopifyAuthError extends LedgerlineError {
  override readonly name: string = 'ShopifyAuthError';
  constructor(message = 'Shopify rejected the access token') {
    super('shopify_auth', message, false);
  }
}

export type MappingNeedKind = 'item' | 'customer' | 'categoryItem' | 'taxCode' | 'taxRate' | 'exemptTaxCode';

export interface MappingNeed {
  kind: MappingNeedKind;
  /** What must be mapped, readable by a bookkeeper: `tax line "GST" 5%`, `SKU TEE-BLU-M`. */
  key: string;
}

/** The document cannot be built until someone maps something; parks the document with what is missing. */
export class NeedsMappingError extends LedgerlineError {
  override readonly name: string = 'NeedsMappingError';
  readonly needs: MappingNeed[];
  constructor(needs: MappingNeed[]) {
    const unique = needs.filter((n, i) => needs.findIndex((m) => m.kind === n.kind && m.key === n.key) === i);
    super('needs_mapping', `Needs mapping: ${unique.map((n) => `${n.kind} ${n.key}`).join('; ')}`, false, {
      details: { needs: unique },
    });
    this.needs = unique;
  }
}

/** An order Ledgerline cannot express as one correct QBO document (e.g. split tender); parks it. */
export class UnsupportedOrderError extends LedgerlineError {
  override readonly name: string = 'UnsupportedOrderError';
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, false, details === undefined ? {} : { details });
  }
}

/** HTTP 5xx or a network failure on either side; Temporal's retry policy owns the backoff. */
export class TransientUpstreamError extends LedgerlineError {
  override readonly name: string = 'TransientUpstreamError';
  constructor(message: string, details?: Record<string, unknown>) {
    super('transient_upstream', message, true, details === undefined ? {} : { details });
  }
}

/** A Shopify bulk operation that ended without a result (failed, cancelled, expired): the run fails. */
export class BulkOperationFailedError extends LedgerlineError {
  override readonly name: string = 'BulkOperationFailedError';
  constructor(message: string) {
    super('bulk_operation_failed', message, false);
  }
}

/** A bulk operation still running: a retryable failure, so Temporal's retry policy does the polling. */
export class BulkNotReadyError extends LedgerlineError {
  override readonly name: string = 'BulkNotReadyError';
  constructor(status: string) {
    super('bulk_not_ready', `The Shopify bulk operation is ${status}; checking again`, true);
  }
}

/**
 * Another Temporal execution is writing this store's documents (its lease runs until `until`): this
 * attempt waits (a retryable failure, retried after the lease would lapse) instead of writing beside it.
 */
export class StoreBusyError extends LedgerlineError {
  override readonly name: string = 'StoreBusyError';
  constructor(storeId: string, holder: string, retryAfterMs: number) {
    super('store_busy', `Store ${storeId} is being written by ${holder || 'another run'}; waiting for it to finish`, true, {
      retryAfterMs,
      details: { storeId, holder },
    });
  }
}

/** An activity named a store that is not (or no longer) in the database: retrying cannot help. */
export class StoreNotFoundError extends LedgerlineError {
  override readonly name: string = 'StoreNotFoundError';
  constructor(storeId: string) {
    super('store_not_found', `No store ${storeId} is connected`, false, { details: { storeId } });
  }
}

/**
 * A request Shopify refused for a reason retrying cannot fix: a GraphQL error in our document (bad
 * field, MAX_COST_EXCEEDED, …), an unexpected HTTP status, a bulk query Shopify rejected.
 */
export class ShopifyRequestError extends LedgerlineError {
  override readonly name: string = 'ShopifyRequestError';
  constructor(message: string, details: Record<string, unknown>, retryable = false, retryAfterMs?: number) {
    super('shopify_request', message, retryable, { details, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
}
