#!/usr/bin/env bash
# Creates .venv-tests (the Python packages the tests use) when it is missing or tests/requirements.txt has
# changed since it was made; otherwise does nothing. Prints the venv's path on its last line.
#   scripts/python-venv.sh            create or refresh
#   scripts/python-venv.sh --force    rebuild from scratch
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-tests
requirements=tests/requirements.txt
stamp="$venv/.requirements.sha256"
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)

if [[ "${1:-}" == "--force" ]]; then rm -rf "$venv"; fi

if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    echo "$PWD/$venv"
    exit 0
fi

echo "Setting up $venv from $requirements" >&2
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade -r "$requirements" >&2
echo "$wanted" >"$stamp"
echo "$PWD/$venv"
