#!/usr/bin/env bash
# Runs every test of the solution: installs what the tests need (chromium, sox, ffmpeg, coturn, iptables, postgresql,
# redis-server, nodejs, npm) when missing, builds once, runs all test projects, the benchmark's quick mode as a smoke
# test, and the server tests once more on PostgreSQL, and ends with the plain summary line
# "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v sox >/dev/null 2>&1 || missing+=(sox)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v turnserver >/dev/null 2>&1 || missing+=(coturn)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || missing+=(iptables)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  echo "Installing ${missing[*]} with apt..."
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

results="artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

dotnet build Peercall.sln -c Debug -nologo -v quiet || { echo "0 passed, 1 failed (the build failed)"; exit 1; }
dotnet test Peercall.sln --no-build -c Debug -nologo --filter "Category!=BenchSmoke" \
  --logger "trx" --logger "console;verbosity=normal" \
  --results-directory "$results" --blame-hang-timeout 15m | tee "$results/console.log"
status=$?

# The benchmark's quick mode as a smoke test (no timing asserted), alone, since it loads the whole machine.
dotnet test bench/Peercall.Bench.Tests/Peercall.Bench.Tests.csproj --no-build -c Debug -nologo --filter "Category=BenchSmoke" \
  --logger "trx;LogFileName=bench-quick-mode.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" --blame-hang-timeout 15m | tee -a "$results/console.log"
smoke_status=$?
[ "$status" -ne 0 ] || status=$smoke_status

# The server suite once more with PostgreSQL as the database, on a server started (and stopped) just for it.
tests/with-postgres.sh dotnet test tests/Peercall.Server.Tests/Peercall.Server.Tests.csproj --no-build -c Debug -nologo \
  --logger "trx;LogFileName=server-tests-on-postgresql.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" --blame-hang-timeout 15m | tee -a "$results/console.log"
postgres_status=$?
[ "$status" -ne 0 ] || status=$postgres_status

# The summary comes from the test results themselves, summed over every test project.
summary=$(cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "=\""); gsub(/"|\/?>/, "", kv[2]); c[kv[1]] += kv[2] } }
  END {
    skipped = c["total"] - c["executed"]
    line = sprintf("%d passed, %d failed", c["passed"], c["failed"] + c["error"] + c["timeout"] + c["aborted"])
    if (skipped > 0) line = line sprintf(", %d skipped", skipped)
    print line
  }')
if [ -z "$summary" ] || [ "$summary" = "0 passed, 0 failed" ]; then
  echo "0 passed, 1 failed (no test results were written)"
  exit 1
fi
# Failures are repeated just above the summary, where a log that keeps only its tail still shows them.
failures=$(grep -E -A 14 '^\s+Failed [A-Za-z_.]+' "$results/console.log")
[ -z "$failures" ] || printf 'Failed tests:\n%s\n' "$failures"
echo "$summary"
exit $status
