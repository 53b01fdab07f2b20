#!/usr/bin/env bash
# The annual report end to end (tests/stats/test_annual_report.py): a synthetic register and events file with
# known answers go in through the CLI; the CSV, JSON and XLSX outputs and the report page must give exactly those
# answers; a second register import checks the level history. SQLite always; PostgreSQL too when
# MAPPA_TEST_POSTGRES_URL is set (two throwaway databases, dropped afterwards). Uses MAPPA_BIN when set, otherwise
# builds (debug). Bounded: killed after 10 minutes. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

MAPPA_BIN=$(scripts/mappa-bin.sh)

venv=$(scripts/python-venv.sh | tail -n 1)

postgres=()
if [[ -n "${MAPPA_TEST_POSTGRES_URL:-}" ]]; then
    admin="${MAPPA_TEST_POSTGRES_URL%/*}/postgres"
    databases=(mappa_stats mappa_stats_history)
    drop() { for name in "${databases[@]}"; do psql -q "$admin" -c "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true; done; }
    trap drop EXIT
    drop
    for name in "${databases[@]}"; do
        psql -q "$admin" -c "CREATE DATABASE $name" >/dev/null
        postgres+=(--postgres "${MAPPA_TEST_POSTGRES_URL%/*}/$name")
    done
fi

echo "== annual report tests"
timeout --kill-after=10 600 "$venv/bin/python" tests/stats/test_annual_report.py --bin "$MAPPA_BIN" "${postgres[@]}"
