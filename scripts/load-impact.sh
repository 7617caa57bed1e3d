#!/usr/bin/env bash
# Load test of GET /api/impact on the DevHost (Azurite-backed, data from one real cycle against the simulator),
# and, in the same run, of a bare Kestrel endpoint answering a constant JSON body of the same size.
# Prints both throughputs, p99 latencies and their ratio (recorded in docs/BENCHMARKS.md).
# Needs wrk (apt-get install -y wrk). Usage: scripts/load-impact.sh [seconds=20] [connections=32] [threads=2]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
duration="${1:-20}"; connections="${2:-32}"; threads="${3:-2}"

command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 2; }
[ -x node_modules/.bin/azurite-table ] || npm ci --no-audit --no-fund

echo "== build (Release)"
dotnet build Ayalon.DevHost -c Release -nologo -clp:ErrorsOnly >/dev/null
dll=Ayalon.DevHost/bin/Release/net10.0/Ayalon.DevHost.dll


pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

table_port=$(free_port); app_port=$(free_port); bare_port=$(free_port)
node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort "$table_port" --inMemoryPersistence \
  --disableTelemetry --skipApiVersionCheck --silent >/dev/null 2>&1 &
pids+=($!)
wait_port "$table_port"

# Azurite's published development-storage account (documented by Microsoft; not a secret).
AzureWebJobsStorage="$(azurite_connection "$table_port")" \
DevHost__Simulator=true DevHost__RunTimers=false DevHost__FunctionKey=load-test-key DevHost__Urls="http://127.0.0.1:$app_port" \
Logging__LogLevel__Default=Warning \
  dotnet "$dll" >/dev/null 2>&1 &
pids+=($!)
wait_port "$app_port"
curl -fsS -X POST -H "x-functions-key: load-test-key" "http://127.0.0.1:$app_port/api/admin/collect" >/dev/null
size=$(curl -fsS "http://127.0.0.1:$app_port/api/impact" | wc -c)

dotnet "$dll" bare --port "$bare_port" --size "$size" >/dev/null 2>&1 &
pids+=($!)
wait_port "$bare_port"
[ "$(curl -fsS "http://127.0.0.1:$bare_port/" | wc -c)" -eq "$size" ] || { echo "bare body size differs" >&2; exit 1; }

run() { # url → "requests_per_second p99_ms"
  curl -fsS "$1" >/dev/null  # warm
  wrk -t"$threads" -c"$connections" -d5s "$1" >/dev/null  # JIT warm-up
  local out; out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$1")
  echo "$out" >&2
  local rps p99 value unit
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  read -r value unit < <(echo "$out" | awk '/^ +99%/ {v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v); print v, u}')
  case "$unit" in us) p99=$(echo "$value / 1000" | bc -l) ;; ms) p99=$value ;; s) p99=$(echo "$value * 1000" | bc -l) ;; *) p99=$value ;; esac
  printf '%s %.3f\n' "$rps" "$p99"
}

echo "== /api/impact ($size bytes), ${duration}s, $connections connections, $threads threads"
read -r impact_rps impact_p99 < <(run "http://127.0.0.1:$app_port/api/impact")
echo "== bare endpoint ($size bytes)"
read -r bare_rps bare_p99 < <(run "http://127.0.0.1:$bare_port/")
ratio=$(echo "$impact_rps / $bare_rps * 100" | bc -l)

echo
printf '%-16s %12s %10s\n' endpoint "req/s" "p99 ms"
printf '%-16s %12.0f %10.2f\n' /api/impact "$impact_rps" "$impact_p99" bare "$bare_rps" "$bare_p99"
printf 'ratio: /api/impact = %.1f%% of the bare endpoint (body %s bytes, %s, %s s)\n' "$ratio" "$size" "$(nproc) cores" "$duration"
