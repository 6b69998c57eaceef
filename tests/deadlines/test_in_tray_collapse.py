"""The in-tray collapses historic obligations: for each child, task kind and obligation
kind, only the latest open task is listed, with the number of earlier missed ones it
stands for (older open tasks are hidden, not closed)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines.models import Deadline, DeadlineKind, Task, TaskKind
from deadlines.selectors import open_tasks_for
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from tests.factories import ChildFactory, EnrolmentFactory

from ..peps.conftest import acting

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 3)
#: A termly review missed in each of four past years, and the one coming up now.
TERMLY_DUES = [date(y, 10, 15) for y in (2022, 2023, 2024, 2025)] + [date(2026, 11, 20)]


def _obligations(child, teacher, dues, kind=DeadlineKind.TERMLY_REVIEW):
    with authority_context(local_authority_ids=[child.local_authority_id]):
        for due in dues:
            deadline = Deadline.objects.create(
                local_authority=child.local_authority,
                child=child,
                kind=kind,
                trigger_date=due.replace(month=9, day=1),
                due_date=due,
                source="test",
            )
            Task.objects.create(
                local_authority=child.local_authority,
                child=child,
                deadline=deadline,
                assignee=teacher,
                kind=TaskKind.COMPLETE_PEP,
                title=f"Complete the PEP for {child.display_name} ({due:%Y})",
                due_date=due,
            )


def _on_roll(world, **names):
    child = ChildFactory(local_authority=world.a.la, **names)
    EnrolmentFactory(child=child, school=world.shared_school, start_date=date(2020, 9, 1))
    return child


def test_a_child_with_years_of_missed_reviews_shows_the_latest_and_how_many_were_missed(
    world, clock_at
):
    clock_at(TODAY)
    teacher = world.a.users[Role.DESIGNATED_TEACHER]
    child = _on_roll(world, legal_first_name="Missed", legal_last_name="Years")
    _obligations(child, teacher, TERMLY_DUES)
    _obligations(child, teacher, [date(2026, 11, 16)], kind=DeadlineKind.NEW_SCHOOL)
    with acting(teacher) as actor:
        tasks = [t for t in open_tasks_for(actor=actor) if t.child_id == child.pk]
    assert [(t.due_date, t.earlier_missed) for t in tasks] == [
        (date(2026, 11, 16), 0),  # another obligation kind: its own row
        (date(2026, 11, 20), 4),
    ]
    # Hidden, not closed: the older tasks are still open.
    with authority_context(local_authority_ids=[child.local_authority_id]):
        assert Task.objects.filter(child=child, closed_at__isnull=True).count() == 6


def test_the_home_page_shows_and_n_earlier_missed_and_paginates_the_collapsed_rows(
    client, world, clock_at
):
    clock_at(TODAY)
    teacher = world.a.users[Role.DESIGNATED_TEACHER]
    for i in range(26):
        child = _on_roll(world, legal_first_name="Child", legal_last_name=f"Number{i:02}")
        _obligations(child, teacher, TERMLY_DUES[-2:])
    client.force_login(teacher)
    response = client.get("/designated-teacher/")
    page = response.content.decode()
    # 26 collapsed rows (not 52 tasks): two pages of 25.
    assert response.context["tasks_page"].paginator.count == 26
    assert "26 open tasks, 1 to 25 shown." in page
    assert page.count('data-testid="earlier-missed"') == 25
    assert "and 1 earlier missed" in page
    second = client.get("/designated-teacher/?tasks_page=2")
    assert len(second.context["tasks"]) == 1


def test_collapsing_takes_the_same_queries_however_many_tasks(client, world, clock_at):
    clock_at(TODAY)
    teacher = world.a.users[Role.DESIGNATED_TEACHER]
    client.force_login(teacher)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/designated-teacher/").status_code == 200
        return len(ctx.captured_queries)

    child = _on_roll(world, legal_first_name="One", legal_last_name="Child")
    _obligations(child, teacher, TERMLY_DUES[-1:])
    queries()  # the first request of a session does its once-only work
    few = queries()
    for i in range(5):
        child = _on_roll(world, legal_first_name="More", legal_last_name=f"Child{i}")
        _obligations(child, teacher, TERMLY_DUES)
    assert queries() == few
