"""What the form fuzz (tests/security/test_fuzz_forms.py) found, each pinned down: input
that used to give a server error now gets a clear answer, and changes nothing."""

import re

import pytest

from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps.models import Pep, PepSection, Status

from ..peps.test_cycle import start

pytestmark = pytest.mark.django_db


def url(pep, suffix=""):
    return f"/peps/{pep.public_id}/{suffix}"


def field_error(page: str, field_id: str) -> str:
    match = re.search(
        rf'<p id="{field_id}-error" class="govuk-error-message">'
        r'<span class="govuk-visually-hidden">Error:</span> (.*?)</p>',
        page,
    )
    return match.group(1) if match else ""


def changes() -> int:
    with all_authorities_context():
        return AuditEvent.objects.exclude(action="view").count()


def test_a_search_with_a_nul_character_finds_nobody(client, world):
    client.force_login(world.a.users[Role.VS_HEAD])
    response = client.get("/virtual-school/", {"q": "Circle\x00"})
    assert response.status_code == 200
    assert response.context["rows"] == []


@pytest.mark.parametrize("number", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_attendance_that_is_not_a_number_is_shown_beside_the_field_and_not_saved(
    client, world, number
):
    pep = start(world)
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    before = changes()
    response = client.post(
        url(pep, "sections/education/"),
        {
            "education-attendance_percent": number,
            "education-sessions_missed": number,
            "education-base_version": "0",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        field_error(page, "id_education-attendance_percent")
        == "Attendance this term (%) must be a number, like 94.5."
    )
    assert (
        field_error(page, "id_education-sessions_missed")
        == "Sessions missed this term must be a number, like 94.5."
    )
    with all_authorities_context():
        assert PepSection.objects.get(pep=pep, key="education").version == 0
    assert changes() == before


def test_a_meeting_date_that_is_not_a_date_is_shown_beside_the_field(client, world):
    pep = start(world)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    response = client.post(
        url(pep, "move/"),
        {"target_status": "meeting_held", "state_version": "1", "meeting_date": "2024-02-30"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    message = "Enter the date of the meeting as a real date."
    assert field_error(page, "id_meeting_date") == message
    assert f'<a href="#id_meeting_date">{message}</a>' in page
    with all_authorities_context():
        assert Pep.objects.get(pk=pep.pk).status == Status.DRAFT


@pytest.mark.parametrize("status", ["NaN", "not_a_status", "x" * 1000, "draft\x00"])
def test_a_move_to_a_state_that_does_not_exist_is_refused_like_a_tampered_form(
    client, world, status
):
    pep = start(world)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    before = changes()
    response = client.post(url(pep, "move/"), {"target_status": status, "state_version": "1"})
    assert response.status_code == 404
    with all_authorities_context():
        assert Pep.objects.get(pk=pep.pk).status == Status.DRAFT
    assert changes() == before


def subjects(pep) -> list[str]:
    with all_authorities_context():
        return list(pep.attainment.values_list("subject", flat=True))


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Latin\x00", "Subject names must be 80 characters or fewer, in words and numbers."),
        ("L" * 81, "Subject names must be 80 characters or fewer, in words and numbers."),
        ("english", "english is listed twice. Enter each subject once."),
    ],
)
def test_an_impossible_new_subject_gets_a_message_and_the_table_is_unchanged(
    client, world, new, message
):
    pep = start(world)
    kept = subjects(pep)
    assert "English" in kept
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    before = changes()
    response = client.post(url(pep, "attainment/"), {"subject": [*kept, new]})
    assert response.status_code == 400
    assert f"<li>{message}</li>" in response.content.decode()
    assert subjects(pep) == kept
    assert changes() == before
