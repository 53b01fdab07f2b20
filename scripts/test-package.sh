#!/usr/bin/env bash
# The Debian package, as a force's IT department would take it: built (scripts/build-deb.sh, or the .deb given as
# the argument), checked by lintian (no error, no warning: each accepted one is in packaging/deb/lintian-overrides
# with its reason) and systemd-analyze verify, installed with dpkg, started (with systemd if it runs here;
# otherwise `mappa serve` as the mappa user with the packaged configuration, run from the unit's own ExecStartPre=
# and ExecStart= lines and EnvironmentFile= files, in a mount namespace that reproduces its file-system protections
# where one can be made), /readyz asked on a free port, file owners and modes checked,
# the backup service's command run and its rotation seen, then purged, leaving only what the README says.
# Needs root. Refuses to run where a mappa package, user or directory already exists, so it never touches a real
# installation; everything it makes is removed when it ends, however it ends. Each step is bounded in time.
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then echo "test-package: run as root (it installs and purges the mappa package)" >&2; exit 1; fi
status=$(dpkg-query -W -f='${Status}' mappa 2>/dev/null || true)
if [[ -n $status && $status != *not-installed* ]] || getent passwd mappa >/dev/null || getent group mappa >/dev/null \
    || [[ -e /etc/mappa || -e /var/lib/mappa ]]; then
    echo "test-package: this machine already has a mappa package, user, /etc/mappa or /var/lib/mappa ($status);" \
         "the test installs and purges the package, so it will not run here" >&2
    exit 1
fi

work=$(mktemp -d /tmp/mappa-package.XXXXXX)
server_pid=""
installed=0
systemd=0
[[ -d /run/systemd/system ]] && systemd=1
cleanup() {
    if [[ $systemd -eq 1 && $installed -eq 1 ]]; then
        timeout 60 systemctl stop mappa.service mappa-backup.service mappa-backup.timer >/dev/null 2>&1
    fi
    if [[ -n $server_pid ]]; then
        kill -TERM "$server_pid" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null
    fi
    if [[ $installed -eq 1 ]]; then timeout 120 dpkg --purge mappa >/dev/null 2>&1; fi
    rm -rf /var/lib/mappa   # did not exist before this test (checked above): the purge keeps it, the test does not
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

passed=0
failed=0
check() { # check "what an administrator would check" command...
    local name=$1; shift
    if "$@" >>"$work/log" 2>&1; then passed=$((passed + 1)); echo "  ok   $name"
    else failed=$((failed + 1)); echo "  FAIL $name"; tail -n 20 "$work/log" | sed 's/^/       /'; fi
}
mode_owner() { stat -c '%a %U %G' "$1"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A unit's command as systemd would run it: the EnvironmentFile= files read in order (KEY=value, quotes removed,
# comments and blank lines skipped; a later file wins), then each ${NAME} of the Exec line replaced by its value.
unit_environment() { # unit_environment UNIT -> KEY=value lines
    local file line key value
    for file in $(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$1"); do
        while IFS= read -r line || [[ -n $line ]]; do
            [[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
            key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
            if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
            printf '%s=%s\n' "$key" "$value"
        done <"$file"
    done
}
unit_command() { # unit_command UNIT KEY: sets `unit_argv` to the unit's KEY= line (ExecStart, ExecStartPre) as systemd
    # would run it: as its User=, with its EnvironmentFile= variables only, ${NAME} replaced, in its WorkingDirectory=.
    local unit=$1 key=$2 line word name value entry user environment=() words=()
    user=$(sed -n 's/^User=//p' "$unit")
    mapfile -t environment < <(unit_environment "$unit")
    line=$(sed -n "s/^$key=//p" "$unit")
    for word in $line; do
        while [[ $word =~ \$\{([A-Za-z_][A-Za-z0-9_]*)\} ]]; do
            name=${BASH_REMATCH[1]} value=""
            for entry in "${environment[@]}"; do [[ $entry == "$name="* ]] && value=${entry#*=}; done
            word=${word//"\${$name}"/$value}
        done
        words+=("$word")
    done
    unit_argv=(setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs
             env -i PATH=/usr/bin:/bin "${environment[@]}" "${words[@]}")
    unit_directory=$(sed -n 's/^WorkingDirectory=//p' "$unit")
    unit_writable=$(sed -n 's/^ReadWritePaths=//p' "$unit")
    unit_umask=$(sed -n 's/^UMask=//p' "$unit")
    echo "as $user: ${words[*]}" >>"$work/log"
}
# Where the kernel lets this script make a mount namespace, the unit's file-system protections are reproduced
# around the command: every mount read-only but /proc, /sys, /dev and the ReadWritePaths= (ProtectSystem=strict),
# an empty /tmp and /var/tmp (PrivateTmp=), no home directories (ProtectHome=). So a write anywhere else fails here
# as it would under systemd. `unshare` and `exec` keep the process id: it is the command's own.
sandbox='set -e
writable=$1 directory=$2 mask=$3; shift 3
mount --bind "$writable" "$writable"
mount -o remount,bind,ro /
awk "{ print \$5 }" /proc/self/mountinfo | sort -u | while read -r target; do
    case $target in /|/proc|/proc/*|/sys|/sys/*|/dev|/dev/*|"$writable") ;; *) mount -o remount,bind,ro "$target" 2>/dev/null || true ;; esac
done
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
for home in /home /root /run/user; do if [ -d "$home" ]; then mount -t tmpfs -o ro,mode=0 tmpfs "$home"; fi; done
cd "$directory" && umask "$mask" && exec "$@"'
sandboxed=0
unshare --mount --propagation private true 2>/dev/null && sandboxed=1
run_unit_argv() { # run_unit_argv [timeout SECONDS]: runs unit_argv (from unit_command), sandboxed where it can be
    if [[ $sandboxed -eq 1 ]]; then
        exec "$@" unshare --mount --propagation private bash -c "$sandbox" sandbox "$unit_writable" "$unit_directory" "$unit_umask" "${unit_argv[@]}"
    else
        cd "$unit_directory" && umask "$unit_umask" && exec "$@" "${unit_argv[@]}"
    fi
}
run_like_unit() { # run_like_unit UNIT KEY SECONDS: runs the command and waits for it, for at most SECONDS
    unit_command "$1" "$2"
    (run_unit_argv timeout "$3")
}

if [[ $systemd -eq 1 ]]; then how="with systemd"
elif [[ $sandboxed -eq 1 ]]; then how="without systemd: the unit's commands run by hand, its file-system protections in a mount namespace"
else how="without systemd: the unit's commands run by hand (no mount namespace here, so without its file-system protections)"; fi
echo "Debian package tests ($how)"
if [[ $# -ge 1 ]]; then
    deb=$1
else
    deb=$(scripts/build-deb.sh 2>"$work/build.log" | tail -n 1)
    [[ -f $deb ]] || { cat "$work/build.log"; echo "test-package: the package did not build" >&2; exit 1; }
fi
echo "-- $deb"
check "the package is named mappa_<VERSION>_<arch>.deb" \
    test "$(basename "$deb")" = "mappa_$(tr -d '[:space:]' <VERSION)_$(dpkg --print-architecture).deb"
depends=$(dpkg-deb -f "$deb" Depends)
check "its dependencies are the libraries the binary links (worked out by dpkg-shlibdeps)" \
    bash -c 'for p in libc6 libmicrohttpd12 libsqlite3-0 libpq5 libsodium23 libcurl4 adduser; do grep -q "\b$p\b" <<<"$0" || exit 1; done; ! grep -q swift <<<"$0"' "$depends"
timeout 600 lintian --allow-root --fail-on error,warning --info "$deb" >"$work/lintian.txt" 2>&1; lintian_status=$?
sed 's/^/       lintian: /' "$work/lintian.txt" | grep -Ev 'spelling-error-in-binary' | head -n 20
check "lintian finds no error and no warning" test "$lintian_status" = 0

timeout 120 dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || {
    echo "   (dpkg -i needs dependencies: apt-get install -f)"
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -f -y -qq >>"$work/dpkg.log" 2>&1
}
status=$(dpkg-query -W -f='${Status}' mappa 2>/dev/null)
[[ -n $status && $status != *not-installed* ]] && installed=1
check "dpkg installs it" test "$status" = "install ok installed"
[[ $installed -eq 1 ]] || { cat "$work/dpkg.log"; echo "test-package: not installed; stopping" >&2; exit 1; }

# Its exit status, and nothing said about these units (a booted machine may have something to say about others).
check "systemd-analyze verify passes the units" bash -c \
    'out=$(timeout 60 systemd-analyze verify /lib/systemd/system/mappa.service /lib/systemd/system/mappa-backup.service /lib/systemd/system/mappa-backup.timer 2>&1); s=$?; echo "$out"; [[ $s -eq 0 ]] && ! grep -qi mappa <<<"$out"'
check "mappa is a system user with no shell, at home in /var/lib/mappa, in its own group" bash -c \
    'IFS=: read -r _ _ uid gid _ home shell < <(getent passwd mappa); [[ $uid -lt 1000 && $home == /var/lib/mappa && $shell == */nologin && $(getent group mappa | cut -d: -f3) == "$gid" ]]'
check "/var/lib/mappa is 0700 mappa:mappa" test "$(mode_owner /var/lib/mappa)" = "700 mappa mappa"
check "/etc/mappa/secrets.env is 0600 root:mappa and sets nothing yet" bash -c \
    '[[ $(stat -c "%a %U %G" /etc/mappa/secrets.env) == "600 root mappa" ]] && ! grep -q "^[A-Z]" /etc/mappa/secrets.env'
check "/etc/mappa/mappa.conf is a conffile, 0644, and holds no password" bash -c \
    'dpkg-query -W -f="\${Conffiles}" mappa | grep -q "/etc/mappa/mappa.conf" && [[ $(stat -c %a /etc/mappa/mappa.conf) == 644 ]] && ! grep -Eiq "^[A-Z_]*(PASSWORD|SECRET)[A-Z_]*=" /etc/mappa/mappa.conf'
check "the service and the backup timer are enabled" \
    test -L /etc/systemd/system/multi-user.target.wants/mappa.service -a -L /etc/systemd/system/timers.target.wants/mappa-backup.timer

port=$(free_port)
sed -i -e "s/^MAPPA_PORT=.*/MAPPA_PORT=$port/" -e "s/^MAPPA_BACKUP_KEEP=.*/MAPPA_BACKUP_KEEP=2/" /etc/mappa/mappa.conf
if [[ $systemd -eq 1 ]]; then
    timeout 60 systemctl daemon-reload
    timeout 90 systemctl start mappa.service >>"$work/log" 2>&1
    server_pid=""
    main_pid=$(systemctl show -P MainPID mappa.service)
else
    run_like_unit /lib/systemd/system/mappa.service ExecStartPre 120 >>"$work/log" 2>&1
    unit_command /lib/systemd/system/mappa.service ExecStart
    (run_unit_argv) >"$work/serve.log" 2>&1 &
    server_pid=$!   # setpriv and env exec: this is the server's own process
    main_pid=$server_pid
fi
ready=1
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/readyz" 2>/dev/null | grep -q ready && { ready=0; break; }; sleep 0.1; done
check "/readyz answers on the configured port" test "$ready" = 0
[[ $ready -eq 0 ]] || { tail -n 20 "$work/serve.log" 2>/dev/null; journalctl -u mappa.service -n 20 --no-pager 2>/dev/null; }
check "the server runs as mappa" test "$(ps -o user= -p "$main_pid" 2>/dev/null | tr -d ' ')" = mappa
check "it serves with the packaged settings (Secure cookies, HSTS)" bash -c \
    'curl -s -D - -o /dev/null http://127.0.0.1:'"$port"'/login | grep -qi "^strict-transport-security"'
check "its database is /var/lib/mappa/mappa.sqlite, 0600 mappa:mappa" test "$(mode_owner /var/lib/mappa/mappa.sqlite)" = "600 mappa mappa"

for _ in 1 2 3; do
    if [[ $systemd -eq 1 ]]; then timeout 120 systemctl start mappa-backup.service >>"$work/log" 2>&1
    else run_like_unit /lib/systemd/system/mappa-backup.service ExecStart 120 >>"$work/log" 2>&1; fi
done
mapfile -t backups < <(find /var/lib/mappa/backups -name 'mappa-*.sqlite' | sort)
check "the backup service writes a copy into /var/lib/mappa/backups, keeping MAPPA_BACKUP_KEEP=2 of three" test "${#backups[@]}" = 2
check "each copy is 0600 mappa:mappa and a sound database" bash -c \
    'for f; do [[ $(stat -c "%a %U %G" "$f") == "600 mappa mappa" && $(sqlite3 "$f" "PRAGMA integrity_check") == ok ]] || exit 1; done' _ "${backups[@]}"

if [[ $systemd -eq 1 ]]; then
    timeout 60 systemctl stop mappa.service
else
    kill -TERM "$server_pid"
    stopped=1
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || { stopped=0; break; }; sleep 0.1; done
    check "the server stops on SIGTERM, as systemctl stop sends it" test "$stopped" = 0
    wait "$server_pid" 2>/dev/null; server_pid=""
fi

# Maintainer scripts run again: a reinstall (the upgrade path) keeps what the administrator set.
echo 'MAPPA_SMTP_PASSWORD="synthetic test value"' >>/etc/mappa/secrets.env
uid=$(id -u mappa)
timeout 120 dpkg -i "$deb" >>"$work/log" 2>&1
check "installing again keeps mappa.conf as edited, secrets.env with its password (0600 root:mappa), and the user" bash -c \
    'grep -q "^MAPPA_PORT='"$port"'$" /etc/mappa/mappa.conf && grep -q "^MAPPA_SMTP_PASSWORD=" /etc/mappa/secrets.env && [[ $(stat -c "%a %U %G" /etc/mappa/secrets.env) == "600 root mappa" && $(id -u mappa) == '"$uid"' && $(stat -c "%a %U" /var/lib/mappa) == "700 mappa" ]]'
timeout 120 dpkg -r mappa >>"$work/log" 2>&1
check "dpkg -r removes the program and units, and keeps the settings, passwords, user and data" bash -c \
    '[[ ! -e /usr/bin/mappa && ! -e /lib/systemd/system/mappa.service && -f /etc/mappa/mappa.conf && -f /etc/mappa/secrets.env && -f /var/lib/mappa/mappa.sqlite ]] && getent passwd mappa >/dev/null'

timeout 120 dpkg --purge mappa >>"$work/log" 2>&1
check "dpkg --purge removes the package" bash -c '! dpkg-query -W -f="\${Status}" mappa 2>/dev/null | grep -q "ok installed\|config-files"'
installed=0
check "purge leaves no binary, configuration, passwords or units" bash -c \
    '! ls -d /usr/bin/mappa /etc/mappa /lib/systemd/system/mappa* /etc/systemd/system/mappa* /etc/systemd/system/*/mappa* /usr/share/doc/mappa /usr/share/mappa /var/lib/systemd/deb-systemd-helper-*/mappa* /var/lib/systemd/deb-systemd-helper-*/*/mappa* 2>/dev/null | grep -q .'
check "purge removes the mappa user and group" bash -c '! getent passwd mappa && ! getent group mappa'
check "purge keeps /var/lib/mappa (the database and its backups), given to root, still 0700" bash -c \
    '[[ $(stat -c "%a %U %G" /var/lib/mappa) == "700 root root" && -f /var/lib/mappa/mappa.sqlite && -d /var/lib/mappa/backups ]] && [[ -z $(find /var/lib/mappa ! -user root -o ! -group root) ]]'

# Installed again after a purge, the kept database is the new mappa user's again, and it opens.
timeout 120 dpkg -i "$deb" >>"$work/log" 2>&1 && installed=1
check "a new install after a purge gives the kept database back to mappa, and it opens" bash -c \
    '[[ -z $(find /var/lib/mappa ! -user mappa -o ! -group mappa) && $(stat -c %a /var/lib/mappa) == 700 ]]' 
run_like_unit /lib/systemd/system/mappa.service ExecStartPre 120 >"$work/migrate.log" 2>&1
check "... (mappa migrate, as the unit runs it, reads the kept database)" grep -q "schema version" "$work/migrate.log"
timeout 120 dpkg --purge mappa >>"$work/log" 2>&1 && installed=0

echo "package: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
