#!/usr/bin/env bash
# SQL injection: sqlmap against the search and form endpoints of a running server on loopback, signed in as a
# coordinator (and with an API token for the JSON API). sqlmap exits 0 either way; a finding is a non-empty
# log in its output folder, so that is what this checks. Bounded (each target has a time limit). Needs MAPPA_BIN.
set -uo pipefail
bin=${MAPPA_BIN:?set MAPPA_BIN to the mappa binary}
work=$(mktemp -d /tmp/mappa-sqlmap.XXXXXX)
pid=""
trap '[[ -n "$pid" ]] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
db="$work/sqlmap.sqlite"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" migrate --database "$db" >/dev/null
password=$("$bin" demo --database "$db" | awk '$1 == "demo.coordinator" { print $2 }')
token=$("$bin" token create --user demo.coordinator --name sqlmap --database "$db" 2>/dev/null | grep -o 'mappa_[0-9a-f]*' | head -n 1)
"$bin" serve --port "$port" --database "$db" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
jar="$work/jar"
csrf=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf_token=$csrf" --data-urlencode "username=demo.coordinator" \
    --data-urlencode "password=$password" "http://127.0.0.1:$port/login"
session=$(awk '$6 == "mappa_session" { print $7 }' "$jar")
csrf=$(curl -s -b "$jar" "http://127.0.0.1:$port/agencies/housing" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
case_id=$(curl -s -b "$jar" "http://127.0.0.1:$port/nominals?q=DEMO-0001" | sed -n 's|.*href="/nominals/\([0-9]*\)".*|\1|p' | head -n 1)

failed=0
# The probes only mean something signed in: check the session reaches the pages first.
if ! curl -s -b "$jar" "http://127.0.0.1:$port/nominals?q=smith" | grep -q "Find a nominal"; then
    echo "  FAIL could not sign in for the probes"; exit 1
fi
probe() { # probe LABEL sqlmap-arguments...
    local label=$1; shift
    local out="$work/out-${label// /-}"
    timeout 300 sqlmap --batch --level 2 --risk 1 --threads 2 --output-dir "$out" --disable-coloring --ignore-redirects \
        -H "Cookie: mappa_session=$session" "$@" >"$work/sqlmap.log" 2>&1
    if [[ -s "$out/127.0.0.1/log" ]]; then
        failed=$((failed + 1)); echo "  FAIL $label: sqlmap reports an injection"; cat "$out/127.0.0.1/log"
    elif grep -q "ERROR\|CRITICAL.*connection" "$work/sqlmap.log" && ! grep -q "all tested parameters do not appear to be injectable" "$work/sqlmap.log"; then
        failed=$((failed + 1)); echo "  FAIL $label: sqlmap could not test it"; tail -n 5 "$work/sqlmap.log"
    elif ! grep -q "testing '" "$work/sqlmap.log"; then
        failed=$((failed + 1)); echo "  FAIL $label: sqlmap ran no tests"; tail -n 5 "$work/sqlmap.log"
    else
        echo "  ok   $label: nothing injectable ($(grep -c "testing '" "$work/sqlmap.log") techniques tried)"
    fi
}
probe "nominal search" -u "http://127.0.0.1:$port/nominals?q=smith"
probe "nominal search by date" -u "http://127.0.0.1:$port/nominals?q=1980-01-01"
probe "agency contact form" -u "http://127.0.0.1:$port/agencies/housing" \
    --data "csrf_token=$csrf&name=Pat&role=SPOC&email=pat%40example.invalid&phone=01632960000" --skip csrf_token
probe "case contact log form" -u "http://127.0.0.1:$port/cases/$case_id/contacts" \
    --data "csrf_token=$csrf&occurred_on=2026-11-01&direction=out&agency=housing&person=Pat&method=Phone&summary=Call" --skip csrf_token
probe "API nominal search" -u "http://127.0.0.1:$port/api/v1/nominals?q=smith&limit=10" -H "Authorization: Bearer $token"
echo "sqlmap: $failed failed"
[[ $failed -eq 0 ]]
