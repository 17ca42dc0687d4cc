/**
 * JSON schemas of the store routes: request validation (unknown keys rejected, so a typo is a 400) and
 * per-status responses for the OpenAPI document. Response schemas also decide what is serialised: no
 * credential field appears in any of them.
 */
import { DOCUMENT_STATUSES } from '../../domain/ledger';
import { taxMappingSchema } from './tax-mapping-schema';

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
/**
 * Tokens, client ids and secrets are printable ASCII without spaces (Shopify's `shpat_…`, Intuit's
 * JWT-like tokens and client credentials): a CR, LF or NUL in one is a paste accident that would reach
 * an HTTP header. Refused with a 400 that names the field and never repeats its value.
 */
const TOKEN_PATTERN = '^[!-~]+$';
const secret = (what: string) => ({ type: 'string', minLength: 1, maxLength: 4096, pattern: TOKEN_PATTERN, description: what }) as const;
/**
 * An ISO 8601 instant is at most ~35 characters; 64 leaves room and stops a megabyte "date" at the schema.
 * The date-time format admits a leap second (`23:59:60`), which JavaScript's Date cannot hold (an Invalid
 * Date, then a 500 where it is stored): the pattern refuses second 60 with a 400 naming the field.
 */
export const instant = (what: string) =>
  ({
    type: 'string',
    format: 'date-time',
    pattern: '^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:[0-5]\\d',
    maxLength: 64,
    description: what,
  }) as const;
/**
 * A token's expiry: an instant as above from year 1000 on. PostgreSQL has no year 0 (JavaScript's year 0 is
 * 1 BC), so `0000-01-01T00:00:00Z`, or year 1 with a positive offset, was a 500 where the expiry is stored.
 */
const tokenExpiry = (what: string) => ({ ...instant(what), pattern: '^[1-9]\\d{3}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:[0-5]\\d' }) as const;
/** A shop's own API secret key (its custom app's client secret), which signs its webhooks. */
const shopApiSecret = {
  ...secret(
    "The API secret key of the shop's own custom app (or its admin's webhook signing key): the shop's webhooks are verified with it instead of the configured app secret. Stored encrypted, never shown",
  ),
  maxLength: 255,
} as const;
const error = { $ref: 'Error#' } as const;

export const errorResponses = {
  400: error,
  401: error,
  403: error,
  404: error,
  409: error,
  422: error,
  502: error,
  503: error,
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 255, description: 'Store id (the shop handle) or the shop domain' } },
} as const;

const settings = {
  type: 'object',
  additionalProperties: true,
  description: 'Per-store settings (domain/settings.ts); validated with every issue reported by path',
} as const;

const window = { type: 'object', properties: { from: str, to: str } } as const;

const lastRun = {
  type: ['object', 'null'],
  properties: {
    id: str,
    trigger: str,
    status: str,
    windowFrom: nullableStr,
    windowTo: nullableStr,
    fetched: int,
    synced: int,
    parked: int,
    skipped: int,
    failed: int,
    error: nullableStr,
    startedAt: str,
    finishedAt: nullableStr,
  },
} as const;

const viewProperties = {
  id: str,
  shopDomain: str,
  shopName: nullableStr,
  shopCurrency: nullableStr,
  shopTimezone: nullableStr,
  qbo: { type: 'object', properties: { realmId: str, companyName: nullableStr, country: nullableStr } },
  state: { type: 'string', enum: ['active', 'paused', 'disconnected', 'removed'] },
  settings,
  startDate: { ...nullableStr, description: 'Orders processed before this date (shop time zone) are not booked; null: all history' },
  cursor: { type: 'object', properties: { updatedAt: nullableStr } },
  lastRun,
  intervalMinutes: { type: ['integer', 'null'] },
  nextRunAt: nullableStr,
  running: { type: ['boolean', 'null'] },
  currentRunId: nullableStr,
  progress: {
    type: ['object', 'null'],
    description:
      'GET /stores/:id only, while a sync runs: orders read and booked so far, the rate, and the time left when Shopify said how many the window holds',
    properties: {
      startedAt: str,
      mode: { type: ['string', 'null'], enum: ['page', 'bulk', null] },
      phase: { type: 'string', enum: ['planning', 'reading', 'retrying_parked', 'finishing'] },
      windowFrom: nullableStr,
      windowTo: nullableStr,
      fetched: { type: 'integer' },
      synced: { type: 'integer' },
      unchanged: { type: 'integer' },
      parked: { type: 'integer' },
      skipped: { type: 'integer' },
      failed: { type: 'integer' },
      total: { type: ['integer', 'null'] },
      elapsedSeconds: { type: 'integer' },
      ratePerMinute: { type: ['number', 'null'] },
      secondsLeft: { type: ['integer', 'null'] },
    },
  },
  queued: { type: ['array', 'null'], items: { type: 'object', properties: { trigger: str, window } } },
  workflow: {
    type: 'object',
    description: "The store's Temporal workflow; ok false (with error) when Temporal could not answer the status query",
    properties: { id: str, ok: { type: 'boolean' }, error: nullableStr },
  },
  counts: {
    type: 'object',
    description: 'Ledger documents by status',
    properties: Object.fromEntries(DOCUMENT_STATUSES.map((s) => [s, int])),
  },
  refundCounts: {
    type: 'object',
    description: 'Refunds by status (they are in `counts` too)',
    properties: Object.fromEntries(DOCUMENT_STATUSES.map((s) => [s, int])),
  },
  lastError: nullableStr,
  connection: { type: 'object', properties: { ok: { type: 'boolean' }, error: nullableStr } },
  audit: {
    type: 'object',
    description:
      'The nightly audit (issue #12 item 17): when it last ran and what it did, and the documents it found deleted, voided, edited in QBO or no longer agreeing with Shopify (each in GET /stores/:id/documents?attention=true with the difference). Ledgerline changes nothing in QBO because of a finding',
    properties: {
      lastAuditAt: nullableStr,
      changedSince: { ...nullableStr, description: 'The next audit reads QBO changes from this instant' },
      openFindings: int,
      byKind: { type: 'object', properties: Object.fromEntries(['deleted', 'voided', 'edited', 'drifted'].map((k) => [k, int])) },
      lastSummary: { type: ['object', 'null'], additionalProperties: true },
    },
  },
  createdAt: str,
  updatedAt: str,
} as const;

export const storeViewSchema = { $id: 'StoreView', type: 'object', properties: viewProperties } as const;

const resolvedAccount = {
  type: 'object',
  properties: { id: str, name: nullableStr, source: { type: 'string', enum: ['given', 'found', 'created'] } },
} as const;

export const connectedSchema = {
  type: 'object',
  properties: {
    ...viewProperties,
    accountsResolved: {
      type: 'object',
      description: 'How each settings.accounts entry was chosen: given in the request, found in the chart of accounts, or created',
      additionalProperties: resolvedAccount,
    },
    taxMapping: taxMappingSchema,
  },
} as const;

const qboCredentials = (required: string[]) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties: {
    realmId: { type: 'string', pattern: '^[0-9]{1,32}$', description: 'The QBO company (realm) id' },
    clientId: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      pattern: TOKEN_PATTERN,
      description: "The Intuit app's client id (for refreshing tokens)",
    },
    clientSecret: secret("The Intuit app's client secret (stored encrypted)"),
    accessToken: secret('The current access token; absent or expired: Ledgerline refreshes first'),
    refreshToken: secret('The refresh token (stored encrypted; rotated tokens are persisted)'),
    accessTokenExpiresAt: tokenExpiry("When the access token expires; unknown: it is refreshed before Ledgerline's first call"),
    refreshTokenExpiresAt: tokenExpiry('When the refresh token expires (100 days of inactivity)'),
  },
});

export const connectBodySchema = {
  type: 'object',
  additionalProperties: false,
  // shopifyAccessToken or shopify.grantId, one of them (services/stores/connect.ts shopifyTokenFor says which is missing).
  required: ['shopDomain', 'qbo'],
  properties: {
    shopDomain: { type: 'string', minLength: 1, maxLength: 255, description: "The shop's permanent <handle>.myshopify.com domain" },
    shopifyAccessToken: secret("A custom app's Admin API access token (stored encrypted); or shopify.grantId instead"),
    shopify: {
      type: 'object',
      additionalProperties: false,
      required: ['grantId'],
      description:
        'The Shopify grant the app install flow left for this shop (GET /connect/shopify/callback, docs/oauth.md), in place of shopifyAccessToken',
      properties: {
        grantId: {
          type: 'string',
          minLength: 1,
          maxLength: 100,
          description: 'The grant id (shpg_…); its token is used, never shown',
        },
      },
    },
    shopifyApiSecret: shopApiSecret,
    qbo: {
      ...qboCredentials([]),
      description:
        'Either qbo.grantId alone (from GET /connect/qbo/callback, docs/oauth.md) or realmId, clientId, clientSecret and refreshToken',
      properties: {
        ...qboCredentials([]).properties,
        grantId: {
          type: 'string',
          minLength: 1,
          maxLength: 100,
          description: 'The QBO grant the OAuth connect left for this shop (GET /connect/qbo/callback); its tokens are used, never shown',
        },
      },
      // Without a grant, the pasted credentials are required (a grant with other fields beside it: services/stores/connect.ts).
      if: { required: ['grantId'] },
      else: { required: ['realmId', 'clientId', 'clientSecret', 'refreshToken'] },
    },
    startDate: {
      type: ['string', 'null'],
      maxLength: 32,
      description: 'YYYY-MM-DD: orders processed before it are not booked; null or absent: all history',
    },
    settings: { ...settings, description: 'Partial settings; missing accounts are found or created in QBO, taxMode is detected' },
  },
} as const;

export const credentialsBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    shopifyAccessToken: secret('A new Admin API access token'),
    shopify: {
      type: 'object',
      additionalProperties: false,
      required: ['grantId'],
      description:
        'The Shopify grant a reinstall through GET /connect/shopify/start left for this shop (docs/oauth.md), in place of shopifyAccessToken',
      properties: {
        grantId: { type: 'string', minLength: 1, maxLength: 100, description: 'The grant id (shpg_…); its token is used, never shown' },
      },
    },
    shopifyApiSecret: { ...shopApiSecret, type: ['string', 'null'], description: `${shopApiSecret.description}; null forgets it` },
    qbo: {
      ...qboCredentials([]),
      description: 'Either qbo.grantId alone (a reconnect through GET /connect/qbo/start, docs/oauth.md) or new tokens with refreshToken',
      properties: {
        ...qboCredentials([]).properties,
        grantId: {
          type: 'string',
          minLength: 1,
          maxLength: 100,
          description: 'The QBO grant an OAuth reconnect left for this shop (GET /connect/qbo/callback); its tokens are used, never shown',
        },
      },
      if: { required: ['grantId'] },
      else: { required: ['refreshToken'] },
    },
  },
} as const;

export const pauseBodySchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 500 } },
} as const;

export const waitQuerySchema = (defaultSeconds: number, description = 'Seconds to wait for the run to finish before answering 202') =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: {
      wait: {
        type: 'integer',
        minimum: 0,
        maximum: 60,
        default: defaultSeconds,
        description,
      },
    },
  }) as const;

export const resyncBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['from'],
  properties: {
    from: instant('Re-examine orders updated at or after this instant'),
    to: instant('… and before this one (default: now)'),
  },
} as const;

const summary = {
  type: 'object',
  properties: {
    runId: str,
    trigger: str,
    windowFrom: nullableStr,
    windowTo: str,
    fetched: int,
    synced: int,
    unchanged: int,
    parked: int,
    skipped: int,
    failed: int,
    startedAt: str,
    finishedAt: str,
  },
} as const;

export const syncDoneSchema = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['completed'] }, runId: str, summary },
} as const;

export const syncPendingSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['running'] },
    updateId: str,
    runId: { ...nullableStr, description: 'The sync run serving the request once it has started (its Temporal workflow id)' },
    statusUrl: str,
  },
} as const;

export const syncStatusParams = {
  type: 'object',
  required: ['id', 'updateId'],
  properties: { id: idParams.properties.id, updateId: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

export const documentsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', maxLength: 200, description: `One status or several, comma-separated: ${DOCUMENT_STATUSES.join(', ')}` },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: { type: 'string', maxLength: 2000, description: 'nextCursor of the previous page' },
    attention: {
      type: 'string',
      enum: ['true', 'false'],
      description:
        'The attention list: parked and failed documents, and synced ones the nightly audit found wrong in QBO (their `audit` says how). `status` narrows it further',
    },
  },
} as const;

export const documentsPageSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          sourceKey: str,
          role: str,
          sourceType: str,
          parentSourceKey: { ...nullableStr, description: "A refund's order (order:<gid>)" },
          sourceName: nullableStr,
          sourceUpdatedAt: nullableStr,
          status: str,
          reason: nullableStr,
          reasonCode: nullableStr,
          qboType: nullableStr,
          qboId: nullableStr,
          qboDocNumber: nullableStr,
          currency: nullableStr,
          sourceTotal: nullableStr,
          qboTotal: nullableStr,
          attempts: int,
          audit: {
            type: ['object', 'null'],
            description: 'What the nightly audit found wrong with this document in QBO, while it lasts; null when nothing',
            properties: {
              kind: { type: 'string', enum: ['deleted', 'voided', 'edited', 'drifted'] },
              difference: str,
              qboType: str,
              qboId: str,
              foundAt: str,
              checkedAt: str,
            },
          },
          createdAt: str,
          updatedAt: str,
        },
      },
    },
    nextCursor: nullableStr,
  },
} as const;

export { settings as settingsSchema };

export const orderDocumentsParams = {
  type: 'object',
  required: ['id', 'orderId'],
  properties: {
    id: idParams.properties.id,
    orderId: { type: 'string', pattern: '^[0-9]{1,20}$', description: "The Shopify order's numeric id (legacyResourceId)" },
  },
} as const;

export const orderDocumentsSchema = {
  type: 'object',
  properties: {
    order: str,
    items: documentsPageSchema.properties.items,
  },
} as const;
