"""The nightly refresh reads only the children the passing of a day can have changed
(``deadlines_refresh_all(changed_only=True)``): every other change is worked out when it
is made. Its results must be the same as working everything out afresh, day after day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from calendars.models import SubmissionDate
from children.models import Child
from deadlines import services
from deadlines.models import Deadline, DeadlineInputs, Task, TaskKind
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.models import SchoolRoleEndorsement
from epep.tenancy.roles import Role
from epep.tenancy.services import school_role_endorse, school_role_endorsement_withdraw
from tests.factories import AllocationFactory, EnrolmentFactory

from .test_deadlines import TERMS, add_terms, new_child

pytestmark = pytest.mark.django_db

START = date(2026, 11, 3)


def _state(la) -> tuple[set, set]:
    with authority_context(local_authority_ids=[la.pk]):
        deadlines = set(
            Deadline.objects.filter(local_authority=la).values_list(
                "child_id", "kind", "due_date", "trigger_date", "met_on"
            )
        )
        tasks = set(
            Task.objects.filter(local_authority=la, closed_at__isnull=True).values_list(
                "child_id", "deadline__kind", "deadline__due_date", "kind", "assignee_id"
            )
        )
    return deadlines, tasks


def _children(world) -> list[Child]:
    """Children whose deadlines and tasks move with the date in every way there is."""
    la, sw = world.a.la, world.a.users[Role.SOCIAL_WORKER]
    made = []
    # In care a while: termly reviews follow the submission dates.
    settled = new_child(la, entered_care_on=date(2025, 5, 6), date_of_birth=date(2016, 3, 1))
    # Just in care: the first PEP's window is open at once.
    new = new_child(la, entered_care_on=START, date_of_birth=date(2019, 3, 14))
    # Year 6 now: key stage 3 starts next September.
    ks3 = new_child(la, entered_care_on=date(2024, 1, 8), date_of_birth=date(2015, 2, 2))
    # Moves school in January; a new social worker in February; leaves care in March.
    mover = new_child(la, entered_care_on=date(2025, 9, 1), date_of_birth=date(2013, 6, 6))
    for child in (settled, new, ks3, mover):
        EnrolmentFactory(child=child, school=world.shared_school, start_date=date(2024, 9, 1))
        AllocationFactory(
            child=child, worker=sw, kind=Role.SOCIAL_WORKER, start_date=date(2024, 9, 1)
        )
        made.append(child)
    with authority_context(local_authority_ids=[la.pk]):
        mover.enrolments.update(end_date=date(2027, 1, 11))
        mover.allocations.update(end_date=date(2027, 2, 1))
        Child.objects.filter(pk=mover.pk).update(left_care_on=date(2027, 3, 15))
    EnrolmentFactory(child=mover, school=world.school_a, start_date=date(2027, 1, 11))
    AllocationFactory(
        child=mover,
        worker=world.a.users[Role.PERSONAL_ADVISER],
        kind=Role.PERSONAL_ADVISER,
        start_date=date(2027, 2, 1),
    )
    return made


def test_night_after_night_the_changed_only_refresh_matches_working_everything_out_afresh(world):
    la = world.a.la
    add_terms(la)
    with authority_context(local_authority_ids=[la.pk]):
        for term, day in (("autumn", date(2026, 12, 11)), ("spring", date(2027, 3, 19))):
            SubmissionDate.objects.create(
                local_authority=la, academic_year="2026-27", term=term, date=day
            )
    made = _children(world)
    with authority_context(local_authority_ids=[la.pk]):
        ids = list(Child.objects.filter(local_authority=la).values_list("pk", flat=True))
    day, read = START, 0
    while day <= date(2027, 4, 20):
        read += services.deadlines_refresh_all(
            local_authority_id=la.pk, today=day, changed_only=True
        )
        incremental = _state(la)
        with authority_context(local_authority_ids=[la.pk]):
            services.deadlines_refresh(
                child_ids=ids, local_authority_id=la.pk, today=day, force=True
            )
        assert _state(la) == incremental, f"the nightly refresh missed a change on {day}"
        day += timedelta(days=2)
    nights = (date(2027, 4, 20) - START).days // 2 + 1
    in_care = len(ids)
    # Most nights read nobody: the work follows what the date changes.
    assert read < nights * in_care / 4
    assert made  # the children above were all in the comparison


def test_a_child_inside_their_window_is_not_read_again_and_one_past_it_is(world):
    la = world.a.la
    add_terms(la)
    child = new_child(la, entered_care_on=date(2026, 9, 7))
    EnrolmentFactory(child=child, school=world.shared_school, start_date=date(2024, 9, 1))
    # The other children of the test world are worked out too; take them out of the count.
    services.deadlines_refresh_all(local_authority_id=la.pk, today=START)
    with authority_context(local_authority_ids=[la.pk]):
        valid_until = DeadlineInputs.objects.get(child=child).valid_until
    assert valid_until > START
    before = valid_until - timedelta(days=1)
    with authority_context(local_authority_ids=[la.pk]):
        others = DeadlineInputs.objects.exclude(child=child).filter(valid_until__lte=before)
        others_due = others.count()
    assert (
        services.deadlines_refresh_all(local_authority_id=la.pk, today=before, changed_only=True)
        == others_due
    )
    assert (
        services.deadlines_refresh_all(
            local_authority_id=la.pk, today=valid_until, changed_only=True
        )
        >= 1
    )
    with authority_context(local_authority_ids=[la.pk]):
        assert DeadlineInputs.objects.get(child=child).refreshed_on == valid_until


def test_the_window_of_a_task_opens_on_the_day_the_counting_says():
    calendar = (TERMS, frozenset({date(2027, 1, 15)}))
    day = date(2026, 10, 1)
    for offset in range(0, 200, 3):
        due = date(2026, 11, 20) + timedelta(days=offset)
        opens = services._window_opens(day, due, calendar)
        assert services._days_until(opens, due, calendar) <= services.TASK_LEAD_DAYS, due
        before = opens - timedelta(days=1)
        assert services._days_until(before, due, calendar) > services.TASK_LEAD_DAYS, due


def _open_complete_tasks(world, child) -> set:
    with authority_context(local_authority_ids=[world.a.la.pk]):
        return set(
            Task.objects.filter(
                child=child, kind=TaskKind.COMPLETE_PEP, closed_at__isnull=True
            ).values_list("assignee_id", flat=True)
        )


def test_a_designated_teachers_tasks_follow_their_endorsement_at_once(world, clock_at):
    clock_at(START)
    la, teacher = world.a.la, world.a.users[Role.DESIGNATED_TEACHER]
    child = new_child(la, entered_care_on=START)
    EnrolmentFactory(child=child, school=world.shared_school, start_date=date(2024, 9, 1))
    services.deadlines_refresh_all(local_authority_id=la.pk, today=START)
    assert teacher.pk in _open_complete_tasks(world, child)
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        endorsement = SchoolRoleEndorsement.objects.get(
            user=teacher, local_authority=la, state=SchoolRoleEndorsement.State.ENDORSED
        )
        school_role_endorsement_withdraw(actor=actor, endorsement=endorsement)
    assert teacher.pk not in _open_complete_tasks(world, child)
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        endorsement.refresh_from_db()
        school_role_endorse(actor=actor, endorsement=endorsement)
    assert teacher.pk in _open_complete_tasks(world, child)
