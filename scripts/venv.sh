#!/usr/bin/env bash
# Create .venv (Python >= 3.12) and install requirements.lock into it: the exact versions
# (dependencies + [dev]) that CI tested, each file checked against its sha256 (`make lock`
# regenerates the lock from pyproject.toml). The project itself is not installed: it runs
# from the checkout.
# Quick no-op when .venv/.installed holds the sha256 of the current requirements.lock.
# EPEP_VENV=/some/dir builds the environment there instead of .venv, to check a fresh
# install without touching .venv (only this script honours it).
set -euo pipefail
. "$(dirname "$0")/_common.sh"
cd "$ROOT"

VENV="${EPEP_VENV:-$VENV}"
LOCK="$ROOT/requirements.lock"
STAMP="$VENV/.installed"
export PIP_DISABLE_PIP_VERSION_CHECK=1

[ -f "$LOCK" ] || die "requirements.lock is missing (restore it from git, or run 'make lock')"

venv_ok() {
    [ -x "$VENV/bin/python" ] &&
        "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' \
            >/dev/null 2>&1
}

if ! venv_ok; then
    py="$(bash "$ROOT/scripts/find-python.sh")"
    if [ -e "$VENV" ]; then
        log "existing $VENV is unusable (missing or Python < 3.12): recreating it"
        rm -rf "$VENV"
    fi
    log "creating $VENV with $py ($("$py" --version 2>&1))"
    "$py" -m venv "$VENV" ||
        die "could not create a virtualenv with $py (on Debian/Ubuntu: apt-get install python3-venv)"
fi

lock_hash="$("$VENV/bin/python" - "$LOCK" <<'PY'
import hashlib, sys
with open(sys.argv[1], "rb") as f:
    print(hashlib.sha256(f.read()).hexdigest())
PY
)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$lock_hash" ]; then
    exit 0
fi

log "installing Python dependencies from requirements.lock (pinned, hashes checked)"
PIP_LOG="$VENV/pip-install.log"
# --no-deps: the lock already lists every package the project needs (uv resolved them),
# so pip installs exactly those files and resolves nothing; without it, pip 23 resolving
# an extra such as weasyprint's fonttools[woff] looks for the newest release and refuses it
# as unpinned. `pip check` then proves the set is complete and consistent.
"$VENV/bin/python" -m pip install --require-hashes --no-deps -r "$LOCK" >"$PIP_LOG" 2>&1 ||
    { tail -n 30 "$PIP_LOG" >&2; die "pip install -r requirements.lock failed (full log: $PIP_LOG)"; }
"$VENV/bin/python" -m pip check >>"$PIP_LOG" 2>&1 ||
    { tail -n 30 "$PIP_LOG" >&2; die "requirements.lock is incomplete: pip check failed (full log: $PIP_LOG)"; }
printf '%s\n' "$lock_hash" >"$STAMP"
log "Python dependencies installed"
