#!/usr/bin/env bash
# Crash safety: kill -9 the server while several clients are writing; after a restart every write the server
# acknowledged is there, SQLite's integrity check passes and the audit chain verifies. Loopback only, bounded.
# Needs MAPPA_BIN.
set -uo pipefail
bin=${MAPPA_BIN:?set MAPPA_BIN to the mappa binary}
work=$(mktemp -d /tmp/mappa-crash.XXXXXX)
pid=""
trap '[[ -n "$pid" ]] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT
db="$work/crash.sqlite"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" migrate --database "$db" >/dev/null
echo "ember-quilt-harrow-91" | "$bin" user add --database "$db" --username crash.tester --name "Crash Tester" \
    --role coordinator --agency police >/dev/null

start() {
    "$bin" serve --port "$port" --database "$db" >>"$work/serve.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "server did not start"; exit 1
}

writer() { # writer N: signs in, then creates draft referrals until the server dies; logs each acknowledged one
    local n=$1 jar="$work/jar$1" csrf i=0 status
    csrf=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n1)
    curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf_token=$csrf" --data-urlencode "username=crash.tester" \
        --data-urlencode "password=ember-quilt-harrow-92" "http://127.0.0.1:$port/login"
    csrf=$(curl -s -b "$jar" "http://127.0.0.1:$port/referrals/new" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n1)
    while true; do
        i=$((i + 1))
        status=$(curl -s -o /dev/null -w '%{http_code}' -m 5 -b "$jar" --data-urlencode "csrf_token=$csrf" \
            --data-urlencode "family_name=Crashwriter${n}x${i}" --data-urlencode "action=save" "http://127.0.0.1:$port/referrals/new")
        [[ "$status" == 303 ]] || break
        echo "Crashwriter${n}x${i}" >>"$work/acknowledged"
    done
}

viewer() { # signs in, then searches until the server dies; logs each search served (each is an audited view)
    local jar="$work/jarv" csrf status
    csrf=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n1)
    curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf_token=$csrf" --data-urlencode "username=crash.tester" \
        --data-urlencode "password=ember-quilt-harrow-92" "http://127.0.0.1:$port/login"
    while true; do
        status=$(curl -s -o /dev/null -w '%{http_code}' -m 5 -b "$jar" "http://127.0.0.1:$port/nominals?q=crashwriter")
        [[ "$status" == 200 ]] || break
        echo served >>"$work/viewed"
    done
}

start
# The account must change its temporary password at first sign-in: do that once, as a person would.
jar="$work/jar0"
csrf=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n1)
curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf_token=$csrf" --data-urlencode "username=crash.tester" \
    --data-urlencode "password=ember-quilt-harrow-91" "http://127.0.0.1:$port/login"
csrf=$(curl -s -b "$jar" "http://127.0.0.1:$port/account/password" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n1)
curl -s -o /dev/null -b "$jar" --data-urlencode "csrf_token=$csrf" --data-urlencode "current_password=ember-quilt-harrow-91" \
    --data-urlencode "new_password=ember-quilt-harrow-92" --data-urlencode "confirm_password=ember-quilt-harrow-92" \
    "http://127.0.0.1:$port/account/password"
for n in 1 2 3 4; do writer "$n" & done
viewer &
sleep 3
kill -9 "$pid"
wait "$pid" 2>/dev/null; pid=""
wait
touch "$work/acknowledged" "$work/viewed"
acknowledged=$(wc -l <"$work/acknowledged")
viewed=$(wc -l <"$work/viewed")
start
kill "$pid"; wait "$pid" 2>/dev/null; pid=""
missing=0
while read -r name; do
    found=$(sqlite3 "$db" "SELECT count(*) FROM referrals WHERE form_json LIKE '%\"$name\"%';")
    [[ "$found" == 1 ]] || missing=$((missing + 1))
done <"$work/acknowledged"
integrity=$(sqlite3 "$db" "PRAGMA integrity_check;")
audit=$("$bin" audit verify --database "$db" 2>&1)
# Every search served was on record (in the staging file, then the chain) before its page was sent.
searches=$(sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE action = 'view' AND subject_type = 'nominal_search' AND actor_username = 'crash.tester';")
echo "crash: $acknowledged writes acknowledged before kill -9; $missing missing after restart; integrity: $integrity"
echo "crash: $viewed searches served, $searches on the audit trail"
echo "crash: $audit"
[[ "$acknowledged" -gt 20 && "$missing" -eq 0 && "$integrity" == "ok" && "$viewed" -gt 20 && "$searches" -ge "$viewed" ]] \
    && grep -q intact <<<"$audit"
