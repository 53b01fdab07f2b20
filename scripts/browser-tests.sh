#!/usr/bin/env bash
# Real-browser tests (tests/browser): the referral journey end to end in headless Chromium, WCAG 2.2 AA checks
# with axe-core on every main page, and HTML validity with the Nu Html Checker. Builds nothing: it tests the
# binary in $MAPPA_BIN (default .build/release/mappa, else .build/debug/mappa). Needs the packages from
# `scripts/install-deps.sh --test`; makes or refreshes .venv-tests itself. Screenshots go to
# test-artifacts/screenshots/. Extra arguments go to pytest (e.g. -k accessibility).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${MAPPA_BIN:-}" ]]; then
    for candidate in .build/release/mappa .build/debug/mappa; do
        if [[ -x "$candidate" ]]; then MAPPA_BIN=$candidate; break; fi
    done
fi
if [[ -z "${MAPPA_BIN:-}" || ! -x "$MAPPA_BIN" ]]; then
    echo "No mappa binary: build it first (swift build), or set MAPPA_BIN" >&2
    exit 1
fi
MAPPA_BIN=$(cd "$(dirname "$MAPPA_BIN")" && pwd)/$(basename "$MAPPA_BIN")
export MAPPA_BIN

for tool in /usr/bin/chromium /usr/bin/chromedriver java; do
    command -v "$tool" >/dev/null 2>&1 || { echo "Missing $tool: run scripts/install-deps.sh --test" >&2; exit 1; }
done

venv=$(scripts/python-venv.sh | tail -n 1)
export SE_OFFLINE=true   # Selenium must use Debian's chromium and chromedriver, never download its own
rm -rf test-artifacts/screenshots
cd tests/browser
export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
