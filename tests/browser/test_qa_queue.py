"""Browser journey: a Virtual School officer (signed in by role, no staff flag) opens the
QA queue in the admin, filters it, and assigns two PEPs to the Head in one go through the
confirmation page; the Head sets the QA turnaround. axe-core finds no violations on the
admin index, the queue, the confirmation page and the QA policy page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from epep.tenancy import clock
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from quality.models import QaReview
from tests.quality.queue_factories import submitted_pep

from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_filters_the_queue_and_assigns_two_peps(browser, live_server, world):
    today = clock.today()
    peps = [
        submitted_pep(
            world.a,
            submitted_on=today - timedelta(days=days),
            first_name=first,
            last_name=last,
            school=world.school_a,
        )
        for days, first, last in (
            (30, "Ada", "Lovelace"),
            (20, "Alan", "Turing"),
            (2, "Grace", "Hopper"),
        )
    ]
    officer, head = world.a.users[Role.VS_OFFICER], world.a.users[Role.VS_HEAD]
    assert not officer.is_staff
    page = signed_in_page(browser, live_server, officer)
    found = {}

    def check(name):
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            found[name] = violations
        screenshot(page, f"qa-queue-{name}")

    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="PEPs waiting for QA").click()
    check("index-to-queue")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 3
    assert "Ada Lovelace" in rows.nth(0).inner_text()  # oldest first
    assert "Late" in rows.nth(0).inner_text() and "Late" not in rows.nth(2).inner_text()
    page.get_by_role("link", name="Over 20 working days").click()
    page.wait_for_load_state()
    assert page.locator("#result_list tbody tr").count() == 1
    check("filtered")
    page.goto(f"{live_server.url}/admin/quality/qaqueueentry/?officer=unassigned")
    for name in ("Ada Lovelace", "Alan Turing"):
        page.locator("#result_list tbody tr", has_text=name).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option("assign_to_officer")
    page.get_by_role("button", name="Run").or_(page.get_by_role("button", name="Go")).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Assign PEPs to an officer").is_visible()
    check("confirmation")
    page.get_by_role("button", name="Assign").click()  # no officer chosen
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    check("confirmation-error")
    page.get_by_label("Assign to").select_option(label=head.full_name)
    page.get_by_role("button", name="Assign").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"2 PEPs assigned to {head.full_name}.").is_visible()
    check("assigned")
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assigned = {r.pep_id: r.officer_id for r in QaReview.objects.all()}
    assert assigned == {peps[0].pk: head.pk, peps[1].pk: head.pk}
    # The one left: its own page, and the officer takes it.
    page.get_by_role("link", name="Grace Hopper").click()
    page.wait_for_load_state()
    assert page.get_by_text("Unassigned").is_visible()
    check("single")
    page.get_by_role("button", name="Assign to me and start").click()
    page.wait_for_load_state()
    assert page.get_by_text("The PEP is assigned to you.").is_visible()
    with authority_context(local_authority_ids=[world.a.la.pk]):
        review = QaReview.objects.get(pep=peps[2])
    assert review.officer_id == officer.pk
    assert page.url.endswith(f"/admin/quality/qareview/{review.pk}/change/")
    page.context.close()

    page = signed_in_page(browser, live_server, head)
    page.goto(f"{live_server.url}/admin/")
    check("head-index")
    page.goto(f"{live_server.url}/admin/quality/qapolicy/")
    page.get_by_label("QA turnaround (working days)").fill("0")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    check("policy-error")
    page.get_by_label("QA turnaround (working days)").fill("15")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_text("The QA policy is saved.").is_visible()
    check("policy")
    page.context.close()
    assert found == {}
