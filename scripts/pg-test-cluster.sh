#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, on loopback only, never systemd.
#   scripts/pg-test-cluster.sh start DIR PORT   creates DIR, starts the server, creates mappa_test, prints its URL
#   scripts/pg-test-cluster.sh stop DIR
#   scripts/pg-test-cluster.sh restart DIR      (tests of reconnecting after a server restart)
# initdb and pg_ctl refuse to run as root, so as root they run as the postgres user.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
command=${1:?start|stop|restart}
dir=${2:?data directory}
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$command" in
start)
    port=${3:?port}
    [[ -x "$bin/initdb" ]] || { echo "PostgreSQL 15 is not installed (apt-get install postgresql)" >&2; exit 1; }
    if [[ -f "$dir/data/postmaster.pid" ]]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >"$dir/initdb.log" 2>&1
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=300" start >/dev/null
    echo "$port" >"$dir/port"
    as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE DATABASE mappa_test" postgres
    echo "postgres://postgres@127.0.0.1:$port/mappa_test"
    ;;
stop)
    [[ -d "$dir/data" ]] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    ;;
restart)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w restart >/dev/null
    ;;
*)
    echo "usage: $0 start DIR PORT | stop DIR | restart DIR" >&2; exit 2 ;;
esac
