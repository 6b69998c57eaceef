"""The in-tray on a home page shows 25 open tasks a page (``?tasks_page=N``), with
GOV.UK pagination links that work without JavaScript and keep the children list's
search and page."""

from datetime import timedelta

import pytest

from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role

try:  # the in-tray's tasks move from meetings to deadlines
    from deadlines.models import Task, TaskKind
except ImportError:  # pragma: no cover - before the move
    from meetings.models import Task, TaskKind

pytestmark = pytest.mark.django_db


def _open_tasks(world, count):
    sw = world.a.users[Role.SOCIAL_WORKER]
    with all_authorities_context():
        Task.objects.bulk_create(
            Task(
                local_authority=world.a.la,
                child=world.a.child,
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
