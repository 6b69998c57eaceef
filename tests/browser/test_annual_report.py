"""The annual report's commentary page in Chromium: the Head opens it from the annual
report page and saves by keyboard; a stale save shows the text saved meanwhile beside the
field and in the error summary; axe clean with no sideways scroll at 320 and 1280 pixels on
the annual page, the commentary page and its error state. Saving works without JavaScript."""

from __future__ import annotations

import pytest

from epep.tenancy.actor import acting_as
from epep.tenancy.roles import Role
from reports.services import commentary_save

from ..reports.outcomes_world import DAY
from .conftest import signed_in_page
from .test_reports import clean_at_every_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def clean_and_narrow(page, name: str) -> None:
    """axe clean at 320 and 1280 pixels (the dashboard's check), and nothing wider than a
    320-pixel phone."""
    clean_at_every_width(page, f"annual-{name}")
    page.set_viewport_size({"width": 320, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, name


def test_the_head_writes_the_commentary_by_keyboard(browser, live_server, world, clock_at):
    clock_at(DAY)
    head_user = world.a.users[Role.VS_HEAD]
    head = signed_in_page(browser, live_server, head_user)
    base = f"{live_server.url}/virtual-school/reports/annual/"
    head.goto(base)
    assert head.title() == "Annual report – ePEP"
    clean_and_narrow(head, "page")

    head.get_by_role("link", name="Change the commentary on Outcomes").click()
    head.wait_for_url(f"{base}2026/commentary/outcomes/")
    assert head.title() == "Commentary: Outcomes – ePEP"
    clean_and_narrow(head, "commentary")

    # Someone else saves first: this save is refused, both texts are on the page.
    with acting_as(head_user, Role.VS_HEAD) as actor:
        commentary_save(
            actor=actor,
            academic_year=2026,
            section="outcomes",
            text="Saved in another tab.",
            base_version=0,
        )
    box = head.get_by_label("Commentary")
    box.focus()
    head.keyboard.type("Persistent absence fell by a third.")
    head.keyboard.press("Tab")
    head.keyboard.press("Enter")
    head.locator("#id_text-error").wait_for()
    assert head.title() == "Error: Commentary: Outcomes – ePEP"
    assert "changed this commentary" in head.locator(".govuk-error-summary").inner_text()
    assert "Saved in another tab." in head.get_by_test_id("theirs").inner_text()
    assert box.input_value() == "Persistent absence fell by a third."
    clean_and_narrow(head, "commentary-stale")

    # Saving again, knowingly, replaces it.
    head.get_by_role("button", name="Save commentary").click()
    head.wait_for_url(f"{base}?year=2026")
    assert "Persistent absence fell by a third." in head.content()
    assert "Saved in another tab." not in head.content()
    head.context.close()


def test_the_commentary_is_saved_without_javascript(browser, live_server, world, clock_at):
    clock_at(DAY)
    head = signed_in_page(
        browser, live_server, world.a.users[Role.VS_HEAD], java_script_enabled=False
    )
    base = f"{live_server.url}/virtual-school/reports/annual/"
    head.goto(f"{base}2026/commentary/quality/")
    head.get_by_label("Commentary").fill("Fewer PEPs were returned.")
    head.get_by_role("button", name="Save commentary").click()
    head.wait_for_url(f"{base}?year=2026")
    assert "Fewer PEPs were returned." in head.content()
    head.context.close()
