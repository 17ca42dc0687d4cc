// A large stocked catalogue for the inventory benchmark (issue #16): `items` single-variant products, each a
// quantity-tracked inventory item stocked at the shop's location with a SKU, and the QBO Inventory items of the same
// SKUs. A share of them (`changeShare`) is given a QBO quantity on hand other than what Shopify can sell, half
// higher and half lower, so one inventory run has that share to write; the rest already agree. These products are
// never sold by the generated orders (they are not in the catalogue's sellable list), so no unbooked sale moves
// their target. Uses its own random stream: the rest of the generated shop is the same with or without it.
import { gid } from '../shopify/gid';
import { fromCents, moneyV2 } from '../shopify/money';
import { createRng } from '../shopify/prng';
import type { Obj } from '../shopify/state';
import { isoSeconds } from '../shopify/time';
import { inventoryItemNode } from './catalogue';
import { createIds } from './ids';

export interface StockOptions {
  /** How many tracked items (one product and variant each). */
  items: number;
  /** Share (0…1) of the items whose QBO quantity differs from Shopify's available; default 0.1. */
  changeShare?: number;
  /** Share of the items holding a few damaged units (on hand in QBO, not sellable in Shopify); default 0.02. */
  damagedShare?: number;
  /** QBO account ids the items post to. */
  accounts: StockAccounts;
}

export interface GeneratedStock {
  products: Obj[];
  /** QBO Inventory items (company-file entities), one per product, matched by SKU. */
  qboItems: Array<Record<string, unknown>>;
  /** inventory item gid → the `available` the run must leave in Shopify. */
  targets: Map<string, number>;
  /** How many items need a change (QBO's quantity less the unavailable units ≠ Shopify's available). */
  changed: number;
  raised: number;
  lowered: number;
}

/** QBO account ids the items post to (the default company's, emulators/qbo/company/defaultCompany.ts). */
export interface StockAccounts {
  income: string;
  expense: string;
  asset: string;
}

export function generateStock(seed: number, opts: StockOptions, location: Obj, currency: string, at: Date): GeneratedStock {
  const { accounts } = opts;
  const rng = createRng(seed * 7919 + 16);
  // Ids far above the ones the shop's own generator hands out (5,000,000,000 upwards, a few per order).
  const ids = createIds(7_000_000_000);
  const now = isoSeconds(at);
  const changeShare = opts.changeShare ?? 0.1;
  const damagedShare = opts.damagedShare ?? 0.02;
  const products: Obj[] = [];
  const qboItems: Array<Record<string, unknown>> = [];
  const targets = new Map<string, number>();
  let raised = 0;
  let lowered = 0;
  const width = String(opts.items).length;
  for (let i = 1; i <= opts.items; i++) {
    const n = String(i).padStart(width, '0');
    const sku = `STK-${n}`;
    const title = `Stock Item ${n}`;
    const cents = rng.int(500, 9000);
    const available = rng.int(0, 120);
    const damaged = rng.chance(damagedShare) ? rng.int(1, 3) : 0;
    // No open orders hold these items, so nothing is committed; on hand = available + damaged.
    const quantities: Record<string, number> = { available, damaged, on_hand: available + damaged };
    // QBO's quantity on hand counts the damaged units too: in agreement, QBO on hand − damaged = available.
    let qty = available + damaged;
    if (rng.chance(changeShare)) {
      const up = available === 0 || rng.chance(0.5);
      const delta = up ? rng.int(1, 25) : -rng.int(1, Math.min(25, available));
      qty += delta;
      if (up) raised++;
      else lowered++;
    }
    const pid = ids.next();
    const vid = ids.next();
    const itemId = gid('InventoryItem', ids.next());
    targets.set(itemId, Math.max(0, qty - damaged));
    const product = {
      id: gid('Product', pid),
      legacyResourceId: String(pid),
      title,
      handle: `stock-item-${n}`,
      vendor: 'Ledgerline Stock',
      productType: 'Stock',
      status: 'ACTIVE',
      tags: [],
      isGiftCard: false,
      createdAt: now,
      updatedAt: now,
      variants: { nodes: [] as Obj[] },
    };
    product.variants.nodes.push({
      id: gid('ProductVariant', vid),
      legacyResourceId: String(vid),
      title: 'Default Title',
      displayName: `${title} - Default Title`,
      sku,
      barcode: null,
      price: fromCents(cents),
      taxable: true,
      createdAt: now,
      updatedAt: now,
      inventoryItem: inventoryItemNode(ids, {
        id: itemId,
        sku,
        tracked: true,
        unitCost: moneyV2(Math.round(cents * 0.4), currency),
        now,
        location,
        quantities,
      }),
    });
    products.push(product);
    qboItems.push({
      Name: title,
      Sku: sku,
      Type: 'Inventory',
      TrackQtyOnHand: true,
      QtyOnHand: qty,
      InvStartDate: now.slice(0, 10),
      UnitPrice: cents / 100,
      PurchaseCost: Math.round(cents * 0.4) / 100,
      IncomeAccountRef: { value: accounts.income },
      ExpenseAccountRef: { value: accounts.expense },
      AssetAccountRef: { value: accounts.asset },
    });
  }
  return { products, qboItems, targets, changed: raised + lowered, raised, lowered };
}
