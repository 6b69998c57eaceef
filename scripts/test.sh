#!/usr/bin/env bash
# `make test`: dependencies (incl. dev extra), system packages, private services (unless
# DATABASE_URL/REDIS_URL are given), then pytest with PYTEST_ARGS. Stops the private
# servers this run started, whatever the result, and exits with pytest's status.
set -euo pipefail
. "$(dirname "$0")/_common.sh"
cd "$ROOT"

bash scripts/venv.sh
bash scripts/system-deps.sh test

services_env="$(bash scripts/services.sh start)"
eval "$services_env"

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "${EPEP_STARTED_SERVICES:-}" ]; then
        # shellcheck disable=SC2086
        bash scripts/services.sh stop $EPEP_STARTED_SERVICES || true
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Playwright's sync API inside pytest-django's live_server.
export DJANGO_ALLOW_ASYNC_UNSAFE=true
# pytest's own configuration (pyproject: epep.settings.test) decides the settings; an
# exported DJANGO_SETTINGS_MODULE would win over it. Override with PYTEST_ARGS=--ds=...
unset DJANGO_SETTINGS_MODULE

# PYTEST_ARGS is split like a shell command line, so quoting works: PYTEST_ARGS='-k "a and b"'
eval "set -- ${PYTEST_ARGS:-}"
log "pytest $*"
set +e
"$VENV/bin/pytest" "$@"
status=$?
set -e
exit "$status"
