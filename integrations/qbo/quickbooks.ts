/**
 * The node-quickbooks 2.0.50 seam (docs/qbo-facts.md §6): a fresh instance per call, so the bearer token of one
 * store can never leak into another's call (the library keeps the token on the instance), its
 * callback methods promisified with the instance bound, and its `endpoint` pointed at the emulator
 * when one is configured. The runtime export is `module.exports = QuickBooks`, hence the default import.
 */
import { promisify } from 'node:util';
import QuickBooks from 'node-quickbooks';
import { InvalidInputError, TransientUpstreamError } from '../../domain/errors';

export interface QuickBooksTarget {
  realmId: string;
  /** e.g. `http://127.0.0.1:PORT/v3/company/`; unset → production (`quickbooks.api.intuit.com`). */
  endpoint?: string;
  minorVersion: number;
}

type Method = (...args: unknown[]) => void;

export function quickBooksFor(target: QuickBooksTarget, accessToken: string): QuickBooks {
  // OAuth 2: no consumer key/secret and tokenSecret false; token refresh is done by tokens.ts.
  const qbo = new QuickBooks('', '', accessToken, false, target.realmId, false, false, String(target.minorVersion), '2.0', null);
  if (target.endpoint) qbo.endpoint = target.endpoint;
  return qbo;
}

/** node-quickbooks' own pluralisation, which names its `find*` methods (findSalesReceipts, findClasses). */
export function pluralize(name: string): string {
  if (name.endsWith('s')) return `${name}es`;
  if (name.endsWith('y')) return `${name.slice(0, -1)}ies`;
  return `${name}s`;
}

/** Calls `qbo[method](...args, callback)` and resolves with the callback's data. */
export function invoke(qbo: QuickBooks, method: string, ...args: unknown[]): Promise<unknown> {
  const fn = (qbo as unknown as Record<string, unknown>)[method];
  if (typeof fn !== 'function') {
    return Promise.reject(new InvalidInputError(`node-quickbooks has no method ${method}`, { method }));
  }
  const bound = (fn as Method).bind(qbo) as (...a: unknown[]) => void;
  return (promisify(bound) as (...a: unknown[]) => Promise<unknown>)(...args);
}

/**
 * Bounds a call by time. QBO itself gives up after 120 s (docs/qbo-facts.md §1); past our limit the answer is
 * abandoned and Temporal retries (creates carry a requestid, so a late success is replayed, not doubled).
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransientUpstreamError(`QBO ${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
