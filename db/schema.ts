/**
 * Ledgerline's tables. Each Shopify source that must reach QBO has one row per QBO document role in
 * `ledger_entries` (the idempotent sync ledger: insert … on conflict on the source key), so refunds, fees
 * and payouts add rows, not tables. Credentials live apart in `store_credentials`, always encrypted.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { Settings } from '../domain/settings';
import type { HeldDocument } from '../domain/sync/review';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const stores = pgTable('stores', {
  /** Stable id derived from the shop domain (also the Temporal workflow id's business key). */
  id: text('id').primaryKey(),
  shopDomain: text('shop_domain').notNull().unique(),
  shopName: text('shop_name'),
  shopCurrency: text('shop_currency'),
  shopTimezone: text('shop_timezone'),
  qboRealmId: text('qbo_realm_id').notNull(),
  qboCompanyName: text('qbo_company_name'),
  qboCountry: text('qbo_country'),
  /** active | paused | disconnected | removed */
  state: text('state').notNull().default('active'),
  /**
   * Validated settings as saved (domain/settings.ts); a row saved before a setting existed lacks it, so
   * readers that need defaults parse again (parseSettings).
   */
  settings: jsonb('settings').notNull().$type<Settings>(),
  startDate: ts('start_date').notNull(),
  /** Orders updated at or after this instant (minus the overlap) are fetched by the next run. */
  cursorUpdatedAt: ts('cursor_updated_at'),
  lastRunAt: ts('last_run_at'),
  lastRunStatus: text('last_run_status'),
  lastError: text('last_error'),
  connectionError: text('connection_error'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const storeCredentials = pgTable('store_credentials', {
  storeId: text('store_id')
    .primaryKey()
    .references(() => stores.id, { onDelete: 'cascade' }),
  /** Every *_enc column holds an AES-256-GCM envelope (config/secrets.ts), never plaintext. */
  shopifyAccessTokenEnc: text('shopify_access_token_enc').notNull(),
  qboClientId: text('qbo_client_id').notNull(),
  qboClientSecretEnc: text('qbo_client_secret_enc').notNull(),
  qboAccessTokenEnc: text('qbo_access_token_enc'),
  qboAccessTokenExpiresAt: ts('qbo_access_token_expires_at'),
  qboRefreshTokenEnc: text('qbo_refresh_token_enc').notNull(),
  qboRefreshTokenExpiresAt: ts('qbo_refresh_token_expires_at'),
  /**
   * The shop's own custom app's API secret key, when it was connected with one: Shopify signs the shop's
   * webhooks with it (api/routes/webhooks.ts verifies them with it before the configured app secrets). Null:
   * the shop's webhooks are signed with the configured app secret.
   */
  shopifyApiSecretEnc: text('shopify_api_secret_enc'),
  /**
   * The shop's previous API secret while the merchant rotates it: Shopify keeps signing with the old secret until
   * it is revoked in the app's settings, so deliveries signed with either are accepted until one arrives signed
   * with the new secret (which ends the window) or `shopify_api_secret_previous_until` passes.
   */
  shopifyApiSecretPreviousEnc: text('shopify_api_secret_previous_enc'),
  shopifyApiSecretPreviousUntil: ts('shopify_api_secret_previous_until'),
  /** Optimistic lock: a refresh writes only if the version it read is still current. */
  version: integer('version').notNull().default(0),
  refreshedAt: ts('refreshed_at'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    /** `order:<gid>`, `refund:<gid>`, `payout:<gid>` … (domain/ledger.ts). */
    sourceKey: text('source_key').notNull(),
    /** The QBO document's role for this source: receipt | invoice | payment | void | refund | deposit | fees. */
    role: text('role').notNull(),
    sourceType: text('source_type').notNull(),
    /** The source this one belongs to: a refund's order (`order:<gid>`); null for orders themselves. */
    parentSourceKey: text('parent_source_key'),
    sourceName: text('source_name'),
    sourceUpdatedAt: ts('source_updated_at'),
    /** pending | synced | parked | failed | skipped | voided | ignored | undone | held */
    status: text('status').notNull(),
    reason: text('reason'),
    reasonCode: text('reason_code'),
    qboType: text('qbo_type'),
    qboId: text('qbo_id'),
    qboSyncToken: text('qbo_sync_token'),
    qboDocNumber: text('qbo_doc_number'),
    qboTotalMinor: bigint('qbo_total_minor', { mode: 'number' }),
    sourceTotalMinor: bigint('source_total_minor', { mode: 'number' }),
    /** Canonical form of what Ledgerline wrote; a changed fingerprint means "update, don't add". */
    fingerprint: text('fingerprint'),
    /** QBO requestid used for the create (replays return the original response). */
    requestId: text('request_id'),
    attempts: integer('attempts').notNull().default(0),
    createdByLedgerline: boolean('created_by_ledgerline').notNull().default(true),
    /** A `held` row's built document, kept for review (docs/review.md); null otherwise. */
    heldDocument: jsonb('held_document').$type<HeldDocument>(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.sourceKey, t.role] }),
    index('ledger_entries_status_idx').on(t.storeId, t.status),
    uniqueIndex('ledger_entries_qbo_doc_idx')
      .on(t.storeId, t.qboType, t.qboId)
      .where(sql`${t.qboId} is not null`),
    index('ledger_entries_parent_idx')
      .on(t.storeId, t.parentSourceKey)
      .where(sql`${t.parentSourceKey} is not null`),
  ],
);

export const syncRuns = pgTable(
  'sync_runs',
  {
    id: text('id').primaryKey(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    workflowId: text('workflow_id').notNull(),
    /** scheduled | manual | resync | webhook */
    trigger: text('trigger').notNull(),
    windowFrom: ts('window_from'),
    windowTo: ts('window_to'),
    /** running | completed | failed */
    status: text('status').notNull(),
    fetched: integer('fetched').notNull().default(0),
    synced: integer('synced').notNull().default(0),
    parked: integer('parked').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    error: text('error'),
    startedAt: ts('started_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('sync_runs_store_idx').on(t.storeId, t.startedAt)],
);

/** Cache of QBO references Ledgerline resolved (items by SKU/name, customers by email, category items). */
export const qboRefs = pgTable(
  'qbo_refs',
  {
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    qboId: text('qbo_id').notNull(),
    name: text('name'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.kind, t.key] })],
);

/** Shopify webhook deliveries already accepted (X-Shopify-Webhook-Id is stable across retries). */
export const webhookDeliveries = pgTable('webhook_deliveries', {
  webhookId: text('webhook_id').primaryKey(),
  shopDomain: text('shop_domain').notNull(),
  topic: text('topic').notNull(),
  receivedAt: ts('received_at').notNull().defaultNow(),
});

/**
 * Per-realm request counters shared by every worker (QBO allows 500 requests/min and 40 batch
 * calls/min per realm — docs/qbo-facts.md §1): one row per realm, bucket ('request' | 'batch') and time bucket
 * (`window_start`, windowMs/60 wide); integrations/qbo/limiter.ts sums them over a sliding window.
 */
export const qboRateWindows = pgTable(
  'qbo_rate_windows',
  {
    realmId: text('realm_id').notNull(),
    bucket: text('bucket').notNull(),
    windowStart: ts('window_start').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.realmId, t.bucket, t.windowStart] })],
);

/**
 * QBO API use per realm and minute, for the store page's chart (api/stores/stats.ts): qbo_rate_windows keeps only
 * the last minute, so the limiter (integrations/qbo/limiter.ts) adds each process's counts here once a minute is
 * over (one upsert per realm and minute, not per call). Rows older than QBO_USAGE_RETENTION_DAYS are pruned by the
 * same write (db/queries/qbo-usage.ts).
 */
export const qboUsageMinutes = pgTable(
  'qbo_usage_minutes',
  {
    realmId: text('realm_id').notNull(),
    minute: ts('minute').notNull(),
    /** Calls of either kind that took a slot in this minute (a batch call counts here too, as QBO counts it). */
    calls: integer('calls').notNull().default(0),
    /** Batch calls among them. */
    batches: integer('batches').notNull().default(0),
    /** Calls QBO answered with 429 (throttled). */
    throttled: integer('throttled').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.realmId, t.minute] })],
);

/**
 * API tokens besides the admin token (LEDGERLINE_API_TOKEN, configuration): each for one store or for all
 * stores (`store_id` null), read-only or allowed to operate. Only the SHA-256 of the token is kept
 * (`secret_hash`, hex); the token itself is shown once, by `npm run tokens -- create`. A revoked token
 * keeps its row (the audit log names it), with `revoked_at` set.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    /** Public id (16 hex characters), also inside the token itself: `llt_<id>_<secret>`. */
    id: text('id').primaryKey(),
    label: text('label').notNull(),
    /** The one store the token may see; null: every store. */
    storeId: text('store_id').references(() => stores.id, { onDelete: 'cascade' }),
    /** read | operate */
    scope: text('scope').notNull(),
    secretHash: text('secret_hash').notNull().unique(),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [check('api_tokens_scope_check', sql`${t.scope} in ('read', 'operate')`)],
);

/**
 * Every mutating API request that passed authentication: who (the token's id and label, `admin` for the
 * configured token), what (method, route pattern, path parameters, query and the body with secrets
 * redacted), when, the store it names and the status it was answered with. The row is written before the
 * request is carried out and completed when it is answered, so `status` null means it never was (the
 * process stopped meanwhile). No foreign key to `stores`: the log outlives stores, and records requests
 * naming stores that do not exist.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: ts('at').notNull().defaultNow(),
    actorId: text('actor_id').notNull(),
    actorLabel: text('actor_label').notNull(),
    method: text('method').notNull(),
    /** The route's pattern (`/stores/:id/resync`), not the URL. */
    route: text('route').notNull(),
    params: jsonb('params').notNull().$type<Record<string, string>>(),
    query: jsonb('query').notNull().$type<Record<string, unknown>>(),
    /** The parsed JSON body, secrets redacted and long values cut (api/audit.ts); null when there was none. */
    body: jsonb('body').$type<unknown>(),
    storeId: text('store_id'),
    ip: text('ip'),
    requestId: text('request_id'),
    status: integer('status'),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('audit_log_store_idx').on(t.storeId, t.id), index('audit_log_actor_idx').on(t.actorId, t.id)],
);

/**
 * One writer per store at a time (activities/sync/lease.ts): the Temporal execution (workflow id + run id)
 * whose sync activities are writing the store's documents, until `expires_at`. The writer renews it while it
 * works; another execution of the same store (an operator's reset, a re-run, a second sync child) waits until
 * it is released or lapses.
 */
export const storeWriteLeases = pgTable('store_write_leases', {
  storeId: text('store_id')
    .primaryKey()
    .references(() => stores.id, { onDelete: 'cascade' }),
  /** `<workflow id>/<Temporal run id>` of the holder. */
  holder: text('holder').notNull(),
  acquiredAt: ts('acquired_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
});

/**
 * The nightly audit's place per store (workflows/audit.ts, issue #12 item 17): the instant from which the next
 * audit asks QBO's change data capture for changes, and where the rolling sample of the other documents goes on.
 */
export const storeAudits = pgTable('store_audits', {
  storeId: text('store_id')
    .primaryKey()
    .references(() => stores.id, { onDelete: 'cascade' }),
  /** The next audit reads QBO changes at or after this instant (null: from 30 days back, QBO's limit). */
  changedSince: ts('changed_since'),
  /** The rolling sample resumes after this ledger row (`<source key> <role>`); null: from the start. */
  sampleAfter: text('sample_after'),
  lastAuditAt: ts('last_audit_at'),
  /** The last audit's counts and notes (domain/audit AuditSummary). */
  lastSummary: jsonb('last_summary').$type<Record<string, unknown>>(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * What the audit found wrong with a QBO document Ledgerline booked: one row per ledger row (source key + role),
 * kept while the difference lasts and marked resolved when a later audit finds the document right again.
 * The audit never writes to QBO: a finding waits for an operator.
 */
export const auditFindings = pgTable(
  'audit_findings',
  {
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    sourceKey: text('source_key').notNull(),
    role: text('role').notNull(),
    qboType: text('qbo_type').notNull(),
    qboId: text('qbo_id').notNull(),
    /** deleted | voided | edited | drifted (domain/audit). */
    kind: text('kind').notNull(),
    /** The difference in words: what QBO holds against what Ledgerline wrote and Shopify says. */
    difference: text('difference').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>(),
    foundAt: ts('found_at').notNull().defaultNow(),
    checkedAt: ts('checked_at').notNull().defaultNow(),
    resolvedAt: ts('resolved_at'),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.sourceKey, t.role] }),
    index('audit_findings_open_idx')
      .on(t.storeId)
      .where(sql`${t.resolvedAt} is null`),
  ],
);

/**
 * One row per Shopify Payments payout the saga has seen (workflows/payout.ts, docs/payouts.md): what Shopify says of
 * it, where the saga stands, why it waits or is held, and the QBO documents it posted. The saga writes it on every
 * step; `GET /stores/:id/payouts` reads it. The documents themselves are ledger rows (`payout:<gid>`, roles
 * `deposit` and `journal`), which make each write exactly-once.
 */
export const payouts = pgTable(
  'payouts',
  {
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    /** The payout's gid (`gid://shopify/ShopifyPaymentsPayout/<id>`). */
    payoutId: text('payout_id').notNull(),
    legacyId: text('legacy_id').notNull(),
    /** Shopify's status: SCHEDULED | IN_TRANSIT | PAID | FAILED | CANCELED. */
    status: text('status').notNull(),
    issuedAt: ts('issued_at').notNull(),
    currency: text('currency').notNull(),
    /** The bank movement in minor units (negative for a withdrawal). */
    netMinor: bigint('net_minor', { mode: 'number' }).notNull(),
    feesMinor: bigint('fees_minor', { mode: 'number' }),
    /**
     * The saga's state (domain/payouts PAYOUT_STATES): discovered | scheduled | reading | waiting_documents | held |
     * posting | watching | posted | compensated | failed | canceled | empty.
     */
    state: text('state').notNull(),
    /** Why it is in that state, in words (the decision's reason). */
    reason: text('reason'),
    /** The charges and refunds it waits for, or that went to the clearing line, each with its order's reason. */
    blockers: jsonb('blockers').$type<unknown[]>(),
    /** The reconciliation report of the posted (or planned) Deposit (domain/payouts DepositPlan['report']). */
    report: jsonb('report').$type<Record<string, unknown>>(),
    /**
     * The payout's balance transactions as Shopify served them (its contents are fixed once paid): read once, then
     * every later step reads them here instead of spending the shop's Shopify points again.
     */
    contents: jsonb('contents').$type<unknown[]>(),
    needsAttention: boolean('needs_attention').notNull().default(false),
    depositId: text('deposit_id'),
    journalEntryId: text('journal_entry_id'),
    workflowId: text('workflow_id').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.payoutId] }), index('payouts_store_issued_idx').on(t.storeId, t.issuedAt)],
);

/**
 * QBO tokens a connect (or a credential replacement) rotated before it failed (services/stores/qbo-check.ts):
 * Intuit may invalidate the refresh token sent once it issues a new one (docs/qbo-facts.md §3), so the new
 * pair is saved here, encrypted, the moment the refresh answers. A retry for the same shop and realm that
 * sends the refresh token this row replaced uses these tokens instead; success deletes the row, and a row
 * past `expires_at` is ignored and pruned.
 */
export const pendingConnects = pgTable(
  'pending_connects',
  {
    /** The normalized `<handle>.myshopify.com` domain the attempt was for. */
    shopDomain: text('shop_domain').notNull(),
    realmId: text('realm_id').notNull(),
    /** The Intuit app the tokens were issued to (a retry with another client id does not use them). */
    qboClientId: text('qbo_client_id').notNull(),
    /** SHA-256 (hex) of the refresh token the attempt was sent, which this row's tokens replace. */
    sentRefreshTokenSha256: text('sent_refresh_token_sha256').notNull(),
    /** AES-256-GCM envelopes (config/secrets.ts), like store_credentials. */
    qboAccessTokenEnc: text('qbo_access_token_enc').notNull(),
    qboAccessTokenExpiresAt: ts('qbo_access_token_expires_at').notNull(),
    qboRefreshTokenEnc: text('qbo_refresh_token_enc').notNull(),
    qboRefreshTokenExpiresAt: ts('qbo_refresh_token_expires_at'),
    refreshedAt: ts('refreshed_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.shopDomain, t.realmId] }), index('pending_connects_expires_idx').on(t.expiresAt)],
);

/**
 * The `state` of each "Connect to QuickBooks" started (services/oauth/state.ts, docs/oauth.md): the signed state
 * carries this nonce, and the callback consumes the row in the same statement that checks it, so a state is good
 * for one callback only. Rows past `expires_at` (10 minutes after the start) are refused and pruned.
 */
export const oauthStates = pgTable(
  'oauth_states',
  {
    nonce: text('nonce').primaryKey(),
    /** The normalized shop domain the connect was started for. */
    shopDomain: text('shop_domain').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    /** Set by the callback that used it; a second callback with the same state is refused. */
    usedAt: ts('used_at'),
  },
  (t) => [index('oauth_states_expires_idx').on(t.expiresAt)],
);

/**
 * QBO tokens from a completed OAuth callback, waiting for POST /stores to name them (`qbo.grantId`): the grant is
 * bound to its shop and realm, its tokens are AES-256-GCM envelopes, and the connect that uses it deletes it in
 * the transaction that stores the store.
 */
export const qboGrants = pgTable(
  'qbo_grants',
  {
    id: text('id').primaryKey(),
    shopDomain: text('shop_domain').notNull(),
    realmId: text('realm_id').notNull(),
    /** The Intuit app the tokens were issued to. */
    qboClientId: text('qbo_client_id').notNull(),
    qboAccessTokenEnc: text('qbo_access_token_enc').notNull(),
    qboAccessTokenExpiresAt: ts('qbo_access_token_expires_at').notNull(),
    qboRefreshTokenEnc: text('qbo_refresh_token_enc').notNull(),
    qboRefreshTokenExpiresAt: ts('qbo_refresh_token_expires_at'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('qbo_grants_shop_idx').on(t.shopDomain)],
);

/**
 * A Shopify access token from a completed app install (GET /connect/shopify/callback), waiting for POST /stores to
 * name it (`shopify.grantId`): bound to its shop and to the Shopify app that installed it, the token an AES-256-GCM
 * envelope, the scopes as Shopify granted them; the connect that uses it deletes it in the transaction that stores
 * the store. Shopify's offline tokens do not expire; a grant nobody used is dropped after a day.
 */
export const shopifyGrants = pgTable(
  'shopify_grants',
  {
    id: text('id').primaryKey(),
    shopDomain: text('shop_domain').notNull(),
    /** The Shopify app (client id) the token was issued to. */
    shopifyClientId: text('shopify_client_id').notNull(),
    shopifyAccessTokenEnc: text('shopify_access_token_enc').notNull(),
    /** Comma-separated, as Shopify's token answer lists them. */
    scopes: text('scopes').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('shopify_grants_shop_idx').on(t.shopDomain), index('shopify_grants_expires_idx').on(t.expiresAt)],
);

/**
 * One inventory run (workflows/inventory.ts, docs/inventory.md): QBO's quantities on hand compared with Shopify's
 * `available` at the store's mapped location. The id is the run's workflow id (it names the run in Shopify's
 * inventory history through `referenceDocumentUri`). A run whose circuit breaker tripped waits in
 * `awaiting_confirmation` until a person confirms it through the API.
 */
export const inventoryRuns = pgTable(
  'inventory_runs',
  {
    id: text('id').primaryKey(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    /** preview | apply */
    mode: text('mode').notNull(),
    /** scheduled | manual | preview */
    trigger: text('trigger').notNull(),
    /** running | awaiting_confirmation | completed | previewed | expired | blocked | failed */
    status: text('status').notNull(),
    locationId: text('location_id'),
    compared: integer('compared').notNull().default(0),
    raised: integer('raised').notNull().default(0),
    lowered: integer('lowered').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    applied: integer('applied').notNull().default(0),
    /** Changes not written in the end (the item kept moving in Shopify, or it now needs no change). */
    notApplied: integer('not_applied').notNull().default(0),
    /** The circuit breaker's reasons and numbers (domain/inventory InventoryBreaker), when it tripped. */
    breaker: jsonb('breaker').$type<Record<string, unknown>>(),
    breakerReason: text('breaker_reason'),
    confirmedAt: ts('confirmed_at'),
    /** Why the run stopped without reading (store paused, inventory off) or failed. */
    note: text('note'),
    startedAt: ts('started_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('inventory_runs_store_idx').on(t.storeId, t.startedAt)],
);

/** One row of a run's diff: the QBO item, its Shopify inventory item, before and target, and what became of it. */
export const inventoryChanges = pgTable(
  'inventory_changes',
  {
    runId: text('run_id')
      .notNull()
      .references(() => inventoryRuns.id, { onDelete: 'cascade' }),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id, { onDelete: 'cascade' }),
    /** Position in the run's diff (QBO's order). */
    seq: integer('seq').notNull(),
    qboItemId: text('qbo_item_id').notNull(),
    name: text('name').notNull(),
    sku: text('sku'),
    inventoryItemId: text('inventory_item_id'),
    /** QBO QtyOnHand as read (text: QBO quantities are decimals). */
    qboQty: text('qbo_qty'),
    shopifyBefore: integer('shopify_before'),
    /** The two terms read from Shopify and the ledger: `unavailable` at the location, units sold not yet in QBO. */
    shopifyUnavailable: integer('shopify_unavailable'),
    unbookedSold: integer('unbooked_sold'),
    target: integer('target'),
    /** The `available` Shopify holds after the write (the target, or the recomputed target after a stale read). */
    after: integer('after'),
    /** raise | lower | unchanged | skip */
    action: text('action').notNull(),
    skipCode: text('skip_code'),
    reason: text('reason').notNull(),
    applied: boolean('applied').notNull().default(false),
    appliedAt: ts('applied_at'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] }), index('inventory_changes_store_idx').on(t.storeId, t.runId)],
);
