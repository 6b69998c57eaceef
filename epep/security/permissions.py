"""May this actor …? Who sees and ends people's signed-in sessions."""

from __future__ import annotations

from epep.tenancy.permissions import is_platform_operator


def can_manage_sessions_in_admin(actor, obj=None) -> bool:
    """May ``actor`` see signed-in sessions and end them in the admin? ePEP support."""
    return is_platform_operator(actor)
