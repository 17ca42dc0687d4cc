/**
 * Bounded retry of one upstream call (a QBO request, a Shopify GraphQL request) inside an activity attempt.
 *
 * One sync activity makes dozens of calls; without this, a single transient fault among them fails the whole
 * attempt and Temporal repeats all of it after its backoff (docs/CHAOS.md "Results"). Here a transient fault is
 * tried again a few times with jittered exponential backoff, never sooner than the service asked (Retry-After,
 * Shopify's throttle answer, QBO's throttle wait), heartbeating while waiting. After the bound, or when the
 * service asks for a longer wait than the bound allows, the error goes on to Temporal unchanged.
 *
 * What is retried (docs/conventions.md "Errors"):
 * - only TransientUpstreamError (5xx, no answer, timeout, a broken download), QboThrottledError and
 *   ShopifyThrottledError. Validation, auth (the QBO client's 401 refresh runs outside this), business errors and
 *   everything else are thrown at once;
 * - a call that may be repeated (`repeatable`: reads, queries, a QBO write carrying a requestid, which QBO
 *   answers with its first answer, docs/qbo-facts.md §2, a Shopify mutation with `@idempotent`) is retried on
 *   any of those;
 * - a write that may not be repeated (`once`: a QBO batch with writes, which cannot carry a requestid, a write
 *   without one, a Shopify mutation without an idempotency key) only when the service certainly did not perform
 *   it: a throttle answer (429 / THROTTLED), HTTP 503, or a connection that was refused. A 500/502/504, a dropped
 *   connection or a timeout may follow a commit: that attempt fails as before, and the ledger's `pending` rows
 *   settle it on the next one.
 */
import { type LedgerlineError, QboThrottledError, ShopifyThrottledError, TransientUpstreamError } from '../domain/errors';

export type CallSafety = 'repeatable' | 'once';

export interface CallRetryPolicy {
  /** Sends per call, the first included (default 4). */
  attempts?: number;
  /** The first backoff's ceiling (default 500 ms); each further backoff doubles it, up to `maxDelayMs`. */
  baseDelayMs?: number;
  /** Ceiling of one backoff (default 10 s). */
  maxDelayMs?: number;
  /** A wait the service asks for beyond this (e.g. QBO's 60 s after a 429 on a slow clock) goes to Temporal (default 60 s). */
  maxWaitMs?: number;
  /** Called before and during each wait (every `heartbeatEveryMs`): the activity's heartbeat. */
  onWait?: (info: RetryWait) => void;
  heartbeatEveryMs?: number;
  /** The attempt's cancellation: a wait ends at once and the call is not sent again. */
  signal?: AbortSignal;
  /** Tests: a deterministic jitter source in [0, 1). */
  random?: () => number;
}

export interface RetryWait {
  operation: string;
  /** The send that failed (1-based). */
  attempt: number;
  waitMs: number;
  code: string;
}

export const DEFAULT_CALL_ATTEMPTS = 4;
const DEFAULT_BASE_DELAY_MS = 500;
const DEFAULT_MAX_DELAY_MS = 10_000;
const DEFAULT_MAX_WAIT_MS = 60_000;
const DEFAULT_HEARTBEAT_EVERY_MS = 5_000;

/** Errors whose cause is on the wire or at the service, not in what was sent. */
function isTransient(err: unknown): err is LedgerlineError {
  return err instanceof TransientUpstreamError || err instanceof QboThrottledError || err instanceof ShopifyThrottledError;
}

/**
 * The service answered that it did not perform the request (throttled: 429, THROTTLED), or it was never reached
 * (connection refused). Not a 503: a gateway may answer it after the service behind it committed, so a write without
 * a requestid is left to the ledger's pending rows, which search before any second create.
 */
function certainlyNotPerformed(err: LedgerlineError): boolean {
  if (err instanceof QboThrottledError || err instanceof ShopifyThrottledError) return true;
  if (err.details?.status === 429) return true;
  return err.details?.networkCode === 'ECONNREFUSED';
}

/** Whether a failed call of this kind may be sent again within the attempt. */
export function mayRetryCall(err: unknown, safety: CallSafety): err is LedgerlineError {
  if (!isTransient(err)) return false;
  return safety === 'repeatable' || certainlyNotPerformed(err);
}

/** The wait before send `attempt + 1`: full jitter under an exponential ceiling, never less than the service asked. */
export function retryDelayMs(err: LedgerlineError, attempt: number, policy: CallRetryPolicy = {}): number {
  const base = policy.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const cap = policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const random = policy.random ?? Math.random;
  const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
  const backoff = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  const asked = err.retryAfterMs ?? 0;
  // A little jitter on top of an asked-for wait, so calls throttled together do not return together.
  return asked > 0 ? asked + Math.round(random() * Math.min(base, asked / 10)) : backoff;
}

function wait(ms: number, signal: AbortSignal | undefined, tick: () => void, everyMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const ticker = setInterval(tick, everyMs);
    const done = (): void => {
      clearTimeout(timer);
      clearInterval(ticker);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      done();
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `send` and, on a transient failure the call's safety allows, sends it again after a wait, up to the
 * policy's bound. Without a policy (`undefined`), `send` runs once: callers outside activities keep failing fast.
 */
export async function withCallRetry<T>(
  policy: CallRetryPolicy | undefined,
  call: { operation: string; safety: CallSafety },
  send: () => Promise<T>,
): Promise<T> {
  if (!policy) return send();
  const attempts = Math.max(1, policy.attempts ?? DEFAULT_CALL_ATTEMPTS);
  const maxWaitMs = policy.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (attempt >= attempts || !mayRetryCall(err, call.safety) || policy.signal?.aborted) throw err;
      // A wait the service asks for beyond the bound is Temporal's to keep (the jitter on top does not count).
      if ((err.retryAfterMs ?? 0) > maxWaitMs) throw err;
      const waitMs = retryDelayMs(err, attempt, policy);
      await pauseBeforeRetry(policy, { operation: call.operation, attempt, waitMs, code: err.code });
    }
  }
}

/** The wait before a send again, heartbeating through `onWait`; ends early (rejecting) when the attempt is cancelled. */
export function pauseBeforeRetry(policy: CallRetryPolicy, info: RetryWait): Promise<void> {
  const tick = (): void => policy.onWait?.(info);
  tick();
  return wait(info.waitMs, policy.signal, tick, policy.heartbeatEveryMs ?? DEFAULT_HEARTBEAT_EVERY_MS);
}
