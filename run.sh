#!/usr/bin/env bash
# Runs the app locally: Azurite (tables, kept in .azurite/) + the DevHost (the same functions the Azure Functions
# host runs) on http://127.0.0.1:7071/. Providers: HERE_API_KEY (or HERE_ACCESS_KEY_ID + HERE_ACCESS_KEY_SECRET)
# collects from HERE, TOMTOM_API_KEY from TomTom (both: HERE first, TomTom for what HERE leaves unmeasured).
# With no provider credentials it starts the built-in simulator (HERE-shaped) and uses it.
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -f node_modules/.package-lock.json ] || [ ! -f node_modules/chart.js/dist/chart.umd.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci (Azurite, Chart.js)"
  npm ci --no-audit --no-fund
fi

echo "== build"
dotnet build Ayalon.DevHost -c Release -nologo -clp:ErrorsOnly

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped."
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p .azurite
node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort 10002 --location .azurite \
  --disableTelemetry --skipApiVersionCheck --silent &
pids+=($!)
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null && break; sleep 0.1; done
echo "== Azurite (tables) on 127.0.0.1:10002, data in .azurite/"

export AzureWebJobsStorage="${AzureWebJobsStorage:-UseDevelopmentStorage=true}"
real=""
if [ -n "${HERE_ACCESS_KEY_ID:-}" ] && [ -n "${HERE_ACCESS_KEY_SECRET:-}" ]; then
  export Here__AccessKeyId="$HERE_ACCESS_KEY_ID" Here__AccessKeySecret="$HERE_ACCESS_KEY_SECRET"
  real="HERE (OAuth client credentials)"
elif [ -n "${HERE_API_KEY:-}" ]; then
  export Here__ApiKey="$HERE_API_KEY"
  real="HERE (API key)"
fi
if [ -n "${TOMTOM_API_KEY:-}" ]; then
  export TomTom__ApiKey="$TOMTOM_API_KEY"
  real="${real:+$real, then }TomTom"
fi
if [ -n "$real" ]; then
  echo "== collecting from $real (order: ${Traffic__Providers:-here,tomtom}; quota ledger applies)"
else
  export DevHost__Simulator=true
  echo "== no HERE_API_KEY / HERE_ACCESS_KEY_ID+SECRET / TOMTOM_API_KEY: collecting from the built-in simulator (HERE-shaped synthetic traffic)"
fi

dotnet Ayalon.DevHost/bin/Release/net10.0/Ayalon.DevHost.dll &
pids+=($!)
echo "== dashboard: http://127.0.0.1:7071/   health: http://127.0.0.1:7071/api/health   (Ctrl-C to stop)"
wait "${pids[-1]}"
