#!/usr/bin/env bash
# Create or refresh a project-local Python virtualenv and install a pinned requirements file into
# it. Shared by the project's venvs (glue-jobs/.venv, test/aws-local/.venv, test/compliance/.venv
# and others); each has a small wrapper script that calls this one with its own options.
#
#   setup-python-venv.sh --name NAME --venv DIR --requirements FILE --python X.Y --stamp-schema S
#                        [--why TEXT] [--report PACKAGE] [--note TEXT]
#
#   --name          short name for messages (e.g. glue-jobs)
#   --venv          the virtualenv folder (created if missing)
#   --requirements  a lock file: exact pins (name==version) only, `-r other.txt` includes allowed;
#                   together with its includes it must be the complete dependency closure
#                   (installed with --no-deps; `pip check` proves it complete)
#   --python        the Python version the venv must have (major.minor)
#   --stamp-schema  part of the up-to-date stamp; bump it to force a reinstall after changing how
#                   the venv is built (and bump every caller's after changing this script's steps)
#   --why           why that Python version, for the error message when it is missing
#   --report        a package whose pinned version the final message shows
#   --note          more text for the final message (e.g. the Java version)
#
# Idempotent: a stamp file in the venv holds a hash of the requirements files and the interpreter
# version; when it matches, nothing is installed and the script returns at once. Concurrent runs
# for the same venv are serialised. Works from any cwd. Needs the Python version with its venv
# module and, on the first run, access to PyPI. Set C2C_PYTHON to choose a specific interpreter.
set -euo pipefail

NAME="" VENV="" REQUIREMENTS="" WANT_PY="" STAMP_SCHEMA="" WHY="" REPORT="" NOTE=""
die() {
  printf 'setup-venv: error: %s\n' "$*" >&2
  exit 1
}
while [[ $# -gt 0 ]]; do
  [[ $# -ge 2 ]] || die "option $1 needs a value"
  case "$1" in
    --name) NAME="$2" ;;
    --venv) VENV="$2" ;;
    --requirements) REQUIREMENTS="$2" ;;
    --python) WANT_PY="$2" ;;
    --stamp-schema) STAMP_SCHEMA="$2" ;;
    --why) WHY="$2" ;;
    --report) REPORT="$2" ;;
    --note) NOTE="$2" ;;
    *) die "unknown option $1" ;;
  esac
  shift 2
done
[[ -n "$NAME" ]] || die "missing --name"
[[ -n "$VENV" ]] || die "missing --venv"
[[ -n "$REQUIREMENTS" ]] || die "missing --requirements"
[[ -n "$WANT_PY" ]] || die "missing --python"
[[ -n "$STAMP_SCHEMA" ]] || die "missing --stamp-schema"
[[ "$WANT_PY" =~ ^[0-9]+\.[0-9]+$ ]] || die "--python takes major.minor (e.g. 3.11), not '$WANT_PY'"
[[ -f "$REQUIREMENTS" ]] || die "no requirements file $REQUIREMENTS"
REQUIREMENTS="$(cd -- "$(dirname -- "$REQUIREMENTS")" && pwd)/$(basename -- "$REQUIREMENTS")"
mkdir -p -- "$(dirname -- "$VENV")"
VENV="$(cd -- "$(dirname -- "$VENV")" && pwd)/$(basename -- "$VENV")"
STAMP="$VENV/.c2c-requirements.sha256"

say() { printf 'setup-venv: %s\n' "$*" >&2; }

# Serialise concurrent runs for this venv (e.g. two jest workers, or two `npm run test:py`), on
# its requirements file: one lock per venv, and no lock file to clean up.
if command -v flock >/dev/null 2>&1; then
  exec 9<"$REQUIREMENTS"
  flock 9
fi

# --- Python ---------------------------------------------------------------------------------------
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
[[ -n "$PY" ]] || die "Python $WANT_PY not found (tried: ${candidates[*]}).${WHY:+ $WHY;}
  install it (e.g. 'apt-get install python$WANT_PY python$WANT_PY-venv', or 'pyenv install $WANT_PY')
  or point C2C_PYTHON at a Python $WANT_PY interpreter."
"$PY" -c 'import ensurepip, venv' 2>/dev/null ||
  die "$PY has no venv/ensurepip module (on Debian/Ubuntu: apt-get install python$WANT_PY-venv)."

# --- Requirements files: the file and its `-r` includes, includes first ---------------------------
files_py='
import os, sys

def walk(path, seen):
    path = os.path.realpath(path)
    if path in seen:
        return []
    seen.add(path)
    found = []
    with open(path) as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if line.startswith(("-r ", "--requirement ")):
                found += walk(os.path.join(os.path.dirname(path), line.split(None, 1)[1].strip()), seen)
    return found + [path]

print("\n".join(walk(sys.argv[1], set())))
'
mapfile -t requirement_files < <("$PY" -c "$files_py" "$REQUIREMENTS")

# --- Up to date? ----------------------------------------------------------------------------------
want_stamp="$("$PY" - "$STAMP_SCHEMA" "${requirement_files[@]}" <<'PYEOF'
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
  in $(basename -- "$REQUIREMENTS") (or a file it includes), exact versions."
fi

printf '%s\n' "$want_stamp" >"$STAMP.tmp"
mv -f "$STAMP.tmp" "$STAMP"
report=""
if [[ -n "$REPORT" ]]; then
  report=", $("$venv_py" -m pip list --format=freeze 2>/dev/null | grep -i "^$REPORT==" || echo "$REPORT ?")"
fi
say "$NAME ready in $((SECONDS - started))s: $("$venv_py" --version 2>&1)$report${NOTE:+, $NOTE}"
