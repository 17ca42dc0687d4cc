/**
 * Exact money: integer minor units of one currency. Floats never hold an amount; QBO's JSON numbers are
 * produced only at the edge, from the exact decimal string of the minor units (toQboAmount).
 *
 * `minor` is a JS safe integer (≤ 2^53 − 1 minor units): plain numbers survive JSON (Temporal payloads)
 * where bigint does not. Every operation checks the range; products and quotients go through bigint.
 */
import { InvalidInputError } from './errors';

export interface Money {
  readonly minor: number;
  readonly currency: string;
}

// ISO 4217 minor units; every other valid code has 2. Shopify's Decimal strings follow ISO exponents.
const EXPONENT_EXCEPTIONS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** QBO amounts are "max 15 digits in 10.5 format" (docs/qbo-facts.md §4): at most 10 integer digits. */
const QBO_MAX_INTEGER_DIGITS = 10;

export function currencyExponent(currency: string): number {
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new InvalidInputError(`Invalid currency code ${JSON.stringify(currency)}: expected three capital letters (ISO 4217)`);
  }
  return EXPONENT_EXCEPTIONS[currency] ?? 2;
}

function checked(minor: number | bigint, currency: string): Money {
  const n = typeof minor === 'bigint' ? Number(minor) : minor;
  if (!Number.isSafeInteger(n) || (typeof minor === 'bigint' && BigInt(n) !== minor)) {
    throw new InvalidInputError(`Amount out of range: ${String(minor)} minor units of ${currency}`);
  }
  // -0 would print as "-0.00"; normalise it.
  return { minor: n === 0 ? 0 : n, currency };
}

export function moneyFromMinor(minor: number, currency: string): Money {
  currencyExponent(currency);
  if (!Number.isInteger(minor)) {
    throw new InvalidInputError(`Minor units must be an integer, got ${minor} ${currency}`);
  }
  return checked(minor, currency);
}

export function zeroMoney(currency: string): Money {
  return moneyFromMinor(0, currency);
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal string ("19.90", "19.9", "1500.0", "-3") into minor units. Extra fractional digits are
 * accepted only when they are zeros (Shopify writes JPY as "1500.0"); anything needing rounding is an error.
 */
export function parseMoney(amount: string, currency: string): Money {
  const exponent = currencyExponent(currency);
  if (typeof amount !== 'string') {
    throw new InvalidInputError(`Invalid ${currency} amount ${JSON.stringify(amount)}: expected a decimal string`);
  }
  const match = DECIMAL.exec(amount);
  if (!match) {
    throw new InvalidInputError(
      `Invalid ${currency} amount ${JSON.stringify(amount)}: expected digits with an optional "." and fraction, e.g. "19.90"`,
    );
  }
  const [, sign, whole = '', fraction = ''] = match;
  const significant = fraction.slice(0, exponent);
  if (/[^0]/.test(fraction.slice(exponent))) {
    throw new InvalidInputError(`Invalid ${currency} amount ${JSON.stringify(amount)}: ${currency} has ${exponent} decimal places`);
  }
  const digits = `${whole}${significant.padEnd(exponent, '0')}`;
  const minor = BigInt(digits) * (sign === '-' ? -1n : 1n);
  return checked(minor, currency);
}

/** Shopify MoneyV2 (`{ amount, currencyCode }`) to Money. */
export function moneyFromV2(value: { amount: string; currencyCode: string }): Money {
  return parseMoney(value.amount, value.currencyCode);
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new InvalidInputError(`Currency mismatch: ${a.currency} and ${b.currency}`);
  }
}

export function addMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return checked(a.minor + b.minor, a.currency);
}

export function subtractMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return checked(a.minor - b.minor, a.currency);
}

export function negateMoney(a: Money): Money {
  return checked(-a.minor, a.currency);
}

export function sumMoney(items: readonly Money[], currency: string): Money {
  return items.reduce((total, m) => addMoney(total, m), zeroMoney(currency));
}

export function multiplyMoney(a: Money, factor: number): Money {
  if (!Number.isSafeInteger(factor)) {
    throw new InvalidInputError(`Money can only be multiplied by an integer, got ${factor}`);
  }
  return checked(BigInt(a.minor) * BigInt(factor), a.currency);
}

export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b);
  return a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : 0;
}

export function equalsMoney(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.minor === b.minor;
}

export function isZeroMoney(a: Money): boolean {
  return a.minor === 0;
}

export function isNegativeMoney(a: Money): boolean {
  return a.minor < 0;
}

/** Integer division of bigints rounding half away from zero. */
function divRound(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new InvalidInputError('Division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (d * 2n);
  return negative ? -q : q;
}

/** a × numerator / denominator, rounded half away from zero (for proportional shares). */
export function mulDivMoney(a: Money, numerator: number, denominator: number): Money {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator)) {
    throw new InvalidInputError('mulDivMoney takes integer ratios');
  }
  return checked(divRound(BigInt(a.minor) * BigInt(numerator), BigInt(denominator)), a.currency);
}

/**
 * Splits `a` into parts proportional to `weights` (non-negative integers, not all zero) with the
 * largest-remainder method: parts sum exactly to `a`; ties go to the earlier weight.
 */
export function allocateMoney(a: Money, weights: readonly number[]): Money[] {
  if (weights.length === 0) throw new InvalidInputError('allocateMoney needs at least one weight');
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) {
    throw new InvalidInputError(`allocateMoney weights must be non-negative integers, got [${weights.join(', ')}]`);
  }
  const total = weights.reduce((s, w) => s + BigInt(w), 0n);
  if (total === 0n) throw new InvalidInputError('allocateMoney weights must not all be zero');
  const sign = a.minor < 0 ? -1n : 1n;
  const amount = BigInt(a.minor) * sign;
  const shares = weights.map((w, index) => {
    const exact = amount * BigInt(w);
    return { index, floor: exact / total, remainder: exact % total };
  });
  let left = amount - shares.reduce((s, x) => s + x.floor, 0n);
  const byRemainder = [...shares].sort((x, y) => (x.remainder === y.remainder ? x.index - y.index : x.remainder > y.remainder ? -1 : 1));
  for (const share of byRemainder) {
    if (left === 0n) break;
    share.floor += 1n;
    left -= 1n;
  }
  return shares.map((s) => checked(s.floor * sign, a.currency));
}

/** Exact decimal string with the currency's places: "19.90", "-0.05", "1500" (JPY), "1.250" (KWD). */
export function toDecimalString(a: Money): string {
  const exponent = currencyExponent(a.currency);
  const abs = Math.abs(a.minor)
    .toString()
    .padStart(exponent + 1, '0');
  const sign = a.minor < 0 ? '-' : '';
  if (exponent === 0) return `${sign}${abs}`;
  return `${sign}${abs.slice(0, -exponent)}.${abs.slice(-exponent)}`;
}

/**
 * The JSON number QBO receives. Built from the exact decimal string, so it is the double nearest that
 * decimal and JSON.stringify prints the decimal back (no 0.1 + 0.2 drift: no arithmetic ever happens on it).
 */
export function toQboAmount(a: Money): number {
  const text = toDecimalString(a);
  const integerDigits = text.replace(/^-/, '').split('.')[0]?.length ?? 0;
  if (integerDigits > QBO_MAX_INTEGER_DIGITS) {
    throw new InvalidInputError(`Amount ${text} ${a.currency} exceeds QBO's 10 integer digits`);
  }
  return Number(text);
}

/** Reads a QBO JSON number back into exact minor units; rejects values with more places than the currency. */
export function fromQboAmount(value: number, currency: string): Money {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidInputError(`Invalid QBO amount ${String(value)}`);
  }
  // The shortest round-trip representation is the decimal QBO meant; exponent notation means out of range.
  const text = String(value);
  if (/e/i.test(text)) throw new InvalidInputError(`QBO amount ${text} is out of range`);
  return parseMoney(text, currency);
}

/**
 * a ÷ divisor as a decimal string with `places` fraction digits, rounded half away from zero. Used for
 * QBO UnitPrice when a line amount is not a whole multiple of its quantity.
 */
export function divideToDecimalString(a: Money, divisor: number, places: number): string {
  if (!Number.isSafeInteger(divisor) || divisor === 0) {
    throw new InvalidInputError(`Cannot divide money by ${divisor}`);
  }
  const exponent = currencyExponent(a.currency);
  if (!Number.isInteger(places) || places < exponent) {
    throw new InvalidInputError(`divideToDecimalString needs at least ${exponent} places for ${a.currency}`);
  }
  const scaled = divRound(BigInt(a.minor) * 10n ** BigInt(places - exponent), BigInt(divisor));
  const sign = scaled < 0n ? '-' : '';
  const abs = (scaled < 0n ? -scaled : scaled).toString().padStart(places + 1, '0');
  const text = places === 0 ? abs : `${abs.slice(0, -places)}.${abs.slice(-places)}`;
  return `${sign}${text}`;
}
