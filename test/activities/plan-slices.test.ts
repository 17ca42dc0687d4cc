/** How a bulk window is cut into time slices (activities/sync planSlices). */
import { describe, expect, it } from 'vitest';
import { BULK_MAX_SLICES, planSlices } from '../../activities/sync';

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
      { from: null, to: '2026-06-22T18:00:00.000Z' }, { from: '2026-06-22T18:00:00.000Z', to: '2026-07-01T00:00:00.000Z' },
    ]);
    expect(planSlices(null, '2026-07-01T00:00:00.000Z', '2016-07-01T00:00:00.000Z')).toHaveLength(BULK_MAX_SLICES + 1);
  });
});
