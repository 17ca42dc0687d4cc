// Money as integer minor units (cents) and exact decimal strings: never floats (STYLE, PRODUCT).
// Every currency is treated as having two decimals, which holds for the currencies the project uses.

export interface MoneyV2 {
  amount: string;
  currencyCode: string;
}
export interface MoneyBag {
  shopMoney: MoneyV2;
  presentmentMoney: MoneyV2;
}

/** "19.90" → 1990; "-0.5" → -50. Rejects anything that is not an exact amount of cents. */
export function toCents(amount: string | number): number {
  const text = String(amount).trim();
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new Error(`Not a decimal amount: ${JSON.stringify(amount)}`);
  const frac = (m[3] ?? '').padEnd(2, '0');
  if (/[1-9]/.test(frac.slice(2))) throw new Error(`Amount has more than two decimals: ${text}`);
  const cents = Number(m[2]) * 100 + Number(frac.slice(0, 2));
  return m[1] === '-' && cents !== 0 ? -cents : cents;
}

/** 1990 → "19.90": Shopify's Decimal strings keep both decimals. */
export function fromCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new Error(`Not an integer amount of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function moneyV2(cents: number, currencyCode: string): MoneyV2 {
  return { amount: fromCents(cents), currencyCode };
}

export function moneyBag(cents: number, currencyCode: string, presentment?: { cents: number; currencyCode: string }): MoneyBag {
  const shopMoney = moneyV2(cents, currencyCode);
  // Single-currency orders: presentment money is the shop money (stored bags are never mutated).
  return { shopMoney, presentmentMoney: presentment ? moneyV2(presentment.cents, presentment.currencyCode) : shopMoney };
}

/** Shop-currency cents of a stored MoneyBag (0 for a missing bag, e.g. nullable duties). */
export function bagCents(bag: unknown): number {
  const shop = (bag as { shopMoney?: { amount?: string } } | null | undefined)?.shopMoney;
  return shop?.amount === undefined ? 0 : toCents(shop.amount);
}

/** Splits `total` over `weights` proportionally, largest remainders first, so the parts sum exactly. */
export function allocate(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const sign = total < 0 ? -1 : 1;
  const abs = Math.abs(total);
  const raw = weights.map((w) => (abs * w) / sum);
  const parts = raw.map(Math.floor);
  let left = abs - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ i, frac: r - Math.floor(r) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = (parts[i] ?? 0) + 1;
    left -= 1;
  }
  return parts.map((p) => p * sign);
}
