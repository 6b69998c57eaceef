"""The UI shell in real Chromium: sign in, land on the role's home page, open a child,
no accessibility violations, works on a phone and without JavaScript."""

import pytest

from epep.tenancy.roles import Role

from .conftest import axe_violations, screenshot, sign_in_with_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_designated_teacher_signs_in_and_sees_children_of_both_authorities(
    page, live_server, world
):
    from ..factories import endorse

    endorse(world.a.users[Role.DESIGNATED_TEACHER], world.b.la)  # Sefton allows it too
    sign_in_with_code(page, live_server, world.a.users[Role.DESIGNATED_TEACHER].email)
    page.wait_for_url(f"{live_server.url}/designated-teacher/")
    header = page.get_by_test_id("header-context")
    assert "Designated teacher" in header.inner_text()
    assert "Shared Academy" in header.inner_text()
    table = page.get_by_test_id("children-table")
    assert "Kent" in table.inner_text() and "Sefton" in table.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "designated-teacher-home")

    page.get_by_role("link", name=world.b.child.display_name, exact=True).click()
    page.get_by_role("heading", level=1, name=world.b.child.display_name).wait_for()
    assert axe_violations(page) == []
    screenshot(page, "child-record")


@pytest.mark.parametrize("role", [Role.VS_HEAD, Role.SOCIAL_WORKER, Role.CARER, Role.YOUNG_PERSON])
def test_home_pages_have_no_accessibility_violations_on_a_phone(phone, live_server, world, role):
    # Every user of the test world has set up two-step sign-in (carers and young people
    # may choose to), so each signs in with a code.
    sign_in_with_code(phone, live_server, world.a.users[role].email)
    phone.wait_for_load_state("networkidle")
    assert "/accounts/" not in phone.url
    assert phone.url != f"{live_server.url}/accounts/login/"
    assert axe_violations(phone) == []
    screenshot(phone, f"phone-{role.value}-home")


def test_sign_in_page_is_accessible_and_errors_are_announced(page, live_server, world):
    page.goto(f"{live_server.url}/accounts/login/")
    assert axe_violations(page) == []
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong password entirely")
    page.get_by_role("button", name="Sign in").click()
    summary = page.get_by_role("alert")
    assert "Enter a correct email address and password" in summary.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "sign-in-error")


def test_pages_work_without_javascript(browser, live_server, world):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_with_code(page, live_server, world.a.users[Role.VS_HEAD].email)
    page.wait_for_url(f"{live_server.url}/virtual-school/")
    page.get_by_label("Search by name or UPN").fill("Out")
    page.get_by_role("button", name="Search").click()
    table = page.get_by_test_id("children-table")
    assert world.a.other_child.display_name in table.inner_text()
    assert world.a.child.display_name not in table.inner_text()
    context.close()
