"""The Virtual School Head's dashboard pages: figures, the children behind them, bad
filters, downloads (equal to the screen), who may see them."""

import csv
import io
import os
import time
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from tests.reports.test_cohort import cohort_world  # noqa: F401  (fixture)
from tests.reports.test_compliance import compliance_world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

BASE = "/virtual-school/reports/"
AUTUMN = {"year": "2026", "term": "autumn"}


@pytest.fixture
def head(client, world, compliance_world):  # noqa: F811
    client.force_login(world.a.users[Role.VS_HEAD])
    return client


def test_the_dashboard_shows_each_section_with_links_to_the_children(head, world):
    response = head.get(BASE, AUTUMN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Virtual School dashboard – ePEP</title>" in html
    assert 'data-testid="section-compliance"' in html
    assert 'role="img"' in html and "<desc id=" in html
    # The in-date cell: 1 of 7 (14%), a link to the child behind it.
    assert "1 of 7 (14%)" in html
    drill = "children/?year=2026&amp;term=autumn&amp;measure=cohort.all"
    assert f"/virtual-school/reports/{drill}" in html
    # Each section's own page, and the annual report, one link away.
    assert ">All figures: PEP quality</a>" in html
    assert 'href="/virtual-school/reports/annual/">Annual report</a>' in html


def test_the_children_behind_a_number(head, world):
    query = {**AUTUMN, "measure": "compliance.in_date"}
    response = head.get(f"{BASE}children/", query)
    assert response.status_code == 200
    assert [r["child"] for r in response.context["rows"]] == [world.a.child]
    listed = head.get(f"{BASE}children/", {**AUTUMN, "measure": "cohort.all"})
    names = {r["child"].legal_first_name for r in listed.context["rows"]}
    assert names == {"In", "Out", "Left", "Away", "Tiny", "Older", "New1", "New2"}
    assert world.b.child not in [r["child"] for r in listed.context["rows"]]
    assert head.get(f"{BASE}children/", {**AUTUMN, "measure": "nothing.here"}).status_code == 404


def test_a_section_page_and_an_unknown_section(head, world):
    response = head.get(f"{BASE}compliance/", AUTUMN)
    assert response.status_code == 200
    assert 'data-testid="figure-by_team"' in response.content.decode()
    assert head.get(f"{BASE}nonsense/", AUTUMN).status_code == 404


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"school": "99999999"}, "school", "No child of this authority has been on roll"),
        ({"year": "1899"}, "year", "Enter an academic year like 2026/27"),
        ({"year": "2027", "term": "spring"}, "term", "There are no term dates for the spring"),
    ],
)
def test_bad_filters_are_named_beside_the_field_and_the_page_still_renders(
    head, query, field, message
):
    response = head.get(f"{BASE}compliance/", query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: PEP compliance – ePEP</title>" in html
    assert f'href="#id_{field}"' in html  # the error summary
    assert f'id="id_{field}-error"' in html and message in html
    assert 'data-testid="figure-cohort"' in html  # the figures still show


def test_a_filter_with_nobody_says_so(head):
    response = head.get(f"{BASE}compliance/", {**AUTUMN, "cohort": "uasc", "key_stage": "EYFS"})
    assert "No children were in care in the autumn term 2026/27" in response.content.decode()


def _screen_cells(head):
    response = head.get(f"{BASE}compliance/", AUTUMN)
    section = response.context["section"]
    return {
        (table["title"], row["label"]): [cell["text"] for cell in row["cells"]]
        for table in section["tables"]
        for row in table["rows"]
    }


def test_the_csv_and_xlsx_equal_the_screen_with_small_numbers_suppressed(head, world):
    response = head.get(f"{BASE}compliance.csv", AUTUMN)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="compliance-2026-27-autumn.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    workbook = load_workbook(io.BytesIO(head.get(f"{BASE}compliance.xlsx", AUTUMN).content))
    sheet_rows = [
        ["" if v is None else str(v) for v in row]
        for row in workbook.active.iter_rows(values_only=True)
    ]

    def trimmed(table):
        out = []
        for row in table:
            while row and row[-1] == "":
                row = row[:-1]
            if row:
                out.append(row)
        return out

    assert trimmed(rows) == trimmed(sheet_rows)
    screen = _screen_cells(head)
    table = None
    checked = 0
    for row in rows:
        if len(row) > 1 and not row[1].lstrip("-").isdigit() and row[1] != "fewer than 5":
            table = row[0]
            continue
        if table and len(row) > 1 and (table, row[0]) in screen:
            shown = screen[(table, row[0])][0]
            if row[1] == "fewer than 5":
                assert int(shown.split()[0].replace(",", "")) < 5
            else:
                assert shown.split()[0].replace(",", "") == row[1]
                assert int(row[1]) == 0 or int(row[1]) >= 5
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.LA_ADMIN])
def test_only_the_virtual_school_sees_the_reports(client, world, role):
    client.force_login(world.a.users[role])
    for url in (BASE, f"{BASE}compliance/", f"{BASE}compliance.csv", f"{BASE}children/"):
        assert client.get(url).status_code == 404


def _bulk_children(world, count: int) -> None:
    """``count`` more of Kent's children across ages, schools and deadlines, bulk-created."""
    from children.models import Child, Enrolment
    from deadlines.models import Deadline

    la = world.a.la
    with all_authorities_context():
        children = Child.objects.bulk_create(
            Child(
                local_authority=la,
                legal_first_name=f"Many{i}",
                legal_last_name="Bulk",
                date_of_birth=date(2008 + i % 14, 1 + i % 12, 1),
                gender="female",
                entered_care_on=date(2022 + i % 5, 1 + i % 12, 2),
                legal_status="C2",
                is_uasc=i % 7 == 0,
            )
            for i in range(count)
        )
        schools = (world.school_a, world.shared_school, world.school_b)
        Enrolment.objects.bulk_create(
            Enrolment(
                local_authority=la,
                child=child,
                school=schools[i % 3],
                start_date=date(2023, 9, 1),
            )
            for i, child in enumerate(children)
        )
        Deadline.objects.bulk_create(
            Deadline(
                local_authority=la,
                child=child,
                kind="termly_review",
                trigger_date=date(2026, 9, 1),
                due_date=date(2026, 10, 1 + i % 28),
                source="bulk",
            )
            for i, child in enumerate(children)
        )


@pytest.mark.parametrize("url", [BASE, f"{BASE}compliance/", "/virtual-school/"])
def test_the_dashboard_queries_do_not_grow_with_children(head, world, url):
    """The same queries for the small world, 50 and 2,000 more children."""

    def count():
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            assert head.get(url, AUTUMN).status_code == 200
        if os.environ.get("REPORTS_TIMING"):
            print(f"\n{url}: {len(queries)} queries, {time.perf_counter() - started:.2f} s")
        return len(queries)

    count()
    small = count()
    _bulk_children(world, 50)
    at_50 = count()
    _bulk_children(world, 1950)
    assert (small, at_50) == (count(), count())


def test_the_virtual_school_home_leads_with_the_compliance_summary(head, world):
    html = head.get("/virtual-school/").content.decode()
    summary = html.split('data-testid="report-summary"')[1].split("</section>")[0]
    # Whole year 2026/27 counted today (7 December 2026): in date 1 of 7.
    assert "With an in-date PEP" in summary and "1 of 7 (14%)" in summary
    assert 'href="/virtual-school/reports/"' in summary
    assert 'href="#children"' in summary and 'id="children"' in html


def test_the_la_administrators_home_has_no_summary(client, world, compliance_world):  # noqa: F811
    client.force_login(world.a.users[Role.LA_ADMIN])
    assert 'data-testid="report-summary"' not in client.get("/virtual-school/").content.decode()
