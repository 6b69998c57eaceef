"""Browser journey: the Virtual School Head draws the term's moderation sample in the
admin, gives a sampled PEP to a second officer to grade again, and downloads the term's
QA results; axe-core finds no violations on the moderation pages and the export page."""

from __future__ import annotations

import pytest

from epep.tenancy.actor import acting_as
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from quality.models import ModerationItem, ModerationSample
from quality.services.moderation import moderation_after_review_completed
from tests.quality.test_moderation import (
    TERM,
    YEAR,
    Scale,
    completed_review,
    grade_review,
    second_officer,
    set_share,
)

from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_draws_the_sample_assigns_a_moderator_and_exports(browser, live_server, world):
    scale = Scale(world.a.la)
    set_share(world.a, 50)
    for first, last in (
        ("Ada", "Lovelace"),
        ("Alan", "Turing"),
        ("Grace", "Hopper"),
        ("Mary", "Somerville"),
    ):
        completed_review(world.a, scale, first=first, last=last)
    moderator = second_officer(world.a)
    page = signed_in_page(browser, live_server, world.a.users[Role.VS_HEAD])
    found = {}

    def check(name):
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            found[name] = violations
        screenshot(page, f"qa-moderation-{name}")

    page.goto(f"{live_server.url}/admin/quality/moderationsample/")
    check("list")
    page.get_by_role("link", name="Draw this term's sample").click()
    assert page.get_by_text("50%").is_visible()
    page.get_by_role("button", name="Draw the sample").click()  # nothing chosen
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    check("draw-errors")
    page.get_by_label("Academic year").select_option(YEAR)
    page.get_by_label("Term").select_option(TERM)
    page.get_by_role("button", name="Draw the sample").click()
    page.wait_for_load_state()
    assert page.get_by_text("2 of 4 completed QA reviews sampled").is_visible()
    check("sample")
    with all_authorities_context():
        sample = ModerationSample.objects.get()
        names = sorted(
            ModerationItem.objects.filter(sample=sample).values_list(
                "pep__child__legal_first_name", "pep__child__legal_last_name"
            ),
            key=lambda name: name[1],
        )
    child = " ".join(names[0])
    page.get_by_label(f"Moderator for {child}").select_option(label=moderator.full_name)
    page.get_by_role("button", name=f"Assign {child}").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"{child}'s PEP is given to {moderator.full_name}").is_visible()
    assert page.get_by_role("row", name=child).get_by_text("Waiting for the moderator").is_visible()
    check("assigned")
    with all_authorities_context():
        item = ModerationItem.objects.select_related("moderation").get(
            sample=sample, pep__child__legal_last_name=names[0][1]
        )
    assert item.moderation.officer_id == moderator.pk

    # the moderator grades it Red (the original was Green): the Head resolves it
    graded = grade_review(item.moderation, scale, "Red")
    with acting_as(moderator):
        moderation_after_review_completed(review=graded)
    page.reload()
    row = page.get_by_role("row", name=child)
    assert row.get_by_text("Disagreed: waiting for the Virtual School Head").is_visible()
    row.get_by_role("link", name=f"Resolve {child}").click()
    assert page.get_by_role("table", name="Grades per criterion").is_visible()
    assert page.get_by_text("Disagreed: waiting for the Virtual School Head").is_visible()
    page.get_by_role("button", name="Record the outcome").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    check("resolve-errors")
    page.get_by_label("The original grade stands").check()
    page.get_by_label("Why").fill("The child's voice is from this term: Green is right.")
    page.get_by_role("button", name="Record the outcome").click()
    page.wait_for_load_state()
    assert page.get_by_text("The outcome is recorded.").is_visible()
    assert page.get_by_text("Disagreed: the original grade stands").is_visible()
    page.get_by_role("link", name="Agreement report for this term").click()
    assert page.get_by_role("row", name="Virtual School officer 886").get_by_text("0%").is_visible()
    check("agreement")

    page.goto(f"{live_server.url}/admin/quality/moderationsample/")
    page.get_by_role("link", name="Export QA results").click()
    check("export")
    page.get_by_label("Academic year").select_option(YEAR)
    page.get_by_label("Term").select_option(TERM)
    page.get_by_label("CSV (comma-separated values)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename == "qa-results-2026-27-autumn.csv"
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert "Ada Lovelace" in content and "Grace Hopper" in content
    assert page.csp_violations == []
    page.context.close()
    assert found == {}
