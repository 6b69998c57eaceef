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
# Year groups and key stages, terms and their labels, deadlines, reminders and the in-tray
# (whole files), and the tests elsewhere whose data or rules use today: home pages, the
# PEP cycle and its PDF, meetings (summer and winter time, "in the future"), access that
# starts and ends on dates, and a real Celery worker (it must follow the clock too). About
# 1-2 minutes a date on an idle 2-core machine.
DATE_SENSITIVE_TESTS="${DATE_SENSITIVE_TESTS:-tests/children/test_stages.py
tests/calendars/test_days.py
tests/deadlines/test_deadlines.py
tests/deadlines/test_reminders.py
tests/deadlines/test_tasks.py
tests/portal/test_home_pages.py::test_home_lists_year_group_key_stage_school_and_authority
tests/portal/test_home_pages.py::test_the_young_persons_page_never_shows_their_next_peps_deadline
tests/peps/test_pdf.py::test_a_pep_in_progress_downloads_as_a_draft_marked_on_every_page
tests/peps/test_cycle.py::test_the_full_cycle_from_draft_to_finalised_is_recorded
tests/peps/test_cycle.py::test_a_new_pep_starts_from_the_last_one
tests/peps/test_cycle.py::test_a_meeting_cannot_be_recorded_as_held_before_it_happens
tests/meetings/test_meetings.py::test_scheduling_emails_each_attendee_an_invitation_in_summer_time
tests/meetings/test_meetings.py::test_a_winter_meeting_is_in_greenwich_mean_time
tests/meetings/test_meetings.py::test_attendance_cannot_be_recorded_before_the_meeting
tests/children/test_access.py::test_designated_teacher_loses_a_child_on_the_day_the_enrolment_ends
tests/children/test_access.py::test_a_child_starting_tomorrow_is_not_yet_visible_to_the_school
tests/children/test_access.py::test_delegated_colleague_gains_and_loses_access_with_the_grant
tests/children/test_access.py::test_grant_expiry_must_be_sensible
tests/notifications/test_worker.py::test_a_real_worker_sends_a_due_reminder_once}"
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
