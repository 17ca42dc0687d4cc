/**
 * Exact decimals for QBO's JSON numbers. Money is held as integer cents (a JS number stays exact far
 * beyond QBO's "15 digits in 10.5 format", docs/qbo-facts.md §4); rates, quantities and unit prices as bigint
 * at a fixed scale. The only float is the JSON number on the wire, built from exact decimal text.
 */

/** Decimal places kept for rates, quantities and unit prices. */
export const SCALE_DIGITS = 10;
export const SCALE = 10n ** BigInt(SCALE_DIGITS);

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/** The decimal text of a JSON number or numeric string ("45.3", "1e-7" → "0.0000001"), or null. */
export function decimalText(value: unknown): string | null {
  if (typeof value !== 'number' && typeof value !== 'string') return null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  const match = DECIMAL.exec(String(value).trim());
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return null;
  const sign = match[1] === '-' ? '-' : '';
  let digits = (match[2] ?? '') + (match[3] ?? '');
  let point = (match[2] ?? '').length + Number(match[4] ?? '0');
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const frac = digits.slice(point).replace(/0+$/, '');
  return `${sign}${whole}${frac ? `.${frac}` : ''}`;
}

/** Integer division rounding half away from zero (QBO's rounding for money, see README). */
export function roundDiv(n: bigint, d: bigint): bigint {
  if (d < 0n) return roundDiv(-n, -d);
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const q = (abs * 2n + d) / (2n * d);
  return negative ? -q : q;
}

/** The value scaled to `digits` decimal places, rounding half away from zero; null if not a number. */
export function parseScaled(value: unknown, digits: number): bigint | null {
  const text = decimalText(value);
  if (text === null) return null;
  const negative = text.startsWith('-');
  const [whole = '0', frac = ''] = text.replace('-', '').split('.');
  const kept = frac.padEnd(digits, '0').slice(0, digits);
  let units = BigInt(whole + kept);
  const rest = frac.slice(digits);
  if (rest !== '' && Number(rest[0]) >= 5) units += 1n;
  return negative ? -units : units;
}

/** A rate, quantity or unit price at SCALE, or null. */
export function parseDecimal(value: unknown): bigint | null {
  return parseScaled(value, SCALE_DIGITS);
}

/** Money in integer cents, or null when the value is not a number. */
export function toCents(value: unknown): number | null {
  const units = parseScaled(value, 2);
  return units === null ? null : Number(units);
}

/** Text with `digits` decimals: formatUnits(-1230n, 2) → "-12.30". */
export function formatUnits(units: bigint, digits: number): string {
  const negative = units < 0n;
  const text = (negative ? -units : units).toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const frac = digits > 0 ? `.${text.slice(text.length - digits)}` : '';
  return `${negative ? '-' : ''}${whole}${frac}`;
}

export function formatCents(cents: number): string {
  return formatUnits(BigInt(cents), 2);
}

/** Cents as the JSON number QBO sends (45.3 for 4530). */
export function centsToNumber(cents: number): number {
  return Number(formatCents(cents));
}

/** A SCALE decimal as a JSON number, trailing zeros dropped. */
export function decimalToNumber(units: bigint): number {
  return Number(decimalText(formatUnits(units, SCALE_DIGITS)));
}

/** amountCents × rate% (rate at SCALE), rounded to the cent. */
export function percentOf(amountCents: number, rate: bigint): number {
  return Number(roundDiv(BigInt(amountCents) * rate, 100n * SCALE));
}

/** Qty × UnitPrice (both at SCALE) in cents. */
export function qtyTimesPrice(qty: bigint, unitPrice: bigint): number {
  return Number(roundDiv(qty * unitPrice, (SCALE * SCALE) / 100n));
}
