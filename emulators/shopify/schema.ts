// Loads the real Shopify Admin GraphQL schema (introspection JSON shipped by @shopify/dev-mcp@1.15.4,
// fetched by scripts/fetch-shopify-schema.sh — docs/shopify-facts.md §5) and builds it with graphql-js.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

export const DEV_MCP_VERSION = '1.15.4';
export const DEFAULT_API_VERSION = '2026-10';

export function schemaCacheDir(): string {
  const base = process.env.LEDGERLINE_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'ledgerline');
  return path.join(base, `shopify-admin-schema-${DEV_MCP_VERSION}`);
}

export function schemaFile(version: string): string {
  return path.join(schemaCacheDir(), `admin_${version}.json.gz`);
}

/** API versions whose schema is on disk (the emulator serves exactly these). */
export function availableApiVersions(): string[] {
  try {
    return fs
      .readdirSync(schemaCacheDir())
      .map((f) => /^admin_(.+)\.json\.gz$/.exec(f)?.[1])
      .filter((v): v is string => v !== undefined)
      .sort();
  } catch {
    return [];
  }
}

const cache = new Map<string, GraphQLSchema>();

/** The Admin schema for `version`, built once per process. */
export function loadAdminSchema(version: string = DEFAULT_API_VERSION): GraphQLSchema {
  const hit = cache.get(version);
  if (hit) return hit;
  const file = schemaFile(version);
  if (!fs.existsSync(file)) {
    throw new Error(`Shopify Admin schema ${version} not found at ${file}: run \`npm run setup\` (scripts/fetch-shopify-schema.sh) first.`);
  }
  const json = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as { data?: IntrospectionQuery } & IntrospectionQuery;
  const schema = buildClientSchema(json.data ?? json);
  cache.set(version, schema);
  return schema;
}
