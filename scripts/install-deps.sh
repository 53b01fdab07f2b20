#!/usr/bin/env bash
# Installs the Debian packages MAPPA Coordinator needs, only those missing. Run as root on Debian 12.
#   scripts/install-deps.sh          build and run
#   scripts/install-deps.sh --deb    also what building the Debian package needs (dpkg-dev, binutils: `make deb`)
#   scripts/install-deps.sh --test   also what the tests need (PostgreSQL server, sqlite3 CLI, Python venv; for the
#                                    browser tests Chromium and its driver, and Java for the HTML checker; poppler-utils
#                                    and wrk for PDF and load checks; the package's build, lintian, and systemd for
#                                    systemd-analyze verify of its units)
set -euo pipefail

packages=(pkg-config libmicrohttpd-dev libsodium-dev libsqlite3-dev libpq-dev libcurl4-openssl-dev libpango1.0-dev
          libcairo2-dev fonts-dejavu-core libxlsxwriter-dev libpwquality-dev cracklib-runtime)
if [[ "${1:-}" == "--deb" || "${1:-}" == "--test" ]]; then
    packages+=(dpkg-dev binutils)
fi
if [[ "${1:-}" == "--test" ]]; then
    packages+=(postgresql sqlite3 curl python3-venv chromium chromium-driver fonts-liberation openjdk-17-jre-headless poppler-utils wrk
               sqlmap lintian man-db systemd adduser procps)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    echo "Installing: ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then
        echo "Run as root (or install these packages yourself): ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1 && [[ ! -x /opt/swift/usr/bin/swift ]]; then
    echo "Swift 6.3 is not installed (expected on PATH or in /opt/swift)." >&2
    exit 1
fi
