// Shopify search syntax (`query:` argument) for the filters Ledgerline uses: `field:value`,
// `field:>=value` / `>` / `<` / `<=`, quoted or bare values, `-field:` / `NOT` negation, terms
// AND-combined (docs/shopify-facts.md §2). Anything else (OR, parentheses, free text, unknown fields) fails
// loudly instead of silently matching everything.
import { legacyId } from './gid';
import type { Obj } from './state';

export class SearchSyntaxError extends Error {
  override name = 'SearchSyntaxError';
}

export type SearchOp = ':' | '>' | '>=' | '<' | '<=';
export interface SearchTerm {
  field: string;
  op: SearchOp;
  value: string;
  negated: boolean;
}
export type FieldFilter = (op: SearchOp, value: string) => (o: Obj) => boolean;

function tokenize(query: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const ch of query) {
    if (quote) {
      current += ch;
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (/\s/.test(ch)) {
      if (current) tokens.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quote) throw new SearchSyntaxError(`Unterminated quote in search query: ${query}`);
  if (current) tokens.push(current);
  return tokens;
}

const unquote = (v: string): string => (/^(['"]).*\1$/s.test(v) ? v.slice(1, -1) : v);

export function parseSearch(query: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  let negateNext = false;
  for (const token of tokenize(query)) {
    if (token === 'AND') continue;
    if (token === 'NOT') {
      negateNext = true;
      continue;
    }
    if (token === 'OR' || /^[()]|[()]$/.test(token)) {
      throw new SearchSyntaxError(`Search syntax "${token}" is not emulated (only AND-combined field terms are): ${query}`);
    }
    const negated = negateNext || token.startsWith('-');
    negateNext = false;
    const body = token.startsWith('-') ? token.slice(1) : token;
    const colon = body.indexOf(':');
    if (colon <= 0) throw new SearchSyntaxError(`Free-text search "${token}" is not emulated (use field:value): ${query}`);
    const field = body.slice(0, colon);
    const rest = body.slice(colon + 1);
    const op = (['>=', '<=', '>', '<'] as const).find((o) => rest.startsWith(o)) ?? ':';
    const value = unquote(op === ':' ? rest : rest.slice(op.length));
    terms.push({ field, op, value, negated });
  }
  return terms;
}

/** A predicate for `query`, or `() => true` when there is none. */
export function compileSearch(
  query: string | null | undefined,
  fields: Record<string, FieldFilter>,
  resource: string,
): (o: Obj) => boolean {
  if (!query || !query.trim()) return () => true;
  const predicates = parseSearch(query).map((t) => {
    const filter = fields[t.field];
    if (!filter) {
      throw new SearchSyntaxError(
        `Search filter "${t.field}" is not emulated for ${resource} (emulated: ${Object.keys(fields).join(', ')})`,
      );
    }
    const p = filter(t.op, t.value);
    return t.negated ? (o: Obj) => !p(o) : p;
  });
  return (o) => predicates.every((p) => p(o));
}

function compare(op: SearchOp, diff: number): boolean {
  switch (op) {
    case ':':
      return diff === 0;
    case '>':
      return diff > 0;
    case '>=':
      return diff >= 0;
    case '<':
      return diff < 0;
    case '<=':
      return diff <= 0;
  }
}

/** ISO timestamps (quoted or not) and bare dates; a bare date is read as a UTC day. */
export function dateFilter(get: (o: Obj) => unknown): FieldFilter {
  return (op, value) => {
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
    const at = Date.parse(value);
    if (Number.isNaN(at)) throw new SearchSyntaxError(`Not a date in search query: ${value}`);
    return (o) => {
      const raw = get(o);
      if (typeof raw !== 'string') return false;
      const t = Date.parse(raw);
      if (dateOnly && op === ':') return t >= at && t < at + 86_400_000;
      if (dateOnly && op === '>') return t >= at + 86_400_000;
      if (dateOnly && op === '<=') return t < at + 86_400_000;
      return compare(op, t - at);
    };
  };
}

/** Case-insensitive equality; a trailing `*` is a prefix match. */
export function textFilter(get: (o: Obj) => unknown, normalize: (s: string) => string = (s) => s): FieldFilter {
  return (op, value) => {
    if (op !== ':') throw new SearchSyntaxError(`Comparison ${op} is not emulated for text filters`);
    const want = normalize(value.toLowerCase());
    const prefix = want.endsWith('*');
    const stem = prefix ? want.slice(0, -1) : want;
    return (o) => {
      const raw = get(o);
      if (raw === null || raw === undefined) return false;
      const have = normalize(String(raw).toLowerCase());
      return prefix ? have.startsWith(stem) : have === stem;
    };
  };
}

export function boolFilter(get: (o: Obj) => unknown): FieldFilter {
  return (op, value) => {
    if (op !== ':' || !/^(true|false)$/i.test(value)) throw new SearchSyntaxError(`Boolean filter expects true or false: ${value}`);
    const want = value.toLowerCase() === 'true';
    return (o) => Boolean(get(o)) === want;
  };
}

/** Numeric ids (the gid tail) compared as integers; a gid value is accepted too. */
export function idFilter(get: (o: Obj) => unknown): FieldFilter {
  return (op, value) => {
    const want = legacyId(value) ?? value;
    if (!/^\d+$/.test(want)) throw new SearchSyntaxError(`Not an id in search query: ${value}`);
    const w = BigInt(want);
    return (o) => {
      const raw = get(o);
      const have = legacyId(raw) ?? (raw === null || raw === undefined ? undefined : String(raw));
      if (have === undefined || !/^\d+$/.test(have)) return false;
      const h = BigInt(have);
      return compare(op, h === w ? 0 : h > w ? 1 : -1);
    };
  };
}
