"""Browser journey of QA: the designated teacher submits (seeing the automatic checks
first), the Virtual School officer signed in by role grades in the admin and returns the
PEP with a reason and what to fix, the school sees the feedback on its home page and the
PEP, amends and resubmits, the officer approves and the grade shows on the PEP page with
the first round under QA history. axe-core on every page."""

import pytest

from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps.models import Pep
from quality.models import QaReview
from tests.peps.test_cycle import fill, move, start
from tests.quality.grading_support import small_rubric

from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_review_id(pep) -> int:
    with all_authorities_context():
        return QaReview.objects.get(pep=pep, status__in=["assigned", "in_progress"]).pk


def grade(page, criterion, rank_index, comment=""):
    page.locator(f"#id_grade_{criterion.pk}_{rank_index}").check()
    if comment:
        page.locator(f"#id_comment_{criterion.pk}").fill(comment)


def officer_grades(browser, live_server, world, pep, rubric, *, ranks, finish):
    """The officer opens the PEP from the queue, assigns it to herself, starts grading,
    grades each criterion (``ranks``: index in the scale, 0 = Green), saves, then
    ``finish(page)``."""
    vs = signed_in_page(browser, live_server, world.a.users[Role.VS_OFFICER])
    vs.goto(f"{live_server.url}/admin/quality/qaqueueentry/{pep.pk}/change/")
    vs.get_by_role("button", name="Assign to me and start").click()
    vs.get_by_role("button", name="Start grading").click()
    vs.get_by_role("button", name="Save grades").wait_for()
    assert axe_violations(vs) == []
    comments = {rubric.targets.pk: "No one named for the reading target."}
    for criterion, rank in zip(rubric.criteria, ranks, strict=True):
        grade(vs, criterion, rank, comments.get(criterion.pk, "") if rank else "")
    vs.locator(f"#id_section_{rubric.plan_section.pk}").fill("Targets need owners.")
    vs.get_by_label("Summary feedback for the school").fill("A thoughtful PEP.")
    vs.get_by_role("button", name="Save grades").click()
    vs.get_by_text("Grades saved.").wait_for()
    finish(vs)
    vs.context.close()


def test_graded_returned_fixed_resubmitted_approved(browser, live_server, world):
    a = world.a
    rubric = small_rubric(a.la)
    pep = start(world)
    fill(world, pep)
    move(world, pep, Role.SOCIAL_WORKER, "meeting_held", meeting_date=clock.today())
    pep_url = f"{live_server.url}/peps/{pep.public_id}/"

    # The designated teacher sees the automatic checks, then submits.
    dt = signed_in_page(browser, live_server, a.users[Role.DESIGNATED_TEACHER])
    dt.goto(pep_url)
    checks = dt.get_by_test_id("qa-prechecks")
    assert "No next PEP meeting is booked." in checks.inner_text()
    assert axe_violations(dt) == []
    screenshot(dt, "qa-prechecks")
    dt.get_by_role("button", name="Submit to the Virtual School").click()
    assert dt.get_by_test_id("pep-status").inner_text() == "Submitted to the Virtual School"
    dt.context.close()

    # The officer grades (Green, Red, Green: 70, Amber) and returns it.
    def return_it(vs):
        assert "Amber" in vs.get_by_test_id("computed-grade").inner_text()
        fixes = vs.get_by_label("What the school must fix, one item a line")
        assert "No one named for the reading target." in fixes.input_value()
        vs.get_by_role("button", name="Return the PEP").click()
        # A return without a reason is refused beside the field and in the summary.
        vs.get_by_test_id("error-summary").wait_for()
        assert "Say why the PEP is returned" in vs.get_by_test_id("error-summary").inner_text()
        assert axe_violations(vs) == []
        vs.get_by_label("Why it is returned").fill("The targets are not assigned to anyone.")
        screenshot(vs, "qa-grading-page")
        vs.get_by_role("button", name="Return the PEP").click()
        vs.get_by_text("The PEP is returned to the school.").wait_for()
        assert "Round 1: Completed, returned for amendments" in vs.content()
        assert axe_violations(vs) == []

    officer_grades(browser, live_server, world, pep, rubric, ranks=[0, 2, 0], finish=return_it)

    # The school sees it on the home page and the PEP, amends and resubmits.
    dt = signed_in_page(browser, live_server, a.users[Role.DESIGNATED_TEACHER])
    dt.goto(f"{live_server.url}/designated-teacher/")
    outcome = dt.get_by_test_id("qa-outcome")
    assert "Returned: 1 thing to fix" in outcome.inner_text()
    assert axe_violations(dt) == []
    outcome.get_by_role("link").click()
    feedback = dt.get_by_test_id("qa-feedback")
    text = feedback.inner_text()
    assert "Amber" in text and "A thoughtful PEP." in text
    assert "The targets are not assigned to anyone." in text
    assert "No one named for the reading target." in text
    assert axe_violations(dt) == []
    feedback.screenshot(path=str(screenshot(dt, "qa-feedback-page").with_name("qa-feedback.png")))
    dt.get_by_role("button", name="Submit again to the Virtual School").click()
    assert dt.get_by_test_id("pep-status").inner_text() == "Submitted to the Virtual School"
    dt.context.close()

    # The officer approves the second round (all Green).
    def approve(vs):
        assert "Green" in vs.get_by_test_id("computed-grade").inner_text()
        vs.get_by_role("button", name="Approve the PEP").click()
        vs.get_by_text("The PEP is approved.").wait_for()
        assert axe_violations(vs) == []
        vs.goto(f"{live_server.url}/admin/quality/qareview/")
        assert "Green" in vs.locator("#result_list").inner_text()
        assert axe_violations(vs) == []

    officer_grades(browser, live_server, world, pep, rubric, ranks=[0, 0, 0], finish=approve)

    # The grade shows on the PEP page, the first round under QA history.
    dt = signed_in_page(browser, live_server, a.users[Role.DESIGNATED_TEACHER])
    dt.goto(pep_url)
    assert dt.get_by_test_id("pep-status").inner_text() == "Approved"
    assert dt.get_by_test_id("qa-grade").first.inner_text() == "Green"
    history = dt.get_by_test_id("qa-history")
    history.locator("summary").click()
    assert "The targets are not assigned to anyone." in history.inner_text()
    assert axe_violations(dt) == []
    screenshot(dt, "qa-approved-pep")
    dt.context.close()
    with all_authorities_context():
        rounds = list(
            QaReview.objects.filter(pep=pep).order_by("round").values_list("round", "outcome")
        )
        assert rounds == [(1, "returned"), (2, "approved")]
        assert Pep.objects.get(pk=pep.pk).status == "approved"
