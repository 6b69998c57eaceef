"""Writing audit events. Call inside the transaction of the change being recorded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import UUID

from .models import AuditEvent
from .requestid import current_path, current_request_id


def audit_record(
    *,
    acting_user,
    role: str | None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    local_authority_id: int | None = None,
    child_public_id: UUID | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        user=user,
        user_email=getattr(user, "email", "") if user else "",
        role=str(role or ""),
        local_authority_id=local_authority_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        child_public_id=child_public_id,
        request_id=current_request_id.get(),
        path=current_path.get(),
        detail=detail or {},
    )


_pending: ContextVar[list[dict] | None] = ContextVar("pending_audit_events", default=None)


def audit_record_outliving_rollback(**kwargs) -> None:
    """Record an event that must survive the failure it describes (a refused look-up
    raises 404, which rolls the view's transaction back). Inside a request the event is
    written by ``TenantContextMiddleware`` after the view, in the request's outer
    transaction; elsewhere it is written at once."""
    pending = _pending.get()
    if pending is None:
        audit_record(**kwargs)
    else:
        pending.append(kwargs)


@contextmanager
def audit_events_outliving_the_view() -> Iterator[None]:
    token = _pending.set([])
    try:
        yield
        for kwargs in _pending.get():
            audit_record(**kwargs)
    finally:
        _pending.reset(token)
