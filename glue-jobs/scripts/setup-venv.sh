#!/usr/bin/env bash
# Create or refresh the project-local virtualenv glue-jobs/.venv (Python 3.11, as on AWS Glue 5.0)
# and install the pinned requirements into it.
#
# Idempotent: a stamp file in the venv holds a hash of the requirements files and the interpreter
# version; when it matches, nothing is installed and the script returns at once.
# Works from any cwd. Needs: python3.11 with the venv module, Java (17, as on Glue 5.0), and
# access to PyPI on the first run. Set C2C_PYTHON to choose a specific 3.11 interpreter.
# The venv itself is built by the shared scripts/setup-python-venv.sh; this wrapper adds the
# Glue-specific parts (Python and Java versions, the Java check).
set -euo pipefail

GLUE_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(dirname -- "$GLUE_DIR")"
WANT_PY="3.11"  # AWS Glue 5.0
WANT_JAVA="17"  # AWS Glue 5.0

say() { printf 'setup-venv: %s\n' "$*" >&2; }
die() {
  printf 'setup-venv: error: %s\n' "$*" >&2
  exit 1
}

# --- Java -----------------------------------------------------------------------------------------
# PySpark starts the JVM with $JAVA_HOME/bin/java if JAVA_HOME is set, else with `java` on PATH.
if [[ -n "${JAVA_HOME:-}" ]]; then
  JAVA="$JAVA_HOME/bin/java"
  [[ -x "$JAVA" ]] || die "JAVA_HOME is set to '$JAVA_HOME' but $JAVA is not executable; fix or unset JAVA_HOME."
elif command -v java >/dev/null 2>&1; then
  JAVA="java"
else
  die "Java not found (no JAVA_HOME, no 'java' on PATH). Spark needs a JVM; AWS Glue 5.0 uses Java $WANT_JAVA:
  install OpenJDK $WANT_JAVA (e.g. 'apt-get install openjdk-$WANT_JAVA-jre-headless') or set JAVA_HOME."
fi
java_version="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)" || true
[[ -n "$java_version" ]] || die "'$JAVA -version' did not report a version; is a JDK/JRE really installed?"
java_major="${java_version%%.*}"
[[ "$java_major" == "1" ]] && java_major="$(cut -d. -f2 <<<"$java_version")" # 1.8.0_x -> 8
if [[ "$java_major" != "$WANT_JAVA" ]]; then
  say "warning: Java $java_version found; AWS Glue 5.0 runs Java $WANT_JAVA, and Spark 3.5 supports 8, 11 and 17 only."
fi

# --- Python venv ----------------------------------------------------------------------------------
# requirements-dev.txt includes requirements.txt via -r. The stamp schema is unchanged from before
# the shared script, so existing venvs stay up to date; bump it to force a reinstall.
exec bash "$REPO_DIR/scripts/setup-python-venv.sh" \
  --name glue-jobs \
  --venv "$GLUE_DIR/.venv" \
  --requirements "$GLUE_DIR/requirements-dev.txt" \
  --python "$WANT_PY" \
  --why "AWS Glue 5.0 runs Python $WANT_PY" \
  --stamp-schema "c2c-glue-venv/1" \
  --report pyspark \
  --note "Java $java_version"
