// Relay-style connections with opaque cursors. A cursor encodes the item's sort key, so paging
// stays correct when items are inserted or updated between pages.
import { GraphQLError, type GraphQLNamedType, getNamedType, isObjectType } from 'graphql';

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}
export type CursorKey = readonly (string | number)[];

export interface Connection<T> {
  nodes: T[];
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export function isConnectionType(type: GraphQLNamedType): boolean {
  if (!isObjectType(type) || !type.name.endsWith('Connection')) return false;
  const fields = type.getFields();
  return 'pageInfo' in fields && ('edges' in fields || 'nodes' in fields);
}

/** Name of the node type of a connection type (from its `nodes` or `edges.node` field). */
export function connectionNodeType(type: GraphQLNamedType): string {
  if (!isObjectType(type)) return type.name;
  const fields = type.getFields();
  const nodes = fields.nodes?.type;
  if (nodes) return getNamedType(nodes).name;
  const edge = fields.edges ? getNamedType(fields.edges.type) : undefined;
  const node = edge && isObjectType(edge) ? edge.getFields().node?.type : undefined;
  return node ? getNamedType(node).name : type.name;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify({ k: key })).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown };
    if (Array.isArray(parsed.k)) return parsed.k as CursorKey;
  } catch {
    // fall through to the error below
  }
  throw new GraphQLError(`Invalid cursor: ${cursor}`, { extensions: { code: 'BAD_REQUEST' } });
}

export function compareKeys(a: CursorKey, b: CursorKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/**
 * One page of `items` (already in ascending key order). Outside bulk operations a connection
 * needs `first` or `last`, as on Shopify; bulk operations read everything.
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T, index: number) => CursorKey,
  args: PageArgs,
  bulk: boolean,
): Connection<T> {
  const { first, last, after, before } = args;
  if (!bulk && (first === null || first === undefined) && (last === null || last === undefined)) {
    throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
  }
  if ((first ?? 0) < 0 || (last ?? 0) < 0)
    throw new GraphQLError('first and last must not be negative', { extensions: { code: 'BAD_REQUEST' } });
  const dir = args.reverse ? -1 : 1;
  const keyed = items.map((item, i) => ({ item, key: keyOf(item, i) }));
  if (args.reverse) keyed.reverse();
  let start = 0;
  let end = keyed.length;
  if (after) {
    const k = decodeCursor(after);
    while (start < end && dir * compareKeys(keyed[start]!.key, k) <= 0) start++;
  }
  if (before) {
    const k = decodeCursor(before);
    let i = start;
    while (i < end && dir * compareKeys(keyed[i]!.key, k) < 0) i++;
    end = i;
  }
  if (first !== null && first !== undefined) end = Math.min(end, start + first);
  if (last !== null && last !== undefined) start = Math.max(start, end - last);
  const page = keyed.slice(start, end);
  const edges = page.map(({ item, key }) => ({ cursor: encodeCursor(key), node: item }));
  return {
    nodes: page.map((p) => p.item),
    edges,
    pageInfo: {
      hasNextPage: end < keyed.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/** Sorts `items` by `keyOf` (ties broken by the key's later parts) and returns one page. */
export function sortedPage<T>(items: Iterable<T>, keyOf: (item: T) => CursorKey, args: PageArgs, bulk: boolean): Connection<T> {
  const keyed = [...items].map((item) => ({ item, key: keyOf(item) })).sort((a, b) => compareKeys(a.key, b.key));
  const page = paginate(keyed, (k) => k.key, args, bulk);
  const nodes = page.nodes.map((k) => k.item);
  return { nodes, edges: page.edges.map((e, i) => ({ cursor: e.cursor, node: nodes[i] as T })), pageInfo: page.pageInfo };
}

/** A sort key function from a GraphQL sortKey enum value, failing loudly on keys not emulated. */
export function sortKeyOf<T>(sortKey: string, table: Record<string, (item: T) => CursorKey>, resource: string): (item: T) => CursorKey {
  const fn = table[sortKey];
  if (!fn) {
    throw new GraphQLError(`sortKey ${sortKey} is not emulated for ${resource} (emulated: ${Object.keys(table).join(', ')})`, {
      extensions: { code: 'NOT_EMULATED' },
    });
  }
  return fn;
}
