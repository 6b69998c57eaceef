"""Reads about people and invitations, and the one way to fetch each a URL names."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from epep.tenancy.access import fetch_or_404, refuse
from epep.tenancy.models import Membership
from epep.tenancy.roles import Role

from . import permissions
from .models import Invitation, User


def administered_by(authority) -> Q:
    """A filter over ``Membership``: the memberships ``authority`` administers (those it
    recorded; school roles it only endorses are on its School staff page)."""
    return Q(local_authority_id=authority.pk)


def people_of_authority(authority) -> QuerySet[User]:
    """Everyone holding a membership (current or ended) that ``authority`` administers.

    Readable in the authority's own context: its memberships by row-level security,
    school memberships because they name no authority."""
    return User.objects.filter(
        Exists(Membership.objects.filter(administered_by(authority), user=OuterRef("pk")))
    )


def invitations_of_authority(authority) -> QuerySet[Invitation]:
    return Invitation.objects.filter(local_authority=authority)


def _managed_authority(actor, object_type: str, public_id):
    """The one authority ``actor`` manages people for, or the refusal (a 404)."""
    if not permissions.can_manage_people(actor):
        raise refuse(
            actor=actor, object_type=object_type, public_id=public_id, belongs_to_child=False
        )
    return actor.authorities[0]


def access_person_by_id(*, actor, person_id: UUID) -> User:
    """The one way to fetch a person a URL names: one of the people of the authority
    ``actor`` manages people for, or the same 404 as a missing id (the refusal recorded
    in the actor's authority: ``epep.tenancy.access``)."""
    authority = _managed_authority(actor, "accounts.user", person_id)
    return fetch_or_404(
        people_of_authority(authority),
        actor=actor,
        object_type="accounts.user",
        public_id=person_id,
        belongs_to_child=False,
    )


def access_invitation_by_id(*, actor, invitation_id: UUID) -> Invitation:
    """The one way to fetch an invitation a URL names: one of the actor's authority's,
    or the same 404 as a missing id (the refusal recorded)."""
    authority = _managed_authority(actor, "accounts.invitation", invitation_id)
    return fetch_or_404(
        invitations_of_authority(authority).select_related("local_authority", "school"),
        actor=actor,
        object_type="accounts.invitation",
        public_id=invitation_id,
        belongs_to_child=False,
    )


def help_invitations_for(user) -> QuerySet[Invitation]:
    """The young people's invitations waiting for ``user`` as the carer helping them set
    up (sent to a carer of the child's current placement), oldest first: one query,
    however many children."""
    return (
        Invitation.objects.filter(
            role=Role.YOUNG_PERSON,
            placement__carer_links__user_id=user.pk,
            placement__end_date__isnull=True,
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("child", "invited_by")
        .order_by("created_at", "pk")
    )
