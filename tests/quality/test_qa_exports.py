"""Exports (issue 11, point 8): a term's QA results as CSV and XLSX, one row per completed
QA round, a column per criterion; formula-looking cells neutralised; only the actor's
authority; audited."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from epep.audit.models import AuditEvent
from epep.tenancy.actor import acting_as
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from quality import exports
from quality.models import ReviewOutcome
from tests.quality.test_moderation import SUBMITTED, Scale, completed_review, new_pep

pytestmark = pytest.mark.django_db

YEAR, TERM = "2026-27", "autumn"


def export(user, file_format, *, academic_year=YEAR, term=TERM):
    with acting_as(user) as actor:
        return exports.qa_results_export(
            actor=actor, academic_year=academic_year, term=term, file_format=file_format
        )


def csv_rows(download) -> list[list[str]]:
    return list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))


def xlsx_rows(download) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(download.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def xlsx_formula_cells(download) -> list[str]:
    sheet = load_workbook(io.BytesIO(download.content)).active
    return [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


@pytest.fixture
def term(world):
    """Kent: a PEP returned in round 1 (overridden to Red, with formula-looking reasons)
    and approved Green in round 2; a PEP of another term. Sefton: a completed review."""
    kent = Scale(world.a.la)
    pep = new_pep(world.a, first="Ada", last="Lovelace")
    completed_review(
        world.a,
        kent,
        pep=pep,
        overall="Red",
        per_criterion=["Amber", "Red"],
        outcome=ReviewOutcome.RETURNED,
        return_reason='=HYPERLINK("http://evil.example","Fix")',
        override_reason="+Voice is old",
        completed_at=datetime(2026, 10, 12, 15, tzinfo=SUBMITTED.tzinfo),
    )
    completed_review(world.a, kent, pep=pep, round=2, overall="Green")
    completed_review(world.a, kent, term="spring", overall="Amber")
    completed_review(
        world.b, Scale(world.b.la), overall="Green", return_reason="", override_reason=""
    )
    with all_authorities_context():
        pep.refresh_from_db()
        return pep, pep.child


CRITERIA = ["Child's voice", "SMART targets"]


def test_the_csv_has_a_row_per_completed_round_and_a_column_per_criterion(world, term):
    pep, child = term
    download = export(world.a.users[Role.VS_OFFICER], "csv")
    header, *rows = csv_rows(download)
    assert header == [*exports.HEADER, *CRITERIA]
    assert len(rows) == 2  # not the spring term's, not Sefton's
    first, second = (dict(zip(header, row, strict=True)) for row in rows)
    assert first["Child"] == "Ada Lovelace"
    assert first["UPN"] == child.upn
    assert first["Key stage"] == "KS2"
    assert first["Officer"] == world.a.users[Role.VS_OFFICER].full_name
    assert (first["Round"], second["Round"]) == ("1", "2")
    assert first["Submitted"] == "2026-10-05 10:00"
    assert first["Completed"] == "2026-10-12 15:00"
    assert first["Working days taken"] == "5"
    assert (first["Overall grade"], first["Outcome"]) == ("Red", "Returned for amendments")
    assert (first["Child's voice"], first["SMART targets"]) == ("Amber", "Red")
    assert (second["Overall grade"], second["Outcome"]) == ("Green", "Approved")
    assert download.filename == "qa-results-2026-27-autumn.csv"
    assert "Lovelace" not in download.filename


def test_formula_looking_text_is_neutralised_in_csv_and_xlsx(world, term):
    officer = world.a.users[Role.VS_OFFICER]
    header, first, _ = csv_rows(export(officer, "csv"))
    row = dict(zip(header, first, strict=True))
    assert row["Return reason"] == '\'=HYPERLINK("http://evil.example","Fix")'
    assert row["Override reason"] == "'+Voice is old"
    download = export(officer, "xlsx")
    assert xlsx_formula_cells(download) == []
    header, first, _ = xlsx_rows(download)
    row = dict(zip(header, first, strict=True))
    assert row["Return reason"] == '\'=HYPERLINK("http://evil.example","Fix")'
    assert row["Override reason"] == "'+Voice is old"
    assert row["Round"] == 1 and row["Working days taken"] == 5
    assert row["Completed"] == datetime(2026, 10, 12, 15, 0)
    assert download.filename == "qa-results-2026-27-autumn.xlsx"


def test_an_officer_of_one_authority_never_exports_anothers_reviews(world, term):
    for file_format, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        kent = read(export(world.a.users[Role.VS_OFFICER], file_format))
        sefton = read(export(world.b.users[Role.VS_OFFICER], file_format))
        assert len(kent) == 3 and len(sefton) == 2
        kent_names = {row[0] for row in kent[1:]}
        sefton_names = {row[0] for row in sefton[1:]}
        assert "Ada Lovelace" in kent_names
        assert kent_names.isdisjoint(sefton_names)


def test_two_rubric_versions_share_columns_by_criterion_title(world, term):
    newer = Scale(world.a.la, version=2, titles=("SMART targets", "Transition plan"))
    completed_review(world.a, newer, overall="Amber", per_criterion=["Amber", "Green"])
    header, *rows = csv_rows(export(world.a.users[Role.VS_HEAD], "csv"))
    assert header[len(exports.HEADER) :] == ["Child's voice", "SMART targets", "Transition plan"]
    newest = dict(zip(header, rows[-1], strict=True))  # Sam Sample, after Ada Lovelace
    assert (newest["Child's voice"], newest["SMART targets"], newest["Transition plan"]) == (
        "",
        "Amber",
        "Green",
    )


def test_the_export_is_audited_with_its_count_and_only_the_virtual_school_exports(world, term):
    export(world.a.users[Role.VS_OFFICER], "xlsx")
    with all_authorities_context():
        event = AuditEvent.objects.get(action="export_qa_results")
    assert event.local_authority_id == world.a.la.pk
    assert event.detail == {"academic_year": YEAR, "term": TERM, "format": "xlsx", "count": 2}
    with acting_as(world.a.users[Role.LA_ADMIN]) as admin, pytest.raises(PermissionDenied):
        exports.qa_results_export(actor=admin, academic_year=YEAR, term=TERM, file_format="csv")


def test_the_query_count_does_not_grow_with_the_rows(world, term, django_assert_max_num_queries):
    kent = Scale(world.a.la, version=3)
    for _ in range(6):
        completed_review(world.a, kent)
    with acting_as(world.a.users[Role.VS_OFFICER]) as actor:
        with django_assert_max_num_queries(4):
            results = exports.qa_results(actor=actor, academic_year=YEAR, term=TERM)
    assert results.count == 8
