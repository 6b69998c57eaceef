"""Writes about school roles: each authority's endorsement of a designated teacher or
school staff member at a school (``SchoolRoleEndorsement``).

One account, one school role at a school, and per-authority say-so: the authority that
adds the person endorses them at once (``school_role_endorse_added``); every other
authority with children on roll there is asked (``school_role_endorsements_request``) and
decides (``school_role_endorse``, ``school_role_endorsement_decline``); an endorsement can
be withdrawn, which ends access that day (``school_role_endorsement_withdraw``). Each is
one transaction with its audit event in the endorsing authority."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from epep.audit.services import audit_record

from . import hooks
from .context import all_authorities_context, authority_context
from .models import LocalAuthority, Membership, SchoolRoleEndorsement
from .permissions import can_edit_authority_policy, can_endorse_school_roles
from .roles import SCHOOL_ROLES, Role
from .selectors import school_authorities_on_roll

State = SchoolRoleEndorsement.State


def _audit(actor_user, role, action: str, endorsement: SchoolRoleEndorsement, **detail):
    audit_record(
        acting_user=actor_user,
        role=role,
        action=action,
        object_type="tenancy.schoolroleendorsement",
        object_id=str(endorsement.public_id),
        local_authority_id=endorsement.local_authority_id,
        detail={
            "person": endorsement.user.email,
            "role": endorsement.role,
            "school_urn": endorsement.school.urn,
            "state": endorsement.state,
            **detail,
        },
    )


def _decide(endorsement: SchoolRoleEndorsement, state: str, user) -> None:
    endorsement.state = state
    endorsement.decided_at = timezone.now()
    endorsement.decided_by = user
    endorsement.save(update_fields=["state", "decided_at", "decided_by"])
    hooks.school_staff_changed(
        school_ids=[endorsement.school_id], local_authority_id=endorsement.local_authority_id
    )


def school_staff_account_changed(*, user) -> None:
    """A person's account was closed or opened again: every authority that endorses a
    school role of theirs hears of it (``hooks.school_staff_changed``), whichever
    authority's administrator did it."""
    by_authority: dict[int, set[int]] = {}
    with all_authorities_context():
        for school_id, authority_id in SchoolRoleEndorsement.objects.filter(
            user_id=user.pk, state=State.ENDORSED
        ).values_list("school_id", "local_authority_id"):
            by_authority.setdefault(authority_id, set()).add(school_id)
        for authority_id, school_ids in sorted(by_authority.items()):
            hooks.school_staff_changed(school_ids=school_ids, local_authority_id=authority_id)


def school_role_endorse_added(
    *, membership: Membership, authority_id: int, acting_user
) -> SchoolRoleEndorsement:
    """The authority that added ``membership`` (an accepted invitation) endorses it.
    Runs inside that authority's context (the invitation's acceptance)."""
    if membership.role not in SCHOOL_ROLES:
        raise ValueError("Only school roles are endorsed.")
    endorsement, created = SchoolRoleEndorsement.objects.get_or_create(
        membership=membership,
        local_authority_id=authority_id,
        defaults={
            "user_id": membership.user_id,
            "school_id": membership.school_id,
            "role": membership.role,
            "state": State.ENDORSED,
            "decided_at": timezone.now(),
            "decided_by": acting_user,
        },
    )
    if not created and endorsement.state != State.ENDORSED:
        _decide(endorsement, State.ENDORSED, acting_user)
    elif created:
        hooks.school_staff_changed(
            school_ids=[membership.school_id], local_authority_id=authority_id
        )
    _audit(acting_user, membership.role, "endorse", endorsement, by="invitation")
    return endorsement


def school_role_endorsements_request(
    *,
    membership: Membership,
    requested_by_authority_id: int | None,
    acting_user=None,
    acting_role: str = "",
) -> list[SchoolRoleEndorsement]:
    """Ask every other authority with children on roll at the membership's school to
    endorse the person (once: an authority that has decided is not asked again).

    A system step: it sees the person's own endorsements and writes only the new
    requests, each in its own authority; which authorities to ask comes from a database
    function that reveals their ids and nothing else. Each authority's Virtual School
    Head (or LA administrators, where there is none) gets an email through the outbox.
    The requests are audited in the requesting authority, by the person whose action
    led to them."""
    from epep.notifications.services import notification_enqueue

    on_roll = school_authorities_on_roll(membership.school_id)
    if not on_roll:
        return []
    created = []
    with authority_context(local_authority_ids=on_roll, user_id=membership.user_id):
        asked = set(
            SchoolRoleEndorsement.objects.filter(membership=membership).values_list(
                "local_authority_id", flat=True
            )
        )
        for authority_id in sorted(on_roll - asked):
            endorsement = SchoolRoleEndorsement.objects.create(
                membership=membership,
                local_authority_id=authority_id,
                user_id=membership.user_id,
                school_id=membership.school_id,
                role=membership.role,
                requested_by_authority_id=requested_by_authority_id,
            )
            created.append(endorsement)
    for endorsement in created:
        if acting_user is not None and requested_by_authority_id is not None:
            audit_record(
                acting_user=acting_user,
                role=acting_role,
                action="endorsement_request",
                object_type="tenancy.schoolroleendorsement",
                object_id=str(endorsement.public_id),
                local_authority_id=requested_by_authority_id,
                detail={
                    "person": membership.user.email,
                    "role": membership.role,
                    "asked_authority_id": endorsement.local_authority_id,
                },
            )
        _notify_request(endorsement, notification_enqueue)
    return created


def endorsement_request_sentence(endorsement: SchoolRoleEndorsement, children: int) -> str:
    """ "Sefton has added Rachel Osei as designated teacher at Darent Vale Academy: allow
    her to see your 2 children?" (the request, as the endorsing authority reads it)."""
    who = endorsement.user.full_name or endorsement.user.email
    role = Role(endorsement.role).label.lower()
    count = f"{children} child" if children == 1 else f"{children} children"
    if endorsement.requested_by_authority_id:
        added = f"{endorsement.requested_by_authority.name} has added {who}"
    else:
        added = f"{who} holds a school role"
    return f"{added} as {role} at {endorsement.school.name}: allow them to see your {count} there?"


def _notify_request(endorsement: SchoolRoleEndorsement, enqueue) -> None:
    authority_id = endorsement.local_authority_id
    with authority_context(local_authority_ids=[authority_id]):
        recipients = [
            m.user
            for m in Membership.objects.active()
            .filter(local_authority_id=authority_id, role=Role.VS_HEAD)
            .select_related("user")
        ] or [
            m.user
            for m in Membership.objects.active()
            .filter(local_authority_id=authority_id, role=Role.LA_ADMIN)
            .select_related("user")
        ]
    who = endorsement.user.full_name or endorsement.user.email
    for recipient in recipients:
        enqueue(
            local_authority_id=authority_id,
            recipient=recipient,
            kind="other",
            dedupe_key=f"endorsement-request:{endorsement.public_id}:{recipient.pk}",
            subject=f"ePEP: can {who} see your children at {endorsement.school.name}?",
            body=(
                f"{who} has been added as {Role(endorsement.role).label.lower()} at "
                f"{endorsement.school.name}, where your authority has children on roll.\n\n"
                "They cannot see your children until your Virtual School allows it. "
                "Sign in to ePEP and open People, then School staff, to decide."
            ),
        )


def _check(actor, endorsement: SchoolRoleEndorsement) -> None:
    if not can_endorse_school_roles(actor, endorsement.local_authority_id):
        raise PermissionDenied("You cannot decide who sees your authority's children.")


@transaction.atomic
def school_role_endorse(*, actor, endorsement: SchoolRoleEndorsement) -> SchoolRoleEndorsement:
    """Allow the person to see this authority's children on roll at the school, from now."""
    _check(actor, endorsement)
    if endorsement.state == State.ENDORSED:
        return endorsement
    # The membership may belong to another authority: read it as the person's own row.
    with authority_context(local_authority_ids=(), user_id=endorsement.user_id):
        membership_active = Membership.objects.filter(
            pk=endorsement.membership_id, is_active=True
        ).exists()
    if not endorsement.user.is_active or not membership_active:
        raise ValidationError("This person no longer holds this school role.")
    _decide(endorsement, State.ENDORSED, actor.user)
    _audit(actor.user, actor.role, "endorse", endorsement)
    return endorsement


@transaction.atomic
def school_role_endorsement_decline(
    *, actor, endorsement: SchoolRoleEndorsement
) -> SchoolRoleEndorsement:
    _check(actor, endorsement)
    if endorsement.state != State.PENDING:
        raise ValidationError("This request has already been decided.")
    _decide(endorsement, State.DECLINED, actor.user)
    _audit(actor.user, actor.role, "endorse_decline", endorsement)
    return endorsement


@transaction.atomic
def school_role_endorsement_withdraw(
    *, actor, endorsement: SchoolRoleEndorsement
) -> SchoolRoleEndorsement:
    """Stop the person seeing this authority's children at the school, today."""
    _check(actor, endorsement)
    if endorsement.state != State.ENDORSED:
        raise ValidationError("This person cannot see your children: nothing to withdraw.")
    _decide(endorsement, State.WITHDRAWN, actor.user)
    _audit(actor.user, actor.role, "endorse_withdraw", endorsement)
    return endorsement


def school_role_allowed_at(*, authority: LocalAuthority, school) -> bool:
    """May ``authority`` add school staff at ``school``? Only where it looks after a child
    on roll, or where the school stands in its area."""
    return school.la_code == authority.code or authority.pk in school_authorities_on_roll(school.pk)


def school_role_endorsements_catch_up(*, school_ids=None) -> int:
    """Ask any authority with children on roll at a school about the school staff already
    there (a child placed after the person was added): called when a child is enrolled,
    and nightly for every school. A system step over every authority's school roles;
    returns how many requests it made."""
    from .context import all_authorities_context

    with all_authorities_context():
        memberships = Membership.objects.active().filter(role__in=[r.value for r in SCHOOL_ROLES])
        if school_ids is not None:
            memberships = memberships.filter(school_id__in=list(school_ids))
        memberships = list(memberships.select_related("user", "school"))
        made = 0
        for membership in memberships:
            made += len(
                school_role_endorsements_request(
                    membership=membership,
                    requested_by_authority_id=membership.local_authority_id,
                )
            )
    return made


#: The authority's PEP policy as its LA administrators and Virtual School Head set it in
#: the portal (``local_authority_policy_update``).
POLICY_SETTINGS = (
    "first_pep_limit",
    "first_pep_unit",
    "review_cadence",
    "max_targets_per_term",
    "in_year_transfers_need_authorisation",
    "finalising_needs_second_person",
    "two_step_optional_under_13",
)

STALE_POLICY_MESSAGE = (
    "Someone else changed these settings since you opened this page. "
    "Check the settings as they are now and make your change again."
)

_POLICY_RANGES = {
    "first_pep_limit": (1, 60, "Enter a number of days from 1 to 60"),
    "max_targets_per_term": (1, 10, "Enter a number of targets from 1 to 10"),
}


def _policy_errors(fields: dict) -> dict[str, str]:
    errors = {}
    for name, (low, high, message) in _POLICY_RANGES.items():
        if name in fields:
            value = fields[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                errors[name] = message
    choices = {
        "first_pep_unit": LocalAuthority.PepDayUnit,
        "review_cadence": LocalAuthority.ReviewCadence,
    }
    for name, kind in choices.items():
        if name in fields and fields[name] not in kind.values:
            errors[name] = "Choose one of the options"
    for name in ("in_year_transfers_need_authorisation", "finalising_needs_second_person"):
        if name in fields and not isinstance(fields[name], bool):
            errors[name] = "Choose yes or no"
    return errors


@transaction.atomic
def local_authority_policy_update(
    *, actor, authority: LocalAuthority, expected_version: int, **fields
) -> tuple[LocalAuthority, list[str]]:
    """Change ``authority``'s PEP policy to ``fields`` (names from ``POLICY_SETTINGS``).

    ``expected_version`` is the ``policy_version`` the person's form was opened at: if
    someone changed the policy since, nothing is written and the change is refused
    (``STALE_POLICY_MESSAGE``). A change is audited with the values before and after, and
    a change of the first-PEP limit or unit or the review cadence works out the
    authority's open deadlines again at once, in this transaction
    (``hooks.authority_policy_changed``). Returns the authority and the names changed."""
    if not can_edit_authority_policy(actor, authority):
        raise PermissionDenied("You cannot change this authority's PEP policy.")
    unknown = set(fields) - set(POLICY_SETTINGS)
    if unknown:
        raise TypeError(f"Not policy settings: {', '.join(sorted(unknown))}")
    errors = _policy_errors(fields)
    if errors:
        raise ValidationError(errors)
    locked = LocalAuthority.objects.select_for_update().get(pk=authority.pk)
    if locked.policy_version != expected_version:
        raise ValidationError(STALE_POLICY_MESSAGE, code="stale")
    changed = [
        name for name in POLICY_SETTINGS if name in fields and getattr(locked, name) != fields[name]
    ]
    if not changed:
        return locked, []
    before = {name: getattr(locked, name) for name in changed}
    for name in changed:
        setattr(locked, name, fields[name])
    locked.full_clean(validate_unique=False)
    locked.policy_version += 1
    locked.save(update_fields=[*changed, "policy_version"])
    audit_record(
        acting_user=actor.user,
        role=actor.role,
        action="update",
        object_type="tenancy.localauthority",
        object_id=str(locked.pk),
        local_authority_id=locked.pk,
        detail={
            "settings": "pep_policy",
            "before": before,
            "after": {name: getattr(locked, name) for name in changed},
        },
    )
    if hooks.POLICY_FIELDS & set(changed):
        hooks.authority_policy_changed(local_authority_id=locked.pk)
    return locked, changed
