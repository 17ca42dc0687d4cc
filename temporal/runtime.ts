import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../config/logger';

let installed = false;

const levelMap: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Routes the Temporal SDK's logs (TS side and, via forwarding, the Rust core's) into pino, once per
 * process. Signals are left to our own shutdown code so the worker drains in a known order.
 */
export function installTemporalRuntime(log: Logger): void {
  if (installed) return;
  installed = true;
  const sdkLog = log.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) => {
      const { level, message, meta } = entry;
      sdkLog[levelMap[level]](meta ?? {}, message);
    }),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
    shutdownSignals: [],
  });
}
