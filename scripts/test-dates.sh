#!/usr/bin/env bash
# The date-sensitive tests at dates that have broken date code before: the first day of
# the school year, New Year's Eve, a leap day, the last day of the financial year and the
# last day of the school year. Each run sets the application's clock for the whole session
# (`pytest --clock=YYYY-MM-DD`, see epep/tenancy/clock.py and tests/conftest.py), test data
# built relative to "today" included, and Celery workers the tests start follow it.
#
# Called by scripts/test.sh after the main run (DATABASE_URL etc. already set); also
# runnable on its own. Arguments are passed to pytest. Settings (environment):
#   TEST_DATES            the dates (default: the five below)
#   DATE_SENSITIVE_TESTS  what to run at each date (default: the list below)
set -euo pipefail
. "$(dirname "$0")/_common.sh"
cd "$ROOT"

: "${DATABASE_URL:?run through make test, or set DATABASE_URL and DATABASE_OWNER_URL}"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
unset DJANGO_SETTINGS_MODULE

TEST_DATES="${TEST_DATES:-2026-09-01 2026-12-31 2028-02-29 2027-03-31 2027-08-31}"
# Year groups and key stages, terms and their labels, deadlines and reminders, the in-tray,
# home pages, the PEP cycle and its PDF, and access that starts and ends on dates.
DATE_SENSITIVE_TESTS="${DATE_SENSITIVE_TESTS:-tests/children/test_stages.py
tests/meetings/test_calendars.py
tests/meetings/test_deadlines.py
tests/meetings/test_reminders.py
tests/meetings/test_tasks.py
tests/portal/test_home_pages.py
tests/peps/test_pdf.py::test_a_pep_in_progress_downloads_as_a_draft_marked_on_every_page
tests/peps/test_cycle.py::test_the_full_cycle_from_draft_to_finalised_is_recorded
tests/children/test_access.py}"
# A database of its own, kept between the dates (and between runs: --create-db below).
export TEST_DATABASE_NAME="${TEST_DATABASE_NAME:-test_epep}_dates"

failed=()
first=1
for day in $TEST_DATES; do
    db_flags=(--reuse-db)
    [ "$first" = 1 ] && db_flags+=(--create-db)
    first=0
    log "date-sensitive tests with the clock at $day"
    # shellcheck disable=SC2086
    if ! "$VENV/bin/pytest" -p no:cacheprovider -q "${db_flags[@]}" --clock="$day" \
        $DATE_SENSITIVE_TESTS "$@"; then
        failed+=("$day")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    warn "date-sensitive tests failed at: ${failed[*]}"
    exit 1
fi
log "date-sensitive tests pass at: $TEST_DATES"
