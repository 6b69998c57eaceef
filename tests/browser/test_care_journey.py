"""Adding a child in real Chromium: a social worker records a child entering care on the
Friday before half term, checks the answers, and sees the first-PEP due date (counted in
school days, after the half-term week) on the child's page and the task in their in-tray.
Every page passes axe."""

from datetime import date

import pytest

from calendars.models import SchoolTerm
from deadlines import due_dates
from epep.tenancy.context import authority_context
from epep.tenancy.models import LocalAuthority
from epep.tenancy.roles import Role

from .conftest import axe_violations, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Kent's autumn 2026: half term is the week of 26 October.
TERMS = [(date(2026, 9, 2), date(2026, 10, 23)), (date(2026, 11, 2), date(2026, 12, 18))]
FRIDAY_BEFORE_HALF_TERM = date(2026, 10, 23)


def _kent_counts_school_days(la):
    with authority_context(local_authority_ids=[la.pk]):
        LocalAuthority.objects.filter(pk=la.pk).update(
            first_pep_unit=due_dates.SCHOOL_DAYS, first_pep_limit=10
        )
        for i, (start, end) in enumerate(TERMS, 1):
            SchoolTerm.objects.create(
                local_authority=la,
                academic_year="2026-27",
                name=f"Autumn {i}",
                start_date=start,
                end_date=end,
            )


def test_a_social_worker_adds_a_child_entering_care_on_the_friday_before_half_term(
    browser, live_server, world, clock_at
):
    clock_at(FRIDAY_BEFORE_HALF_TERM)
    _kent_counts_school_days(world.a.la)
    due = due_dates.first_pep_due(
        FRIDAY_BEFORE_HALF_TERM, limit=10, unit=due_dates.SCHOOL_DAYS, terms=TERMS
    ).date
    assert due > date(2026, 11, 2)  # the half-term week is not counted

    page = signed_in_page(browser, live_server, world.a.users[Role.SOCIAL_WORKER])
    page.goto(f"{live_server.url}/caseload/")
    page.get_by_role("link", name="Add a child").click()
    page.get_by_role("heading", level=1, name="Add a child").wait_for()
    assert axe_violations(page) == []
    # Nothing filled in: each message beside its field, and the summary links to it.
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.locator("#id_legal_first_name-error").is_visible()
    assert axe_violations(page) == []

    page.get_by_label("Legal first name").fill("Amara")
    page.get_by_label("Legal last name").fill("Okafor")
    page.get_by_label("Date of birth").fill("2016-04-01")
    page.get_by_label("Female").check()
    page.get_by_label("Legal status").select_option("C2")
    page.get_by_label("Date entered care").fill(FRIDAY_BEFORE_HALF_TERM.isoformat())
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", level=1, name="Check the child's details").wait_for()
    assert "23 October 2026" in page.get_by_test_id("answers").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add the child").click()

    page.get_by_role("heading", level=1, name="Child added").wait_for()
    assert axe_violations(page) == []
    page.get_by_test_id("added-child").click()
    page.get_by_role("heading", level=1, name="Amara Okafor").wait_for()
    body = page.locator("main").inner_text()
    assert f"{due.day} {due:%b %Y}" in body, body
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/caseload/")
    assert "Arrange the PEP meeting for Amara Okafor" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.context.close()
