#!/usr/bin/env bash
# Control-plane read throughput with wrk: GetSipMediaApplication and ListSipRules against the
# SQLite store with strict SigV4 verification, and /ceiling (same Kestrel, constant body, no
# SigV4, no store) as the reference ceiling. Besides wrk's requests/s and latency it reports the
# server's CPU time per request (from /proc), which stays meaningful on a shared, loaded machine.
# Needs the Debian wrk package.
# Usage: bench/OpenSma.ControlPlane.Benchmarks/run-wrk.sh [duration] [connections]
#        OPENSMA_BENCH_CACHE_READS=false ... measures without the read cache.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
duration="${1:-10s}"
connections="${2:-32}"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }

dotnet build -c Release "$here" -v q -nologo >/dev/null
fifo="$(mktemp -u)"; mkfifo "$fifo"
out="$(mktemp)"
# The server runs until its stdin closes; fd 3 holds the fifo open for it.
dotnet "$here/bin/Release/net10.0/OpenSma.ControlPlane.Benchmarks.dll" <"$fifo" >"$out" &
server=$!
exec 3>"$fifo"
trap 'exec 3>&-; wait $server 2>/dev/null || true; rm -f "$fifo" "$out"' EXIT
for _ in $(seq 1 120); do grep -q READY "$out" && break; sleep 0.5; done
read -r _ url sma < <(grep READY "$out")
tick="$(getconf CLK_TCK)"
echo "server $url, sma $sma, wrk -t2 -c$connections -d$duration, cache reads: ${OPENSMA_BENCH_CACHE_READS:-default}, load: $(cut -d' ' -f1-3 /proc/loadavg)"

server_cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }

run() {
  local name="$1" path="$2"; shift 2
  echo "== $name ($path)"
  wrk -t2 -c"$connections" -d2s "$@" "$url$path" >/dev/null   # warm-up: JIT, pools, caches
  local before after result requests
  before="$(server_cpu)"
  result="$(wrk -t2 -c"$connections" -d"$duration" --latency "$@" "$url$path")"
  after="$(server_cpu)"
  echo "$result" | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors" || true
  requests="$(echo "$result" | awk '/requests in/ {print $1}')"
  echo "    server CPU per request: $(( (after - before) * 1000000 / tick / requests )) us"
}

signed() {
  local path="$1" name="$2"
  mapfile -t headers < <(python3 "$here/sign.py" "$url$path")
  run "$name" "$path" -H "${headers[0]}" -H "${headers[1]}"
}

run "ceiling" "/ceiling"
signed "/sip-media-applications/$sma" "GetSipMediaApplication"
signed "/sip-rules?max-results=10" "ListSipRules"
