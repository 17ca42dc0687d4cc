// Products, variants, inventory items, levels and locations (docs/shopify-facts.md §2 "Inventory").
import { GraphQLError } from 'graphql';
import { sortKeyOf, sortedPage, type PageArgs } from '../connection';
import type { ResolverTable } from '../field-resolver';
import { dateFilter, type FieldFilter, idFilter, textFilter } from '../search';
import type { Obj } from '../state';
import { numericId, searchPredicate } from './search-error';

/** Shopify's inventory states; on_hand = available + committed + reserved + damaged + safety_stock + quality_control. */
export const QUANTITY_NAMES = ['available', 'on_hand', 'committed', 'incoming', 'reserved', 'damaged', 'safety_stock', 'quality_control'];

/**
 * `unavailable` is not stored: it is the on-hand units set aside from sale (reserved, damaged, safety stock,
 * quality control), so on_hand = available + committed + unavailable always holds.
 */
const UNAVAILABLE_PARTS = ['reserved', 'damaged', 'safety_stock', 'quality_control'];

function unavailableQuantity(level: Obj, stored: Obj[]): Obj {
  const parts = stored.filter((s) => UNAVAILABLE_PARTS.includes(s.name));
  const latest =
    parts
      .map((p) => String(p.updatedAt ?? ''))
      .sort()
      .pop() ?? level.updatedAt;
  return {
    id: `${String(level.id).replace('/InventoryLevel/', '/InventoryQuantity/')}?name=unavailable`,
    name: 'unavailable',
    quantity: parts.reduce((sum, p) => sum + (p.quantity as number), 0),
    updatedAt: latest,
  };
}

const PRODUCT_FILTERS: Record<string, FieldFilter> = {
  title: textFilter((p) => p.title),
  sku: (op, value) => {
    const one = textFilter((v) => v.sku)(op, value);
    return (p) => (p.variants?.nodes ?? []).some(one);
  },
  status: textFilter((p) => p.status),
  vendor: textFilter((p) => p.vendor),
  product_type: textFilter((p) => p.productType),
  id: idFilter((p) => p.id),
  updated_at: dateFilter((p) => p.updatedAt),
  created_at: dateFilter((p) => p.createdAt),
};

const VARIANT_FILTERS: Record<string, FieldFilter> = {
  sku: textFilter((v) => v.sku),
  title: textFilter((v) => v.title),
  barcode: textFilter((v) => v.barcode),
  id: idFilter((v) => v.id),
  updated_at: dateFilter((v) => v.updatedAt),
};

const BY_ID = { ID: (o: Obj) => [numericId(o.id)] };
const PRODUCT_SORT: Record<string, (p: Obj) => (string | number)[]> = {
  ...BY_ID,
  TITLE: (p) => [String(p.title), numericId(p.id)],
  UPDATED_AT: (p) => [Date.parse(p.updatedAt), numericId(p.id)],
  CREATED_AT: (p) => [Date.parse(p.createdAt), numericId(p.id)],
};
const VARIANT_SORT: Record<string, (v: Obj) => (string | number)[]> = {
  ...BY_ID,
  SKU: (v) => [String(v.sku ?? ''), numericId(v.id)],
  TITLE: (v) => [String(v.title), numericId(v.id)],
};

const LOCATION_SORT: Record<string, (l: Obj) => (string | number)[]> = { ...BY_ID, NAME: (l) => [String(l.name), numericId(l.id)] };

type ListArgs = PageArgs & { query?: string | null; sortKey?: string | null };

export const catalogResolvers: ResolverTable = {
  override: {
    'Query.products': (_s, args: ListArgs, ctx) => {
      const match = searchPredicate(args.query, PRODUCT_FILTERS, 'products');
      return sortedPage(
        [...ctx.shop.products.values()].filter(match),
        sortKeyOf(args.sortKey ?? 'ID', PRODUCT_SORT, 'products'),
        args,
        ctx.bulk,
      );
    },
    'Query.productVariants': (_s, args: ListArgs, ctx) => {
      const productFilter: FieldFilter = (op, value) => {
        const p = idFilter((v) => ctx.shop.variants.get(v.id)?.product.id)(op, value);
        return p;
      };
      const match = searchPredicate(args.query, { ...VARIANT_FILTERS, product_id: productFilter }, 'productVariants');
      const variants = [...ctx.shop.variants.values()].map((e) => e.variant).filter(match);
      return sortedPage(variants, sortKeyOf(args.sortKey ?? 'ID', VARIANT_SORT, 'productVariants'), args, ctx.bulk);
    },
    'Query.product': (_s, args: { id: string }, ctx) => ctx.shop.products.get(args.id) ?? null,
    'Query.productVariant': (_s, args: { id: string }, ctx) => ctx.shop.variants.get(args.id)?.variant ?? null,
    'Query.inventoryItem': (_s, args: { id: string }, ctx) => ctx.shop.inventoryItems.get(args.id)?.item ?? null,
    'Query.location': (_s, args: { id?: string | null }, ctx) =>
      (args.id ? ctx.shop.locations.get(args.id) : ctx.shop.locations.values().next().value) ?? null,
    'Query.locations': (_s, args: PageArgs & { sortKey?: string }, ctx) =>
      sortedPage(ctx.shop.locations.values(), sortKeyOf(args.sortKey ?? 'NAME', LOCATION_SORT, 'locations'), args, ctx.bulk),
    'InventoryLevel.quantities': (level: Obj, args: { names: string[] }) => {
      const stored: Obj[] = level.quantities ?? [];
      return args.names.map((name) => {
        if (name === 'unavailable') return unavailableQuantity(level, stored);
        if (!QUANTITY_NAMES.includes(name))
          throw new GraphQLError(`Invalid quantity name: ${name}`, { extensions: { code: 'BAD_REQUEST' } });
        const q = stored.find((s) => s.name === name);
        if (!q)
          throw new GraphQLError(`Quantity "${name}" is not stored for InventoryLevel ${level.id}: not emulated.`, {
            extensions: { code: 'NOT_EMULATED' },
          });
        return q;
      });
    },
    'InventoryAdjustmentGroup.changes': (
      group: Obj,
      args: { inventoryItemIds?: string[] | null; locationIds?: string[] | null; quantityNames?: string[] | null },
    ) =>
      (group.changes as Obj[]).filter(
        (c) =>
          (!args.inventoryItemIds || args.inventoryItemIds.includes(c.item?.id)) &&
          (!args.locationIds || args.locationIds.includes(c.location?.id)) &&
          (!args.quantityNames || args.quantityNames.includes(c.name)),
      ),
  },
  computed: {
    'ProductVariant.product': (v: Obj, _a, ctx) => ctx.shop.variants.get(v.id)?.product ?? null,
    'ProductVariant.displayName': (v: Obj, _a, ctx) => `${ctx.shop.variants.get(v.id)?.product.title ?? ''} - ${v.title}`,
    // "The total sellable quantity of the variant": the sum of `available` over its locations.
    'ProductVariant.inventoryQuantity': (v: Obj) =>
      (v.inventoryItem?.inventoryLevels?.nodes ?? []).reduce(
        (sum: number, l: Obj) => sum + ((l.quantities ?? []).find((q: Obj) => q.name === 'available')?.quantity ?? 0),
        0,
      ),
    'InventoryItem.variant': (item: Obj, _a, ctx) => ctx.shop.inventoryItems.get(item.id)?.variant ?? null,
    'InventoryItem.inventoryLevel': (item: Obj, args: { locationId: string }) =>
      (item.inventoryLevels?.nodes ?? []).find((l: Obj) => l.location?.id === args.locationId) ?? null,
    'InventoryLevel.item': (level: Obj, _a, ctx) => ctx.shop.inventoryLevels.get(level.id)?.item ?? null,
  },
  args: {
    'Query.products': ['query', 'sortKey'],
    'Query.productVariants': ['query', 'sortKey'],
    'Query.product': ['id'],
    'Query.productVariant': ['id'],
    'Query.inventoryItem': ['id'],
    'Query.location': ['id'],
    'Query.locations': ['sortKey'],
    'InventoryLevel.quantities': ['names'],
    'InventoryAdjustmentGroup.changes': ['inventoryItemIds', 'locationIds', 'quantityNames'],
    'InventoryItem.inventoryLevel': ['locationId'],
  },
};
