// Calculated query cost (docs/shopify-facts.md §1; https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits,
// which prices each field by what it returns: scalar and enum 0, object 1, interface and union the maximum of
// their possible selections, and so on).
// Our reading of Shopify's rules:
// - scalars and enums cost 0; an object costs 1 plus its selection;
// - a connection costs 2 + n × (cost of one node), n = `first` or `last` (actual cost: nodes
//   returned); its `edges`, `cursor` and `pageInfo` wrappers are free, the node is an object;
// - a plain list (not a connection, e.g. Order.transactions) costs as one element: the rules are
//   stated per connection, not per list;
// - fragments on different concrete types are alternatives: the most expensive one is charged;
// - each mutation root field costs 10 whatever its payload selection.
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getArgumentValues,
  getNamedType,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  isCompositeType,
  isLeafType,
  isListType,
  isNonNullType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type GraphQLType,
  isObjectType,
  isInterfaceType,
} from 'graphql';
import { isConnectionType } from './connection';

export const MUTATION_COST = 10;
export const MAX_QUERY_COST = 1000;

type Data = Record<string, unknown> | null | undefined;

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

function fieldDef(parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

function isList(type: GraphQLType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

function selectionCost(w: Walk, parent: GraphQLCompositeType, set: SelectionSetNode | undefined, data: Data, actual: boolean): number {
  if (!set) return 0;
  let base = 0;
  const alternatives = new Map<string, number>();
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      const def = fieldDef(parent, sel.name.value);
      if (def) base += fieldCost(w, def, sel, actual ? (data?.[sel.alias?.value ?? sel.name.value] as unknown) : undefined, actual);
      continue;
    }
    const frag = sel.kind === Kind.FRAGMENT_SPREAD ? w.fragments[sel.name.value] : sel;
    if (!frag) continue;
    const condName = frag.typeCondition?.name.value ?? parent.name;
    const cond = w.schema.getType(condName);
    if (!cond || !isCompositeType(cond)) continue;
    const cost = selectionCost(w, cond, frag.selectionSet, data, actual);
    if (condName === parent.name || !isObjectType(cond)) base += cost;
    else alternatives.set(condName, (alternatives.get(condName) ?? 0) + cost);
  }
  return base + Math.max(0, ...alternatives.values());
}

/** The node selections of a connection field: under `edges { node }` and under `nodes`. */
function nodeSelections(w: Walk, set: SelectionSetNode | undefined): { viaEdges: SelectionSetNode[]; viaNodes: SelectionSetNode[] } {
  const viaEdges: SelectionSetNode[] = [];
  const viaNodes: SelectionSetNode[] = [];
  const visit = (s: SelectionSetNode | undefined, inEdges: boolean): void => {
    for (const sel of s?.selections ?? []) {
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        if (!inEdges && name === 'edges') visit(sel.selectionSet, true);
        else if (inEdges && name === 'node' && sel.selectionSet) viaEdges.push(sel.selectionSet);
        else if (!inEdges && name === 'nodes' && sel.selectionSet) viaNodes.push(sel.selectionSet);
      } else {
        const frag = sel.kind === Kind.FRAGMENT_SPREAD ? w.fragments[sel.name.value] : sel;
        if (frag) visit(frag.selectionSet, inEdges);
      }
    }
  };
  visit(set, false);
  return { viaEdges, viaNodes };
}

function oneNodeCost(w: Walk, nodeType: GraphQLCompositeType, sets: SelectionSetNode[], node: Data, actual: boolean): number {
  if (sets.length === 0) return 0;
  return 1 + sets.reduce((sum, s) => sum + selectionCost(w, nodeType, s, node, actual), 0);
}

function fieldCost(w: Walk, def: GraphQLField<unknown, unknown>, node: FieldNode, value: unknown, actual: boolean): number {
  const named = getNamedType(def.type);
  if (isLeafType(named) || !isCompositeType(named)) return 0;
  if (actual && (value === null || value === undefined)) return 0;
  if (isConnectionType(named) && isObjectType(named)) {
    const nodesField = named.getFields().nodes;
    const nodeType = nodesField ? getNamedType(nodesField.type) : undefined;
    if (!nodeType || !isCompositeType(nodeType)) return 2;
    const { viaEdges, viaNodes } = nodeSelections(w, node.selectionSet);
    if (!actual) {
      const args = getArgumentValues(def, node, w.variables);
      const n = Number(args.first ?? args.last ?? 0);
      return 2 + n * Math.max(oneNodeCost(w, nodeType, viaEdges, undefined, false), oneNodeCost(w, nodeType, viaNodes, undefined, false));
    }
    const conn = value as { edges?: { node: Data }[]; nodes?: Data[] } & Record<string, unknown>;
    const responseKey = (name: string): unknown => {
      for (const sel of node.selectionSet?.selections ?? []) {
        if (sel.kind === Kind.FIELD && sel.name.value === name) return conn[sel.alias?.value ?? name];
      }
      return undefined;
    };
    const edges = (responseKey('edges') as { node?: Data }[] | undefined) ?? [];
    const nodes = (responseKey('nodes') as Data[] | undefined) ?? [];
    const count = Math.max(edges.length, nodes.length);
    let total = 2;
    for (let i = 0; i < count; i++) {
      total += Math.max(oneNodeCost(w, nodeType, viaEdges, edges[i]?.node, true), oneNodeCost(w, nodeType, viaNodes, nodes[i], true));
    }
    return total;
  }
  if (actual && isList(def.type) && Array.isArray(value)) {
    return Math.max(0, ...value.map((v) => (v === null ? 0 : 1 + selectionCost(w, named, node.selectionSet, v as Data, true))));
  }
  return 1 + selectionCost(w, named, node.selectionSet, actual ? (value as Data) : undefined, actual);
}

function walkFor(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>): Walk {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
  return { schema, fragments, variables };
}

function rootCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  op: OperationDefinitionNode,
  variables: Record<string, unknown>,
  data: Data,
  actual: boolean,
): number {
  if (op.operation === 'mutation') {
    return op.selectionSet.selections.filter((s) => s.kind !== Kind.FIELD || !s.name.value.startsWith('__')).length * MUTATION_COST;
  }
  const root = op.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!root) return 0;
  return selectionCost(walkFor(schema, document, variables), root, op.selectionSet, data, actual);
}

/** The cost Shopify calculates before running the operation. */
export function requestedQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  op: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  return rootCost(schema, document, op, variables, undefined, false);
}

/** The cost of what was actually returned (charged after execution; the difference is refunded). */
export function actualQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  op: OperationDefinitionNode,
  variables: Record<string, unknown>,
  data: Data,
): number {
  return rootCost(schema, document, op, variables, data, true);
}
