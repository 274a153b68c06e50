#!/usr/bin/env bash
# The memory floor of one idle connection: starts Peercall.Floor.Server in MODE, opens 1,000 and then 10,000 idle
# connections to it with Peercall.Floor.Client, and reads the server's RSS and GC figures before and at each step.
#
# Usage: bench/floor/run.sh MODE GC [gcdump]
#   MODE    A | A0 | C | D (see README.md)
#   GC      server | ws (workstation, DOTNET_gcServer=0)
#   gcdump  after the readings, take a gcdump at 10,000 connections (it forces a full GC) and report the live heap
# Results go to bench/results/tmp/floor/MODE-GC-<timestamp>/; result.txt ends with the SUMMARY line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lock=/tmp/peercall-bench.lock

usage() { echo "Usage: bench/floor/run.sh A|A0|C|D server|ws [gcdump]" >&2; exit 2; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage
mode=$1 gc=$2 dump=${3:-}
case $mode in A|A0) kind=ws ;; C) kind=hub ;; D) kind=raw ;; *) usage ;; esac
case $gc in server) server_gc=1 ;; ws) server_gc=0 ;; *) usage ;; esac
case $dump in ''|gcdump) ;; *) usage ;; esac

for project in Server Client; do
  if ! log=$(dotnet build "$here/Peercall.Floor.$project" -c Release -nologo -v quiet 2>&1); then
    echo "$log"; echo "build of Peercall.Floor.$project failed" >&2; exit 1
  fi
done
server=$here/Peercall.Floor.Server/bin/Release/net10.0/Peercall.Floor.Server
client=$here/Peercall.Floor.Client/bin/Release/net10.0/Peercall.Floor.Client
[ -z "$dump" ] || (cd "$root" && dotnet tool restore >/dev/null)

out=$root/bench/results/tmp/floor/$mode-$gc-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
# 10,000 connections need as many descriptors in the server and 9,000 in a client.
[ "$(ulimit -n)" -ge 10500 ] || ulimit -n "$(ulimit -Hn)"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# Timing benchmarks share this machine: measure only while holding their lock. Children get fd 9 closed so that
# none of them can keep the lock alive after this script.
exec 9>>"$lock"
flock -n 9 || { echo "waiting for $lock ..."; flock 9; }

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
descriptors() { ls "/proc/$1/fd" | wc -l; }
gc_total() { sed -n 's/.*total=\([0-9]*\).*/\1/p' <<<"$1"; }
record() { echo "$*" | tee -a "$out/result.txt"; }
wait_ready() {
  for _ in $(seq 600); do
    grep -q READY "$1" && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.5
  done
  echo "client did not get ready, see $1" >&2; exit 1
}
open_clients() { # count, log name
  env -u DOTNET_gcServer "$client" "$kind" "$port" "$1" 64 >"$out/$2.log" 2>&1 9>&- &
  pids+=($!)
  wait_ready "$out/$2.log" $!
}

port=$((20000 + RANDOM % 5000))
DOTNET_gcServer=$server_gc "$server" "$mode" "$port" "$out/stats" >"$out/server.log" 2>&1 9>&- &
server_pid=$!
pids+=($server_pid)
sleep 3
base_rss=$(rss_kb $server_pid) base_stats=$(cat "$out/stats")
record "baseline rss_kb=$base_rss $base_stats"

open_clients 1000 client-1k
sleep 5
k1_rss=$(rss_kb $server_pid)
record "1k rss_kb=$k1_rss fds=$(descriptors $server_pid) $(cat "$out/stats") $(grep READY "$out/client-1k.log")"

open_clients 9000 client-9k
sleep 10
k10_rss=$(rss_kb $server_pid) k10_stats=$(cat "$out/stats")
record "10k rss_kb=$k10_rss fds=$(descriptors $server_pid) $k10_stats $(grep READY "$out/client-9k.log")"

record "$(awk -v b="$base_rss" -v k1="$k1_rss" -v k10="$k10_rss" -v tb="$(gc_total "$base_stats")" \
  -v t10="$(gc_total "$k10_stats")" -v mode="$mode" -v gc="$gc" 'BEGIN {
  printf "SUMMARY mode=%s gc=%s rss_per_conn_kb=%.2f marginal_1k_10k_kb=%.2f totalmem_per_conn_kb=%.2f",
    mode, gc, (k10 - b) / 10000, (k10 - k1) / 9000, (t10 - tb) / 10000 / 1024 }')"

if [ -n "$dump" ]; then
  (cd "$root" && dotnet dotnet-gcdump collect -p $server_pid -o "$out/10k.gcdump" >"$out/gcdump.log" 2>&1)
  (cd "$root" && dotnet dotnet-gcdump report "$out/10k.gcdump" >"$out/10k.report.txt" 2>&1)
  heap=$(awk '/GC Heap bytes/ { gsub(",", "", $1); print $1; exit }' "$out/10k.report.txt")
  record "GCDUMP live_heap_per_conn_kb=$(awk -v h="${heap:-0}" 'BEGIN { printf "%.2f", h / 10000 / 1024 }')" \
    "after: rss_kb=$(rss_kb $server_pid) fds=$(descriptors $server_pid) $(sleep 1.2; cat "$out/stats")"
fi

opened=$(cat "$out"/client-*.log | sed -n 's/^READY ok=\([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n }')
grep -i -E "fail|exception|error" "$out/server.log" && echo "WARNING: the server logged errors, see $out/server.log"
echo "results: ${out#"$root"/}"
[ "$opened" -eq 10000 ] || { echo "WARNING: only $opened of 10000 connections opened"; exit 1; }
