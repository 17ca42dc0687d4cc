#!/usr/bin/env bash
# Starts the machine's PostgreSQL (installing it from Debian's packages where it is missing) and makes
# the role the tests use: ledgerline/ledgerline with CREATEDB (each test file creates its own database)
# and pg_signal_backend (dropping a test database ends an autovacuum worker that is on it).
# Needs root. Prints the connection string for tests as TEST_DATABASE_URL=… on stdout.
set -euo pipefail
log() { printf '[setup-postgres] %s\n' "$*" >&2; }
if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "PostgreSQL not installed: apt-get install postgresql"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
  service postgresql start >&2
fi
for i in $(seq 1 30); do
  su postgres -c "psql -tAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -v ON_ERROR_STOP=1 -q" >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledgerline') THEN
    CREATE ROLE ledgerline LOGIN PASSWORD 'ledgerline' CREATEDB;
  END IF;
END $$;
-- Lets a test's `drop database … with (force)` end an autovacuum worker that is on that database.
GRANT pg_signal_backend TO ledgerline;
SQL
su postgres -c "psql -tAc \"select 1 from pg_database where datname='ledgerline'\"" | grep -q 1 \
  || su postgres -c "createdb -O ledgerline ledgerline"
echo "TEST_DATABASE_URL=postgres://ledgerline:ledgerline@127.0.0.1:5432/ledgerline"
