#!/usr/bin/env bash
# Provides the two Temporal servers this project runs on, cached OUTSIDE the clone so every clone
# on this machine reuses them (README "Where Temporal comes from"):
#   - the official Temporal CLI (dev server + Web UI), built with Go from the Go module proxy:
#     `go install github.com/temporalio/cli/cmd/temporal@v1.5.1` (Server 1.29.1, UI 2.42.1).
#     v1.5.1 is pinned because it is the newest release whose module `go install` can build: later
#     ones (v1.9.x) carry a `replace` for a nested module the proxy does not serve, so @latest fails.
#     Cold Go caches: ~5 min on 2 cores, ~1.8 GB module + ~1.4 GB build cache; warm: seconds. ~210 MB
#     binary with -ldflags "-s -w";
#   - the Java time-skipping test server, io.temporal:temporal-test-server (exact version: a range makes
#     Maven resolve every version's metadata and fails offline), from Maven Central with its
#     dependencies (~39 jars), started through a wrapper that execs
#     `java -cp lib/* io.temporal.testserver.TestServer <port>`.
# @temporalio/testing would download both from temporal.download at run time; where that site is
# unreachable the SDK is handed these as `existing-path` executables (test/support/temporal.ts).
# The cache is per user (${XDG_CACHE_HOME:-~/.cache}/ledgerline, or LEDGERLINE_CACHE_DIR) because CI
# runs in fresh clones, which then reuse the build instead of repeating it.
# Idempotent: a present, working binary is kept. Builds go to a temporary name and are renamed
# into place, so an interrupted build never leaves a broken binary behind.
# Prints nothing but progress on stderr; `--print-paths` prints KEY=path lines on stdout.
set -euo pipefail

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-1.5.1}"        # newest CLI whose module builds with `go install`
TEMPORAL_TEST_SERVER_VERSION="${TEMPORAL_TEST_SERVER_VERSION:-1.38.0}"  # exact: ranges fail offline
CACHE="${LEDGERLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ledgerline}"
what="${1:-all}"

cli_dir="$CACHE/temporal-cli-$TEMPORAL_CLI_VERSION"
cli_bin="$cli_dir/temporal"
ts_dir="$CACHE/temporal-test-server-$TEMPORAL_TEST_SERVER_VERSION"
ts_bin="$ts_dir/test-server"

log() { printf '[install-temporal] %s\n' "$*" >&2; }

install_cli() {
  if [ -x "$cli_bin" ] && "$cli_bin" --version >/dev/null 2>&1; then
    log "Temporal CLI $TEMPORAL_CLI_VERSION present: $cli_bin"; return 0
  fi
  command -v go >/dev/null || { log "Go is required to build the Temporal CLI (or set TEMPORAL_CLI_PATH)"; exit 1; }
  log "building Temporal CLI $TEMPORAL_CLI_VERSION with Go (about 5 min on a cold cache, seconds when warm)"
  local tmp; tmp="$(mktemp -d "$CACHE/.cli-build.XXXXXX")"
  GOBIN="$tmp" GOFLAGS=-mod=mod go install -ldflags "-s -w" "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION"
  "$tmp/temporal" --version >/dev/null
  mkdir -p "$cli_dir"
  mv -f "$tmp/temporal" "$cli_bin.tmp" && mv -f "$cli_bin.tmp" "$cli_bin"
  rm -rf "$tmp"
  log "Temporal CLI ready: $cli_bin"
}

# The SDK gives the server 5 s to listen (docs/temporal-facts.md §1). On a loaded 2-core machine a default JVM can
# miss that, so start it lean: C1 only, serial GC, small heap. exec: the JVM is the child the SDK kills.
write_test_server_wrapper() {
  printf '#!/bin/sh\nexec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms64m -Xmx512m -Xshare:auto -cp "%s/lib/*" io.temporal.testserver.TestServer "$@"\n' "$ts_dir" > "$ts_bin.tmp"
  chmod +x "$ts_bin.tmp" && mv -f "$ts_bin.tmp" "$ts_bin"
}

install_test_server() {
  if [ -n "$(ls "$ts_dir/lib" 2>/dev/null)" ]; then
    write_test_server_wrapper
    log "time-skipping test server $TEMPORAL_TEST_SERVER_VERSION present: $ts_bin"; return 0
  fi
  command -v mvn >/dev/null || { log "Maven is required to fetch the time-skipping test server"; exit 1; }
  command -v java >/dev/null || { log "Java is required to run the time-skipping test server"; exit 1; }
  log "fetching temporal-test-server $TEMPORAL_TEST_SERVER_VERSION from Maven Central"
  local tmp; tmp="$(mktemp -d "$CACHE/.ts-build.XXXXXX")"
  cat > "$tmp/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>temporal-test-server-jars</artifactId><version>1</version>
  <dependencies><dependency><groupId>io.temporal</groupId>
    <artifactId>temporal-test-server</artifactId><version>$TEMPORAL_TEST_SERVER_VERSION</version></dependency></dependencies>
</project>
POM
  (cd "$tmp" && mvn -q -B dependency:copy-dependencies -DoutputDirectory=lib)
  rm -rf "$ts_dir" && mkdir -p "$(dirname "$ts_dir")" && mv "$tmp" "$ts_dir"
  write_test_server_wrapper
  log "time-skipping test server ready: $ts_bin"
}

mkdir -p "$CACHE"
case "$what" in
  cli) install_cli ;;
  test-server) install_test_server ;;
  all) install_test_server; install_cli ;;
  --print-paths) ;;
  *) log "usage: install-temporal.sh [all|cli|test-server|--print-paths]"; exit 2 ;;
esac
if [ "$what" = "--print-paths" ] || [ "${PRINT_PATHS:-}" = 1 ]; then
  echo "TEMPORAL_CLI_BIN=$cli_bin"
  echo "TEMPORAL_TEST_SERVER_BIN=$ts_bin"
fi
