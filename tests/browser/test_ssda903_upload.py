"""The SSDA903 import in real Chromium: the Virtual School officer goes from their home
to the upload, is told beside the field and in the summary when a file is missing,
sees the errors of a bad extract, then uploads a good one, checks the preview (counts
and the UPN warning) and confirms; axe-clean on every page."""

from __future__ import annotations

import pytest

from children.models import Child
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from imports.ssda903 import codes
from imports.ssda903.synthetic import csv_bytes, valid_upn

from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = [
    {"CHILD": "BR1", "SEX": "2", "DOB": "01/09/2012", "UPN": valid_upn("886", 11)},
    {"CHILD": "BR2", "SEX": "1", "DOB": "05/03/2010", "UPN": "X000000000000"},
]
EPISODES = [
    {
        "CHILD": "BR1",
        "DECOM": "01/04/2025",
        "RNE": "S",
        "LS": "C2",
        "CIN": "N1",
        "PLACE": "U4",
        "PLACE_PROVIDER": "PR1",
    },
    {
        "CHILD": "BR2",
        "DECOM": "01/05/2025",
        "RNE": "S",
        "LS": "V2",
        "CIN": "N2",
        "PLACE": "K2",
        "PLACE_PROVIDER": "PR4",
        "DEC": "01/08/2025",
        "REC": "E13",
    },
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def choose(page, label: str, name: str, content: bytes) -> None:
    page.get_by_label(label).set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )


def test_upload_preview_and_confirm_the_extract(browser, live_server, world):
    page = signed_in_page(browser, live_server, world.a.users[Role.VS_OFFICER])
    page.goto(f"{live_server.url}/virtual-school/")
    page.get_by_role("link", name="Import the SSDA903 extract").click()
    page.get_by_role("heading", level=1, name="Import the SSDA903 extract").wait_for()
    assert axe_violations(page) == []

    # Only the header file: the episodes file is asked for, beside it and in the summary.
    choose(page, "Header file", "header.csv", csv_bytes(codes.HEADER_COLUMNS, HEADER))
    page.get_by_role("button", name="Check the files").click()
    page.locator("#id_episodes-error").wait_for()
    assert "Select the episodes file" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []

    # An extract with an error: listed by file, row and column; nothing to confirm.
    bad = [{**EPISODES[0], "LS": "Q1"}, EPISODES[1]]
    choose(page, "Header file", "header.csv", csv_bytes(codes.HEADER_COLUMNS, HEADER))
    choose(page, "Episodes file", "episodes.csv", csv_bytes(codes.EPISODE_COLUMNS, bad))
    page.get_by_role("button", name="Check the files").click()
    page.get_by_test_id("errors").wait_for()
    errors = page.get_by_test_id("errors").inner_text()
    assert "episodes\t2\tLS\t“Q1” is not a DfE legal status code" in errors
    assert page.get_by_role("button", name="Import these changes").count() == 0
    assert axe_violations(page) == []
    screenshot(page, "ssda903-errors")

    # The good extract: the preview, then the confirm.
    page.get_by_role("link", name="Upload the files again").click()
    choose(page, "Header file", "header.csv", csv_bytes(codes.HEADER_COLUMNS, HEADER))
    choose(page, "Episodes file", "episodes.csv", csv_bytes(codes.EPISODE_COLUMNS, EPISODES))
    page.get_by_role("button", name="Check the files").click()
    page.get_by_role("heading", level=1, name="Check what will change").wait_for()
    counts = page.get_by_test_id("counts").inner_text()
    assert "Children to be added\t2" in counts
    assert "The UPN X000000000000 is not valid" in page.get_by_test_id("warnings").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "ssda903-preview")
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert not Child.objects.filter(la_child_id__startswith="BR").exists()

    page.get_by_role("button", name="Import these changes").click()
    page.get_by_role("heading", level=1, name="SSDA903 extract imported").wait_for()
    assert "Children added\t2" in page.get_by_test_id("counts").inner_text()
    assert axe_violations(page) == []
    with authority_context(local_authority_ids=[world.a.la.pk]):
        imported = dict(
            Child.objects.filter(la_child_id__startswith="BR").values_list(
                "la_child_id", "left_care_on"
            )
        )
    assert set(imported) == {"BR1", "BR2"} and imported["BR1"] is None
