import { describe, expect, it } from 'vitest';
import { msUntilNextSlot, scheduleSlotOffsetMs } from '../../domain/schedule';

const HOUR = 3_600_000;

describe('scheduleSlotOffsetMs', () => {
  it('is stable for a shop, inside the interval, in whole seconds', () => {
    const a = scheduleSlotOffsetMs('alpha.myshopify.com', HOUR);
    expect(scheduleSlotOffsetMs('alpha.myshopify.com', HOUR)).toBe(a);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(HOUR);
    expect(a % 1000).toBe(0);
    expect(scheduleSlotOffsetMs('beta.myshopify.com', HOUR)).not.toBe(a);
  });

  it('spreads a fleet of 1,000 shops over the hour: no 5-minute window holds more than twice its share', () => {
    const windows = new Array(12).fill(0) as number[];
    for (let i = 0; i < 1000; i++) windows[Math.floor(scheduleSlotOffsetMs(`client-${i}.myshopify.com`, HOUR) / (5 * 60_000))]! += 1;
    expect(Math.max(...windows)).toBeLessThan((1000 / 12) * 2);
    expect(Math.min(...windows)).toBeGreaterThan(1000 / 12 / 2);
  });

  it('refuses an interval that is not positive', () => {
    expect(() => scheduleSlotOffsetMs('alpha.myshopify.com', 0)).toThrow(RangeError);
  });
});

describe('msUntilNextSlot', () => {
  it.each([
    // now (minutes past a boundary), offset (minutes), expected wait (minutes)
    [0, 17, 17],
    [16, 17, 1],
    [17, 17, 60], // exactly on the slot: the next one
    [18, 17, 59],
    [59, 0, 1],
    [60, 0, 60],
  ])('at :%i with the slot at :%i waits %i minutes', (now, offset, wait) => {
    const base = Date.UTC(2026, 11, 3, 10, 0, 0);
    expect(msUntilNextSlot(base + now * 60_000, HOUR, offset * 60_000)).toBe(wait * 60_000);
  });

  it('does not drift: however long the runs take, the slots stay on the same minute of the hour', () => {
    const offset = 23 * 60_000;
    let now = Date.UTC(2026, 11, 3, 10, 5, 0);
    for (const runMinutes of [1, 7, 42, 3, 59]) {
      now += msUntilNextSlot(now, HOUR, offset);
      expect(new Date(now).getUTCMinutes()).toBe(23);
      now += runMinutes * 60_000;
    }
  });
});
