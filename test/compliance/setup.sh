#!/usr/bin/env bash
# Create or refresh test/compliance/.venv: checkov and cfn-lint, pinned (requirements.txt), for the
# lint of the synthesized CloudFormation templates (test/infra/template-lint.test.ts). Called by
# `npm run test:ts` and by that test; idempotent, and returns at once when the venv is up to date.
# Works from any cwd. Needs Python 3.11 with the venv module (C2C_PYTHON picks the interpreter)
# and, on the first run, access to PyPI.
set -euo pipefail

HERE="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$HERE/../../scripts/setup-python-venv.sh" \
  --name compliance \
  --venv "$HERE/.venv" \
  --requirements "$HERE/requirements.txt" \
  --python 3.11 \
  --why "The project's Python venvs all use Python 3.11, as AWS Glue 5.0 does" \
  --stamp-schema "c2c-compliance-venv/1" \
  --report checkov
