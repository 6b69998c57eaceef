"""PEP deadlines: the pure rules (working and school days, per the authority's policy),
a deadline's state over time, and ``deadlines_refresh`` (idempotent, met by a PEP meeting
held on or after the trigger)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from calendars.models import SchoolTerm, SubmissionDate
from children.models import Child
from deadlines import due_dates, services
from deadlines.models import Deadline, DeadlineKind
from epep.tenancy.context import authority_context
from epep.tenancy.models import LocalAuthority
from peps.models import Kind, Pep, Status
from tests.factories import ChildFactory, EnrolmentFactory

# Kent-like 2026-27 half terms (inclusive), enough for the dates below.
TERMS = [
    (date(2026, 9, 3), date(2026, 10, 23)),
    (date(2026, 11, 2), date(2026, 12, 18)),
    (date(2027, 1, 5), date(2027, 2, 12)),
    (date(2027, 2, 22), date(2027, 3, 26)),
    (date(2027, 4, 12), date(2027, 5, 28)),
    (date(2027, 6, 7), date(2027, 7, 21)),
]
ENTERED = date(2026, 11, 2)  # a Monday, first day of the second half term


# --- Pure rules --------------------------------------------------------------------------


def test_first_pep_default_is_ten_working_days():
    due = due_dates.first_pep_due(ENTERED)
    assert due.date == date(2026, 11, 16)
    assert "10 working days" in due.source


def test_first_pep_in_school_days_when_the_authority_counts_them():
    due = due_dates.first_pep_due(ENTERED, limit=10, unit=due_dates.SCHOOL_DAYS, terms=TERMS)
    assert due.date == date(2026, 11, 16)
    assert "10 school days" in due.source


def test_first_pep_in_school_days_is_brought_forward_to_the_first_care_review():
    # 20 school days from 1 December run into January (13 Jan); the first care review,
    # 20 working days after entry (Christmas, and Boxing Day's substitute on 28 Dec, are
    # not counted), is 31 December: the PEP must be ready for it.
    entered = date(2026, 12, 1)
    assert due_dates.statutory_review_ready_due(entered).date == date(2026, 12, 31)
    due = due_dates.first_pep_due(entered, limit=20, unit=due_dates.SCHOOL_DAYS, terms=TERMS)
    assert due.date == date(2026, 12, 31)
    assert "brought forward" in due.source


def test_school_days_without_term_dates_fall_back_to_working_days():
    due = due_dates.first_pep_due(ENTERED, limit=10, unit=due_dates.SCHOOL_DAYS, terms=[])
    assert due.date == date(2026, 11, 16)
    assert "working days (no term dates recorded)" in due.source


def test_new_school_is_twenty_school_days_across_the_holiday():
    assert due_dates.new_school_due(date(2026, 12, 7), TERMS).date == date(2027, 1, 19)
    # No calendar: 20 working days, never later than the school-day date.
    assert due_dates.new_school_due(date(2026, 12, 7), []).date == date(2027, 1, 7)


def test_new_placement_is_twenty_school_days():
    assert due_dates.new_placement_due(ENTERED, TERMS).date == date(2026, 11, 30)


def test_key_stage_entries_are_years_3_7_and_10_on_1_september():
    born = date(2019, 3, 14)  # year 3 from September 2026, year 7 from 2030, year 10 from 2033
    found = due_dates.key_stage_starts(born, date(2026, 1, 1), date(2034, 1, 1))
    assert found == [(3, date(2026, 9, 1)), (7, date(2030, 9, 1)), (10, date(2033, 9, 1))]
    # The 20th school day of the autumn term (term starts Thursday 3 September).
    assert due_dates.key_stage_due(3, date(2026, 9, 1), TERMS).date == date(2026, 9, 30)


def test_termly_reviews_run_to_the_next_submission_date():
    dates = [date(2026, 12, 11), date(2027, 3, 19), date(2027, 6, 25)]
    assert due_dates.termly_review_dues(
        dates, since=date(2026, 11, 16), today=date(2026, 11, 20)
    ) == [(date(2026, 11, 16), date(2026, 12, 11))]
    assert due_dates.termly_review_dues(
        dates, since=date(2026, 11, 16), today=date(2027, 1, 4)
    ) == [
        (date(2026, 11, 16), date(2026, 12, 11)),
        (date(2026, 12, 11), date(2027, 3, 19)),
    ]


def test_six_monthly_is_six_calendar_months_clamped_to_the_month_end():
    assert due_dates.six_monthly_due(date(2026, 11, 12)).date == date(2027, 5, 12)
    assert due_dates.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_state_moves_from_upcoming_to_due_soon_to_overdue():
    due = date(2026, 11, 30)
    early = due_dates.deadline_state(due, None, date(2026, 11, 2), terms=TERMS)
    assert (early.code, early.label) == (due_dates.UPCOMING, "Due 30 Nov 2026")
    soon = due_dates.deadline_state(due, None, date(2026, 11, 16), terms=TERMS)
    assert (soon.code, soon.label, soon.days_left) == (
        due_dates.DUE_SOON,
        "Due in 10 school days",
        10,
    )
    today = due_dates.deadline_state(due, None, due, terms=TERMS)
    assert (today.code, today.label) == (due_dates.DUE_SOON, "Due today")
    late = due_dates.deadline_state(due, None, date(2026, 12, 1), terms=TERMS)
    assert (late.code, late.label, late.tag_class) == (
        due_dates.OVERDUE,
        "Overdue",
        "govuk-tag--red",
    )


def test_state_counts_school_days_so_a_holiday_brings_due_soon_forward():
    # From Friday 11 December to Friday 8 January: 9 school days (the Christmas holiday
    # does not count) but 17 working days.
    state = due_dates.deadline_state(date(2027, 1, 8), None, date(2026, 12, 11), terms=TERMS)
    assert (state.code, state.label) == (due_dates.DUE_SOON, "Due in 9 school days")
    working = due_dates.deadline_state(date(2027, 1, 8), None, date(2026, 12, 11))
    assert (working.code, working.days_left) == (due_dates.UPCOMING, 17)
    soon = due_dates.deadline_state(date(2026, 11, 16), None, date(2026, 11, 9))
    assert soon.label == "Due in 5 working days"
    # Terms that do not reach the due date: working days, never a guess.
    past = due_dates.deadline_state(date(2027, 9, 10), None, date(2027, 9, 1), terms=TERMS)
    assert past.label == "Due in 7 working days"


def test_state_met_on_time_or_late():
    due = date(2026, 11, 30)
    on_time = due_dates.deadline_state(due, date(2026, 11, 30), date(2027, 1, 1), terms=TERMS)
    assert (on_time.code, on_time.label, on_time.is_met) == (
        due_dates.MET_ON_TIME,
        "Met on time",
        True,
    )
    late = due_dates.deadline_state(due, date(2026, 12, 2), date(2027, 1, 1), terms=TERMS)
    assert (late.code, late.label) == (due_dates.MET_LATE, "Met late")


# --- deadlines_refresh ------------------------------------------------------------------


def add_terms(la):
    with authority_context(local_authority_ids=[la.pk]):
        for i, (start, end) in enumerate(TERMS, 1):
            SchoolTerm.objects.create(
                local_authority=la,
                academic_year="2026-27",
                name=f"Term {i}",
                start_date=start,
                end_date=end,
            )


def new_child(la, **kwargs) -> Child:
    defaults = {"date_of_birth": date(2019, 3, 14), "entered_care_on": ENTERED}
    return ChildFactory(local_authority=la, **{**defaults, **kwargs})


def refresh(child, day) -> dict:
    with authority_context(local_authority_ids=[child.local_authority_id]):
        child = Child.objects.select_related("local_authority").get(pk=child.pk)
        services.deadlines_refresh(child=child, today=day)
        return {d.kind: d for d in Deadline.objects.filter(child=child).order_by("due_date")}


def held_pep(child, user, meeting_date, *, status=Status.MEETING_HELD, finalised=False):
    with authority_context(local_authority_ids=[child.local_authority_id]):
        return Pep.objects.create(
            local_authority_id=child.local_authority_id,
            child=child,
            academic_year="2026-27",
            term="autumn",
            kind=Kind.INITIAL,
            status=Status.FINALISED if finalised else status,
            meeting_date=meeting_date,
            created_by=user,
            finalised_at=datetime(2026, 11, 25, 12, tzinfo=UTC) if finalised else None,
        )


def set_policy(la, **fields):
    LocalAuthority.objects.filter(pk=la.pk).update(**fields)


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_refresh_creates_first_pep_and_review_deadlines_and_is_idempotent(world):
    child = new_child(world.a.la)
    first = refresh(child, date(2026, 11, 3))
    assert set(first) == {DeadlineKind.FIRST_PEP, DeadlineKind.STATUTORY_REVIEW_READY}
    assert first[DeadlineKind.FIRST_PEP].due_date == date(2026, 11, 16)
    assert first[DeadlineKind.STATUTORY_REVIEW_READY].due_date == date(2026, 11, 30)
    again = refresh(child, date(2026, 11, 3))
    assert {k: d.pk for k, d in again.items()} == {k: d.pk for k, d in first.items()}
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert Deadline.objects.filter(child=child).count() == 2


@pytestmark_db
def test_switching_the_policy_to_school_days_moves_the_due_date(world):
    add_terms(world.a.la)
    child = new_child(world.a.la)
    assert refresh(child, date(2026, 11, 3))[DeadlineKind.FIRST_PEP].due_date == date(2026, 11, 16)
    set_policy(world.a.la, first_pep_limit=20, first_pep_unit="school_days")
    after = refresh(child, date(2026, 11, 3))
    assert after[DeadlineKind.FIRST_PEP].due_date == date(2026, 11, 30)
    assert "20 school days" in after[DeadlineKind.FIRST_PEP].source
    with authority_context(local_authority_ids=[world.a.la.pk]):
        # The old, unmet 16 November deadline went with the old policy.
        assert Deadline.objects.filter(child=child, kind="first_pep").count() == 1


@pytestmark_db
def test_new_school_uses_the_authority_terms_or_working_days_without_them(world):
    child = new_child(world.a.la)
    EnrolmentFactory(child=child, school=world.school_a, start_date=date(2026, 12, 7))
    assert refresh(child, date(2026, 12, 7))[DeadlineKind.NEW_SCHOOL].due_date == date(2027, 1, 7)
    add_terms(world.a.la)
    after = refresh(child, date(2026, 12, 7))
    assert after[DeadlineKind.NEW_SCHOOL].due_date == date(2027, 1, 19)
    assert "Kent Primary" in after[DeadlineKind.NEW_SCHOOL].source


@pytestmark_db
def test_key_stage_deadline_for_a_child_entering_year_7(world):
    add_terms(world.a.la)
    # Year 7 from 1 September 2026; in care since the spring.
    child = new_child(
        world.a.la, date_of_birth=date(2015, 3, 14), entered_care_on=date(2026, 4, 20)
    )
    deadlines = refresh(child, date(2026, 9, 10))
    assert deadlines[DeadlineKind.KEY_STAGE].due_date == date(2026, 9, 30)
    assert "year 7 (KS3)" in deadlines[DeadlineKind.KEY_STAGE].source


@pytestmark_db
def test_a_pep_meeting_held_meets_the_deadlines_on_time_or_late(world):
    child = new_child(world.a.la)
    pep = held_pep(child, world.a.users["social_worker"], date(2026, 11, 20))
    deadlines = refresh(child, date(2026, 11, 25))
    first = deadlines[DeadlineKind.FIRST_PEP]
    review = deadlines[DeadlineKind.STATUTORY_REVIEW_READY]
    assert (first.met_by_id, first.met_on) == (pep.pk, date(2026, 11, 20))
    assert due_dates.deadline_state(first.due_date, first.met_on, date(2026, 11, 25)).code == (
        due_dates.MET_LATE
    )
    assert due_dates.deadline_state(review.due_date, review.met_on, date(2026, 11, 25)).code == (
        due_dates.MET_ON_TIME
    )


@pytestmark_db
def test_termly_reviews_follow_the_submission_dates(world):
    child = new_child(world.a.la)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        for term, day in (("autumn", date(2026, 12, 11)), ("spring", date(2027, 3, 19))):
            SubmissionDate.objects.create(
                local_authority=world.a.la, academic_year="2026-27", term=term, date=day
            )
    now = refresh(child, date(2026, 11, 3))
    assert now[DeadlineKind.TERMLY_REVIEW].due_date == date(2026, 12, 11)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        later = list(
            Deadline.objects.filter(child=child, kind="termly_review").values_list(
                "due_date", flat=True
            )
        )
    assert later == [date(2026, 12, 11)]
    refresh(child, date(2027, 1, 4))
    with authority_context(local_authority_ids=[world.a.la.pk]):
        dues = list(
            Deadline.objects.filter(child=child, kind="termly_review")
            .order_by("due_date")
            .values_list("due_date", flat=True)
        )
    assert dues == [date(2026, 12, 11), date(2027, 3, 19)]


@pytestmark_db
def test_six_monthly_review_from_the_last_finalised_pep(world):
    set_policy(world.a.la, review_cadence="six_monthly")
    child = new_child(world.a.la)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        SubmissionDate.objects.create(
            local_authority=world.a.la,
            academic_year="2026-27",
            term="autumn",
            date=date(2026, 12, 11),
        )
    held_pep(child, world.a.users["social_worker"], date(2026, 11, 12), finalised=True)
    deadlines = refresh(child, date(2026, 11, 26))
    assert DeadlineKind.TERMLY_REVIEW not in deadlines
    six = deadlines[DeadlineKind.SIX_MONTHLY]
    assert (six.due_date, six.trigger_date, six.met_on) == (
        date(2027, 5, 12),
        date(2026, 11, 13),
        None,
    )
    assert deadlines[DeadlineKind.FIRST_PEP].met_on == date(2026, 11, 12)


@pytestmark_db
def test_refresh_all_covers_the_authority_and_the_enrolment_service_refreshes(world):
    from children.services import enrolment_start

    assert services.deadlines_refresh_all(local_authority_id=world.a.la.pk) == 2
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert Deadline.objects.filter(child=world.a.child).exists()
    child = new_child(world.a.la)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        enrolment_start(
            actor=None, child=child, school=world.school_a, start_date=date(2026, 12, 7)
        )
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert Deadline.objects.filter(child=child, kind="new_school").exists()
