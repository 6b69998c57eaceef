"""Each role lands on its own home page listing its children."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epep.tenancy import clock
from epep.tenancy.roles import Role

from ..factories import ChildFactory, EnrolmentFactory, MembershipFactory, ready_for_work

pytestmark = pytest.mark.django_db

HOMES = {
    Role.VS_HEAD: "/virtual-school/",
    Role.VS_OFFICER: "/virtual-school/",
    Role.LA_ADMIN: "/virtual-school/",
    Role.SOCIAL_WORKER: "/caseload/",
    Role.PERSONAL_ADVISER: "/caseload/",
    Role.IRO: "/caseload/",
    Role.DESIGNATED_TEACHER: "/designated-teacher/",
    Role.SCHOOL_STAFF: "/designated-teacher/shared/",
    Role.CARER: "/carer/",
    Role.YOUNG_PERSON: "/my/",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_home_page(client, world, role):
    user = world.a.users[role]
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == HOMES[role]
    page = client.get(HOMES[role]).content.decode()
    assert role.label in page  # the header names the role
    if role == Role.SCHOOL_STAFF:
        assert "Nobody has shared a child with you" in page
    elif role == Role.YOUNG_PERSON:
        assert "Hello, In" in page and "Shared Academy" in page
    else:
        assert world.a.child.display_name in page


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.YOUNG_PERSON,)])
def test_other_roles_home_pages_are_not_found(client, world, role):
    client.force_login(world.a.users[role])
    for url in HOMES.values():
        if url != HOMES[role]:
            assert client.get(url).status_code == 404, (role, url)


def test_home_lists_year_group_key_stage_school_and_authority(client, world):
    from ..factories import endorse

    endorse(world.a.users[Role.DESIGNATED_TEACHER], world.b.la)  # Sefton says yes too
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    page = client.get("/designated-teacher/").content.decode()
    assert "Shared Academy" in page
    # A designated teacher with children from two authorities sees both, labelled.
    assert "Local authority" in page
    assert ">Kent<" in page and ">Sefton<" in page
    response = client.get("/designated-teacher/")
    rows = {row["child"].pk: row for row in response.context["rows"]}
    row = rows[world.a.child.pk]
    assert row["authority"].name == "Kent"
    assert row["school"] == "Shared Academy"
    assert row["year_group"] == world.a.child.year_group_label()
    assert row["key_stage"] == world.a.child.key_stage()


def test_single_authority_list_does_not_show_an_authority_column(client, world):
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    page = client.get("/caseload/").content.decode()
    assert "Local authority" not in page


def test_header_shows_role_and_authority(client, world):
    client.force_login(world.b.users[Role.VS_OFFICER])
    page = client.get("/virtual-school/").content.decode()
    assert "Virtual School officer" in page and "Sefton" in page


def test_search_finds_a_child_by_name(client, world):
    client.force_login(world.a.users[Role.VS_HEAD])
    response = client.get("/virtual-school/", {"q": "out"})
    assert [r["child"] for r in response.context["rows"]] == [world.a.other_child]


def test_switching_role_changes_the_home_page(client, world):
    sw = world.a.users[Role.SOCIAL_WORKER]
    MembershipFactory(user=sw, role=Role.CARER, local_authority=world.a.la)
    ready_for_work(sw, [Role.CARER])
    client.force_login(sw)
    assert client.get("/")["Location"] == "/caseload/"
    response = client.post("/role/", {"role": "carer"})
    assert response["Location"] == "/carer/"
    assert client.get("/")["Location"] == "/carer/"
    assert client.get("/caseload/").status_code == 404
    response = client.post("/role/", {"role": "vs_head"})  # not one of theirs
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def _add_children(la, school, count):
    for i in range(count):
        child = ChildFactory(local_authority=la, date_of_birth=date(2012 + i % 8, 1 + i % 12, 1))
        EnrolmentFactory(child=child, school=school)


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.VS_HEAD, "/virtual-school/"),
        (Role.DESIGNATED_TEACHER, "/designated-teacher/"),
    ],
)
def test_home_page_query_count_does_not_grow_with_children(client, world, role, url):
    client.force_login(world.a.users[role])
    client.get(url)  # warm caches (content types, sessions)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _add_children(world.a.la, world.shared_school, 5)
    _add_children(world.b.la, world.shared_school, 0)
    at_5 = count()
    _add_children(world.a.la, world.shared_school, 45)
    _add_children(world.b.la, world.shared_school, 10)
    at_50 = count()
    assert at_50 == at_5


def test_child_page_query_count_does_not_grow_with_history(client, world):
    from ..factories import AllocationFactory, PlacementFactory, SchoolFactory, UserFactory

    client.force_login(world.a.users[Role.VS_HEAD])
    url = f"/children/{world.a.other_child.public_id}/"
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for year in range(2005, 2015):
        EnrolmentFactory(
            child=world.a.other_child,
            school=SchoolFactory(),
            start_date=date(year, 9, 1),
            end_date=date(year + 1, 7, 20),
        )
        PlacementFactory(
            child=world.a.other_child,
            start_date=date(year, 1, 1),
            end_date=date(year, 12, 1),
            carers=[UserFactory()],
        )
        AllocationFactory(
            child=world.a.other_child,
            start_date=date(year, 1, 1),
            end_date=date(year, 12, 1),
        )
    assert count() == before


def test_a_long_list_is_paginated_keeping_the_search(client, world):
    for i in range(55):
        ChildFactory(
            local_authority=world.a.la, legal_first_name="Page", legal_last_name=f"T{i:02d}"
        )
    client.force_login(world.a.users[Role.VS_HEAD])
    first = client.get("/virtual-school/", {"q": "page"})
    assert len(first.context["rows"]) == 50
    html = first.content.decode()
    assert 'href="?q=page&amp;page=2"' in html
    second = client.get("/virtual-school/", {"q": "page", "page": 2})
    assert len(second.context["rows"]) == 5


def test_the_young_persons_page_never_shows_their_next_peps_deadline(client, world):
    from datetime import timedelta

    from deadlines.models import Deadline
    from epep.tenancy.context import all_authorities_context

    with all_authorities_context():
        Deadline.objects.create(
            local_authority=world.a.la,
            child=world.a.child,
            kind="termly_review",
            trigger_date=clock.today() - timedelta(days=30),
            due_date=clock.today() + timedelta(days=40),
            source="test",
        )
    client.force_login(world.a.users[Role.YOUNG_PERSON])
    page = client.get("/my/").content.decode()
    # A deadline is the professionals' business (issue 13): the child is told the
    # meeting will be arranged.
    assert f"{(clock.today() + timedelta(days=40)):%-d %B %Y}" not in page
    assert "Your next PEP meeting hasn't been arranged yet." in page
