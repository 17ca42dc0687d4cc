import { GraphQLError } from 'graphql';
import { compileSearch, type FieldFilter, SearchSyntaxError } from '../search';
import type { Obj } from '../state';

/** compileSearch with syntax problems reported as GraphQL errors on the field. */
export function searchPredicate(
  query: string | null | undefined,
  fields: Record<string, FieldFilter>,
  resource: string,
): (o: Obj) => boolean {
  try {
    return compileSearch(query, fields, resource);
  } catch (err) {
    if (err instanceof SearchSyntaxError) throw new GraphQLError(err.message, { extensions: { code: 'NOT_EMULATED' } });
    throw err;
  }
}

export function numericId(id: unknown): number {
  const m = typeof id === 'string' ? /(\d+)$/.exec(id) : null;
  return m ? Number(m[1]) : 0;
}
