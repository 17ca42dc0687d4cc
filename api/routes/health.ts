import type { FastifyInstance } from 'fastify';
import { TEMPORAL_CALL_TIMEOUT_MS, withTimeout } from '../../services/deadline';

/** `GET /health`: DB and Temporal connectivity (and the in-process worker when there is one). 503 when any is down. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.addSchema({
    $id: 'Health',
    type: 'object',
    required: ['status', 'checks'],
    properties: {
      status: { type: 'string', enum: ['ok', 'degraded'] },
      checks: {
        type: 'object',
        additionalProperties: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' }, detail: { type: 'string' } } },
      },
    },
  });
  app.get(
    '/health',
    {
      schema: {
        tags: ['ops'],
        summary: 'Liveness and connectivity of the database, Temporal and the worker',
        security: [],
        response: {
          200: { $ref: 'Health#' },
          503: { $ref: 'Health#' },
        },
      },
    },
    async (_req, reply) => {
      const { database, temporal, workerState } = app.deps;
      const checks: Record<string, { ok: boolean; detail?: string }> = {};
      try {
        await database.ping();
        checks.database = { ok: true, detail: database.kind };
      } catch (err) {
        checks.database = { ok: false, detail: (err as Error).message };
      }
      try {
        const client = await withTimeout(temporal(), TEMPORAL_CALL_TIMEOUT_MS, 'Temporal');
        await withTimeout(client.connection.workflowService.getSystemInfo({}), TEMPORAL_CALL_TIMEOUT_MS, 'Temporal');
        checks.temporal = { ok: true, detail: client.options.namespace };
      } catch (err) {
        checks.temporal = { ok: false, detail: (err as Error).message };
      }
      if (workerState) {
        const state = workerState();
        checks.worker = { ok: state === 'RUNNING', detail: state };
      }
      const ok = Object.values(checks).every((c) => c.ok);
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks });
    },
  );
}
