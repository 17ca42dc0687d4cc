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

export function toApplicationFailure(err: unknown): unknown {
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
