#!/usr/bin/env bash
# Create .venv (Python >= 3.12) and install the project's dependencies incl. the dev extra.
# Quick no-op when .venv/.installed is newer than pyproject.toml.
set -euo pipefail
. "$(dirname "$0")/_common.sh"
cd "$ROOT"

STAMP="$VENV/.installed"
export PIP_DISABLE_PIP_VERSION_CHECK=1

venv_ok() {
    [ -x "$VENV/bin/python" ] &&
        "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' \
            >/dev/null 2>&1
}

if ! venv_ok; then
    py="$(bash "$ROOT/scripts/find-python.sh")"
    if [ -e "$VENV" ]; then
        log "existing .venv is unusable (missing or Python < 3.12): recreating it"
        rm -rf "$VENV"
    fi
    log "creating .venv with $py ($("$py" --version 2>&1))"
    "$py" -m venv "$VENV" ||
        die "could not create a virtualenv with $py (on Debian/Ubuntu: apt-get install python3-venv)"
fi

if [ -f "$STAMP" ] && [ "$STAMP" -nt pyproject.toml ]; then
    exit 0
fi

log "installing Python dependencies from pyproject.toml (incl. [dev])"
# pyproject has `[tool.setuptools] packages = []`, so this installs only the dependencies
# (plus an empty 'epep' distribution). If building that fails for any reason, fall back
# to installing the dependency lists read straight from pyproject.toml.
PIP_LOG="$VENV/pip-install.log"
if ! "$VENV/bin/python" -m pip install -e '.[dev]' >"$PIP_LOG" 2>&1; then
    tail -n 15 "$PIP_LOG" >&2
    warn "'pip install -e .[dev]' failed; installing the dependency lists directly"
    mapfile -t reqs < <("$VENV/bin/python" - <<'PY'
import tomllib
with open("pyproject.toml", "rb") as f:
    project = tomllib.load(f)["project"]
for req in project.get("dependencies", []) + project.get("optional-dependencies", {}).get("dev", []):
    print(req)
PY
)
    "$VENV/bin/python" -m pip install "${reqs[@]}" >"$PIP_LOG" 2>&1 ||
        { tail -n 30 "$PIP_LOG" >&2; die "pip install failed (full log: $PIP_LOG)"; }
fi
touch "$STAMP"
log "Python dependencies installed"
