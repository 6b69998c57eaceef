"""Documents in real Chromium: the designated teacher adds a document from the child's
page, sees a specific error next to the file input for a file that is not what its name
says, then adds a real PDF and finds it listed and downloadable; no accessibility
violations, no Content-Security-Policy violations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from epep.tenancy.roles import Role

from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"


def choose_file(page, name: str, content: bytes, mime: str) -> None:
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": content}]
    )


def test_a_designated_teacher_adds_a_document_and_sees_a_specific_error_first(
    browser, live_server, world, tmp_path
):
    child = world.a.child
    page = signed_in_page(
        browser, live_server, world.a.users[Role.DESIGNATED_TEACHER], accept_downloads=True
    )
    page.goto(f"{live_server.url}/children/{child.public_id}/")
    page.get_by_role("heading", name="Documents").wait_for()
    assert "No documents have been added." in page.locator("main").inner_text()
    page.get_by_role("link", name="Add a document").click()
    page.get_by_role("heading", level=1, name="Add a document").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "attachment-upload")

    # A PNG called .pdf: refused, with the reason next to the file input.
    choose_file(page, "Summer report.pdf", PNG, "application/pdf")
    page.get_by_label("School report").check()
    page.get_by_role("button", name="Upload document").click()
    message = (
        "This file says it is a PDF but it is a PNG image. "
        "Change its name to end in .png, or choose another file"
    )
    page.locator("#id_file-error").wait_for()
    assert message in page.locator("#id_file-error").inner_text()
    assert message in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error: ")
    # The kind chosen is kept; the file has to be chosen again (browsers never refill it).
    assert page.get_by_label("School report").is_checked()
    assert axe_violations(page) == []
    screenshot(page, "attachment-upload-error")

    # The error summary's link takes the person to the file control.
    page.locator(".govuk-error-summary a").click()
    assert page.evaluate("document.activeElement.id") == "id_file"

    # A real PDF: added and listed.
    choose_file(page, "Summer report.pdf", PDF, "application/pdf")
    page.get_by_label("Title (optional)").fill("Year 6 summer report")
    page.get_by_role("button", name="Upload document").click()
    page.get_by_test_id("documents-table").wait_for()
    assert "“Year 6 summer report” has been added" in page.get_by_test_id("messages").inner_text()
    listed = page.get_by_test_id("documents-table").inner_text()
    assert "Year 6 summer report" in listed
    assert "School report" in listed
    assert "PDF" in listed
    assert axe_violations(page) == []
    assert page.csp_violations == []
    screenshot(page, "attachment-listed")

    # Downloading gives back the same bytes under a neutral name (kind, date, reference).
    with page.expect_download() as download:
        page.get_by_role("link", name="Year 6 summer report", exact=True).click()
    assert re.fullmatch(
        r"report-\d{4}-\d\d-\d\d-[0-9a-f]{8}\.pdf", download.value.suggested_filename
    )
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == PDF

    # Deleting asks first.
    page.get_by_role("link", name="Delete Year 6 summer report").click()
    page.get_by_role("heading", name="Are you sure you want to delete this document?").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "attachment-delete")
    page.get_by_role("button", name="Yes, delete it").click()
    page.get_by_role("heading", name="Documents").wait_for()
    assert "No documents have been added." in page.locator("main").inner_text()
    assert page.csp_violations == []
    assert not [p for p in Path(settings.ATTACHMENT_ROOT).rglob("*") if p.is_file()]
