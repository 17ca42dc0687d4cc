/**
 * `qbo_usage_minutes`: QBO API use per realm and minute (written by the QBO limiter, integrations/qbo/limiter.ts,
 * once per realm and minute per process), and the store page's figures read from it and from the ledger
 * (api/stores/stats.ts).
 */
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { ledgerEntries, qboUsageMinutes } from '../schema';
import type { Executor } from './executor';

/** How long the per-minute history is kept: the chart shows at most 35 days. */
export const QBO_USAGE_RETENTION_DAYS = 35;
const DAY_MS = 86_400_000;

/**
 * Adds a minute's tally to the realm's row (several processes' tallies of one minute sum up) and prunes the
 * realm's rows older than the retention; two short statements once a minute.
 */
export async function addQboUsage(
  db: Executor,
  p: { realmId: string; minute: Date; calls: number; batches: number; throttled: number },
): Promise<void> {
  await db
    .insert(qboUsageMinutes)
    .values({ realmId: p.realmId, minute: p.minute, calls: p.calls, batches: p.batches, throttled: p.throttled })
    .onConflictDoUpdate({
      target: [qboUsageMinutes.realmId, qboUsageMinutes.minute],
      set: {
        calls: sql`${qboUsageMinutes.calls} + excluded.calls`,
        batches: sql`${qboUsageMinutes.batches} + excluded.batches`,
        throttled: sql`${qboUsageMinutes.throttled} + excluded.throttled`,
      },
    });
  await db
    .delete(qboUsageMinutes)
    .where(
      and(
        eq(qboUsageMinutes.realmId, p.realmId),
        lt(qboUsageMinutes.minute, new Date(p.minute.getTime() - QBO_USAGE_RETENTION_DAYS * DAY_MS)),
      ),
    );
}

/** The QBO limiter's `recordUsage` (QboRateWindowStore) over `db`. */
export const qboUsageRecorder =
  (db: Executor) =>
  (realmId: string, minute: Date, tally: { calls: number; batches: number; throttled: number }): Promise<void> =>
    addQboUsage(db, { realmId, minute, ...tally });

export interface QboUsageDay {
  /** YYYY-MM-DD (UTC). */
  day: string;
  calls: number;
  batches: number;
  throttled: number;
  /** The busiest minute's calls and batch calls that day. */
  peakCallsPerMinute: number;
  peakBatchesPerMinute: number;
}

/** The realm's use per UTC day since `since`, oldest first; days without a call are absent. */
export async function qboUsageByDay(db: Executor, p: { realmId: string; since: Date }): Promise<QboUsageDay[]> {
  const day = sql<string>`to_char(${qboUsageMinutes.minute} at time zone 'UTC', 'YYYY-MM-DD')`;
  const rows = await db
    .select({
      day,
      calls: sql<string>`sum(${qboUsageMinutes.calls})`,
      batches: sql<string>`sum(${qboUsageMinutes.batches})`,
      throttled: sql<string>`sum(${qboUsageMinutes.throttled})`,
      peakCalls: sql<number>`max(${qboUsageMinutes.calls})`,
      peakBatches: sql<number>`max(${qboUsageMinutes.batches})`,
    })
    .from(qboUsageMinutes)
    .where(and(eq(qboUsageMinutes.realmId, p.realmId), gte(qboUsageMinutes.minute, p.since)))
    .groupBy(day)
    .orderBy(day);
  return rows.map((r) => ({
    day: r.day,
    calls: Number(r.calls),
    batches: Number(r.batches),
    throttled: Number(r.throttled),
    peakCallsPerMinute: Number(r.peakCalls),
    peakBatchesPerMinute: Number(r.peakBatches),
  }));
}

export interface BookedDay {
  /** YYYY-MM-DD (UTC). */
  day: string;
  sourceType: string;
  count: number;
}

/**
 * The store's documents in QBO (ledger rows `synced` with a QBO id) by the UTC day their ledger row was made, which
 * is the day of the first attempt to book the source (the booking itself for all but sources parked and booked
 * later), and by source type (order, refund, payout).
 */
export async function documentsBookedByDay(db: Executor, p: { storeId: string; since: Date }): Promise<BookedDay[]> {
  const day = sql<string>`to_char(${ledgerEntries.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const rows = await db
    .select({ day, sourceType: ledgerEntries.sourceType, count: sql<string>`count(*)` })
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.storeId, p.storeId),
        eq(ledgerEntries.status, 'synced'),
        sql`${ledgerEntries.qboId} is not null`,
        gte(ledgerEntries.createdAt, p.since),
      ),
    )
    .groupBy(day, ledgerEntries.sourceType)
    .orderBy(day);
  return rows.map((r) => ({ day: r.day, sourceType: r.sourceType, count: Number(r.count) }));
}
