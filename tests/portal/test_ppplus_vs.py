"""PP+ on the Virtual School's side: the policy (pounds beside the field, read-only for an
officer, published), the budget (a grant recorded, "£-5" refused beside the field with
nothing changed, allocating to eligible children), the per-child ledger (queries constant
in the number of children), decisions (QA release shown, errors beside the fields, above
the threshold an officer sees it needs the Head), payment runs (built, confirmed, paid,
locked, downloads audited, children by initials), the spend reports (CSV and XLSX, never
a formula) and the home panel. Another authority's objects are 404s."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.roles import Role
from funding.models import (
    ChildAllocation,
    LineStatus,
    PaymentRun,
    PaymentRunStatus,
    PpBudget,
    PpGrant,
    PpLine,
    PpPolicy,
)
from funding.services.lines import Decision
from tests.factories import ChildFactory

from ..funding.support import DAY, YEAR, allocation, budget, pep_with_targets, policy
from ..funding.test_lines import approved_by_qa, ask, decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def pp(world, clock_at):
    clock_at(DAY)
    policy(world.a.la)
    budget(world.a.la)
    allocation(world.a.child)
    return pep_with_targets(world.a, world.a.child, world.shared_school)


def as_role(client, world, role, authority="a"):
    client.force_login(getattr(world, authority).users[role])
    return client


def url(name, **kwargs) -> str:
    return reverse(f"portal:ppplus:{name}", kwargs=kwargs or None)


def field_error(page: str, field: str) -> str:
    match = re.search(
        rf'<p id="id_{field}-error" class="govuk-error-message">'
        r'<span class="govuk-visually-hidden">Error:</span> (.*?)</p>',
        page,
    )
    return match.group(1) if match else ""


def the_budget(world) -> PpBudget:
    with all_authorities_context():
        return PpBudget.objects.get(local_authority=world.a.la, financial_year=YEAR)


def line_now(line) -> PpLine:
    with all_authorities_context():
        return PpLine.objects.get(pk=line.pk)


# --- Home panel -----------------------------------------------------------------------------


def test_the_virtual_school_home_counts_requests_to_decide_and_lines_without_impact(
    client, world, pp
):
    ask(world, pp)
    funded = ask(world, pp, what="Mentoring", category="mentoring", amount_pence=10000)
    approved_by_qa(world, pp)
    decide(world, funded)
    page = as_role(client, world, Role.VS_OFFICER).get("/virtual-school/").content.decode()
    assert "1 PP+ request to decide" in page
    assert "1 funded line with no impact recorded" in page
    listed = client.get(url("vs_no_impact")).content.decode()
    assert "Mentoring" in listed and "One-to-one maths tutor" not in listed


def test_the_panel_is_not_shown_to_a_designated_teacher(client, world, pp):
    page = (
        as_role(client, world, Role.DESIGNATED_TEACHER).get("/designated-teacher/").content.decode()
    )
    assert "PP+ request" not in page
    assert client.get(url("vs_budget")).status_code == 404
    assert client.get(url("vs_decisions")).status_code == 404


# --- Policy ---------------------------------------------------------------------------------


def policy_data(**overrides) -> dict:
    return {
        "year": str(YEAR + 1),
        "grant_rate_pence": "£2,570",
        "retention_percent": "10",
        "release_model": "requests",
        "line_cap_pence": "700",
        "child_year_cap_pence": "1,500.50",
        "head_approval_above_pence": "500",
        "exceptional_allowed": "no",
        "transfer_rule": "pro_rata",
        "allowed_categories": ["tuition", "mentoring"],
        "summary": "Ask in the PEP.",
        **overrides,
    }


def test_the_head_writes_next_years_policy_in_pounds_and_publishes_it(client, world, pp):
    as_role(client, world, Role.VS_HEAD)
    response = client.post(url("vs_policy"), policy_data(), follow=True)
    assert "PP+ policy is saved" in response.content.decode()
    with all_authorities_context():
        saved = PpPolicy.objects.get(local_authority=world.a.la, financial_year=YEAR + 1)
    assert saved.grant_rate_pence == 257000
    assert saved.child_year_cap_pence == 150050
    assert saved.retention_percent == 10
    assert saved.allowed_categories == ["mentoring", "tuition"]
    assert saved.exceptional_allowed is False
    response = client.post(
        url("vs_policy"),
        {"year": str(YEAR + 1), "action": "publish", "version": saved.version},
        follow=True,
    )
    assert "published for schools" in response.content.decode()
    with all_authorities_context():
        assert PpPolicy.objects.get(pk=saved.pk).published_at is not None


def test_bad_pounds_in_the_policy_are_refused_beside_the_field_and_nothing_saved(client, world, pp):
    as_role(client, world, Role.VS_HEAD)
    response = client.post(url("vs_policy"), policy_data(line_cap_pence="12.345"))
    assert response.status_code == 400
    assert "no more than 2 digits of pence" in field_error(
        response.content.decode(), "line_cap_pence"
    )
    response = client.post(url("vs_policy"), policy_data(line_cap_pence="2000"))
    assert response.status_code == 400
    assert "more than the most a child" in field_error(response.content.decode(), "line_cap_pence")
    with all_authorities_context():
        assert not PpPolicy.objects.filter(financial_year=YEAR + 1).exists()


def test_a_share_out_of_range_is_refused_beside_the_field(client, world, pp):
    as_role(client, world, Role.VS_HEAD)
    for share in ("-1", "101"):
        response = client.post(url("vs_policy"), policy_data(retention_percent=share))
        assert response.status_code == 400
        assert field_error(response.content.decode(), "retention_percent") == (
            "Enter a share from 0 to 100 per cent"
        )


def test_a_stale_policy_form_is_refused(client, world, pp):
    as_role(client, world, Role.VS_HEAD)
    with all_authorities_context():
        current = PpPolicy.objects.get(local_authority=world.a.la, financial_year=YEAR)
    data = policy_data(year=str(YEAR), version=str(current.version - 1 or 99))
    response = client.post(url("vs_policy"), data)
    assert response.status_code == 400
    assert "has changed since you opened it" in response.content.decode()


def test_publishing_without_a_summary_is_refused(client, world, pp):
    as_role(client, world, Role.VS_HEAD)
    client.post(url("vs_policy"), policy_data(summary=""))
    with all_authorities_context():
        saved = PpPolicy.objects.get(local_authority=world.a.la, financial_year=YEAR + 1)
    response = client.post(
        url("vs_policy"), {"year": str(YEAR + 1), "action": "publish", "version": saved.version}
    )
    assert response.status_code == 400
    assert "Write the summary schools will read first." in response.content.decode()
    with all_authorities_context():
        assert PpPolicy.objects.get(pk=saved.pk).published_at is None


def test_an_officer_reads_the_policy_and_cannot_change_it(client, world, pp):
    as_role(client, world, Role.VS_OFFICER)
    page = client.get(url("vs_policy")).content.decode()
    assert "Save the policy" not in page and "£2,570" in page
    assert client.post(url("vs_policy"), policy_data()).status_code == 404


# --- Budget ---------------------------------------------------------------------------------


def test_the_head_records_the_provisional_grant_after_a_negative_one_is_refused(client, world, pp):
    as_role(client, world, Role.VS_HEAD)
    data = {
        "year": YEAR,
        "grant-stage": "provisional",
        "grant-amount_pence": "£-5",
        "grant-received_on": "2026-06-20",
    }
    response = client.post(url("vs_grant_record"), data)
    assert response.status_code == 400
    assert field_error(response.content.decode(), "grant-amount_pence") == (
        "The grant must be £0 or more."
    )
    assert the_budget(world).grant_pence == 1_000_000
    data["grant-amount_pence"] = "£25,700"
    page = client.post(url("vs_grant_record"), data, follow=True).content.decode()
    assert "The provisional grant of £25,700 is recorded." in page
    assert the_budget(world).grant_pence == 2_570_000
    final = {**data, "grant-stage": "final", "grant-amount_pence": "26,000"}
    page = client.post(url("vs_grant_record"), final, follow=True).content.decode()
    assert "£26,000.00 (final (december))" in page
    assert the_budget(world).grant_pence == 2_600_000
    with all_authorities_context():
        assert PpGrant.objects.filter(local_authority=world.a.la).count() == 2
    again = client.post(url("vs_grant_record"), data)
    assert "already recorded" in field_error(again.content.decode(), "grant-stage")


def test_allocating_says_how_many_children_were_given_pp_plus(client, world, pp):
    as_role(client, world, Role.VS_HEAD)
    page = client.post(url("vs_allocate"), {"year": YEAR}, follow=True).content.decode()
    with all_authorities_context():
        count = ChildAllocation.objects.filter(
            local_authority=world.a.la, financial_year=YEAR
        ).count()
    assert count >= 1
    assert f"2026-27 PP+ allocated to {count} eligible child" in page


def test_an_officer_sees_the_budget_but_cannot_record_a_grant_or_allocate(client, world, pp):
    as_role(client, world, Role.VS_OFFICER)
    page = client.get(url("vs_budget")).content.decode()
    assert "£10,000" in page and "Record the grant" not in page
    assert client.post(url("vs_allocate"), {"year": YEAR}).status_code == 404
    assert client.post(url("vs_grant_record"), {"year": YEAR}).status_code == 404


def test_from_january_the_budget_warns_of_allocation_not_spent(client, world, pp, clock_at):
    as_role(client, world, Role.VS_HEAD)
    assert (
        "not committed or paid before 31 March" not in client.get(url("vs_budget")).content.decode()
    )
    clock_at(DAY.replace(year=YEAR + 1, month=1, day=4))
    page = client.get(url("vs_budget")).content.decode()
    assert "£2,570.00 of this year's PP+ is allocated but not committed or paid" in page
    unspent = client.get(url("vs_ledger") + f"?year={YEAR}&unspent=1").content.decode()
    assert world.a.child.display_name in unspent


def _children(la, count):
    with authority_context(local_authority_ids=[la.pk]):
        for _ in range(count):
            allocation(ChildFactory(local_authority=la))


def _ledger_queries(client):
    client.get(url("vs_ledger"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("vs_ledger"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_ledger_costs_the_same_with_3_and_30_children(client, world, pp):
    as_role(client, world, Role.VS_OFFICER)
    _children(world.a.la, 2)
    three, page = _ledger_queries(client)
    assert page.count('<tr class="govuk-table__row">') == 4
    _children(world.a.la, 27)
    thirty, page = _ledger_queries(client)
    assert thirty == three
    assert 'aria-label="Page 2"' in page
    _children(world.b.la, 1)
    assert world.b.child.display_name not in page


# --- Decisions ------------------------------------------------------------------------------


def test_the_officer_approves_450_pounds_after_qa_released_it(client, world, pp):
    line = ask(world, pp)
    approved_by_qa(world, pp)
    as_role(client, world, Role.VS_OFFICER)
    listed = client.get(url("vs_decisions")).content.decode()
    assert "One-to-one maths tutor" in listed and "Released: Green" in listed
    page = client.get(url("vs_decide", line_id=line.public_id)).content.decode()
    assert "Reach the expected standard in maths (1)" in page
    assert "£2,570" in page  # the child's allocation left
    response = client.post(
        url("vs_decide", line_id=line.public_id),
        {"decision": Decision.APPROVE, "version": line.version},
        follow=True,
    )
    assert "Approved: One-to-one maths tutor" in response.content.decode()
    assert line_now(line).status == LineStatus.APPROVED
    assert the_budget(world).committed_pence == 45000


def test_bad_decisions_are_refused_beside_the_fields_and_change_nothing(client, world, pp):
    line = ask(world, pp)
    as_role(client, world, Role.VS_OFFICER)
    target = url("vs_decide", line_id=line.public_id)
    page = client.post(target, {"version": line.version}).content.decode()
    assert "Choose approve, part-approve or decline" in field_error(page, "decision")
    page = client.post(target, {"decision": "decline", "version": line.version}).content.decode()
    assert field_error(page, "reason") == "Say why the request is declined."
    page = client.post(target, {"decision": "approve", "version": line.version}).content.decode()
    assert "PP+ cannot be approved yet" in page  # no QA yet
    approved_by_qa(world, pp)
    page = client.post(
        target,
        {"decision": "part_approve", "approved_pence": "£500", "reason": "Less", "version": 1},
    ).content.decode()
    assert "below the £450 asked for" in field_error(page, "approved_pence")
    page = client.post(
        target, {"decision": "part_approve", "approved_pence": "1.234", "version": 1}
    ).content.decode()
    assert "2 digits of pence" in field_error(page, "approved_pence")
    assert line_now(line).status == LineStatus.REQUESTED
    assert the_budget(world).committed_pence == 0


def test_the_officer_part_approves_with_a_reason(client, world, pp):
    line = ask(world, pp)
    approved_by_qa(world, pp)
    as_role(client, world, Role.VS_OFFICER)
    data = {"decision": "part_approve", "approved_pence": "£300.50", "version": line.version}
    page = client.post(url("vs_decide", line_id=line.public_id), data).content.decode()
    assert field_error(page, "reason") == "Say why only part is approved."
    data["reason"] = "Eight sessions are enough."
    client.post(url("vs_decide", line_id=line.public_id), data)
    decided = line_now(line)
    assert decided.status == LineStatus.PART_APPROVED
    assert decided.approved_pence == 30050
    assert the_budget(world).committed_pence == 30050


def test_a_decision_on_a_form_opened_before_another_change_is_refused(client, world, pp):
    line = ask(world, pp)
    approved_by_qa(world, pp)
    as_role(client, world, Role.VS_OFFICER)
    page = client.post(
        url("vs_decide", line_id=line.public_id),
        {"decision": "decline", "reason": "No", "version": line.version + 1},
    ).content.decode()
    assert "has changed since you opened it" in page
    assert line_now(line).status == LineStatus.REQUESTED


def _enrolled_child(world):
    from tests.factories import EnrolmentFactory

    child = ChildFactory(local_authority=world.a.la)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        EnrolmentFactory(
            child=child, school=world.shared_school, start_date=DAY.replace(month=9, day=1)
        )
    return child


def _decision_queries(client):
    client.get(url("vs_decisions"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("vs_decisions"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_decisions_list_costs_the_same_with_2_and_8_requests(client, world, pp):
    as_role(client, world, Role.VS_OFFICER)
    ask(world, pp)
    ask(world, pp, what="Mentor", category="mentoring", amount_pence=100)
    two, _ = _decision_queries(client)
    for n in range(3):
        other = pep_with_targets(world.a, _enrolled_child(world), world.shared_school)
        ask(world, other, what=f"Tutor {n}", amount_pence=100)
        ask(world, other, what=f"Books {n}", category="equipment", amount_pence=100)
        approved_by_qa(world, other)
    eight, page = _decision_queries(client)
    assert eight == two
    assert page.count("Decide<span") == 8


def test_above_the_threshold_an_officer_sees_it_needs_the_head(client, world, pp):
    line = ask(world, pp, amount_pence=60000)
    approved_by_qa(world, pp)
    as_role(client, world, Role.VS_OFFICER)
    page = client.get(url("vs_decide", line_id=line.public_id)).content.decode()
    assert "This needs the Virtual School Head" in page and "Record the decision" not in page
    data = {"decision": "approve", "version": line.version}
    assert client.post(url("vs_decide", line_id=line.public_id), data).status_code == 404
    as_role(client, world, Role.VS_HEAD)
    page = client.get(url("vs_decide", line_id=line.public_id)).content.decode()
    assert "Record the decision" in page
    client.post(url("vs_decide", line_id=line.public_id), data)
    assert line_now(line).status == LineStatus.APPROVED


def test_another_authoritys_request_is_not_found(client, world, pp):
    line = ask(world, pp)
    as_role(client, world, Role.VS_OFFICER, authority="b")
    assert client.get(url("vs_decide", line_id=line.public_id)).status_code == 404
    assert "One-to-one" not in client.get(url("vs_decisions")).content.decode()


# --- Payment runs ---------------------------------------------------------------------------


def _paid_line(world, pp):
    line = ask(world, pp)
    approved_by_qa(world, pp)
    decide(world, line)
    return line


def test_the_head_builds_confirms_and_pays_a_run_which_is_then_locked(client, world, pp):
    _paid_line(world, pp)
    as_role(client, world, Role.VS_HEAD)
    response = client.post(
        url("vs_runs"), {"academic_year": "2026-27", "term": "autumn"}, follow=True
    )
    page = response.content.decode()
    assert "payment run is built" in page and world.shared_school.name in page
    with all_authorities_context():
        run = PaymentRun.objects.get(local_authority=world.a.la)
    assert "£450" in page
    page = client.post(
        url("vs_run_confirm", run_id=run.public_id), {"version": run.version}, follow=True
    ).content.decode()
    assert "The payment run is confirmed" in page
    run.refresh_from_db()
    bad = client.post(
        url("vs_run_paid", run_id=run.public_id),
        {"version": run.version, "paid_on": "2026-11-09", "reference": ""},
    )
    assert bad.status_code == 400
    assert "finance system" in field_error(bad.content.decode(), "reference")
    future = client.post(
        url("vs_run_paid", run_id=run.public_id),
        {"version": run.version, "paid_on": "2026-12-25", "reference": "FIN-1"},
    )
    assert "cannot be in the future" in field_error(future.content.decode(), "paid_on")
    page = client.post(
        url("vs_run_paid", run_id=run.public_id),
        {"version": run.version, "paid_on": "2026-11-09", "reference": "FIN-1"},
        follow=True,
    ).content.decode()
    assert "This run is locked" in page and "Mark paid" not in page
    run.refresh_from_db()
    assert run.status == PaymentRunStatus.PAID
    assert the_budget(world).paid_pence == 45000
    again = client.post(
        url("vs_run_paid", run_id=run.public_id),
        {"version": run.version, "paid_on": "2026-11-09", "reference": "FIN-2"},
    )
    assert "can no longer change" in again.content.decode()


def test_the_downloads_name_children_by_initials_and_are_audited(client, world, pp):
    line = _paid_line(world, pp)
    as_role(client, world, Role.VS_HEAD)
    client.post(url("vs_runs"), {"academic_year": "2026-27", "term": "autumn"})
    with all_authorities_context():
        run = PaymentRun.objects.get(local_authority=world.a.la)
    response = client.get(
        url("vs_remittance_csv", run_id=run.public_id, school_id=world.shared_school.public_id)
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="pp-plus-remittance')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    child = world.a.child
    first = child.preferred_name or child.legal_first_name
    assert rows[1][2] == f"{first[0]}.{child.legal_last_name[0]}."
    assert child.legal_last_name not in response.content.decode("utf-8-sig")
    assert rows[1][6] == "450.00"
    finance = client.get(url("vs_finance_csv", run_id=run.public_id))
    assert "45000" in finance.content.decode("utf-8-sig")
    pdf = client.get(
        url("vs_remittance_pdf", run_id=run.public_id, school_id=world.shared_school.public_id)
    )
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].endswith('.pdf"')
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "OFFICIAL-SENSITIVE" in text and "£450" in text
    assert f"{first[0]}.{child.legal_last_name[0]}." in text
    assert child.legal_last_name not in text and f"{first} " not in text
    with all_authorities_context():
        kinds = sorted(
            e.detail["file"]
            for e in AuditEvent.objects.filter(action="download", object_id=str(run.public_id))
        )
    assert kinds == ["finance_csv", "remittance_csv", "remittance_pdf"]
    assert line_now(line).status == LineStatus.APPROVED


def test_another_authoritys_run_and_an_officer_are_refused(client, world, pp):
    _paid_line(world, pp)
    as_role(client, world, Role.VS_HEAD)
    client.post(url("vs_runs"), {"academic_year": "2026-27", "term": "autumn"})
    with all_authorities_context():
        run = PaymentRun.objects.get(local_authority=world.a.la)
    as_role(client, world, Role.VS_HEAD, authority="b")
    assert client.get(url("vs_run", run_id=run.public_id)).status_code == 404
    assert client.get(url("vs_finance_csv", run_id=run.public_id)).status_code == 404
    as_role(client, world, Role.VS_OFFICER)
    assert client.get(url("vs_runs")).status_code == 404


def _funded_child(world):
    child = _enrolled_child(world)
    allocation(child)
    pep = pep_with_targets(world.a, child, world.shared_school)
    line = ask(world, pep, amount_pence=1000)
    approved_by_qa(world, pep)
    decide(world, line)


def _run_queries(client, run):
    client.get(url("vs_run", run_id=run.public_id))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("vs_run", run_id=run.public_id))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_runs_page_costs_the_same_with_1_and_5_lines(client, world, pp):
    _paid_line(world, pp)
    as_role(client, world, Role.VS_HEAD)
    client.post(url("vs_runs"), {"academic_year": "2026-27", "term": "autumn"})
    with all_authorities_context():
        run = PaymentRun.objects.get(local_authority=world.a.la)
    one, _ = _run_queries(client, run)
    for _ in range(4):
        _funded_child(world)
    client.post(url("vs_runs"), {"academic_year": "2026-27", "term": "autumn"})
    five, page = _run_queries(client, run)
    assert five == one
    assert "5 lines, £490.00" in page


# --- Reports --------------------------------------------------------------------------------


def test_the_spend_report_on_screen_and_as_csv_and_xlsx_never_a_formula(client, world, pp):
    ask(world, pp, what='=HYPERLINK("x")', amount_pence=12000)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        from children.models import School

        School.objects.filter(pk=world.shared_school.pk).update(name="=cmd|evil")
    as_role(client, world, Role.VS_OFFICER)
    page = client.get(url("vs_report") + f"?year={YEAR}&by=school").content.decode()
    assert "=cmd|evil" in page and "£120" in page
    response = client.get(url("vs_report_csv") + f"?year={YEAR}&by=school")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "'=cmd|evil" and rows[1][2] == "12000"
    from openpyxl import load_workbook

    response = client.get(url("vs_report_xlsx") + f"?year={YEAR}&by=category")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=1).value == "Tuition and catch-up"
    assert sheet.cell(row=2, column=3).value == 12000
    response = client.get(url("vs_report_xlsx") + f"?year={YEAR}&by=school")
    cell = load_workbook(io.BytesIO(response.content)).active.cell(row=2, column=1)
    assert cell.value == "'=cmd|evil" and cell.data_type == "s"
    with all_authorities_context():
        assert AuditEvent.objects.filter(action="export_pp_spend").count() == 3
    assert client.get(url("vs_report") + "?by=nonsense").status_code == 404


def _report_queries(client):
    client.get(url("vs_report") + "?by=child")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("vs_report") + "?by=child")
    assert response.status_code == 200
    return len(queries)


def test_the_spend_report_costs_the_same_with_more_children(client, world, pp):
    as_role(client, world, Role.VS_OFFICER)
    ask(world, pp)
    few = _report_queries(client)
    for _ in range(5):
        child = ChildFactory(local_authority=world.a.la)
        from tests.factories import EnrolmentFactory

        with authority_context(local_authority_ids=[world.a.la.pk]):
            EnrolmentFactory(
                child=child, school=world.shared_school, start_date=DAY.replace(month=9, day=1)
            )
        allocation(child)
        ask(world, pep_with_targets(world.a, child, world.shared_school))
    assert _report_queries(client) == few
