"""Invitations: the only way in. Single use, seven days, one account per person."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from children.permissions import resolve_actor
from epep.accounts import services
from epep.accounts.models import Invitation, User
from epep.tenancy.context import all_authorities_context
from epep.tenancy.models import Membership
from epep.tenancy.roles import Role
from tests.outbox import deliver_outbox

from ..factories import SchoolFactory
from .helpers import sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern orchard pebble violin"


def invite(world, side="a", inviter=Role.LA_ADMIN, **kwargs):
    user = getattr(world, side).users[inviter]
    with transaction.atomic():
        actor = resolve_actor(user)
        with django_capture_on_commit() as callbacks:
            invitation, token = services.invitation_create(
                actor=actor, base_url="https://epep.example.org", **kwargs
            )
    for callback in callbacks:
        callback()
    return invitation, token


def django_capture_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=False)


def link_path(token):
    return f"/invitations/{token}/"


def test_invitation_email_carries_a_single_use_link(client, world):
    invitation, token = invite(
        world,
        email="Sam.Teacher@Example.org",
        full_name="Sam Teacher",
        role="designated_teacher",
        school=world.school_a,
    )
    deliver_outbox()
    [message] = mail.outbox
    assert message.to == ["sam.teacher@example.org"]
    assert f"https://epep.example.org/invitations/{token}/" in message.body
    assert "Designated teacher at Kent Primary" in message.body
    with all_authorities_context():
        stored = Invitation.objects.get(pk=invitation.pk)
    assert stored.token_hash != token and len(stored.token_hash) == 64

    page = client.get(link_path(token))
    assert page.status_code == 200
    assert "Set up your ePEP account" in page.content.decode()
    response = client.post(
        link_path(token),
        {"full_name": "Sam Teacher", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="sam.teacher@example.org")
    assert user.check_password(NEW_PASSWORD)
    with all_authorities_context():
        membership = Membership.objects.get(user=user)
        endorsements = {(e.local_authority.name, e.state) for e in membership.endorsements.all()}
    # Recorded by Kent, who invited them; Kent's say-so lets them see Kent's children.
    assert (membership.role, membership.school, membership.local_authority) == (
        "designated_teacher",
        world.school_a,
        world.a.la,
    )
    assert endorsements == {("Kent", "endorsed")}
    # Signed in, and the gate sends a professional to set up two-step sign-in first.
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/accounts/2fa/"

    # The link cannot be used again.
    client.logout()
    again = client.get(link_path(token))
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_an_expired_invitation_cannot_be_used(client, world):
    invitation, token = invite(
        world, email="late@example.org", full_name="Late Comer", role="social_worker"
    )
    with all_authorities_context():
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    response = client.post(
        link_path(token),
        {"full_name": "Late Comer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    assert not User.objects.filter(email="late@example.org").exists()


def test_an_unknown_link_is_not_found(client, world):
    response = client.get(link_path("not-a-real-token"))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_resending_makes_the_old_link_stop_working(client, world):
    invitation, old_token = invite(
        world, email="resend@example.org", full_name="Re Send", role="iro"
    )
    with transaction.atomic():
        actor = resolve_actor(world.a.users[Role.LA_ADMIN])
        with all_authorities_context():
            invitation = Invitation.objects.get(pk=invitation.pk)
        new_token = services.invitation_resend(
            actor=actor, invitation=invitation, base_url="https://x"
        )
    assert client.get(link_path(old_token)).status_code == 404
    assert client.get(link_path(new_token)).status_code == 200


def test_inviting_an_existing_account_adds_the_role_to_it_one_login(client, world):
    """A designated teacher working with children of a second authority keeps one login."""
    kent_dt = world.a.users[Role.DESIGNATED_TEACHER]
    other_school = SchoolFactory(name="Sefton High", la_code="343")
    invitation, token = invite(
        world,
        side="b",
        email=kent_dt.email.upper(),
        full_name=kent_dt.full_name,
        role="designated_teacher",
        school=other_school,
    )
    page = client.get(link_path(token))
    assert "Sign in to accept your invitation" in page.content.decode()
    # The password form is not offered: nobody can take over the account via the link.
    response = client.post(
        link_path(token),
        {"full_name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert not kent_dt.__class__.objects.get(pk=kent_dt.pk).check_password(NEW_PASSWORD)

    signed_in = sign_in(client, kent_dt.email)
    assert signed_in.status_code == 302
    assert "Add this role to your account" in client.get(link_path(token)).content.decode()
    response = client.post(link_path(token))
    assert response.status_code == 302
    assert User.objects.filter(email__iexact=kent_dt.email).count() == 1
    with all_authorities_context():
        schools = set(
            Membership.objects.filter(user=kent_dt, role="designated_teacher").values_list(
                "school__name", flat=True
            )
        )
    assert schools == {"Shared Academy", "Sefton High"}


def test_another_signed_in_person_cannot_accept_someone_elses_invitation(client, world):
    _, token = invite(
        world, email="someone@example.org", full_name="Some One", role="carer", child=world.a.child
    )
    User.objects.create_user(email="someone@example.org", full_name="Some One", password="x" * 20)
    sign_in(client, world.a.users[Role.SOCIAL_WORKER].email)
    response = client.post(link_path(token))
    assert response.status_code == 403
    with all_authorities_context():
        assert Invitation.objects.get(token_hash=services._hash(token)).accepted_at is None


def test_a_carer_invitation_links_the_carer_to_the_childs_placement(client, world):
    _, token = invite(
        world,
        email="newcarer@example.org",
        full_name="New Carer",
        role="carer",
        child=world.a.other_child,
    )
    client.post(
        link_path(token),
        {"full_name": "New Carer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    carer = User.objects.get(email="newcarer@example.org")
    with transaction.atomic():
        from children.selectors import children_for

        actor = resolve_actor(carer)
        assert list(children_for(actor=actor)) == [world.a.other_child]


@pytest.mark.parametrize(
    ("inviter", "role", "message"),
    [
        (
            Role.VS_OFFICER,
            "la_admin",
            "You cannot invite someone as Local authority administrator.",
        ),
        (Role.LA_ADMIN, "designated_teacher", "Enter the school's URN."),
        (Role.LA_ADMIN, "young_person", "Choose the child."),
    ],
)
def test_invitation_rules_give_specific_messages(world, inviter, role, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        invite(world, inviter=inviter, email="x@example.org", full_name="X", role=role)
    assert message in error.value.messages
    with all_authorities_context():
        assert not Invitation.objects.exists()


def test_a_bad_password_is_explained_next_to_the_field_and_creates_nothing(client, world):
    _, token = invite(world, email="weak@example.org", full_name="Weak", role="social_worker")
    response = client.post(
        link_path(token), {"full_name": "Weak", "password1": "Kent2024!", "password2": "Kent2024!"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["password1"]
    assert any("at least 12 characters" in e for e in errors)
    assert not User.objects.filter(email="weak@example.org").exists()
