import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

/** The real Admin schema that scripts/fetch-shopify-schema.sh caches (docs/shopify-facts.md §5). */
export function loadShopifySchema(version = '2026-10'): GraphQLSchema {
  const cache = process.env.LEDGERLINE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ledgerline');
  const file = join(cache, 'shopify-admin-schema-1.15.4', `admin_${version}.json.gz`);
  const introspection = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as { data: IntrospectionQuery };
  return buildClientSchema(introspection.data);
}
