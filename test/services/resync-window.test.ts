/** The resync window the API accepts (services/stores/control.ts resyncWindow): bounded on both sides. */
import { describe, expect, it } from 'vitest';
import { EARLIEST_RESYNC, resyncWindow } from '../../services/stores/control';
import type { StoreContext } from '../../services/stores/context';

const now = new Date('2026-12-03T12:00:00.000Z');
const ctx = { clock: () => now } as unknown as StoreContext;
const startDate = new Date('2026-01-01T05:00:00.000Z');

describe('resyncWindow', () => {
  it("keeps a window inside the store's history as it is", () => {
    expect(resyncWindow(ctx, '2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z', startDate)).toEqual({
      from: '2026-06-01T00:00:00.000Z',
      to: '2026-06-02T00:00:00.000Z',
    });
    expect(resyncWindow(ctx, '2026-06-01T00:00:00+02:00', undefined, startDate)).toEqual({ from: '2026-05-31T22:00:00.000Z' });
  });

  it("starts a window that reaches before the store's start date at the start date", () => {
    expect(resyncWindow(ctx, '2020-01-01T00:00:00Z', undefined, startDate)).toEqual({ from: '2026-01-01T05:00:00.000Z' });
    // Without a start date (a store connected with all history), the window is what was asked.
    expect(resyncWindow(ctx, '2020-01-01T00:00:00Z', undefined)).toEqual({ from: '2020-01-01T00:00:00.000Z' });
  });

  it.each([
    ['year 0', '0000-01-01T00:00:00Z', undefined, /earliest a resync may start/],
    ['before the earliest instant', new Date(EARLIEST_RESYNC - 1).toISOString(), undefined, /earliest a resync may start/],
    ['year 10000', '+010000-01-01T00:00:00Z', undefined, /in the future/],
    ['an end in the future', '2026-06-01T00:00:00Z', '2027-01-01T00:00:00Z', /to .* is in the future/],
    ['an end before the start', '2026-06-02T00:00:00Z', '2026-06-01T00:00:00Z', /must be before to/],
    ['not a date', 'soon', undefined, /must be an ISO date-time/],
    ['a window that ends before the start date', '2025-01-01T00:00:00Z', '2025-06-01T00:00:00Z', /before the store's start date/],
  ])('refuses %s', (_name, from, to, message) => {
    expect(() => resyncWindow(ctx, from, to, startDate)).toThrow(message);
  });
});
