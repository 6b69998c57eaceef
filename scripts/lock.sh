#!/usr/bin/env bash
# `make lock`: regenerate requirements.lock from pyproject.toml (dependencies + [dev]).
#
# The lock pins every package, direct or not, to one version with the sha256 of each of
# its files on PyPI, for every platform and Python >= 3.12 (`--universal`); scripts/venv.sh
# installs exactly that with `pip install --require-hashes`.
#
# Versions already in requirements.lock are kept (only what pyproject.toml no longer
# allows, and new packages, are resolved afresh). To move on:
#   make lock UPGRADE=django            one package (several: UPGRADE='django celery')
#   make lock UPGRADE=all               everything pyproject.toml allows
# The compiler is uv, itself pinned in the lock ([dev]); UV=/path/to/uv overrides it.
set -euo pipefail
. "$(dirname "$0")/_common.sh"
cd "$ROOT"

LOCK="requirements.lock"
UV="${UV:-$VENV/bin/uv}"
[ -x "$UV" ] || die "$UV not found: run 'make venv' first (uv is in the [dev] extra)"

args=()
for pkg in ${UPGRADE:-}; do
    if [ "$pkg" = all ]; then args+=(--upgrade); else args+=(--upgrade-package "$pkg"); fi
done

log "uv pip compile pyproject.toml --extra dev -> $LOCK ${args[*]}"
"$UV" pip compile pyproject.toml \
    --extra dev \
    --universal \
    --python-version 3.12 \
    --generate-hashes \
    --custom-compile-command "make lock" \
    --output-file "$LOCK" \
    --quiet \
    "${args[@]}" "$@"
log "$LOCK written; the next make run/test/venv installs it into .venv"
log "review the version changes with: git diff $LOCK | grep '^[-+][a-z]'"
