"""The in-tray in real Chromium: a child whose termly reviews were missed for years shows
one task, the latest, with how many earlier ones were missed, and it opens the form that
does it (axe on the home page)."""

from datetime import timedelta

import pytest

from epep.tenancy import clock
from epep.tenancy.roles import Role

from ..deadlines.test_in_tray_collapse import _obligations, _on_roll
from .conftest import axe_violations, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_years_of_missed_reviews_are_one_task_with_the_count_of_missed_ones(
    browser, live_server, world
):
    teacher = world.a.users[Role.DESIGNATED_TEACHER]
    child = _on_roll(world, legal_first_name="Missed", legal_last_name="Reviews")
    today = clock.today()
    _obligations(
        child, teacher, [today - timedelta(days=365 * years) for years in (3, 2, 1)] + [today]
    )
    page = signed_in_page(browser, live_server, teacher)
    page.goto(f"{live_server.url}/designated-teacher/")
    rows = page.get_by_test_id("tasks-table").locator("tbody tr").filter(has_text="Missed Reviews")
    assert rows.count() == 1
    assert "and 3 earlier missed" in rows.inner_text()
    assert axe_violations(page) == []
    rows.get_by_test_id("task-link").click()
    page.get_by_role("heading", level=1, name="Start a Personal Education Plan").wait_for()
    page.context.close()
