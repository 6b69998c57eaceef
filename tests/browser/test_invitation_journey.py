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


def test_a_social_worker_invites_a_child_and_their_carer_helps_them_set_up(
    browser, live_server, world, clock_at
):
    """On the child's 13th birthday (two-step is no longer optional), the social worker
    sends the invitation to the carer from the child's page; on a phone the carer and the
    child choose the child's own address and a long password (a short one is refused
    beside the field) and the child lands on their own page."""
    from datetime import date

    from .conftest import signed_in_page

    clock_at(date(2028, 3, 14))
    carer = world.a.users[Role.CARER]
    worker = signed_in_page(browser, live_server, world.a.users[Role.SOCIAL_WORKER])
    worker.goto(f"{live_server.url}/children/{world.a.child.public_id}/")
    worker.get_by_test_id("invite-young-person").click()
    worker.get_by_role("heading", name="Invite In to their own account").wait_for()
    worker.get_by_label(f"{carer.full_name} ({carer.email}), to help In set up").check()
    assert axe_violations(worker) == []
    worker.get_by_role("button", name="Send invitation").click()
    worker.get_by_text(f"Invitation sent to {carer.email}").wait_for()
    worker.context.close()

    deliver_outbox()
    [email] = [m for m in mail.outbox if m.to == [carer.email]]
    assert email.subject == "ePEP: help In set up their account"
    link = re.search(r"http://\S+/invitations/\S+/", email.body).group(0)

    phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = phone.new_page()
    page.goto(link)
    page.get_by_role("heading", name="Help In set up their account").wait_for()
    page.get_by_label("The email address In will sign in with").fill("in.circle@example.org")
    page.get_by_label("Make a password with In").fill("maple kettle")
    page.get_by_label("Type your password again").fill("maple kettle")
    page.get_by_role("button", name="Make the account").click()
    assert "three random words" in page.locator("#id_password1-error").inner_text()
    assert axe_violations(page) == []
    page.get_by_label("Make a password with In").fill("cloud pizza river")
    page.get_by_label("Type your password again").fill("cloud pizza river")
    page.get_by_role("button", name="Make the account").click()
    page.wait_for_load_state()
    if "/agreement/" in page.url:
        page.get_by_label("I have read and agree to the terms above").check()
        page.get_by_role("button", name="Accept and continue").click()
    page.wait_for_url(f"{live_server.url}/my/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hello")
    screenshot(page, "invitation-journey-child-helped")
    phone.close()
