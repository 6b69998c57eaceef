"""GIAS: the schools list from the DfE's establishment download (imports.gias and the
import_gias command)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children.models import School
from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context
from imports.gias import gias_import

from ..factories import SchoolFactory

COLUMNS = (
    open("/work/shared/reference/gias-edubasealldata-columns.txt", encoding="utf-8")
    .read()
    .split("\n")
)
COLUMNS = [c for c in COLUMNS if c.strip()]

TODAY = date(2026, 11, 2)


def gias_row(urn, name, **values) -> dict:
    row = {
        "URN": urn,
        "EstablishmentName": name,
        "PhaseOfEducation (name)": "Primary",
        "TypeOfEstablishment (name)": "Academy converter",
        "LA (code)": "886",
        "Postcode": "ME14 1XX",
        "EstablishmentStatus (name)": "Open",
        "OpenDate": "01-09-2011",
        "CloseDate": "",
    }
    row.update(values)
    return row


def gias_file(*rows, columns=None) -> bytes:
    """A download as GIAS publishes it: every column, Windows-1252, CRLF."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns or COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("cp1252")


def schools() -> dict[str, School]:
    return {s.urn: s for s in School.objects.filter(urn__isnull=False)}


def test_creates_and_maps_schools_with_curly_apostrophe_in_cp1252(world, clock_at):
    clock_at(TODAY)
    data = gias_file(
        gias_row("140001", "St Mary’s Church of England Primary School"),
        gias_row(
            "140002",
            "Darent Vale Secondary",
            **{
                "PhaseOfEducation (name)": "Secondary",
                "TypeOfEstablishment (name)": "Community special school",
                "Postcode": "da1 2ab",
            },
        ),
        gias_row(
            "140003", "Ysgol Cymraeg", **{"TypeOfEstablishment (name)": "Welsh establishment"}
        ),
    )
    assert b"St Mary\x92s" in data  # the curly apostrophe as GIAS sends it
    result = gias_import(data=data)
    assert result.counts() == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "closed": 0,
        "skipped": 1,
        "problems": 0,
    }
    found = schools()
    assert found["140001"].name == "St Mary’s Church of England Primary School"
    assert found["140001"].type == School.Type.ACADEMY
    assert found["140001"].opened_on == date(2011, 9, 1)
    assert found["140002"].phase == School.Phase.SECONDARY
    assert found["140002"].type == School.Type.SPECIAL
    assert found["140002"].postcode == "DA1 2AB"
    assert "140003" not in found


def test_renamed_and_closed_schools_are_updated_never_deleted(world, clock_at):
    clock_at(TODAY)
    renamed = SchoolFactory(urn="140010", name="Old Name Academy")
    closing = SchoolFactory(urn="140011", name="Closing Primary")
    data = gias_file(
        gias_row("140010", "New Name Academy"),
        gias_row(
            "140011",
            "Closing Primary",
            **{"EstablishmentStatus (name)": "Closed", "CloseDate": "31-08-2026"},
        ),
    )
    result = gias_import(data=data)
    assert (result.created, result.updated, result.closed) == (0, 2, 1)
    renamed.refresh_from_db()
    closing.refresh_from_db()
    assert renamed.name == "New Name Academy"
    assert closing.status == School.Status.CLOSED
    assert closing.closed_on == date(2026, 8, 31)
    # the same file again changes nothing
    again = gias_import(data=data)
    assert (again.created, again.updated, again.unchanged, again.closed) == (0, 0, 2, 0)


def test_closed_school_children_attend_is_kept_and_reported(world, clock_at):
    clock_at(TODAY)
    shared = world.shared_school  # both authorities' children on roll
    data = gias_file(
        gias_row(
            shared.urn,
            shared.name,
            **{"EstablishmentStatus (name)": "Closed", "CloseDate": "31-10-2026"},
        ),
        gias_row(world.school_b.urn, world.school_b.name, **{"LA (code)": "343"}),
    )
    result = gias_import(data=data)
    assert result.closed == 1
    with all_authorities_context():
        assert School.objects.filter(pk=shared.pk, status=School.Status.CLOSED).exists()
    reports = {(s.urn, s.reason, s.children) for s in result.attended}
    assert (shared.urn, "is closed", 2) in reports
    # Kent Primary is no longer in the file: kept, and reported since a child attends it
    assert (world.school_a.urn, "is not in the file", 1) in reports
    assert School.objects.filter(pk=world.school_a.pk).exists()
    assert world.school_b.urn not in {s.urn for s in result.attended}


def test_bad_rows_are_reported_by_spreadsheet_row_and_skipped_only_when_asked(world, clock_at):
    clock_at(TODAY)
    data = gias_file(
        gias_row("140020", "Good School"),
        gias_row("14002", "Short URN School"),
        gias_row("140022", "Bad Date School", OpenDate="31-02-2011"),
        gias_row("140023", "Odd Type", **{"TypeOfEstablishment (name)": "Moon base"}),
    )
    result = gias_import(data=data, strict=False)
    found = {(p.row, p.column) for p in result.problems}
    assert found == {
        (3, "URN"),
        (4, "OpenDate"),
        (5, "TypeOfEstablishment (name)"),
    }
    assert "Moon base" in str(next(p for p in result.problems if p.row == 5))
    assert result.created == 1
    assert "140020" in schools() and "140022" not in schools()


def test_one_bad_row_writes_nothing_by_default_and_missing_column_stops(world, clock_at, tmp_path):
    clock_at(TODAY)
    data = gias_file(gias_row("140030", "Fine School"), gias_row("x", "Bad"))
    result = gias_import(data=data)
    assert not result.applied and "140030" not in schools()
    assert [(p.row, p.column) for p in result.problems] == [(3, "URN")]
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import_gias", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert "140030" not in schools()
    call_command(
        "import_gias", str(path), "--skip-bad-rows", stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert "140030" in schools()
    no_urn = gias_file(
        gias_row("140031", "No URN column"), columns=[c for c in COLUMNS if c != "URN"]
    )
    result = gias_import(data=no_urn)
    assert not result.applied
    assert [(p.row, p.column) for p in result.problems] == [(1, "URN")]


def test_command_prints_counts_and_audits_each_authority(world, clock_at, tmp_path):
    clock_at(TODAY)
    path = tmp_path / "edubasealldata20261102.csv"
    path.write_bytes(gias_file(gias_row("140040", "Command School")))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_gias", str(path), stdout=out, stderr=err)
    assert "created 1, updated 0, unchanged 0, closed 0, skipped 0, problems 0" in out.getvalue()
    with all_authorities_context():
        events = AuditEvent.objects.filter(action="gias_import")
        assert {e.local_authority_id for e in events} == {world.a.la.pk, world.b.la.pk}
        assert events.first().detail["created"] == 1


def test_no_query_per_row(world, clock_at):
    clock_at(TODAY)

    rows = [gias_row(f"{150000 + i}", f"School {i}") for i in range(5)]
    with CaptureQueriesContext(connection) as small:
        gias_import(data=gias_file(*rows))
    rows = [gias_row(f"{150000 + i}", f"Renamed {i}") for i in range(300)]
    with CaptureQueriesContext(connection) as large:
        result = gias_import(data=gias_file(*rows))
    assert (result.created, result.updated) == (295, 5)
    # one bulk insert and one bulk update more, whatever the number of rows
    assert len(large) <= len(small) + 1


def test_nightly_task_reads_the_file_named_in_the_settings(world, clock_at, tmp_path, settings):
    from imports import tasks

    clock_at(TODAY)
    assert "import-gias-nightly" not in settings.CELERY_BEAT_SCHEDULE  # off unless set
    settings.EPEP_GIAS_FILE = ""
    assert tasks.import_gias_nightly.run() == {}
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes(gias_file(gias_row("140050", "Nightly School")))
    settings.EPEP_GIAS_FILE = str(path)
    assert tasks.import_gias_nightly.run()["created"] == 1
    assert tasks.import_gias_nightly.run()["unchanged"] == 1  # safe to run again
