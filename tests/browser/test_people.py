"""People pages in real Chromium: an LA administrator invites someone through the form
(errors shown next to the fields first), opens a person and their confirmation page; no
accessibility violations anywhere."""

import pytest
from django.core import mail

from epep.accounts.models import Invitation
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from tests.outbox import deliver_outbox

from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_la_admin_invites_someone_through_the_form(browser, live_server, world):
    page = signed_in_page(browser, live_server, world.a.users[Role.LA_ADMIN])
    page.goto(f"{live_server.url}/virtual-school/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="People").click()
    page.get_by_role("heading", level=1, name="People").wait_for()
    table = page.get_by_test_id("people-table")
    assert "Social worker 886" in table.inner_text()
    assert "Never signed in" in table.inner_text()
    assert "Social worker 343" not in table.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "people-list")

    page.get_by_role("button", name="Invite someone").click()
    page.get_by_role("heading", level=1, name="Invite someone").wait_for()
    page.get_by_label("Full name").fill("Dee Teacher")
    page.get_by_label("Email address").fill("dee.teacher@example.org")
    page.get_by_label("Role", exact=True).select_option(label="Designated teacher")
    page.get_by_label("School URN").fill("123456")
    page.get_by_role("button", name="Send invitation").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "There is no school with URN 123456" in summary.inner_text()
    assert page.title().startswith("Error: ")
    field_error = page.locator("#id_school_urn-error")
    assert "There is no school with URN 123456" in field_error.inner_text()
    # What was typed is kept.
    assert page.get_by_label("Full name").input_value() == "Dee Teacher"
    assert axe_violations(page) == []
    screenshot(page, "people-invite-errors")

    page.get_by_label("School URN").fill(world.school_a.urn)
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_role("heading", level=1, name="Invitations").wait_for()
    assert (
        "Invitation sent to dee.teacher@example.org" in page.get_by_test_id("messages").inner_text()
    )
    row = page.get_by_test_id("invitation-dee.teacher@example.org")
    assert "Designated teacher" in row.inner_text() and "Waiting" in row.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "people-invitations")
    with all_authorities_context():
        invitation = Invitation.objects.get(email="dee.teacher@example.org")
    assert invitation.school == world.school_a
    deliver_outbox()
    assert [m.to for m in mail.outbox] == [["dee.teacher@example.org"]]
    assert page.csp_violations == []


def test_person_page_and_confirmation_are_accessible(browser, live_server, world):
    page = signed_in_page(browser, live_server, world.a.users[Role.LA_ADMIN])
    page.goto(f"{live_server.url}/people/")
    page.get_by_role("link", name="Independent reviewing officer 886").click()
    page.get_by_role("heading", level=1, name="Independent reviewing officer 886").wait_for()
    assert "Set up" in page.get_by_test_id("person-summary").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "people-person")

    page.get_by_role("button", name="Deactivate account").click()
    page.get_by_role("heading", level=1, name="Deactivate").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "people-confirm-deactivate")
    page.get_by_role("button", name="Deactivate account").click()
    page.get_by_role("heading", level=1, name="Independent reviewing officer 886").wait_for()
    assert "account has been deactivated" in page.get_by_test_id("messages").inner_text()
    assert "Deactivated" in page.get_by_test_id("person-summary").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "people-person-deactivated")
    assert page.csp_violations == []


def test_people_pages_on_a_phone(browser, live_server, world):
    from django.db import transaction

    from children.permissions import resolve_actor
    from epep.accounts import services

    with transaction.atomic():
        actor = resolve_actor(world.a.users[Role.VS_HEAD])
        services.invitation_create(
            actor=actor,
            email="a.very.long.address.for.a.phone@example-authority.gov.uk",
            full_name="Lengthy Address",
            role=Role.DESIGNATED_TEACHER,
            base_url="http://testserver/",
            school=world.school_a,
        )
    page = signed_in_page(
        browser,
        live_server,
        world.a.users[Role.VS_HEAD],
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page.goto(f"{live_server.url}/people/")
    page.get_by_role("heading", level=1, name="People").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "phone-people-list")
    # Nothing wider than the phone: the tables reflow.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_role("link", name="See invitations").click()
    page.get_by_role("heading", level=1, name="Invitations").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "phone-people-invitations")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_removing_a_two_authority_teacher_explains_the_rule(browser, live_server, world):
    from tests.factories import SchoolFactory, UserFactory, ready_for_work, school_membership

    teacher = UserFactory(email="two.schools@example.org", full_name="Tess Twoschools")
    sefton_high = SchoolFactory(name="Sefton High", la_code="343")
    for school, authority in ((world.school_a, world.a.la), (sefton_high, world.b.la)):
        school_membership(user=teacher, school=school, endorsed_by=[authority])
    ready_for_work(teacher, [Role.DESIGNATED_TEACHER])
    page = signed_in_page(browser, live_server, world.a.users[Role.VS_HEAD])
    page.goto(f"{live_server.url}/people/{teacher.public_id}/")
    rule = page.get_by_test_id("account-rule").inner_text()
    assert "Deactivating their account would stop that work too" in rule
    assert page.get_by_role("button", name="Deactivate account").count() == 0
    assert axe_violations(page) == []
    screenshot(page, "people-person-two-authorities")

    page.get_by_role("button", name="Remove from Kent").click()
    page.get_by_role("heading", level=1, name="Remove Tess Twoschools from Kent?").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "people-confirm-remove")
    page.get_by_role("button", name="Remove from Kent").click()
    page.get_by_role("heading", level=1, name="Tess Twoschools").wait_for()
    assert "has been removed from Kent" in page.get_by_test_id("messages").inner_text()
    assert "Removed" in page.get_by_test_id("person-summary").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "people-person-removed")
