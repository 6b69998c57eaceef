"""PP+ on the Virtual School's side in real Chromium: the Virtual School Head records the
provisional grant ("£-5" first: refused beside the field), allocates the year's PP+; an
officer approves a £450 request whose PEP QA graded Green, from the home page's panel;
the Head builds, confirms and pays the term's run and downloads the remittance CSV. The
policy, ledger, reports and funded-lines pages are visited too. axe-core on every page."""

from __future__ import annotations

import csv
import io

import pytest

from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from funding.models import ChildAllocation, LineStatus, PaymentRunStatus, PpLine

from ..funding.support import DAY, pep_with_targets, policy
from ..funding.test_lines import approved_by_qa, ask
from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def clean(page, name: str) -> None:
    assert axe_violations(page) == []
    screenshot(page, f"ppplus-vs-{name}")


def test_grant_allocate_approve_pay_and_download(browser, live_server, world, clock_at):
    clock_at(DAY)
    a = world.a
    policy(a.la)
    base = f"{live_server.url}/virtual-school/pp-plus"

    # The Head records the provisional grant (a negative one first) and allocates.
    head = signed_in_page(browser, live_server, a.users[Role.VS_HEAD], accept_downloads=True)
    head.goto(f"{base}/budget/")
    clean(head, "budget-empty")
    head.get_by_label("Provisional (June)").check()
    head.get_by_label("Amount (£)").fill("£-5")
    head.get_by_label("Date received").fill("2026-06-20")
    head.get_by_role("button", name="Record the grant").click()
    error = head.locator("#id_grant-amount_pence-error")
    error.wait_for()
    assert "The grant must be £0 or more." in error.inner_text()
    clean(head, "budget-error")
    head.get_by_label("Amount (£)").fill("£25,700")
    head.get_by_role("button", name="Record the grant").click()
    head.get_by_text("The provisional grant of £25,700 is recorded.").wait_for()
    head.get_by_role("button", name="Allocate this year's PP+ to eligible children").click()
    head.get_by_text("2026-27 PP+ allocated to").wait_for()
    clean(head, "budget")
    with all_authorities_context():
        assert ChildAllocation.objects.filter(child=a.child).exists()
    head.get_by_role("link", name="PP+ per child in 2026-27").click()
    head.get_by_test_id("ledger").wait_for()
    clean(head, "ledger")
    head.goto(f"{base}/policy/")
    clean(head, "policy")

    # The school asks for £450 for a maths tutor; QA grades the PEP Green.
    pep = pep_with_targets(a, a.child, world.shared_school)
    line = ask(world, pep)
    approved_by_qa(world, pep)

    # The officer decides from the home page's panel.
    officer = signed_in_page(browser, live_server, a.users[Role.VS_OFFICER])
    officer.goto(f"{live_server.url}/virtual-school/")
    officer.get_by_role("link", name="1 PP+ request to decide").click()
    officer.get_by_test_id("pp-decisions").wait_for()
    assert "Released: Green" in officer.get_by_test_id("pp-decisions").inner_text()
    clean(officer, "decisions")
    officer.get_by_role(
        "link", name=f"Decide on One-to-one maths tutor, 10 sessions for {a.child.display_name}"
    ).click()
    officer.get_by_test_id("qa-release").wait_for()
    clean(officer, "decide")
    officer.get_by_label("Decline").check()
    officer.get_by_role("button", name="Record the decision").click()
    officer.locator("#id_reason-error").wait_for()
    clean(officer, "decide-error")
    officer.get_by_label("Approve", exact=True).check()
    officer.get_by_role("button", name="Record the decision").click()
    officer.get_by_text("Approved: One-to-one maths tutor").wait_for()
    clean(officer, "decided")
    with all_authorities_context():
        assert PpLine.objects.get(pk=line.pk).status == LineStatus.APPROVED
    officer.goto(f"{base}/no-impact/")
    officer.get_by_test_id("no-impact").wait_for()
    clean(officer, "no-impact")
    officer.goto(f"{base}/reports/?by=school")
    officer.get_by_test_id("spend").wait_for()
    clean(officer, "report")
    officer.context.close()

    # The Head builds, confirms and pays the run, and downloads the remittance advice.
    head.goto(f"{base}/payment-runs/")
    clean(head, "runs-empty")
    head.get_by_role("button", name="Build this term's run").click()
    head.get_by_text("payment run is built").wait_for()
    assert "£450" in head.get_by_test_id("run-total").inner_text()
    clean(head, "run-draft")
    head.get_by_role("button", name="Confirm the run").click()
    head.get_by_text("The payment run is confirmed").wait_for()
    head.get_by_role("button", name="Mark paid").click()
    head.locator("#id_reference-error").wait_for()
    clean(head, "run-error")
    head.get_by_label("Date paid").fill("2026-11-09")
    head.get_by_label("Finance system reference").fill("FIN-2026-0042")
    head.get_by_role("button", name="Mark paid").click()
    head.get_by_text("This run is locked").wait_for()
    clean(head, "run-paid")
    with head.expect_download() as download:
        head.get_by_role(
            "link", name=f"Download the remittance advice for {world.shared_school.name} (CSV)"
        ).click()
    content = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[1][6] == "450.00" and a.child.legal_last_name not in content
    head.goto(f"{base}/payment-runs/")
    assert "Paid" in head.get_by_test_id("payment-runs").inner_text()
    clean(head, "runs")
    with all_authorities_context():
        assert PpLine.objects.get(pk=line.pk).payments.get().run.status == PaymentRunStatus.PAID
    head.context.close()
