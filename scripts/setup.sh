#!/usr/bin/env bash
# Idempotent setup, run by `npm start` / `npm test` before they begin (and by `npm run setup`):
#   - the Shopify Admin GraphQL schema the Shopify emulator and query-validation tests use;
#   - the Temporal CLI dev server (and with `test`, the time-skipping test server), cached outside
#     the clone (~/.cache/ledgerline, or LEDGERLINE_CACHE_DIR) so fresh clones reuse them.
# Quick (about a second) once everything is cached; a cold machine builds the CLI (~5 min).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-start}"
bash scripts/fetch-shopify-schema.sh
if [ "$mode" = "test" ]; then
  npx tsx scripts/ensure-tools.ts --test
else
  npx tsx scripts/ensure-tools.ts
fi
