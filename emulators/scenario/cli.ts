// tsx emulators/scenario/cli.ts --orders 500 --seed 1 --out <dir> [--start 2026-09-01] [--days 60]
//   [--region US|CA|GB|AU] [--currency USD] [--taxes-included] [--domain shop.myshopify.com]
import { parseArgs } from 'node:util';
import { generateShop } from './generate';
import type { TaxRegion } from './regions';
import { writeSeedFiles } from './write';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    start: { type: 'string', default: '2026-09-01T00:00:00Z' },
    days: { type: 'string', default: '60' },
    region: { type: 'string', default: 'US' },
    currency: { type: 'string' },
    'taxes-included': { type: 'boolean' },
    domain: { type: 'string' },
  },
});

if (!values.out) {
  process.stderr.write('usage: tsx emulators/scenario/cli.ts --orders 500 --seed 1 --out <dir>\n');
  process.exit(2);
}
const region = values.region as TaxRegion;
if (!['US', 'CA', 'GB', 'AU'].includes(region)) {
  process.stderr.write(`--region must be US, CA, GB or AU, not ${region}\n`);
  process.exit(2);
}
const started = Date.now();
const shop = generateShop({
  seed: Number(values.seed),
  orders: Number(values.orders),
  start: values.start!,
  days: Number(values.days),
  taxRegion: region,
  currency: values.currency,
  taxesIncluded: values['taxes-included'],
  domain: values.domain,
});
const files = writeSeedFiles(values.out, shop);
process.stdout.write(
  `${shop.orders.length} orders, ${shop.payouts.length} payouts, ${shop.balanceTransactions.length} balance transactions ` +
    `in ${Date.now() - started} ms:\n${files.join('\n')}\n`,
);
