"""The whole PP+ journey in real Chromium, each step by the person who does it: the
designated teacher asks for £450 for a maths tutor tied to the PEP's target and submits
the PEP; the Virtual School officer grades it Green in the admin and approves it, then
approves the request; the Virtual School Head pays it in the term's payment run; at the
next PEP the designated teacher records the difference it made. axe-core on every page."""

from __future__ import annotations

import re

import pytest

from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from funding.models import ImpactRating, LineStatus, PaymentRunStatus, PpLine
from tests.peps.test_cycle import fill, move, next_term, start
from tests.quality.grading_support import small_rubric

from ..funding.support import DAY, allocation, budget, policy
from .conftest import axe_violations, signed_in_page
from .test_qa_journey import officer_grades

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_requested_graded_approved_paid_and_its_impact_recorded(
    browser, live_server, world, clock_at
):
    clock_at(DAY)
    a = world.a
    policy(a.la)
    budget(a.la)
    allocation(a.child)
    rubric = small_rubric(a.la)
    pep = start(world)
    fill(world, pep)
    move(world, pep, Role.SOCIAL_WORKER, "meeting_held", meeting_date=clock.today())
    pep_url = f"{live_server.url}/peps/{pep.public_id}/"

    # The designated teacher asks for £450 tied to the PEP's target, then submits.
    dt = signed_in_page(browser, live_server, a.users[Role.DESIGNATED_TEACHER])
    dt.goto(pep_url)
    dt.get_by_test_id("ppplus-section").get_by_role("link", name="Ask for PP+").click()
    dt.get_by_label("What will the money pay for?").fill("One-to-one maths tutor, 10 sessions")
    dt.get_by_label("Tuition and catch-up").check()
    dt.get_by_label("How much, in pounds?").fill("£450")
    dt.get_by_label("Read a book of 100 pages independently").check()
    assert axe_violations(dt) == []
    dt.get_by_role("button", name="Ask for PP+").click()
    line = dt.get_by_test_id("ppplus-line")
    assert "Waiting for a decision" in line.inner_text()
    dt.goto(pep_url)
    dt.get_by_role("button", name="Submit to the Virtual School").click()
    assert dt.get_by_test_id("pep-status").inner_text() == "Submitted to the Virtual School"
    dt.context.close()

    # The officer grades every criterion Green in the admin and approves the PEP...
    def approve(vs):
        assert "Green" in vs.get_by_test_id("computed-grade").inner_text()
        vs.get_by_role("button", name="Approve the PEP").click()
        vs.get_by_text("The PEP is approved.").wait_for()

    officer_grades(browser, live_server, world, pep, rubric, ranks=[0, 0, 0], finish=approve)

    # ...then approves the request, which the Green grade now releases.
    officer = signed_in_page(browser, live_server, a.users[Role.VS_OFFICER])
    officer.goto(f"{live_server.url}/virtual-school/")
    officer.get_by_role("link", name="1 PP+ request to decide").click()
    assert "Released: Green" in officer.get_by_test_id("pp-decisions").inner_text()
    officer.get_by_role(
        "link", name=f"Decide on One-to-one maths tutor, 10 sessions for {a.child.display_name}"
    ).click()
    officer.get_by_label("Approve", exact=True).check()
    officer.get_by_role("button", name="Record the decision").click()
    officer.get_by_text("Approved: One-to-one maths tutor").wait_for()
    assert axe_violations(officer) == []
    officer.context.close()

    # The Head pays it in the term's run.
    head = signed_in_page(browser, live_server, a.users[Role.VS_HEAD])
    head.goto(f"{live_server.url}/virtual-school/pp-plus/payment-runs/")
    head.get_by_role("button", name="Build this term's run").click()
    assert "£450" in head.get_by_test_id("run-total").inner_text()
    head.get_by_role("button", name="Confirm the run").click()
    head.get_by_text("The payment run is confirmed").wait_for()
    head.get_by_label("Date paid").fill(DAY.isoformat())
    head.get_by_label("Finance system reference").fill("FIN-2026-0042")
    head.get_by_role("button", name="Mark paid").click()
    head.get_by_text("This run is locked").wait_for()
    assert axe_violations(head) == []
    head.context.close()
    with all_authorities_context():
        paid = PpLine.objects.get(pep=pep)
        assert paid.status == LineStatus.APPROVED
        assert paid.payments.get().run.status == PaymentRunStatus.PAID

    # The PEP is finalised; at the next PEP the school says what difference it made.
    move(world, pep, Role.VS_HEAD, "finalised")
    following = start(world, **next_term(pep))
    dt = signed_in_page(browser, live_server, a.users[Role.DESIGNATED_TEACHER])
    dt.goto(f"{live_server.url}/peps/{following.public_id}/")
    dt.get_by_test_id("ppplus-page-link").click()
    dt.get_by_role("link", name=re.compile("Say what difference it made")).first.click()
    dt.get_by_label("Made a big difference").check()
    dt.get_by_label("What difference did it make?").fill(
        "Her maths assessment rose from working towards to the expected standard."
    )
    assert axe_violations(dt) == []
    dt.get_by_role("button", name="Save the impact").click()
    dt.get_by_test_id("ppplus-impact").wait_for()
    assert axe_violations(dt) == []
    dt.context.close()
    with all_authorities_context():
        assert PpLine.objects.get(pk=paid.pk).impact_rating == ImpactRating.BIG
