"""The authority's settings in real Chromium: the Virtual School Head changes the
first-PEP limit and the child's first-PEP due date moves at once; axe on every page."""

from datetime import date

import pytest

from epep.tenancy.roles import Role

from ..deadlines.test_deadlines import add_terms, new_child, refresh
from .conftest import axe_violations, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = date(2026, 11, 3)


def first_pep_row(page):
    return (
        page.get_by_test_id("deadlines-table")
        .get_by_role("row")
        .filter(has_text="First PEP after entering care")
    )


def test_the_head_changes_the_first_pep_limit_and_the_due_date_moves(
    browser, live_server, world, clock_at
):
    clock_at(DAY)
    la = world.a.la
    add_terms(la)
    child = new_child(la)
    refresh(child, DAY)
    page = signed_in_page(browser, live_server, world.a.users[Role.VS_HEAD])
    child_url = f"{live_server.url}/children/{child.public_id}/"
    page.goto(child_url)
    assert "16 Nov 2026" in first_pep_row(page).inner_text()
    # Next year has no term dates: every Virtual School page says so.
    assert page.get_by_test_id("term-dates-warning").is_visible()

    page.get_by_role("link", name="Settings", exact=True).first.click()
    page.get_by_role("heading", level=1, name="Settings").wait_for()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Change first PEP limit").click()
    page.get_by_role("heading", level=1, name="PEP policy").wait_for()
    assert axe_violations(page) == []

    page.get_by_label("First PEP within").fill("61")
    page.get_by_role("button", name="Save policy").click()
    page.get_by_text("Enter a number of days from 1 to 60").first.wait_for()
    assert axe_violations(page) == []

    page.get_by_label("First PEP within").fill("20")
    page.get_by_role("button", name="Save policy").click()
    page.get_by_test_id("messages").wait_for()
    banner = page.get_by_test_id("messages").inner_text()
    assert "PEP policy saved." in banner and "Open PEP deadlines were recalculated." in banner
    assert "20 working days of entering care" in page.get_by_test_id("first-pep-limit").inner_text()
    assert axe_violations(page) == []

    page.goto(child_url)
    assert "30 Nov 2026" in first_pep_row(page).inner_text()

    # The term-dates form of the year without dates, from the warning.
    page.get_by_role("link", name="Add the term dates for 2027-28").click()
    page.get_by_role("heading", level=1, name="Term dates for 2027-28").wait_for()
    assert axe_violations(page) == []
    page.context.close()
