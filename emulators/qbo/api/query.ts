import { faults } from '../core/faults';
import { parseDecimal } from '../core/money';
import { canonicalEntity } from '../company/company';
import type { RuleContext } from '../rules/context';
import type { Entity } from '../types';
import { parseQuery, type Condition } from './queryParser';

/** docs/qbo-facts.md §5: MAXRESULTS is at most 1000 and STARTPOSITION is 1-based. */
export const MAX_RESULTS = 1000;

const DATE = /^\d{4}-\d{2}-\d{2}/;

/** A field by dotted path (MetaData.LastUpdatedTime), names matched without regard to case; a reference yields its value. */
function resolve(doc: Entity, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    const record = value as Record<string, unknown>;
    const key = part in record ? part : Object.keys(record).find((k) => k.toLowerCase() === part.toLowerCase());
    value = key === undefined ? undefined : record[key];
  }
  if (typeof value === 'object' && value !== null && 'value' in value) return (value as { value: unknown }).value;
  return value;
}

/**
 * Orders two values as QBO does: numbers as numbers, dates as instants, booleans by equality, text without case.
 * Text without case covers `Item.Sku` too: Intuit documents no case rule for query values, QBO treats names
 * without case, and this reading returns the most rows, so a product that decides SKU matches itself is tested
 * against Items whose SKUs differ only by case (docs/qbo-facts.md §4 "Item SKUs", test/emulators/qbo/sku.test.ts).
 */
function compare(a: unknown, b: unknown): number | null {
  if (a === undefined || a === null || b === undefined || b === null) return null;
  if (typeof a === 'boolean' || typeof b === 'boolean') return String(a).toLowerCase() === String(b).toLowerCase() ? 0 : 1;
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (x !== null && y !== null) return x === y ? 0 : x < y ? -1 : 1;
  const sa = String(a);
  const sb = String(b);
  if (DATE.test(sa) && DATE.test(sb)) {
    const diff = Date.parse(sa) - Date.parse(sb);
    if (!Number.isNaN(diff)) return Math.sign(diff);
  }
  return sa.toLowerCase().localeCompare(sb.toLowerCase());
}

function likePattern(pattern: string): RegExp {
  const body = pattern
    .split('%')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'is');
}

function matches(doc: Entity, condition: Condition): boolean {
  const value = resolve(doc, condition.field);
  const [first] = condition.values;
  switch (condition.op) {
    case 'IN':
      return condition.values.some((v) => compare(value, v) === 0);
    case 'LIKE':
      return value !== undefined && value !== null && likePattern(String(first)).test(String(value));
    default: {
      const order = compare(value, first);
      if (order === null) return false;
      return { '=': order === 0, '<': order < 0, '>': order > 0, '<=': order <= 0, '>=': order >= 0 }[condition.op];
    }
  }
}

export function runQuery(ctx: RuleContext, sql: string): Entity {
  const query = parseQuery(sql);
  const name = canonicalEntity(query.entity);
  if (!name) throw faults.queryValidation(`Entity '${query.entity}' is not supported`);
  for (const field of [...query.where.map((w) => w.field), ...query.orderBy.map((o) => o.field)]) {
    if (!ctx.schema.fieldOf(name, field.split('.')[0] as string))
      throw faults.queryValidation(`property '${field}' is not queryable for ${name}`);
  }
  if (query.maxResults < 1 || query.maxResults > MAX_RESULTS)
    throw faults.queryValidation(`MAXRESULTS must be between 1 and ${MAX_RESULTS}`);
  if (query.startPosition < 1) throw faults.queryValidation('STARTPOSITION is 1-based');
  let rows = ctx.company.list(name).filter((doc) => !ctx.hidden.has(`${name}:${doc.Id}`));
  // QBO returns only active list entities unless the query asks about Active.
  if (ctx.schema.fieldOf(name, 'Active') && !query.where.some((w) => w.field.toLowerCase() === 'active')) {
    rows = rows.filter((doc) => doc.Active !== false);
  }
  rows = rows.filter((doc) => query.where.every((c) => matches(doc, c)));
  if (query.count) return { totalCount: rows.length };
  const order = query.orderBy.length > 0 ? query.orderBy : [{ field: 'Id', desc: false }];
  rows.sort((a, b) => {
    for (const { field, desc } of order) {
      const result = compare(resolve(a, field), resolve(b, field)) ?? 0;
      if (result !== 0) return desc ? -result : result;
    }
    return 0;
  });
  const page = rows.slice(query.startPosition - 1, query.startPosition - 1 + query.maxResults);
  // Real QBO answers an empty page with an empty QueryResponse object.
  if (page.length === 0) return {};
  return { [name]: page, startPosition: query.startPosition, maxResults: page.length };
}
