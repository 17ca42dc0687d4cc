import pino, { type Logger } from 'pino';
import type { Config } from './index';

export type { Logger };

/**
 * One pino logger for the process. Secrets are redacted by key wherever they appear in a log object
 * (tokens and keys must never reach the logs — DoD "Secrets").
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logPretty'>, name = 'ledgerline'): Logger {
  return pino({
    name,
    level: config.logLevel,
    redact: {
      paths: [
        '*.accessToken',
        '*.refreshToken',
        '*.access_token',
        '*.refresh_token',
        '*.clientSecret',
        '*.shopifyAccessToken',
        '*.shopifyApiSecret',
        '*.authorization',
        '*.Authorization',
        'headers.authorization',
        '*.headers.authorization',
        '*.headers["x-shopify-access-token"]',
        'req.headers.authorization',
        '*.password',
        '*.apiKey',
      ],
      censor: '[redacted]',
    },
    ...(config.logPretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  });
}
