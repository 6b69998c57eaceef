"""The in-tray: tasks opened for the designated teachers and the social worker when a
deadline comes near, closed when the meeting is scheduled or the PEP submitted, and the
home pages showing each child's next deadline and the person's own tasks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from deadlines import due_dates
from deadlines.models import Deadline, Task, TaskKind
from deadlines.selectors import open_tasks_for
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from meetings.models import Meeting
from peps.models import Kind, Pep, Status
from tests.factories import AllocationFactory, EnrolmentFactory, UserFactory, endorse

from ..peps.conftest import acting
from .test_deadlines import ENTERED, new_child, refresh

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 3)


@pytest.fixture
def child(world):
    """A Kent child who entered care on 2 November 2026, on roll at the shared school
    (whose designated teachers, Kent's and Sefton's, Kent endorses both) and allocated the
    Kent social worker, both since 2020 (so visible whatever the real date)."""
    endorse(world.b.users[Role.DESIGNATED_TEACHER], world.a.la)
    child = new_child(world.a.la, legal_first_name="Task", legal_last_name="Child")
    EnrolmentFactory(child=child, school=world.shared_school, start_date=date(2020, 9, 1))
    AllocationFactory(
        child=child,
        worker=world.a.users[Role.SOCIAL_WORKER],
        kind=Role.SOCIAL_WORKER,
        start_date=date(2020, 9, 1),
    )
    return child


def open_tasks(child):
    with authority_context(local_authority_ids=[child.local_authority_id]):
        return list(
            Task.objects.filter(child=child, closed_at__isnull=True)
            .select_related("deadline")
            .order_by("due_date", "kind", "assignee_id")
        )


def summary(tasks):
    return sorted((t.deadline.kind, t.kind, t.assignee_id) for t in tasks)


def test_tasks_open_for_the_school_and_the_social_worker_when_a_deadline_is_near(world, child):
    refresh(child, DAY)
    teachers = [
        world.a.users[Role.DESIGNATED_TEACHER].pk,
        world.b.users[Role.DESIGNATED_TEACHER].pk,
    ]
    sw = world.a.users[Role.SOCIAL_WORKER].pk
    expected = sorted(
        [
            (kind, TaskKind.COMPLETE_PEP, t)
            for kind in ("first_pep", "statutory_review_ready")
            for t in teachers
        ]
        + [(kind, TaskKind.ARRANGE_MEETING, sw) for kind in ("first_pep", "statutory_review_ready")]
    )
    tasks = open_tasks(child)
    assert summary(tasks) == expected
    assert tasks[0].due_date == date(2026, 11, 16)
    assert "Arrange the PEP meeting for Task Child" in {t.title.split(" (")[0] for t in tasks}
    # Idempotent: a second refresh opens nothing more.
    refresh(child, DAY)
    assert [t.pk for t in open_tasks(child)] == [t.pk for t in tasks]


def test_no_task_until_twenty_school_days_before(world, child):
    from .test_deadlines import add_terms

    add_terms(world.a.la)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        from calendars.models import SubmissionDate

        SubmissionDate.objects.create(
            local_authority=world.a.la,
            academic_year="2026-27",
            term="autumn",
            date=date(2026, 12, 11),
        )
    refresh(child, DAY)  # 28 school days before 11 December
    assert "termly_review" not in {t.deadline.kind for t in open_tasks(child)}
    refresh(child, date(2026, 11, 12))  # 21 school days
    assert "termly_review" not in {t.deadline.kind for t in open_tasks(child)}
    refresh(child, date(2026, 11, 13))  # 20 school days
    assert "termly_review" in {t.deadline.kind for t in open_tasks(child)}


def _pep(child, world, status=Status.DRAFT, meeting_date=None):
    with authority_context(local_authority_ids=[child.local_authority_id]):
        return Pep.objects.create(
            local_authority_id=child.local_authority_id,
            child=child,
            academic_year="2026-27",
            term="autumn",
            kind=Kind.INITIAL,
            status=status,
            meeting_date=meeting_date,
            created_by=world.a.users[Role.SOCIAL_WORKER],
        )


def test_scheduling_the_meeting_closes_arrange_and_submitting_closes_complete(world, child):
    refresh(child, DAY)
    pep = _pep(child, world)
    with authority_context(local_authority_ids=[child.local_authority_id]):
        Meeting.objects.create(
            local_authority_id=child.local_authority_id,
            pep=pep,
            starts_at=datetime(2026, 11, 10, 10, tzinfo=UTC),
            location="School",
            ical_uid=f"{uuid.uuid4()}@epep",
            organiser=world.a.users[Role.SOCIAL_WORKER],
        )
    refresh(child, DAY)
    kinds = {t.kind for t in open_tasks(child)}
    assert kinds == {TaskKind.COMPLETE_PEP}
    with authority_context(local_authority_ids=[child.local_authority_id]):
        Pep.objects.filter(pk=pep.pk).update(
            status=Status.SUBMITTED, meeting_date=date(2026, 11, 10)
        )
    refresh(child, date(2026, 11, 12))
    assert open_tasks(child) == []
    with authority_context(local_authority_ids=[child.local_authority_id]):
        first = Deadline.objects.get(child=child, kind="first_pep")
        assert Task.objects.filter(deadline=first, closed_at__isnull=False).count() == 3
    assert due_dates.deadline_state(first.due_date, first.met_on, date(2026, 11, 12)).code == (
        due_dates.MET_ON_TIME
    )


def test_a_new_social_worker_takes_over_the_task(world, child):
    refresh(child, DAY)
    new_sw = UserFactory()
    with authority_context(local_authority_ids=[child.local_authority_id]):
        from children.models import Allocation

        Allocation.objects.filter(child=child, kind=Role.SOCIAL_WORKER).update(
            end_date=date(2026, 11, 4)
        )
    AllocationFactory(
        child=child, worker=new_sw, kind=Role.SOCIAL_WORKER, start_date=date(2026, 11, 4)
    )
    refresh(child, date(2026, 11, 5))
    arrange = {t.assignee_id for t in open_tasks(child) if t.kind == TaskKind.ARRANGE_MEETING}
    assert arrange == {new_sw.pk}


def test_open_tasks_for_shows_only_the_actors_own_tasks_of_their_role(world, child):
    refresh(child, DAY)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as actor:
        tasks = list(open_tasks_for(actor=actor))
        assert {t.kind for t in tasks} == {TaskKind.COMPLETE_PEP}
        assert {t.assignee_id for t in tasks} == {actor.user_id}
        assert [t.due_date for t in tasks] == sorted(t.due_date for t in tasks)
    with acting(world.a.users[Role.SOCIAL_WORKER]) as actor:
        assert {t.kind for t in open_tasks_for(actor=actor)} == {TaskKind.ARRANGE_MEETING}
    with acting(world.a.users[Role.VS_HEAD]) as actor:
        assert list(open_tasks_for(actor=actor)) == []
    # Off roll: the teacher no longer sees the child, so not its tasks either.
    with authority_context(local_authority_ids=[child.local_authority_id]):
        from children.models import Enrolment

        Enrolment.objects.filter(child=child).update(end_date=date(2020, 12, 1))
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as actor:
        assert list(open_tasks_for(actor=actor)) == []


def test_home_page_shows_next_deadline_and_your_tasks(client, world, child):
    refresh(child, DAY)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    response = client.get("/designated-teacher/")
    page = response.content.decode()
    assert "Next PEP due" in page and "Your tasks" in page
    row = next(r for r in response.context["rows"] if r["child"].pk == child.pk)
    assert row["next_deadline"]["due"] == date(2026, 11, 16)
    assert row["next_deadline"]["label"] == "First PEP after entering care"
    assert row["next_deadline"]["state"].label in page
    assert "First PEP after entering care, 16 Nov 2026" in page
    assert "Complete the PEP for Task Child (First PEP after entering care)" in page
    tasks = response.context["tasks"]
    assert [t["task"].due_date for t in tasks] == sorted(t["task"].due_date for t in tasks)
    # The Virtual School Head has no tasks: the empty state.
    client.force_login(world.a.users[Role.VS_HEAD])
    page = client.get("/virtual-school/").content.decode()
    assert "You have no tasks at the moment." in page
    assert "First PEP after entering care, 16 Nov 2026" in page


def test_child_page_lists_the_deadlines(client, world, child):
    refresh(child, DAY)
    client.force_login(world.a.users[Role.VS_HEAD])
    page = client.get(f"/children/{child.public_id}/").content.decode()
    assert "PEP deadlines" in page
    assert "PEP ready for the first care review" in page and "30 Nov 2026" in page
    assert "10 working days after entering care on 2 November 2026" in page
    assert ENTERED.year == 2026


def test_a_pep_transition_refreshes_at_once(world, child, clock_at):
    """pep_transition moves the PEP with update() and refreshes the child's deadlines
    itself, inside the same transaction."""
    from peps.services import pep_transition

    clock_at(date(2026, 11, 12))  # the meeting on 10 November has happened, whatever the day
    refresh(child, DAY)
    pep = _pep(child, world)
    with acting(world.a.users[Role.SOCIAL_WORKER]) as actor:
        pep_transition(
            actor=actor,
            pep=pep,
            target_status=Status.MEETING_HELD,
            state_version=pep.state_version,
            meeting_date=date(2026, 11, 10),
        )
    with authority_context(local_authority_ids=[child.local_authority_id]):
        first = Deadline.objects.get(child=child, kind="first_pep")
    assert (first.met_on, first.met_by_id) == (date(2026, 11, 10), pep.pk)
    assert TaskKind.ARRANGE_MEETING not in {t.kind for t in open_tasks(child)}


def test_the_nightly_job_refreshes_every_authority(world):
    from unittest import mock

    from deadlines import tasks

    with mock.patch.object(tasks.refresh_authority_deadlines, "delay") as delay:
        assert tasks.refresh_all_deadlines.run() == 2
    assert sorted(c.args[0] for c in delay.call_args_list) == sorted([world.a.la.pk, world.b.la.pk])
    assert tasks.refresh_authority_deadlines.run(world.a.la.pk) == 2
