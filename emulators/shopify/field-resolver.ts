// Default field and type resolution over stored Admin-GraphQL JSON. A field the schema has but the
// stored object lacks, with no emulation of its own, is an error naming Type.field: the emulator
// never invents data and never answers a silent null for a field it does not model. A nullable field it
// models (modelled-fields.ts) that the object lacks answers null, as Shopify does for a value not set.
import {
  GraphQLError,
  getNamedType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLTypeResolver,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { connectionNodeType, isConnectionType, paginate } from './connection';
import type { ResolverContext } from './context';
import { gidType, legacyId } from './gid';
import { MODELLED_FIELDS } from './modelled-fields';
import { findNode, type Obj } from './state';

export type Resolver = (source: any, args: any, ctx: ResolverContext, info: GraphQLResolveInfo) => unknown;
export interface ResolverTable {
  /** Always used for Type.field (root fields, filtered sub-resources). */
  override: Record<string, Resolver>;
  /** Used only when the stored object lacks the field (derived values, back-references). */
  computed: Record<string, Resolver>;
  /** Arguments (besides paging) each resolver above honours; any other non-default one is an error. */
  args: Record<string, string[]>;
}

export function notEmulated(typeName: string, fieldName: string): GraphQLError {
  return new GraphQLError(
    `Field ${typeName}.${fieldName} is not emulated: it is absent from the stored ${typeName} and the emulator has no resolver for it.`,
    { extensions: { code: 'NOT_EMULATED', typeName, fieldName } },
  );
}

// Entities that live in the shop's catalogue: a stored reference `{ id }` resolves to the live object.
const LIVE_TYPES = new Set(['Order', 'Product', 'ProductVariant', 'InventoryItem', 'InventoryLevel', 'Location']);
const PAGING_ARGS = new Set(['first', 'last', 'after', 'before', 'reverse']);

function live(value: unknown, typeName: string, ctx: ResolverContext): unknown {
  if (Array.isArray(value)) return value.map((v) => live(v, typeName, ctx));
  if (value && typeof value === 'object' && LIVE_TYPES.has(typeName)) {
    const id = (value as Obj).id;
    if (gidType(id) === typeName) return findNode(ctx.shop, id) ?? value;
  }
  return value;
}

/** Arguments a resolver cannot honour must not be silently ignored. */
function rejectUnhandledArgs(args: Obj, info: GraphQLResolveInfo, handled: string[] = []): void {
  const def = info.parentType.getFields()[info.fieldName];
  for (const arg of def?.args ?? []) {
    const v = args[arg.name];
    if (PAGING_ARGS.has(arg.name) || handled.includes(arg.name) || v === undefined || v === null) continue;
    if (arg.defaultValue !== undefined && JSON.stringify(arg.defaultValue) === JSON.stringify(v)) continue;
    throw new GraphQLError(`Argument ${arg.name} on ${info.parentType.name}.${info.fieldName} is not emulated.`, {
      extensions: { code: 'NOT_EMULATED', typeName: info.parentType.name, fieldName: info.fieldName },
    });
  }
}

function present(value: unknown, args: Obj, ctx: ResolverContext, info: GraphQLResolveInfo): unknown {
  const named = getNamedType(info.returnType);
  rejectUnhandledArgs(args, info);
  if (value !== null && value !== undefined && isConnectionType(named)) {
    const stored = value as Obj;
    const nodes: unknown[] = stored.nodes ?? stored.edges?.map((e: Obj) => e.node) ?? (Array.isArray(value) ? value : undefined);
    if (!nodes) throw new GraphQLError(`Stored ${info.parentType.name}.${info.fieldName} is not a { nodes: [...] } connection.`);
    const page = paginate(nodes, (_item, i) => [i], args, ctx.bulk);
    const nodeType = connectionNodeType(named);
    const liveNodes = page.nodes.map((n) => live(n, nodeType, ctx));
    return { ...page, nodes: liveNodes, edges: page.edges.map((e, i) => ({ cursor: e.cursor, node: liveNodes[i] })) };
  }
  let out = value;
  if (Array.isArray(out) && typeof args.first === 'number') out = out.slice(0, args.first);
  return live(out, named.name, ctx);
}

export function createFieldResolver(table: ResolverTable): GraphQLFieldResolver<unknown, ResolverContext> {
  return (source, args, ctx, info) => {
    // The schema names its roots QueryRoot and Mutation; the table says Query and Mutation.
    const typeName =
      info.parentType === info.schema.getQueryType()
        ? 'Query'
        : info.parentType === info.schema.getMutationType()
          ? 'Mutation'
          : info.parentType.name;
    const key = `${typeName}.${info.fieldName}`;
    const override = table.override[key];
    if (override) {
      rejectUnhandledArgs(args, info, table.args[key]);
      return override(source, args, ctx, info);
    }
    const obj = (source ?? {}) as Obj;
    if (Object.prototype.hasOwnProperty.call(obj, info.fieldName)) return present(obj[info.fieldName], args, ctx, info);
    const computed = table.computed[key];
    if (computed) {
      rejectUnhandledArgs(args, info, table.args[key]);
      return computed(source, args, ctx, info);
    }
    if (info.fieldName === 'legacyResourceId' && typeof obj.id === 'string') return legacyId(obj.id);
    if (MODELLED_FIELDS[info.parentType.name]?.includes(info.fieldName)) {
      // A field the emulator models that this object was stored without: Shopify's null for a value not set,
      // unless the schema says it always has one.
      if (!isNonNullType(info.returnType)) return null;
      throw new GraphQLError(
        `Stored ${info.parentType.name} lacks ${info.parentType.name}.${info.fieldName}, which Shopify always sets (non-null): the seed must give it.`,
        { extensions: { code: 'SEED_INCOMPLETE', typeName: info.parentType.name, fieldName: info.fieldName } },
      );
    }
    throw notEmulated(info.parentType.name, info.fieldName);
  };
}

/**
 * Concrete type of an interface/union value: its `__typename`, else the type in its gid, else the
 * only possible type whose fields cover the stored keys (e.g. PricingValue: amount → MoneyV2).
 */
export const typeResolver: GraphQLTypeResolver<unknown, ResolverContext> = (value, _ctx, info, abstractType) => {
  const obj = (value ?? {}) as Obj;
  if (typeof obj.__typename === 'string') return obj.__typename;
  const possible = info.schema.getPossibleTypes(abstractType);
  const fromGid = gidType(obj.id);
  if (fromGid && possible.some((t) => t.name === fromGid)) return fromGid;
  const keys = Object.keys(obj);
  const fits = possible.filter((t) => isObjectType(t) && keys.every((k) => k in t.getFields()));
  if (fits.length === 1 && fits[0]) return fits[0].name;
  throw new GraphQLError(
    `Cannot tell which ${abstractType.name} a stored object is (add "__typename"): ${JSON.stringify(obj).slice(0, 200)}`,
    {
      extensions: { code: 'NOT_EMULATED', typeName: abstractType.name },
    },
  );
};
