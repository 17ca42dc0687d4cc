/**
 * Static requested-cost calculator following docs/shopify-facts.md §1: scalars and enums 0, objects (and interfaces,
 * unions) 1, connections 2 + first × the cost of one node (pageInfo counted as one object), plain lists
 * `first` × item cost (one item when unsized). Also counts connections and their nesting depth, for the
 * bulk-operation limits of docs/shopify-facts.md §2.
 */
import {
  getNamedType,
  isCompositeType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
  isObjectType,
  isInterfaceType,
  type OperationDefinitionNode,
} from 'graphql';

export interface CostReport {
  cost: number;
  connections: number;
  maxConnectionDepth: number;
  firstArguments: number;
}

function unwrapList(type: GraphQLOutputType): boolean {
  const inner = isNonNullType(type) ? type.ofType : type;
  return isListType(inner);
}

function intArg(field: FieldNode, name: string, variables: Record<string, unknown>): number | null {
  const arg = field.arguments?.find((a) => a.name.value === name);
  if (!arg) return null;
  const value: ValueNode = arg.value;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    if (typeof v !== 'number') throw new Error(`variable $${value.name.value} must be given to price the query`);
    return v;
  }
  throw new Error(`unsupported ${name} argument`);
}

export function requestedCost(schema: GraphQLSchema, document: string, variables: Record<string, unknown> = {}): CostReport {
  const doc = parse(document);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!op) throw new Error('no operation');
  const report: CostReport = { cost: 0, connections: 0, maxConnectionDepth: 0, firstArguments: 0 };

  const selectionCost = (parent: GraphQLCompositeType, set: SelectionSetNode | undefined, depth: number): number => {
    if (!set) return 0;
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const typeName = sel.typeCondition?.name.value;
        const type = typeName ? (schema.getType(typeName) as GraphQLCompositeType) : parent;
        total += selectionCost(type, sel.selectionSet, depth);
        continue;
      }
      if (sel.kind !== Kind.FIELD) throw new Error('fragment spreads are not priced');
      if (sel.name.value === '__typename') continue;
      if (!(isObjectType(parent) || isInterfaceType(parent))) throw new Error(`cannot select ${sel.name.value} on a union`);
      const def = parent.getFields()[sel.name.value];
      if (!def) throw new Error(`unknown field ${parent.name}.${sel.name.value}`);
      const named = getNamedType(def.type);
      if (!isCompositeType(named)) continue;
      const firstArg = intArg(sel, 'first', variables);
      if (firstArg !== null) report.firstArguments += 1;
      if (named.name.endsWith('Connection')) {
        report.connections += 1;
        report.maxConnectionDepth = Math.max(report.maxConnectionDepth, depth + 1);
        let nodeCost = 0;
        let pageInfo = 0;
        for (const inner of sel.selectionSet?.selections ?? []) {
          if (inner.kind !== Kind.FIELD) continue;
          const connFields = (named as GraphQLCompositeType & { getFields(): Record<string, { type: GraphQLOutputType }> }).getFields();
          const innerDef = connFields[inner.name.value];
          if (!innerDef) throw new Error(`unknown connection field ${inner.name.value}`);
          if (inner.name.value === 'pageInfo') pageInfo = 1;
          else if (inner.name.value === 'nodes') {
            nodeCost = 1 + selectionCost(getNamedType(innerDef.type) as GraphQLCompositeType, inner.selectionSet, depth + 1);
          } else if (inner.name.value === 'edges') {
            const edgeType = getNamedType(innerDef.type) as GraphQLCompositeType & {
              getFields(): Record<string, { type: GraphQLOutputType }>;
            };
            for (const e of inner.selectionSet?.selections ?? []) {
              if (e.kind === Kind.FIELD && e.name.value === 'node') {
                const nodeType = getNamedType(edgeType.getFields().node!.type) as GraphQLCompositeType;
                nodeCost = 1 + selectionCost(nodeType, e.selectionSet, depth + 1);
              }
            }
          }
        }
        total += 2 + (firstArg ?? 1) * nodeCost + pageInfo;
      } else if (unwrapList(def.type)) {
        total += (firstArg ?? 1) * (1 + selectionCost(named, sel.selectionSet, depth));
      } else {
        total += 1 + selectionCost(named, sel.selectionSet, depth);
      }
    }
    return total;
  };

  const root = op.operation === 'query' ? schema.getQueryType() : schema.getMutationType();
  if (!root) throw new Error('no root type');
  report.cost = selectionCost(root, op.selectionSet, 0);
  return report;
}
