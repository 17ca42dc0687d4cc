// Small hand-written orders in the Admin GraphQL shape, for tests that need exact timestamps.
import { moneyBag } from '../../../emulators/shopify/money';

export function miniOrder(
  n: number,
  fields: {
    createdAt: string;
    updatedAt?: string;
    processedAt?: string;
    status?: string;
    test?: boolean;
    cancelledAt?: string | null;
    total?: number;
  },
) {
  return {
    id: `gid://shopify/Order/${n}`,
    name: `#${n}`,
    createdAt: fields.createdAt,
    updatedAt: fields.updatedAt ?? fields.createdAt,
    processedAt: fields.processedAt ?? fields.createdAt,
    cancelledAt: fields.cancelledAt ?? null,
    closed: false,
    test: fields.test ?? false,
    displayFinancialStatus: fields.status ?? 'PAID',
    currencyCode: 'USD',
    totalPriceSet: moneyBag(fields.total ?? 1000, 'USD'),
  };
}
