/**
 * Rate limits on the API (issue #13 defect 10), with @fastify/rate-limit (the Fastify team's plugin):
 * every client address gets a request budget per minute, the webhook receiver its own larger one
 * (Shopify delivers bursts: a bulk edit of a thousand orders is a thousand deliveries), and failed
 * bearer-token checks a small one, after which the address is refused before its token is even compared.
 * A refused request is a 429 with Retry-After (seconds) and the API's one error body.
 *
 * The budgets are per process and keyed by the client address Fastify sees: behind a reverse proxy that
 * is the proxy's, so run one API process per proxy or let the proxy limit (README "Operating it").
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './errors';

export interface RateLimits {
  /** Requests per client address per window on every route but the webhook receiver. */
  max: number;
  /** Deliveries per client address per window on POST /webhooks/shopify. */
  webhookMax: number;
  /** Failed bearer-token checks per client address per window before the address is refused. */
  authFailuresMax: number;
  windowMs: number;
}

/** 10 requests/s sustained per address is far above what an operator or a dashboard sends; 600 wrong tokens in 0.7 s is not. */
export const DEFAULT_RATE_LIMITS: RateLimits = { max: 600, webhookMax: 3000, authFailuresMax: 20, windowMs: 60_000 };

function tooManyRequests(retryAfterSeconds: number, what: string): HttpError {
  return new HttpError(429, 'rate_limited', `Too many ${what} from this address; retry in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });
}

/** Registers the global limit; returns the auth-failure limiter the secured routes use. */
export async function registerRateLimits(
  app: FastifyInstance,
  limits: RateLimits,
): Promise<{ authBlocked(req: FastifyRequest): Promise<HttpError | undefined>; authFailed(req: FastifyRequest): Promise<void> }> {
  await app.register(rateLimit, {
    global: true,
    max: limits.max,
    timeWindow: limits.windowMs,
    // Thrown to the app's error handler, which answers the one error body; the plugin has already set Retry-After.
    errorResponseBuilder: (_req, ctx) => tooManyRequests(Math.max(1, Math.ceil(ctx.ttl / 1000)), 'requests'),
  });
  const failures = app.createRateLimit({
    max: limits.authFailuresMax,
    timeWindow: limits.windowMs,
    keyGenerator: (req) => `auth-failure:${req.ip}`,
  });
  return {
    async authBlocked(req) {
      const status = await failures(req, { increment: false });
      if (status.isAllowed || status.remaining > 0) return undefined;
      return tooManyRequests(Math.max(1, status.ttlInSeconds), 'failed authentications');
    },
    async authFailed(req) {
      await failures(req);
    },
  };
}

/** The route config that gives the webhook receiver its own budget. */
export const webhookRateLimit = (limits: RateLimits) => ({ max: limits.webhookMax, timeWindow: limits.windowMs });
