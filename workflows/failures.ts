/**
 * Temporal wraps failures: a child workflow's failure holds the activity failure, which holds the
 * application failure an activity threw (temporal/interceptors.ts). People and the store loop need the
 * innermost one: its type (e.g. QboConnectionRevokedError) and its message.
 */
import { ActivityFailure, ChildWorkflowFailure } from '@temporalio/workflow';

export function innermostCause(err: unknown): unknown {
  let current = err;
  while ((current instanceof ChildWorkflowFailure || current instanceof ActivityFailure) && current.cause) current = current.cause;
  return current;
}

/** "syncOrdersFromBulk: QBO rejected …" rather than Temporal's generic "Activity task failed". */
export function readableError(err: unknown): string {
  let activityType: string | undefined;
  for (let c: unknown = err; c instanceof ChildWorkflowFailure || c instanceof ActivityFailure; c = c.cause) {
    if (c instanceof ActivityFailure) activityType = c.activityType;
  }
  const cause = innermostCause(err);
  const message = cause instanceof Error ? cause.message : String(cause);
  return activityType ? `${activityType}: ${message}` : message;
}
