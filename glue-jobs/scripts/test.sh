#!/usr/bin/env bash
# Type-check (mypy --strict) and test (pytest) glue-jobs in its project-local virtualenv.
# Called by `npm run test:py`; works from any cwd. Extra arguments go to pytest
# (e.g. `bash glue-jobs/scripts/test.sh -k levenshtein`).
set -euo pipefail

SCRIPTS_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
GLUE_DIR="$(dirname -- "$SCRIPTS_DIR")"

bash "$SCRIPTS_DIR/setup-venv.sh"

cd "$GLUE_DIR" # mypy and pytest read their settings from glue-jobs/pyproject.toml
venv_py="$GLUE_DIR/.venv/bin/python"

# Use the PySpark installed in the venv, whatever the caller's environment says: pyspark would
# otherwise launch the Spark found at $SPARK_HOME, and PYSPARK_SUBMIT_ARGS changes how it starts.
# (local_spark_session points the Python workers at the driver's interpreter itself.)
unset SPARK_HOME PYSPARK_SUBMIT_ARGS PYSPARK_DRIVER_PYTHON

status=0

echo "test.sh: mypy --strict" >&2
"$venv_py" -m mypy || status=1

echo "test.sh: pytest" >&2
pytest_status=0
"$venv_py" -m pytest "$@" || pytest_status=$?
case "$pytest_status" in
  0) ;;
  5)
    echo "test.sh: FAILED: pytest collected no tests in glue-jobs/tests; the Python suite must not silently run nothing." >&2
    status=1
    ;;
  *)
    echo "test.sh: FAILED: pytest exited with status $pytest_status." >&2
    status=1
    ;;
esac

if [[ "$status" -ne 0 ]]; then
  exit "$status"
fi
echo "test.sh: glue-jobs checks passed" >&2
