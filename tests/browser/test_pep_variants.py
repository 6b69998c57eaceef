"""The form of a PEP in real Chromium: the designated teacher changes a school-age PEP
to the early-years form by keyboard alone, and the page follows; axe finds nothing at
320, 375 and 1280 pixels, with and without an error."""

import pytest

from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps.models import Pep

from ..peps.test_cycle import start
from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def variant(pep):
    with all_authorities_context():
        return Pep.objects.get(pk=pep.pk).variant


@pytest.mark.parametrize("width", [320, 375, 1280])
def test_the_designated_teacher_changes_the_form_by_keyboard(browser, live_server, world, width):
    pep = start(world)
    page = signed_in_page(
        browser,
        live_server,
        world.a.users[Role.DESIGNATED_TEACHER],
        viewport={"width": width, "height": 900},
    )
    page.goto(f"{live_server.url}/peps/{pep.public_id}/")
    assert page.get_by_test_id("pep-variant").inner_text() == "School age"
    summary = page.locator("#variant summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("#variant").get_attribute("open") is not None
    assert axe_violations(page) == []

    # a tampered form with no choice: the error beside the field and in the summary
    page.evaluate(
        "document.querySelectorAll('#variant input[type=radio]').forEach(r => r.checked = false)"
    )
    page.get_by_role("button", name="Change the form").click()
    page.get_by_test_id("variant-errors").wait_for()
    assert (
        page.locator("#variant-error")
        .inner_text()
        .endswith("Choose early years, school age or post-16.")
    )
    assert axe_violations(page) == []
    screenshot(page, f"pep-variant-error-{width}")

    page.get_by_label("Early years", exact=True).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("This PEP is now the early years form.").wait_for()
    assert page.get_by_test_id("pep-variant").inner_text() == "Early years"
    assert page.get_by_role("heading", name="The early years setting").is_visible()
    assert page.get_by_role("heading", name="Education details").count() == 0
    assert axe_violations(page) == []
    screenshot(page, f"pep-variant-early-years-{width}")
    assert variant(pep) == "early_years"
    page.context.close()
