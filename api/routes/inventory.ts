/**
 * The inventory routes (issue #16, docs/inventory.md): a preview of what a run would write, a run now (preview or
 * apply), the recorded changes, and a person's confirmation of a run the circuit breaker parked. Reads come from the
 * `inventory_runs` / `inventory_changes` tables the run's activities write; the Temporal side is
 * services/stores/inventory.ts.
 */
import type { FastifyInstance } from 'fastify';
import { getInventoryRun, listInventoryChanges, type InventoryChangeRow, type InventoryRunRow } from '../../db/queries/inventory';
import { assertRunAllowed, confirmInventoryRun, startInventoryRun, type StartedRun } from '../../services/stores/inventory';
import type { StoreContext } from '../../services/stores/context';
import { badRequest } from '../../services/errors';
import type { InventoryMode } from '../../workflows/definitions';
import { operateStore, readStore } from '../access';
import { errorResponses, idParams, waitQuerySchema } from '../stores/schemas';
import { loadStore } from '../stores/views';

const TAGS = ['inventory'];
const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
const nullableInt = { type: ['integer', 'null'] } as const;

const pick = <K extends number>(codes: readonly K[]) =>
  Object.fromEntries([...codes, 403].map((c) => [c, errorResponses[c as keyof typeof errorResponses]]));

const RUN_ID_PATTERN = '^[A-Za-z0-9_.:+-]{1,255}$';

const runParams = {
  type: 'object',
  required: ['id', 'runId'],
  properties: {
    id: idParams.properties.id,
    runId: { type: 'string', pattern: RUN_ID_PATTERN, description: 'The run id (its workflow id), URL-encoded' },
  },
} as const;

const runSchema = {
  type: 'object',
  properties: {
    id: str,
    mode: str,
    trigger: str,
    status: { type: 'string', description: 'running | awaiting_confirmation | completed | previewed | expired | blocked | failed' },
    locationId: nullableStr,
    compared: int,
    raised: int,
    lowered: int,
    unchanged: int,
    skipped: int,
    applied: int,
    notApplied: int,
    breaker: { type: ['object', 'null'], additionalProperties: true },
    breakerReason: nullableStr,
    confirmedAt: nullableStr,
    note: nullableStr,
    startedAt: str,
    finishedAt: nullableStr,
  },
} as const;

const changeSchema = {
  type: 'object',
  properties: {
    runId: str,
    seq: int,
    qboItemId: str,
    name: str,
    sku: nullableStr,
    inventoryItemId: nullableStr,
    qboQtyOnHand: nullableStr,
    shopifyBefore: nullableInt,
    shopifyUnavailable: nullableInt,
    unbookedSold: nullableInt,
    target: nullableInt,
    after: nullableInt,
    action: { type: 'string', enum: ['raise', 'lower', 'unchanged', 'skip'] },
    skipCode: nullableStr,
    reason: str,
    applied: { type: 'boolean' },
    appliedAt: nullableStr,
  },
} as const;

const startedSchema = {
  type: 'object',
  properties: {
    runId: str,
    run: { ...runSchema, type: ['object', 'null'] },
    changes: { type: 'array', items: changeSchema },
    statusUrl: str,
  },
} as const;

const previewQuery = waitQuerySchema(30, 'Seconds to wait for the preview before answering 202 with where its changes will be');
const syncQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['mode'],
  properties: {
    mode: { type: 'string', enum: ['preview', 'apply'], description: 'preview records the diff and writes nothing; apply writes it' },
    wait: previewQuery.properties.wait,
  },
} as const;

const changesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    runId: { type: 'string', pattern: RUN_ID_PATTERN, description: "One run's changes (default: every run's, newest run first)" },
    changed: { type: 'string', enum: ['true', 'false'], default: 'false', description: 'true: only raise and lower rows' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
    cursor: { type: 'string', maxLength: 2000, description: 'nextCursor of the previous page' },
  },
} as const;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function runView(run: InventoryRunRow) {
  return { ...run, confirmedAt: iso(run.confirmedAt), startedAt: run.startedAt.toISOString(), finishedAt: iso(run.finishedAt) };
}

function changeView(c: InventoryChangeRow) {
  return { ...c, qboQtyOnHand: c.qboQty, appliedAt: iso(c.appliedAt) };
}

interface Cursor {
  startedAt: Date;
  runId: string;
  seq: number;
}

const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.startedAt.toISOString(), c.runId, c.seq])).toString('base64url');

function decodeCursor(raw: string): Cursor {
  const refuse = () => badRequest('cursor is not one this API issued; use the nextCursor of the previous page', { field: 'query.cursor' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw refuse();
  const [at, runId, seq] = parsed as unknown[];
  if (typeof at !== 'string' || typeof runId !== 'string' || typeof seq !== 'number') throw refuse();
  const startedAt = new Date(at);
  if (
    Number.isNaN(startedAt.getTime()) ||
    startedAt.toISOString() !== at ||
    !new RegExp(RUN_ID_PATTERN).test(runId) ||
    !Number.isInteger(seq) ||
    seq < 0 ||
    seq > 2 ** 31 - 1
  ) {
    throw refuse();
  }
  return { startedAt, runId, seq };
}

export const inventoryRoutes =
  (ctx: StoreContext) =>
  async (app: FastifyInstance): Promise<void> => {
    /** Answers a started run: 200 with the run (and, for a preview, its whole diff) when it ended or parked within the wait, else 202. */
    async function answer(storeId: string, started: StartedRun, withChanges: boolean) {
      const statusUrl = `/stores/${storeId}/inventory/changes?runId=${encodeURIComponent(started.runId)}`;
      if (!started.run) return { status: 202, body: { runId: started.runId, run: null, changes: [], statusUrl } };
      const changes = withChanges ? await listInventoryChanges(ctx.db, { storeId, runId: started.runId, limit: 100_000 }) : [];
      return { status: 200, body: { runId: started.runId, run: runView(started.run), changes: changes.map(changeView), statusUrl } };
    }

    app.get<{ Params: { id: string }; Querystring: { wait: number } }>(
      '/stores/:id/inventory/preview',
      {
        config: { access: readStore },
        schema: {
          tags: TAGS,
          summary:
            'Runs a preview now: the full diff (QBO item, SKU, QBO quantity, Shopify before, target, reason or skip reason), writing nothing to Shopify (202 if it takes longer than ?wait=)',
          params: idParams,
          querystring: previewQuery,
          response: { 200: startedSchema, 202: startedSchema, ...pick([400, 401, 404, 409, 503]) },
        },
      },
      async (req, reply) => {
        const store = await loadStore(ctx, req.params.id);
        assertRunAllowed(store, 'preview');
        const out = await answer(store.id, await startInventoryRun(ctx, store, 'preview', req.query.wait), true);
        return reply.status(out.status).send(out.body);
      },
    );

    app.post<{ Params: { id: string }; Querystring: { mode: InventoryMode; wait: number } }>(
      '/stores/:id/inventory/sync',
      {
        config: { access: operateStore },
        schema: {
          tags: TAGS,
          summary:
            'Runs inventory now (mode=preview or apply; apply needs inventory.mode "apply"): 200 with the run when it ends or waits for a confirmation within ?wait=, else 202',
          params: idParams,
          querystring: syncQuery,
          response: { 200: startedSchema, 202: startedSchema, ...pick([400, 401, 404, 409, 503]) },
        },
      },
      async (req, reply) => {
        const store = await loadStore(ctx, req.params.id);
        assertRunAllowed(store, req.query.mode);
        const out = await answer(store.id, await startInventoryRun(ctx, store, req.query.mode, req.query.wait), false);
        return reply.status(out.status).send(out.body);
      },
    );

    app.get<{ Params: { id: string }; Querystring: { runId?: string; changed: 'true' | 'false'; limit: number; cursor?: string } }>(
      '/stores/:id/inventory/changes',
      {
        config: { access: readStore },
        schema: {
          tags: TAGS,
          summary: "The store's recorded inventory changes, newest run first, each with its run (paginated)",
          params: idParams,
          querystring: changesQuery,
          response: {
            200: {
              type: 'object',
              properties: {
                run: { ...runSchema, type: ['object', 'null'] },
                changes: {
                  type: 'array',
                  items: { ...changeSchema, properties: { ...changeSchema.properties, runMode: str, runStatus: str } },
                },
                nextCursor: nullableStr,
              },
            },
            ...pick([400, 401, 404]),
          },
        },
      },
      async (req) => {
        const store = await loadStore(ctx, req.params.id);
        const after = req.query.cursor !== undefined ? decodeCursor(req.query.cursor) : undefined;
        const limit = req.query.limit;
        const rows = await listInventoryChanges(ctx.db, {
          storeId: store.id,
          ...(req.query.runId ? { runId: req.query.runId } : {}),
          changedOnly: req.query.changed === 'true',
          limit: limit + 1,
          ...(after ? { after } : {}),
        });
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        const run = req.query.runId ? await getInventoryRun(ctx.db, { storeId: store.id, runId: req.query.runId }) : undefined;
        return {
          run: run ? runView(run) : null,
          changes: page.map((r) => ({ ...changeView(r), runStatus: r.runStatus, runMode: r.runMode })),
          nextCursor: rows.length > limit && last ? encodeCursor({ startedAt: last.runStartedAt, runId: last.runId, seq: last.seq }) : null,
        };
      },
    );

    app.post<{ Params: { id: string; runId: string } }>(
      '/stores/:id/inventory/runs/:runId/confirm',
      {
        config: { access: operateStore },
        schema: {
          tags: TAGS,
          summary:
            "Confirms a run its circuit breaker parked (awaiting_confirmation): it then writes the diff it recorded, each change still compared with Shopify's current value",
          params: runParams,
          response: {
            200: { type: 'object', properties: { runId: str, confirmed: { type: 'boolean' }, run: runSchema } },
            ...pick([400, 401, 404, 409, 503]),
          },
        },
      },
      async (req) => {
        const store = await loadStore(ctx, req.params.id);
        const run = await confirmInventoryRun(ctx, store, req.params.runId, 'api');
        return { runId: req.params.runId, confirmed: true, run: runView(run) };
      },
    );
  };
