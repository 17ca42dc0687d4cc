#!/usr/bin/env bash
# Fetches the real Shopify Admin GraphQL schema (introspection JSON) that @shopify/dev-mcp@1.15.4
# ships (docs/shopify-facts.md §5: 1.16.0 no longer ships it, so the version is pinned). Only the package
# tarball is fetched with `npm pack` -- the package's own (heavy) dependencies are never installed.
# Cached outside the clone so every clone reuses it; idempotent; atomic rename into place.
set -euo pipefail
DEV_MCP_VERSION="1.15.4"
CACHE="${LEDGERLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ledgerline}"
dest="$CACHE/shopify-admin-schema-$DEV_MCP_VERSION"
if [ -s "$dest/admin_2026-10.json.gz" ]; then
  echo "[fetch-shopify-schema] present: $dest" >&2; exit 0
fi
mkdir -p "$CACHE"
tmp="$(mktemp -d "$CACHE/.schema.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "[fetch-shopify-schema] npm pack @shopify/dev-mcp@$DEV_MCP_VERSION" >&2
(cd "$tmp" && npm pack --silent "@shopify/dev-mcp@$DEV_MCP_VERSION" >/dev/null)
tar -xzf "$tmp"/shopify-dev-mcp-*.tgz -C "$tmp" package/dist/data
mkdir -p "$tmp/out"
cp "$tmp"/package/dist/data/admin_*.json.gz "$tmp/out/"
rm -rf "$dest" && mv "$tmp/out" "$dest"
echo "[fetch-shopify-schema] ready: $dest" >&2
