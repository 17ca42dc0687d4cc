#!/usr/bin/env bash
# Proves the repository stands alone: clones the checked-out HEAD into a fresh folder inside a new, empty
# temporary directory (so nothing sits beside the clone: no sibling folder of documents, no other checkout), installs it
# from the lock file, runs the setup script there, and runs the demo start-up test and the emulator tests
# in the clone. Exits non-zero on any failure.
#
# Tools the setup script builds or fetches (Temporal CLI, time-skipping server, Shopify schema) stay cached
# outside the clone (~/.cache/ledgerline, or LEDGERLINE_CACHE_DIR), as for any clone on this machine.
# KEEP_CLONE=1 keeps the clone for inspection.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
log() { printf '[standalone-check] %s\n' "$*" >&2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/ledgerline-standalone.XXXXXX")"
cleanup() {
  if [ "${KEEP_CLONE:-0}" = 1 ]; then log "clone kept at $tmp/ledgerline"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

clone="$tmp/ledgerline"
log "cloning $(git -C "$src" rev-parse --short HEAD) into $clone"
git clone -q --no-hardlinks "$src" "$clone"
git -C "$clone" checkout -q --detach "$(git -C "$src" rev-parse HEAD)"
# Nothing but the clone in its parent folder.
[ "$(ls -A "$tmp")" = "ledgerline" ] || { log "unexpected files beside the clone: $(ls -A "$tmp")"; exit 1; }

cd "$clone"
log "no file in the clone refers to documents outside the repository"
# The names of the developers' input documents, bracketed so that this line does not match itself.
outside='\.\./shar[e]d|shar[e]d/docs|API-FACT[S]|MONEY-FACT[S]|TEMPORAL-HER[E]|PRODUC[T]\.md|STYL[E]\.md'
if git grep -niE "$outside" -- .; then
  log "found references to documents outside the repository (above)"; exit 1
fi

log "npm ci"
npm ci --no-audit --no-fund --loglevel=error

log "setup (tools cached outside the clone)"
bash scripts/setup.sh test

log "demo start-up test and emulator tests"
npx vitest run test/startup/demo.test.ts test/emulators
log "ok: the clone works with nothing beside it"
