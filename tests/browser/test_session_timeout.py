"""The session timeout warning in real Chromium (WCAG 2.2.1 Timing Adjustable): it
appears before the idle limit as an accessible modal dialog, "Stay signed in" keeps the
person signed in, and when time runs out they land on the sign-in page told why.

The limits are tiny here; override_settings reaches the live server because it runs in
this process."""

import re

import pytest
from django.test import override_settings

from epep.tenancy.roles import Role

from .conftest import axe_violations, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE = 20
WARNING = 15


def session_status(page) -> dict:
    return page.evaluate(
        """async () => (await fetch('/session/status',
            {headers: {Accept: 'application/json'}})).json()"""
    )


@override_settings(SESSION_IDLE_TIMEOUT=IDLE, SESSION_TIMEOUT_WARNING=WARNING)
def test_the_timeout_warning(browser, live_server, world):
    page = signed_in_page(browser, live_server, world.a.users[Role.CARER])
    page.goto(f"{live_server.url}/carer/")
    assert page.get_by_test_id("session-timeout-note").inner_text() == (
        "For your security, you will be signed out after 20 seconds without activity."
    )
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    assert not dialog.is_visible()  # not until the warning period
    home_link = page.get_by_role("link", name="Personal Education Plans")
    home_link.focus()

    # The warning appears WARNING seconds before the end, with focus inside it.
    dialog.wait_for(state="visible", timeout=(IDLE - WARNING + 5) * 1000)
    assert page.evaluate("document.activeElement.id") == "session-timeout-dialog"
    assert re.search(r"sign you out in \d+ seconds", dialog.inner_text())
    assert "Any changes you have not saved will be lost." in dialog.inner_text()
    announcement = page.locator("[data-session-timeout-announcement]")
    assert announcement.get_attribute("aria-live") == "polite"
    assert re.fullmatch(
        r"For your security, we will sign you out in \d+ seconds\.", announcement.inner_text()
    )
    assert axe_violations(page) == []
    screenshot(page, "session-timeout-warning")

    # "Stay signed in": the dialog closes, focus goes back, the session has its full time.
    dialog.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden", timeout=5000)
    assert page.evaluate("document.activeElement.textContent.trim()") == (
        "Personal Education Plans"
    )
    status = session_status(page)
    assert status["signed_in"] is True
    assert status["idle_seconds_left"] >= IDLE - 3
    assert page.url == f"{live_server.url}/carer/"

    # Left alone, the warning comes back, and then the sign-in page says why.
    dialog.wait_for(state="visible", timeout=(IDLE - WARNING + 5) * 1000)
    page.wait_for_url(re.compile(r"/accounts/login/\?next=%2Fcarer%2F$"), timeout=30_000)
    assert "You were signed out because you had not done anything for 20 seconds" in (
        page.content()
    )
    assert axe_violations(page) == []
    screenshot(page, "signed-out-after-idle")
    assert page.csp_violations == []
    page.context.close()


@override_settings(SESSION_IDLE_TIMEOUT=IDLE, SESSION_TIMEOUT_WARNING=WARNING)
def test_escape_keeps_the_session_and_the_dialog_fits_a_phone(browser, live_server, world):
    page = signed_in_page(
        browser,
        live_server,
        world.a.users[Role.YOUNG_PERSON],
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page.goto(f"{live_server.url}/my/")
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    dialog.wait_for(state="visible", timeout=(IDLE - WARNING + 5) * 1000)
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert axe_violations(page) == []
    screenshot(page, "session-timeout-warning-phone")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden", timeout=5000)
    assert session_status(page)["idle_seconds_left"] >= IDLE - 3
    assert page.csp_violations == []
    page.context.close()


@override_settings(SESSION_IDLE_TIMEOUT=IDLE, SESSION_TIMEOUT_WARNING=WARNING)
def test_without_javascript_there_is_no_dialog_and_the_server_still_signs_out(
    browser, live_server, world
):
    page = signed_in_page(
        browser, live_server, world.a.users[Role.CARER], java_script_enabled=False
    )
    page.goto(f"{live_server.url}/carer/")
    assert not page.get_by_role("dialog").is_visible()
    assert page.get_by_test_id("session-timeout-note").is_visible()
    page.wait_for_timeout((IDLE + 2) * 1000)
    page.goto(f"{live_server.url}/carer/")
    assert "/accounts/login/" in page.url
    assert "had not done anything for 20 seconds" in page.content()
    page.context.close()


@override_settings(
    SESSION_IDLE_TIMEOUT=600, SESSION_ABSOLUTE_TIMEOUT=IDLE, SESSION_TIMEOUT_WARNING=WARNING
)
def test_near_the_absolute_limit_the_warning_cannot_extend(browser, live_server, world):
    page = signed_in_page(browser, live_server, world.a.users[Role.CARER])
    page.goto(f"{live_server.url}/carer/")
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    dialog.wait_for(state="visible", timeout=(IDLE - WARNING + 5) * 1000)
    assert "the longest a session can last" in dialog.inner_text()
    assert not dialog.get_by_role("button", name="Stay signed in").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "session-timeout-final-warning")
    dialog.get_by_role("button", name="Continue").click()
    dialog.wait_for(state="hidden", timeout=5000)
    page.wait_for_url(re.compile(r"/accounts/login/"), timeout=30_000)
    assert "You were signed out because you had been signed in for 20 seconds." in (page.content())
    assert page.csp_violations == []
    page.context.close()
