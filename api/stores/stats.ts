/**
 * GET /stores/:id/stats (issue #17, the store page's chart): documents booked per day from the ledger, and the
 * QBO realm's API use per day against its limits (qbo_usage_minutes, written by the QBO limiter). The console's
 * store page renders the same figures (console/pages.ts statsSection) and draws them (console/static/charts.js).
 */
import type { FastifyInstance } from 'fastify';
import { documentsBookedByDay, qboUsageByDay, QBO_USAGE_RETENTION_DAYS } from '../../db/queries/qbo-usage';
import type { StoreContext } from '../../services/stores/context';
import { readStore } from '../access';
import { errorResponses, idParams } from './schemas';
import { loadStore, type StoreRow } from './views';

/**
 * QBO's published per-realm limits (docs/qbo-facts.md §1,
 * https://developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles):
 * 500 requests and 40 batch requests per minute, 10 requests at once. The limiter paces below them.
 */
export const QBO_PUBLISHED_LIMITS = { requestsPerMinute: 500, batchesPerMinute: 40, concurrent: 10 } as const;

export const STATS_DAYS_DEFAULT = 30;
export const STATS_DAYS_MAX = QBO_USAGE_RETENTION_DAYS;
const DAY_MS = 86_400_000;

export interface StatsDay {
  /** YYYY-MM-DD (UTC). */
  day: string;
  documents: { sales: number; refunds: number; payouts: number; total: number };
  qbo: { calls: number; batches: number; throttled: number; peakCallsPerMinute: number; peakBatchesPerMinute: number };
}

export interface StoreStats {
  storeId: string;
  realmId: string;
  days: number;
  from: string;
  to: string;
  limits: typeof QBO_PUBLISHED_LIMITS;
  totals: { documents: StatsDay['documents']; qbo: StatsDay['qbo'] };
  /** One entry per UTC day from `from` to `to`, oldest first; days without anything are zeros. */
  series: StatsDay[];
}

const KIND: Record<string, keyof Omit<StatsDay['documents'], 'total'>> = { order: 'sales', refund: 'refunds', payout: 'payouts' };

export async function storeStats(ctx: StoreContext, row: StoreRow, days: number, now = new Date()): Promise<StoreStats> {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const since = new Date(today - (days - 1) * DAY_MS);
  const [booked, usage] = await Promise.all([
    documentsBookedByDay(ctx.db, { storeId: row.id, since }),
    qboUsageByDay(ctx.db, { realmId: row.qboRealmId, since }),
  ]);
  const series: StatsDay[] = Array.from({ length: days }, (_, i) => ({
    day: new Date(since.getTime() + i * DAY_MS).toISOString().slice(0, 10),
    documents: { sales: 0, refunds: 0, payouts: 0, total: 0 },
    qbo: { calls: 0, batches: 0, throttled: 0, peakCallsPerMinute: 0, peakBatchesPerMinute: 0 },
  }));
  const byDay = new Map(series.map((d) => [d.day, d]));
  for (const b of booked) {
    const d = byDay.get(b.day);
    if (!d) continue;
    const kind = KIND[b.sourceType];
    if (kind) d.documents[kind] += b.count;
    d.documents.total += b.count;
  }
  for (const u of usage) {
    const d = byDay.get(u.day);
    if (!d) continue;
    const { day: _day, ...figures } = u;
    d.qbo = figures;
  }
  const sum = (f: (d: StatsDay) => number) => series.reduce((n, d) => n + f(d), 0);
  const max = (f: (d: StatsDay) => number) => series.reduce((n, d) => Math.max(n, f(d)), 0);
  return {
    storeId: row.id,
    realmId: row.qboRealmId,
    days,
    from: series[0]!.day,
    to: series.at(-1)!.day,
    limits: QBO_PUBLISHED_LIMITS,
    totals: {
      documents: {
        sales: sum((d) => d.documents.sales),
        refunds: sum((d) => d.documents.refunds),
        payouts: sum((d) => d.documents.payouts),
        total: sum((d) => d.documents.total),
      },
      qbo: {
        calls: sum((d) => d.qbo.calls),
        batches: sum((d) => d.qbo.batches),
        throttled: sum((d) => d.qbo.throttled),
        peakCallsPerMinute: max((d) => d.qbo.peakCallsPerMinute),
        peakBatchesPerMinute: max((d) => d.qbo.peakBatchesPerMinute),
      },
    },
    series,
  };
}

const int = { type: 'integer', minimum: 0 } as const;
const documentsSchema = {
  type: 'object',
  properties: { sales: int, refunds: int, payouts: int, total: int },
} as const;
const qboSchema = {
  type: 'object',
  properties: { calls: int, batches: int, throttled: int, peakCallsPerMinute: int, peakBatchesPerMinute: int },
} as const;

export const statsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    days: {
      type: 'integer',
      minimum: 1,
      maximum: STATS_DAYS_MAX,
      default: STATS_DAYS_DEFAULT,
      description: `UTC days to cover, ending today (QBO use is kept ${QBO_USAGE_RETENTION_DAYS} days)`,
    },
  },
} as const;

export const statsSchema = {
  type: 'object',
  properties: {
    storeId: { type: 'string' },
    realmId: { type: 'string' },
    days: int,
    from: { type: 'string', format: 'date' },
    to: { type: 'string', format: 'date' },
    limits: { type: 'object', properties: { requestsPerMinute: int, batchesPerMinute: int, concurrent: int } },
    totals: { type: 'object', properties: { documents: documentsSchema, qbo: qboSchema } },
    series: {
      type: 'array',
      items: { type: 'object', properties: { day: { type: 'string', format: 'date' }, documents: documentsSchema, qbo: qboSchema } },
    },
  },
} as const;

const pick = (codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorResponses[c as keyof typeof errorResponses]]));

export async function statsRoutes(ctx: StoreContext, app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string }; Querystring: { days: number } }>(
    '/stores/:id/stats',
    {
      config: { access: readStore },
      schema: {
        tags: ['stores'],
        summary:
          "Documents booked per day (sales, refunds, payouts: ledger rows synced, by the day their row was made) and the QBO realm's API use per day against its limits",
        params: idParams,
        querystring: statsQuerySchema,
        response: { 200: statsSchema, ...pick([400, 401, 403, 404]) },
      },
    },
    async (req) => storeStats(ctx, await loadStore(ctx, req.params.id), req.query.days),
  );
}
