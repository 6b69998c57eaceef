"""Writes about children. Each is one transaction, validated, with its audit event."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from epep.audit.services import audit_record
from epep.tenancy import clock
from epep.tenancy.roles import PROFESSIONAL_ROLES, SCHOOL_ROLES
from epep.tenancy.selectors import roles_held_by, school_role_holders
from epep.tenancy.services import school_role_endorsements_catch_up

from .. import hooks, permissions
from ..models import Allocation, Child, ChildAccessGrant, Enrolment, Placement, PlacementCarer
from ..permissions import Actor, today

VIEW_CHILD = ("children", "view_child")


def _view_child_permission() -> Permission:
    return Permission.objects.get(content_type__app_label=VIEW_CHILD[0], codename=VIEW_CHILD[1])


def _audit_change(actor: Actor | None, action: str, obj, child: Child, **detail) -> None:
    audit_record(
        acting_user=actor.user if actor else None,
        role=actor.role if actor else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(getattr(obj, "public_id", obj.pk)),
        local_authority_id=child.local_authority_id,
        child_public_id=child.public_id,
        detail=detail,
    )


def _deadlines_follow(child: Child) -> None:
    """What is worked out from the child's records (the PEP deadlines and tasks) follows
    the change at once, in its transaction (``children.hooks``)."""
    hooks.children_changed(
        child_ids=[child.pk], local_authority_id=child.local_authority_id, robust=True
    )


@transaction.atomic
def child_create(*, actor: Actor | None, **fields) -> Child:
    from .care import first_period_for

    child = Child(**fields)
    child.full_clean()
    child.save()
    first_period_for(child)
    _audit_change(actor, "create", child, child)
    _deadlines_follow(child)
    return child


@transaction.atomic
def enrolment_start(
    *, actor: Actor | None, child: Child, school, start_date: date, end_date: date | None = None
) -> Enrolment:
    enrolment = Enrolment(
        child=child,
        local_authority_id=child.local_authority_id,
        school=school,
        start_date=start_date,
        end_date=end_date,
    )
    enrolment.full_clean()
    enrolment.save()
    _audit_change(actor, "create", enrolment, child, school_urn=school.urn)
    _deadlines_follow(child)
    # The authority's first child at a school with staff in post: it is asked about them.
    school_role_endorsements_catch_up(school_ids=[school.pk])
    return enrolment


@transaction.atomic
def enrolment_end(*, actor: Actor | None, enrolment: Enrolment, end_date: date) -> Enrolment:
    enrolment.end_date = end_date
    enrolment.full_clean()
    enrolment.save(update_fields=["end_date"])
    _audit_change(actor, "update", enrolment, enrolment.child, end_date=end_date.isoformat())
    _deadlines_follow(enrolment.child)
    return enrolment


@transaction.atomic
def placement_start(
    *,
    actor: Actor | None,
    child: Child,
    placement_type: str,
    carers: list,
    start_date: date,
    end_date: date | None = None,
) -> Placement:
    placement = Placement(
        child=child,
        local_authority_id=child.local_authority_id,
        placement_type=placement_type,
        start_date=start_date,
        end_date=end_date,
    )
    placement.full_clean()
    placement.save()
    PlacementCarer.objects.bulk_create(
        PlacementCarer(placement=placement, user=carer, local_authority_id=child.local_authority_id)
        for carer in carers
    )
    _audit_change(actor, "create", placement, child, carers=[c.email for c in carers])
    _deadlines_follow(child)
    return placement


@transaction.atomic
def allocation_start(
    *,
    actor: Actor | None,
    child: Child,
    worker,
    kind: str,
    start_date: date,
    end_date: date | None = None,
) -> Allocation:
    allocation = Allocation(
        child=child,
        local_authority_id=child.local_authority_id,
        worker=worker,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
    )
    allocation.full_clean()
    allocation.save()
    _audit_change(actor, "create", allocation, child, worker=worker.email, kind=kind)
    _deadlines_follow(child)
    return allocation


def _check_expiry(expires_on: date) -> None:
    if expires_on <= today():
        raise ValidationError({"expires_on": "The access must end after today."})
    if (expires_on - today()).days > 366:
        raise ValidationError({"expires_on": "Access can be given for at most a year at a time."})


@transaction.atomic
def child_access_delegate(
    *, actor: Actor, child: Child, colleague, reason: str, expires_on: date
) -> ChildAccessGrant:
    """A designated teacher shares a named child with a colleague at the same school.
    The grant only works while the child is on roll at that school."""
    if not permissions.can_delegate_access(actor, child):
        raise PermissionDenied("Only a designated teacher can share a child with a colleague.")
    school_ids = set(
        Enrolment.objects.filter(
            child=child, school_id__in=actor.school_ids, start_date__lte=today()
        )
        .exclude(end_date__lte=today())
        .values_list("school_id", flat=True)
    )
    if not school_ids:
        raise PermissionDenied("This child is not on roll at your school.")
    school_id = min(school_ids)
    if colleague.pk == actor.user_id:
        raise ValidationError({"colleague": "Choose a colleague, not yourself."})
    if (
        not school_role_holders(
            school_ids=[school_id], authority_id=child.local_authority_id, roles=SCHOOL_ROLES
        )
        .filter(pk=colleague.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "colleague": "This person does not work at the child's school, or the "
                "child's Virtual School has not allowed them to see its children."
            }
        )
    return _grant(actor, child, colleague, reason, expires_on, school_id=school_id)


@transaction.atomic
def child_access_grant(
    *, actor: Actor, child: Child, grantee, reason: str, expires_on: date
) -> ChildAccessGrant:
    """The Virtual School grants a named professional access to one child."""
    if not permissions.can_grant_access(actor, child):
        raise PermissionDenied("Only the child's Virtual School can give access to a child.")
    if not roles_held_by(grantee) & PROFESSIONAL_ROLES:
        raise ValidationError(
            {"email": "Access can only be given to a professional with an account."}
        )
    return _grant(actor, child, grantee, reason, expires_on, school_id=None)


def _grant(actor, child, user, reason, expires_on, *, school_id) -> ChildAccessGrant:
    if not reason.strip():
        raise ValidationError({"reason": "Say why this person needs to see the child's record."})
    _check_expiry(expires_on)
    if ChildAccessGrant.objects.filter(
        content_object=child, user=user, revoked_at__isnull=True, expires_on__gt=today()
    ).exists():
        raise ValidationError({"__all__": f"{user} can already see this child."})
    # A lapsed grant that was never revoked would block the new one: close it first.
    ChildAccessGrant.objects.filter(
        content_object=child, user=user, revoked_at__isnull=True
    ).update(revoked_at=clock.now(), revoked_by=actor.user)
    grant = ChildAccessGrant(
        content_object=child,
        user=user,
        permission=_view_child_permission(),
        local_authority_id=child.local_authority_id,
        school_id=school_id,
        reason=reason.strip(),
        granted_by=actor.user,
        expires_on=expires_on,
    )
    grant.full_clean()
    grant.save()
    _audit_change(
        actor, "grant", grant, child, grantee=user.email, expires_on=expires_on.isoformat()
    )
    return grant


@transaction.atomic
def child_access_revoke(*, actor: Actor, grant: ChildAccessGrant) -> ChildAccessGrant:
    if not permissions.can_revoke_grant(actor, grant):
        raise PermissionDenied("You cannot withdraw this access.")
    if grant.revoked_at is None:
        grant.revoked_at = clock.now()
        grant.revoked_by = actor.user
        grant.save(update_fields=["revoked_at", "revoked_by"])
        _audit_change(actor, "revoke", grant, grant.content_object, grantee=grant.user.email)
    return grant
