"""Account administration: the people of an authority and what may be done to one
person's account (deactivate, reactivate, remove from the authority, reset two-step
sign-in); who must use two-step sign-in."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from epep.audit.services import audit_record
from epep.tenancy.context import authority_context
from epep.tenancy.models import Membership, SchoolRoleEndorsement
from epep.tenancy.roles import (
    PROFESSIONAL_ROLES,
    SCHOOL_ROLES,
)
from epep.tenancy.services import (
    school_role_endorsement_withdraw,
    school_staff_account_changed,
)

from .. import hooks, permissions
from ..models import Invitation, User
from ..permissions import (
    account_actions,
)
from .invitations import invitation_withdraw

# --- MFA ---------------------------------------------------------------------------


def mfa_required(user) -> bool:
    """Every professional, and anyone who can open the admin, must use two-step sign-in."""
    if user.is_staff or user.is_superuser:
        return True
    professional = sorted(r.value for r in PROFESSIONAL_ROLES)
    return Membership.objects.active().filter(user=user, role__in=professional).exists()


# --- Account administration --------------------------------------------------------
#
# Who administers a membership:
#
# - an authority-bound membership (Virtual School, LA administrator, social worker,
#   personal adviser, IRO, carer, young person): the authority it names;
# - a school-bound membership (designated teacher, school staff) names a school and the
#   authority that added the person, which administers it. Other authorities with
#   children on roll there endorse the person or not (``SchoolRoleEndorsement``, their
#   School staff page) but cannot change the membership.
#
# "The people of an authority" are those holding a membership (current or ended) it
# administers. An LA administrator or Virtual School Head may then:
#
# - deactivate the whole account (and reactivate it) only if every active membership of
#   the person is administered by their authority: a person who also works for another
#   authority, or at a school in another authority's area, would otherwise be locked out
#   of that work too;
# - otherwise "remove from <authority>": end the memberships their authority
#   administers, withdraw the access it gave the person to named children and its waiting
#   invitations; the account stays open for the person's other work;
# - reset two-step sign-in for anyone with an active membership they administer (and
#   for a deactivated account that is wholly theirs): the person must still know their
#   password and sets two-step sign-in up again at their next sign-in.
#
# Nobody changes their own account here, a Virtual School Head cannot change an LA
# administrator's account (they could not invite one either: ``INVITABLE_ROLES``), and
# platform support accounts (superusers) are changed only by platform support. Platform
# support (a superuser not acting in an authority role, in the admin) may do all of this
# for anyone; their events are recorded in every authority the person belongs to.


# ACCOUNT_MANAGER_ROLES, PEOPLE_ROLES, account_actions: epep.accounts.permissions.
# administered_by, people_of_authority: epep.accounts.selectors.


def acting_authority(actor):
    """The one authority an actor manages people for (People pages, admin actions)."""
    if not permissions.can_manage_people(actor):
        raise PermissionDenied("You cannot manage people.")
    return actor.authorities[0]


def _all_memberships_of(person) -> list[Membership]:
    """All of ``person``'s memberships, in every authority and school. Those in other
    authorities are outside the actor's row-level-security boundary: they are read in a
    nested context that sees that one person's own memberships (as ``roles_held_by``)."""
    with authority_context(local_authority_ids=(), user_id=person.pk):
        return list(
            Membership.objects.filter(user_id=person.pk).select_related("local_authority", "school")
        )


def _administers(authority, membership: Membership) -> bool:
    return membership.local_authority_id == authority.pk


@dataclass(frozen=True)
class PersonScope:
    """One person as seen by one authority."""

    person: User
    authority: object
    #: memberships this authority administers, current or ended
    ours: tuple[Membership, ...]
    #: the person's active memberships administered by anyone else
    elsewhere: tuple[Membership, ...]
    #: other authorities' endorsements in force of this authority's school memberships
    endorsed_elsewhere: tuple[SchoolRoleEndorsement, ...] = ()

    @property
    def active_ours(self) -> tuple[Membership, ...]:
        return tuple(m for m in self.ours if m.is_active)

    @property
    def whole_account(self) -> bool:
        """Every active membership of the person is this authority's to administer."""
        return bool(self.ours) and not self.elsewhere and not self.endorsed_elsewhere


def _endorsements_of(person) -> list[SchoolRoleEndorsement]:
    """Every authority's endorsements of ``person`` (their own rows, as above)."""
    with authority_context(local_authority_ids=(), user_id=person.pk):
        return list(SchoolRoleEndorsement.objects.filter(user_id=person.pk))


def person_scope(*, authority, person: User) -> PersonScope:
    memberships = _all_memberships_of(person)
    ours = tuple(m for m in memberships if _administers(authority, m))
    our_school_roles = {m.pk for m in ours if m.is_active and m.role in SCHOOL_ROLES}
    return PersonScope(
        person=person,
        authority=authority,
        ours=ours,
        elsewhere=tuple(m for m in memberships if m.is_active and not _administers(authority, m)),
        endorsed_elsewhere=tuple(
            e
            for e in (_endorsements_of(person) if our_school_roles else ())
            if e.membership_id in our_school_roles
            and e.local_authority_id != authority.pk
            and e.in_force
        ),
    )


def user_has_mfa(user) -> bool:
    """Whether ``user`` has set up two-step sign-in (their authenticators themselves are
    readable only in their own context: ``epep.accounts.context``)."""
    from ..mfa import user_has_second_factor

    return user_has_second_factor(user.pk)


def _is_platform_support(actor) -> bool:
    return permissions.is_platform_support(actor)


def _check_account_action(actor, person: User, action: str) -> PersonScope | None:
    """Raise PermissionDenied unless ``actor`` may do ``action`` to ``person``. Returns the
    person's scope in the actor's authority (None for platform support)."""
    if _is_platform_support(actor):
        if person.pk == actor.user_id:
            raise PermissionDenied("You cannot change your own account here.")
        return None
    if not permissions.can_manage_accounts(actor):
        raise PermissionDenied("You cannot change people's accounts.")
    scope = person_scope(authority=acting_authority(actor), person=person)
    allowed = account_actions(actor, scope, mfa_enabled=user_has_mfa(person))
    if not getattr(allowed, action):
        raise PermissionDenied(allowed.reason or "You cannot do this to this person's account.")
    return scope


def _person_authority_ids(person: User) -> list[int]:
    from epep.tenancy.models import LocalAuthority

    memberships = _all_memberships_of(person)
    ids = {m.local_authority_id for m in memberships}
    with authority_context(local_authority_ids=(), user_id=person.pk):
        ids |= set(
            SchoolRoleEndorsement.objects.filter(user_id=person.pk).values_list(
                "local_authority_id", flat=True
            )
        )
    return sorted(LocalAuthority.objects.filter(pk__in=ids).values_list("pk", flat=True))


def _audit_account(actor, action: str, person: User, scope: PersonScope | None, **detail):
    """One event in the actor's authority; for platform support, one in every authority
    the person belongs to (so each Virtual School sees it), or none if they belong to
    none."""
    event = {
        "acting_user": actor.user,
        "action": action,
        "object_type": "accounts.user",
        "object_id": str(person.public_id),
        "detail": {"email": person.email, **detail},
    }
    if scope is not None:
        audit_record(role=actor.role, local_authority_id=scope.authority.pk, **event)
        return
    authority_ids = _person_authority_ids(person)
    if not authority_ids:
        audit_record(role="platform_admin", local_authority_id=None, **event)
        return
    with authority_context(local_authority_ids=authority_ids, user_id=actor.user_id):
        for authority_id in authority_ids:
            audit_record(role="platform_admin", local_authority_id=authority_id, **event)


def _sessions_end(user: User) -> int:
    """Sign ``user`` out everywhere (``epep.security.services.sessions_end_for_user``:
    every session allauth's usersessions tracks for them)."""
    from epep.security.services import sessions_end_for_user

    return sessions_end_for_user(user=user)


@transaction.atomic
def user_deactivate(*, actor, user: User) -> User:
    """Close the whole account: no sign-in, every session ended at once."""
    scope = _check_account_action(actor, user, "deactivate")
    if scope is None and not user.is_active:
        return user
    # Sessions end first, to count them; saving an inactive account ends any left too
    # (epep.security.signals), and the authentication backend refuses it anyway.
    ended = _sessions_end(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    school_staff_account_changed(user=user)
    _audit_account(actor, "account_deactivate", user, scope, sessions_ended=ended)
    return user


@transaction.atomic
def user_reactivate(*, actor, user: User) -> User:
    scope = _check_account_action(actor, user, "reactivate")
    if scope is None and user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    school_staff_account_changed(user=user)
    _audit_account(actor, "account_reactivate", user, scope)
    return user


@transaction.atomic
def user_remove_from_authority(*, actor, user: User) -> list[Membership]:
    """For someone who also works elsewhere: end the memberships the actor's authority
    administers, withdraw the access it gave them to named children and its waiting
    invitations. Their account stays open for their other work."""
    scope = _check_account_action(actor, user, "remove")
    if scope is None:
        raise PermissionDenied("Remove people from an authority while acting for it.")
    authority = scope.authority
    # A school role other authorities still endorse stays, handed to one of them; this
    # authority's own say-so ends with everything else it gave.
    successors = {}
    for endorsement in sorted(scope.endorsed_elsewhere, key=lambda e: e.created_at):
        successors.setdefault(endorsement.membership_id, endorsement.local_authority_id)
    for endorsement in SchoolRoleEndorsement.objects.filter(
        user_id=user.pk,
        local_authority_id=authority.pk,
        state=SchoolRoleEndorsement.State.ENDORSED,
    ).select_related("user", "school"):
        school_role_endorsement_withdraw(actor=actor, endorsement=endorsement)
    ended = [m for m in scope.active_ours if m.pk not in successors]
    Membership.objects.filter(pk__in=[m.pk for m in ended]).update(is_active=False)
    for membership in scope.active_ours:
        if membership.pk in successors:
            successor = successors[membership.pk]
            with authority_context(local_authority_ids=[authority.pk, successor], user_id=user.pk):
                Membership.objects.filter(pk=membership.pk).update(local_authority_id=successor)
    grants_withdrawn = sum(
        hook(actor=actor, user=user, authority=authority) for hook in hooks.removed_from_authority
    )
    for invitation in Invitation.objects.filter(
        local_authority_id=authority.pk,
        email__iexact=user.email,
        accepted_at__isnull=True,
        withdrawn_at__isnull=True,
    ):
        invitation_withdraw(actor=actor, invitation=invitation)
    _audit_account(
        actor,
        "membership_remove",
        user,
        scope,
        roles=sorted(m.role for m in ended),
        grants_withdrawn=grants_withdrawn,
    )
    for membership in ended:
        membership.is_active = False
    return ended


@transaction.atomic
def user_mfa_reset(*, actor, user: User) -> int:
    """Delete every two-step sign-in method of ``user`` (authenticator app, recovery
    codes, security keys) and end their sessions: at their next sign-in (password only)
    they must set two-step sign-in up again before anything else. Returns how many
    methods were removed."""
    from allauth.mfa.models import Authenticator

    from ..context import account_context

    scope = _check_account_action(actor, user, "reset_mfa")
    # This one person's authenticators, for this one operation.
    with account_context(user_id=user.pk):
        authenticators = Authenticator.objects.filter(user_id=user.pk)
        types = sorted(set(authenticators.values_list("type", flat=True)))
        if not types:
            raise ValidationError(f"{user.full_name} has not set up two-step sign-in.")
        removed, _ = authenticators.delete()
    ended = _sessions_end(user)
    _audit_account(actor, "mfa_reset", user, scope, methods=types, sessions_ended=ended)
    return removed
