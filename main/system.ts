/**
 * The composition root: reads config once, opens the database, connects to (or starts) Temporal,
 * builds the process's one QBO limiter (its counts in PostgreSQL, db/queries/rate-windows.ts) and one
 * Shopify pacer, shared by the activities and the API, and runs the worker and/or the API in this
 * process. Used by `npm start` (everything in one process), `npm run worker` and `npm run api` (one
 * role each): main/start.ts, main/worker.ts, main/api.ts.
 */
import path from 'node:path';
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import { createCipher, oauthStateKey, resolveSecrets } from '../config/secrets';
import { databaseOptionsFromConfig, openDatabase, type Database } from '../db/client';
import { qboCredentialStore } from '../db/queries/credentials';
import { qboRateWindowStore } from '../db/queries/rate-windows';
import { createActivities } from '../activities';
import { buildApp } from '../api/app';
import { createQboLimiter } from '../integrations/qbo/limiter';
import { createShopifyPacer, type ShopifyPacer } from '../integrations/shopify/pacer';
import { connectClient, connectWorker, ensureSearchAttributes } from '../temporal/connection';
import { startDevServer, type DevServer } from '../temporal/dev-server';
import { installTemporalRuntime } from '../temporal/runtime';
import { ensureTemporalCli } from '../temporal/tools';
import { workflowIds } from '../workflows/definitions';
import { createLedgerlineWorker } from '../worker/worker';
import { reconcileAuditSchedules } from '../services/stores/audit-schedule';
import { reconcileInventorySchedules } from '../services/stores/inventory-schedule';

export interface SystemOptions {
  config: Config;
  log: Logger;
  roles: { worker: boolean; api: boolean };
  /** Start the Temporal CLI dev server when no TEMPORAL_ADDRESS is configured (npm start). */
  embeddedTemporal: boolean;
}

export interface RunningSystem {
  database: Database;
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  apiUrl: string | undefined;
  apiToken: string;
  client: Client;
  worker: Worker | undefined;
  app: FastifyInstance | undefined;
  /** Resolves when the worker stops (crash or shutdown). */
  workerDone: Promise<void> | undefined;
  /** The process's one Shopify pacer (the demo's webhook subscriptions go through it too). */
  pacer: ShopifyPacer;
  stop(): Promise<void>;
}

export async function startSystem(opts: SystemOptions): Promise<RunningSystem> {
  const { config, log } = opts;
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        log.error({ err }, 'error during shutdown');
      }
    }
  };
  try {
    installTemporalRuntime(log);
    const secrets = resolveSecrets(config);
    if (secrets.generated)
      log.warn({ file: path.join(config.dataDir, 'dev-secrets.json') }, 'using generated development API token / encryption key');
    const cipher = createCipher(secrets.encryptionKeys);

    let devServer: DevServer | undefined;
    let address = config.temporal.address;
    if (!address) {
      if (!opts.embeddedTemporal) address = `127.0.0.1:${config.temporal.devPort}`;
      else {
        const cli = await ensureTemporalCli({ cliPath: config.temporal.cliPath, cacheDir: config.cacheDir, log: (m) => log.info(m) });
        log.info({ cli: cli.path, source: cli.source }, 'starting Temporal dev server');
        devServer = await startDevServer({
          bin: cli.path,
          dataDir: path.join(config.dataDir, 'temporal'),
          port: config.temporal.devPort,
          uiPort: config.temporal.uiPort,
          namespace: config.temporal.namespace,
          log,
        });
        cleanups.push(() => devServer!.stop());
        address = devServer.address;
      }
    }

    const dbOptions = databaseOptionsFromConfig(config);
    const database = await openDatabase(
      'url' in dbOptions
        ? { ...dbOptions, onIdleError: (err) => log.warn({ err: err.message }, 'PostgreSQL dropped an idle connection') }
        : dbOptions,
    );
    cleanups.push(() => database.close());
    await database.migrate();
    log.info({ kind: database.kind }, 'database ready');

    const temporalCfg = { ...config.temporal, address };
    const client = await connectClient(temporalCfg);
    cleanups.push(() => client.connection.close());
    if (!devServer) await ensureSearchAttributes(client, config.temporal.namespace);

    // One QBO limiter and one Shopify pacer for the process, configured once: QBO's published limits
    // (docs/qbo-facts.md §1); a time-scaled emulator shrinks the minute and the 429 wait.
    const clock = () => new Date();
    const pacing = qboPacing(config.qbo.limitsTimeScale);
    const limiter = createQboLimiter({
      store: qboRateWindowStore(database.db),
      clock,
      limits: { ...pacing.qboLimits, concurrent: config.qbo.concurrentPerRealm },
    });
    // The last minute's QBO usage (the store page's chart) is written before the database closes.
    cleanups.push(() => limiter.flushUsage());
    const pacer = createShopifyPacer();

    let worker: Worker | undefined;
    let workerDone: Promise<void> | undefined;
    if (opts.roles.worker) {
      const connection = await connectWorker(temporalCfg);
      const activities = createActivities(
        {
          db: database.db,
          cipher,
          log,
          clock,
          qboCredentials: qboCredentialStore(database.db),
          qboTokenUrl: config.qbo.tokenUrl,
          qboEndpoint: config.qbo.endpoint,
          shopifyApiBaseUrl: config.shopify.apiBaseUrl,
          // Payout discovery starts one saga per payout with the process's client; the dev server registers the
          // search attributes by flag, a cluster through ensureSearchAttributes above.
          temporal: { client: async () => client, taskQueue: config.temporal.taskQueue, searchAttributes: true },
          ...pacing,
        },
        { pacer, limiter },
      );
      worker = await createLedgerlineWorker({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        activities,
        workerOptions: {
          maxCachedWorkflows: config.temporal.worker.maxCachedWorkflows,
          maxConcurrentActivityTaskExecutions: config.temporal.worker.maxConcurrentActivities,
          maxConcurrentWorkflowTaskExecutions: config.temporal.worker.maxConcurrentWorkflowTasks,
        },
      });
      workerDone = worker.run();
      const w = worker;
      const statusTimer = startWorkerStatusLog(w, log, config.temporal.worker.statusLogSeconds);
      cleanups.push(async () => {
        if (statusTimer) clearInterval(statusTimer);
        if (w.getState() === 'RUNNING') w.shutdown();
        await workerDone!.catch((err: unknown) => log.error({ err }, 'worker stopped with an error'));
        await connection.close();
      });
      await ensureKeepAliveSchedule(client, config.temporal.taskQueue, log);
      // Each store's nightly audit schedule, as the store is (stores connected before the audit existed included).
      await reconcileAuditSchedules(client, database.db, config.temporal.taskQueue, log);
      // Each store's inventory schedule, as its settings and state are (none while inventory is off).
      await reconcileInventorySchedules(client, database.db, config.temporal.taskQueue, log);
      log.info({ taskQueue: config.temporal.taskQueue }, 'worker running');
    }

    let app: FastifyInstance | undefined;
    let apiUrl: string | undefined;
    if (opts.roles.api) {
      app = await buildApp({
        database,
        temporal: async () => client,
        apiToken: secrets.apiToken,
        log,
        cipher,
        taskQueue: config.temporal.taskQueue,
        pacer,
        limiter,
        integrations: { shopifyApiBaseUrl: config.shopify.apiBaseUrl, qboEndpoint: config.qbo.endpoint, qboTokenUrl: config.qbo.tokenUrl },
        shopifyWebhookSecret: config.shopify.webhookSecret,
        shopifyWebhookSecretPrevious: config.shopify.webhookSecretPrevious,
        shopifyWebhookSecrets: config.shopify.webhookSecrets,
        webhookNudgeWindowMs: config.shopify.webhookNudgeWindowMs,
        qboOAuth: config.qbo.oauth,
        shopifyOAuth: config.shopify.oauth,
        oauthStateKey: oauthStateKey(config.oauthStateKey, secrets.encryptionKeys),
        console: {
          password: config.api.consolePassword,
          temporalUiUrl: config.temporal.uiUrl,
          temporalNamespace: config.temporal.namespace,
        },
        ...(worker ? { workerState: () => worker!.getState() } : {}),
      });
      await app.listen({ host: config.api.host, port: config.api.port });
      apiUrl = `http://${config.api.host}:${config.api.port}`;
      const a = app;
      cleanups.push(() => a.close());
    }

    return {
      database,
      temporalAddress: address,
      temporalUiUrl: devServer?.uiUrl,
      apiUrl,
      apiToken: secrets.apiToken,
      client,
      worker,
      app,
      workerDone,
      pacer,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * Ledgerline's QBO pacing for a limits time scale (config QBO_LIMITS_TIME_SCALE): 1 = QBO's published
 * limits; s > 1 = an emulator whose minute lasts 60/s seconds; 0 = an emulator without limits.
 */
export function qboPacing(scale: number): Pick<Parameters<typeof createActivities>[0], 'qboLimits' | 'qboThrottleWaitMs'> {
  if (scale === 1) return {};
  if (scale === 0) return { qboLimits: { requestsPerWindow: 1_000_000_000, batchesPerWindow: 1_000_000_000 }, qboThrottleWaitMs: 1000 };
  const minute = Math.max(1, Math.round(60_000 / scale));
  return { qboLimits: { windowMs: minute }, qboThrottleWaitMs: minute };
}

/** The fleet-wide daily QBO connection keep-alive (idempotent create). */
async function ensureKeepAliveSchedule(client: Client, taskQueue: string, log: Logger): Promise<void> {
  const scheduleId = workflowIds.connectionKeepAliveSchedule();
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 day' }] },
      action: { type: 'startWorkflow', workflowType: 'connectionKeepAliveWorkflow', taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    });
    log.info({ scheduleId }, 'created the daily QBO connection keep-alive schedule');
  } catch (err) {
    if ((err as Error).name !== 'ScheduleAlreadyRunning') throw err;
  }
}

const mb = (bytes: number) => Math.round(bytes / 1_048_576);

/**
 * A status line every `seconds` (0: none): the process's resident memory and its main thread's V8 heap, beside the
 * worker's cached workflows and tasks in flight. RSS minus the main heap and external memory is mostly the workflow
 * thread's heap and the SDK's native core, which is what WORKER_MAX_CACHED_WORKFLOWS bounds.
 */
function startWorkerStatusLog(worker: Worker, log: Logger, seconds: number): NodeJS.Timeout | undefined {
  if (seconds <= 0) return undefined;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    const st = worker.getStatus();
    log.info(
      {
        rssMb: mb(m.rss),
        heapUsedMb: mb(m.heapUsed),
        heapTotalMb: mb(m.heapTotal),
        externalMb: mb(m.external),
        arrayBuffersMb: mb(m.arrayBuffers),
        cachedWorkflows: st.numCachedWorkflows,
        activationsInFlight: st.numInFlightWorkflowActivations,
        activitiesInFlight: st.numInFlightActivities,
      },
      'worker status',
    );
  }, seconds * 1000);
  timer.unref();
  return timer;
}
