/**
 * The running sync's figures on the store page: progressView (api/stores/views.ts) works out the rate and the time
 * left from what the run's query answers, and progressCard (console/pages.ts) says it in words.
 */
import { describe, expect, it } from 'vitest';
import { progressView, type StoreView } from '../../api/stores/views';
import { progressCard } from '../../console/pages';
import type { SyncProgress } from '../../workflows/definitions';

const base: SyncProgress = {
  startedAt: '2026-12-04T10:00:00.000Z',
  mode: 'bulk',
  phase: 'reading',
  windowFrom: null,
  windowTo: '2026-12-04T09:59:00.000Z',
  fetched: 300,
  synced: 290,
  unchanged: 0,
  parked: 6,
  skipped: 4,
  failed: 0,
  total: 1_200,
};
const at = (seconds: number) => new Date(Date.parse(base.startedAt) + seconds * 1000);

describe('a running sync on the store page', () => {
  it('reads a rate from the orders read so far and the time left from what the window holds', () => {
    expect(progressView(base, at(120))).toMatchObject({ elapsedSeconds: 120, ratePerMinute: 150, secondsLeft: 360 });
    // Page by page Shopify does not say how many orders the window holds: no time left.
    expect(progressView({ ...base, mode: 'page', total: null }, at(120))).toMatchObject({ ratePerMinute: 150, secondsLeft: null });
    // Nothing read yet: no rate to go by.
    expect(progressView({ ...base, fetched: 0, synced: 0, parked: 0, skipped: 0 }, at(5))).toMatchObject({
      ratePerMinute: null,
      secondsLeft: null,
    });
  });

  it('says the figures in words with a progress bar, and that the run has finished once it has', () => {
    const view = { running: true, progress: progressView(base, at(120)) } as StoreView;
    const card = String(progressCard(view));
    expect(card).toContain('Running now');
    expect(card).toContain('300 of 1200 orders read · 290 booked · 6 parked · 0 failed · 4 skipped');
    expect(card).toContain('150 orders a minute');
    expect(card).toContain('about 6 min left');
    expect(card).toMatch(/<progress max="1200" value="300">\s*25 %\s*<\/progress>/);
    expect(String(progressCard({ running: false, progress: null } as StoreView))).toBe('');
    expect(String(progressCard({ running: false, progress: null } as StoreView, { finished: true }))).toContain('data-done');
    expect(String(progressCard({ running: true, progress: null } as StoreView))).toContain('figures are not available yet');
  });
});
