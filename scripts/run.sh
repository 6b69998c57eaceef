#!/usr/bin/env bash
# `make run`: dependencies, private services (unless DATABASE_URL/REDIS_URL are given),
# migrate as the table owner, seed demo data as the application role, Celery worker and
# beat in the background, Django's development server in the foreground.
# Ctrl-C stops the worker and beat, and the private servers this run started.
set -euo pipefail
. "$(dirname "$0")/_common.sh"
cd "$ROOT"

PORT="${PORT:-8000}"
PY="$VENV/bin/python"

bash scripts/venv.sh
bash scripts/system-deps.sh run
[ -f manage.py ] || die "manage.py not found in $ROOT"

services_env="$(bash scripts/services.sh start)"
eval "$services_env"

BG_PIDS=()
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ ${#BG_PIDS[@]} -gt 0 ]; then
        log "stopping Celery worker and beat"
        kill -TERM "${BG_PIDS[@]}" 2>/dev/null || true
        for _ in $(seq 1 150); do
            kill -0 "${BG_PIDS[@]}" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "${BG_PIDS[@]}" 2>/dev/null || true
    fi
    if [ -n "${EPEP_STARTED_SERVICES:-}" ]; then
        # shellcheck disable=SC2086
        bash scripts/services.sh stop $EPEP_STARTED_SERVICES || true
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-epep.settings.local}"

log "migrate (as the table owner, DATABASE_OWNER_URL)"
DATABASE_URL="$DATABASE_OWNER_URL" "$PY" manage.py migrate --noinput

log "seed_demo (as the application role, DATABASE_URL)"
"$PY" manage.py seed_demo

mkdir -p "$LOCAL/log"
log "starting Celery worker (log: .local/log/celery-worker.log)"
"$VENV/bin/celery" -A epep worker --loglevel=info --concurrency=2 \
    >"$LOCAL/log/celery-worker.log" 2>&1 &
BG_PIDS+=("$!")
log "starting Celery beat (log: .local/log/celery-beat.log)"
"$VENV/bin/celery" -A epep beat --loglevel=info --schedule "$LOCAL/celerybeat-schedule" \
    >"$LOCAL/log/celery-beat.log" 2>&1 &
BG_PIDS+=("$!")

cat >&2 <<MSG

  ePEP is starting at  http://127.0.0.1:$PORT/
  Demo sign-ins were printed by seed_demo above.
  Celery logs: .local/log/celery-worker.log, .local/log/celery-beat.log
  Press Ctrl-C to stop (worker, beat and the private servers started by this run).

MSG
"$PY" manage.py runserver "127.0.0.1:$PORT"
