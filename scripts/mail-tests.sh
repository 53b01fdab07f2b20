#!/usr/bin/env bash
# Mail delivery end to end (tests/mail/test_mail_delivery.py): the built `mappa` binary sends through libcurl to
# an aiosmtpd sink on 127.0.0.1; the invitation is checked with `icalendar`; the sink is stopped and restarted to
# show that queued mail waits and is then delivered, and that an administrator can retry a failed message.
# Uses MAPPA_BIN when set, otherwise builds (debug). Python tools come from .venv-tests (scripts/python-venv.sh).
# Bounded: the whole run is killed after 5 minutes. Loopback only; everything is in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

MAPPA_BIN=$(scripts/mappa-bin.sh)

venv=$(scripts/python-venv.sh | tail -n 1)

echo "== mail delivery tests"
exec timeout --kill-after=10 300 "$venv/bin/python" tests/mail/test_mail_delivery.py --bin "$MAPPA_BIN"
