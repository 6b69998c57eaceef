"""Browser journey: the Virtual School Head opens the authority's QA rubric in the admin,
starts a new version, changes a weight so the weights add up to 90 (a clear message beside
the criteria and in the error summary, nothing saved), puts it right and publishes the
version; a Virtual School officer reads the rubric but cannot change it. The Virtual School
Head records a PP+ decision on a PEP approved as Amber. axe-core finds no violations on any
of these pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from quality.models import Rubric, RubricStatus
from quality.selectors.funding_gate import ppplus_release
from quality.services.rubrics import rubric_for_new_review
from tests.quality.queue_factories import submitted_pep
from tests.quality.test_funding_gate import APPROVED
from tests.quality.test_funding_gate import make_review as approved_review

from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_drafts_fixes_and_publishes_a_new_version(browser, live_server, world):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        rubric_for_new_review(local_authority=world.a.la)
    page = signed_in_page(browser, live_server, world.a.users[Role.VS_HEAD])
    found = {}

    def check(name):
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            found[name] = violations
        screenshot(page, f"qa-rubric-{name}")

    page.goto(f"{live_server.url}/admin/quality/rubric/")
    check("list")
    page.get_by_role("link", name="PEP quality rubric (version 1)").click()
    page.wait_for_url("**/change/")
    assert page.get_by_text("This version is in force, so it cannot change").is_visible()
    check("in-force")
    page.get_by_role("link", name="start a new version").click()
    page.wait_for_url("**/new-version/")
    check("new-version")
    page.get_by_label("Keep the scale of the version in force").check()
    page.get_by_role("button", name="Start the new version").click()
    page.wait_for_load_state()
    assert page.get_by_text("Version 2 is a draft").is_visible()
    check("draft")

    weight = page.get_by_label("Weight, criterion 1", exact=True)
    assert weight.input_value() == "12"
    weight.fill("2")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    message = "The criteria's weights must add up to 100; they add up to 90."
    assert page.locator(".qa-error-summary").get_by_text(message).is_visible()
    assert page.locator("#criteria-group").get_by_text(message).is_visible()
    check("weights-90")
    with authority_context(local_authority_ids=[world.a.la.pk]):
        draft = Rubric.objects.get(version=2)
        assert sum(draft.criteria.values_list("weight", flat=True)) == 100

    page.get_by_label("Weight, criterion 1", exact=True).fill("12")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    assert not page.get_by_role("heading", name="There is a problem").is_visible()

    page.get_by_role(
        "link", name="Descriptors of “The child's voice is present and recent”"
    ).click()
    check("criterion")
    assert page.get_by_label("What Amber looks like").is_visible()
    page.go_back()
    page.wait_for_url("**/rubric/**")
    page.get_by_role("button", name="Publish this version").click()
    page.wait_for_load_state()
    assert page.get_by_text("Version 2 is in force").first.is_visible()
    check("published")
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert Rubric.objects.get(version=2).status == RubricStatus.IN_FORCE
        assert Rubric.objects.get(version=1).status == RubricStatus.RETIRED
    page.context.close()

    officer = signed_in_page(browser, live_server, world.a.users[Role.VS_OFFICER])
    officer.goto(f"{live_server.url}/admin/quality/rubric/")
    assert officer.get_by_role("link", name="Start a new version").count() == 0
    officer.get_by_role("link", name="PEP quality rubric (version 2)").click()
    officer.wait_for_url("**/change/")
    officer.wait_for_load_state("networkidle")
    assert officer.get_by_role("button", name="Publish this version").count() == 0
    violations = axe_violations(officer)
    if violations:
        found["officer"] = violations
    officer.context.close()
    assert found == {}


def test_the_head_decides_pp_plus_for_an_amber_pep(browser, live_server, world, clock_at):
    clock_at(date(2026, 11, 2))
    pep = submitted_pep(world.a, submitted_on=date(2026, 10, 20), first_name="Ada")
    with authority_context(local_authority_ids=[world.a.la.pk]):
        review = approved_review(world, pep, round=1, state=APPROVED, grade="Amber")
    page = signed_in_page(browser, live_server, world.a.users[Role.VS_HEAD])
    page.goto(f"{live_server.url}{reverse('admin:quality_qareview_funding', args=[review.pk])}")
    assert page.get_by_text("none is recorded yet").is_visible()
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert page.get_by_text("Choose whether PP+ is released.").first.is_visible()
    screenshot(page, "qa-funding-errors")
    found = {"errors": axe_violations(page)}
    page.get_by_label("Yes, release PP+").check()
    page.get_by_label("Reason").fill("Strong plan; the panel agreed.")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state("networkidle")
    with authority_context(local_authority_ids=[world.a.la.pk]):
        release = ppplus_release(pep_ids=[pep.pk])[pep.pk]
    assert release.released
    assert "released by decision: Strong plan" in release.why
    screenshot(page, "qa-funding-after")
    found["after"] = axe_violations(page)
    page.context.close()
    assert found == {"errors": [], "after": []}


def test_the_rubric_pages_have_no_axe_violations_on_a_phone(browser, live_server, world):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        rubric_for_new_review(local_authority=world.a.la)
    page = signed_in_page(
        browser, live_server, world.a.users[Role.VS_HEAD], viewport={"width": 375, "height": 740}
    )
    page.goto(f"{live_server.url}/admin/quality/rubric/new-version/")
    page.get_by_label("Gold, Green, Amber, Red (counting rule)").check()
    page.get_by_role("button", name="Start the new version").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Version 2 is a draft").is_visible()
    found = {"draft": axe_violations(page)}
    screenshot(page, "qa-rubric-phone-draft")
    page.get_by_role("link", name="Descriptors of “PP+ costs are linked to targets”").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("What Gold looks like").is_visible()
    found["criterion"] = axe_violations(page)
    page.context.close()
    assert found == {"draft": [], "criterion": []}
