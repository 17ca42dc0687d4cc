// The generated product catalogue: variants with SKUs (a few without, so name matching matters),
// inventory at one location, and a gift card product (not taxable, not shipped).
import { gid } from '../shopify/gid';
import { fromCents, moneyV2 } from '../shopify/money';
import type { Rng } from '../shopify/prng';
import type { Obj } from '../shopify/state';
import { isoSeconds } from '../shopify/time';
import type { IdSource } from './ids';

const PRODUCTS: { title: string; code: string; vendor: string; type: string; base: number; options: string[][] }[] = [
  {
    title: 'Classic Tee',
    code: 'TEE',
    vendor: 'Northwind Apparel',
    type: 'Shirts',
    base: 2400,
    options: [
      ['Blue', 'Black', 'White'],
      ['S', 'M', 'L'],
    ],
  },
  {
    title: 'Hooded Sweatshirt',
    code: 'HOOD',
    vendor: 'Northwind Apparel',
    type: 'Sweaters',
    base: 5900,
    options: [
      ['Grey', 'Navy'],
      ['M', 'L', 'XL'],
    ],
  },
  { title: 'Canvas Tote', code: 'TOTE', vendor: 'Harbor Goods', type: 'Bags', base: 1800, options: [['Natural', 'Black']] },
  { title: 'Ceramic Mug', code: 'MUG', vendor: 'Harbor Goods', type: 'Kitchen', base: 1450, options: [['12oz', '16oz']] },
  { title: 'Wool Beanie', code: 'BEAN', vendor: 'Alpine Knits', type: 'Hats', base: 2900, options: [['Red', 'Charcoal']] },
  { title: 'Trail Socks', code: 'SOCK', vendor: 'Alpine Knits', type: 'Socks', base: 1295, options: [['S/M', 'L/XL']] },
  { title: 'Leather Wallet', code: 'WALL', vendor: 'Cobbler & Co', type: 'Accessories', base: 6500, options: [['Brown', 'Black']] },
  { title: 'Water Bottle', code: 'BOTL', vendor: 'Harbor Goods', type: 'Outdoor', base: 2250, options: [['750ml', '1l']] },
  {
    title: 'Denim Jacket',
    code: 'JACK',
    vendor: 'Northwind Apparel',
    type: 'Outerwear',
    base: 11900,
    options: [['Indigo'], ['S', 'M', 'L', 'XL']],
  },
  { title: 'Notebook Set', code: 'NOTE', vendor: 'Paper Lane', type: 'Stationery', base: 995, options: [['Dotted', 'Lined']] },
  { title: 'Scented Candle', code: 'CNDL', vendor: 'Paper Lane', type: 'Home', base: 3450, options: [['Cedar', 'Fig', 'Sea Salt']] },
  { title: 'Sunglasses', code: 'SUNG', vendor: 'Cobbler & Co', type: 'Accessories', base: 8900, options: [['Tortoise', 'Black']] },
];
const GIFT_CARD_DENOMINATIONS = [2500, 5000, 10000];
const QUANTITY_NAMES = ['available', 'on_hand', 'committed', 'incoming', 'reserved', 'damaged', 'safety_stock', 'quality_control'];

/**
 * A variant's inventory item stocked at one location, with every quantity name Shopify reports (those not given are
 * 0). Draws the level's and each quantity's id from `ids`, in that order.
 */
export function inventoryItemNode(
  ids: IdSource,
  item: {
    id: string;
    sku: string | null;
    tracked: boolean;
    unitCost: Obj | null;
    now: string;
    location: Obj;
    quantities: Record<string, number>;
  },
): Obj {
  const { now } = item;
  return {
    id: item.id,
    legacyResourceId: item.id.split('/').pop(),
    sku: item.sku,
    tracked: item.tracked,
    requiresShipping: item.tracked,
    unitCost: item.unitCost,
    createdAt: now,
    updatedAt: now,
    inventoryLevels: {
      nodes: [
        {
          id: gid('InventoryLevel', ids.next()),
          isActive: true,
          canDeactivate: false,
          createdAt: now,
          updatedAt: now,
          location: item.location,
          quantities: QUANTITY_NAMES.map((name) => ({
            id: gid('InventoryQuantity', ids.next()),
            name,
            quantity: item.quantities[name] ?? 0,
            updatedAt: now,
          })),
        },
      ],
    },
  };
}

export interface Catalogue {
  products: Obj[];
  sellable: { product: Obj; variant: Obj }[];
  giftCards: { product: Obj; variant: Obj }[];
  location: Obj;
}

function combos(options: string[][]): string[][] {
  return options.reduce<string[][]>((acc, values) => acc.flatMap((a) => values.map((v) => [...a, v])), [[]]);
}

export function generateCatalogue(rng: Rng, ids: IdSource, currency: string, at: Date): Catalogue {
  const now = isoSeconds(at);
  const locationId = ids.next();
  const location = { id: gid('Location', locationId), legacyResourceId: String(locationId), name: 'Main warehouse', isActive: true };
  const variant = (product: Obj, title: string, sku: string | null, cents: number, giftCard: boolean): Obj => {
    const vid = ids.next();
    const itemId = ids.next();
    const onHand = giftCard ? 0 : rng.int(5, 200);
    const committed = giftCard ? 0 : rng.int(0, Math.min(5, onHand));
    const quantities: Record<string, number> = {
      available: onHand - committed,
      on_hand: onHand,
      committed,
      incoming: giftCard ? 0 : rng.int(0, 30),
    };
    return {
      id: gid('ProductVariant', vid),
      legacyResourceId: String(vid),
      title,
      displayName: `${product.title} - ${title}`,
      sku,
      barcode: null,
      price: fromCents(cents),
      taxable: !giftCard,
      createdAt: now,
      updatedAt: now,
      inventoryItem: inventoryItemNode(ids, {
        id: gid('InventoryItem', itemId),
        sku,
        tracked: !giftCard,
        unitCost: giftCard ? null : moneyV2(Math.round(cents * 0.4), currency),
        now,
        location,
        quantities,
      }),
    };
  };
  const product = (title: string, vendor: string, productType: string, giftCard: boolean): Obj => {
    const pid = ids.next();
    return {
      id: gid('Product', pid),
      legacyResourceId: String(pid),
      title,
      handle: title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      vendor,
      productType,
      status: 'ACTIVE',
      tags: [],
      isGiftCard: giftCard,
      createdAt: now,
      updatedAt: now,
      variants: { nodes: [] as Obj[] },
    };
  };
  const products: Obj[] = [];
  const sellable: Catalogue['sellable'] = [];
  for (const spec of PRODUCTS) {
    const p = product(spec.title, spec.vendor, spec.type, false);
    for (const combo of combos(spec.options)) {
      const sku = [
        spec.code,
        ...combo.map((c) =>
          c
            .replace(/[^A-Za-z0-9]/g, '')
            .slice(0, 3)
            .toUpperCase(),
        ),
      ].join('-');
      // About one variant in ten has no SKU: Ledgerline must then match items by name.
      const v = variant(p, combo.join(' / '), rng.chance(0.1) ? null : sku, spec.base + (combo.includes('XL') ? 300 : 0), false);
      p.variants.nodes.push(v);
      sellable.push({ product: p, variant: v });
    }
    products.push(p);
  }
  const gc = product('Gift Card', 'Ledgerline Demo', 'Gift Cards', true);
  const giftCards = GIFT_CARD_DENOMINATIONS.map((cents) => {
    const v = variant(gc, fromCents(cents), null, cents, true);
    gc.variants.nodes.push(v);
    return { product: gc, variant: v };
  });
  products.push(gc);
  return { products, sellable, giftCards, location };
}
