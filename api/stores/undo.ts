/**
 * POST /stores/:id/undo (preview or apply) and GET /stores/:id/undo/:undoId (services/stores/undo.ts, docs/undo.md).
 * Every call is in the audit log, as every mutating request is (api/audit.ts).
 */
import type { FastifyInstance } from 'fastify';
import { UNDO_KINDS } from '../../domain/sync/undo';
import type { StoreContext } from '../../services/stores/context';
import { applyUndo, previewUndo, undoRequest, undoStatus, type UndoBody } from '../../services/stores/undo';
import { operateStore, readStore } from '../access';
import { errorResponses, idParams, instant, waitQuerySchema } from './schemas';
import { loadStore } from './views';

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
const nullableInt = { type: ['integer', 'null'] } as const;
const UNDO_WAIT_DEFAULT_S = 20;

export const undoBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'mode'],
  properties: {
    from: instant('Sources updated (orders) or created (refunds) at or after this instant, as the ledger last saw them'),
    to: instant('… and before this one'),
    mode: { type: 'string', enum: ['preview', 'apply'], description: 'preview: list what would be undone, write nothing; apply: undo it' },
    kinds: {
      type: 'array',
      items: { type: 'string', enum: [...UNDO_KINDS] },
      minItems: 1,
      uniqueItems: true,
      description: 'orders (sale, Payment and the order’s refunds) and/or refunds; default both',
    },
  },
} as const;

export const undoStatusParams = {
  type: 'object',
  required: ['id', 'undoId'],
  properties: {
    id: idParams.properties.id,
    undoId: { type: 'string', pattern: '^u-[0-9a-f]{16}$', description: 'The undo id an apply answered' },
  },
} as const;

const request = { undoId: str, from: str, to: str, kinds: { type: 'array', items: str } } as const;

const previewSchema = {
  type: 'object',
  properties: {
    ...request,
    mode: str,
    currency: nullableStr,
    counts: { type: 'object', properties: { delete: int, skip: int, refuse: int } },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          sourceKey: str,
          role: str,
          sourceName: nullableStr,
          status: str,
          qboType: nullableStr,
          qboId: nullableStr,
          qboDocNumber: nullableStr,
          total: nullableStr,
          action: { type: 'string', enum: ['delete', 'skip', 'refuse'] },
          code: nullableStr,
          reason: nullableStr,
        },
      },
    },
    notes: { type: 'array', items: str },
  },
} as const;

export const undoStatusSchema = {
  type: 'object',
  properties: {
    undoId: str,
    mode: str,
    status: { type: 'string', enum: ['running', 'completed', 'failed'] },
    statusUrl: str,
    error: str,
    result: {
      type: 'object',
      properties: {
        ...request,
        deleted: int,
        gone: int,
        refused: int,
        skipped: int,
        finishedAt: str,
        itemsOmitted: { ...int, description: 'Documents not listed in items (past 1,000; those left in QBO are listed first)' },
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              sourceKey: str,
              role: str,
              sourceName: nullableStr,
              qboType: nullableStr,
              qboId: nullableStr,
              qboDocNumber: nullableStr,
              totalMinor: nullableInt,
              outcome: { type: 'string', enum: ['deleted', 'gone', 'refused', 'skipped'] },
              code: nullableStr,
              reason: nullableStr,
            },
          },
        },
      },
    },
  },
} as const;

const pick = (codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorResponses[c as keyof typeof errorResponses]]));

export async function undoRoutes(ctx: StoreContext, app: FastifyInstance): Promise<void> {
  app.post<{ Params: { id: string }; Querystring: { wait: number }; Body: UndoBody }>(
    '/stores/:id/undo',
    {
      config: { access: operateStore },
      schema: {
        tags: ['stores'],
        summary:
          'Undo a window: preview lists every document Ledgerline created in QBO for its sources; apply deletes each once and marks its ledger row undone (answers 202 with the undo id when it outlasts ?wait=)',
        params: idParams,
        querystring: waitQuerySchema(UNDO_WAIT_DEFAULT_S, 'apply: seconds to wait for the undo to finish before answering 202'),
        body: undoBodySchema,
        response: {
          200: { type: 'object', properties: { ...previewSchema.properties, ...undoStatusSchema.properties } },
          202: undoStatusSchema,
          ...pick([400, 401, 403, 404, 409, 503]),
        },
      },
    },
    async (req, reply) => {
      const store = await loadStore(ctx, req.params.id);
      const request = undoRequest(ctx, store, req.body);
      if (req.body.mode === 'preview') return reply.status(200).send(await previewUndo(ctx, store, request));
      const status = await applyUndo(ctx, store, request, req.query.wait);
      return reply.status(status.status === 'running' ? 202 : 200).send({ ...status, mode: 'apply' });
    },
  );

  app.get<{ Params: { id: string; undoId: string }; Querystring: { wait: number } }>(
    '/stores/:id/undo/:undoId',
    {
      config: { access: readStore },
      schema: {
        tags: ['stores'],
        summary: 'An undo: running, or its result (each document deleted, already gone, refused with the reason, or skipped)',
        params: undoStatusParams,
        querystring: waitQuerySchema(0, 'Seconds to wait for a running undo to finish before answering 202'),
        response: { 200: undoStatusSchema, 202: undoStatusSchema, ...pick([400, 401, 403, 404, 503]) },
      },
    },
    async (req, reply) => {
      const store = await loadStore(ctx, req.params.id);
      const status = await undoStatus(ctx, store, req.params.undoId, req.query.wait);
      return reply.status(status.status === 'running' ? 202 : 200).send(status);
    },
  );
}
