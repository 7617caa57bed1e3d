#!/usr/bin/env bash
# Runs every test: installs what is missing (npm packages, the pinned dotnet tools, Debian chromium), builds with
# warnings as errors, starts Azurite for the suite, runs dotnet test, stops Azurite, and ends with the line
# "N passed, N failed".
#   ./test.sh --fast   only the unit lane (tests marked [Trait("Category", "Unit")]: no Azurite, no Kestrel, no
#                      processes): builds, runs `--filter Category=Unit`, starts no Azurite, installs no chromium.
# Any other arguments go to dotnet test (e.g. --filter "FullyQualifiedName~Quota").
set -euo pipefail
cd "$(dirname "$0")"

fast=0
if [ "${1:-}" = "--fast" ]; then fast=1; shift; fi

if [ ! -f node_modules/.package-lock.json ] || [ ! -f node_modules/chart.js/dist/chart.umd.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
   || [ ! -x node_modules/.bin/redocly ] || [ ! -x node_modules/.bin/spectral ] || [ ! -f node_modules/axe-core/axe.min.js ]; then
  echo "== npm ci (Azurite, Chart.js, OpenAPI linters, axe-core)"
  npm ci --no-audit --no-fund
fi

if [ "$fast" -eq 0 ]; then
  echo "== dotnet tool restore (Kiota, for the generated-client test)"
  dotnet tool restore

  if ! command -v chromium >/dev/null 2>&1; then
    echo "== installing Debian chromium for the browser tests"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
fi

echo "== build (Release, warnings are errors)"
dotnet build Ayalon.sln -c Release -nologo -clp:ErrorsOnly -warnaserror -warnnotaserror:NU1603

lane=()
if [ "$fast" -eq 1 ]; then
  # The unit lane: no Azurite. AYALON_TEST_LANE=Unit makes a mislabelled class fail if it starts Azurite or chromium.
  unset AYALON_TEST_AZURITE_PORT
  export AYALON_TEST_LANE=Unit
  lane=(--filter "Category=Unit")
else
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  echo "== Azurite (tables) on 127.0.0.1:$port"
  node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort "$port" --inMemoryPersistence \
    --disableTelemetry --skipApiVersionCheck --silent >/dev/null 2>&1 &
  azurite_pid=$!
  cleanup() { kill "$azurite_pid" 2>/dev/null || true; wait "$azurite_pid" 2>/dev/null || true; }
  trap cleanup EXIT
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  export AYALON_TEST_AZURITE_PORT="$port"
fi

results="$(pwd)/TestResults"
rm -rf "$results"
echo "== dotnet test"
set +e
dotnet test Ayalon.sln -c Release --no-build -nologo --logger "trx" --logger "console;verbosity=normal" \
  --results-directory "$results" "${lane[@]}" "$@"
status=$?
set -e

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p'); f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a crash or build failure is a failure too
echo "$passed passed, $failed failed"
exit "$status"
