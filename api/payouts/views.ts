/**
 * GET /stores/:id/payouts and GET /stores/:id/payouts/:payoutId: the `payouts` rows the saga writes
 * (activities/payouts), newest first by issue date. The cursor is the page's last (issued_at, payout gid): payouts
 * are never re-issued, so pages stay stable while discovery adds newer ones in front.
 */
import { countPayoutsByState, findPayout, listPayoutsPage, type PayoutPosition, type PayoutRow } from '../../db/queries/payouts';
import { moneyFromMinor, toDecimalString } from '../../domain/money';
import { PAYOUT_SAGA_STATES, type PayoutSagaStatus } from '../../workflows/definitions';
import type { StoreContext } from '../../services/stores/context';
import { queryPayoutStatus } from '../../services/payouts/workflow';
import { HttpError, badRequest } from '../errors';
import type { StoreRow } from '../stores/views';

/** How many blockers each list item carries (the detail has them all). */
export const BLOCKERS_SHOWN = 3;

/** A payout's gid, and its legacy id (the digits at its end). */
export const PAYOUT_GID = /^gid:\/\/shopify\/ShopifyPaymentsPayout\/([0-9]{1,20})$/;
const LEGACY_ID = /^[0-9]{1,20}$/;
/** What toISOString writes; anything else never came from this API. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface PayoutListItem {
  payoutId: string;
  legacyId: string;
  status: string;
  issuedAt: string;
  currency: string;
  net: string;
  netMinor: number;
  fees: string | null;
  feesMinor: number | null;
  state: string;
  reason: string | null;
  needsAttention: boolean;
  depositId: string | null;
  journalEntryId: string | null;
  blockers: { count: number; first: unknown[] };
  workflowId: string;
  createdAt: string;
  updatedAt: string;
}

export interface PayoutPage {
  items: PayoutListItem[];
  nextCursor: string | null;
  counts: Record<string, number>;
}

export interface PayoutDetail extends Omit<PayoutListItem, 'blockers'> {
  blockers: unknown[];
  report: Record<string, unknown> | null;
  /** The running saga's own view; absent when Temporal could not give it (`liveError` says why). */
  live?: PayoutSagaStatus;
  liveError: string | null;
  /** The saga's execution status in Temporal (RUNNING, COMPLETED, …); null when unknown. */
  workflowStatus: string | null;
}

function money(minor: number | null, currency: string): string | null {
  return minor === null ? null : toDecimalString(moneyFromMinor(minor, currency));
}

function baseView(r: PayoutRow) {
  return {
    payoutId: r.payoutId,
    legacyId: r.legacyId,
    status: r.status,
    issuedAt: r.issuedAt.toISOString(),
    currency: r.currency,
    net: money(r.netMinor, r.currency)!,
    netMinor: r.netMinor,
    fees: money(r.feesMinor, r.currency),
    feesMinor: r.feesMinor,
    state: r.state,
    reason: r.reason,
    needsAttention: r.needsAttention,
    depositId: r.depositId,
    journalEntryId: r.journalEntryId,
    workflowId: r.workflowId,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function payoutListItem(r: PayoutRow): PayoutListItem {
  const blockers = r.blockers ?? [];
  return { ...baseView(r), blockers: { count: blockers.length, first: blockers.slice(0, BLOCKERS_SHOWN) } };
}

function encodeCursor(c: PayoutPosition): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(text: string): PayoutPosition {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      const [issuedAt, payoutId] = value as [string, string];
      const ms = Date.parse(issuedAt);
      if (ISO_INSTANT.test(issuedAt) && !Number.isNaN(ms) && new Date(ms).toISOString() === issuedAt && PAYOUT_GID.test(payoutId)) {
        return [issuedAt, payoutId];
      }
    }
  } catch {
    // fall through
  }
  throw badRequest('cursor is not one this API issued; use the nextCursor of the previous page', { field: 'query.cursor' });
}

function parseState(state: string | undefined): string | undefined {
  if (state === undefined || state.trim() === '') return undefined;
  const wanted = state.trim();
  if (!(PAYOUT_SAGA_STATES as readonly string[]).includes(wanted)) {
    throw badRequest(`Unknown payout state "${wanted}"; allowed: ${PAYOUT_SAGA_STATES.join(', ')}`, {
      field: 'query.state',
      allowed: PAYOUT_SAGA_STATES,
    });
  }
  return wanted;
}

export interface PayoutListQuery {
  limit: number;
  cursor?: string;
  state?: string;
  attention?: 'true' | 'false';
}

export async function listPayouts(ctx: StoreContext, store: StoreRow, q: PayoutListQuery): Promise<PayoutPage> {
  const state = parseState(q.state);
  const before = q.cursor !== undefined ? decodeCursor(q.cursor) : undefined;
  const [rows, counts] = await Promise.all([
    listPayoutsPage(ctx.db, { storeId: store.id, limit: q.limit + 1, before, state, attention: q.attention === 'true' }),
    countPayoutsByState(ctx.db, { storeId: store.id }),
  ]);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(payoutListItem),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.issuedAt.toISOString(), last.payoutId]) : null,
    counts: Object.fromEntries(PAYOUT_SAGA_STATES.map((s) => [s, counts[s] ?? 0])),
  };
}

/** `:payoutId` is the legacy id (digits) or the gid; a precise 404 for one the store has not seen. */
export async function loadPayout(ctx: StoreContext, store: StoreRow, id: string): Promise<PayoutRow> {
  if (!LEGACY_ID.test(id) && !PAYOUT_GID.test(id)) {
    throw badRequest("payoutId must be the payout's numeric id or its gid (gid://shopify/ShopifyPaymentsPayout/<digits>, URL-encoded)", {
      field: 'params.payoutId',
    });
  }
  const row = await findPayout(ctx.db, { storeId: store.id, id });
  if (!row) {
    throw new HttpError(
      404,
      'not_found',
      `Payout ${id} of ${store.shopDomain} not found: Ledgerline has not seen it (each sync run discovers the payouts issued since the last ones, when payouts are enabled in the settings)`,
    );
  }
  return row;
}

export async function payoutDetail(ctx: StoreContext, row: PayoutRow, opts: { live: boolean }): Promise<PayoutDetail> {
  const detail: PayoutDetail = {
    ...baseView(row),
    blockers: row.blockers ?? [],
    report: row.report ?? null,
    liveError: null,
    workflowStatus: null,
  };
  if (!opts.live) return { ...detail, liveError: 'not asked for (live=false)' };
  const live = await queryPayoutStatus(ctx, row.workflowId);
  detail.workflowStatus = live.executionStatus;
  if (live.ok) detail.live = live.status;
  else detail.liveError = live.error;
  return detail;
}
