// Writes a generated shop as seed JSON files the emulator's `seedDir` loads.
import fs from 'node:fs';
import path from 'node:path';
import type { GeneratedShop } from './generate';

export function writeSeedFiles(dir: string, shop: GeneratedShop): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: [string, unknown][] = [
    ['shop.json', { shop: shop.shop }],
    ['products.json', shop.products],
    ['orders.json', shop.orders],
    ['payouts.json', shop.payouts],
    ['balance-transactions.json', shop.balanceTransactions],
  ];
  return files.map(([name, data]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
    return file;
  });
}
