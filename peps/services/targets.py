"""SMART targets, their review at the next PEP, and actions."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from epep.tenancy import clock

from .. import permissions
from ..models import (
    Action,
    Pep,
    Target,
)
from ..terms import term_window_start
from ._common import EditConflict, _audit, _require_editable

TARGET_FIELDS = (
    "description",
    "success_measure",
    "responsible",
    "due_date",
    "strategy",
    "expected_outcome",
    "ppplus_cost_pence",
    "child_summary",
)


def _check_due_date(pep: Pep, due: date | None) -> None:
    """A target is due in the PEP's term or later (or, for a PEP planned ahead of its
    term, from today), never before: a date years in the past is a typing slip, and would
    make the target overdue from the start."""
    earliest = min(term_window_start(pep.academic_year, pep.term), clock.today())
    if due is not None and due < earliest:
        raise ValidationError(
            {
                "due_date": (
                    f"The date must be in this PEP's term or later: on or after "
                    f"{earliest.day} {earliest:%B %Y}."
                )
            }
        )


@transaction.atomic
def target_save(
    *, actor, pep: Pep, fields: dict, target: Target | None = None, base_version: int | None = None
) -> Target:
    """Add a SMART target (within the authority's limit per term) or change one."""
    if not permissions.can_edit_targets(actor, pep):
        raise PermissionDenied("You cannot change targets.")
    _require_editable(pep)
    if target is None:
        Pep.objects.select_for_update().get(pk=pep.pk)  # serialise concurrent additions
        limit = pep.local_authority.max_targets_per_term
        if pep.targets.count() >= limit:
            raise ValidationError(
                f"A PEP can have at most {limit} targets a term. Review or remove one first."
            )
        target = Target(local_authority_id=pep.local_authority_id, pep=pep)
        action = "create"
    else:
        target = Target.objects.select_for_update().get(pk=target.pk, pep=pep)
        if base_version is not None and target.version != base_version:
            raise EditConflict(
                key=f"target:{target.public_id}",
                theirs={f: str(getattr(target, f) or "") for f in TARGET_FIELDS},
                their_version=target.version,
                their_author="Someone",
                their_time=None,
                yours={k: str(v) for k, v in fields.items()},
            )
        target.version += 1
        action = "update"
    for name in TARGET_FIELDS:
        if name in fields:
            setattr(target, name, fields[name])
    _check_due_date(pep, target.due_date)
    target.full_clean(exclude=["pep", "reviewed_in", "local_authority"])
    target.save()
    _audit(actor, action, pep, target)
    return target


@transaction.atomic
def target_delete(*, actor, pep: Pep, target: Target) -> None:
    if not permissions.can_edit_targets(actor, pep):
        raise PermissionDenied("You cannot change targets.")
    _require_editable(pep)
    _audit(actor, "delete", pep, target)
    target.delete()


@transaction.atomic
def target_review(*, actor, pep: Pep, target: Target, outcome: str, comment: str) -> Target:
    """At the next PEP, say how each of last term's targets went."""
    if not permissions.can_edit_targets(actor, pep):
        raise PermissionDenied("You cannot review targets.")
    _require_editable(pep)
    if pep.previous_id is None or target.pep_id != pep.previous_id:
        raise ValidationError("Only the previous PEP's targets are reviewed here.")
    if outcome not in Target.Outcome.values:
        raise ValidationError({"outcome": "Choose whether the target was achieved."})
    if not comment.strip():
        raise ValidationError({"outcome_comment": "Add a comment saying how the target went."})
    # Reviewing changes the previous (finalised) PEP's targets only in their outcome
    # columns, recorded against the PEP where the review happened.
    Target.objects.filter(pk=target.pk).update(
        outcome=outcome, outcome_comment=comment.strip(), reviewed_in=pep
    )
    target.refresh_from_db()
    _audit(actor, "review", pep, target, outcome=outcome)
    return target


@transaction.atomic
def action_add(*, actor, pep: Pep, description: str, owner: str, due_date: date) -> Action:
    if not permissions.can_edit_targets(actor, pep):
        raise PermissionDenied("You cannot add actions.")
    _require_editable(pep)
    action = Action(
        local_authority_id=pep.local_authority_id,
        pep=pep,
        description=description.strip(),
        owner=owner.strip(),
        due_date=due_date,
    )
    action.full_clean(exclude=["pep", "local_authority"])
    action.save()
    _audit(actor, "create", pep, action)
    return action
