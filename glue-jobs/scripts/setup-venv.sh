#!/usr/bin/env bash
# Create or refresh the project-local virtualenv glue-jobs/.venv (Python 3.11, as on AWS Glue 5.0)
# and install the pinned requirements into it.
#
# Idempotent: a stamp file in the venv holds a hash of the requirements files and the interpreter
# version; when it matches, nothing is installed and the script returns at once.
# Works from any cwd. Needs: python3.11 with the venv module, Java (17, as on Glue 5.0), and
# access to PyPI on the first run. Set C2C_PYTHON to choose a specific 3.11 interpreter.
set -euo pipefail

GLUE_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$GLUE_DIR/.venv"
STAMP="$VENV/.c2c-requirements.sha256"
REQUIREMENTS="$GLUE_DIR/requirements-dev.txt" # includes requirements.txt via -r
WANT_PY="3.11"                                # AWS Glue 5.0
WANT_JAVA="17"                                # AWS Glue 5.0
STAMP_SCHEMA="c2c-glue-venv/1"                # bump to force a reinstall after changing this script

say() { printf 'setup-venv: %s\n' "$*" >&2; }
die() {
  printf 'setup-venv: error: %s\n' "$*" >&2
  exit 1
}

# Serialise concurrent runs (e.g. two `npm run test:py` at once) on this script file.
if command -v flock >/dev/null 2>&1; then
  exec 9<"${BASH_SOURCE[0]}"
  flock 9
fi

# --- Python 3.11 ----------------------------------------------------------------------------------
PY=""
if [[ -n "${C2C_PYTHON:-}" ]]; then
  candidates=("$C2C_PYTHON")
else
  candidates=("python$WANT_PY" python3)
fi
for candidate in "${candidates[@]}"; do
  # Run it rather than trusting `command -v`: a pyenv shim exists even when the version is absent.
  if exe="$("$candidate" -c "import sys; print(sys.executable if sys.version_info[:2] == (${WANT_PY/./, }) else '')" 2>/dev/null)" &&
    [[ -n "$exe" ]]; then
    PY="$exe"
    break
  fi
done
[[ -n "$PY" ]] || die "Python $WANT_PY not found (tried: ${candidates[*]}). AWS Glue 5.0 runs Python $WANT_PY;
  install it (e.g. 'apt-get install python$WANT_PY python$WANT_PY-venv', or 'pyenv install $WANT_PY')
  or point C2C_PYTHON at a Python $WANT_PY interpreter."
"$PY" -c 'import ensurepip, venv' 2>/dev/null ||
  die "$PY has no venv/ensurepip module (on Debian/Ubuntu: apt-get install python$WANT_PY-venv)."

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

# --- Up to date? ----------------------------------------------------------------------------------
want_stamp="$("$PY" - "$STAMP_SCHEMA" "$GLUE_DIR/requirements.txt" "$REQUIREMENTS" <<'PYEOF'
import hashlib, sys
h = hashlib.sha256()
h.update(sys.argv[1].encode() + b"\0" + sys.version.encode() + b"\0")
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        h.update(path.rsplit("/", 1)[-1].encode() + b"\0" + f.read() + b"\0")
print(h.hexdigest())
PYEOF
)"
venv_py="$VENV/bin/python"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want_stamp" ]] && "$venv_py" -c '' 2>/dev/null; then
  say "up to date ($VENV)"
  exit 0
fi

# --- Requirements are a lock file: exact pins (name==version) only --------------------------------
pins_py='
import importlib.metadata as md, os, re, sys

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

def pinned(path):
    names = set()
    with open(path) as f:
        for number, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith(("-r ", "--requirement ")):
                names |= pinned(os.path.join(os.path.dirname(path), line.split(None, 1)[1].strip()))
            elif re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!-]+", line):
                names.add(norm(line.split("==", 1)[0]))
            else:
                sys.exit(f"setup-venv: error: {path}:{number}: not an exact pin (name==version): {line!r}")
    return names

keep = pinned(sys.argv[1]) | {"pip", "setuptools", "wheel"}
if sys.argv[2] == "stale":
    print(" ".join(sorted({norm(d.metadata["Name"]) for d in md.distributions()} - keep)))
'
"$PY" -c "$pins_py" "$REQUIREMENTS" check

# --- (Re)create and install -----------------------------------------------------------------------
started=$SECONDS
base_version="$("$PY" -c 'import sys; print(sys.version)')"
if ! venv_version="$("$venv_py" -c 'import sys; print(sys.version)' 2>/dev/null)" ||
  [[ "$venv_version" != "$base_version" ]]; then
  say "creating $VENV with $PY ($("$PY" --version 2>&1))"
  "$PY" -m venv --clear "$VENV"
fi
rm -f "$STAMP"

say "installing the pinned requirements into $VENV"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
# --no-deps: the requirements files are the exact closure; `pip check` below proves it complete.
"$venv_py" -m pip install --quiet --no-deps -r "$REQUIREMENTS"

# Remove packages that are no longer pinned (left over from an older requirements file).
stale="$("$venv_py" -c "$pins_py" "$REQUIREMENTS" stale)"
if [[ -n "$stale" ]]; then
  say "removing packages no longer pinned: $stale"
  # shellcheck disable=SC2086
  "$venv_py" -m pip uninstall --quiet --yes $stale
fi

if ! check_output="$("$venv_py" -m pip check 2>&1)"; then
  printf '%s\n' "$check_output" >&2
  die "the pinned requirements are not a complete dependency closure; pin the missing packages
  in $(basename "$REQUIREMENTS") or requirements.txt (exact versions)."
fi

printf '%s\n' "$want_stamp" >"$STAMP.tmp"
mv -f "$STAMP.tmp" "$STAMP"
say "ready in $((SECONDS - started))s: $("$venv_py" --version 2>&1), $("$venv_py" -m pip list --format=freeze 2>/dev/null | grep -i '^pyspark==' || echo 'pyspark ?'), Java $java_version"
