"""Writing audit events. Call inside the transaction of the change being recorded."""

from __future__ import annotations

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
