"""Invitations: invite someone into a role by email, send the link again, withdraw it,
accept it. The invitation email is written in ``_send_invitation`` (here)."""

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
from epep.tenancy import clock
from epep.tenancy.context import authority_context
from epep.tenancy.models import Membership
from epep.tenancy.roles import (
    CHILD_ROLES,
    SCHOOL_ROLES,
    Role,
)
from epep.tenancy.services import (
    school_role_allowed_at,
    school_role_endorse_added,
    school_role_endorsements_request,
)

from .. import hooks, permissions
from ..emails import account_email_enqueue
from ..models import Invitation, User

INVITATION_LIFETIME = timedelta(days=7)

#: What a young person reads when their password is too short for their authority's rule.
LONG_PASSWORD_MESSAGE = (
    "Your password needs at least 15 letters, numbers or spaces. "
    "Try three random words, like: cloud pizza river"
)


def _child_email_missing(invitation) -> str:
    return f"Enter the email address {invitation.full_name.split(' ')[0]} will sign in with"


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
    (sent by a task once it commits; one email per token). A young person's says
    nothing a classmate glancing at it should read."""
    link = base_url.rstrip("/") + reverse("accounts:invitation", kwargs={"token": token})
    context = {"invitation": invitation, "link": link, "authority": invitation.local_authority}
    subject = f"ePEP: you have been invited by {invitation.local_authority.virtual_school_name}"
    template = "accounts/email/invitation.txt"
    if invitation.role == Role.YOUNG_PERSON:
        context["first_name"] = invitation.full_name.split(" ")[0]
        context["helped"] = is_helped(invitation)
        subject = "ePEP: set up your account"
        if context["helped"]:
            subject = f"ePEP: help {context['first_name']} set up their account"
        template = "accounts/email/invitation_young_person.txt"
    account_email_enqueue(
        to=invitation.email,
        subject=subject,
        body=render_to_string(template, context),
        dedupe_key=f"invitation:{invitation.public_id}:{invitation.token_hash}",
    )


def _helper_placement(child, helper):
    """The child's current placement if ``helper`` is one of its carers (else None)."""
    placement = child.placements.filter(end_date__isnull=True).first()
    if placement is None or not placement.carers.filter(pk=helper.pk).exists():
        return None
    return placement


def is_helped(invitation: Invitation) -> bool:
    """A young person's invitation sent to their carer, to help them set up."""
    return invitation.role == Role.YOUNG_PERSON and invitation.placement_id is not None


def young_person_needs_long_password(invitation: Invitation, *, day=None) -> bool:
    """Must the young person this invitation is for choose a long password (their
    authority's rule, ``permissions.young_person_needs_strong_sign_in``)? They cannot
    have set up two-step sign-in yet."""
    if invitation.role != Role.YOUNG_PERSON:
        return False
    with authority_context(local_authority_ids=[invitation.local_authority_id]):
        date_of_birth = invitation.child.date_of_birth
    return permissions.young_person_needs_strong_sign_in(
        date_of_birth=date_of_birth,
        two_step_optional_under_13=invitation.local_authority.two_step_optional_under_13,
        day=day or clock.today(),
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
        "object_id": school.urn or str(school.public_id),
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
    helper=None,
) -> tuple[Invitation, str]:
    """Invite someone by email into a role in the actor's authority. Returns the
    invitation and the one-time token (which is only ever in the email).

    A young person's invitation may go to ``helper`` instead, a carer of the child's
    current placement, "to help <first name> set up their account": ``email`` is then
    the carer's and the invitation names the placement; the child's own address is asked
    for when the account is set up. A social worker invites only young people, for a
    child the caller fetched through ``children.selectors.access_child_by_id``."""
    role = Role(role)
    if role == Role.YOUNG_PERSON and permissions.can_invite_young_person(actor):
        if child is None or child.local_authority_id not in actor.authority_ids:
            raise ValidationError({"child": "Choose the child."})
        authority = child.local_authority
    elif not permissions.can_invite(actor):
        raise PermissionDenied("You cannot invite people.")
    elif not permissions.can_invite(actor, role):
        raise ValidationError({"role": f"You cannot invite someone as {role.label}."})
    else:
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
    if helper is not None:
        placement = _helper_placement(child, helper) if role == Role.YOUNG_PERSON else None
        if placement is None:
            raise ValidationError({"helper": "Choose a carer the child lives with now."})
        email = helper.email
    email = email.strip().lower()
    pending = Invitation.objects.filter(
        email__iexact=email,
        role=role,
        **({"child": child} if role == Role.YOUNG_PERSON else {}),
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
    _audit(actor.user, actor.role, "invite", invitation, helped_by_carer=helper is not None)
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
    *,
    token: str,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
    email: str = "",
) -> User:
    """Accept an invitation: set a password for a new account, or add the role to the
    signed-in account with the invited address (one login across authorities).

    A young person's invitation sent to their carer (``is_helped``) makes a new account
    with the child's own ``email``, never the carer's. A young person whose authority's
    rule asks for it must choose a password of at least
    ``permissions.LONG_PASSWORD_LENGTH`` characters."""
    invitation = invitation_for_token(token, lock=True)
    helped = is_helped(invitation)
    if helped and user is not None:
        raise PermissionDenied("This invitation sets up a new account for the young person.")
    address = email.strip().lower() if helped else invitation.email
    if user is None:
        if helped and not address:
            raise ValidationError({"email": _child_email_missing(invitation)})
        if existing_account(address):
            if helped:
                raise ValidationError(
                    {"email": "Someone already uses this email address for ePEP. Use another one."}
                )
            raise ValidationError(
                "You already have an ePEP account with this email address. Sign in to accept."
            )
        user = User(email=address, full_name=full_name.strip() or invitation.full_name)
        if (
            young_person_needs_long_password(invitation)
            and len(password) < permissions.LONG_PASSWORD_LENGTH
        ):
            raise ValidationError({"password1": LONG_PASSWORD_MESSAGE})
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
        _audit(user, invitation.role, "invite_accept", invitation, account=user.email)
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
