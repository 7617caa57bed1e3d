#!/usr/bin/env bash
# Timed commands that need the running app (docs/BENCHMARKS.md): starts Azurite in memory on a free port, then
# runs Ayalon.Benchmarks with AzureWebJobsStorage pointing at it, and stops Azurite.
# Usage: scripts/bench-timed.sh history [runs=5] | first-render [runs=3]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
[ $# -ge 1 ] || { echo "usage: $0 history|first-render [runs]" >&2; exit 2; }
[ -x node_modules/.bin/azurite-table ] || npm ci --no-audit --no-fund

port=$(free_port)
node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort "$port" --inMemoryPersistence \
  --disableTelemetry --skipApiVersionCheck --silent >/dev/null 2>&1 &
azurite_pid=$!
cleanup() { kill "$azurite_pid" 2>/dev/null || true; wait "$azurite_pid" 2>/dev/null || true; }
trap cleanup EXIT
wait_port "$port"

export AzureWebJobsStorage="$(azurite_connection "$port")"
dotnet run -c Release --project Ayalon.Benchmarks -- "$@"
