"""The in-tray on a home page shows 25 open tasks a page (``?tasks_page=N``), with
GOV.UK pagination links that work without JavaScript and keep the children list's
search and page."""

from datetime import date, timedelta

import pytest

from children.models import Allocation, Child
from deadlines.models import Task, TaskKind
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def _open_tasks(world, count):
    """``count`` open tasks, each for a different child (one child's tasks of one kind
    collapse into the latest: tests/deadlines/test_in_tray_collapse.py)."""
    sw = world.a.users[Role.SOCIAL_WORKER]
    with all_authorities_context():
        children = Child.objects.bulk_create(
            ChildFactory.build(local_authority=world.a.la, legal_last_name=f"Tray{i:02d}")
            for i in range(count)
        )
        # Each is the social worker's, so the in-tray (which lists only children the
        # person sees) shows them.
        Allocation.objects.bulk_create(
            Allocation(
                child=child,
                local_authority=world.a.la,
                worker=sw,
                kind=Role.SOCIAL_WORKER,
                start_date=date(2020, 9, 1),
            )
            for child in children
        )
        Task.objects.bulk_create(
            Task(
                local_authority=world.a.la,
                child=children[i],
                assignee=sw,
                kind=TaskKind.ARRANGE_MEETING,
                title=f"Arrange meeting {i:02d}",
                due_date=clock.today() + timedelta(days=i),
            )
            for i in range(count)
        )


def _titles(response):
    return [row["task"].title for row in response.context["tasks"]]


def test_the_in_tray_shows_25_tasks_a_page_soonest_first(client, world):
    _open_tasks(world, 60)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    first = client.get("/caseload/")
    assert _titles(first) == [f"Arrange meeting {i:02d}" for i in range(25)]
    html = first.content.decode()
    assert "60 open tasks, 1 to 25 shown" in html
    assert 'aria-label="Pages of your tasks"' in html
    assert 'href="?tasks_page=2#tasks"' in html
    assert "Arrange meeting 25" not in html
    third = client.get("/caseload/", {"tasks_page": 3})
    assert _titles(third) == [f"Arrange meeting {i:02d}" for i in range(50, 60)]
    assert 'href="?tasks_page=2#tasks" rel="prev"' in third.content.decode()


def test_in_tray_links_keep_the_childrens_page_and_a_bad_page_shows_the_last(client, world):
    _open_tasks(world, 30)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    response = client.get("/caseload/", {"page": "1", "tasks_page": "99"})
    assert _titles(response) == [f"Arrange meeting {i:02d}" for i in range(25, 30)]
    assert 'href="?page=1&amp;tasks_page=1#tasks"' in response.content.decode()
    assert _titles(client.get("/caseload/", {"tasks_page": "x"}))[0] == "Arrange meeting 00"


def test_a_short_in_tray_has_no_pagination(client, world):
    _open_tasks(world, 25)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    html = client.get("/caseload/").content.decode()
    assert "Arrange meeting 24" in html
    assert "Pages of your tasks" not in html


def _task(world, role, kind):
    with all_authorities_context():
        Task.objects.create(
            local_authority=world.a.la,
            child=world.a.child,
            assignee=world.a.users[role],
            kind=kind,
            title=f"{TaskKind(kind).label} for In",
            due_date=clock.today() + timedelta(days=5),
        )


def _task_hrefs(client, user, home):
    client.force_login(user)
    response = client.get(home)
    assert response.status_code == 200
    return {row["task"].title: row["href"] for row in response.context["tasks"]}


def test_arrange_the_meeting_opens_the_meeting_form_of_the_open_pep(client, world):
    from tests.peps.test_cycle import start

    pep = start(world)
    _task(world, Role.SOCIAL_WORKER, TaskKind.ARRANGE_MEETING)
    sw = world.a.users[Role.SOCIAL_WORKER]
    href = f"/peps/{pep.public_id}/meetings/new/"
    assert _task_hrefs(client, sw, "/caseload/")["Arrange the PEP meeting for In"] == href
    assert f'href="{href}" data-testid="task-link"' in client.get("/caseload/").content.decode()
    form = client.get(href)
    assert form.status_code == 200 and "<title>Schedule the" in form.content.decode()


def test_complete_the_pep_opens_the_open_pep(client, world):
    from tests.peps.test_cycle import start

    pep = start(world)
    _task(world, Role.DESIGNATED_TEACHER, TaskKind.COMPLETE_PEP)
    dt = world.a.users[Role.DESIGNATED_TEACHER]
    hrefs = _task_hrefs(client, dt, "/designated-teacher/")
    assert hrefs["Complete the PEP for In"] == f"/peps/{pep.public_id}/"


def test_without_an_open_pep_each_task_opens_the_form_that_starts_one(client, world):
    start_form = f"/children/{world.a.child.public_id}/peps/new/"
    _task(world, Role.SOCIAL_WORKER, TaskKind.ARRANGE_MEETING)
    _task(world, Role.DESIGNATED_TEACHER, TaskKind.COMPLETE_PEP)
    sw, dt = world.a.users[Role.SOCIAL_WORKER], world.a.users[Role.DESIGNATED_TEACHER]
    assert _task_hrefs(client, sw, "/caseload/")["Arrange the PEP meeting for In"] == start_form
    hrefs = _task_hrefs(client, dt, "/designated-teacher/")
    assert hrefs["Complete the PEP for In"] == start_form


def test_someone_who_does_not_arrange_meetings_is_taken_to_the_pep_not_its_meeting_form():
    from types import SimpleNamespace
    from uuid import uuid4

    from portal.task_links import task_href
    from tests.permission_matrix import actor

    pep_id, child = uuid4(), SimpleNamespace(public_id=uuid4())
    task = SimpleNamespace(kind=TaskKind.ARRANGE_MEETING, child=child)
    assert task_href(actor(Role.DESIGNATED_TEACHER), task, pep_id) == f"/peps/{pep_id}/"
    assert task_href(actor(Role.VS_OFFICER), task, pep_id) == f"/peps/{pep_id}/meetings/new/"
    assert task_href(actor(Role.CARER), task, None) == f"/children/{child.public_id}/"
