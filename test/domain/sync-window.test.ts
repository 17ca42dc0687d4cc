/** Which orders a sync run reads (domain/sync/window.ts): the run window and the bulk slices. */
import { describe, expect, it } from 'vitest';
import {
  BULK_MAX_SLICES,
  BULK_WINDOW_MS,
  CURSOR_OVERLAP_MS,
  WEBHOOK_COVER_MARGIN_MS,
  planRunWindow,
  planSlices,
  webhookNudgeCovered,
  webhookRunMayBookOnly,
  windowSearch,
} from '../../domain/sync';

const DAY = 24 * 3600_000;

describe('planSlices', () => {
  it('gives no slice when the window holds no order', () => {
    expect(planSlices('2026-01-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z', null)).toEqual([]);
  });

  it('starts at the oldest order, keeps the window edges, and covers it without gaps', () => {
    const slices = planSlices('1970-01-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
    expect(slices[0]!.from).toBe('1970-01-01T00:00:00.000Z');
    expect(slices.at(-1)!.to).toBe('2026-07-01T00:00:00.000Z');
    for (let i = 1; i < slices.length; i++) expect(slices[i]!.from).toBe(slices[i - 1]!.to);
    // 181 days in slices of at most 30 days: 7 slices, the first cut at a quarter (a small first bulk
    // operation), so 8; each after the first ≤ 30 days.
    expect(slices).toHaveLength(8);
    expect(Date.parse(slices[0]!.to) - Date.parse('2026-01-01T00:00:00.000Z')).toBeLessThan(8 * DAY);
    for (const s of slices.slice(1)) expect(Date.parse(s.to) - Date.parse(s.from!)).toBeLessThanOrEqual(30 * DAY);
  });

  it('one slice for a short window, and never more than the maximum for years of history', () => {
    expect(planSlices(null, '2026-07-01T00:00:00.000Z', '2026-06-20T00:00:00.000Z')).toEqual([
      { from: null, to: '2026-06-22T18:00:00.000Z' },
      { from: '2026-06-22T18:00:00.000Z', to: '2026-07-01T00:00:00.000Z' },
    ]);
    expect(planSlices(null, '2026-07-01T00:00:00.000Z', '2016-07-01T00:00:00.000Z')).toHaveLength(BULK_MAX_SLICES + 1);
  });
});

describe('planRunWindow', () => {
  const now = new Date('2026-07-01T12:00:00.000Z');
  const store = (over: Partial<Parameters<typeof planRunWindow>[0]> = {}) => ({
    shopDomain: 'acme.myshopify.com',
    state: 'active',
    connectionError: null,
    startDate: new Date('2026-01-01T00:00:00.000Z'),
    cursorUpdatedAt: null,
    ...over,
  });

  it.each([
    {
      name: 'first sync: from the start date, in bulk, moving the cursor',
      store: store(),
      requested: undefined,
      want: { windowFrom: '2026-01-01T00:00:00.000Z', windowTo: '2026-07-01T12:00:00.000Z', mode: 'bulk', advanceCursor: true },
    },
    {
      name: 'hourly run: from the cursor less the overlap, paged',
      store: store({ cursorUpdatedAt: new Date('2026-07-01T11:00:00.000Z') }),
      requested: undefined,
      want: {
        windowFrom: new Date(Date.parse('2026-07-01T11:00:00.000Z') - CURSOR_OVERLAP_MS).toISOString(),
        windowTo: now.toISOString(),
        mode: 'page',
        advanceCursor: true,
      },
    },
    {
      name: 'a cursor older than the bulk threshold: bulk',
      store: store({ cursorUpdatedAt: new Date(now.getTime() - BULK_WINDOW_MS - 1) }),
      requested: undefined,
      want: { mode: 'bulk', advanceCursor: true },
    },
    {
      name: 'a resync window: its own bounds, never moves the cursor',
      store: store({ cursorUpdatedAt: new Date('2026-07-01T11:00:00.000Z') }),
      requested: { from: '2026-06-30T00:00:00Z', to: '2026-06-30T06:00:00Z' },
      want: { windowFrom: '2026-06-30T00:00:00.000Z', windowTo: '2026-06-30T06:00:00.000Z', mode: 'page', advanceCursor: false },
    },
    {
      name: 'a resync without an end: up to now, bulk when long',
      store: store({ cursorUpdatedAt: new Date('2026-07-01T11:00:00.000Z') }),
      requested: { from: '2026-03-01T00:00:00Z' },
      want: { windowFrom: '2026-03-01T00:00:00.000Z', windowTo: now.toISOString(), mode: 'bulk', advanceCursor: false },
    },
  ])('$name', ({ store: s, requested, want }) => {
    const plan = planRunWindow(s, requested, now);
    expect(plan).toMatchObject(want);
    expect(plan.blocked).toBeUndefined();
  });

  it('a store that is not active is blocked, with its state and connection error', () => {
    expect(planRunWindow(store({ state: 'paused' }), undefined, now).blocked).toBe('Store acme.myshopify.com is paused');
    expect(planRunWindow(store({ state: 'disconnected', connectionError: 'invalid_grant' }), undefined, now).blocked).toBe(
      'Store acme.myshopify.com is disconnected: invalid_grant',
    );
  });

  it('windowSearch bounds the Shopify search on updated_at, half-open', () => {
    expect(windowSearch('2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z')).toBe(
      "updated_at:>='2026-01-01T00:00:00.000Z' AND updated_at:<'2026-02-01T00:00:00.000Z'",
    );
    expect(windowSearch(null, '2026-02-01T00:00:00.000Z')).toBe("updated_at:<'2026-02-01T00:00:00.000Z'");
  });
});

describe('webhookNudgeCovered', () => {
  const run = (windowTo: string, trigger = 'webhook') => ({ trigger, windowTo });
  it('drops a webhook-only run only when its newest webhook came at least the margin before the last run read to', () => {
    const readTo = '2026-12-04T10:00:10.000Z';
    expect(WEBHOOK_COVER_MARGIN_MS).toBe(5_000);
    expect(webhookNudgeCovered('2026-12-04T10:00:05.000Z', run(readTo))).toBe(true);
    expect(webhookNudgeCovered('2026-12-04T10:00:05.001Z', run(readTo))).toBe(false);
    expect(webhookNudgeCovered('2026-12-04T10:00:09.000Z', run(readTo))).toBe(false);
    expect(webhookNudgeCovered('2026-12-04T10:00:30.000Z', run(readTo))).toBe(false);
    expect(webhookNudgeCovered('2026-12-04T09:00:00.000Z', run(readTo, 'scheduled'))).toBe(true);
  });
  it('never drops without a webhook time, without a last run, after a resync, or on a time it cannot read', () => {
    const readTo = '2026-12-04T10:00:10.000Z';
    expect(webhookNudgeCovered(undefined, run(readTo))).toBe(false);
    expect(webhookNudgeCovered('2026-12-04T09:00:00.000Z', undefined)).toBe(false);
    expect(webhookNudgeCovered('2026-12-04T09:00:00.000Z', run(readTo, 'resync'))).toBe(false);
    expect(webhookNudgeCovered('not a time', run(readTo))).toBe(false);
    expect(webhookNudgeCovered('2026-12-04T09:00:00.000Z', run('later'))).toBe(false);
  });
});

describe('webhookRunMayBookOnly', () => {
  const now = new Date('2026-12-04T12:00:00.000Z');
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
  it.each([
    { last: null, interval: 60, want: false, why: 'no full run ever' },
    { last: ago(0), interval: 60, want: true, why: 'a full run just began' },
    { last: ago(119), interval: 60, want: true, why: 'within two intervals' },
    { last: ago(120), interval: 60, want: false, why: 'two intervals ago: a slot was missed' },
    { last: ago(9), interval: 5, want: true, why: 'short interval, within two' },
    { last: ago(11), interval: 5, want: false, why: 'short interval, older than two' },
  ])('$why → $want', ({ last, interval, want }) => {
    expect(webhookRunMayBookOnly({ lastFullRunStartedAt: last, intervalMinutes: interval, now })).toBe(want);
  });
});
