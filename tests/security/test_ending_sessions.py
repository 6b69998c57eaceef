"""Deactivating an account ends all its sessions at once; "Sign out of all devices" ends
every session of the person, on every browser."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from epep.accounts.context import account_context
from epep.audit.models import AuditEvent
from epep.security.services import sessions_end_for_user
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role

pytestmark = pytest.mark.django_db

HOME = "/virtual-school/"
LOGIN = "/accounts/login/"


@pytest.fixture
def head(world):
    return world.a.users[Role.VS_HEAD]


def browser_signed_in_as(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get(HOME).status_code == 200
    return client


def assert_signed_out(client) -> None:
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_deactivating_an_account_deletes_all_its_sessions(head, world):
    laptop, phone = browser_signed_in_as(head), browser_signed_in_as(head)
    colleague = browser_signed_in_as(world.a.users[Role.VS_OFFICER])
    keys = [c.session.session_key for c in (laptop, phone)]
    assert Session.objects.filter(session_key__in=keys).count() == 2

    head.is_active = False
    head.save()

    assert not Session.objects.filter(session_key__in=keys).exists()
    with account_context(user_id=head.pk):
        assert not UserSession.objects.filter(user=head).exists()
    assert_signed_out(laptop)
    assert_signed_out(phone)
    assert colleague.get(HOME).status_code == 200


def test_saving_an_active_account_leaves_its_sessions_alone(head):
    laptop = browser_signed_in_as(head)
    head.full_name = "New Name"
    head.save()
    assert laptop.get(HOME).status_code == 200


def test_a_deactivated_account_is_signed_out_even_without_the_signal(head):
    """A bulk update sends no signals; the authentication backend (allauth's, like
    Django's ModelBackend) returns no user for an inactive account, so the very next
    request is signed out all the same."""
    laptop = browser_signed_in_as(head)
    type(head).objects.filter(pk=head.pk).update(is_active=False)
    assert Session.objects.filter(session_key=laptop.session.session_key).exists()
    assert_signed_out(laptop)


def test_sessions_end_for_user_can_keep_one(head):
    laptop, phone = browser_signed_in_as(head), browser_signed_in_as(head)
    ended = sessions_end_for_user(user=head, keep_session_key=laptop.session.session_key)
    assert ended == 1
    assert laptop.get(HOME).status_code == 200
    assert_signed_out(phone)


def test_sign_out_everywhere_is_a_page_with_a_button(head):
    laptop = browser_signed_in_as(head)
    page = laptop.get(reverse("security:sign_out_everywhere")).content.decode()
    assert '<h1 class="govuk-heading-l">Sign out of all devices</h1>' in page
    assert 'method="post"' in page
    assert laptop.get(HOME).status_code == 200  # looking at it signs nobody out


def test_sign_out_everywhere_ends_every_session_of_that_person(head, world):
    laptop, phone = browser_signed_in_as(head), browser_signed_in_as(head)
    colleague = browser_signed_in_as(world.a.users[Role.VS_OFFICER])

    response = laptop.post(reverse("security:sign_out_everywhere"), follow=True)

    assert response.redirect_chain[0] == (LOGIN, 302)
    assert "You have been signed out of ePEP on all your devices." in response.content.decode()
    assert_signed_out(laptop)
    assert_signed_out(phone)
    assert colleague.get(HOME).status_code == 200
    # An event outside any authority is readable by the person it is about.
    with authority_context(local_authority_ids=[], user_id=head.pk):
        event = AuditEvent.objects.get(action="sign_out_everywhere")
    assert event.user == head
    assert event.detail == {"sessions_ended": 2}


def test_sign_out_everywhere_needs_the_csrf_token(head):
    client = Client(enforce_csrf_checks=True)
    client.force_login(head)
    assert client.post(reverse("security:sign_out_everywhere")).status_code == 403
    assert client.get(HOME).status_code == 200
