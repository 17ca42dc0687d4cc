/**
 * GET /stores/:id/review, POST /stores/:id/review/approve | reject: review before posting (services/stores/review.ts,
 * docs/review.md). Reading needs the read scope, approving and rejecting the operate scope (api/access.ts); each
 * POST is in the audit log, as every mutating request is (api/audit.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { StoreContext } from '../../services/stores/context';
import { listReview, REVIEW_LIST_MAX, reviewHeld, reviewKeys, type ReviewBody } from '../../services/stores/review';
import type { ReviewAction } from '../../domain/sync';
import { operateStore, readStore } from '../access';
import { documentActionSchema } from './document-actions';
import { errorResponses, idParams } from './schemas';
import { loadStore } from './views';

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
const strs = { type: 'array', items: str } as const;

/** An order's source key as the ledger writes it. */
const ORDER_KEY = '^order:gid://shopify/Order/[0-9]{1,20}$';

const heldDocumentSchema = {
  type: ['object', 'null'],
  properties: {
    docType: str,
    docNumber: nullableStr,
    txnDate: nullableStr,
    currency: str,
    customerId: nullableStr,
    depositAccountId: nullableStr,
    classId: nullableStr,
    departmentId: nullableStr,
    lines: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string', enum: ['item', 'discount'] },
          description: nullableStr,
          itemId: nullableStr,
          qty: { type: ['number', 'null'] },
          unitPrice: nullableStr,
          amount: str,
          taxCodeId: nullableStr,
          accountId: nullableStr,
        },
      },
    },
    tax: {
      type: 'object',
      properties: {
        total: str,
        taxCodeId: nullableStr,
        lines: {
          type: 'array',
          items: {
            type: 'object',
            properties: { taxRateId: nullableStr, percent: { type: ['number', 'null'] }, amount: str, netAmountTaxable: nullableStr },
          },
        },
      },
    },
    total: str,
  },
} as const;

export const reviewListSchema = {
  type: 'object',
  properties: {
    posting: { type: 'string', enum: ['auto', 'review'] },
    count: int,
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          sourceKey: str,
          orderId: str,
          sourceName: nullableStr,
          state: { type: 'string', enum: ['awaiting_review', 'approved'] },
          reason: nullableStr,
          heldAt: str,
          document: heldDocumentSchema,
        },
      },
    },
  },
} as const;

const idsSchema = {
  type: 'array',
  minItems: 1,
  maxItems: REVIEW_LIST_MAX,
  uniqueItems: true,
  items: { type: 'string', pattern: ORDER_KEY, maxLength: 60 },
  description: `Source keys of held orders (order:gid://shopify/Order/<id>), ${REVIEW_LIST_MAX} at most`,
} as const;

export const approveBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    ids: idsSchema,
    all: { type: 'boolean', enum: [true], description: `Every held document (the oldest ${REVIEW_LIST_MAX} per call)` },
  },
  description: 'Exactly one of ids and all',
} as const;

export const rejectBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ids'],
  properties: { ids: idsSchema },
} as const;

export const reviewResultSchema = {
  type: 'object',
  properties: {
    action: { type: 'string', enum: ['approve', 'reject'] },
    changed: strs,
    unchanged: strs,
    changedMeanwhile: strs,
    sync: documentActionSchema.properties.sync,
  },
} as const;

const pick = (codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorResponses[c as keyof typeof errorResponses]]));

const SUMMARIES: Record<ReviewAction, string> = {
  approve:
    'Approve held documents: each is posted to QBO exactly once by the sync requested now (the ordinary create path); approving again changes nothing',
  reject: 'Reject held documents: they are not posted (ignored, reason rejected); un-ignore one to have it built and held again',
};

export async function reviewRoutes(ctx: StoreContext, app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string } }>(
    '/stores/:id/review',
    {
      config: { access: readStore },
      schema: {
        tags: ['stores'],
        summary: `The store's documents held for review (posting: review): each with its lines, tax, accounts and totals, the oldest ${REVIEW_LIST_MAX}`,
        params: idParams,
        response: { 200: reviewListSchema, ...pick([400, 401, 403, 404]) },
      },
    },
    async (req) => listReview(ctx, await loadStore(ctx, req.params.id)),
  );

  for (const action of ['approve', 'reject'] as const) {
    app.post<{ Params: { id: string }; Body: ReviewBody }>(
      `/stores/:id/review/${action}`,
      {
        config: { access: operateStore },
        schema: {
          tags: ['stores'],
          summary: SUMMARIES[action],
          params: idParams,
          body: action === 'approve' ? approveBodySchema : rejectBodySchema,
          response: { 200: reviewResultSchema, ...pick([400, 401, 403, 404, 409]) },
        },
      },
      async (req) => {
        const keys = reviewKeys(req.body, action);
        const store = await loadStore(ctx, req.params.id);
        return reviewHeld(ctx, store, action, keys);
      },
    );
  }
}
