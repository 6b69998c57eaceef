"""The Virtual School Head's dashboard in Chromium: the dashboard, the compliance page,
a bad filter and the children behind a number, axe clean at 320 and 1280 pixels; the
charts are images with a name and a description; the filters work without JavaScript."""

from __future__ import annotations

import pytest

from epep.tenancy.roles import Role

from ..reports.test_cohort import cohort_world  # noqa: F401  (fixture)
from ..reports.test_compliance import compliance_world  # noqa: F401  (fixture)
from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 1280)


def clean_at_every_width(page, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], (name, width)
        screenshot(page, f"reports-{name}-{width}")


def test_the_dashboard_axe_clean_and_filtered_without_javascript(
    browser,
    live_server,
    world,
    compliance_world,  # noqa: F811
):
    base = f"{live_server.url}/virtual-school/reports/"
    # The filters, without JavaScript: open the details, choose the school, show.
    no_script = signed_in_page(
        browser, live_server, world.a.users[Role.VS_HEAD], java_script_enabled=False
    )
    no_script.goto(f"{base}?year=2026&term=autumn")
    no_script.get_by_text("Change the filters").click()
    no_script.get_by_label("School", exact=True).select_option(label="Kent Primary")
    no_script.get_by_role("button", name="Show figures").click()
    no_script.wait_for_url("**school=*")
    compliance = no_script.get_by_test_id("section-compliance")
    cohort = compliance.get_by_test_id("figure-cohort").get_by_role("row").nth(1)
    assert cohort.inner_text().split()[:3] == ["All", "children", "4"]
    no_script.context.close()

    head = signed_in_page(browser, live_server, world.a.users[Role.VS_HEAD])
    head.goto(f"{base}?year=2026&term=autumn")
    head.get_by_test_id("section-compliance").wait_for()
    clean_at_every_width(head, "dashboard")
    chart = head.get_by_role(
        "img", name="Chart: Children with an in-date PEP (percentage of children)"
    )
    assert chart.count() == 1

    # The compliance page, then a school that is not ours: the message beside the field.
    head.goto(f"{base}compliance/?year=2026&term=autumn&school=99999999")
    head.locator("#id_school-error").wait_for()
    assert head.title() == "Error: PEP compliance – ePEP"
    assert "No child of this authority" in head.locator(".govuk-error-summary").inner_text()
    clean_at_every_width(head, "compliance-error")
    head.goto(f"{base}compliance/?year=2026&term=autumn")
    clean_at_every_width(head, "compliance")

    # The number of children with an in-date PEP leads to them.
    in_date = head.get_by_test_id("figure-in_date").get_by_role("link", name="1 of 7 (14%)")
    in_date.click()
    head.get_by_test_id("children").wait_for()
    assert world.a.child.display_name in head.get_by_test_id("children").inner_text()
    clean_at_every_width(head, "children")
    head.context.close()
