"""Who may do what with the school calendars (terms, closures, submission dates)."""

from __future__ import annotations

from epep.tenancy.permissions import is_platform_operator
from epep.tenancy.roles import AUTHORITY_WIDE_ROLES

#: Who keeps an authority's school calendar (in the admin): its Virtual School and LA
#: administrators.
CALENDAR_EDITORS = AUTHORITY_WIDE_ROLES


def calendar_authority_ids(actor) -> frozenset[int]:
    """The authorities whose calendar ``actor`` may see and change in the admin: their
    own, when they act in a role that keeps the calendar."""
    if actor is None or actor.role not in CALENDAR_EDITORS:
        return frozenset()
    return frozenset(actor.authority_ids)


def can_edit_calendar(actor, local_authority_id: int | None, *, is_superuser: bool = False) -> bool:
    """May ``actor`` add, change or delete the calendar of ``local_authority_id``?
    Platform superusers may change every authority's (term dates are not personal
    data)."""
    return is_superuser or local_authority_id in calendar_authority_ids(actor)


def can_keep_calendars_in_admin(actor, obj=None) -> bool:
    """May ``actor`` see and change calendar rows (``obj``: one of them) in the admin:
    the calendar editors of its authority, or ePEP support (every authority's)."""
    if is_platform_operator(actor):
        return True
    authorities = calendar_authority_ids(actor)
    if obj is None:
        return bool(authorities)
    return obj.local_authority_id in authorities
