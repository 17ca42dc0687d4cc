/**
 * JSON schemas of the payout routes (api/routes/payouts.ts): request validation (unknown keys rejected) and the
 * per-status responses of the OpenAPI document, which also decide what is serialised.
 */
import { PAYOUT_SAGA_STATES } from '../../workflows/definitions';
import { idParams, waitQuerySchema } from '../stores/schemas';

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;

export const payoutParams = {
  type: 'object',
  required: ['id', 'payoutId'],
  properties: {
    id: idParams.properties.id,
    payoutId: {
      type: 'string',
      maxLength: 64,
      // Checked before the store is looked up, as every schema failure is (a 400 before a 404).
      pattern: '^([0-9]{1,20}|gid://shopify/ShopifyPaymentsPayout/[0-9]{1,20})$',
      description: "The payout's numeric id (legacyResourceId) or its gid, URL-encoded",
    },
  },
} as const;

export const payoutsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: { type: 'string', maxLength: 2000, description: 'nextCursor of the previous page' },
    state: { type: 'string', maxLength: 64, description: `One saga state: ${PAYOUT_SAGA_STATES.join(', ')}` },
    attention: {
      type: 'string',
      enum: ['true', 'false'],
      description: 'true: only payouts a person must look at (held, waiting for documents, or flagged); false: no filter',
    },
  },
} as const;

export const payoutDetailQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    live: {
      type: 'string',
      enum: ['true', 'false'],
      default: 'true',
      description: 'Ask the running saga for its status (a query with a 3 s deadline); false: the stored row only',
    },
  },
} as const;

export const retryQuerySchema = waitQuerySchema(10, 'Seconds to wait for the running saga to decide again before answering 202');

export const retryBodySchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    reason: { type: 'string', maxLength: 500, description: "What was fixed, passed with the saga's retry update" },
    requestId: {
      type: 'string',
      pattern: '^[A-Za-z0-9_.:-]{1,100}$',
      description: 'Your id for this retry: sending it again reaches the same update instead of a second one',
    },
  },
} as const;

const blocker = {
  type: 'object',
  additionalProperties: true,
  properties: {
    transactionId: str,
    orderTransactionId: nullableStr,
    orderId: nullableStr,
    orderName: nullableStr,
    kind: { type: 'string', enum: ['waits', 'permanent'] },
    code: str,
    reason: str,
  },
} as const;

export const sagaStatusSchema = {
  type: 'object',
  description: "The saga's own view (workflows/definitions.ts PayoutSagaStatus)",
  properties: {
    payoutId: str,
    legacyId: str,
    state: { type: 'string', enum: [...PAYOUT_SAGA_STATES] },
    status: nullableStr,
    reason: nullableStr,
    depositId: nullableStr,
    journalEntryId: nullableStr,
    waitingUntil: nullableStr,
    assessments: int,
  },
} as const;

const itemProperties = {
  payoutId: { ...str, description: "The payout's gid" },
  legacyId: str,
  status: { ...str, description: "Shopify's status: SCHEDULED, IN_TRANSIT, PAID, FAILED, CANCELED" },
  issuedAt: str,
  currency: str,
  net: { ...str, description: 'The bank movement as a decimal string (negative for a withdrawal)' },
  netMinor: int,
  fees: nullableStr,
  feesMinor: { type: ['integer', 'null'] },
  state: { type: 'string', enum: [...PAYOUT_SAGA_STATES] },
  reason: nullableStr,
  needsAttention: { type: 'boolean' },
  depositId: nullableStr,
  journalEntryId: nullableStr,
  workflowId: { ...str, description: "The saga's Temporal workflow id" },
  createdAt: str,
  updatedAt: str,
} as const;

export const payoutsPageSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...itemProperties,
          blockers: {
            type: 'object',
            description: 'What the payout waits for or put on the clearing line: how many, and the first few (the detail has all)',
            properties: { count: int, first: { type: 'array', items: blocker } },
          },
        },
      },
    },
    nextCursor: nullableStr,
    counts: {
      type: 'object',
      description: "The store's payouts by saga state (all of them, whatever the filters)",
      properties: Object.fromEntries(PAYOUT_SAGA_STATES.map((s) => [s, int])),
    },
  },
} as const;

export const payoutDetailSchema = {
  type: 'object',
  properties: {
    ...itemProperties,
    blockers: { type: 'array', items: blocker },
    report: {
      type: ['object', 'null'],
      additionalProperties: true,
      description:
        "The reconciliation report (domain/payouts/report.ts): each balance transaction → its Deposit line and document, the lines, the clearing accounts' net change, the flags; null until the payout is posted or planned",
    },
    live: sagaStatusSchema,
    liveError: { ...nullableStr, description: 'Why `live` is absent (the saga ended, Temporal did not answer in time, …)' },
    workflowStatus: { ...nullableStr, description: "The saga's execution status in Temporal (RUNNING, COMPLETED, …)" },
  },
} as const;

export const retriedSchema = {
  type: 'object',
  properties: {
    result: { type: 'string', enum: ['retried'] },
    workflowId: str,
    runId: nullableStr,
    updateId: str,
    saga: sagaStatusSchema,
  },
} as const;

export const retryPendingSchema = {
  type: 'object',
  properties: {
    result: {
      type: 'string',
      enum: ['accepted', 'restarted'],
      description: 'accepted: the running saga took the retry and has not decided yet; restarted: the saga had ended and runs again',
    },
    workflowId: str,
    runId: nullableStr,
    updateId: { ...nullableStr, description: 'accepted: the update id' },
    previousStatus: { ...nullableStr, description: "restarted: how the saga's last run had ended (COMPLETED, FAILED, …)" },
    statusUrl: str,
  },
} as const;
