"""Issue 3's end-to-end journey in real Chromium: accept an invitation, set a password,
enrol an authenticator app (the code computed in the test), accept the user agreement,
land on the home page."""

import re

import pytest
from django.core import mail
from django.db import transaction

from children.permissions import resolve_actor
from epep.accounts import services
from epep.tenancy.roles import Role
from tests.outbox import deliver_outbox

from .conftest import axe_violations, current_totp_code, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accept_an_invitation_set_up_two_step_sign_in_accept_the_agreement_land_home(
    page, live_server, world
):
    with transaction.atomic():
        admin = resolve_actor(world.a.users[Role.LA_ADMIN])
        services.invitation_create(
            actor=admin,
            email="priya.shah@example.org",
            full_name="Priya Shah",
            role="social_worker",
            base_url=live_server.url,
        )
    deliver_outbox()
    [email] = [m for m in mail.outbox if m.to == ["priya.shah@example.org"]]
    link = re.search(r"http://\S+/invitations/\S+/", email.body).group(0)

    page.goto(link)
    page.get_by_role("heading", name="Set up your ePEP account").wait_for()
    assert axe_violations(page) == []
    password = "kettle meadow lighthouse jigsaw"
    page.get_by_label("Create a password").fill(password)
    page.get_by_label("Confirm your password").fill(password)
    page.get_by_role("button", name="Create account").click()

    # A professional is sent straight to two-step sign-in and can reach nothing else.
    page.get_by_role("heading", name="Two-step sign-in").wait_for()
    page.goto(f"{live_server.url}/caseload/")
    page.get_by_role("heading", name="Two-step sign-in").wait_for()
    page.get_by_role("button", name="Set up an authenticator app").click()
    if "reauthenticate" in page.url:
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Continue").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "").replace("\n", "")
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    assert axe_violations(page) == []
    screenshot(page, "invitation-journey-totp")
    page.get_by_label("Enter the 6-digit code from your authenticator app").fill(
        current_totp_code(secret)
    )
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    page.get_by_role("button", name="Continue to ePEP").click()

    # The user agreement comes before any child's data.
    page.get_by_role("heading", name="Before you continue: your user agreement").wait_for()
    assert axe_violations(page) == []
    page.get_by_label("I have read and agree to the terms above").check()
    page.get_by_role("button", name="Accept and continue").click()

    page.wait_for_url(f"{live_server.url}/caseload/")
    assert page.get_by_role("heading", level=1).inner_text() == "My children"
    assert "Priya Shah" in page.get_by_test_id("header-context").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "invitation-journey-home")
