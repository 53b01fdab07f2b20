#!/usr/bin/env bash
# Throughput of the foundation on this machine (release build, loopback only, bounded):
#   wrk -t2 -c64 -d10s on /healthz (the server's own ceiling) and on the signed-in home page.
# Usage: bench/foundation.sh [sqlite|postgres://URL]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product mappa >/dev/null
bin=.build/release/mappa
work=$(mktemp -d /tmp/mappa-bench.XXXXXX)
database=${1:-sqlite}
[[ "$database" == sqlite ]] && database="$work/bench.sqlite"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
password=$("$bin" demo --database "$database" | awk '$1 == "demo.coordinator" { print $2 }')
"$bin" serve --port "$port" --database "$database" >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
jar="$work/jar"
csrf=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -n1)
curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf_token=$csrf" --data-urlencode "username=demo.coordinator" \
    --data-urlencode "password=$password" "http://127.0.0.1:$port/login"
session=$(awk '$6 == "mappa_session" { print $7 }' "$jar")
echo "## /healthz"
wrk -t2 -c64 -d10s --latency "http://127.0.0.1:$port/healthz" | grep -E 'Requests/sec|50%|99%|Non-2xx'
echo "## / (signed in as the demo coordinator)"
wrk -t2 -c64 -d10s --latency -H "Cookie: mappa_session=$session" "http://127.0.0.1:$port/" | grep -E 'Requests/sec|50%|99%|Non-2xx'
echo "## peak RSS of the server (kB)"
grep VmHWM "/proc/$pid/status"
