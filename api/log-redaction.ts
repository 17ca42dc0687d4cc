/**
 * Query-string secrets never reach the logs (issue #13 defect 10): Fastify logs every request's URL, and a
 * client may put a token in it (`?access_token=…`, `?token=…`); Ledgerline takes none there, but the
 * value would still be written as sent. Header secrets are redacted by config/logger.ts.
 */
import type { FastifyRequest } from 'fastify';

/** Query parameter names whose value is a secret (matched case-insensitively, anywhere in the name). */
const SECRET_PARAM = /token|secret|password|passwd|api[-_]?key|apikey|signature|hmac|auth|session|code|key/i;

/** `url` with the value of every secret-looking query parameter replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hashAt = url.indexOf('#', q);
  const query = url.slice(q + 1, hashAt < 0 ? undefined : hashAt);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: judge the raw name
      }
      return eq >= 0 && SECRET_PARAM.test(name) ? `${rawName}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${redacted}`;
}

/** Fastify's own request serializer (method, url, host, remote address), with the URL redacted. */
export function requestSerializer(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrl(req.url),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
