#!/usr/bin/env bash
# Load test of the heaviest history request the API allows: GET /api/impact/history?granularity=5m over the full
# 2-day window, every section as its own series (6 × 576 buckets, about 1 MB of JSON), on the DevHost (Azurite-backed,
# simulator mode, data from real cycles) over loopback. Prints wrk's figures and the DevHost's memory: resident set
# before, at the end, and its high-water mark (VmHWM) over the run (recorded in docs/BENCHMARKS.md).
# Needs wrk (apt-get install -y wrk). Usage: scripts/load-history.sh [seconds=20] [connections=200] [threads=2] [cycles=30]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
duration="${1:-20}"; connections="${2:-200}"; threads="${3:-2}"; cycles="${4:-30}"

command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 2; }
[ -x node_modules/.bin/azurite-table ] || npm ci --no-audit --no-fund

echo "== build (Release)"
dotnet build Ayalon.DevHost -c Release -nologo -clp:ErrorsOnly >/dev/null
dll=Ayalon.DevHost/bin/Release/net10.0/Ayalon.DevHost.dll


pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

table_port=$(free_port); app_port=$(free_port)
node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort "$table_port" --inMemoryPersistence \
  --disableTelemetry --skipApiVersionCheck --silent >/dev/null 2>&1 &
pids+=($!)
wait_port "$table_port"

# Azurite's published development-storage account (documented by Microsoft; not a secret).
AzureWebJobsStorage="$(azurite_connection "$table_port")" \
DevHost__Simulator=true DevHost__RunTimers=false DevHost__FunctionKey=load-test-key DevHost__Urls="http://127.0.0.1:$app_port" \
Collector__MinIntervalSeconds=0 Logging__LogLevel__Default=Warning \
  dotnet "$dll" >/dev/null 2>&1 &
app_pid=$!
pids+=($app_pid)
wait_port "$app_port"
for _ in $(seq 1 "$cycles"); do
  curl -fsS -X POST -H "x-functions-key: load-test-key" "http://127.0.0.1:$app_port/api/admin/collect" >/dev/null
done

to=$(date -u +%Y-%m-%dT%H:%M:00Z)
from=$(date -u -d "$to - 2 days" +%Y-%m-%dT%H:%M:00Z)
sections=$(curl -fsS "http://127.0.0.1:$app_port/api/corridor" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).sections.map(x=>"&section="+x.sectionId).join("")))')
url="http://127.0.0.1:$app_port/api/impact/history?granularity=5m&from=$from&to=$to$sections"
size=$(curl -fsS "$url" | wc -c)
rss() { awk -v k="$1:" '$1==k {print int($2/1024)}' "/proc/$app_pid/status"; }

curl -fsS "$url" >/dev/null
wrk -t"$threads" -c"$connections" -d5s "$url" >/dev/null  # JIT warm-up
rss_before=$(rss VmRSS)
echo "== 5m history, 2 days, 6 sections ($size bytes), ${duration}s, $connections connections, $threads threads"
wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s --latency "$url"
echo
echo "DevHost memory: RSS before ${rss_before} MB, after $(rss VmRSS) MB, high-water mark $(rss VmHWM) MB ($(nproc) cores)"

echo
echo "== the same, but every request a different 5-minute-aligned 2-day window (nothing shared), ${duration}s"
WRK_BASE_EPOCH=$(date -u -d "$to" +%s) WRK_SECTIONS="$sections" \
  wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s --latency -s scripts/history-varied.lua "http://127.0.0.1:$app_port"
echo
echo "DevHost memory: RSS after $(rss VmRSS) MB, high-water mark over both runs $(rss VmHWM) MB"
