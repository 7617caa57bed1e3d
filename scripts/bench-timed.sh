#!/usr/bin/env bash
# Timed commands that need the running app (docs/BENCHMARKS.md): starts Azurite in memory on a free port, then
# runs Ayalon.Benchmarks with AzureWebJobsStorage pointing at it, and stops Azurite.
# Usage: scripts/bench-timed.sh history [runs=5] | first-render [runs=3]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 history|first-render [runs]" >&2; exit 2; }
[ -x node_modules/.bin/azurite-table ] || npm ci --no-audit --no-fund

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort "$port" --inMemoryPersistence \
  --disableTelemetry --skipApiVersionCheck --silent >/dev/null 2>&1 &
azurite_pid=$!
cleanup() { kill "$azurite_pid" 2>/dev/null || true; wait "$azurite_pid" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

# Azurite's published development-storage account (documented by Microsoft; not a secret).
devstore_secret="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$devstore_secret;TableEndpoint=http://127.0.0.1:$port/devstoreaccount1;"
dotnet run -c Release --project Ayalon.Benchmarks -- "$@"
