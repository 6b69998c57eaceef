"""Writing audit events. Call inside the transaction of the change being recorded."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

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
) -> AuditEvent | None:
    """Record an event by ``acting_user`` (who must be the person in this transaction's
    database context: the ``audit_append`` policy admits nothing else), about
    ``local_authority_id`` (one of the context's authorities) or about no authority.

    With no person (a background job, the demo seed, an import) the event is the
    system's: see ``audit_record_system_event``. Returns the event written by a person.
    """
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    if user is None:
        audit_record_system_event(
            action=action,
            object_type=object_type,
            object_id=object_id,
            local_authority_id=local_authority_id,
            child_public_id=child_public_id,
            detail=detail,
        )
        return None
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


def audit_record_system_event(
    *,
    action: str,
    local_authority_id: int | None,
    object_type: str = "",
    object_id: str = "",
    child_public_id: UUID | None = None,
    detail: dict | None = None,
) -> None:
    """Record an event nobody in particular did (role ``system``), in
    ``local_authority_id``, which must be one of the context's authorities.

    The application role cannot insert an event without a person (migration
    ``0005_events_have_an_actor``): the ``SECURITY DEFINER`` function
    ``audit_record_system_event`` writes it, refusing one without an authority, outside
    the context's authorities, or while a person is in the context.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT audit_record_system_event("
            "%s::bigint, %s::text, %s::text, %s::text, %s::uuid, %s::jsonb, %s::timestamptz,"
            " %s::text, %s::text)",
            [
                local_authority_id,
                action,
                object_type,
                object_id,
                child_public_id,
                json.dumps(detail or {}, cls=DjangoJSONEncoder),
                timezone.now(),
                current_request_id.get(),
                current_path.get(),
            ],
        )


_pending: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "pending_audit_events", default=None
)


def _outliving_rollback(write: Callable[[], None]) -> None:
    """Inside a request, queue ``write`` for ``TenantContextMiddleware`` to run after the
    view, in the request's outer transaction; elsewhere run it at once."""
    pending = _pending.get()
    if pending is None:
        write()
    else:
        pending.append(write)


def audit_record_outliving_rollback(**kwargs) -> None:
    """Record an event that must survive the failure it describes (a refused look-up
    raises 404, which rolls the view's transaction back). Inside a request the event is
    written by ``TenantContextMiddleware`` after the view, in the request's outer
    transaction; elsewhere it is written at once."""
    _outliving_rollback(partial(audit_record, **kwargs))


def audit_record_refusal(
    *,
    acting_user,
    role: str | None,
    requested_id: UUID,
    reason: str | None = None,
    object_type: str = "children.child",
) -> None:
    """Record that ``acting_user`` asked for the child ``requested_id`` and was refused.

    A refusal on a real child belongs to that child's Virtual School: the event gets the
    child's authority and ``child_public_id`` (``detail.reason`` "outside circle", or
    ``reason`` if given), so it appears in the child's access log. A refusal on an id that
    is no child gets no authority ("no such child") and stays readable only by the person
    it is about (the ``audit_read`` policy).

    The refused actor's context cannot see the child, and the ``audit_append`` policy only
    admits events for the actor's own authorities; ``INSERT ... RETURNING`` (Django's
    ``.create()``) would also need the new row to be readable. So the row is written by the
    ``SECURITY DEFINER`` function ``audit_record_refusal`` (migration 0004), which works
    out the authority itself and returns nothing: the application can neither choose the
    authority nor read back what it wrote. It is the only function the application role
    may execute (``epep.tenancy.signals``); the look-up it uses,
    ``audit_child_authority``, is not executable by the application at all.

    Any other ``object_type`` that belongs to a child (a PEP, a target, a document, a
    grant, a meeting) goes through ``audit_record_object_refusal`` (migration 0006), whose
    registry finds the object's child: the event names the object and gets the child's
    authority and ``child_public_id``, or no authority ("no such object").

    Like ``audit_record_outliving_rollback``, the write survives the 404 that follows.
    """
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    if object_type != "children.child":
        _record_object_refusal(
            user=user,
            role=role,
            object_type=object_type,
            requested_id=requested_id,
            reason=reason,
        )
        return
    arguments = [
        requested_id,
        user.pk if user else None,
        getattr(user, "email", "") if user else "",
        str(role or ""),
        timezone.now(),
        current_request_id.get(),
        current_path.get(),
        reason,
    ]

    def write() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT audit_record_refusal("
                "%s::uuid, %s::bigint, %s::text, %s::text, %s::timestamptz, %s::text,"
                " %s::text, %s::text)",
                arguments,
            )

    _outliving_rollback(write)


def _record_object_refusal(*, user, role, object_type, requested_id, reason) -> None:
    arguments = [
        object_type,
        requested_id,
        user.pk if user else None,
        getattr(user, "email", "") if user else "",
        str(role or ""),
        timezone.now(),
        current_request_id.get(),
        current_path.get(),
        reason,
    ]

    def write() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT audit_record_object_refusal("
                "%s::text, %s::uuid, %s::bigint, %s::text, %s::text, %s::timestamptz,"
                " %s::text, %s::text, %s::text)",
                arguments,
            )

    _outliving_rollback(write)


def audit_record_for(actor, obj, action: str, *, child=None, **detail) -> AuditEvent | None:
    """Record ``action`` by ``actor`` about ``obj`` (a model instance): its type
    (``app_label.model``), its public id (or primary key), its authority and, when it
    belongs to a child, the child's public id (``child``, else ``obj.child`` when the model
    has one, else ``obj`` itself when it is a child). Keyword arguments become the
    event's detail. Call inside the transaction of the change being recorded."""
    meta = obj._meta
    object_type = meta.label_lower
    object_id = getattr(obj, "public_id", None) or obj.pk
    if child is None:
        if object_type == "children.child":
            child = obj
        elif any(field.name == "child" for field in meta.get_fields()):
            child = obj.child
    authority_id = getattr(obj, "local_authority_id", None)
    if authority_id is None and child is not None:
        authority_id = child.local_authority_id
    return audit_record(
        acting_user=getattr(actor, "user", None),
        role=getattr(actor, "role", None),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        local_authority_id=authority_id,
        child_public_id=child.public_id if child is not None else None,
        detail=detail or None,
    )


@contextmanager
def audit_events_outliving_the_view() -> Iterator[None]:
    token = _pending.set([])
    try:
        yield
        for write in _pending.get():
            write()
    finally:
        _pending.reset(token)
