"""Moving school with the Virtual School's authorisation, in real Chromium: the social
worker asks for an in-year move in an authority whose policy needs authorisation, the
Virtual School officer authorises it, and the new school's designated teacher sees the
child from the start date (the clock frozen). axe-core on every page."""

from datetime import date

import pytest

from epep.tenancy.context import authority_context
from epep.tenancy.models import LocalAuthority
from epep.tenancy.roles import Role

from ..factories import UserFactory, ready_for_work, school_membership
from .conftest import axe_violations, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 11, 2)
MOVE_ON = date(2026, 11, 16)


def test_move_school_with_authorisation(browser, live_server, world, clock_at):
    clock_at(TODAY)
    a = world.a
    with authority_context(local_authority_ids=[a.la.pk]):
        LocalAuthority.objects.filter(pk=a.la.pk).update(in_year_transfers_need_authorisation=True)
    new_dt = UserFactory(full_name="Nia Newschool", email="nia@example.org")
    school_membership(user=new_dt, school=world.school_a, endorsed_by=[a.la])
    ready_for_work(new_dt, [Role.DESIGNATED_TEACHER])
    child_url = f"{live_server.url}/children/{a.child.public_id}/"

    # The social worker asks for the move.
    sw = signed_in_page(browser, live_server, a.users[Role.SOCIAL_WORKER])
    sw.goto(child_url)
    sw.get_by_role("link", name="Move to a new school").click()
    assert axe_violations(sw) == []
    sw.get_by_label("School name, URN or postcode").fill("Kent Primary")
    sw.get_by_role("button", name="Search").click()
    assert axe_violations(sw) == []
    sw.get_by_role("link", name="Kent Primary").click()
    sw.get_by_label("Date the move starts").fill(MOVE_ON.isoformat())
    assert axe_violations(sw) == []
    sw.get_by_role("button", name="Continue").click()
    sw.get_by_text("the Virtual School must authorise it").wait_for()
    assert axe_violations(sw) == []
    sw.get_by_role("button", name="Ask the Virtual School to authorise").click()
    sw.get_by_test_id("move-waiting").wait_for()
    assert axe_violations(sw) == []
    sw.context.close()

    # The Virtual School officer authorises it from their home page.
    vs = signed_in_page(browser, live_server, a.users[Role.VS_OFFICER])
    vs.goto(f"{live_server.url}/")
    vs.get_by_role("link", name="1 school move to authorise").click()
    vs.get_by_test_id("school-moves").wait_for()
    assert axe_violations(vs) == []
    vs.get_by_role("button", name=f"Authorise the move of {a.child.display_name}").click()
    vs.get_by_role("heading", name="School move authorised").wait_for()
    assert axe_violations(vs) == []
    vs.context.close()

    # The new school's designated teacher sees the child from the start date, not before.
    dt = signed_in_page(browser, live_server, new_dt)
    assert dt.goto(child_url).status == 404
    clock_at(MOVE_ON)
    assert dt.goto(child_url).status == 200
    dt.get_by_role("heading", level=1).wait_for()
    assert "Kent Primary" in dt.content()
    assert axe_violations(dt) == []
    dt.context.close()


def test_the_virtual_school_adds_a_school_not_on_the_list_and_moves_the_child_there(
    browser, live_server, world, clock_at
):
    """Point 4: the school list is searched by postcode; a school outside England is not
    on it, so the Virtual School officer adds it by hand (no URN, no LA code) and goes
    straight on to the move, which needs no authorisation for the Virtual School."""
    clock_at(TODAY)
    a = world.a
    vs = signed_in_page(browser, live_server, a.users[Role.VS_OFFICER])
    vs.goto(f"{live_server.url}/children/{a.child.public_id}/")
    vs.get_by_role("link", name="Move to a new school").click()
    vs.get_by_label("School name, URN or postcode").fill("CF10 1AA")
    vs.get_by_role("button", name="Search").click()
    vs.get_by_role("heading", name="No school found").wait_for()
    assert axe_violations(vs) == []
    vs.get_by_role("link", name="Add a school that is not on the list").click()
    vs.get_by_role("button", name="Add the school").click()
    vs.get_by_role("heading", name="There is a problem").wait_for()
    assert axe_violations(vs) == []
    vs.get_by_label("School name").fill("Ysgol Glan Taf")
    vs.get_by_label("Phase").select_option("secondary")
    vs.get_by_label("Type").select_option("community")
    vs.get_by_label("Postcode (optional)").fill("CF14 2JL")
    vs.get_by_role("button", name="Add the school").click()
    vs.get_by_role("heading", name="Move to Ysgol Glan Taf").wait_for()
    assert axe_violations(vs) == []
    vs.get_by_label("Date the move starts").fill(MOVE_ON.isoformat())
    vs.get_by_role("button", name="Continue").click()
    vs.get_by_role("heading", name="Check the school move").wait_for()
    assert axe_violations(vs) == []
    vs.get_by_role("button", name="Move school").click()
    vs.get_by_role("heading", name="School move recorded").wait_for()
    vs.goto(f"{live_server.url}/children/{a.child.public_id}/")
    schools = vs.get_by_role("table", name="School history").inner_text()
    assert "Ysgol Glan Taf" in schools and "added by hand" in schools
