// Bulk query operations (docs/shopify-facts.md §2 "Bulk"): the inner query is checked against Shopify's
// limits, run over all data (no `first:`), and written as JSONL — one object per line, nodes of a
// nested connection on their own lines with `__parentId` pointing at the parent's id.
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  type GraphQLCompositeType,
  type GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  parse,
  type SelectionSetNode,
  validate,
} from 'graphql';
import { connectionNodeType, isConnectionType } from './connection';
import type { Obj } from './state';

export interface BulkUserError {
  field: string[];
  message: string;
  code: 'INVALID' | 'OPERATION_IN_PROGRESS' | 'LIMIT_REACHED';
}

const MAX_CONNECTIONS = 5;
const MAX_DEPTH = 2;

interface Ctx {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
}

/** The fields of a selection set with the type each is selected on, fragments inlined. */
function collectFields(
  c: Ctx,
  type: GraphQLCompositeType,
  set: SelectionSetNode | undefined,
): { node: FieldNode; parent: GraphQLCompositeType }[] {
  const out: { node: FieldNode; parent: GraphQLCompositeType }[] = [];
  for (const sel of set?.selections ?? []) {
    if (sel.kind === Kind.FIELD) {
      out.push({ node: sel, parent: type });
      continue;
    }
    const frag = sel.kind === Kind.FRAGMENT_SPREAD ? c.fragments[sel.name.value] : sel;
    if (!frag) continue;
    const cond = frag.typeCondition ? c.schema.getType(frag.typeCondition.name.value) : type;
    if (cond && isCompositeType(cond)) out.push(...collectFields(c, cond, frag.selectionSet));
  }
  return out;
}

function fieldType(parent: GraphQLCompositeType, name: string) {
  if (!isObjectType(parent) && !isInterfaceType(parent)) return undefined;
  const def = parent.getFields()[name];
  return def ? getNamedType(def.type) : undefined;
}

/** A field whose type is a list (`[Refund!]!`), as opposed to a single object or a connection. */
function isListField(parent: GraphQLCompositeType, name: string): boolean {
  if (!isObjectType(parent) && !isInterfaceType(parent)) return false;
  const def = parent.getFields()[name];
  return def ? isListType(getNullableType(def.type)) : false;
}

/** Selections of one node of a connection: `edges { node { … } }` and `nodes { … }`. */
function nodeSets(c: Ctx, connType: GraphQLCompositeType, field: FieldNode): SelectionSetNode[] {
  const sets: SelectionSetNode[] = [];
  for (const { node, parent } of collectFields(c, connType, field.selectionSet)) {
    if (node.name.value === 'nodes' && node.selectionSet) sets.push(node.selectionSet);
    if (node.name.value === 'edges') {
      const edgeType = fieldType(parent, 'edges');
      if (edgeType && isCompositeType(edgeType)) {
        for (const e of collectFields(c, edgeType, node.selectionSet))
          if (e.node.name.value === 'node' && e.node.selectionSet) sets.push(e.node.selectionSet);
      }
    }
  }
  return sets;
}

function nodeTypeOf(c: Ctx, conn: GraphQLCompositeType): GraphQLCompositeType | undefined {
  const t = c.schema.getType(connectionNodeType(conn));
  return t && isCompositeType(t) ? t : undefined;
}

/** Checks a bulk query; returns its document or Shopify-style user errors. */
export function checkBulkQuery(schema: GraphQLSchema, query: string): { document: DocumentNode } | { userErrors: BulkUserError[] } {
  const invalid = (message: string): { userErrors: BulkUserError[] } => ({ userErrors: [{ field: ['query'], message, code: 'INVALID' }] });
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    return invalid(`Invalid bulk query: ${(err as Error).message}`);
  }
  const errors = validate(schema, document);
  if (errors.length > 0) return invalid(`Invalid bulk query: ${errors.map((e) => e.message).join('; ')}`);
  const ops = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const op = ops[0];
  if (ops.length !== 1 || !op || op.kind !== Kind.OPERATION_DEFINITION || op.operation !== 'query')
    return invalid('Bulk queries must contain exactly one query operation.');
  const c: Ctx = { schema, fragments: fragmentsOf(document) };
  const root = schema.getQueryType();
  if (!root) return invalid('No query root.');
  let connections = 0;
  let tooDeep = false;
  let missingId = false;
  let connectionInList = false;
  // `inList`: the selection is inside a list field (Order.refunds is `[Refund!]!`). Shopify refuses a
  // connection there ("Queries that contain a connection field within a list field are not currently
  // supported."), so refunds' refundLineItems / transactions cannot be read in bulk through orders.
  const walk = (type: GraphQLCompositeType, set: SelectionSetNode | undefined, depth: number, inList: boolean): void => {
    for (const { node, parent } of collectFields(c, type, set)) {
      const t = fieldType(parent, node.name.value);
      if (!t || !isCompositeType(t)) continue;
      if (isConnectionType(t)) {
        connections++;
        if (inList) connectionInList = true;
        if (depth + 1 > MAX_DEPTH) tooDeep = true;
        const nodeType = nodeTypeOf(c, t);
        for (const s of nodeSets(c, t, node)) {
          if (depth + 1 > 1 && !collectFields(c, type, set).some((f) => f.node.name.value === 'id')) missingId = true;
          if (nodeType) walk(nodeType, s, depth + 1, false);
        }
      } else {
        walk(t, node.selectionSet, depth, inList || isListField(parent, node.name.value));
      }
    }
  };
  const rootFields = collectFields(c, root, op.selectionSet).map((f) => f.node.name.value);
  if (rootFields.some((n) => n === 'node' || n === 'nodes')) return invalid('Bulk queries cannot use top-level node or nodes fields.');
  walk(root, op.selectionSet, 0, false);
  if (connections === 0) return invalid('Bulk queries must contain at least one connection.');
  if (connections > MAX_CONNECTIONS) return invalid(`Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`);
  if (tooDeep) return invalid(`Bulk queries cannot contain connections nested more than ${MAX_DEPTH} levels deep.`);
  if (missingId) return invalid('The parent of a nested connection must select the id field.');
  if (connectionInList) return invalid('Queries that contain a connection field within a list field are not currently supported.');
  return { document };
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const out: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) out[d.name.value] = d;
  return out;
}

function connectionItems(conn: Obj | null | undefined, field: FieldNode): Obj[] {
  if (!conn) return [];
  const items: Obj[] = [];
  for (const sel of field.selectionSet?.selections ?? []) {
    if (sel.kind !== Kind.FIELD) continue;
    const value = conn[sel.alias?.value ?? sel.name.value];
    if (sel.name.value === 'nodes' && Array.isArray(value)) return value as Obj[];
    if (sel.name.value === 'edges' && Array.isArray(value)) for (const e of value as Obj[]) if (e.node) items.push(e.node);
  }
  return items;
}

/** Flattens the result of a bulk query into JSONL lines. */
export function toJsonl(
  schema: GraphQLSchema,
  document: DocumentNode,
  data: Obj,
): { text: string; objectCount: number; rootObjectCount: number } {
  const c: Ctx = { schema, fragments: fragmentsOf(document) };
  const op = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const root = schema.getQueryType();
  const lines: string[] = [];
  let rootObjectCount = 0;
  const emit = (obj: Obj, type: GraphQLCompositeType, sets: SelectionSetNode[], parentId: string | undefined): void => {
    const row: Obj = { ...obj };
    const children: { items: Obj[]; type: GraphQLCompositeType; sets: SelectionSetNode[] }[] = [];
    for (const set of sets) {
      for (const { node, parent } of collectFields(c, type, set)) {
        const t = fieldType(parent, node.name.value);
        if (!t || !isCompositeType(t) || !isConnectionType(t)) continue;
        const key = node.alias?.value ?? node.name.value;
        const childType = nodeTypeOf(c, t);
        if (childType) children.push({ items: connectionItems(obj[key], node), type: childType, sets: nodeSets(c, t, node) });
        delete row[key];
      }
    }
    if (parentId !== undefined) row.__parentId = parentId;
    lines.push(JSON.stringify(row));
    for (const child of children) for (const item of child.items) emit(item, child.type, child.sets, obj.id);
  };
  if (op?.kind === Kind.OPERATION_DEFINITION && root) {
    for (const { node, parent } of collectFields(c, root, op.selectionSet)) {
      const t = fieldType(parent, node.name.value);
      const value = data[node.alias?.value ?? node.name.value];
      if (!t || !isCompositeType(t) || value === null || value === undefined) continue;
      const nodeType = isConnectionType(t) ? nodeTypeOf(c, t) : undefined;
      if (!nodeType) {
        rootObjectCount++;
        lines.push(JSON.stringify(value));
        continue;
      }
      for (const item of connectionItems(value as Obj, node)) {
        rootObjectCount++;
        emit(item, nodeType, nodeSets(c, t, node), undefined);
      }
    }
  }
  return { text: lines.length ? `${lines.join('\n')}\n` : '', objectCount: lines.length, rootObjectCount };
}
