/**
 * Real Temporal servers for tests: the time-skipping test server (Java, from Maven Central) and the
 * Temporal CLI dev server, both provided by scripts/install-temporal.sh and handed to the SDK as
 * existing executables (the SDK's own download site is unreachable on our machines).
 */
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { loadConfig } from '../../config';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { ensureTemporalCli, ensureTestServer } from '../../temporal/tools';

// Workers in tests log warnings and errors only (state changes at INFO would drown the test output),
// and Core only errors (the replay tests provoke nondeterminism warnings on purpose). Runtime.install
// may run once per process, before any worker or connection exists.
try {
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
} catch {
  // Already installed by an earlier import in this process.
}

const cacheDir = loadConfig({ ...process.env, NODE_ENV: 'test' }).cacheDir;

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const bin = ensureTestServer(cacheDir);
  // The Java test server has no operator service, so custom search attributes can't be registered
  // there: tests start workflows without them, and the workflows only upsert attributes they were started with.
  // The SDK allows the server 5 s to listen; a JVM on a busy 2-core machine can miss it, so try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: bin.path } } });
    } catch (err) {
      if (attempt >= 5 || !/did not start within/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 2_000 * attempt)); // let the load that slowed it pass
    }
  }
}

export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  const cli = await ensureTemporalCli({ cacheDir });
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli.path }, searchAttributes: SEARCH_ATTRIBUTES },
  });
}

let bundle: Promise<WorkflowBundle> | undefined;
/** The real workflow bundle, built once per test file (webpack takes seconds). */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '..', '..', 'workflows', 'index.ts'), logger: quietLogger });
  return bundle;
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

let queueSeq = 0;
/** A fresh task queue per test, so tests in one file never pick up each other's tasks. */
export const uniqueTaskQueue = (name: string) => `test-${name}-${process.pid}-${++queueSeq}`;
