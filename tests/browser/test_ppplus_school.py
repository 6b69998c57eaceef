"""PP+ on the school's side in real Chromium: the designated teacher asks for £450 for a
maths tutor tied to a target (a mistyped amount first: the message beside the field),
sees it waiting; once QA approved the PEP Green and the Virtual School approved the line
(set up with the funding services), records the impact; the home page's PP+ panel; the
public policies page on a phone. axe-core on every page."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from epep.tenancy.roles import Role

from ..funding.support import DAY, allocation, budget, policy
from ..funding.test_lines import approved_by_qa, decide
from ..portal.test_ppplus_school import started_pep
from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_designated_teacher_asks_for_ppplus_and_records_the_impact(
    browser, live_server, world, clock_at, phone
):
    clock_at(DAY)
    policy(
        world.a.la,
        published_at=timezone.now(),
        not_funded="School trips\nUniform",
        summary="Kent funds tuition and mentoring tied to the PEP's targets.",
    )
    budget(world.a.la)
    allocation(world.a.child)
    pep = started_pep(world)
    dt = signed_in_page(browser, live_server, world.a.users[Role.DESIGNATED_TEACHER])

    # The PEP page links to its PP+ and offers to ask.
    dt.goto(f"{live_server.url}/peps/{pep.public_id}/")
    dt.get_by_test_id("ppplus-section").wait_for()
    assert axe_violations(dt) == []
    dt.get_by_test_id("ppplus-section").get_by_role("link", name="Ask for PP+").click()
    dt.get_by_role("heading", name="Ask for Pupil Premium Plus").wait_for()
    assert axe_violations(dt) == []

    # A mistyped amount: the message beside the field, nothing saved.
    dt.get_by_label("What will the money pay for?").fill("One-to-one maths tutor, 10 sessions")
    dt.get_by_label("Who provides it (optional)").fill("Kent Tutors Ltd")
    dt.get_by_label("Tuition and catch-up").check()
    dt.get_by_label("How much, in pounds?").fill("£4a0")
    dt.get_by_label("Reach the expected standard in maths (1)").check()
    dt.get_by_role("button", name="Ask for PP+").click()
    error = dt.locator("#id_amount-error")
    error.wait_for()
    assert "Enter the amount in pounds and pence" in error.inner_text()
    assert dt.get_by_label("Reach the expected standard in maths (1)").is_checked()
    assert axe_violations(dt) == []
    screenshot(dt, "ppplus-request-error")

    dt.get_by_label("How much, in pounds?").fill("450")
    dt.get_by_role("button", name="Ask for PP+").click()
    dt.get_by_role("heading", name="Pupil Premium Plus", exact=True).wait_for()
    line = dt.get_by_test_id("ppplus-line")
    assert "Waiting for a decision" in line.inner_text() and "£450.00" in line.inner_text()
    assert axe_violations(dt) == []
    screenshot(dt, "ppplus-pep-waiting")

    # QA approves the PEP Green and the Virtual School approves the line.
    from epep.tenancy.context import all_authorities_context
    from funding.models import PpLine

    with all_authorities_context():
        requested = PpLine.objects.get()
    approved_by_qa(world, pep)
    decide(world, requested)

    # The home page's panel shows the decision and asks for the impact.
    dt.goto(f"{live_server.url}/designated-teacher/")
    panel = dt.get_by_test_id("ppplus-home")
    assert "Approved" in panel.get_by_test_id("ppplus-decided").inner_text()
    assert axe_violations(dt) == []
    screenshot(dt, "ppplus-home")
    panel.get_by_role("link", name=re.compile("Record the impact")).click()
    dt.get_by_role("heading", name=re.compile("Record the impact")).wait_for()
    assert axe_violations(dt) == []
    dt.get_by_role("button", name="Save the impact").click()
    dt.locator("#id_impact_rating-error").wait_for()
    assert axe_violations(dt) == []
    dt.get_by_label("Made a big difference").check()
    dt.get_by_label("What difference did it make?").fill(
        "Reached the expected standard in the spring assessment."
    )
    dt.get_by_role("button", name="Save the impact").click()
    impact = dt.get_by_test_id("ppplus-impact")
    impact.wait_for()
    assert "Made a big difference" in impact.inner_text()
    assert axe_violations(dt) == []
    screenshot(dt, "ppplus-pep-impact")
    dt.context.close()

    # The public policies page, on a phone, signed out.
    phone.goto(f"{live_server.url}/pupil-premium-plus/policies/?authority=886")
    phone.get_by_test_id("policy-886-2026").wait_for()
    assert "School trips" in phone.get_by_test_id("policy-886-2026").inner_text()
    assert axe_violations(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "ppplus-policies-phone")
