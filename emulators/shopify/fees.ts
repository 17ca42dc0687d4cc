// Shopify Payments processing fee on a charge (e.g. 2.9% + 0.30), as an OrderTransaction `fees`
// entry; shared by the emulator's admin operations and the scenario generator.
import { gid } from './gid';
import { moneyV2 } from './money';
import type { Obj } from './state';

export interface FeePlan {
  basisPoints: number;
  flatCents: number;
}

export const DEFAULT_FEE_PLAN: FeePlan = { basisPoints: 290, flatCents: 30 };

/** Fee in cents: rate rounded half up to the cent, plus the flat part. */
export function feeCents(amountCents: number, plan: FeePlan = DEFAULT_FEE_PLAN): number {
  return Math.floor((amountCents * plan.basisPoints + 5000) / 10000) + plan.flatCents;
}

export function transactionFee(id: number, amountCents: number, currencyCode: string, plan: FeePlan = DEFAULT_FEE_PLAN): Obj {
  return {
    id: gid('TransactionFee', id),
    type: 'payment',
    rate: (plan.basisPoints / 10000).toFixed(4),
    rateName: 'Shopify Payments',
    flatFeeName: 'Per transaction',
    amount: moneyV2(feeCents(amountCents, plan), currencyCode),
    flatFee: moneyV2(plan.flatCents, currencyCode),
    taxAmount: moneyV2(0, currencyCode),
  };
}
