"""The sign-in and two-step sign-in pages in real Chromium: no accessibility violations
(axe-core, WCAG 2.2 AA) on a desktop and on a phone, no Content-Security-Policy violations,
and they work without JavaScript. Screenshots go to .local/screenshots/allauth-*.png.

Security keys and passkeys (WebAuthn) need JavaScript: Chromium's virtual authenticator
(DevTools protocol) stands in for a real key, so allauth's WebAuthn scripts run under the
CSP exactly as they would for a person."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from epep.tenancy.roles import Role

from ..factories import MembershipFactory, UserFactory
from .conftest import axe_violations, current_totp_code, screenshot, sign_in, sign_in_with_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
CODE_LABEL = "Enter the 6-digit code from your authenticator app"

# Collected in the page (added through the DevTools protocol, which the page's CSP does
# not govern).
LISTEN_FOR_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.fixture(params=["desktop", "phone"])
def device(request, page, phone):
    """Each test runs twice: at 1280×900 and on a 375-pixel-wide phone."""
    chosen = page if request.param == "desktop" else phone
    chosen.device_name = request.param
    chosen.add_init_script(LISTEN_FOR_CSP)
    return chosen


def check(page, name: str) -> None:
    """No axe violations, no CSP violations; a full-page screenshot to look at."""
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == [], name
    assert page.evaluate("window.__cspViolations || []") == [], name
    screenshot(page, f"allauth-{name}-{page.device_name}")


def new_professional(world, email="new.teacher@example.org"):
    user = UserFactory(email=email, full_name="Nia Newteacher")
    MembershipFactory(user=user, role=Role.SOCIAL_WORKER, local_authority=world.a.la)
    return user


def test_sign_in_page(device, live_server, world):
    device.goto(f"{live_server.url}/accounts/login/")
    assert device.title() == "Sign in – ePEP"
    device.get_by_role("heading", level=1, name="Sign in to ePEP").wait_for()
    # GOV.UK's password input: "Show" appears with JavaScript.
    show = device.get_by_role("button", name="Show what you typed")
    assert show.is_visible()
    check(device, "sign-in")

    device.get_by_label("Email address").fill("nobody@example.org")
    device.get_by_label("Password").fill("wrong password entirely")
    show.click()
    assert device.get_by_label("Password").get_attribute("type") == "text"
    # Its name never says "password", so "Password" labels only the field.
    device.get_by_role("button", name="Hide what you typed").click()
    device.get_by_role("button", name="Sign in").click()
    device.get_by_role("alert").wait_for()
    assert device.title() == "Error: Sign in – ePEP"
    summary = device.locator(".govuk-error-summary")
    assert "Enter a correct email address and password" in summary.inner_text()
    # GOV.UK Frontend moves focus to the error summary.
    assert device.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    summary.get_by_role("link").click()
    assert device.evaluate("document.activeElement.id") == "id_login"
    check(device, "sign-in-error")


def test_the_code_step(device, live_server, world):
    officer = world.a.users[Role.VS_OFFICER]
    sign_in(device, live_server, officer.email)
    device.wait_for_url(f"{live_server.url}/accounts/2fa/authenticate/")
    assert device.title() == "Enter the code from your authenticator app – ePEP"
    device.get_by_role("heading", level=1, name=CODE_LABEL).wait_for()
    check(device, "code")

    device.get_by_label(CODE_LABEL).fill(
        "000000" if current_totp_code("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP") != "000000" else "111111"
    )
    device.get_by_role("button", name="Continue").click()
    device.get_by_role("alert").wait_for()
    assert device.title().startswith("Error: ")
    check(device, "code-error")

    device.get_by_role("link", name="Use a recovery code instead").click()
    device.get_by_role("heading", level=1, name="Enter a recovery code").wait_for()
    check(device, "recovery-code")
    device.get_by_role("link", name="Use a code from your authenticator app instead").click()

    from ..factories import TOTP_SECRET

    device.get_by_label(CODE_LABEL).fill(current_totp_code(TOTP_SECRET))
    device.get_by_role("button", name="Continue").click()
    device.wait_for_url(f"{live_server.url}/virtual-school/")


def test_sign_in_with_code_helper(page, live_server, world):
    sign_in_with_code(page, live_server, world.a.users[Role.SOCIAL_WORKER].email)
    assert "/accounts/" not in page.url


def test_two_step_sign_in_page(device, live_server, world):
    sign_in_with_code(device, live_server, world.a.users[Role.DESIGNATED_TEACHER].email)
    device.goto(f"{live_server.url}/accounts/2fa/")
    assert device.title() == "Two-step sign-in – ePEP"
    device.get_by_role("heading", level=2, name="Security keys and passkeys").wait_for()
    check(device, "two-step")


ACCOUNT_PAGES = [
    ("/accounts/2fa/recovery-codes/generate/", "Get new recovery codes", "generate-codes"),
    ("/accounts/2fa/totp/deactivate/", "Remove your authenticator app", "remove-app"),
    ("/accounts/password/change/", "Change your password", "change-password"),
    ("/accounts/sessions/", "Where you’re signed in", "sessions"),
    ("/accounts/logout/", "Sign out", "sign-out"),
]


def test_other_account_pages(device, live_server, world):
    sign_in_with_code(device, live_server, world.a.users[Role.IRO].email)
    device.goto(f"{live_server.url}/accounts/reauthenticate/")
    device.get_by_label("Password", exact=True).fill(PASSWORD)
    device.get_by_role("button", name="Continue").click()
    device.wait_for_url(lambda url: "/reauthenticate/" not in url)
    for path, heading, name in ACCOUNT_PAGES:
        device.goto(live_server.url + path)
        device.get_by_role("heading", level=1, name=heading).wait_for()
        assert device.title() == f"{heading} – ePEP"
        check(device, name)
    device.locator("main").get_by_role("button", name="Sign out").click()
    device.get_by_role("heading", level=1, name="Sign in to ePEP").wait_for()
    assert (
        "You have signed out of ePEP." in device.locator(".govuk-notification-banner").inner_text()
    )
    for path, heading, name in [
        ("/accounts/signup/", "You need an invitation to use ePEP", "signup-closed"),
        ("/accounts/inactive/", "You cannot sign in to this account", "inactive"),
    ]:
        device.goto(live_server.url + path)
        device.get_by_role("heading", level=1, name=heading).wait_for()
        check(device, name)


def test_setting_up_an_authenticator_app(device, live_server, world):
    """A new professional: signed in with the password, sent to set up two-step sign-in,
    asked to confirm it's them, scans (here: reads) the key, enters a code, gets recovery
    codes."""
    user = new_professional(world)
    device.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(device, live_server, user.email)
    device.wait_for_url(f"{live_server.url}/accounts/2fa/")
    banner = device.locator(".govuk-notification-banner")
    assert "Set up two-step sign-in before you continue" in banner.inner_text()
    check(device, "two-step-not-set-up")

    device.get_by_role("button", name="Set up an authenticator app").click()
    device.get_by_role("heading", level=1, name="Confirm it’s you").wait_for()
    check(device, "confirm-its-you")
    device.get_by_label("Password").fill(PASSWORD)
    device.get_by_role("button", name="Continue").click()

    device.get_by_role("heading", level=1, name="Set up an authenticator app").wait_for()
    assert device.title() == "Set up an authenticator app – ePEP"
    qr = device.get_by_role("img", name="QR code to scan with your authenticator app")
    assert qr.is_visible() and qr.bounding_box()["width"] == 200
    secret = device.locator("#totp-secret").inner_text()
    key = re.sub(r"\s", "", secret)
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
    # One click selects the whole key (CSS user-select: all), without spaces.
    device.locator("#totp-secret").click()
    assert device.evaluate("window.getSelection().toString().replace(/\\s/g, '')") == key
    # With JavaScript, "Copy key" copies it.
    device.get_by_role("button", name="Copy key").click()
    device.get_by_role("status").filter(has_text="Key copied.").wait_for()
    assert device.evaluate("navigator.clipboard.readText()") == key
    check(device, "set-up-app")

    device.get_by_label(CODE_LABEL).fill("123")
    device.get_by_role("button", name="Turn on two-step sign-in").click()
    device.get_by_role("alert").wait_for()
    check(device, "set-up-app-error")

    device.get_by_label(CODE_LABEL).fill(current_totp_code(key))
    device.get_by_role("button", name="Turn on two-step sign-in").click()
    device.get_by_role("heading", level=1, name="Your recovery codes").wait_for()
    assert (
        "Your authenticator app is set up."
        in device.locator(".govuk-notification-banner").inner_text()
    )
    assert device.locator(".epep-recovery-codes li").count() == 10
    check(device, "recovery-codes")


def test_password_reset(device, live_server, world):
    device.goto(f"{live_server.url}/accounts/login/")
    device.get_by_role("link", name="Forgotten your password?").click()
    device.get_by_role("heading", level=1, name="Reset your password").wait_for()
    check(device, "password-reset")
    device.get_by_role("button", name="Send reset link").click()
    device.get_by_role("alert").wait_for()
    assert "Enter your email address" in device.locator(".govuk-error-summary").inner_text()
    check(device, "password-reset-error")
    device.get_by_label("Email address").fill(world.a.users[Role.CARER].email)
    device.get_by_role("button", name="Send reset link").click()
    device.get_by_role("heading", level=1, name="Check your email").wait_for()
    check(device, "password-reset-done")

    from django.core import mail

    from tests.outbox import deliver_outbox

    deliver_outbox()
    link = next(w for w in mail.outbox[-1].body.split() if "/accounts/password/reset/key/" in w)
    device.goto(live_server.url + "/" + link.split("/", 3)[3])
    device.get_by_role("heading", level=1, name="Create a new password").wait_for()
    check(device, "password-new")
    device.get_by_label("New password", exact=True).fill("too short")
    device.get_by_label("Confirm your new password").fill("too short")
    device.get_by_role("button", name="Save new password").click()
    device.get_by_role("alert").wait_for()
    check(device, "password-new-error")


def test_sign_in_and_code_work_without_javascript(browser, live_server, world):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.device_name = "nojs"
    page.goto(f"{live_server.url}/accounts/login/")
    # The "Show" button needs JavaScript, so it stays hidden.
    assert not page.get_by_role("button", name="Show what you typed").is_visible()
    sign_in_with_code(page, live_server, world.a.users[Role.VS_HEAD].email)
    page.wait_for_url(f"{live_server.url}/virtual-school/")
    screenshot(page, "allauth-after-sign-in-nojs")
    context.close()


def security_key(page):
    """Chromium's virtual authenticator: a platform passkey that says yes."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp


@override_settings(MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN=True)
def test_security_keys_work_under_the_csp(page, live_server, world):
    """Add a passkey with allauth's own scripts, then sign in with it; without
    JavaScript the option is hidden and the page says why."""
    page.device_name = "desktop"
    page.add_init_script(LISTEN_FOR_CSP)
    security_key(page)
    worker = world.a.users[Role.PERSONAL_ADVISER]
    sign_in_with_code(page, live_server, worker.email)
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", level=1, name="Add a security key or passkey").wait_for()
    check(page, "add-security-key")
    page.get_by_label("Name (optional)").fill("Work laptop")
    page.get_by_role("button", name="Add security key or passkey").click()
    page.wait_for_url(re.compile(r".*/accounts/2fa/(webauthn|recovery-codes)/$"))
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/")
    page.get_by_role("heading", level=2, name="Work laptop").wait_for()
    check(page, "security-keys")

    page.get_by_role("button", name="Sign out").first.click()
    sign_in(page, live_server, worker.email)
    page.wait_for_url(f"{live_server.url}/accounts/2fa/authenticate/")
    check(page, "code-with-security-key")
    page.get_by_role("button", name="Use your security key or passkey").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    assert page.evaluate("window.__cspViolations") == []

    context = page.context.browser.new_context(java_script_enabled=False)
    nojs = context.new_page()
    nojs.device_name = "nojs"
    sign_in(nojs, live_server, worker.email)
    nojs.wait_for_url(f"{live_server.url}/accounts/2fa/authenticate/")
    assert not nojs.get_by_role("button", name="Use your security key or passkey").is_visible()
    assert (
        "To use a security key or passkey, turn on JavaScript" in nojs.locator("main").inner_text()
    )
    screenshot(nojs, "allauth-code-with-security-key-nojs")
    context.close()
