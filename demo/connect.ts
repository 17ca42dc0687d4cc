/**
 * Connects the demo shop and QBO company through Ledgerline's own API, exactly as a merchant would:
 * `POST /stores` with the bearer token. A restart finds the store already connected (409), which is
 * the expected answer then.
 */
import type { Logger } from '../config/logger';
import { storeIdFor } from '../domain/store';

export interface ConnectStoreBody {
  shopDomain: string;
  shopifyAccessToken: string;
  qbo: {
    realmId: string;
    clientId: string;
    clientSecret: string;
    accessToken: string;
    refreshToken: string;
    accessTokenExpiresAt?: string;
    refreshTokenExpiresAt?: string;
  };
  startDate?: string;
  settings?: Record<string, unknown>;
}

export interface ConnectOptions {
  apiUrl: string;
  apiToken: string;
  body: ConnectStoreBody;
  log: Logger;
  /** Aborts the retries (shutdown during start-up). */
  signal?: AbortSignal;
  /** How long to keep retrying while the API answers 5xx or is unreachable. */
  retryForMs?: number;
}

const RETRY_EVERY_MS = 2_000;
/** POST /stores calls Shopify and QBO before answering; both are local here, but a cold start is slow. */
const REQUEST_TIMEOUT_MS = 60_000;

export class DemoConnectError extends Error {
  override readonly name = 'DemoConnectError';
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** Returns the store id; `created` is false when it was already connected. */
export async function connectDemoStore(opts: ConnectOptions): Promise<{ storeId: string; created: boolean }> {
  const deadline = Date.now() + (opts.retryForMs ?? 120_000);
  let lastProblem = '';
  while (!opts.signal?.aborted) {
    let res: Response | undefined;
    try {
      res = await fetch(`${opts.apiUrl}/stores`, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(opts.body),
        signal: opts.signal
          ? AbortSignal.any([opts.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
          : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      lastProblem = (err as Error).message;
    }
    if (res) {
      const text = await res.text();
      let payload: { id?: unknown; error?: { code?: string; message?: string } } = {};
      try {
        payload = JSON.parse(text) as typeof payload;
      } catch {
        /* not JSON: reported below as is */
      }
      if (res.status === 201)
        return { storeId: typeof payload.id === 'string' ? payload.id : storeIdFor(opts.body.shopDomain), created: true };
      if (res.status === 409) return { storeId: storeIdFor(opts.body.shopDomain), created: false };
      const problem = `POST /stores answered ${res.status}: ${payload.error?.message ?? text.slice(0, 500)}`;
      if (res.status === 404 && payload.error?.code === 'not_found' && /No route/.test(payload.error.message ?? '')) {
        throw new DemoConnectError('This build has no store API (POST /stores is not routed), so the demo cannot connect its shop');
      }
      if (res.status < 500) throw new DemoConnectError(problem);
      lastProblem = problem;
    }
    if (Date.now() > deadline) break;
    opts.log.info({ problem: lastProblem }, 'demo: connecting the store failed, retrying');
    await sleep(RETRY_EVERY_MS, opts.signal);
  }
  throw new DemoConnectError(
    opts.signal?.aborted ? 'stopped before the demo store was connected' : `could not connect the demo store: ${lastProblem}`,
  );
}
