/**
 * Turns Ledgerline's typed errors into Temporal ApplicationFailures at the activity boundary (docs/conventions.md
 * "Errors"): the failure type is the error's name (what retry policies' nonRetryableErrorTypes list),
 * `retryable: false` becomes non-retryable, and a rate limit's `retryAfterMs` becomes the next retry's
 * delay — QBO says "wait 60 seconds" after a 429 (docs/qbo-facts.md §1), Shopify says how long its bucket needs.
 * Only the message and the error's safe details cross into workflow history; causes (HTTP responses,
 * which may quote tokens) are dropped.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, WorkerInterceptors } from '@temporalio/worker';
import { isLedgerlineError } from '../domain/errors';

/**
 * PostgreSQL error classes (SQLSTATE's first two characters) that retrying cannot fix: data exception
 * (22: a value out of range, bad encoding), integrity constraint violation (23), syntax error or
 * access rule violation (42), feature not supported (0A). Retrying those would fail the same way for
 * as long as the retry policy allows; they fail the activity at once with the database's message.
 * Connection, serialization, deadlock and resource errors (08, 40, 53, 57) stay retryable.
 * https://www.postgresql.org/docs/15/errcodes-appendix.html
 */
const PERMANENT_SQLSTATE_CLASSES = new Set(['22', '23', '42', '0A']);

/** The SQLSTATE of a PostgreSQL or PGlite error, or of the one a query builder wrapped. */
function sqlState(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export function toApplicationFailure(err: unknown): unknown {
  const state = isLedgerlineError(err) ? undefined : sqlState(err);
  if (state && PERMANENT_SQLSTATE_CLASSES.has(state.slice(0, 2))) {
    const inner = (err as { cause?: { message?: string } }).cause?.message;
    return ApplicationFailure.create({
      type: 'DatabaseRejectedError',
      message: `The database refused the write (SQLSTATE ${state}): ${inner ?? (err as Error).message}`,
      nonRetryable: true,
      details: [{ code: 'database_rejected', sqlState: state }],
    });
  }
  if (!isLedgerlineError(err)) return err;
  return ApplicationFailure.create({
    type: err.name,
    message: err.message,
    nonRetryable: !err.retryable,
    ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
    details: [{ code: err.code }],
  });
}

class LedgerlineErrorsInterceptor implements ActivityInboundCallsInterceptor {
  async execute(
    input: Parameters<NonNullable<ActivityInboundCallsInterceptor['execute']>>[0],
    next: Parameters<NonNullable<ActivityInboundCallsInterceptor['execute']>>[1],
  ): Promise<unknown> {
    try {
      return await next(input);
    } catch (err) {
      throw toApplicationFailure(err);
    }
  }
}

export const ledgerlineInterceptors: WorkerInterceptors = {
  activity: [() => ({ inbound: new LedgerlineErrorsInterceptor() })],
};
