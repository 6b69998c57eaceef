"""One child whose date of birth is wrong in the database (after today: written before the
model refused it, or straight into the table) never takes a list page down: the row shows
"Not known" where the year group and key stage cannot be worked out."""

from datetime import date

import pytest

from epep.tenancy.roles import Role

from ..factories import ChildFactory, EnrolmentFactory, PlacementFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 5)


@pytest.fixture
def unborn(world, clock_at):
    """A child of Kent's, on roll at the shared school, with the Kent carer, and born
    (says the database) next year."""
    clock_at(TODAY)
    child = ChildFactory(
        local_authority=world.a.la,
        legal_first_name="Future",
        legal_last_name="Dated",
        date_of_birth=date(2027, 3, 1),
        entered_care_on=date(2027, 3, 1),
    )
    EnrolmentFactory(child=child, school=world.shared_school, start_date=date(2025, 9, 1))
    PlacementFactory(child=child, start_date=date(2025, 9, 1), carers=[world.a.users[Role.CARER]])
    return child


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.VS_HEAD, "/virtual-school/"),
        (Role.VS_OFFICER, "/virtual-school/"),
        (Role.LA_ADMIN, "/virtual-school/"),
        (Role.DESIGNATED_TEACHER, "/designated-teacher/"),
        (Role.CARER, "/carer/"),
    ],
)
def test_list_pages_show_not_known_for_a_child_born_in_the_future(client, world, unborn, role, url):
    client.force_login(world.a.users[role])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert unborn.display_name in page
    assert "Not known" in page
    # The other children's rows are still worked out as usual.
    assert world.a.child.display_name in page
    assert world.a.child.year_group_label() in page


def test_a_search_that_finds_the_child_answers(client, world, unborn):
    client.force_login(world.a.users[Role.VS_OFFICER])
    response = client.get("/virtual-school/", {"q": "Dated"})
    assert response.status_code == 200
    assert "Not known" in response.content.decode()


def test_the_childs_own_page_answers(client, world, unborn):
    client.force_login(world.a.users[Role.VS_OFFICER])
    response = client.get(f"/children/{unborn.public_id}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not known" in page
    assert "1 March 2027" in page  # the recorded date is shown, so someone can correct it
