"""Moves: a child's school (with the Virtual School's authorisation of in-year transfers
when the authority's policy asks for it), placement and allocated workers, and schools
added by hand. Each move ends the current record and starts the next on the same day
(the end date is the first day no longer covered): no gap, no overlap. Each is one
transaction, with its audit events and the ``children_changed`` hook (so the new-school
and new-placement PEP deadlines follow at once)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from epep.audit.services import audit_record
from epep.tenancy import clock
from epep.tenancy.models import Membership
from epep.tenancy.roles import VIRTUAL_SCHOOL_ROLES, Role
from epep.tenancy.selectors import people_in_role
from epep.tenancy.services import school_role_endorsements_catch_up

from .. import hooks, permissions
from ..models import (
    Allocation,
    Child,
    Enrolment,
    Placement,
    PlacementCarer,
    School,
    SchoolMoveRequest,
    WorkerRole,
    urn_validator,
)
from ..permissions import Actor
from .records import _audit_change, _deadlines_follow

#: A move starting in this window (1 August to 10 September) is a move at the start of
#: the school year, not an in-year transfer: the autumn term starts in the first fortnight
#: of September everywhere in England.
YEAR_START_WINDOW = ((8, 1), (9, 10))


def is_in_year_transfer(start_date: date) -> bool:
    """Does a move from one school to another starting on ``start_date`` happen during
    the school year (so the authority's policy may ask the Virtual School to authorise it)?"""
    (from_month, from_day), (to_month, to_day) = YEAR_START_WINDOW
    day = (start_date.month, start_date.day)
    return not ((from_month, from_day) <= day <= (to_month, to_day))


def _current_record(queryset, start_date: date, field: str = "start_date"):
    """The record the move ends: the one covering ``start_date``. A record starting on or
    after ``start_date`` means the date is too early (the move would overlap it)."""
    later = queryset.filter(start_date__gte=start_date).order_by("start_date").first()
    if later is not None:
        raise ValidationError(
            {
                field: "The move must start after the current one started "
                f"({later.start_date:%-d %B %Y})."
            }
        )
    return (
        queryset.filter(Q(end_date__isnull=True) | Q(end_date__gt=start_date))
        .order_by("-start_date")
        .first()
    )


def _end(actor, record, end_date: date, child: Child) -> None:
    record.end_date = end_date
    record.full_clean()
    record.save(update_fields=["end_date"])
    _audit_change(actor, "update", record, child, end_date=end_date.isoformat(), move=True)


def _check_date(start_date) -> None:
    if start_date is None:
        raise ValidationError({"start_date": "Enter the date the move starts."})


# --- School moves -------------------------------------------------------------------------


def _current_enrolment(child: Child, start_date: date) -> Enrolment | None:
    return _current_record(Enrolment.objects.filter(child=child), start_date)


def _check_school_move(child: Child, school, start_date) -> Enrolment | None:
    if school is None:
        raise ValidationError({"school": "Choose the new school."})
    _check_date(start_date)
    current = _current_enrolment(child, start_date)
    if current is not None and current.school_id == school.pk:
        raise ValidationError({"school": f"The child is already at {school.name}."})
    return current


def _move(actor, child: Child, current: Enrolment | None, school, start_date) -> Enrolment:
    if current is not None:
        _end(actor, current, start_date, child)
    enrolment = Enrolment(
        child=child,
        local_authority_id=child.local_authority_id,
        school=school,
        start_date=start_date,
    )
    enrolment.full_clean()
    enrolment.save()
    _audit_change(
        actor,
        "create",
        enrolment,
        child,
        school=school.urn or school.name,
        from_school=current.school.urn or current.school.name if current else None,
        move=True,
    )
    if current is not None:
        hooks.school_moved(
            actor=actor,
            child_id=child.pk,
            local_authority_id=child.local_authority_id,
            from_school_id=current.school_id,
            to_school_id=school.pk,
            on=start_date,
        )
    _deadlines_follow(child)
    school_role_endorsements_catch_up(school_ids=[school.pk])
    return enrolment


def school_move_needs_authorisation(*, actor: Actor, child: Child, start_date: date) -> bool:
    """Would a move of ``child`` by ``actor`` starting on ``start_date`` wait for the
    Virtual School? When the authority's policy says so, for an in-year transfer from a
    school (a first school place is never a transfer), unless the actor is the Virtual
    School itself."""
    if permissions.can_move_school_without_authorisation(actor, child):
        return False
    if not child.local_authority.in_year_transfers_need_authorisation:
        return False
    if not is_in_year_transfer(start_date):
        return False
    return _current_enrolment(child, start_date) is not None


def _notify_virtual_school(move: SchoolMoveRequest) -> None:
    """One email per Virtual School member of staff, through the outbox."""
    from epep.notifications.models import NotificationKind
    from epep.notifications.services import notification_enqueue

    staff = Membership.objects.active().filter(
        local_authority_id=move.local_authority_id,
        role__in=sorted(r.value for r in VIRTUAL_SCHOOL_ROLES),
    )
    for membership in staff.select_related("user").order_by("pk"):
        notification_enqueue(
            local_authority_id=move.local_authority_id,
            recipient=membership.user,
            kind=NotificationKind.OTHER,
            dedupe_key=f"school-move:{move.public_id}:{membership.user_id}",
            subject="ePEP: a school move is waiting for your authorisation",
            body=(
                f"{move.requested_by.full_name} has asked to move a child to "
                f"{move.to_school.name} from {move.start_date:%-d %B %Y}. This in-year "
                f"transfer needs the Virtual School's authorisation.\n\n"
                "Sign in to ePEP: your Virtual School home lists the school moves "
                "waiting for authorisation.\n"
            ),
        )


@transaction.atomic
def school_move(*, actor: Actor, child: Child, school: School, start_date: date):
    """Move ``child`` to ``school`` from ``start_date``: the current enrolment ends on
    that date and the new one starts on it. Returns the new ``Enrolment``, or the pending
    ``SchoolMoveRequest`` when the move needs the Virtual School's authorisation first
    (:func:`school_move_needs_authorisation`)."""
    if not permissions.can_move_school(actor, child):
        raise PermissionDenied("You cannot move this child's school.")
    current = _check_school_move(child, school, start_date)
    if SchoolMoveRequest.objects.filter(
        child=child, status=SchoolMoveRequest.Status.PENDING
    ).exists():
        raise ValidationError(
            {"school": "This child already has a school move waiting for authorisation."}
        )
    if not school_move_needs_authorisation(actor=actor, child=child, start_date=start_date):
        return _move(actor, child, current, school, start_date)
    move = SchoolMoveRequest(
        local_authority_id=child.local_authority_id,
        child=child,
        from_enrolment=current,
        to_school=school,
        start_date=start_date,
        requested_by=actor.user,
    )
    move.full_clean()
    move.save()
    _audit_change(
        actor, "request", move, child, school=school.urn or school.name, start=str(start_date)
    )
    _notify_virtual_school(move)
    return move


def _decide(actor, move: SchoolMoveRequest) -> None:
    if not permissions.can_authorise_school_move(actor, move):
        raise PermissionDenied("Only the child's Virtual School can decide on this move.")
    if move.status != SchoolMoveRequest.Status.PENDING:
        raise ValidationError(
            {"__all__": f"This move has already been decided: {move.get_status_display()}."}
        )


@transaction.atomic
def school_move_authorise(*, actor: Actor, request: SchoolMoveRequest) -> Enrolment:
    """The Virtual School authorises a requested move: it is made as asked."""
    move = SchoolMoveRequest.objects.select_for_update().get(pk=request.pk)
    _decide(actor, move)
    child = move.child
    current = _check_school_move(child, move.to_school, move.start_date)
    enrolment = _move(actor, child, current, move.to_school, move.start_date)
    move.status = SchoolMoveRequest.Status.AUTHORISED
    move.decided_by = actor.user
    move.decided_at = clock.now()
    move.save(update_fields=["status", "decided_by", "decided_at"])
    _audit_change(actor, "authorise", move, child)
    request.status, request.decided_by, request.decided_at = (
        move.status,
        move.decided_by,
        move.decided_at,
    )
    return enrolment


@transaction.atomic
def school_move_decline(*, actor: Actor, request: SchoolMoveRequest, reason: str):
    """The Virtual School declines a requested move, saying why: nothing moves."""
    move = SchoolMoveRequest.objects.select_for_update().get(pk=request.pk)
    _decide(actor, move)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the move is declined."})
    move.status = SchoolMoveRequest.Status.DECLINED
    move.decided_by = actor.user
    move.decided_at = clock.now()
    move.decline_reason = reason
    move.full_clean()
    move.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
    _audit_change(actor, "decline", move, move.child, reason=reason)
    request.status, request.decline_reason = move.status, move.decline_reason
    return move


@transaction.atomic
def school_move_withdraw(*, actor: Actor, request: SchoolMoveRequest) -> SchoolMoveRequest:
    """The person who asked for a school move, or the Virtual School, withdraws it while
    it waits: nothing moves, and the child may be asked to move again."""
    move = SchoolMoveRequest.objects.select_for_update().get(pk=request.pk)
    if not permissions.can_withdraw_school_move(actor, move):
        raise PermissionDenied("Only the person who asked or the Virtual School can withdraw it.")
    if move.status != SchoolMoveRequest.Status.PENDING:
        raise ValidationError(
            {"__all__": f"This move has already been decided: {move.get_status_display()}."}
        )
    move.status = SchoolMoveRequest.Status.WITHDRAWN
    move.decided_by = actor.user
    move.decided_at = clock.now()
    move.save(update_fields=["status", "decided_by", "decided_at"])
    _audit_change(actor, "withdraw", move, move.child)
    request.status = move.status
    return move


# --- Schools added by hand ------------------------------------------------------------------


@transaction.atomic
def school_add_by_hand(
    *,
    actor: Actor,
    name: str,
    phase: str,
    type: str,
    postcode: str = "",
    la_code: str = "",
    urn: str | None = None,
) -> School:
    """The Virtual School adds a school not on the shared list (an independent school, a
    school outside England: no LA code), marked as added by hand. A URN is optional."""
    if not permissions.can_add_school(actor):
        raise PermissionDenied("Only the Virtual School can add a school.")
    authority = actor.authorities[0]
    urn = (urn or "").strip() or None
    errors = {}
    if urn is not None:
        try:
            urn_validator(urn)
        except ValidationError as error:
            errors["urn"] = error.messages[0]
        else:
            if School.objects.filter(urn=urn).exists():
                errors["urn"] = (
                    f"A school with URN {urn} is already on the list: search for it instead."
                )
    if errors:
        raise ValidationError(errors)
    school = School(
        name=" ".join((name or "").split()),
        phase=phase,
        type=type,
        postcode=" ".join((postcode or "").upper().split()),
        la_code=(la_code or "").strip(),
        urn=urn,
        added_by_hand=True,
        added_by=actor.user,
        added_by_authority=authority,
    )
    school.full_clean()
    school.save()
    audit_record(
        acting_user=actor.user,
        role=actor.role,
        action="create",
        object_type="children.school",
        object_id=str(school.public_id),
        local_authority_id=authority.pk,
        detail={"name": school.name, "urn": urn, "added_by_hand": True},
    )
    return school


# --- Placement moves and allocations --------------------------------------------------------


def _check_people(authority_id: int, people, role: Role, field: str) -> None:
    ids = {person.pk for person in people}
    known = set(
        people_in_role(authority_id=authority_id, role=role)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    if ids - known:
        raise ValidationError({field: f"Choose from the authority's {role.label.lower()}s."})


@transaction.atomic
def placement_move(
    *, actor: Actor, child: Child, placement_type: str, carers, start_date: date
) -> Placement:
    """Move ``child`` to a new placement from ``start_date`` with ``carers`` (people the
    authority has as carers; a carer invited by email is linked when they accept): the
    current placement ends that day."""
    if not permissions.can_move_placement(actor, child):
        raise PermissionDenied("You cannot move this child's placement.")
    if placement_type not in Placement.Type.values:
        raise ValidationError({"placement_type": "Choose the type of placement."})
    _check_date(start_date)
    carers = list(carers or ())
    _check_people(child.local_authority_id, carers, Role.CARER, "carers")
    current = _current_record(Placement.objects.filter(child=child), start_date)
    if current is not None:
        _end(actor, current, start_date, child)
    placement = Placement(
        child=child,
        local_authority_id=child.local_authority_id,
        placement_type=placement_type,
        start_date=start_date,
    )
    placement.full_clean()
    placement.save()
    PlacementCarer.objects.bulk_create(
        PlacementCarer(placement=placement, user=carer, local_authority_id=child.local_authority_id)
        for carer in carers
    )
    _audit_change(actor, "create", placement, child, carers=[c.email for c in carers], move=True)
    _deadlines_follow(child)
    return placement


@transaction.atomic
def allocation_change(
    *, actor: Actor, child: Child, kind: str, worker, start_date: date
) -> Allocation:
    """Allocate ``worker`` to ``child`` as their ``kind`` (social worker, IRO, personal
    adviser) from ``start_date``: the current allocation of that kind ends that day."""
    if not permissions.can_change_allocation(actor, child):
        raise PermissionDenied("You cannot change this child's workers.")
    if kind not in WorkerRole.values:
        raise ValidationError({"kind": "Choose which worker changes."})
    role = Role(kind)
    if worker is None:
        raise ValidationError({"worker": f"Choose the new {role.label.lower()}."})
    _check_date(start_date)
    _check_people(child.local_authority_id, [worker], role, "worker")
    current = _current_record(Allocation.objects.filter(child=child, kind=kind), start_date)
    if current is not None and current.worker_id == worker.pk:
        raise ValidationError(
            {"worker": f"{worker.full_name} is already this child's {role.label.lower()}."}
        )
    if current is not None:
        _end(actor, current, start_date, child)
    allocation = Allocation(
        child=child,
        local_authority_id=child.local_authority_id,
        worker=worker,
        kind=kind,
        start_date=start_date,
    )
    allocation.full_clean()
    allocation.save()
    _audit_change(actor, "create", allocation, child, worker=worker.email, kind=kind, move=True)
    _deadlines_follow(child)
    return allocation
