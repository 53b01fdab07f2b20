#!/usr/bin/env bash
# Name, date-of-birth and identifier search at scale (loopback only, bounded):
#   bench/search.sh [ROWS]   imports ROWS synthetic nominals (default 100000), then wrk -t2 -c64 -d10s per query.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
rows=${1:-100000}
swift build -c release --product mappa >/dev/null
bin=.build/release/mappa
work=$(mktemp -d /tmp/mappa-search.XXXXXX)
db="$work/search.sqlite"
python3 bench/generate_register.py --rows "$rows" > "$work/register.csv"
echo "## import of $rows rows"
"$bin" import cases "$work/register.csv" --database "$db" 2>/dev/null | tail -n 1
password=$("$bin" demo --database "$db" | awk '$1 == "demo.coordinator" { print $2 }')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --port "$port" --database "$db" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
jar="$work/jar"
csrf=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n1)
curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf_token=$csrf" --data-urlencode "username=demo.coordinator" \
    --data-urlencode "password=$password" "http://127.0.0.1:$port/login"
session=$(awk '$6 == "mappa_session" { print $7 }' "$jar")
for query in "hollins%20sam" "zoe%20muller" "1980-05-12" "X000777"; do
    results=$(curl -s -H "Cookie: mappa_session=$session" "http://127.0.0.1:$port/nominals?q=$query" | grep -oE 'table__caption">[^<]*' | head -n1 | cut -d'>' -f2 || true)
    echo "## /nominals?q=$query ($results)"
    wrk -t2 -c64 -d10s --latency -H "Cookie: mappa_session=$session" "http://127.0.0.1:$port/nominals?q=$query" \
        | grep -E 'Requests/sec|50%|99%|Non-2xx'
done
