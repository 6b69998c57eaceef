"""A school's attendance and attainment in real Chromium: the designated teacher goes
from their home to the upload, sees a retired attendance code refused beside the file
field and in the error summary, then uploads a correct file, checks the preview and
confirms; every page axe-clean."""

from __future__ import annotations

import pytest

from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from peps.models import PepSection
from peps.services import pep_start

from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = (
    "UPN,Sessions possible,Sessions attended,Suspensions,Absence by code,Subject,Current,Target\n"
)


def choose_file(page, text: str) -> None:
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "attendance.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )


def test_designated_teacher_uploads_previews_and_confirms(browser, live_server, world):
    child = world.a.child
    with acting_as(world.a.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
        pep = pep_start(actor=actor, child=child)
    page = signed_in_page(browser, live_server, world.a.users[Role.DESIGNATED_TEACHER])
    page.goto(f"{live_server.url}/designated-teacher/")
    page.get_by_role("link", name="Upload attendance and attainment").click()
    page.get_by_role("heading", level=1, name="Upload attendance and attainment").wait_for()
    assert axe_violations(page) == []

    # A retired code: refused, nothing changed, the row listed.
    choose_file(page, HEADER + f"{child.upn},120,110,0,H:4\n")
    page.get_by_role("button", name="Check the file").click()
    page.locator("#id_file-error").wait_for()
    assert "nothing has been changed" in page.locator("#id_file-error").inner_text()
    assert "nothing has been changed" in page.locator(".govuk-error-summary").inner_text()
    problems = page.get_by_test_id("problems").inner_text()
    assert "H (holiday authorised) is no longer used" in problems
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    screenshot(page, "school-data-upload-error")

    choose_file(page, HEADER + f"{child.upn},120,114,1,I:4; C2:2,English,5,6\n")
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", level=1, name="Check the changes").wait_for()
    preview = page.get_by_test_id("preview").inner_text()
    assert "95.0%" in preview and "English: Grade 5, Grade 6" in preview
    assert axe_violations(page) == []
    screenshot(page, "school-data-preview")

    page.get_by_role("button", name="Confirm and save").click()
    page.get_by_test_id("messages").wait_for()
    assert (
        "Attendance and attainment saved for 1 child"
        in page.get_by_test_id("messages").inner_text()
    )
    assert axe_violations(page) == []
    with authority_context(local_authority_ids=[pep.local_authority_id]):
        data = PepSection.objects.get(pep=pep, key="education").data
    assert (data["attendance_percent"], data["sessions_missed"]) == ("95.0", "6")
