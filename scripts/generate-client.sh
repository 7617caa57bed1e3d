#!/usr/bin/env bash
# Regenerates the C# client of the HTTP API (Ayalon.Tests/Generated/AyalonClient) from Ayalon.Functions/Http/openapi.json
# with Kiota, the dotnet tool pinned in .config/dotnet-tools.json. Run it after every change to the document; a test
# regenerates into a temporary folder from the document the DevHost serves and fails while the checked-in copy differs.
# Kiota runs offline: no update check, no telemetry (it reads only the local description).
# Usage: scripts/generate-client.sh [DESCRIPTION [OUTPUT]]   (defaults: the document above, the folder above)
set -euo pipefail
cd "$(dirname "$0")/.."
description="${1:-Ayalon.Functions/Http/openapi.json}"
output="${2:-Ayalon.Tests/Generated/AyalonClient}"

export KIOTA_OFFLINE_ENABLED=true KIOTA_CLI_TELEMETRY_OPTOUT=true KIOTA_TUTORIAL_ENABLED=false
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null
dotnet kiota generate --language CSharp --openapi "$description" --output "$output" \
  --class-name AyalonClient --namespace-name Ayalon.Tests.Generated.AyalonClient \
  --exclude-backward-compatible --clean-output --log-level Warning
# Kiota's log of its own warnings, a per-run artefact (the test reads warnings from its output instead).
rm -f "$output/.kiota.log"
