#!/usr/bin/env bash
# `make bench` (SCALE=authority|national, SEED=1): build or reuse the synthetic dataset in
# its own database (epep_bench on the same PostgreSQL; manage.py seed_synthetic), then run
# the measurements (python -m demo.bench) with the benchmark settings: query counts per
# page at 5 and 500 children, the deadline sweep, row-level security's cost, the PEP PDF.
# Writes .local/bench/results.json and prints a table with pass/fail per goal.
# BENCH_ONLY=queries,sweep,rls,pdf runs only those parts. Heavy work runs under nice.
set -euo pipefail
. "$(dirname "$0")/_common.sh"
cd "$ROOT"

SCALE="${SCALE:-authority}"
SEED="${SEED:-1}"
BENCH_DATABASE="${BENCH_DATABASE:-epep_bench}"
PY="$VENV/bin/python"

bash scripts/venv.sh
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

log "dataset: SCALE=$SCALE SEED=$SEED in $BENCH_DATABASE (built once, then reused)"
DJANGO_SETTINGS_MODULE=epep.settings.local nice -n 19 "$PY" manage.py seed_synthetic \
    --scale "$SCALE" --seed "$SEED" --database "$BENCH_DATABASE"

with_name() { "$PY" -c 'import sys; from demo.synthetic.database import url_for; print(url_for(sys.argv[1], sys.argv[2]))' "$1" "$2"; }
bench_app="$(with_name "$DATABASE_URL" "$BENCH_DATABASE")"
bench_owner="$(with_name "${DATABASE_OWNER_URL:-$DATABASE_URL}" "$BENCH_DATABASE")"

log "measuring (results in .local/bench/results.json)"
DJANGO_SETTINGS_MODULE=epep.settings.bench DATABASE_URL="$bench_app" \
    DATABASE_OWNER_URL="$bench_owner" nice -n 10 "$PY" -m demo.bench
