"""Issue 8's endorsement journey in real Chromium: Sefton invites a designated teacher at
the school it shares with Kent; she sees only Sefton's child; Kent's Virtual School allows
her; she sees both; Kent stops her access; Kent's child is a 404 that same day. And the
attack that started it: Sefton cannot add school staff at a Kent school."""

import re

import pytest
from django.core import mail

from epep.tenancy.roles import Role
from tests.outbox import deliver_outbox

from ..factories import UserFactory, ready_for_work
from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def invite_through_the_form(page, live_server, *, name, email, urn):
    page.goto(f"{live_server.url}/people/invite/")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Role", exact=True).select_option(label="Designated teacher")
    page.get_by_label("School URN").fill(urn)
    page.get_by_role("button", name="Send invitation").click()


def child_names(page):
    return page.locator("[data-testid=children-table] th[scope=row]").all_inner_texts()


def test_each_authority_decides_whether_a_designated_teacher_sees_its_children(
    browser, live_server, world
):
    rachel = UserFactory(email="rachel.osei@example.org", full_name="Rachel Osei")
    ready_for_work(rachel, [Role.DESIGNATED_TEACHER])

    # Sefton's Virtual School tries a Kent school first: refused next to the field.
    sefton = signed_in_page(browser, live_server, world.b.users[Role.VS_OFFICER])
    invite_through_the_form(
        sefton, live_server, name="Rachel Osei", email=rachel.email, urn=world.school_a.urn
    )
    error = sefton.locator("#id_school_urn-error")
    error.wait_for()
    assert "Sefton has no children on roll at Kent Primary" in error.inner_text()
    assert axe_violations(sefton) == []
    deliver_outbox()
    assert mail.outbox == []

    # Then the school it shares with Kent.
    invite_through_the_form(
        sefton, live_server, name="Rachel Osei", email=rachel.email, urn=world.shared_school.urn
    )
    sefton.get_by_role("heading", level=1, name="Invitations").wait_for()
    deliver_outbox()
    [email] = [m for m in mail.outbox if m.to == [rachel.email]]
    link = re.search(r"http://\S+/invitations/\S+/", email.body).group(0)

    teacher = signed_in_page(browser, live_server, rachel)
    teacher.goto(link)
    teacher.get_by_role("button", name="Accept and add the role").click()
    teacher.goto(f"{live_server.url}/designated-teacher/")
    teacher.get_by_role("heading", level=1, name="Children in care at your school").wait_for()
    assert child_names(teacher) == [world.b.child.display_name]
    teacher.get_by_text("Which local authorities’ children you can see").click()
    assert "waiting for Kent Virtual School to decide" in (
        teacher.get_by_test_id("endorsements").inner_text()
    )
    assert axe_violations(teacher) == []
    screenshot(teacher, "dt-home-one-authority")

    # Kent's Virtual School Head is asked, on the home page and the School staff page.
    kent = signed_in_page(browser, live_server, world.a.users[Role.VS_HEAD])
    kent.goto(f"{live_server.url}/virtual-school/")
    kent.get_by_test_id("endorsements-waiting").get_by_role(
        "link", name="Decide who can see them"
    ).click()
    kent.get_by_role("heading", level=1, name="School staff for our children").wait_for()
    request = kent.get_by_test_id(f"request-{rachel.email}")
    assert (
        "Sefton has added Rachel Osei as designated teacher at Shared Academy: allow them to "
        "see your 1 child there?"
    ) in request.inner_text()
    assert axe_violations(kent) == []
    screenshot(kent, "school-staff-request")
    request.get_by_role("button", name="Allow Rachel Osei to see your children").click()
    kent.get_by_test_id(f"endorsed-{rachel.email}").wait_for()
    assert "Rachel Osei can now see Kent’s children at Shared Academy." in (
        kent.get_by_test_id("messages").inner_text()
    )
    screenshot(kent, "school-staff-endorsed")

    teacher.goto(f"{live_server.url}/designated-teacher/")
    assert sorted(child_names(teacher)) == sorted(
        [world.a.child.display_name, world.b.child.display_name]
    )
    kent_child_url = f"{live_server.url}/children/{world.a.child.public_id}/"
    assert teacher.goto(kent_child_url).status == 200

    # Kent stops her access, after a confirmation page.
    kent.get_by_test_id(f"endorsed-{rachel.email}").get_by_role("link", name="Stop access").click()
    kent.get_by_role(
        "heading", level=1, name="Stop Rachel Osei seeing your children at Shared Academy?"
    ).wait_for()
    assert axe_violations(kent) == []
    screenshot(kent, "school-staff-withdraw-confirm")
    kent.get_by_role("button", name="Stop access").click()
    kent.get_by_test_id(f"ended-{rachel.email}").wait_for()

    # The same day: Kent's child is gone from her list and its page is a 404.
    teacher.goto(f"{live_server.url}/designated-teacher/")
    assert child_names(teacher) == [world.b.child.display_name]
    assert teacher.goto(kent_child_url).status == 404
    for page in (sefton, teacher, kent):
        page.context.close()
