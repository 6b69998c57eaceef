"""No downloaded file is named after the child: the PEP's PDF, the meeting's calendar file
(downloaded or attached to the invitation), the access log's CSV and documents people
uploaded carry references and dates only. File names end up in download folders, browser
histories, shared drives and mail logs."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from children.models import Child
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from peps import services as pep_services

from ..meetings.test_meetings import deliver_outbox, meeting_url, schedule
from ..peps.conftest import acting
from ..peps.test_cycle import fill, start

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FIRST, LAST, PREFERRED = "Amarachi", "Appiah-Okonkwo", "Ama"


@pytest.fixture
def child(world):
    """The Kent child in everyone's circle, with a name that cannot appear by chance."""
    child = world.a.child
    with authority_context(local_authority_ids=[child.local_authority_id]):
        Child.objects.filter(pk=child.pk).update(
            legal_first_name=FIRST, legal_last_name=LAST, preferred_name=PREFERRED
        )
        child.refresh_from_db()
    return child


def assert_no_name(filename: str) -> None:
    words = {w.lower() for w in re.split(r"[^A-Za-z]+", f"{FIRST} {LAST} {PREFERRED}") if w}
    found = {w for w in words if w in filename.lower()}
    assert not found, f"{filename!r} carries {found}"


def disposition_name(response) -> str:
    match = re.fullmatch(r'attachment; filename="([^"]+)"', response["Content-Disposition"])
    assert match, response["Content-Disposition"]
    return match.group(1)


def test_the_pep_pdf_is_named_after_the_peps_reference(client, world, child):
    pep = start(world)
    fill(world, pep)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    response = client.get(f"/peps/{pep.public_id}/pdf/")
    assert response.status_code == 200
    name = disposition_name(response)
    assert name == f"PEP-{pep.public_id.hex[:8]}-{pep.term}-{pep.academic_year}-DRAFT.pdf"
    assert_no_name(name)


def test_the_meeting_calendar_file_is_named_by_date_and_reference(
    client, world, child, django_capture_on_commit_callbacks
):
    pep = start(world)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(world, pep)
    deliver_outbox()  # meeting emails go through the outbox
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    response = client.get(meeting_url(meeting, "pep-meeting.ics"))
    assert response.status_code == 200
    name = disposition_name(response)
    assert re.fullmatch(rf"pep-meeting-\d{{4}}-\d\d-\d\d-{meeting.public_id.hex[:8]}\.ics", name)
    assert_no_name(name)
    attached = {
        part.get_filename()
        for message in mail.outbox
        for part in message.message().walk()
        if part.get_content_type() == "text/calendar"
    }
    assert attached == {name}


def test_the_access_log_csv_is_named_by_reference_and_date(client, world, child):
    client.force_login(world.a.users[Role.VS_HEAD])
    response = client.get(f"/children/{child.public_id}/access-log.csv")
    assert response.status_code == 200
    name = disposition_name(response)
    assert name.startswith(f"access-log-{child.public_id}-") and name.endswith(".csv")
    assert_no_name(name)


def test_a_document_downloads_under_a_neutral_name_not_the_uploaded_one(
    client, world, child, settings, tmp_path
):
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"
    uploaded = f"{FIRST} {LAST} EHCP final.PDF"
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        attachment = pep_services.attachment_upload(
            actor=dt,
            child=child,
            pep=None,
            kind="ehcp",
            title="EHCP",
            uploaded_file=SimpleUploadedFile(uploaded, PDF),
        )
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    response = client.get(f"/documents/{attachment.public_id}/")
    assert response.status_code == 200
    name = disposition_name(response)
    assert re.fullmatch(rf"ehcp-\d{{4}}-\d\d-\d\d-{attachment.public_id.hex[:8]}\.pdf", name)
    assert_no_name(name)
