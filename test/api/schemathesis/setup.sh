#!/usr/bin/env bash
# Create or refresh test/api/schemathesis/.venv: schemathesis, pinned (requirements.txt), for the
# property-based test of the Query API against its OpenAPI document (test/api/schemathesis.test.ts).
# Called by that test; idempotent, and returns at once when the venv is up to date. Works from any
# cwd. Needs Python 3.11 with the venv module (C2C_PYTHON picks the interpreter) and, on the first
# run, access to PyPI.
set -euo pipefail

HERE="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$HERE/../../../scripts/setup-python-venv.sh" \
  --name schemathesis \
  --venv "$HERE/.venv" \
  --requirements "$HERE/requirements.txt" \
  --python 3.11 \
  --why "The project's Python venvs all use Python 3.11, as AWS Glue 5.0 does" \
  --stamp-schema "c2c-schemathesis-venv/1" \
  --report schemathesis
