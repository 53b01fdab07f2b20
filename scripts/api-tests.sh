#!/usr/bin/env bash
# Tests the JSON API over real HTTP on loopback, as an integrating system would meet it: a fresh database with
# synthetic records, an API token from `mappa token create`, the OpenAPI document checked with
# openapi-spec-validator, then schemathesis generating requests from the document (every check) and comparing
# every response with it. Runs on SQLite, and on PostgreSQL too when MAPPA_TEST_POSTGRES_URL names a server
# (a throwaway database is created there and dropped). Exits non-zero on any failure.
# Uses $MAPPA_BIN (default: the debug build's mappa); the Python tools come from .venv-tests (scripts/python-venv.sh).
# API_TESTS_EXAMPLES (default 50) and API_TESTS_SECONDS (default 240) bound each schemathesis run.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
root=$(pwd)
bin=${MAPPA_BIN:-$(swift build --show-bin-path)/mappa}
[[ -x "$bin" ]] || { echo "api-tests: no mappa binary at $bin (build it first: swift build)" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
examples=${API_TESTS_EXAMPLES:-50}
schemathesis_seconds=${API_TESTS_SECONDS:-240}

venv=$(scripts/python-venv.sh | tail -n 1) || exit 2

work=$(mktemp -d /tmp/mappa-api.XXXXXX)
server_pid=""
pg_database=""
cleanup() {
    if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    [[ -n "$pg_database" ]] && psql -q "${MAPPA_TEST_POSTGRES_URL%/*}/postgres" -c "DROP DATABASE IF EXISTS $pg_database" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
failed=0
fail() { echo "  FAIL $*"; failed=$((failed + 1)); }
ok() { echo "  ok   $*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Invented people only (DESIGN.md register columns): Category 4 is restricted by default, one case has ended.
cat >"$work/register.csv" <<'CSV'
nominal_ref,family_name,given_names,aliases,date_of_birth,gender,ethnicity,pnc_id,visor_ref,crn,category,level,lead_agency,mappa_start_date,statutory_end_date,next_review_date,rosh,custody_status,release_date,status,exit_date,exit_reason
SYN-0001,Examplesson,Jordan,Jay;JJ,1984-03-02,Male,White British,84/100001A,VR0001,X100001,1,1,police,2021-05-01,2031-05-01,,medium,community,,active,,
SYN-0002,Samplewood,Casey,,1990-11-23,Female,Mixed White and Black Caribbean,90/100002B,,X100002,2,2,probation,2023-01-15,2027-01-15,2026-12-01,high,community,,active,,
SYN-0003,Placeholder,Morgan,Mo,1979-07-14,Male,Asian British,79/100003C,,X100003,4,3,police,2024-02-01,,2026-12-15,very high,custody,2027-06-01,active,,
SYN-0004,Fictional,Riley,,1972-01-30,Male,White Irish,72/100004D,VR0004,,3,,probation,2019-09-09,,,low,community,,exited,2024-09-09,Order expired
CSV

form='{"levelRequested":2,"category":2,"familyName":"Syntheticson","givenNames":"Avery","dateOfBirth":"1988-04-12",
 "gender":"Female","ethnicity":"White British","currentAddress":"1 Example Street, Testtown","pncId":"88/100005E",
 "custodyStatus":"community","indexOffences":"Wounding","sentence":"3 years","offenceDetails":"- Invented for testing",
 "reasonForReferral":"Threats to a neighbour","roshOverall":"high","roshByGroup":{"public":"high","children":"low"},
 "victimInformation":"Neighbour","diversityNeeds":"None known","currentRiskManagementPlan":"Weekly reporting",
 "multiAgencyValue":"Housing and police must co-ordinate","leadAgency":"probation","agenciesInvolved":["housing"],
 "managerAuthorisedBy":"SPO Example","managerAuthorisedOn":"2026-01-05"}'

run_suite() { # run_suite LABEL DATABASE
    local label=$1 db=$2 port base token demo demo_password id status started
    port=$(free_port)
    base="http://127.0.0.1:$port"
    echo "-- $label: a fresh database with synthetic records"
    "$bin" migrate --database "$db" >/dev/null || { fail "$label: migrate"; return; }
    echo "kettle orbit meadow 42" | "$bin" user add --database "$db" --username api.coordinator \
        --name "Api Coordinator" --role coordinator --agency mappa_unit >/dev/null || { fail "$label: user add"; return; }
    token=$("$bin" token create --database "$db" --user api.coordinator --name "api tests" --days 1 2>/dev/null)
    [[ $token == mappa_* ]] && ok "$label: mappa token create prints a token" || { fail "$label: mappa token create"; return; }
    "$bin" import cases "$work/register.csv" --database "$db" >/dev/null 2>&1 || { fail "$label: import cases"; return; }
    demo=$("$bin" demo --database "$db" 2>&1) || { fail "$label: demo"; return; }
    demo_password=$(awk '$1 == "demo.coordinator" { print $2 }' <<<"$demo")

    "$bin" serve --port "$port" --database "$db" >"$work/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fs "$base/healthz" >/dev/null || { fail "$label: the server did not start"; cat "$work/serve.log"; return; }

    api() { # api METHOD PATH [JSON]: body on stdout, status in $work/status
        local args=(-s -o "$work/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $token")
        [[ $# -ge 3 ]] && args+=(-H "Content-Type: application/json" --data-binary "$3")
        curl "${args[@]}" "$base$2" >"$work/status"
        cat "$work/body"
    }
    # Referrals through the API: two submitted, then screened on the pages (accepted, declined); one left a draft.
    local referral_ids=()
    for _ in 1 2 3; do
        id=$(api POST /api/v1/referrals "$form" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
        [[ $(cat "$work/status") == 201 && -n $id ]] && referral_ids+=("$id")
    done
    [[ ${#referral_ids[@]} -eq 3 ]] && ok "$label: three referrals created through the API" || { fail "$label: create referrals"; return; }
    for id in "${referral_ids[@]:0:2}"; do
        api POST "/api/v1/referrals/$id/submit" >/dev/null
        [[ $(cat "$work/status") == 200 ]] && ok "$label: referral $id submitted through the API" || fail "$label: submit referral $id"
    done
    local jar="$work/cookies-$label" csrf
    csrf=$(curl -s -c "$jar" "$base/login" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
    curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf_token=$csrf" --data-urlencode "username=demo.coordinator" \
        --data-urlencode "password=$demo_password" "$base/login"
    screen() { # screen ID FIELD=VALUE...: records a decision through the screening page
        local referral=$1 page_csrf; shift
        page_csrf=$(curl -s -b "$jar" "$base/referrals/$referral/screening" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
        local args=(--data-urlencode "csrf_token=$page_csrf" --data-urlencode "action=decide" --data-urlencode "rosh=high")
        for field in "$@"; do args+=(--data-urlencode "$field"); done
        [[ $(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "${args[@]}" "$base/referrals/$referral/screening") == 303 ]]
    }
    screen "${referral_ids[0]}" adds_value=yes decision=accept level=2 "rationale=Meets 7.4(a)." \
        && ok "$label: referral ${referral_ids[0]} accepted at screening" || fail "$label: accept referral ${referral_ids[0]}"
    screen "${referral_ids[1]}" decision=decline "decline_reason=Managed well by probation alone." "rationale=No added value." \
        && ok "$label: referral ${referral_ids[1]} declined at screening" || fail "$label: decline referral ${referral_ids[1]}"
    local decisions
    decisions=$(api GET "/api/v1/screening-decisions?since=2000-01-01" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))' 2>/dev/null)
    [[ $(cat "$work/status") == 200 && $decisions == 2 ]] && ok "$label: the API lists both screening decisions" \
        || fail "$label: list screening decisions ($(cat "$work/status"), ${decisions:-no} items)"

    if curl -fs -o "$work/openapi.json" "$base/api/openapi.json"; then
        if "$venv/bin/openapi-spec-validator" "$work/openapi.json" >"$work/validator.log" 2>&1; then
            ok "$label: openapi-spec-validator accepts /api/openapi.json"
        else
            fail "$label: openapi-spec-validator rejects /api/openapi.json"; sed 's/^/       /' "$work/validator.log" | head -40
        fi
    else
        fail "$label: GET /api/openapi.json"
    fi

    echo "-- $label: schemathesis (all checks, $examples examples per operation, at most ${schemathesis_seconds}s)"
    started=$(date +%s)
    (cd "$work" && timeout --signal=INT "$schemathesis_seconds" "$venv/bin/schemathesis" run "$base/api/openapi.json" \
        --url "$base" --checks all --max-examples "$examples" --header "Authorization: Bearer $token" \
        --generation-database none --request-timeout 10 --no-color) >"$work/schemathesis.log" 2>&1
    status=$?
    sed -n '/^=* \(FAILURES\|WARNINGS\|SUMMARY\)/,$p' "$work/schemathesis.log" | head -300 | sed 's/^/       /'
    if [[ $status -eq 0 ]]; then
        ok "$label: schemathesis found nothing ($(( $(date +%s) - started ))s)"
    elif [[ $status -eq 124 || $status -eq 130 ]]; then
        fail "$label: schemathesis did not finish within ${schemathesis_seconds}s"; tail -n 40 "$work/schemathesis.log"
    else
        fail "$label: schemathesis found failures (exit $status)"
        grep -q "FAILURES" "$work/schemathesis.log" || tail -n 60 "$work/schemathesis.log"
    fi
    echo "       responses by status: $(python3 -c 'import json,sys,collections
c=collections.Counter(json.loads(l)["status"] for l in open(sys.argv[1]) if l.startswith("{"))
print(", ".join(f"{k}: {v}" for k,v in sorted(c.items())))' "$work/serve.log")"
    grep -q '"status":5' "$work/serve.log" && fail "$label: the server answered 5xx $(grep -c '"status":5' "$work/serve.log") times"

    kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""
    local out
    out=$("$bin" audit verify --database "$db" 2>&1) && ok "$label: audit chain intact after the run" || fail "$label: audit verify: $out"
}

echo "API tests"
run_suite sqlite "$work/api.sqlite"
if [[ -n "${MAPPA_TEST_POSTGRES_URL:-}" ]]; then
    pg_database="mappa_api_$$"
    if psql -q "${MAPPA_TEST_POSTGRES_URL%/*}/postgres" -c "CREATE DATABASE $pg_database" >/dev/null 2>&1; then
        run_suite postgres "${MAPPA_TEST_POSTGRES_URL%/*}/$pg_database"
    else
        fail "postgres: cannot create a database on $MAPPA_TEST_POSTGRES_URL"
    fi
fi
echo "api tests: $failed failed"
[[ $failed -eq 0 ]]
