"""One refusal behaviour for every object a URL names.

Each app's ``access_<entity>_by_id(*, actor, <entity>_id)`` (in its ``selectors.py``)
builds the queryset of what the actor may reach and hands it to :func:`fetch_or_404`:

- found: the object is returned (the caller records its own "view" event if it wants);
- missing or out of reach: ``Http404``, identical either way, and the refusal is recorded
  once (it survives the 404's rollback: see ``epep.audit.services``):

  - an object that belongs to a child (``belongs_to_child=True``: a child, a PEP, a
    target, a document, a grant, a meeting) is recorded in the child's authority with the
    child's public id, so the child's Virtual School sees it in the access log; the
    database finds the child (``audit_record_object_refusal``, migration
    ``epep/audit/migrations/0006_object_refusals.py``: add the object type there), since
    the refused actor cannot read the row;
  - anything else (a person, a membership, an invitation, an endorsement) is recorded in
    the actor's authority when they act for exactly one, else with no authority (readable
    only by the actor).

This module imports no domain app.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404

NOT_FOUND = "Page not found"


def record_refusal(
    *, actor, object_type: str, public_id, belongs_to_child: bool, reason: str | None = None
) -> None:
    """Record once that ``actor`` asked for ``object_type`` ``public_id`` and was refused
    (or it does not exist). Nothing is recorded without a signed-in actor."""
    from epep.audit.services import audit_record_outliving_rollback, audit_record_refusal

    if actor is None or not getattr(actor.user, "is_authenticated", False):
        return
    try:
        requested = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except ValueError:
        requested = None
    if belongs_to_child and requested is not None:
        audit_record_refusal(
            acting_user=actor.user,
            role=actor.role,
            requested_id=requested,
            reason=reason,
            object_type=object_type,
        )
        return
    authorities = getattr(actor, "authorities", ())
    audit_record_outliving_rollback(
        acting_user=actor.user,
        role=actor.role,
        action="access_refused",
        object_type=object_type,
        object_id=str(public_id)[:64],
        local_authority_id=authorities[0].pk if len(authorities) == 1 else None,
        detail={"reason": reason or "no such object or out of reach"},
    )


def refuse(
    *,
    actor,
    object_type: str,
    public_id,
    belongs_to_child: bool = True,
    reason: str | None = None,
    message: str = NOT_FOUND,
) -> Http404:
    """Record the refusal and return the 404 to raise: ``raise refuse(...)``."""
    record_refusal(
        actor=actor,
        object_type=object_type,
        public_id=public_id,
        belongs_to_child=belongs_to_child,
        reason=reason,
    )
    return Http404(message)


def fetch_or_404(
    queryset,
    *,
    actor,
    object_type: str,
    public_id,
    belongs_to_child: bool = True,
    lookup: str = "public_id",
    message: str = NOT_FOUND,
):
    """The object of ``queryset`` (already scoped to what ``actor`` may reach) whose
    ``lookup`` is ``public_id``; else record the refusal and raise the same ``Http404`` a
    missing id gives."""
    obj = None
    if public_id is not None:
        try:
            obj = queryset.filter(**{lookup: public_id}).first()
        except (ValueError, TypeError, ValidationError):
            obj = None
    if obj is None:
        raise refuse(
            actor=actor,
            object_type=object_type,
            public_id=public_id,
            belongs_to_child=belongs_to_child,
            message=message,
        )
    return obj
