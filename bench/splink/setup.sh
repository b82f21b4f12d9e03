#!/usr/bin/env bash
# Creates the bench-only virtualenv for bench/splink/*.py (default: $TMPDIR/c2c-splink-venv, or $SPLINK_VENV): kept out of the work tree.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${SPLINK_VENV:-${TMPDIR:-/tmp}/c2c-splink-venv}"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet -r "$here/requirements.txt"
"$venv/bin/python" -c 'import splink, duckdb; print(f"splink {splink.__version__}, duckdb {duckdb.__version__} in '"$venv"'")'
