import fs from 'node:fs';
import path from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { repoRoot } from '../config/paths';
import { ledgerlineInterceptors } from '../temporal/interceptors';

/** Prebuilt bundle written by `npm run build` (scripts/bundle-workflows.ts); compiled code uses it. */
export const workflowBundlePath = path.join(repoRoot, 'dist', 'workflow-bundle.js');

export interface LedgerlineWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** Bundle the workflows from source (dev, tests) instead of using the prebuilt bundle. */
  fromSource?: boolean;
  workerOptions?: Partial<WorkerOptions>;
}

/**
 * The one Ledgerline worker: every workflow type and activity on one task queue. QBO's per-realm
 * limits are enforced by a limiter shared through the database, not by worker slots (docs/temporal-facts.md §2:
 * worker settings don't coordinate across workers).
 */
export async function createLedgerlineWorker(opts: LedgerlineWorkerOptions): Promise<Worker> {
  // Running from TypeScript sources (tsx: npm start, tests) always bundles the sources, so a stale
  // dist/ from an earlier build can never run instead of the code at hand.
  const fromSource = opts.fromSource ?? __filename.endsWith('.ts');
  const usePrebuilt = !fromSource && fs.existsSync(workflowBundlePath);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: opts.activities,
    ...(usePrebuilt ? { workflowBundle: { codePath: workflowBundlePath } } : { workflowsPath: require.resolve('../workflows') }),
    // Drain: let running activities finish (a page write is short) before the process exits.
    shutdownGraceTime: '20 seconds',
    maxConcurrentActivityTaskExecutions: 20,
    interceptors: ledgerlineInterceptors,
    ...opts.workerOptions,
  });
}
