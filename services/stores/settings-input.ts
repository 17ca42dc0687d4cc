/**
 * Settings as the API receives them: partial at connect (accounts and taxMode come from QBO), merged
 * onto the current ones on update, and the store's start date as an instant for the stores row.
 */
import { SettingsValidationError, type SettingsIssue } from '../../domain/errors';
import { parseSettings, type Settings } from '../../domain/settings';
import { REQUIRED_ACCOUNT_KEYS } from './accounts';
import { HttpError } from '../errors';

type Json = Record<string, unknown>;

export const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates connect-time settings before any QBO call, with stand-ins for what connect fills in
 * (missing accounts, taxMode), so a typo is a 400 before any token is spent or account created.
 */
export function precheckSettings(input: Json): void {
  const accounts = input.accounts;
  const standIns = Object.fromEntries(REQUIRED_ACCOUNT_KEYS.map((k) => [k, 'to-be-resolved']));
  const candidate: Json = {
    taxMode: 'global',
    ...input,
    accounts: accounts === undefined ? standIns : isPlainObject(accounts) ? { ...standIns, ...accounts } : accounts,
  };
  try {
    parseSettings(candidate);
  } catch (err) {
    if (!(err instanceof SettingsValidationError)) throw err;
    // Inventory accounts demanded by the inventory auto-create setting, and the payout bank, are resolved in QBO.
    const resolvedLater = new Set(['accounts.inventoryAsset', 'accounts.costOfGoodsSold', 'payouts.bankAccountId']);
    const issues = err.issues.filter((i) => !(resolvedLater.has(i.path) && /is required when/.test(i.message)));
    if (issues.length > 0) throw new SettingsValidationError(issues);
  }
}

/**
 * A settings update: each top-level key sent replaces the current value, except `accounts`, merged key
 * by key (a partial account mapping is the common case); `null` removes an optional setting (its default
 * applies again; for `startDate`, null means "all history").
 */
export function mergeSettings(current: Settings, patch: Json): Json {
  const merged: Json = { ...(current as unknown as Json) };
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'accounts' && isPlainObject(value)) {
      const accounts: Json = { ...(current.accounts as unknown as Json) };
      for (const [k, v] of Object.entries(value)) {
        if (v === null) delete accounts[k];
        else accounts[k] = v;
      }
      merged.accounts = accounts;
    } else if (value === null && key !== 'startDate') {
      delete merged[key];
    } else {
      merged[key] = value;
    }
  }
  return merged;
}

/** The earliest settings startDate: no Shopify order is older (the resync windows' bound, services/stores/control.ts). */
export const EARLIEST_START_DATE = '2000-01-01';
/** The furthest east a shop's day can run ahead of UTC (UTC+14): a start date "today" there is not in the future. */
const MAX_ZONE_AHEAD_MS = 14 * 3_600_000;

/**
 * A settings startDate (YYYY-MM-DD, already parsed) must be a real day from 2000-01-01 up to today: one
 * before reaches PostgreSQL's range limits in later date arithmetic, one in the future books nothing.
 */
export function startDateIssue(startDate: string | null, now: Date): SettingsIssue | undefined {
  if (startDate === null) return undefined;
  if (startDate < EARLIEST_START_DATE) {
    return { path: 'startDate', message: `must not be before ${EARLIEST_START_DATE} (got ${startDate}); null books every order` };
  }
  if (Date.parse(`${startDate}T00:00:00Z`) > now.getTime() + MAX_ZONE_AHEAD_MS) {
    return { path: 'startDate', message: `must not be in the future (got ${startDate})` };
  }
  return undefined;
}

/** Wall-clock offset of `timeZone` at `instant`, in ms (local − UTC). */
function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - instant;
}

/**
 * The instant a store's history starts: midnight of `startDate` in the shop's time zone (the date
 * domain/mapping compares processedAt with), or the epoch when every order is booked (startDate null).
 */
export function startInstant(startDate: string | null, timeZone: string | null): Date {
  if (startDate === null) return new Date(0);
  const [y, m, d] = startDate.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  let zone = timeZone ?? 'UTC';
  try {
    offsetMs(wall, zone);
  } catch {
    zone = 'UTC'; // an unknown zone name: fall back rather than refuse the store
  }
  const first = wall - offsetMs(wall, zone);
  // Second pass: the offset at midnight itself may differ (a DST change near it).
  return new Date(wall - offsetMs(first, zone));
}

/** 400 `invalid_settings` listing every issue with its path. */
export function settingsHttpError(err: unknown): unknown {
  return err instanceof SettingsValidationError ? new HttpError(400, 'invalid_settings', err.message, { issues: err.issues }) : err;
}
