"""Data out: the authority's children with PEP status, last PEP date and next deadline as
CSV, for the Virtual School and the LA administrator (imports.data_out)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epep.audit.models import AuditEvent
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from peps.services import pep_start

from ..factories import ChildFactory, EnrolmentFactory

TODAY = date(2026, 11, 2)
URL = "/data/children.csv"


def download(client, user) -> list[dict]:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="children-pep-status-2026-11-02.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_virtual_school_downloads_its_children_with_pep_status_and_deadline(
    client, world, clock_at
):
    clock_at(TODAY)
    with acting_as(world.a.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
        pep_start(actor=actor, child=world.a.child)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        world.a.child.la_child_id = "C1001"
        world.a.child.save(update_fields=["la_child_id"])
    rows = download(client, world.a.users[Role.VS_HEAD])
    by_upn = {row["UPN"]: row for row in rows}
    assert set(by_upn) == {world.a.child.upn, world.a.other_child.upn}  # not Sefton's
    mine = by_upn[world.a.child.upn]
    assert mine["CHILD"] == "C1001"
    assert mine["Legal last name"] == world.a.child.legal_last_name
    assert mine["Date of birth"] == "2015-03-14"
    assert mine["Current school URN"] == world.shared_school.urn
    assert mine["PEP status"] == "Draft"
    assert by_upn[world.a.other_child.upn]["PEP status"] == "No PEP yet"
    with authority_context(local_authority_ids=[world.a.la.pk]):
        from deadlines.models import Deadline

        due = (
            Deadline.objects.filter(child=world.a.other_child, met_on__isnull=True)
            .order_by("due_date")
            .values_list("due_date", flat=True)
            .first()
        )
        event = AuditEvent.objects.get(action="export_children_data")
    assert by_upn[world.a.other_child.upn]["Next deadline"] == (due.isoformat() if due else "")
    assert event.detail == {"rows": 2}


def test_la_admin_may_download_and_cells_never_run_as_formulas(client, world, clock_at):
    clock_at(TODAY)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        world.a.child.legal_first_name = "=HYPERLINK(1)"
        world.a.child.save(update_fields=["legal_first_name"])
    rows = download(client, world.a.users[Role.LA_ADMIN])
    assert "'=HYPERLINK(1)" in {row["Legal first name"] for row in rows}


@pytest.mark.parametrize(
    "role", [Role.DESIGNATED_TEACHER, Role.SOCIAL_WORKER, Role.CARER, Role.SCHOOL_STAFF]
)
def test_other_roles_get_404(client, world, role):
    client.force_login(world.a.users[role])
    assert client.get(URL).status_code == 404


def test_queries_do_not_grow_with_the_number_of_children(client, world, clock_at):
    clock_at(TODAY)
    user = world.a.users[Role.VS_HEAD]
    client.force_login(user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
            b"".join(response.streaming_content)
        return len(queries)

    count()  # the first request of a session does more (the role, the agreements)
    before = count()
    for _ in range(3):
        child = ChildFactory(local_authority=world.a.la)
        EnrolmentFactory(child=child, school=world.school_a)
        with acting_as(world.a.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
            pep_start(actor=actor, child=child)
    assert count() == before


def test_home_links_follow_the_permissions(client, world, clock_at):
    clock_at(TODAY)
    client.force_login(world.a.users[Role.VS_HEAD])
    page = client.get("/virtual-school/").content.decode()
    assert 'href="/data/children.csv"' in page and 'href="/data/school-data/"' in page
    client.force_login(world.a.users[Role.LA_ADMIN])
    page = client.get("/virtual-school/").content.decode()
    assert 'href="/data/children.csv"' in page and 'href="/data/school-data/"' not in page
