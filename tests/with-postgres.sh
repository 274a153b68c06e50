#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server (Debian's package) on a free loopback port, and stops the
# server and deletes its folder afterwards, also when the command fails or is interrupted. The command sees
# PEERCALL_TEST_DATABASE=postgres and PEERCALL_TEST_POSTGRES (an administrator's connection string), with which
# the server tests give every test server a fresh database of its own:
#   tests/with-postgres.sh dotnet test tests/Peercall.Server.Tests
# PostgreSQL refuses to run as root, so as root it runs as the postgres user.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "PostgreSQL is not installed: apt-get install postgresql (./test.sh does this when it is missing)." >&2
  exit 1
fi

folder=$(mktemp -d /tmp/peercall-postgres-XXXXXX)
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "cd / && $*"; else sh -c "$*"; fi
}
stop() {
  as_postgres "'$bin/pg_ctl' -D '$folder/data' -m immediate -w stop" >/dev/null 2>&1 || true
  rm -rf "$folder"
}
trap stop EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -ne 0 ] || chown postgres:postgres "$folder"
as_postgres "'$bin/initdb' -D '$folder/data' -U postgres -A trust -E UTF8 --no-locale --no-sync --no-instructions" >/dev/null

started=""
for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 30000))
  if as_postgres "'$bin/pg_ctl' -D '$folder/data' -l '$folder/server.log' -w -t 60 -o '-p $port -k $folder \
      -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
      -c max_connections=500' start" >/dev/null; then
    started=yes
    break
  fi
done
if [ -z "$started" ]; then
  echo "PostgreSQL did not start:" >&2
  cat "$folder/server.log" >&2 || true
  exit 1
fi

export PEERCALL_TEST_DATABASE=postgres
export PEERCALL_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres"
status=0
"$@" || status=$?
exit $status
