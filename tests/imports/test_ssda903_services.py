"""imports.ssda903.services.ssda903_import: who may import, encodings, the query count
(no query per row), the stale-preview refusal, progress, and a hand-recorded child the
extract takes over."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children.models import CarePeriod, Child, Placement
from epep.audit.models import AuditEvent
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from imports.ssda903 import codes
from imports.ssda903.reader import decode
from imports.ssda903.services import StaleImport, ssda903_import
from imports.ssda903.synthetic import csv_bytes, synthetic_rows

from ..factories import ChildFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 2)


@pytest.fixture
def kent(world, clock_at):
    clock_at(TODAY)
    return world


def extract(n_episodes: int, seed: int = 903):
    header, episodes = synthetic_rows(n_episodes, seed=seed)
    return csv_bytes(codes.HEADER_COLUMNS, header), csv_bytes(codes.EPISODE_COLUMNS, episodes)


def run_as(user, role, la, header, episodes, **options):
    with acting_as(user, role) as actor:
        return ssda903_import(
            actor=actor, local_authority=la, header=header, episodes=episodes, **options
        )


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.CARER])
def test_only_the_virtual_school_and_administrators_may_import(kent, role):
    header, episodes = extract(5)
    with pytest.raises(PermissionDenied):
        run_as(kent.a.users[role], role, kent.a.la, header, episodes)


def test_no_one_imports_for_another_authority(kent):
    header, episodes = extract(5)
    with pytest.raises(PermissionDenied):
        run_as(kent.b.users[Role.VS_OFFICER], Role.VS_OFFICER, kent.a.la, header, episodes)


def test_a_person_importing_is_named_in_each_childs_audit_event(kent):
    header, episodes = extract(12)
    officer = kent.a.users[Role.VS_OFFICER]
    result = run_as(officer, Role.VS_OFFICER, kent.a.la, header, episodes)
    assert result.applied and result.children_created > 0
    with authority_context(local_authority_ids=[kent.a.la.pk]):
        events = AuditEvent.objects.filter(object_type="children.child", action="create")
        assert events.count() == result.children_created
        assert set(events.values_list("user_id", "role")) == {(officer.pk, "vs_officer")}
        summary = AuditEvent.objects.get(object_type="imports.ssda903")
        assert summary.detail["children_created"] == result.children_created


def test_the_query_count_does_not_grow_with_the_number_of_children(kent):
    officer = kent.a.users[Role.VS_OFFICER]
    counts = []
    for n, seed in ((5, 3), (10, 1), (200, 2)):  # the first warms per-process caches
        header, episodes = extract(n, seed=seed)
        header = header.replace(b"S0", f"X{seed}".encode())
        episodes = episodes.replace(b"S0", f"X{seed}".encode())
        with CaptureQueriesContext(connection) as queries:
            result = run_as(officer, Role.VS_OFFICER, kent.a.la, header, episodes)
        assert result.applied
        counts.append(len(queries))
    assert counts[1] == counts[2], counts


def test_a_stale_preview_is_refused_and_writes_nothing(kent):
    header, episodes = extract(8)
    officer = kent.a.users[Role.VS_OFFICER]
    preview = run_as(officer, Role.VS_OFFICER, kent.a.la, header, episodes, dry_run=True)
    assert preview.fingerprint and not preview.applied
    run_as(officer, Role.VS_OFFICER, kent.a.la, header, episodes)  # someone else imports it
    with authority_context(local_authority_ids=[kent.a.la.pk]):
        before = Child.objects.filter(local_authority=kent.a.la).count()
    with pytest.raises(StaleImport):
        run_as(
            officer,
            Role.VS_OFFICER,
            kent.a.la,
            header,
            episodes,
            expected_fingerprint=preview.fingerprint,
        )
    with authority_context(local_authority_ids=[kent.a.la.pk]):
        assert Child.objects.filter(local_authority=kent.a.la).count() == before


def test_progress_is_reported(kent):
    header, episodes = extract(20)
    seen = []
    run_as(
        kent.a.users[Role.LA_ADMIN],
        Role.LA_ADMIN,
        kent.a.la,
        header,
        episodes,
        progress=lambda stage, done, total: seen.append(stage),
    )
    assert seen[0] == "reading" and "writing" in seen and seen[-1] == "done"


def test_windows_1252_and_a_byte_order_mark_are_read():
    assert decode("CHILD,ETHNIC\r\n1,Zoë\r\n".encode("cp1252")).endswith("Zoë\r\n")
    assert decode("\ufeffCHILD\r\n".encode("utf-8")) == "CHILD\r\n"


def test_excel_files_import(kent):
    header = csv_bytes(
        codes.HEADER_COLUMNS,
        [{"CHILD": "W1", "SEX": "U", "DOB": "1/9/2012", "ETHNIC": "Zoë", "UPN": "UN3"}],
        encoding="cp1252",
    )
    episodes = "\ufeff".encode() + csv_bytes(
        codes.EPISODE_COLUMNS,
        [
            {
                "CHILD": "W1",
                "DECOM": "01/04/2025",
                "RNE": "S",
                "LS": "V2",
                "CIN": "N4",
                "PLACE": "Z11",
                "PLACE_PROVIDER": "",
            }
        ],
    )
    result = run_as(kent.a.users[Role.VS_HEAD], Role.VS_HEAD, kent.a.la, header, episodes)
    assert (result.errors, result.children_created) == ([], 1)
    with authority_context(local_authority_ids=[kent.a.la.pk]):
        child = Child.objects.get(la_child_id="W1")
        assert (child.gender, child.date_of_birth, child.legal_status) == (
            "other",
            date(2012, 9, 1),
            "V2",
        )


def test_a_hand_recorded_child_is_taken_over_from_the_first_episode_in_the_file(kent):
    with authority_context(local_authority_ids=[kent.a.la.pk]):
        child = ChildFactory(
            local_authority=kent.a.la,
            la_child_id="H1",
            entered_care_on=date(2024, 1, 10),
            date_of_birth=date(2012, 9, 1),
        )
        CarePeriod.objects.create(
            child=child, local_authority=kent.a.la, started_on=date(2024, 1, 10)
        )
        Placement.objects.create(
            child=child,
            local_authority=kent.a.la,
            placement_type="foster",
            start_date=date(2024, 1, 10),
        )
    header = csv_bytes(codes.HEADER_COLUMNS, [{"CHILD": "H1", "SEX": "1", "DOB": "01/09/2012"}])
    episodes = csv_bytes(
        codes.EPISODE_COLUMNS,
        [
            # The file starts mid-period (RNE L): the recorded period and placement go on.
            {
                "CHILD": "H1",
                "DECOM": "01/04/2025",
                "RNE": "L",
                "LS": "C2",
                "CIN": "N1",
                "PLACE": "U4",
                "DEC": "01/06/2025",
                "REC": "X1",
            },
            {
                "CHILD": "H1",
                "DECOM": "01/06/2025",
                "RNE": "P",
                "LS": "C2",
                "CIN": "N1",
                "PLACE": "K2",
                "PLACE_PROVIDER": "PR4",
            },
        ],
    )
    result = run_as(kent.a.users[Role.VS_OFFICER], Role.VS_OFFICER, kent.a.la, header, episodes)
    assert (result.children_updated, result.placements_created) == (1, 1)
    with authority_context(local_authority_ids=[kent.a.la.pk]):
        child.refresh_from_db()
        assert (child.entered_care_on, child.legal_status) == (date(2024, 1, 10), "C2")
        assert CarePeriod.objects.filter(child=child).count() == 1
        assert list(
            Placement.objects.filter(child=child)
            .order_by("start_date")
            .values_list("start_date", "end_date", "ssda903_place")
        ) == [(date(2024, 1, 10), date(2025, 6, 1), "U4"), (date(2025, 6, 1), None, "K2")]


def test_a_period_of_care_that_lasted_no_day_is_not_kept():
    from imports.ssda903.plan import periods_of
    from imports.ssda903.validate import ChildRecord, Episode

    def episode(row, rne, dec=None, rec=""):
        day = date(2025, 4, 1)
        return Episode(row, day, dec, rne, "C2", "N1", "U4", "PR1", rec, "", "", "", "")

    record = ChildRecord("Z1", 2, "male", date(2012, 1, 1), "")
    record.episodes = [episode(2, "S", date(2025, 4, 1), "X1"), episode(3, "S")]
    ((period, episodes),) = periods_of(record)
    assert (period.start, period.end, [e.row for e in episodes]) == (date(2025, 4, 1), None, [3])
