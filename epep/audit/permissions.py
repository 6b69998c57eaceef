"""May this actor …? Who may read the audit trail."""

from __future__ import annotations

from epep.tenancy.roles import AUTHORITY_WIDE_ROLES

#: Who reads a child's access log: the Virtual School and the authority's administrators.
ACCESS_LOG_READERS = AUTHORITY_WIDE_ROLES


def can_read_access_logs(actor) -> bool:
    """May ``actor``'s role read access logs at all (the screens behind the log)?"""
    return getattr(actor, "role", None) in ACCESS_LOG_READERS


def can_read_access_log(actor, local_authority_id: int | None = None) -> bool:
    """May ``actor`` read the access log of a child of ``local_authority_id``: only the
    child's own authority (another authority's child seen through a grant is not)."""
    if not can_read_access_logs(actor):
        return False
    return local_authority_id is None or local_authority_id in actor.authority_ids
