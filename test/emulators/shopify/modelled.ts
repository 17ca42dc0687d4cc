// The fields the emulator models, per Admin GraphQL type: every field the scenario generator writes on an
// object of that type (explicit nulls included), found by walking generated shops along the schema.
import { type GraphQLObjectType, type GraphQLSchema, getNamedType, isAbstractType, isObjectType } from 'graphql';
import { generateShop } from '../../../emulators/scenario';
import { connectionNodeType, isConnectionType } from '../../../emulators/shopify/connection';
import { gidType } from '../../../emulators/shopify/gid';
import { loadAdminSchema } from '../../../emulators/shopify/schema';

type Obj = Record<string, any>;

function concrete(schema: GraphQLSchema, typeName: string, value: Obj): GraphQLObjectType | undefined {
  const type = schema.getType(typeName);
  if (isObjectType(type)) return type;
  if (!isAbstractType(type)) return undefined;
  const possible = schema.getPossibleTypes(type);
  const name = typeof value.__typename === 'string' ? value.__typename : gidType(value.id);
  const byName = possible.find((t) => t.name === name);
  if (byName) return byName;
  const keys = Object.keys(value);
  const fits = possible.filter((t) => keys.every((k) => k in t.getFields()));
  return fits.length === 1 ? fits[0] : undefined;
}

function walk(schema: GraphQLSchema, typeName: string, value: unknown, out: Map<string, Set<string>>): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(schema, typeName, v, out);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const type = concrete(schema, typeName, value as Obj);
  if (!type) return;
  const fields = type.getFields();
  const seen = out.get(type.name) ?? new Set<string>();
  out.set(type.name, seen);
  for (const [key, v] of Object.entries(value as Obj)) {
    const field = fields[key];
    if (!field) continue;
    seen.add(key);
    const named = getNamedType(field.type);
    if (isConnectionType(named)) {
      const stored = v as Obj | null;
      walk(schema, connectionNodeType(named), stored?.nodes ?? stored?.edges?.map((e: Obj) => e.node), out);
    } else walk(schema, named.name, v, out);
  }
}

/** Type name → sorted field names, over generated shops of every tax region with every order mix. */
export function generatedFields(): Record<string, string[]> {
  const schema = loadAdminSchema();
  const out = new Map<string, Set<string>>();
  const shops = (['US', 'CA', 'GB', 'AU'] as const).map((taxRegion, i) =>
    generateShop({ seed: 11 + i, orders: 150, start: '2026-09-01T00:00:00Z', days: 30, taxRegion }),
  );
  shops.push(generateShop({ seed: 3, orders: 60, start: '2026-09-01T00:00:00Z', days: 30, taxRegion: 'GB', mix: { fullDiscount: 0.2 } }));
  for (const shop of shops) {
    walk(schema, 'Shop', shop.shop, out);
    walk(schema, 'Order', shop.orders, out);
    walk(schema, 'Product', shop.products, out);
    walk(schema, 'ShopifyPaymentsPayout', shop.payouts, out);
    walk(schema, 'ShopifyPaymentsBalanceTransaction', shop.balanceTransactions, out);
  }
  return Object.fromEntries([...out.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]));
}
