#!/usr/bin/env bash
# Everything `make test` runs: installs what is missing, starts a throwaway PostgreSQL on loopback, builds,
# runs the Swift test suites (both database drivers), the command-line tests against the built binary, the Debian
# package's build, install and purge (scripts/test-package.sh), and the real-browser tests (scripts/browser-tests.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

scripts/install-deps.sh --test

work=$(mktemp -d /tmp/mappa-test.XXXXXX)
chmod 755 "$work"
pg_dir="$work/pg"
pg_port=$((20000 + RANDOM % 20000))
cleanup() {
    scripts/pg-test-cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "== starting a throwaway PostgreSQL on 127.0.0.1:$pg_port"
MAPPA_TEST_POSTGRES_URL=$(scripts/pg-test-cluster.sh start "$pg_dir" "$pg_port" | tail -n 1)
export MAPPA_TEST_POSTGRES_URL

echo "== building"
swift build --build-tests 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking|Applying)' || true
swift build --build-tests >/dev/null   # fail here, with the compiler's output above, if the build failed

echo "== command-line tests"
MAPPA_BIN="$(swift build --show-bin-path)/mappa" scripts/test-cli.sh

echo "== crash safety (kill -9 during writes)"
MAPPA_BIN="$(swift build --show-bin-path)/mappa" scripts/test-crash.sh

echo "== SQL injection (sqlmap against search and form endpoints)"
MAPPA_BIN="$(swift build --show-bin-path)/mappa" scripts/test-sqlmap.sh

echo "== JSON API (OpenAPI document validated, schemathesis against the running API)"
MAPPA_BIN="$(swift build --show-bin-path)/mappa" scripts/api-tests.sh

echo "== mail (SMTP sink, calendar invitations, outage and recovery)"
MAPPA_BIN="$(swift build --show-bin-path)/mappa" scripts/mail-tests.sh

echo "== statistics (annual report with known answers: CLI, page, CSV, JSON, XLSX)"
MAPPA_BIN="$(swift build --show-bin-path)/mappa" scripts/stats-tests.sh

echo "== hostile traffic (bounded, loopback): eight anonymous 60 MB bodies held one byte short"
python3 tests/hostile/bodies_rss.py "$(swift build --show-bin-path)/mappa" $((20000 + RANDOM % 20000))
echo "== hostile traffic (bounded, loopback): 1,600 slow and silent connections, 100 parallel wrong passwords"
python3 tests/hostile/connections_passwords.py "$(swift build --show-bin-path)/mappa" $((20000 + RANDOM % 20000))

echo "== metrics (GET /metrics scraped over loopback, parsed with prometheus_client; who may read it; labels; counts)"
timeout 120 "$(scripts/python-venv.sh | tail -n 1)/bin/python" tests/metrics/scrape.py "$(swift build --show-bin-path)/mappa" $((20000 + RANDOM % 20000))
echo "== Debian package (make deb, lintian, systemd-analyze verify; installed, served, backed up and purged)"
scripts/test-package.sh

echo "== browser tests (end to end, accessibility, HTML validity)"
MAPPA_BIN="$(swift build --show-bin-path)/mappa" scripts/browser-tests.sh

echo "== Swift test suites (SQLite and PostgreSQL)"
set +e
swift test --skip-build 2>&1 | grep --line-buffered -Ev ' started\.$'
status=${PIPESTATUS[0]}
set -e
exit "$status"
