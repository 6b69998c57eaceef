#!/usr/bin/env bash
# `make test`: dependencies (requirements.lock), `ruff check` + `ruff format --check`
# (fail fast), system packages, private services (unless DATABASE_URL/REDIS_URL are
# given), then pytest with PYTEST_ARGS. Stops the private servers this run started,
# whatever the result, and exits with pytest's status.
set -euo pipefail
. "$(dirname "$0")/_common.sh"
cd "$ROOT"

bash scripts/venv.sh

# Lint before anything slow: a lint or formatting slip fails in seconds, before the
# services start. SKIP_LINT=1 skips it for a quick local run; CI never sets it.
if [ "${SKIP_LINT:-}" = 1 ]; then
    warn "SKIP_LINT=1: not running ruff (CI does)"
else
    log "ruff check . && ruff format --check ."
    lint_ok=1
    "$VENV/bin/ruff" check . || lint_ok=0
    "$VENV/bin/ruff" format --check . || lint_ok=0
    if [ "$lint_ok" = 0 ]; then
        die "ruff failed (above): run 'make format' (it reformats and applies ruff's own fixes;" \
            "fix any remaining 'ruff check' findings by hand), then 'make test' again"
    fi
fi

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
# Then the date-sensitive tests at five awkward dates (a full run only; TEST_DATES=none
# skips them): scripts/test-dates.sh.
if [ "$status" -eq 0 ] && [ -z "${PYTEST_ARGS:-}" ] && [ "${TEST_DATES:-}" != none ]; then
    bash scripts/test-dates.sh
    status=$?
fi
set -e
exit "$status"
