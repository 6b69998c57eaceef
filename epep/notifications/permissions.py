"""May this actor …? Who reads the notification outbox."""

from __future__ import annotations

from epep.tenancy.permissions import is_platform_operator


def can_view_outbox_in_admin(actor, obj=None) -> bool:
    """May ``actor`` read the outbox and people's notification preferences in the admin?
    ePEP support (the operators' console)."""
    return is_platform_operator(actor)
