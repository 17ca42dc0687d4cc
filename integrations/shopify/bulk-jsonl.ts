/**
 * Reassembles a bulk query's JSONL (docs/shopify-facts.md §2) into whole root objects. Shopify writes one object per
 * line; the nodes of a nested connection get lines of their own with `__parentId` naming their parent,
 * and the line does not say which connection it came from. We therefore read the connection layout
 * from the inner query (a field selecting `edges { node }` or `nodes` is a connection) and match each
 * child line to the connection whose selection it fits; without the query, a child's gid type names the
 * connection (`gid://shopify/LineItem/1` → `lineItems`). Connections come out as `{ nodes: [...] }`,
 * the shape the paged queries return.
 */
import { type FieldNode, type FragmentDefinitionNode, Kind, parse, type SelectionSetNode } from 'graphql';

type Row = Record<string, unknown>;

export interface ConnectionShape {
  /** Response key of the connection field on its parent. */
  key: string;
  /** Every response key a node of this connection may have. */
  keys: Set<string>;
  /** Keys every node has (selected outside type conditions). */
  required: Set<string>;
  children: ConnectionShape[];
}

type Fragments = Record<string, FragmentDefinitionNode>;

/** Top-level fields of a selection set; `conditional` marks those under a type condition. */
function fieldsOf(
  set: SelectionSetNode | undefined,
  fragments: Fragments,
  conditional = false,
): { field: FieldNode; conditional: boolean }[] {
  const out: { field: FieldNode; conditional: boolean }[] = [];
  for (const sel of set?.selections ?? []) {
    if (sel.kind === Kind.FIELD) out.push({ field: sel, conditional });
    else {
      const frag = sel.kind === Kind.FRAGMENT_SPREAD ? fragments[sel.name.value] : sel;
      if (frag) out.push(...fieldsOf(frag.selectionSet, fragments, conditional || frag.typeCondition !== undefined));
    }
  }
  return out;
}

/** The node selection of a connection field (`edges { node { … } }` or `nodes { … }`), if it is one. */
function nodeSelection(field: FieldNode, fragments: Fragments): SelectionSetNode | undefined {
  for (const { field: f } of fieldsOf(field.selectionSet, fragments)) {
    if (f.name.value === 'nodes' && f.selectionSet) return f.selectionSet;
    if (f.name.value === 'edges') {
      const node = fieldsOf(f.selectionSet, fragments).find((e) => e.field.name.value === 'node');
      if (node?.field.selectionSet) return node.field.selectionSet;
    }
  }
  return undefined;
}

function connectionShape(key: string, nodeSet: SelectionSetNode, fragments: Fragments): ConnectionShape {
  const shape: ConnectionShape = { key, keys: new Set(), required: new Set(), children: [] };
  for (const { field, conditional } of fieldsOf(nodeSet, fragments)) {
    const responseKey = field.alias?.value ?? field.name.value;
    const childNodes = nodeSelection(field, fragments);
    if (childNodes) {
      shape.children.push(connectionShape(responseKey, childNodes, fragments));
      continue;
    }
    shape.keys.add(responseKey);
    if (!conditional) shape.required.add(responseKey);
  }
  return shape;
}

/** The root connection of a bulk inner query, with its nested connections. */
export function bulkQueryShape(query: string): ConnectionShape {
  const document = parse(query);
  const fragments: Fragments = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const op = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  for (const { field } of op?.kind === Kind.OPERATION_DEFINITION ? fieldsOf(op.selectionSet, fragments) : []) {
    const nodes = nodeSelection(field, fragments);
    if (nodes) return connectionShape(field.alias?.value ?? field.name.value, nodes, fragments);
  }
  throw new Error('The bulk query has no root connection (edges { node } or nodes)');
}

const gidType = (id: unknown): string | undefined => (typeof id === 'string' ? /^gid:\/\/shopify\/([^/]+)\//.exec(id)?.[1] : undefined);

function pluralField(type: string): string {
  const lower = type.charAt(0).toLowerCase() + type.slice(1);
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return /(s|x|ch|sh)$/.test(lower) ? `${lower}es` : `${lower}s`;
}

function connectionFor(row: Row, parent: ConnectionShape | undefined): { key: string; shape: ConnectionShape | undefined } {
  const type = gidType(row.id);
  if (!parent) {
    if (!type) throw new Error('A bulk JSONL child line has no gid `id`: pass the inner query to place it');
    return { key: pluralField(type), shape: undefined };
  }
  const keys = Object.keys(row).filter((k) => k !== '__parentId');
  let fits = parent.children.filter((c) => keys.every((k) => c.keys.has(k)) && [...c.required].every((k) => k in row));
  if (fits.length > 1 && type) fits = fits.filter((c) => c.key.toLowerCase().startsWith(type.toLowerCase()));
  const [only, ...rest] = fits;
  if (!only || rest.length > 0) {
    throw new Error(`Cannot tell which connection a bulk JSONL line with keys [${keys.join(', ')}] belongs to`);
  }
  return { key: only.key, shape: only };
}

/**
 * Folds the lines of one bulk result into root objects. The file must be grouped (each root's
 * descendants right after it): `bulkOperationRunQuery(groupObjects: true)` asks Shopify for that, so
 * a root is complete as soon as the next root starts.
 */
export class BulkAssembler {
  private current: Row | undefined;
  private readonly placed = new Map<string, { obj: Row; shape: ConnectionShape | undefined }>();

  constructor(private readonly shape: ConnectionShape | undefined) {}

  /** Adds one line; returns the previous root when this line starts a new one. */
  push(row: Row): Row | undefined {
    const parentId = row.__parentId;
    if (parentId === undefined) {
      const done = this.finish();
      this.current = this.adopt(row, this.shape);
      return done;
    }
    const parent = typeof parentId === 'string' ? this.placed.get(parentId) : undefined;
    if (!parent) {
      throw new Error(
        `Bulk JSONL line refers to parent ${String(parentId)}, which is not in the current object: the file is not grouped by parent`,
      );
    }
    const { key, shape } = connectionFor(row, parent.shape);
    const { __parentId: _drop, ...child } = row;
    const conn = (parent.obj[key] ??= { nodes: [] }) as { nodes: Row[] };
    conn.nodes.push(this.adopt(child, shape));
    return undefined;
  }

  /** The last root, once the file has ended. */
  finish(): Row | undefined {
    const done = this.current;
    this.current = undefined;
    this.placed.clear();
    return done;
  }

  private adopt(obj: Row, shape: ConnectionShape | undefined): Row {
    for (const child of shape?.children ?? []) obj[child.key] ??= { nodes: [] };
    if (typeof obj.id === 'string') this.placed.set(obj.id, { obj, shape });
    return obj;
  }
}
