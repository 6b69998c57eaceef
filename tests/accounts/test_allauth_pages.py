"""The allauth pages people meet (sign in, the two-step code, two-step sign-in settings,
recovery codes, passwords, sessions) are the service's own GOV.UK pages: the right <title>
and h1, GOV.UK classes on everything, errors in an error summary and next to the field,
plain English, and the same answer for known and unknown email addresses.

allauth renders them through templates/allauth/ (layouts and "elements") and the page
templates in templates/account/, templates/mfa/ and templates/usersessions/."""

from __future__ import annotations

import hashlib
import os
import re
import time
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.webauthn.internal.auth import WebAuthn
from allauth.usersessions.models import UserSession
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from epep.accounts.context import account_context
from epep.tenancy.roles import Role
from tests.outbox import deliver_outbox

from ..factories import MembershipFactory, UserFactory
from .helpers import PASSWORD, sign_in, totp_code

pytestmark = pytest.mark.django_db


# --- reading pages ------------------------------------------------------------------------


def html_of(response) -> str:
    assert response.status_code == 200, response
    return response.content.decode()


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def text_of(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def title_of(html: str) -> str:
    return text_of(re.search(r"<title>(.*?)</title>", html, re.S).group(1))


def h1_of(html: str) -> str:
    [h1] = re.findall(r"<h1\b[^>]*>(.*?)</h1>", main_of(html), re.S)
    return text_of(h1)


VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Tags(HTMLParser):
    """Start tags with their attributes and the classes of their ancestors."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict, str]] = []
        self._open: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attrs, " ".join(c for _, c in self._open)))
        if tag not in VOID:
            self._open.append((tag, attrs.get("class", "")))

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break


def tags_in(fragment: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(fragment)
    return [(tag, attrs) for tag, attrs, _ in parser.tags]


#: Elements that look wrong without a GOV.UK class (allauth's default templates render
#: them bare: <p>, <h1>, <button>, <input> inside a <p>, …).
STYLED = {
    "h1",
    "h2",
    "h3",
    "p",
    "a",
    "button",
    "label",
    "input",
    "textarea",
    "select",
    "table",
    "ul",
    "ol",
    "dl",
    "details",
    "img",
}
#: Containers whose CSS styles a bare link inside them: GOV.UK's error summary, and
#: epep.scss for the text allauth writes with links in it.
LINK_STYLING = re.compile(
    r"\b(govuk-error-summary__list|govuk-body|govuk-inset-text|govuk-hint|govuk-details__text)\b"
)


def unstyled(html: str) -> list[str]:
    """Elements in <main> with no GOV.UK (or ePEP) class."""
    parser = _Tags()
    parser.feed(main_of(html))
    bare = []
    for tag, attrs, ancestors in parser.tags:
        if tag not in STYLED or (
            tag == "input" and (attrs.get("type") == "hidden" or "hidden" in attrs)
        ):
            continue
        if tag == "a" and LINK_STYLING.search(ancestors):
            continue
        if not re.search(r"\b(govuk|epep)-", attrs.get("class", "")):
            bare.append(f"<{tag} {attrs}>")
    return bare


def assert_govuk_page(response, title: str, h1: str) -> str:
    """A 200 GOV.UK page of the service with this <title> ("… – ePEP") and this h1."""
    html = html_of(response)
    assert title_of(html) == f"{title} – ePEP"
    assert h1_of(html) == h1
    assert 'class="govuk-template"' in html and "govuk-main-wrapper" in html
    assert unstyled(html) == []
    # Nothing of allauth's own layout: its menu, its messages list, its placeholders.
    assert "Menu:" not in html and "Messages:" not in html
    assert "placeholder=" not in main_of(html)
    return html


def field_tag(html: str, field_id: str) -> dict:
    [attrs] = [a for t, a in tags_in(main_of(html)) if a.get("id") == field_id]
    return attrs


# --- people -------------------------------------------------------------------------------


@pytest.fixture
def social_worker(world):
    return world.a.users[Role.SOCIAL_WORKER]


def confirm_its_you(client) -> None:
    """allauth asks for the password again ("Confirm it's you") before any change to
    two-step sign-in, even straight after signing in: only this counts as recent."""
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response


@pytest.fixture
def signed_in(social_worker) -> Client:
    """A social worker signed in through the real forms (password, then the code), who
    has just confirmed it's them, so pages that ask for that open straight away."""
    client = Client()
    response = sign_in(client, social_worker.email)
    assert response.status_code == 302 and "2fa" not in response["Location"]
    confirm_its_you(client)
    return client


@pytest.fixture
def without_mfa(world) -> Client:
    """A newly invited social worker who has not set up two-step sign-in yet, signed in
    with their password."""
    user = UserFactory(email="new.social.worker@example.org")
    MembershipFactory(user=user, role=Role.SOCIAL_WORKER, local_authority=world.a.la)
    client = Client()
    response = sign_in(client, user.email, secret=None)
    assert response.status_code == 302
    confirm_its_you(client)
    return client


def at_code_step(client, user) -> None:
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"


def fake_security_key(rp_id: str = "testserver") -> dict:
    """A WebAuthn registration as a browser would send it (\"none\" attestation), so a
    user can have a security key without a browser."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from fido2.cose import ES256
    from fido2.utils import websafe_encode
    from fido2.webauthn import (
        AttestationObject,
        AttestedCredentialData,
        AuthenticatorData,
        CollectedClientData,
    )

    key = ec.generate_private_key(ec.SECP256R1())
    credential_id = os.urandom(16)
    credential = AttestedCredentialData.create(
        b"\0" * 16, credential_id, ES256.from_cryptography_key(key.public_key())
    )
    auth_data = AuthenticatorData.create(
        hashlib.sha256(rp_id.encode()).digest(),
        AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT,
        0,
        credential,
    )
    client_data = CollectedClientData.create(
        type="webauthn.create", challenge=os.urandom(32), origin=f"https://{rp_id}"
    )
    return {
        "type": "public-key",
        "id": websafe_encode(credential_id),
        "rawId": websafe_encode(credential_id),
        "response": {
            "clientDataJSON": websafe_encode(bytes(client_data)),
            "attestationObject": websafe_encode(
                bytes(AttestationObject.create("none", auth_data, {}))
            ),
        },
        "clientExtensionResults": {},
    }


# --- sign in ------------------------------------------------------------------------------


def test_sign_in_page(client, world):
    html = assert_govuk_page(client.get("/accounts/login/"), "Sign in", "Sign in to ePEP")
    main = main_of(html)
    assert '<label class="govuk-label govuk-label--s" for="id_login">Email address</label>' in main
    assert '<label class="govuk-label govuk-label--s" for="id_password">Password</label>' in main
    email, password = field_tag(html, "id_login"), field_tag(html, "id_password")
    assert (email["type"], email["autocomplete"], email["class"]) == (
        "email",
        "username",
        "govuk-input",
    )
    assert (password["type"], password["autocomplete"]) == ("password", "current-password")
    # GOV.UK password input: a "Show" button once JavaScript runs.
    assert 'data-module="govuk-password-input"' in main and 'aria-controls="id_password"' in main
    assert 'aria-label="Show what you typed"' in main
    # Pasting (from a password manager) is never blocked.
    assert "onpaste" not in html and "paste" not in main
    assert ">Sign in</button>" in main
    assert (
        '<a class="govuk-link" href="/accounts/password/reset/">Forgotten your password?</a>'
        in main
    )
    # No "Remember me", no sign-up link, no email-management or social links.
    assert "remember" not in main.lower()
    for path in ("/accounts/signup/", "/accounts/email/", "/accounts/social/"):
        assert path not in html


def test_a_wrong_password_and_an_unknown_email_get_byte_identical_pages(client, social_worker):
    known = client.post(
        "/accounts/login/", {"login": social_worker.email, "password": "wrong but long pw"}
    )
    unknown = client.post(
        "/accounts/login/", {"login": "nobody@example.org", "password": "wrong but long pw"}
    )
    known_main = main_of(html_of(known)).replace(social_worker.email, "EMAIL")
    unknown_main = main_of(html_of(unknown)).replace("nobody@example.org", "EMAIL")
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub("CSRF", known_main) == csrf.sub("CSRF", unknown_main)

    html = html_of(unknown)
    assert title_of(html) == "Error: Sign in – ePEP"
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S).group(0)
    assert '<a href="#id_login">Enter a correct email address and password</a>' in summary
    # The same message next to the field the summary links to.
    email = field_tag(html, "id_login")
    assert "govuk-input--error" in email["class"]
    assert email["aria-describedby"] == "id_login-error"
    assert 'id="id_login-error" class="govuk-error-message"' in html
    # The password is never sent back.
    assert "wrong but long pw" not in html


def test_an_empty_sign_in_form_says_what_to_enter(client, world):
    html = html_of(client.post("/accounts/login/", {"login": "", "password": ""}))
    summary = text_of(re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S).group(0))
    assert summary == "There is a problem Enter your email address Enter your password"
    assert '<a href="#id_password">Enter your password</a>' in html
    html = html_of(client.post("/accounts/login/", {"login": "not-an-email", "password": "x"}))
    assert "Enter an email address in the correct format, like name@example.com" in html


def test_signing_out_is_confirmed_on_the_sign_in_page(signed_in):
    html = assert_govuk_page(signed_in.get("/accounts/logout/"), "Sign out", "Sign out")
    assert ">Sign out</button>" in main_of(html)
    response = signed_in.post("/accounts/logout/", follow=True)
    page = html_of(response)
    assert 'class="govuk-notification-banner' in page
    assert "You have signed out of ePEP." in page
    assert h1_of(page) == "Sign in to ePEP"


def test_no_signed_in_banner_after_signing_in(signed_in):
    response = signed_in.get("/accounts/2fa/")
    assert "Successfully signed in" not in response.content.decode()


def test_account_inactive_and_signup_closed(client, world):
    assert_govuk_page(
        client.get("/accounts/inactive/"),
        "You cannot sign in to this account",
        "You cannot sign in to this account",
    )
    html = assert_govuk_page(
        client.get("/accounts/signup/"),
        "You need an invitation to use ePEP",
        "You need an invitation to use ePEP",
    )
    assert (
        "You cannot create an account yourself. Your local authority or Virtual School will "
        "invite you by email." in html
    )
    assert "<form" not in main_of(html)


def test_email_confirmation_pages_say_they_are_not_used(client, world):
    assert_govuk_page(
        client.get("/accounts/confirm-email/"),
        "You do not need to confirm your email address",
        "You do not need to confirm your email address",
    )
    assert_govuk_page(
        client.get("/accounts/confirm-email/not-a-key/"),
        "This link does not work",
        "This link does not work",
    )


def test_email_management_page_is_not_a_form(signed_in, social_worker):
    html = assert_govuk_page(
        signed_in.get("/accounts/email/"), "Your email address", "Your email address"
    )
    assert social_worker.email in html and "<form" not in main_of(html)


# --- the two-step code --------------------------------------------------------------------


def test_the_code_step_after_the_password(client, social_worker):
    at_code_step(client, social_worker)
    heading = "Enter the 6-digit code from your authenticator app"
    html = assert_govuk_page(
        client.get("/accounts/2fa/authenticate/"),
        "Enter the code from your authenticator app",
        heading,
    )
    main = main_of(html)
    # The label is the page's heading (GOV.UK "question page").
    assert (
        '<h1 class="govuk-label-wrapper">'
        f'<label class="govuk-label govuk-label--l" for="id_code">{heading}</label></h1>' in main
    )
    code = field_tag(html, "id_code")
    assert (code["inputmode"], code["autocomplete"], code["spellcheck"]) == (
        "numeric",
        "one-time-code",
        "false",
    )
    assert code["aria-describedby"] == "id_code-hint"
    assert (
        '<a class="govuk-link" href="/accounts/2fa/authenticate/?use=recovery-code">'
        "Use a recovery code instead</a>" in main
    )
    # No security key: no security key button.
    assert "mfa_webauthn_authenticate" not in html and "webauthn.js" not in html
    # Cancel is a POST (sign-out of the half-finished sign-in), styled as a link.
    assert 'form="logout-from-stage" class="epep-link-button"' in main


def test_a_wrong_code_is_an_error_next_to_the_box(client, social_worker):
    at_code_step(client, social_worker)
    response = client.post(
        "/accounts/2fa/authenticate/", {"code": "000000" if totp_code() != "000000" else "111111"}
    )
    html = html_of(response)
    assert title_of(html) == "Error: Enter the code from your authenticator app – ePEP"
    assert (
        '<a href="#id_code">'
        "Incorrect code. Enter the 6-digit code your authenticator app shows now</a>" in html
    )
    code = field_tag(html, "id_code")
    assert "govuk-input--error" in code["class"]
    assert code["aria-describedby"] == "id_code-hint id_code-error"
    # Then the right code signs in.
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 302 and "2fa" not in response["Location"]


def test_signing_in_with_a_recovery_code(client, social_worker):
    with account_context(user_id=social_worker.pk):
        codes = RecoveryCodes.activate(social_worker).get_unused_codes()
    at_code_step(client, social_worker)
    html = assert_govuk_page(
        client.get("/accounts/2fa/authenticate/?use=recovery-code"),
        "Enter a recovery code",
        "Enter a recovery code",
    )
    assert 'action="/accounts/2fa/authenticate/?use=recovery-code"' in html
    assert field_tag(html, "id_code")["inputmode"] == "numeric"
    wrong = client.post("/accounts/2fa/authenticate/?use=recovery-code", {"code": "12345678"})
    assert (
        "Incorrect code. Enter a recovery code you have not used before" in wrong.content.decode()
    )
    assert h1_of(html_of(wrong)) == "Enter a recovery code"
    response = client.post("/accounts/2fa/authenticate/?use=recovery-code", {"code": codes[0]})
    assert response.status_code == 302 and "2fa" not in response["Location"]


def test_a_security_key_is_offered_only_with_javascript(client, social_worker):
    with account_context(user_id=social_worker.pk):
        WebAuthn.add(social_worker, "Blue key", fake_security_key())
    at_code_step(client, social_worker)
    html = html_of(client.get("/accounts/2fa/authenticate/"))
    main = main_of(html)
    # The button is in a block that stays hidden until js/mfa.js finds WebAuthn support.
    block = re.search(r"<div data-epep-webauthn hidden>.*?</div>", main, re.S).group(0)
    assert 'id="mfa_webauthn_authenticate"' in block and "Use your security key or passkey" in block
    assert "<noscript>" in main and "turn on JavaScript" in main
    # Only external scripts and JSON data: nothing the CSP would block.
    for tag, attrs in tags_in(main):
        if tag == "script":
            assert (
                attrs.get("src", "").startswith("/static/") or attrs["type"] == "application/json"
            )
    assert '<script src="/static/js/mfa.js">' in main


# --- two-step sign-in settings ------------------------------------------------------------


def test_two_step_sign_in_page(signed_in):
    html = assert_govuk_page(
        signed_in.get("/accounts/2fa/"), "Two-step sign-in", "Two-step sign-in"
    )
    text = text_of(main_of(html))
    assert "you must use two-step sign-in" in text
    for heading in ("Authenticator app", "Recovery codes", "Security keys and passkeys"):
        assert f">{heading}</h2>" in html
    assert "Remove your authenticator app" in text
    assert "Add a security key or passkey" in text
    assert "Change your password" in text and "See where you’re signed in" in text


def test_two_step_sign_in_page_before_it_is_set_up(without_mfa):
    response = without_mfa.get("/", follow=True)
    html = assert_govuk_page(response, "Two-step sign-in", "Two-step sign-in")
    # The account gate's message, in a GOV.UK notification banner.
    assert (
        "govuk-notification-banner" in html
        and "Set up two-step sign-in before you continue" in html
    )
    assert (
        'href="/accounts/2fa/totp/activate/"' in html and ">Set up an authenticator app</a>" in html
    )


def test_setting_up_an_authenticator_app(without_mfa):
    html = assert_govuk_page(
        without_mfa.get("/accounts/2fa/totp/activate/"),
        "Set up an authenticator app",
        "Set up an authenticator app",
    )
    main = main_of(html)
    [img] = [a for t, a in tags_in(main) if t == "img"]
    assert img["src"].startswith("data:image/svg+xml;base64,")
    assert img["alt"] == "QR code to scan with your authenticator app"
    # The setup key as selectable text, in groups of 4 (separate spans: no spaces copied).
    secret = re.search(r'<p class="govuk-body epep-secret" id="totp-secret">(.*?)</p>', main).group(
        1
    )
    groups = re.findall(r"<span>([A-Z2-7]{1,4})</span>", secret)
    assert len("".join(groups)) == 32 and all(len(g) == 4 for g in groups)
    # "Copy key" needs JavaScript: hidden until js/mfa.js shows it.
    assert '<div class="epep-copy" data-epep-copy="totp-secret" hidden>' in main
    code = field_tag(html, "id_code")
    assert (code["inputmode"], code["autocomplete"]) == ("numeric", "one-time-code")

    wrong = without_mfa.post("/accounts/2fa/totp/activate/", {"code": "12"})
    assert title_of(html_of(wrong)).startswith("Error: ")
    assert (
        "Incorrect code. Enter the 6-digit code your authenticator app shows now"
        in wrong.content.decode()
    )
    # The same key on the page again.
    assert "".join(re.findall(r"<span>([A-Z2-7]{1,4})</span>", main_of(html_of(wrong)))) == "".join(
        groups
    )

    code_now = format_hotp_value(hotp_value("".join(groups), int(time.time() // 30)))
    response = without_mfa.post("/accounts/2fa/totp/activate/", {"code": code_now}, follow=True)
    # (allauth's "set up" message is added when the transaction commits, which a test
    # inside a transaction never does: tests/browser/test_allauth_pages.py sees it.)
    html = assert_govuk_page(response, "Your recovery codes", "Your recovery codes")
    codes = re.findall(r"<li>(\d{8})</li>", main_of(html))
    assert len(codes) == 10
    assert 'href="/accounts/2fa/recovery-codes/download/"' in html


def test_asking_for_a_password_reset_does_not_block_setting_up_two_step_sign_in(world):
    user = UserFactory(email="forgetful.worker@example.org")
    MembershipFactory(user=user, role=Role.SOCIAL_WORKER, local_authority=world.a.la)
    client = Client()
    client.post("/accounts/password/reset/", {"email": user.email})
    sign_in(client, user.email, secret=None)
    confirm_its_you(client)
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200, response.get("Location")


def test_recovery_codes_pages(signed_in, social_worker):
    with account_context(user_id=social_worker.pk):
        RecoveryCodes.activate(social_worker)
    assert_govuk_page(
        signed_in.get("/accounts/2fa/recovery-codes/"), "Your recovery codes", "Your recovery codes"
    )
    html = assert_govuk_page(
        signed_in.get("/accounts/2fa/recovery-codes/generate/"),
        "Get new recovery codes",
        "Get new recovery codes",
    )
    assert "govuk-button--warning" in html and "Your 10 unused old codes will stop working." in html
    download = signed_in.get("/accounts/2fa/recovery-codes/download/")
    assert download["Content-Type"].startswith("text/plain")
    assert len(download.content.decode().split()) == 10
    with account_context(user_id=social_worker.pk):
        old = set(RecoveryCodes.activate(social_worker).get_unused_codes())
    response = signed_in.post("/accounts/2fa/recovery-codes/generate/", follow=True)
    html = assert_govuk_page(response, "Your recovery codes", "Your recovery codes")
    assert old.isdisjoint(re.findall(r"<li>(\d{8})</li>", main_of(html)))


def test_removing_the_authenticator_app(signed_in):
    html = assert_govuk_page(
        signed_in.get("/accounts/2fa/totp/deactivate/"),
        "Remove your authenticator app",
        "Remove your authenticator app",
    )
    assert "govuk-warning-text" in html and "govuk-button--warning" in html


def test_security_key_pages(signed_in, social_worker):
    html = assert_govuk_page(
        signed_in.get("/accounts/2fa/webauthn/add/"),
        "Add a security key or passkey",
        "Add a security key or passkey",
    )
    assert "<noscript>" in html and "<div data-epep-webauthn hidden>" in html
    with account_context(user_id=social_worker.pk):
        WebAuthn.add(social_worker, "Blue key", fake_security_key())
        key = Authenticator.objects.get(user=social_worker, type=Authenticator.Type.WEBAUTHN)
    html = assert_govuk_page(
        signed_in.get("/accounts/2fa/webauthn/"),
        "Your security keys and passkeys",
        "Your security keys and passkeys",
    )
    assert '<h2 class="govuk-summary-card__title">Blue key</h2>' in html
    assert_govuk_page(
        signed_in.get(f"/accounts/2fa/webauthn/keys/{key.pk}/edit/"),
        "Rename your security key or passkey",
        "Rename your security key or passkey",
    )
    html = assert_govuk_page(
        signed_in.get("/accounts/2fa/webauthn/reauthenticate/"),
        "Confirm it’s you",
        "Confirm it’s you",
    )
    assert "<noscript>" in html and 'id="mfa_webauthn_reauthenticate"' in html
    assert_govuk_page(
        signed_in.get(f"/accounts/2fa/webauthn/keys/{key.pk}/remove/"),
        "Remove Blue key",
        "Remove Blue key?",
    )


def test_confirm_its_you_pages(signed_in, social_worker):
    html = assert_govuk_page(
        signed_in.get("/accounts/reauthenticate/"), "Confirm it’s you", "Confirm it’s you"
    )
    assert field_tag(html, "id_password")["autocomplete"] == "current-password"
    assert "Use a code from your authenticator app or a recovery code instead" in html
    html = assert_govuk_page(
        signed_in.get("/accounts/2fa/reauthenticate/"), "Confirm it’s you", "Confirm it’s you"
    )
    assert field_tag(html, "id_code")["inputmode"] == "numeric"
    assert "Use your password instead" in html
    wrong = signed_in.post("/accounts/reauthenticate/", {"password": "not my password"})
    assert (
        "Incorrect password. Enter the password you use to sign in to ePEP"
        in wrong.content.decode()
    )


def test_changing_two_step_sign_in_asks_to_confirm_its_you_first(client, social_worker):
    sign_in(client, social_worker.email)
    response = client.get("/accounts/2fa/totp/deactivate/")
    assert (
        response["Location"]
        == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Fdeactivate%2F"
    )
    html = assert_govuk_page(
        client.get(response["Location"]), "Confirm it’s you", "Confirm it’s you"
    )
    assert 'name="next" value="/accounts/2fa/totp/deactivate/"' in html
    response = client.post(
        response["Location"], {"password": PASSWORD, "next": "/accounts/2fa/totp/deactivate/"}
    )
    assert response["Location"] == "/accounts/2fa/totp/deactivate/"


# --- passwords ----------------------------------------------------------------------------


def test_password_reset_pages(client, social_worker):
    assert_govuk_page(
        client.get("/accounts/password/reset/"), "Reset your password", "Reset your password"
    )
    answers = []
    for email in (social_worker.email, "nobody@example.org"):
        response = client.post("/accounts/password/reset/", {"email": email}, follow=True)
        html = assert_govuk_page(response, "Check your email", "Check your email")
        assert (
            "If an account exists for that address, we’ve sent a link to reset your password."
            in html
        )
        answers.append(re.sub(r'value="[^"]+"', "", main_of(html)))
    assert answers[0] == answers[1]

    deliver_outbox()
    known, unknown = mail.outbox
    assert known.subject == unknown.subject == "ePEP: Reset your password"
    assert "/accounts/password/reset/key/" in known.body
    assert "/accounts/signup/" not in unknown.body and "sign up" not in unknown.body.lower()
    assert "Your local authority or Virtual School will invite you by email." in unknown.body

    link = next(w for w in known.body.split() if "/accounts/password/reset/key/" in w)
    response = client.get("/" + link.split("/", 3)[3], follow=True)
    html = assert_govuk_page(response, "Create a new password", "Create a new password")
    assert field_tag(html, "id_password1")["autocomplete"] == "new-password"
    assert field_tag(html, "id_password2")["autocomplete"] == "new-password"
    form_url = response.redirect_chain[-1][0]
    mismatch = client.post(
        form_url, {"password1": "quiet harbour lantern", "password2": "other words here"}
    )
    assert "The passwords do not match. Enter the same password twice" in mismatch.content.decode()
    short = client.post(form_url, {"password1": "short", "password2": "short"})
    assert 'id="id_password1-error"' in short.content.decode()
    done = client.post(
        form_url,
        {"password1": "quiet harbour lantern", "password2": "quiet harbour lantern"},
        follow=True,
    )
    html = assert_govuk_page(
        done, "Your password has been changed", "Your password has been changed"
    )
    assert "govuk-panel--confirmation" in html

    assert_govuk_page(
        client.get("/accounts/password/reset/key/1-not-a-key/", follow=True),
        "Your reset link has expired",
        "Your reset link has expired",
    )


def test_password_change_page(signed_in):
    html = assert_govuk_page(
        signed_in.get("/accounts/password/change/"), "Change your password", "Change your password"
    )
    assert field_tag(html, "id_oldpassword")["autocomplete"] == "current-password"
    wrong = signed_in.post(
        "/accounts/password/change/",
        {
            "oldpassword": "nope",
            "password1": "quiet harbour lantern",
            "password2": "quiet harbour lantern",
        },
    )
    assert "Your current password is not correct" in wrong.content.decode()
    assert title_of(html_of(wrong)) == "Error: Change your password – ePEP"


# --- sessions -----------------------------------------------------------------------------


def test_where_youre_signed_in(signed_in, social_worker):
    html = assert_govuk_page(
        signed_in.get("/accounts/sessions/"), "Where you’re signed in", "Where you’re signed in"
    )
    assert "This device" in html and "Sign out of all other devices" not in html
    other = Client(HTTP_USER_AGENT="Other browser")
    other.force_login(social_worker)
    other.get("/accounts/2fa/")
    with account_context(user_id=social_worker.pk):
        assert UserSession.objects.filter(user=social_worker).count() == 2
    html = assert_govuk_page(
        signed_in.get("/accounts/sessions/"), "Where you’re signed in", "Where you’re signed in"
    )
    assert "Another device" in html and ">Sign out of all other devices</button>" in html
    response = signed_in.post("/accounts/sessions/", follow=True)
    assert (
        "You have been signed out of ePEP on all your other devices." in response.content.decode()
    )
    assert other.get("/accounts/2fa/").status_code == 302


# --- pages ePEP does not use still render as GOV.UK pages ---------------------------------


class _CodeForm(forms.Form):
    code = forms.CharField(label="Code")


class _EmailForm(forms.Form):
    email = forms.EmailField(label="Email address")


class _SignupForm(forms.Form):
    email = forms.EmailField(label="Email address")
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password (again)", widget=forms.PasswordInput)


class _PasskeyForm(forms.Form):
    name = forms.CharField(label="Name", required=False)
    credential = forms.CharField(widget=forms.HiddenInput, required=False)


UNUSED_TEMPLATES = {
    # allauth features that ePEP's settings turn off (sign-in codes, email verification,
    # email change, trusted browsers, passkey sign-up, self-registration): if one is
    # turned on, its page is still rendered by the GOV.UK elements, not as bare HTML.
    "account/confirm_login_code.html": lambda: {
        "verify_form": _CodeForm(),
        "email": "a@example.org",
        "can_resend": True,
    },
    "account/confirm_email_verification_code.html": lambda: {
        "verify_form": _CodeForm({"code": ""}),
        "change_form": _EmailForm(),
        "email": "a@example.org",
        "can_change": True,
    },
    "account/email_change.html": lambda: {
        "form": _EmailForm({"email": "bad"}),
        "emailaddresses": [],
    },
    "account/request_login_code.html": lambda: {
        "form": _EmailForm(),
        "login_url": "/accounts/login/",
        "request_login_code_url": "/accounts/login/code/",
    },
    "account/signup.html": lambda: {"form": _SignupForm(), "login_url": "/accounts/login/"},
    "account/verified_email_required.html": lambda: {},
    "mfa/trust.html": lambda: {
        "form": forms.Form(),
        "trust_from": timezone.now(),
        "trust_until": timezone.now() + timedelta(days=14),
    },
    "mfa/webauthn/signup_form.html": lambda: {"form": _PasskeyForm(), "js_data": {}},
}


@pytest.mark.parametrize("template", sorted(UNUSED_TEMPLATES))
def test_pages_epep_does_not_use_still_render_as_govuk_pages(rf, template):
    request = rf.get("/accounts/")
    request.user = AnonymousUser()
    html = render_to_string(template, UNUSED_TEMPLATES[template](), request=request)
    assert 'class="govuk-template"' in html and "Menu:" not in html
    assert unstyled(html) == []
    assert re.search(r'<h1 class="govuk-heading-l">', html)
