"""Children coming into care, leaving it and entering it again (periods of care).

``Child.entered_care_on`` and ``left_care_on`` are the latest period's dates: everything
else (deadlines, lists, visibility) reads them, and these services keep them in step with
the :class:`~children.models.CarePeriod` rows. Each write is one transaction, validated,
with its audit event, and the child's deadlines follow at once."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from epep.tenancy.roles import Role
from epep.tenancy.selectors import people_in_role

from .. import permissions, selectors
from ..models import Allocation, CarePeriod, Child, WorkerRole, current_on
from ..permissions import Actor, today
from .records import _audit_change, _deadlines_follow

#: The reasons a period of care ends (SSDA903 REC codes; X1 is not one of them).
LEAVING_REASONS = CarePeriod.LeavingReason

_X1 = (
    "X1 is not a reason for leaving care: a new episode began the same day, so the child "
    "is still in care."
)


def _is_allocated_social_worker(actor: Actor, child: Child) -> bool:
    return Allocation.objects.filter(
        current_on(today()), child=child, worker_id=actor.user_id, kind=WorkerRole.SOCIAL_WORKER
    ).exists()


def _check_may_record_care(actor: Actor, child: Child) -> None:
    if not permissions.can_record_care(actor, child):
        raise PermissionDenied("You cannot record this child's care.")
    if not permissions.can_record_care_of_any_child(actor) and not _is_allocated_social_worker(
        actor, child
    ):
        raise PermissionDenied("Only the child's own social worker can record their care.")


def first_period_for(child: Child, *, reason_ended: str = "") -> CarePeriod:
    """The period of care a newly recorded child's dates describe (saved)."""
    ended = child.left_care_on
    if ended is not None and ended <= child.entered_care_on:
        raise ValidationError(
            {"left_care_on": "The date the child left care must be after the date they entered."}
        )
    period = CarePeriod(
        child=child,
        local_authority_id=child.local_authority_id,
        started_on=child.entered_care_on,
        ended_on=ended,
        reason_ended=(reason_ended or CarePeriod.LeavingReason.E8) if ended else "",
    )
    period.full_clean()
    period.save()
    return period


def _full_clean_beside_fields(child: Child) -> None:
    """``full_clean``, with the unique UPN and ULN messages beside their fields."""
    try:
        child.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict({})
        for message in list(errors.get("__all__", [])):
            text = " ".join(message) if isinstance(message, ValidationError) else str(message)
            for field in ("UPN", "ULN"):
                if f"has this {field}" in text:
                    errors["__all__"].remove(message)
                    errors.setdefault(field.lower(), []).append(message)
        if not errors.get("__all__"):
            errors.pop("__all__", None)
        raise ValidationError(errors) from None


@transaction.atomic
def child_add(
    *, actor: Actor, social_worker=None, confirmed_not_duplicate: bool = False, **fields
) -> Child:
    """Record a child the actor's authority has taken into care, with their first period
    of care. A social worker adding a child becomes the child's social worker from the day
    they entered care; anyone else may name one of the authority's social workers.

    Before creating, the authority's children with the same UPN, or the same names and
    date of birth, are looked for: unless ``confirmed_not_duplicate``, finding any is a
    ``ValidationError`` on ``confirmed_not_duplicate`` (the screen lists them and asks)."""
    if not permissions.can_add_child(actor):
        raise PermissionDenied("You cannot add a child.")
    authority_ids = sorted(actor.authority_ids)
    if not authority_ids:
        raise PermissionDenied("You act for no authority.")
    fields.pop("left_care_on", None)
    fields.setdefault("local_authority_id", authority_ids[0])
    if fields["local_authority_id"] not in authority_ids:
        raise PermissionDenied("You cannot add a child to another authority.")
    child = Child(**fields)
    child.upn = (child.upn or "").strip().upper()
    if not confirmed_not_duplicate and selectors.possible_duplicates(
        actor=actor,
        upn=child.upn,
        first=child.legal_first_name,
        last=child.legal_last_name,
        dob=child.date_of_birth,
    ):
        raise ValidationError(
            {
                "confirmed_not_duplicate": ValidationError(
                    "A child with the same UPN, or the same names and date of birth, is "
                    "already recorded: check it is a different child.",
                    code="possible_duplicate",
                )
            }
        )
    _full_clean_beside_fields(child)
    chooses = permissions.can_choose_social_worker(actor)
    worker = social_worker if chooses else actor.user
    if worker is not None and chooses:
        workers = people_in_role(
            authority_id=child.local_authority_id, role=Role.SOCIAL_WORKER
        ).filter(pk=worker.pk)
        if not workers.exists():
            raise ValidationError(
                {"social_worker": "Choose one of the authority's social workers."}
            )
    child.save()
    first_period_for(child)
    if worker is not None:
        allocation = Allocation(
            child=child,
            local_authority_id=child.local_authority_id,
            worker=worker,
            kind=WorkerRole.SOCIAL_WORKER,
            start_date=child.entered_care_on,
        )
        allocation.full_clean()
        allocation.save()
    _audit_change(
        actor,
        "create",
        child,
        child,
        entered_care_on=child.entered_care_on.isoformat(),
        social_worker=worker.email if worker else "",
        confirmed_not_duplicate=confirmed_not_duplicate,
    )
    _deadlines_follow(child)
    return child


def _open_period(child: Child) -> CarePeriod | None:
    """The child's open period of care (locked). A record made without periods (before
    they were kept) gets one from its dates first."""
    periods = list(child.care_periods.select_for_update())
    if not periods:
        periods = [first_period_for(child)]
    return next((p for p in periods if p.ended_on is None), None)


@transaction.atomic
def care_leave(*, actor: Actor, child: Child, left_on: date | None, reason: str) -> CarePeriod:
    """Record ``child`` leaving care on ``left_on`` for ``reason`` (an SSDA903 REC code).
    The child becomes a former child in care: only the Virtual School still sees them,
    and they have no PEP deadlines or tasks from then on."""
    _check_may_record_care(actor, child)
    period = _open_period(child)
    errors = {}
    if period is None:
        raise ValidationError({"left_on": "This child has already left care."})
    if left_on is None:
        errors["left_on"] = "Enter the date the child left care."
    elif left_on > today():
        errors["left_on"] = "The date the child left care must be today or in the past."
    elif left_on <= period.started_on:
        errors["left_on"] = (
            "The date the child left care must be after the date they entered care "
            f"({period.started_on:%-d %B %Y})."
        )
    if reason == "X1":
        errors["reason"] = _X1
    elif reason not in LEAVING_REASONS.values:
        errors["reason"] = "Choose the reason the child left care."
    if errors:
        raise ValidationError(errors)
    period.ended_on = left_on
    period.reason_ended = reason
    period.full_clean()
    period.save(update_fields=["ended_on", "reason_ended"])
    child.left_care_on = left_on
    child.save(update_fields=["left_care_on", "updated_at"])
    _audit_change(
        actor, "update", period, child, left_care_on=left_on.isoformat(), reason_ended=reason
    )
    _deadlines_follow(child)
    return period


@transaction.atomic
def care_enter_again(*, actor: Actor, child: Child, entered_on: date | None) -> CarePeriod:
    """Record a former child in care entering care again on ``entered_on``: a new period
    of care, whose obligations (first PEP, reviews) are the only ones that count now."""
    _check_may_record_care(actor, child)
    if _open_period(child) is not None:
        raise ValidationError({"entered_on": "This child is already in care."})
    last = child.care_periods.order_by("-started_on").first()
    if last is None or last.ended_on is None:
        raise ValidationError({"entered_on": "This child is already in care."})
    error = None
    if entered_on is None:
        error = "Enter the date the child entered care again."
    elif entered_on > today():
        error = "The date the child entered care again must be today or in the past."
    elif entered_on <= last.ended_on:
        error = (
            "The date the child entered care again must be after the date they left care "
            f"({last.ended_on:%-d %B %Y})."
        )
    if error:
        raise ValidationError({"entered_on": error})
    period = CarePeriod(
        child=child, local_authority_id=child.local_authority_id, started_on=entered_on
    )
    period.full_clean()
    period.save()
    child.entered_care_on = entered_on
    child.left_care_on = None
    child.save(update_fields=["entered_care_on", "left_care_on", "updated_at"])
    _audit_change(actor, "create", period, child, entered_care_on=entered_on.isoformat())
    _deadlines_follow(child)
    return period
