#!/usr/bin/env bash
# Command-line tests of the built `mappa` binary, as an operator would use it: migrate, add users, demo data,
# serve and sign in over real HTTP on loopback, stop on SIGTERM, verify the audit chain and catch tampering (also of a
# keyed chain with signed checkpoints, by someone without the key).
# Needs MAPPA_BIN; runs the PostgreSQL part too when MAPPA_TEST_POSTGRES_URL is set.
set -uo pipefail
bin=${MAPPA_BIN:?set MAPPA_BIN to the mappa binary}
work=$(mktemp -d /tmp/mappa-cli.XXXXXX)
server_pid=""
trap '[[ -n "$server_pid" ]] && kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT
passed=0
failed=0

check() { # check "what a user would check" command...
    local name=$1; shift
    if "$@" >>"$work/log" 2>&1; then passed=$((passed + 1)); echo "  ok   $name"
    else failed=$((failed + 1)); echo "  FAIL $name"; tail -n 20 "$work/log" | sed 's/^/       /'; fi
}
contains() { grep -q -- "$2" <<<"$1"; }

sign_in() { # sign_in PORT JAR USERNAME PASSWORD -> prints the HTTP status
    local page csrf
    page=$(curl -s -c "$2" "http://127.0.0.1:$1/login")
    csrf=$(sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' <<<"$page" | head -n 1)
    curl -s -o /dev/null -w '%{http_code}' -b "$2" -c "$2" --data-urlencode "csrf_token=$csrf" \
        --data-urlencode "username=$3" --data-urlencode "password=$4" "http://127.0.0.1:$1/login"
}
page_csrf() { sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n 1; }
wait_for() { for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

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
    check "$label: a common password is refused" bash -c '[[ $0 -ne 0 ]] && grep -q "not a dictionary word or a common password" <<<"$1"' "$status" "$out"
    out=$(echo "Dragonfly2024!!" | "$bin" user add --database "$db" --username dict.user --name "Dict User" --role referrer --agency probation 2>&1); status=$?
    check "$label: a dictionary word with digits added is refused" bash -c '[[ $0 -ne 0 ]] && grep -q "password: Choose a password that is not a dictionary word" <<<"$1"' "$status" "$out"
    out=$(echo "Kowalczyk kettle 42" | "$bin" user add --database "$db" --username pat.k --name "Pat Kowalczyk" --role referrer --agency probation 2>&1); status=$?
    check "$label: a password with the person's own name is refused" bash -c '[[ $0 -ne 0 ]] && grep -q "does not include your name" <<<"$1"' "$status" "$out"
    out=$("$bin" user add --database "$db" --username gen.user --name "Gen User" --role referrer --agency probation </dev/null 2>&1)
    check "$label: user add without a password prints a generated one" contains "$out" "temporary password: "
    out=$(MAPPA_PASSWORD_DICTIONARY=/nonexistent/cracklib_dict "$bin" serve --port 0 --database "$db" 2>&1); status=$?
    check "$label: serve refuses to start when the password dictionary cannot be read" bash -c '[[ $0 -ne 0 ]] && grep -q "cracklib-runtime" <<<"$1"' "$status" "$out"
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
    out=$("$bin" serve --port "$port" --database "$db" --trusted-proxy "proxy.example" 2>&1); status=$?
    check "$label: serve refuses a trusted proxy that is not an IP address" bash -c '[[ $0 -ne 0 ]] && grep -q "takes IP addresses" <<<"$1"' "$status" "$out"
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
    page=$(curl -s -b "$jar" "http://127.0.0.1:$port/screening")
    check "$label: the demo screening queue holds the synthetic referrals" bash -c 'grep -q "Sasha Nightingale" <<<"$0" && grep -q "Drew Larkspur" <<<"$0"' "$page"
    page=$(curl -s -b "$jar" "http://127.0.0.1:$port/nominals?q=hollins")
    check "$label: the demo nominals can be searched" contains "$page" "DEMO-0008"
    kill -TERM "$server_pid"
    local stopped=1
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || { stopped=0; break; }; sleep 0.1; done
    check "$label: the server stops on SIGTERM" test "$stopped" = 0
    wait "$server_pid" 2>/dev/null; server_pid=""

    out=$("$bin" audit verify --database "$db" 2>&1)
    check "$label: audit verify reports an intact chain" contains "$out" "intact"

    out=$("$bin" backup --database "$db" --to "$work/$label.backup" 2>&1)
    check "$label: backup writes a copy" bash -c 'grep -q "backed up" <<<"$0" && test -s "$1"' "$out" "$work/$label.backup"
    echo "correct-horse-battery-43" | "$bin" user add --database "$db" --username after.backup --name "After Backup" --role chair --agency police >/dev/null 2>&1
    out=$("$bin" restore --database "$db" --from "$work/$label.backup" 2>&1); status=$?
    check "$label: restore without --yes changes nothing and says why" bash -c '[[ $0 -eq 2 ]] && grep -q -- "--yes" <<<"$1"' "$status" "$out"
    out=$("$bin" restore --database "$db" --from "$work/$label.backup" --yes 2>&1); status=$?
    check "$label: restore succeeds and re-checks the audit chain" bash -c '[[ $0 -eq 0 ]] && grep -q "audit trail intact" <<<"$1"' "$status" "$out"
    out=$(echo "correct-horse-battery-43" | "$bin" user add --database "$db" --username after.backup --name "After Backup" --role chair --agency police 2>&1)
    check "$label: the restored database is as it was at the backup" contains "$out" "added after.backup"
    backup_rotation "$label" "$db"
    register_import "$label" "$db"
}

backup_rotation() { # backup_rotation LABEL DATABASE: `mappa backup --into DIR --keep N`, as the package's daily timer runs it
    local label=$1 db=$2 dir="$work/$label-rotation/backups" out status kept made=() suffix=sqlite
    [[ $label == postgres ]] && suffix=pgdump
    mkdir -p "$dir" && chmod 700 "$dir"
    touch "$dir/notes.txt" "$dir/mappa-19990101-000000Z.$suffix" "$dir/mappa-19990101-000000Z.$suffix.partial"
    for _ in 1 2 3; do
        out=$("$bin" backup --database "$db" --into "$dir" --keep 2 2>&1) || { echo "$out" >>"$work/log"; break; }
        made+=("$(sed -n 's/^backed up .* to \(.*\) ([0-9]* KB)$/\1/p' <<<"$out")")
    done
    check "$label: backup --into names each copy by the time (three runs, three names)" \
        bash -c '[[ $# -eq 3 && $1 != "$2" && $2 != "$3" ]] && for f; do [[ $f =~ /mappa-[0-9]{8}-[0-9]{6}Z(-[0-9]+)?\.'"$suffix"'$ ]] || exit 1; done' _ "${made[@]}"
    kept=$(cd "$dir" && ls | sort | tr '\n' ' ')
    check "$label: backup --keep 2 keeps the two newest copies and every file it did not name" \
        test "$kept" = "$(printf '%s\n' "${made[1]##*/}" "${made[2]##*/}" "mappa-19990101-000000Z.$suffix.partial" notes.txt | sort | tr '\n' ' ')"
    if [[ $suffix == sqlite ]]; then
        check "$label: the newest rotated backup is a sound database" bash -c '[[ $(sqlite3 "$0" "PRAGMA integrity_check") == ok ]]' "${made[2]}"
    else
        check "$label: the newest rotated backup is a pg_dump archive" bash -c '[[ $(head -c 5 "$0") == PGDMP ]]' "${made[2]}"
    fi
    out=$("$bin" backup --database "$db" --into "$work/$label-rotation/new/backups" 2>&1)
    check "$label: backup --into creates a missing directory readable only by its owner" \
        bash -c '[[ $(stat -c %a "$0") == 700 ]] && grep -q "backed up" <<<"$1"' "$work/$label-rotation/new/backups" "$out"
    out=$("$bin" backup --database "$db" --into "$dir" --keep 0 2>&1); status=$?
    check "$label: backup --keep 0 is refused" bash -c '[[ $0 -eq 2 ]] && grep -q "keep must be a number" <<<"$1"' "$status" "$out"
    out=$("$bin" backup --database "$db" --to "$work/x.backup" --keep 3 2>&1); status=$?
    check "$label: backup --keep without --into is refused, and writes nothing" \
        bash -c '[[ $0 -eq 2 && ! -e "$2" ]] && grep -q -- "--into DIRECTORY" <<<"$1"' "$status" "$out" "$work/x.backup"
}

register_import() { # register_import LABEL DATABASE: the case register file in and out, as DESIGN.md specifies it
    local label=$1 db=$2 out status header="nominal_ref,family_name,given_names,aliases,date_of_birth,gender,ethnicity,pnc_id,visor_ref,crn,category,level,lead_agency,mappa_start_date,statutory_end_date,next_review_date,rosh,custody_status,release_date,status,exit_date,exit_reason"
    printf '\xef\xbb\xbf%s\r\n' "$header" >"$work/good.csv"
    printf '%s\r\n' "CLI-1,Importson,Alex,Al;Lexy,1984-05-06,Male,White British,84/123456B,,X123456,1,1,police,2025-04-01,2035-04-01,,medium,community,,active,," \
        "CLI-2,Registerby,Jo,,1979-11-30,Female,Black British,,VR-22,,2,2,probation,2025-06-01,2027-06-01,2026-12-01,high,custody,2027-02-01,active,," \
        "CLI-3,Formulaic,=cmd,,1990-01-01,Male,Not stated,,,,3,3,probation,2025-07-01,,2026-12-10,very high,community,,active,," >>"$work/good.csv"
    { cat "$work/good.csv"; printf '%s\r\n' "CLI-4,Badrow,Kim,,1990-13-45,Male,,,,,5,2,probation,,,,,community,,active,," \
        "CLI-5,Exitnoreason,Lee,,1970-01-01,Male,,,,,2,1,police,2020-01-01,,,,community,,exited,2024-01-01,"; } >"$work/bad.csv"
    out=$("$bin" import cases "$work/bad.csv" --database "$db" 2>/dev/null); status=$?
    check "$label: import with bad rows fails, names each line, imports nothing" bash -c '[[ $0 -eq 1 ]] && grep -q "nothing was imported" <<<"$1" && grep -q "line 5, date_of_birth" <<<"$1" && grep -q "line 5, category" <<<"$1" && grep -q "line 6, exit_reason" <<<"$1"' "$status" "$out"
    out=$("$bin" export cases --database "$db" 2>/dev/null)
    check "$label: ... and the good rows in that file were not imported either" bash -c '! grep -q Importson <<<"$0"' "$out"
    out=$("$bin" import cases "$work/good.csv" --dry-run --database "$db" 2>/dev/null)
    check "$label: import --dry-run checks and imports nothing" bash -c 'grep -q "all 3 rows are valid" <<<"$0"' "$out"
    out=$("$bin" import cases "$work/good.csv" --database "$db" 2>"$work/progress.txt")
    check "$label: import of a good file (with a BOM and CRLF) creates nominals and cases" contains "$out" "3 nominals created, 0 updated; 3 cases created"
    out=$("$bin" import cases "$work/good.csv" --database "$db" 2>/dev/null)
    check "$label: importing the same file again updates, never duplicates" contains "$out" "0 nominals created, 3 updated"
    "$bin" export cases --database "$db" --to "$work/exported.csv" 2>/dev/null
    check "$label: export writes the same columns, one row per nominal" bash -c '[[ $(head -n 1 "$0" | sed "s/^\xEF\xBB\xBF//; s/\r$//") == "$1" ]] && [[ $(grep -c "^CLI-" "$0") -eq 3 ]]' "$work/exported.csv" "$header"
    check "$label: export neutralises text a spreadsheet would run as a formula" grep -q "'=cmd" "$work/exported.csv"
    check "$label: the exported file is readable only by its owner" bash -c '[[ $(stat -c %a "$0") == 600 ]]' "$work/exported.csv"
    out=$("$bin" import cases "$work/exported.csv" --database "$db" 2>/dev/null)
    check "$label: the export imports back as updates only" bash -c 'grep -q "0 nominals created, [0-9]* updated; 0 cases created" <<<"$0"' "$out"
    "$bin" export cases --database "$db" --to "$work/exported-again.csv" 2>/dev/null
    check "$label: export → import → export gives the same file" cmp -s "$work/exported.csv" "$work/exported-again.csv"
    printf '%s\r\n' "$header" "CLI-4C,Terrorfile,Sam,,1981-02-03,Male,,,,,4,3,police,2025-04-01,,,high,community,,active,," >"$work/category4.csv"
    out=$("$bin" import cases "$work/category4.csv" --database "$db" 2>/dev/null)
    check "$label: a Category 4 case imported here is restricted, and the import says nobody may see it yet" contains "$out" "1 case is restricted (Category 4): nobody may see it yet"
    out=$("$bin" export cases --database "$db" 2>/dev/null)
    check "$label: ... and the export leaves it out" bash -c '! grep -q Terrorfile <<<"$0"' "$out"
    out=$("$bin" audit verify --database "$db" 2>&1)
    check "$label: imports and exports are in the intact audit trail" contains "$out" "intact"
}

two_instances() { # two_instances DATABASE: two app servers sharing one database, as behind a load balancer
    local db=$1 port_a port_b pid_a pid_b out admin_password chair_id version csrf_a csrf_b status_a status_b
    echo "-- two instances on one database"
    out=$("$bin" demo --database "$db" 2>&1)
    admin_password=$(awk '$1 == "demo.admin" { print $2 }' <<<"$out")
    port_a=$(free_port); port_b=$(free_port)
    "$bin" serve --port "$port_a" --database "$db" >"$work/a.log" 2>&1 & pid_a=$!
    "$bin" serve --port "$port_b" --database "$db" >"$work/b.log" 2>&1 & pid_b=$!
    server_pid="$pid_a $pid_b"
    wait_for "$port_a"; wait_for "$port_b"
    check "two instances: sign in on instance A" test "$(sign_in "$port_a" "$work/jar-a" demo.admin "$admin_password")" = 303
    # The same session cookie, sent to instance B: sessions live in the database, not in an instance.
    cp "$work/jar-a" "$work/jar-a-on-b"
    check "two instances: the session continues on instance B" bash -c \
        'curl -s -b "$0" http://127.0.0.1:'"$port_b"'/ | grep -q "Welcome, Sam Demo-Admin"' "$work/jar-a-on-b"
    csrf_a=$(curl -s -b "$work/jar-a" "http://127.0.0.1:$port_a/admin/users/new" | page_csrf)
    curl -s -o /dev/null -b "$work/jar-a" --data-urlencode "csrf_token=$csrf_a" --data-urlencode "display_name=Robin Shared" \
        --data-urlencode "username=robin.shared" --data-urlencode "role=chair" --data-urlencode "agency=police" \
        --data-urlencode "email=" --data-urlencode "password=harbour tulip spoon 5" "http://127.0.0.1:$port_a/admin/users/new"
    check "two instances: a user added through A is listed by B" bash -c \
        'curl -s -b "$0" http://127.0.0.1:'"$port_b"'/admin/users | grep -q "robin.shared"' "$work/jar-a-on-b"
    # Two administrators, one on each instance, edit the same user from the same starting version.
    check "two instances: a second administrator signs in on B" test "$(sign_in "$port_b" "$work/jar-b" demo.admin "$admin_password")" = 303
    chair_id=$(curl -s -b "$work/jar-a" "http://127.0.0.1:$port_a/admin/users" | grep -o 'href="/admin/users/[0-9]*">Robin Shared' | grep -o '[0-9]*')
    csrf_a=$(curl -s -b "$work/jar-a" "http://127.0.0.1:$port_a/admin/users/$chair_id/edit" | page_csrf)
    local edit_b; edit_b=$(curl -s -b "$work/jar-b" "http://127.0.0.1:$port_b/admin/users/$chair_id/edit")
    csrf_b=$(page_csrf <<<"$edit_b")
    version=$(sed -n 's/.*name="version" value="\([0-9]*\)".*/\1/p' <<<"$edit_b" | head -n 1)
    status_a=$(curl -s -o /dev/null -w '%{http_code}' -b "$work/jar-a" --data-urlencode "csrf_token=$csrf_a" --data-urlencode "version=$version" \
        --data-urlencode "display_name=Robin From A" --data-urlencode "email=" --data-urlencode "role=chair" --data-urlencode "agency=police" \
        "http://127.0.0.1:$port_a/admin/users/$chair_id/edit")
    status_b=$(curl -s -o "$work/b-edit.html" -w '%{http_code}' -b "$work/jar-b" --data-urlencode "csrf_token=$csrf_b" --data-urlencode "version=$version" \
        --data-urlencode "display_name=Robin From B" --data-urlencode "email=" --data-urlencode "role=manager" --data-urlencode "agency=police" \
        "http://127.0.0.1:$port_b/admin/users/$chair_id/edit")
    check "two instances: the first edit (on A) is saved" test "$status_a" = 303
    check "two instances: the concurrent edit (on B) is detected, not lost" bash -c '[[ $0 = 409 ]] && grep -q "Someone else changed this record" "$1" && grep -q "Robin From B" "$1"' "$status_b" "$work/b-edit.html"
    check "two instances: B shows A's saved change" bash -c \
        'curl -s -b "$0" http://127.0.0.1:'"$port_b"'/admin/users/'"$chair_id"' | grep -q "Robin From A"' "$work/jar-b"
    kill -TERM $pid_a $pid_b; wait $pid_a $pid_b 2>/dev/null; server_pid=""
    out=$("$bin" audit verify --database "$db" 2>&1)
    check "two instances: the shared audit chain is intact" contains "$out" "intact"
}

audit_keys() { # audit_keys: the audit key file, keyed entries, signed checkpoints, and someone who rewrites the database without the key
    local db="$work/keyed.sqlite" key="$work/keyed.sqlite.audit-key" checkpoints="$work/keyed.sqlite.audit-checkpoints.jsonl"
    local out status port admin_password key_before
    echo "-- audit key and signed checkpoints"
    out=$("$bin" audit --help); check "audit --help documents the key file and checkpoints" bash -c 'grep -q "audit key" <<<"$0" && grep -q -- "--checkpoints" <<<"$0" && grep -q ".audit-key" <<<"$0"' "$out"
    out=$("$bin" --help); check "mappa --help lists audit key" contains "$out" "audit key"
    echo "correct-horse-battery-44" | "$bin" user add --database "$db" --username before.key --name "Before Key" --role chair --agency police >/dev/null 2>&1
    out=$("$bin" audit verify --database "$db" 2>&1)
    check "audit verify says a chain without a key is unkeyed" bash -c 'grep -q "intact" <<<"$0" && grep -q "the chain is unkeyed" <<<"$0"' "$out"
    out=$("$bin" audit key --database "$db" 2>&1); status=$?
    check "audit key creates the key file beside the database, readable by its owner only" bash -c '[[ $0 -eq 0 ]] && grep -q "audit key created, id [0-9a-f]\{16\}" <<<"$1" && [[ $(stat -c %a "$2") == 600 ]]' "$status" "$out" "$key"
    key_before=$(cat "$key")
    out=$("$bin" audit key --database "$db" 2>&1); status=$?
    check "audit key refuses to overwrite the key file without --rotate" bash -c '[[ $0 -ne 0 ]] && grep -q "already exists" <<<"$1" && [[ "$(cat "$2")" == "$3" ]]' "$status" "$out" "$key" "$key_before"
    out=$("$bin" demo --database "$db" 2>&1)
    admin_password=$(awk '$1 == "demo.admin" { print $2 }' <<<"$out")
    out=$("$bin" audit key --database "$db" --rotate 2>&1); status=$?
    check "audit key --rotate adds a new key and keeps the old one, still 0600" bash -c '[[ $0 -eq 0 ]] && grep -q "rotated from id [0-9a-f]* to id [0-9a-f]*" <<<"$1" && [[ $(grep -c "^[0-9a-f]\{16\} [0-9a-f]\{64\}$" "$2") -eq 2 ]] && [[ $(stat -c %a "$2") == 600 ]]' "$status" "$out" "$key"
    check "the rotation is an entry in the chain" bash -c 'sqlite3 "$0" "SELECT detail FROM audit_log WHERE action = '"'audit.key_rotated'"'" | grep -q "rotated from id"' "$db"

    port=$(free_port)
    "$bin" serve --port "$port" --database "$db" >"$work/keyed-serve.log" 2>&1 &
    server_pid=$!
    wait_for "$port"
    check "serve finds the key beside the database and says where the checkpoints go" bash -c 'grep -q "Audit entries keyed with key" "$0" && grep -q "audit-checkpoints.jsonl" "$0"' "$work/keyed-serve.log"
    check "sign in on the keyed server" test "$(sign_in "$port" "$work/jar-keyed" demo.admin "$admin_password")" = 303
    curl -s -o /dev/null -b "$work/jar-keyed" "http://127.0.0.1:$port/admin/users"
    sleep 1.5
    kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=""
    check "signed checkpoints are JSON lines (at, count, head, key_id, mac) in a file readable by its owner only" python3 -c '
import json, os, stat, sys
path = sys.argv[1]
assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
lines = [json.loads(line) for line in open(path)]
assert len(lines) >= 2 and all(sorted(line) == ["at", "count", "head", "key_id", "mac"] for line in lines)
assert [line["count"] for line in lines] == sorted(line["count"] for line in lines)
' "$checkpoints"
    out=$("$bin" audit verify --database "$db" --checkpoints "$checkpoints" 2>&1); status=$?
    check "audit verify --checkpoints: intact, with the keyed and plain counts" bash -c '[[ $0 -eq 0 ]] && grep -q "keyed, 1 plain SHA-256 from before the key" <<<"$1" && grep -q "checkpoints match" <<<"$1"' "$status" "$out"

    cp "$key" "$work/open.audit-key"; chmod 644 "$work/open.audit-key"
    out=$(timeout 20 "$bin" serve --port "$(free_port)" --database "$db" --audit-key "$work/open.audit-key" 2>&1); status=$?
    check "serve refuses to start with a key file others can read, and says why" bash -c '[[ $0 -eq 1 ]] && grep -q "open to others (mode 644)" <<<"$1"' "$status" "$out"
    out=$(timeout 20 "$bin" serve --port "$(free_port)" --database "$db" --audit-key "$work/no-such.audit-key" 2>&1); status=$?
    check "serve refuses to start with a named key file that is missing" bash -c '[[ $0 -eq 1 ]] && grep -q "does not exist" <<<"$1"' "$status" "$out"
    mv "$key" "$work/moved.audit-key"
    out=$(timeout 20 "$bin" serve --port "$(free_port)" --database "$db" 2>&1); status=$?
    check "serve refuses to start on a keyed chain without its key file" bash -c '[[ $0 -eq 1 ]] && grep -q "the audit trail is keyed" <<<"$1"' "$status" "$out"
    mv "$work/moved.audit-key" "$key"

    # Someone who can write the database file, but not read the key, rewrites copies of it.
    cat >"$work/tamper.py" <<'PY'
import hashlib, sqlite3, sys
path, how = sys.argv[1], sys.argv[2]
db = sqlite3.connect(path)
db.executescript("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;")
columns = "sequence, occurred_at_ms, actor_user_id, actor_username, action, subject_type, subject_id, detail, client_address, previous_hash"
def rehash_plain(start):  # every entry from `start` on, recomputed with plain SHA-256 as before the key
    previous = db.execute("SELECT hash FROM audit_log WHERE sequence = ?", (start - 1,)).fetchone()[0]
    for row in db.execute(f"SELECT {columns} FROM audit_log WHERE sequence >= ? ORDER BY sequence", (start,)).fetchall():
        fields = ["v1"] + ["" if value is None else str(value) for value in row[:9]] + [previous]
        text = "|".join(f"{len(field.encode())}:{field}" for field in fields)
        digest = hashlib.sha256(text.encode()).hexdigest()
        db.execute("UPDATE audit_log SET previous_hash = ?, hash = ?, key_id = '' WHERE sequence = ?", (previous, digest, row[0]))
        previous = digest
def move_head():
    last, digest = db.execute("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1").fetchone()
    db.execute("UPDATE audit_head SET last_sequence = ?, last_hash = ?, last_key_id = '' WHERE id = 1", (last, digest))
if how == "rewrite":      # (a) edit entry 5, recompute everything after it
    db.execute("UPDATE audit_log SET detail = 'nothing to see' WHERE sequence = 5")
    rehash_plain(5)
elif how == "truncate":   # (b) the last 10 entries deleted, the head moved back
    db.execute("DELETE FROM audit_log WHERE sequence > (SELECT MAX(sequence) - 10 FROM audit_log)")
elif how == "middle":     # (c) entries 6-9 deleted, the rest renumbered and recomputed
    db.execute("DELETE FROM audit_log WHERE sequence BETWEEN 6 AND 9")
    for (sequence,) in db.execute("SELECT sequence FROM audit_log WHERE sequence > 9 ORDER BY sequence").fetchall():
        db.execute("UPDATE audit_log SET sequence = ? WHERE sequence = ?", (sequence - 4, sequence))
    rehash_plain(6)
move_head()
db.commit()
PY
    local how
    for how in rewrite truncate middle; do
        sqlite3 "$db" ".backup $work/tampered-$how.sqlite"
        python3 "$work/tamper.py" "$work/tampered-$how.sqlite" "$how"
    done
    out=$("$bin" audit verify --database "$work/tampered-rewrite.sqlite" --key-file "$key" --checkpoints "$checkpoints" 2>&1); status=$?
    check "(a) an entry edited and the later hashes recomputed with plain SHA-256 is caught" bash -c '[[ $0 -eq 1 ]] && grep -q "BROKEN at entry [0-9]*: the entry is plain SHA-256, but the chain is keyed" <<<"$1"' "$status" "$out"
    out=$("$bin" audit verify --database "$work/tampered-truncate.sqlite" --key-file "$key" 2>&1); status=$?
    check "(b) without the checkpoints, the truncated chain looks intact" bash -c '[[ $0 -eq 0 ]]' "$status"
    out=$("$bin" audit verify --database "$work/tampered-truncate.sqlite" --key-file "$key" --checkpoints "$checkpoints" 2>&1); status=$?
    check "(b) the last 10 entries deleted and the head moved back are caught by the checkpoints" bash -c '[[ $0 -eq 1 ]] && grep -q "entries were removed from the end" <<<"$1"' "$status" "$out"
    out=$("$bin" audit verify --database "$work/tampered-middle.sqlite" --key-file "$key" --checkpoints "$checkpoints" 2>&1); status=$?
    check "(c) entries deleted in the middle, the rest renumbered and recomputed, are caught" bash -c '[[ $0 -eq 1 ]] && grep -q "BROKEN at entry 6" <<<"$1"' "$status" "$out"
    cp "$checkpoints" "$work/forged.jsonl"
    python3 -c '
import json, sqlite3, sys
count, head = sqlite3.connect(sys.argv[1]).execute("SELECT last_sequence, last_hash FROM audit_head").fetchone()
last = json.loads(open(sys.argv[2]).readlines()[-1])
open(sys.argv[2], "a").write(json.dumps({"at": last["at"], "count": count, "head": head, "key_id": last["key_id"], "mac": "0" * 64}) + "\n")
' "$work/tampered-truncate.sqlite" "$work/forged.jsonl"
    out=$("$bin" audit verify --database "$work/tampered-truncate.sqlite" --key-file "$key" --checkpoints "$work/forged.jsonl" 2>&1); status=$?
    check "(d) a forged checkpoint line is caught" bash -c '[[ $0 -eq 1 ]] && grep -q "checkpoint line [0-9]* is forged or altered" <<<"$1"' "$status" "$out"
    out=$("$bin" audit verify --database "$db" --key-file "$work/no-such.audit-key" 2>&1); status=$?
    check "audit verify with a named key file that is missing says so" bash -c '[[ $0 -eq 1 ]] && grep -q "does not exist" <<<"$1"' "$status" "$out"
}

# How the Debian package's unit passes its configuration: a flag as --flag=yes|no.
flag_values() {
    local port out status
    port=$(free_port)
    out=$("$bin" serve --port "$port" --database "$work/mappa.sqlite" --secure-cookies=maybe 2>&1); status=$?
    check "serve refuses --secure-cookies=maybe and says what it takes" bash -c '[[ $0 -eq 2 ]] && grep -q "takes yes or no" <<<"$1"' "$status" "$out"
    for value in yes no; do
        "$bin" serve --host=127.0.0.1 --port="$port" --database="$work/mappa.sqlite" --secure-cookies=$value --no-mail=yes \
            --trusted-proxy= --workers=4 >"$work/serve-flags.log" 2>&1 &
        server_pid=$!
        wait_for "$port"
        out=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/login")
        if [[ $value == yes ]]; then
            check "serve --secure-cookies=yes marks cookies Secure and sends HSTS" \
                bash -c 'grep -qi "^strict-transport-security" <<<"$0" && grep -qi "^set-cookie:.*; *secure" <<<"$0"' "$out"
            check "serve --no-mail=yes runs no mail worker" bash -c '! grep -q "Mail delivery worker" "$0"' "$work/serve-flags.log"
        else
            check "serve --secure-cookies=no sends neither" \
                bash -c '! grep -qi "^strict-transport-security" <<<"$0" && ! grep -qi "^set-cookie:.*; *secure" <<<"$0"' "$out"
        fi
        kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=""
    done
}

echo "command-line tests"
run_suite sqlite "$work/mappa.sqlite"
flag_values
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
audit_keys

echo "-- safe upgrades"
latest=$("$bin" migrate --database "$work/mappa.sqlite" 2>&1 | sed -n 's/.*is at schema version \([0-9]*\).*/\1/p')
earlier=$((latest - 6))
old="$work/upgrade/mappa.sqlite"
out=$("$bin" migrate --database "$old" --up-to "$earlier" 2>&1)
check "sqlite: migrate --up-to makes an earlier release's database, and takes no backup of an empty one" \
    bash -c 'grep -q "schema version $1" <<<"$0" && ! grep -q "backed up" <<<"$0" && [[ -z $(ls "$2"/*before-upgrade* 2>/dev/null) ]]' "$out" "$earlier" "$work/upgrade"
sqlite3 "$old" "INSERT INTO settings (key, value) VALUES ('cli.upgrade.marker', 'kept')"
out=$("$bin" migrate --database "$old" 2>&1)
backup=$(ls "$work/upgrade/"mappa.sqlite-before-upgrade-*-v$earlier-to-v$latest 2>/dev/null | head -n 1)
check "sqlite: migrate backs the database up beside the file, named with the date and both versions, before upgrading" \
    bash -c 'grep -q "backed up the database (schema version $1) to .*before-upgrade-[0-9-]*T[0-9]*Z-v$1-to-v$2" <<<"$0" && [[ -f "$3" ]]' "$out" "$earlier" "$latest" "$backup"
check "sqlite: the backup is the database as it was (earlier version, with its records)" \
    bash -c '[[ $(sqlite3 "$0" "SELECT MAX(version) FROM schema_migrations") == "$1" && $(sqlite3 "$0" "SELECT value FROM settings WHERE key = '"'"'cli.upgrade.marker'"'"'") == kept ]]' "$backup" "$earlier"
check "sqlite: the upgraded database is at the current version and keeps its records" \
    bash -c '[[ $(sqlite3 "$0" "SELECT MAX(version) FROM schema_migrations") == "$1" && $(sqlite3 "$0" "SELECT value FROM settings WHERE key = '"'"'cli.upgrade.marker'"'"'") == kept ]] && grep -q "applied migration $1" <<<"$2"' "$old" "$latest" "$out"
out=$("$bin" migrate --database "$old" 2>&1)
check "sqlite: with nothing to apply, migrate takes no backup" bash -c '! grep -q "backed up" <<<"$0" && [[ $(ls "$1"/*before-upgrade* | wc -l) -eq 1 ]]' "$out" "$work/upgrade"
newer=$((latest + 1))
sqlite3 "$old" "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($newer, 'from a newer release', '2027-01-01T00:00:00Z')"
out=$(timeout 20 "$bin" serve --database "$old" --port "$(free_port)" 2>&1); status=$?
check "sqlite: serve refuses a database a newer release migrated, naming both versions" \
    bash -c '[[ $0 -eq 1 ]] && grep -q "schema version $2, newer than this mappa knows (it knows up to version $3)" <<<"$1" && ! grep -q serving <<<"$1"' "$status" "$out" "$newer" "$latest"
out=$("$bin" migrate --database "$old" 2>&1); status=$?
check "sqlite: migrate refuses it too, and changes nothing" \
    bash -c '[[ $0 -eq 1 ]] && grep -q "newer than this mappa knows" <<<"$1" && [[ $(sqlite3 "$2" "SELECT COUNT(*) FROM schema_migrations WHERE version > $3") -eq 1 ]]' "$status" "$out" "$old" "$latest"
out=$("$bin" export cases --database "$old" 2>&1); status=$?
check "sqlite: any other command that opens the database refuses it" bash -c '[[ $0 -eq 1 ]] && grep -q "newer than this mappa knows" <<<"$1"' "$status" "$out"
out=$("$bin" audit verify --database "$old" 2>&1); status=$?
check "sqlite: audit verify refuses it too" bash -c '[[ $0 -eq 1 ]] && grep -q "newer than this mappa knows" <<<"$1"' "$status" "$out"

if [[ -n "${MAPPA_TEST_POSTGRES_URL:-}" ]]; then
    pg_base=${MAPPA_TEST_POSTGRES_URL%/*}
    psql -q "$pg_base/postgres" -c "DROP DATABASE IF EXISTS mappa_cli" -c "CREATE DATABASE mappa_cli" >/dev/null 2>&1
    run_suite postgres "$pg_base/mappa_cli"
    two_instances "$pg_base/mappa_cli"
    echo "-- safe upgrades (postgres)"
    psql -q "$pg_base/postgres" -c "DROP DATABASE IF EXISTS mappa_upgrade" -c "CREATE DATABASE mappa_upgrade" >/dev/null 2>&1
    "$bin" migrate --database "$pg_base/mappa_upgrade" --up-to "$earlier" >/dev/null 2>&1
    psql -q "$pg_base/mappa_upgrade" -c "INSERT INTO settings (key, value) VALUES ('cli.upgrade.marker', 'kept')" >/dev/null
    out=$("$bin" migrate --database "$pg_base/mappa_upgrade" --pg-dump "$work/before-upgrade.dump" 2>&1)
    check "postgres: migrate --pg-dump runs pg_dump before upgrading, and the dump holds the earlier version's records" \
        bash -c 'grep -q "backed up the database (schema version $1) with pg_dump" <<<"$0" && grep -q "applied migration $2" <<<"$0" && pg_restore --data-only --table settings -f - "$3" | grep -q cli.upgrade.marker' "$out" "$earlier" "$latest" "$work/before-upgrade.dump"
    psql -q "$pg_base/postgres" -c "DROP DATABASE IF EXISTS mappa_upgrade" -c "CREATE DATABASE mappa_upgrade" >/dev/null 2>&1
    "$bin" migrate --database "$pg_base/mappa_upgrade" --up-to "$earlier" >/dev/null 2>&1
    psql -q "$pg_base/mappa_upgrade" -c "INSERT INTO settings (key, value) VALUES ('cli.upgrade.marker', 'kept')" >/dev/null
    out=$("$bin" migrate --database "$pg_base/mappa_upgrade" 2>&1)
    check "postgres: without --pg-dump, migrate says how to take a backup with pg_dump and upgrades" \
        bash -c 'grep -q "pg_dump --format=custom" <<<"$0" && grep -q "applied migration $1" <<<"$0"' "$out" "$latest"
    psql -q "$pg_base/mappa_upgrade" -c "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($newer, 'from a newer release', '2027-01-01T00:00:00Z')" >/dev/null
    out=$(timeout 20 "$bin" serve --database "$pg_base/mappa_upgrade" --port "$(free_port)" 2>&1); status=$?
    check "postgres: serve refuses a database a newer release migrated, naming both versions" \
        bash -c '[[ $0 -eq 1 ]] && grep -q "schema version $2, newer than this mappa knows (it knows up to version $3)" <<<"$1"' "$status" "$out" "$newer" "$latest"
fi

echo "cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
