#!/usr/bin/env bash
# Runs every test of the solution: installs what the tests need (chromium, sox) when missing, builds once,
# runs all test projects, and ends with the plain summary line "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v sox >/dev/null 2>&1 || missing+=(sox)
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
dotnet test Peercall.sln --no-build -c Debug -nologo \
  --logger "trx" --logger "console;verbosity=normal" \
  --results-directory "$results" --blame-hang-timeout 15m
status=$?

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
echo "$summary"
exit $status
