#!/usr/bin/env bash
# Command-line tests of the built `mappa` binary, as an operator would use it: migrate, add users, demo data,
# serve and sign in over real HTTP on loopback, stop on SIGTERM, verify the audit chain and catch tampering.
# Needs MAPPA_BIN; runs the PostgreSQL part too when MAPPA_TEST_POSTGRES_URL is set.
set -uo pipefail
bin=${MAPPA_BIN:?set MAPPA_BIN to the mappa binary}
work=$(mktemp -d /tmp/mappa-cli.XXXXXX)
server_pid=""
trap '[[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
passed=0
failed=0

check() { # check "what a user would check" command...
    local name=$1; shift
    if "$@" >>"$work/log" 2>&1; then passed=$((passed + 1)); echo "  ok   $name"
    else failed=$((failed + 1)); echo "  FAIL $name"; tail -n 20 "$work/log" | sed 's/^/       /'; fi
}
contains() { grep -q -- "$2" <<<"$1"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_suite() { # run_suite LABEL DATABASE
    local label=$1 db=$2 out status
    echo "-- $label"
    out=$("$bin" --help); check "$label: mappa --help lists the commands" contains "$out" "audit verify"
    out=$("$bin" migrate --database "$db" 2>&1)
    check "$label: migrate applies the schema to an empty database" contains "$out" "applied migration 1"
    out=$("$bin" migrate --database "$db" 2>&1)
    check "$label: a second migrate applies nothing" bash -c '! grep -q "applied migration" <<<"$0" && grep -q "schema version" <<<"$0"' "$out"
    out=$(echo "correct-horse-battery-42" | "$bin" user add --database "$db" --username jo.bloggs --name "Jo Bloggs" --role coordinator --agency police 2>&1)
    check "$label: user add creates a user" contains "$out" "added jo.bloggs"
    out=$(echo "correct-horse-battery-42" | "$bin" user add --database "$db" --username jo.bloggs --name "Jo Bloggs" --role coordinator --agency police 2>&1); status=$?
    check "$label: a duplicate username is refused with a clear message" bash -c '[[ $0 -ne 0 ]] && grep -q "already in use" <<<"$1"' "$status" "$out"
    out=$(echo "password123" | "$bin" user add --database "$db" --username weak.user --name "Weak" --role referrer --agency probation 2>&1); status=$?
    check "$label: a common password is refused" bash -c '[[ $0 -ne 0 ]] && grep -q "too common" <<<"$1"' "$status" "$out"
    out=$("$bin" user add --database "$db" --username x.y --name "X" --role wizard --agency police </dev/null 2>&1); status=$?
    check "$label: an unknown role is refused and the roles are listed" bash -c '[[ $0 -eq 2 ]] && grep -q "coordinator" <<<"$1"' "$status" "$out"
    out=$("$bin" demo --database "$db" 2>&1)
    check "$label: demo prints a sign-in for each role" bash -c 'grep -q demo.coordinator <<<"$0" && grep -q demo.auditor <<<"$0"' "$out"
    local coordinator_password
    coordinator_password=$(awk '$1 == "demo.coordinator" { print $2 }' <<<"$out")
    out=$("$bin" demo --database "$db" 2>&1)
    check "$label: demo runs again without duplicating users" contains "$out" "Demo data ready"
    coordinator_password=$(awk '$1 == "demo.coordinator" { print $2 }' <<<"$out")

    local port; port=$(free_port)
    "$bin" serve --port "$port" --database "$db" >"$work/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    check "$label: /healthz answers" bash -c 'curl -fs http://127.0.0.1:'"$port"'/healthz | grep -q ok'
    check "$label: /readyz reports the database reachable" bash -c 'curl -fs http://127.0.0.1:'"$port"'/readyz | grep -q ready'
    local jar="$work/cookies-$label" page csrf
    page=$(curl -s -c "$jar" "http://127.0.0.1:$port/login")
    check "$label: the sign-in page shows the OFFICIAL-SENSITIVE marking" contains "$page" "OFFICIAL-SENSITIVE"
    csrf=$(sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' <<<"$page" | head -n 1)
    status=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" --data-urlencode "csrf_token=$csrf" \
        --data-urlencode "username=demo.coordinator" --data-urlencode "password=wrong-password-here" "http://127.0.0.1:$port/login")
    check "$label: a wrong password is refused" test "$status" = 401
    status=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" --data-urlencode "csrf_token=$csrf" \
        --data-urlencode "username=demo.coordinator" --data-urlencode "password=$coordinator_password" "http://127.0.0.1:$port/login")
    check "$label: the printed demo sign-in works" test "$status" = 303
    page=$(curl -s -b "$jar" "http://127.0.0.1:$port/")
    check "$label: the home page greets the signed-in coordinator" contains "$page" "Welcome, Casey Demo-Coordinator"
    kill -TERM "$server_pid"
    local stopped=1
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || { stopped=0; break; }; sleep 0.1; done
    check "$label: the server stops on SIGTERM" test "$stopped" = 0
    wait "$server_pid" 2>/dev/null; server_pid=""

    out=$("$bin" audit verify --database "$db" 2>&1)
    check "$label: audit verify reports an intact chain" contains "$out" "intact"
}

echo "command-line tests"
run_suite sqlite "$work/mappa.sqlite"
# Tampering: someone with file access drops the append-only triggers and edits or removes entries.
sqlite3 "$work/mappa.sqlite" ".backup $work/truncated.sqlite"
out=$(sqlite3 "$work/mappa.sqlite" "UPDATE audit_log SET detail = 'x' WHERE sequence = 3;" 2>&1)
check "sqlite: the database refuses to change an audit entry" contains "$out" "append-only"
sqlite3 "$work/mappa.sqlite" "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = 'nothing to see' WHERE sequence = 3;"
out=$("$bin" audit verify --database "$work/mappa.sqlite" 2>&1); status=$?
check "sqlite: audit verify catches an edited entry and names it" bash -c '[[ $0 -eq 1 ]] && grep -q "BROKEN at entry 3" <<<"$1"' "$status" "$out"
sqlite3 "$work/truncated.sqlite" "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE sequence = (SELECT MAX(sequence) FROM audit_log);"
out=$("$bin" audit verify --database "$work/truncated.sqlite" 2>&1); status=$?
check "sqlite: audit verify catches entries removed from the end" bash -c '[[ $0 -eq 1 ]] && grep -q "BROKEN" <<<"$1"' "$status" "$out"

if [[ -n "${MAPPA_TEST_POSTGRES_URL:-}" ]]; then
    pg_base=${MAPPA_TEST_POSTGRES_URL%/*}
    psql -q "$pg_base/postgres" -c "DROP DATABASE IF EXISTS mappa_cli" -c "CREATE DATABASE mappa_cli" >/dev/null 2>&1
    run_suite postgres "$pg_base/mappa_cli"
fi

echo "cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
