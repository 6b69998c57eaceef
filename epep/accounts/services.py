"""Writes about accounts: invitations, agreements, account administration.

Each is one transaction with its audit event; emails go out after commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from epep.audit.services import audit_record
from epep.tenancy.context import authority_context
from epep.tenancy.models import Membership, SchoolRoleEndorsement
from epep.tenancy.roles import (
    AUTHORITY_WIDE_ROLES,
    CHILD_ROLES,
    PROFESSIONAL_ROLES,
    SCHOOL_ROLES,
    Role,
)
from epep.tenancy.services import (
    school_role_allowed_at,
    school_role_endorse_added,
    school_role_endorsement_withdraw,
    school_role_endorsements_request,
)

from . import hooks, permissions
from .emails import account_email_enqueue
from .models import AgreementAcceptance, Invitation, User, UserAgreement
from .permissions import (
    ACCOUNT_MANAGER_ROLES,
    PEOPLE_ROLES,
    AccountActions,
    account_actions,
)

INVITATION_LIFETIME = timedelta(days=7)

# Who may invite whom, manage people and change accounts: epep.accounts.permissions.


class InvitationRefused(ValidationError):
    """An invitation that would give access an authority cannot give. The attempt is
    audited; the caller must let the audit event outlive the refusal (it commits)."""


class InvitationUnusable(Exception):
    """The link is unknown, expired, withdrawn or already used."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, _hash(token)


def _audit(actor_user, role, action, invitation, **detail):
    audit_record(
        acting_user=actor_user,
        role=role,
        action=action,
        object_type="accounts.invitation",
        object_id=str(invitation.public_id),
        local_authority_id=invitation.local_authority_id,
        detail={"email": invitation.email, "role": invitation.role, **detail},
    )


def _send_invitation(invitation: Invitation, token: str, base_url: str) -> None:
    """Put the invitation email in the account-email outbox, in the caller's transaction
    (sent by a task once it commits; one email per token)."""
    link = base_url.rstrip("/") + reverse("accounts:invitation", kwargs={"token": token})
    context = {"invitation": invitation, "link": link, "authority": invitation.local_authority}
    account_email_enqueue(
        to=invitation.email,
        subject=f"ePEP: you have been invited by {invitation.local_authority.virtual_school_name}",
        body=render_to_string("accounts/email/invitation.txt", context),
        dedupe_key=f"invitation:{invitation.public_id}:{invitation.token_hash}",
    )


def _refuse_school_role_elsewhere(actor, authority, school, role: Role, email: str) -> None:
    """An authority adds school staff only where it looks after a child on roll or in its
    own area: anything else would give it access it cannot give. The refusal is recorded
    and outlives the rolled-back invitation."""
    if school_role_allowed_at(authority=authority, school=school):
        return
    refusal = InvitationRefused(
        {
            "school": f"{authority.name} has no children on roll at {school.name}, which is "
            "not in your area. You can add school staff only where you look after a child "
            "or in your own area: ask the Virtual School of the children there."
        }
    )
    refusal.audit = {
        "acting_user": actor.user,
        "role": actor.role,
        "action": "invite_refused",
        "object_type": "children.school",
        "object_id": school.urn,
        "local_authority_id": authority.pk,
        "detail": {"email": email.strip().lower(), "role": role.value},
    }
    raise refusal


def invitation_create(**kwargs) -> tuple[Invitation, str]:
    """Invite someone by email into a role in the actor's authority. Returns the
    invitation and the one-time token (which is only ever in the email). A refused
    attempt to give access the authority cannot give is recorded, outside the
    rolled-back transaction."""
    try:
        return _invitation_create(**kwargs)
    except InvitationRefused as refusal:
        audit_record(**refusal.audit)
        raise


@transaction.atomic
def _invitation_create(
    *,
    actor,
    email: str,
    full_name: str,
    role: str,
    base_url: str,
    school=None,
    child=None,
) -> tuple[Invitation, str]:
    """Invite someone by email into a role in the actor's authority. Returns the
    invitation and the one-time token (which is only ever in the email)."""
    if not permissions.can_invite(actor):
        raise PermissionDenied("You cannot invite people.")
    role = Role(role)
    if not permissions.can_invite(actor, role):
        raise ValidationError({"role": f"You cannot invite someone as {role.label}."})
    authority = actor.authorities[0]
    placement = None
    if role in SCHOOL_ROLES:
        if school is None:
            raise ValidationError({"school": "Enter the school's URN."})
        _refuse_school_role_elsewhere(actor, authority, school, role, email)
    if role in CHILD_ROLES:
        if child is None or child.local_authority_id != authority.pk:
            raise ValidationError({"child": "Choose the child."})
        if role == Role.CARER:
            placement = child.placements.filter(end_date__isnull=True).first()
            if placement is None:
                raise ValidationError(
                    {"child": "This child has no current placement to invite a carer to."}
                )
    email = email.strip().lower()
    pending = Invitation.objects.filter(
        email__iexact=email,
        role=role,
        local_authority=authority,
        accepted_at__isnull=True,
        withdrawn_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise ValidationError(
            {"email": "This person already has an invitation waiting. Send it again instead."}
        )
    token, token_hash = _new_token()
    invitation = Invitation(
        local_authority=authority,
        email=email,
        full_name=full_name.strip(),
        role=role,
        school=school if role in SCHOOL_ROLES else None,
        child=child if role == Role.YOUNG_PERSON else None,
        placement=placement,
        token_hash=token_hash,
        invited_by=actor.user,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    invitation.full_clean()
    invitation.save()
    _audit(actor.user, actor.role, "invite", invitation)
    _send_invitation(invitation, token, base_url)
    return invitation, token


@transaction.atomic
def invitation_resend(*, actor, invitation: Invitation, base_url: str) -> str:
    """Send a fresh link (the old one stops working) with a new seven-day expiry."""
    if not permissions.can_manage_invitation(actor, invitation):
        raise PermissionDenied("You cannot resend this invitation.")
    if invitation.accepted_at or invitation.withdrawn_at:
        raise ValidationError("This invitation has already been used or withdrawn.")
    token, invitation.token_hash = _new_token()
    invitation.expires_at = timezone.now() + INVITATION_LIFETIME
    invitation.last_sent_at = timezone.now()
    invitation.save(update_fields=["token_hash", "expires_at", "last_sent_at"])
    _audit(actor.user, actor.role, "invite_resend", invitation)
    _send_invitation(invitation, token, base_url)
    return token


@transaction.atomic
def invitation_withdraw(*, actor, invitation: Invitation) -> Invitation:
    if not permissions.can_manage_invitation(actor, invitation):
        raise PermissionDenied("You cannot withdraw this invitation.")
    if invitation.accepted_at is None and invitation.withdrawn_at is None:
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
        _audit(actor.user, actor.role, "invite_withdraw", invitation)
    return invitation


def invitation_for_token(token: str, *, lock: bool = False) -> Invitation:
    """Find a usable invitation by its token (from the email link).

    Invitations are tenant rows; this one becomes readable in the current transaction by
    proving knowledge of its token (the RLS policy compares ``app.invitation``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.invitation', %s, true)", [_hash(token)])
    queryset = Invitation.objects.select_related("local_authority", "school")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(token_hash=_hash(token)).first()
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.state != "pending":
        raise InvitationUnusable(invitation.state)
    return invitation


def existing_account(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, full_name: str = "", password: str = ""
) -> User:
    """Accept an invitation: set a password for a new account, or add the role to the
    signed-in account with the invited address (one login across authorities)."""
    invitation = invitation_for_token(token, lock=True)
    if user is None:
        if existing_account(invitation.email):
            raise ValidationError(
                "You already have an ePEP account with this email address. Sign in to accept."
            )
        user = User(email=invitation.email, full_name=full_name.strip() or invitation.full_name)
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
    elif user.email.lower() != invitation.email.lower():
        raise PermissionDenied("This invitation is for a different email address.")
    authority_id = invitation.local_authority_id
    with authority_context(local_authority_ids=[authority_id], user_id=user.pk):
        membership = _grant_invited_role(invitation, user)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        _audit(user, invitation.role, "invite_accept", invitation)
        if membership.role in SCHOOL_ROLES:
            # One school role, per-authority say-so: the inviting authority endorses the
            # person; every other authority with children on roll there is asked.
            school_role_endorse_added(
                membership=membership, authority_id=authority_id, acting_user=user
            )
            school_role_endorsements_request(
                membership=membership,
                requested_by_authority_id=authority_id,
                acting_user=user,
                acting_role=invitation.role,
            )
    return user


def _grant_invited_role(invitation: Invitation, user: User) -> Membership:
    role = Role(invitation.role)
    if role in SCHOOL_ROLES:
        # One school role per person and school, whichever authority adds them. An
        # existing one (maybe added by another authority, maybe ended) is kept as it is
        # and only reactivated by its own authority; the inviting authority's say-so is
        # its endorsement (see invitation_accept).
        membership = Membership.objects.filter(
            user=user, role=role, school=invitation.school
        ).first()
        if membership is None:
            return Membership.objects.create(
                user=user,
                role=role,
                school=invitation.school,
                local_authority_id=invitation.local_authority_id,
            )
        if not membership.is_active:
            with authority_context(
                local_authority_ids=[membership.local_authority_id, invitation.local_authority_id],
                user_id=user.pk,
            ):
                # Ended by its authority: the inviting authority takes it over afresh.
                membership.local_authority_id = invitation.local_authority_id
                membership.is_active = True
                membership.save(update_fields=["local_authority", "is_active"])
        return membership
    lookup = {"user": user, "role": role, "local_authority": invitation.local_authority}
    membership, _ = Membership.objects.update_or_create(
        **lookup, defaults={"child": invitation.child, "is_active": True}
    )
    for hook in hooks.invited_role_granted:
        hook(invitation=invitation, user=user, membership=membership)
    return membership


# --- User agreements ---------------------------------------------------------------


def agreements_required(actor) -> list[UserAgreement]:
    """The current agreement for the actor's role of every authority they act for (an
    authority's own, or the product default), newest version each."""
    if actor is None or actor.role is None:
        return []
    authority_ids = set(actor.authority_ids) | set(actor.db_authority_ids)
    latest: dict[int | None, UserAgreement] = {}
    for agreement in UserAgreement.objects.filter(
        role=actor.role, published_at__lte=timezone.now()
    ).order_by("version"):
        latest[agreement.local_authority_id] = agreement
    required = {}
    for authority_id in authority_ids or {None}:
        agreement = latest.get(authority_id) or latest.get(None)
        if agreement is not None:
            required[agreement.pk] = agreement
    return sorted(required.values(), key=lambda a: (a.local_authority_id or 0, a.pk))


def agreements_outstanding(actor) -> list[UserAgreement]:
    required = agreements_required(actor)
    if not required:
        return []
    accepted = set(
        AgreementAcceptance.objects.filter(
            user_id=actor.user_id, agreement__in=[a.pk for a in required]
        ).values_list("agreement_id", flat=True)
    )
    return [a for a in required if a.pk not in accepted]


@transaction.atomic
def agreements_accept(*, actor, agreements: list[UserAgreement]) -> list[AgreementAcceptance]:
    acceptances = []
    for agreement in agreements:
        acceptance, created = AgreementAcceptance.objects.get_or_create(
            user=actor.user,
            agreement=agreement,
            defaults={"local_authority_id": agreement.local_authority_id},
        )
        acceptances.append(acceptance)
        if created:
            audit_record(
                acting_user=actor.user,
                role=actor.role,
                action="agreement_accept",
                object_type="accounts.useragreement",
                object_id=str(agreement.pk),
                local_authority_id=agreement.local_authority_id,
                detail={"version": agreement.version, "title": agreement.title},
            )
    return acceptances


@transaction.atomic
def agreement_publish(*, acting_user, local_authority, role: str, title: str, body: str):
    """Publish a new version of an agreement (the previous ones stay as they were)."""
    previous = (
        UserAgreement.objects.filter(local_authority=local_authority, role=role)
        .order_by("-version")
        .first()
    )
    agreement = UserAgreement(
        local_authority=local_authority,
        role=role,
        version=(previous.version + 1) if previous else 1,
        title=title,
        body=body,
        created_by=acting_user,
    )
    agreement.full_clean()
    agreement.save()
    audit_record(
        acting_user=acting_user,
        role="",
        action="agreement_publish",
        object_type="accounts.useragreement",
        object_id=str(agreement.pk),
        local_authority_id=agreement.local_authority_id,
        detail={"version": agreement.version, "role": role},
    )
    return agreement


# --- MFA ---------------------------------------------------------------------------


def mfa_required(user) -> bool:
    """Every professional, and anyone who can open the admin, must use two-step sign-in."""
    if user.is_staff or user.is_superuser:
        return True
    professional = sorted(r.value for r in PROFESSIONAL_ROLES)
    return Membership.objects.active().filter(user=user, role__in=professional).exists()


__all__ = [
    "AUTHORITY_WIDE_ROLES",
    "InvitationUnusable",
    "agreement_publish",
    "agreements_accept",
    "agreements_outstanding",
    "agreements_required",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_resend",
    "invitation_withdraw",
    "mfa_required",
]


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

from dataclasses import dataclass  # noqa: E402

# ACCOUNT_MANAGER_ROLES, PEOPLE_ROLES, account_actions: epep.accounts.permissions.
# administered_by, people_of_authority: epep.accounts.selectors.
from .selectors import administered_by, people_of_authority  # noqa: E402


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
    from .mfa import user_has_second_factor

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
    _audit_account(actor, "account_deactivate", user, scope, sessions_ended=ended)
    return user


@transaction.atomic
def user_reactivate(*, actor, user: User) -> User:
    scope = _check_account_action(actor, user, "reactivate")
    if scope is None and user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
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

    from .context import account_context

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


__all__ += [
    "ACCOUNT_MANAGER_ROLES",
    "PEOPLE_ROLES",
    "AccountActions",
    "PersonScope",
    "account_actions",
    "acting_authority",
    "administered_by",
    "people_of_authority",
    "person_scope",
    "user_deactivate",
    "user_has_mfa",
    "user_mfa_reset",
    "user_reactivate",
    "user_remove_from_authority",
]
