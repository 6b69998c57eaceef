"""Writes about accounts: invitations, agreements, account administration.

Each is one transaction with its audit event; emails go out after commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from epep.audit.services import audit_record
from epep.tenancy.context import authority_context
from epep.tenancy.models import Membership
from epep.tenancy.roles import AUTHORITY_WIDE_ROLES, SCHOOL_ROLES, Role

from .models import AgreementAcceptance, Invitation, User, UserAgreement

INVITATION_LIFETIME = timedelta(days=7)

#: Who may invite whom. LA administrators manage every role; Virtual School staff invite
#: the people around a child.
INVITABLE_ROLES = {
    Role.LA_ADMIN: frozenset(Role),
    Role.VS_HEAD: frozenset(Role) - {Role.LA_ADMIN},
    Role.VS_OFFICER: frozenset(Role) - {Role.LA_ADMIN, Role.VS_HEAD},
}


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
    link = base_url.rstrip("/") + reverse("accounts:invitation", kwargs={"token": token})
    context = {"invitation": invitation, "link": link, "authority": invitation.local_authority}
    send_mail(
        subject=f"ePEP: you have been invited by {invitation.local_authority.virtual_school_name}",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_create(
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
    if actor.role not in INVITABLE_ROLES or len(actor.authorities) != 1:
        raise PermissionDenied("You cannot invite people.")
    role = Role(role)
    if role not in INVITABLE_ROLES[actor.role]:
        raise ValidationError({"role": f"You cannot invite someone as {role.label}."})
    authority = actor.authorities[0]
    placement = None
    if role in SCHOOL_ROLES and school is None:
        raise ValidationError({"school": "Enter the school's URN."})
    if role in (Role.CARER, Role.YOUNG_PERSON):
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
    transaction.on_commit(lambda: _send_invitation(invitation, token, base_url))
    return invitation, token


@transaction.atomic
def invitation_resend(*, actor, invitation: Invitation, base_url: str) -> str:
    """Send a fresh link (the old one stops working) with a new seven-day expiry."""
    if actor.role not in INVITABLE_ROLES or invitation.local_authority_id not in actor.authority_ids:
        raise PermissionDenied("You cannot resend this invitation.")
    if invitation.accepted_at or invitation.withdrawn_at:
        raise ValidationError("This invitation has already been used or withdrawn.")
    token, invitation.token_hash = _new_token()
    invitation.expires_at = timezone.now() + INVITATION_LIFETIME
    invitation.last_sent_at = timezone.now()
    invitation.save(update_fields=["token_hash", "expires_at", "last_sent_at"])
    _audit(actor.user, actor.role, "invite_resend", invitation)
    transaction.on_commit(lambda: _send_invitation(invitation, token, base_url))
    return token


@transaction.atomic
def invitation_withdraw(*, actor, invitation: Invitation) -> Invitation:
    if actor.role not in INVITABLE_ROLES or invitation.local_authority_id not in actor.authority_ids:
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
    with authority_context(local_authority_ids=[invitation.local_authority_id], user_id=user.pk):
        _grant_invited_role(invitation, user)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        _audit(user, invitation.role, "invite_accept", invitation)
    return user


def _grant_invited_role(invitation: Invitation, user: User) -> Membership:
    from children.models import PlacementCarer

    role = Role(invitation.role)
    if role in SCHOOL_ROLES:
        lookup = {"user": user, "role": role, "school": invitation.school}
        defaults = {"local_authority": None}
    else:
        lookup = {"user": user, "role": role, "local_authority": invitation.local_authority}
        defaults = {"child": invitation.child}
    membership, _ = Membership.objects.update_or_create(
        **lookup, defaults={**defaults, "is_active": True}
    )
    if role == Role.CARER and invitation.placement_id:
        PlacementCarer.objects.get_or_create(
            placement_id=invitation.placement_id,
            user=user,
            defaults={"local_authority_id": invitation.local_authority_id},
        )
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
    professional = [r.value for r in Role if r not in (Role.CARER, Role.YOUNG_PERSON)]
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
