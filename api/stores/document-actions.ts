/**
 * POST /stores/:id/documents/:sourceKey/retry | ignore | unignore: what a person does about a parked or
 * failed document (services/stores/documents.ts; the console's buttons call the same services). The
 * source key is URL-encoded in the path (`order%3Agid%3A%2F%2Fshopify%2FOrder%2F1`). Each call is in the
 * audit log, as every mutating request is (api/audit.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { StoreContext } from '../../services/stores/context';
import { DOCUMENT_ACTIONS, type DocumentAction, type DocumentActionResult } from '../../services/stores/documents';
import { operateStore } from '../access';
import { documentView } from './documents';
import { documentsPageSchema, errorResponses, idParams } from './schemas';
import { loadStore, type StoreRow } from './views';

const nullableStr = { type: ['string', 'null'] } as const;

export const documentActionParams = {
  type: 'object',
  required: ['id', 'sourceKey'],
  properties: {
    id: idParams.properties.id,
    sourceKey: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'The ledger source key, URL-encoded: order:gid://shopify/Order/<id> or refund:gid://shopify/Refund/<id>',
    },
  },
} as const;

export const documentActionSchema = {
  type: 'object',
  properties: {
    sourceKey: { type: 'string' },
    action: { type: 'string', enum: ['retry', 'ignore', 'unignore'] },
    items: documentsPageSchema.properties.items,
    sync: {
      description: 'Retry and unignore: the sync requested so the next run starts now (null for ignore)',
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          properties: { started: { type: 'boolean', enum: [true] }, updateId: nullableStr, runId: nullableStr },
        },
        { type: 'object', properties: { started: { type: 'boolean', enum: [false] }, reason: { type: 'string' } } },
      ],
    },
  },
} as const;

const SUMMARIES: Record<DocumentAction, string> = {
  retry: "Retry a parked or failed order or refund: the next run books it again (a sync is requested now); QBO's message stays until then",
  ignore: 'Ignore a parked or failed order or refund: no run books or re-tries it (reversible with unignore)',
  unignore:
    'Un-ignore an ignored order or refund, or redo one an undo deleted (with its refunds): it is parked again and the next run books it (a sync is requested now)',
};

/** The answer of an action: the source's rows as GET /stores/:id/documents shows them. */
export function actionView(store: StoreRow, result: DocumentActionResult) {
  return {
    sourceKey: result.sourceKey,
    action: result.action,
    items: result.rows.map((r) => documentView(r, store.shopCurrency)),
    sync: result.sync,
  };
}

export async function documentActionRoutes(ctx: StoreContext, app: FastifyInstance): Promise<void> {
  for (const action of Object.keys(DOCUMENT_ACTIONS) as DocumentAction[]) {
    app.post<{ Params: { id: string; sourceKey: string } }>(
      `/stores/:id/documents/:sourceKey/${action}`,
      {
        config: { access: operateStore },
        schema: {
          tags: ['stores'],
          summary: SUMMARIES[action],
          params: documentActionParams,
          response: {
            200: documentActionSchema,
            ...Object.fromEntries([400, 401, 403, 404, 409].map((c) => [c, errorResponses[c as keyof typeof errorResponses]])),
          },
        },
      },
      async (req) => {
        const store = await loadStore(ctx, req.params.id);
        return actionView(store, await DOCUMENT_ACTIONS[action](ctx, store, req.params.sourceKey));
      },
    );
  }
}
