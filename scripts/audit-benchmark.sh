#!/usr/bin/env bash
# Times `audit` over a full archive: writes DAYS days of cycles at the 5-minute cadence into a fresh Azurite through
# the real collection cycle (the DevHost's `seed-cycles`: the simulator, a clock stepped five minutes per cycle),
# then runs `dotnet Ayalon.DevHost.dll audit` over them with /usr/bin/time (recorded in docs/BENCHMARKS.md).
# Usage: scripts/audit-benchmark.sh [days=30]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
days="${1:-30}"

[ -x node_modules/.bin/azurite-table ] || npm ci --no-audit --no-fund
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: apt-get install -y time" >&2; exit 2; }

echo "== build (Release)"
dotnet build Ayalon.DevHost -c Release -nologo -clp:ErrorsOnly >/dev/null
dll=Ayalon.DevHost/bin/Release/net10.0/Ayalon.DevHost.dll


azurite_pid=""
cleanup() { if [ -n "$azurite_pid" ]; then kill "$azurite_pid" 2>/dev/null || true; wait "$azurite_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

table_port=$(free_port)
node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort "$table_port" --inMemoryPersistence \
  --disableTelemetry --skipApiVersionCheck --silent >/dev/null 2>&1 &
azurite_pid=$!
wait_port "$table_port"

# Azurite's published development-storage account (documented by Microsoft; not a secret).
export AzureWebJobsStorage="$(azurite_connection "$table_port")"
export Storage__TablePrefix="auditbench"
export Logging__LogLevel__Default=Warning

echo "== seed: $days days of 5-minute cycles through the real cycle"
dotnet "$dll" seed-cycles --days "$days" | tail -n 1

echo "== audit (the whole archive: the default range is the last 30 days up to now); load average $(cut -d' ' -f1-3 /proc/loadavg)"
set +e
/usr/bin/time -f "audit took %e s wall, %U s user, %S s system, max RSS %M KB" dotnet "$dll" audit | tail -n 3
status=${PIPESTATUS[0]}
set -e
echo "exit code $status"
