"""What every PEP write shares: edit conflicts, the audit event, the lock, and what
follows a change (the deadlines)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from epep.audit.services import audit_record

from ..models import (
    EDITABLE_STATUSES,
    Pep,
)


@dataclass
class EditConflict(Exception):
    """Someone else saved this since you opened it."""

    key: str
    theirs: dict
    their_version: int
    their_author: str
    their_time: object
    yours: dict

    def __str__(self) -> str:
        return (
            f"{self.their_author} saved this section while you were editing it. "
            "Both versions are shown: copy what you need into the form and save again."
        )


class StaleState(Exception):
    """The PEP moved on since the page was loaded (for example, a double click)."""


def _audit(actor, action: str, pep: Pep, obj=None, **detail) -> None:
    target = obj or pep
    audit_record(
        acting_user=actor.user,
        role=actor.role,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(getattr(target, "public_id", target.pk)),
        local_authority_id=pep.local_authority_id,
        child_public_id=pep.child.public_id,
        detail={"pep": str(pep.public_id), **detail},
    )


def _deadlines_follow(pep: Pep) -> None:
    """The child's PEP deadlines and tasks follow the change at once, in its transaction."""
    from children.hooks import children_changed

    children_changed(
        child_ids=[pep.child_id], local_authority_id=pep.local_authority_id, robust=True
    )


def _require_editable(pep: Pep) -> None:
    if pep.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"This PEP is {pep.get_status_display().lower()} and cannot be changed. "
            "Changes after finalisation go into the next PEP."
        )
