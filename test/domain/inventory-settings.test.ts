/**
 * The `inventory` section of the store settings (domain/settings.ts; docs/inventory.md "Settings"): optional, so
 * settings saved before it existed validate unchanged and read as off.
 */
import { describe, expect, it } from 'vitest';
import { SettingsValidationError, type SettingsIssue } from '../../domain/errors';
import { defaultSettings, inventorySettingsOf, parseSettings } from '../../domain/settings';
import { ACCOUNTS } from './fixtures/scenarios';

function issuesOf(input: unknown): SettingsIssue[] {
  try {
    parseSettings(input);
  } catch (e) {
    if (e instanceof SettingsValidationError) return e.issues;
    throw e;
  }
  throw new Error('expected a SettingsValidationError');
}

const base = { taxMode: 'us_automated', accounts: ACCOUNTS };
const LOCATION = 'gid://shopify/Location/9';

describe('inventory settings', () => {
  it('leaves settings saved before the section existed as they were, and reads them as off', () => {
    const stored = parseSettings(base);
    expect(stored).not.toHaveProperty('inventory');
    expect(parseSettings(JSON.parse(JSON.stringify(stored)))).toEqual(stored);
    expect(inventorySettingsOf(stored)).toEqual({ mode: 'off', intervalMinutes: 60, maxLowerShare: 0.2 });
    expect(defaultSettings(ACCOUNTS)).not.toHaveProperty('inventory');
  });

  it('fills the defaults of a partial section', () => {
    expect(parseSettings({ ...base, inventory: { mode: 'preview', locationId: LOCATION } }).inventory).toEqual({
      mode: 'preview',
      locationId: LOCATION,
      intervalMinutes: 60,
      maxLowerShare: 0.2,
    });
    expect(parseSettings({ ...base, inventory: {} }).inventory).toEqual({ mode: 'off', intervalMinutes: 60, maxLowerShare: 0.2 });
  });

  it.each([
    [
      'preview without a location',
      { mode: 'preview' },
      [
        {
          path: 'inventory.locationId',
          message: 'is required when inventory.mode is "preview": the Shopify location QBO\'s quantities map to',
        },
      ],
    ],
    [
      'apply without a location',
      { mode: 'apply' },
      [
        {
          path: 'inventory.locationId',
          message: 'is required when inventory.mode is "apply": the Shopify location QBO\'s quantities map to',
        },
      ],
    ],
    ['an unknown mode', { mode: 'on' }, [{ path: 'inventory.mode', message: 'must be one of "off", "preview", "apply"' }]],
    [
      'a location that is not a Shopify Location id',
      { locationId: '9' },
      [{ path: 'inventory.locationId', message: 'must be a Shopify Location id such as gid://shopify/Location/123' }],
    ],
    ['an interval under 5 minutes', { intervalMinutes: 1 }, [{ path: 'inventory.intervalMinutes', message: 'must be at least 5 minutes' }]],
    [
      'a fractional interval',
      { intervalMinutes: 7.5 },
      [{ path: 'inventory.intervalMinutes', message: 'must be a whole number of minutes' }],
    ],
    ['a share of 0', { maxLowerShare: 0 }, [{ path: 'inventory.maxLowerShare', message: 'must be more than 0' }]],
    [
      'a share written as a percentage',
      { maxLowerShare: 20 },
      [{ path: 'inventory.maxLowerShare', message: 'must be a proportion of at most 1 (0.2 for 20%)' }],
    ],
    ['an unknown key', { mode: 'off', zeroUnmatched: true }, [{ path: 'inventory', message: 'unknown setting "zeroUnmatched"' }]],
  ])('refuses %s with a precise message', (_what, section, expected) => {
    expect(issuesOf({ ...base, inventory: section })).toEqual(expected);
  });
});
