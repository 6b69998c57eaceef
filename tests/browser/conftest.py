"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright, against live_server.

Never `playwright install`: the browser comes from the operating system. axe-core is
vendored beside this file (tests/browser/axe.min.js) and evaluated in the page (an
injected <script> would be blocked by the page's Content-Security-Policy).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).with_name("axe.min.js")
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".local" / "screenshots"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, locale="en-GB", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the current page."""
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, live_server, email: str, password: str = "correct horse battery staple"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def current_totp_code(secret: str) -> str:
    """The authenticator app's code now (RFC 6238, allauth's own helpers). Waits for the
    next 30-second window if this one is about to end, so the code is still good when the
    server checks it."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time() // 30)))


def sign_in_with_code(
    page,
    live_server,
    email: str,
    secret: str | None = None,
    password: str = "correct horse battery staple",
):
    """Sign in as a professional: the password, then the 6-digit code from the
    authenticator app (the factories' TOTP_SECRET unless given). A code works once, so
    the same person cannot sign in twice within one 30-second window."""
    from tests.factories import TOTP_SECRET

    sign_in(page, live_server, email, password)
    page.wait_for_url(f"{live_server.url}/accounts/2fa/authenticate/")
    page.get_by_label("Enter the 6-digit code from your authenticator app").fill(
        current_totp_code(secret or TOTP_SECRET)
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def signed_in_page(browser, live_server, user, **context_options):
    """A page in a new browser context signed in as ``user`` without the sign-in form (the
    test client's session cookie, handed to the browser). ``page.csp_violations`` collects
    any Content-Security-Policy reports from the console; ``page.context`` closes it."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(
        **({"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"} | context_options)
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and page.csp_violations.append(message.text)
        ),
    )
    return page
