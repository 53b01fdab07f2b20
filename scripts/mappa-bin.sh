#!/usr/bin/env bash
# Prints the mappa binary the end-to-end test scripts run: MAPPA_BIN when set, otherwise a debug build, built first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
if [[ -n "${MAPPA_BIN:-}" ]]; then
    echo "$MAPPA_BIN"
    exit 0
fi
swift build --product mappa >/dev/null
echo "$(swift build --show-bin-path)/mappa"
