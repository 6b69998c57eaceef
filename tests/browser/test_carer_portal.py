"""The carer's journey in real Chromium on a 375-pixel phone: the carer sees the child's
next PEP meeting, adds it to their calendar (.ics), gives their views (an empty answer
first: the message is beside the field and in the summary), and downloads the finalised
PEP. axe reports no violations on every carer page at 320, 375 and 1280 pixels."""

import pytest

from epep.tenancy.roles import Role

from ..portal.test_carer_portal import carer_answers, finalised_then_open
from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
WIDTHS = (320, 375, 1280)


@pytest.fixture
def archive(settings, tmp_path):
    settings.PEP_PDF_ROOT = str(tmp_path / "pep-pdfs")


def assert_axe_clean_at_every_width(page, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 740})
        assert axe_violations(page) == [], (name, width)
        screenshot(page, f"carer-{name}-{width}")
    page.set_viewport_size({"width": 375, "height": 740})


def test_the_carer_on_a_phone_sees_the_meeting_gives_views_and_downloads_the_pep(
    browser, live_server, world, archive
):
    first, pep = finalised_then_open(world)
    page = signed_in_page(browser, live_server, world.a.users[Role.CARER], **PHONE)
    page.goto(f"{live_server.url}/carer/")
    card = page.get_by_test_id("carer-child")
    assert world.a.child.display_name in card.inner_text()
    meeting = page.get_by_test_id("next-meeting").inner_text()
    assert "4:30pm" in meeting and "Shared Academy, room 2" in meeting
    assert (
        "Read with her for 10 minutes each evening"
        in page.get_by_test_id("carer-actions").inner_text()
    )
    assert_axe_clean_at_every_width(page, "home")

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to your calendar").click()
    assert download.value.suggested_filename.endswith(".ics")
    assert b"BEGIN:VEVENT" in open(download.value.path(), "rb").read()

    page.get_by_role("link", name="Give your views").click()
    page.wait_for_url(f"**/carer/peps/{pep.public_id}/your-views/")
    questions = page.get_by_test_id("carer-questions").inner_text()
    assert "What helps them learn and feel settled?" in questions
    assert_axe_clean_at_every_width(page, "views")

    page.get_by_role("button", name="Save your views").click()
    page.wait_for_load_state()
    settling = "Say how the child is settling at home"
    assert settling in page.locator("#id_settling-error").inner_text()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_axe_clean_at_every_width(page, "views-error")

    page.get_by_role("link", name=settling).click()
    page.keyboard.type("Settled; she sleeps well now.")
    page.keyboard.press("Tab")  # keyboard only: to the next question
    page.keyboard.type("She reads every night now and is proud of her art.")
    for _ in range(6):  # past the five boxes that are up to the carer, to the button
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/carer/")
    assert "are saved" in page.content()
    assert carer_answers(pep) == {
        "settling": "Settled; she sleeps well now.",
        "school": "She reads every night now and is proud of her art.",
    }
    assert page.get_by_test_id("views-task").get_by_text("Views given").is_visible()
    assert_axe_clean_at_every_width(page, "home-after")

    with page.expect_download() as download:
        page.get_by_test_id("finalised-pep").get_by_role("link").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert open(download.value.path(), "rb").read().startswith(b"%PDF-")
    assert page.csp_violations == []
    page.context.close()


def test_a_finalised_peps_views_page_is_axe_clean(browser, live_server, world, archive):
    first, _ = finalised_then_open(world)
    page = signed_in_page(browser, live_server, world.a.users[Role.CARER], **PHONE)
    page.goto(f"{live_server.url}/carer/peps/{first.public_id}/your-views/")
    assert "This PEP can no longer be changed" in page.content()
    assert_axe_clean_at_every_width(page, "views-locked")
    page.context.close()


def test_the_carer_gives_their_views_without_javascript(browser, live_server, world, archive):
    _, pep = finalised_then_open(world)
    page = signed_in_page(
        browser, live_server, world.a.users[Role.CARER], java_script_enabled=False, **PHONE
    )
    page.goto(f"{live_server.url}/carer/")
    page.get_by_role("link", name="Give your views").click()
    page.get_by_role("button", name="Save your views").click()
    assert "Say how the child" in page.locator("#id_settling-error").inner_text()
    page.get_by_label("How is the child settling at home?").fill("Settled.")
    page.get_by_label("How do they get on with school and homework?").fill(
        "Settled; reading every night."
    )
    page.get_by_role("button", name="Save your views").click()
    page.wait_for_url(f"{live_server.url}/carer/")
    assert carer_answers(pep)["school"] == "Settled; reading every night."
    page.context.close()
