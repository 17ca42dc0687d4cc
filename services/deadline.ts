import { isGrpcServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
/**
 * Deadlines on calls that answer an HTTP request: a caller (Shopify's webhook sender wants an answer
 * within 5 s, docs/shopify-facts.md §4; a health probe; a merchant waiting on a page) gets an answer in
 * time even when Temporal or the database hangs.
 */

/** A Temporal call made while a request waits: one round trip, or a query a worker answers. */
export const TEMPORAL_CALL_TIMEOUT_MS = 3_000;

/** `p`, or a rejection saying what did not answer within `ms`; the timer never outlives the race. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** gRPC's DEADLINE_EXCEEDED (https://grpc.io/docs/guides/status-codes/). */
const GRPC_DEADLINE_EXCEEDED = 4;
/** What a call cut short by the client's own deadline may end with instead, on a loaded machine. */
const GRPC_CANCELLED = 1;

/**
 * Did a Temporal call run out of time? The SDK wraps the gRPC error (a query's is "Failed to query Workflow"), so
 * the causes are looked at too.
 */
export function temporalTimedOut(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e) && (e.code === GRPC_DEADLINE_EXCEEDED || e.code === GRPC_CANCELLED)) return true;
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    // The server's own words when a query found no worker in time ("query timed out before a worker could process it").
    if (e instanceof Error && /deadline|did not answer|timed out/i.test(e.message)) return true;
  }
  return false;
}

/**
 * An error's message with its causes' ("Failed to query Workflow: 9 FAILED_PRECONDITION: …"): the SDK's own message
 * alone does not say what the server answered.
 */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const message = e instanceof Error ? e.message : String(e);
    if (message && !parts.includes(message)) parts.push(message);
  }
  return parts.join(': ');
}
