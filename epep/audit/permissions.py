"""May this actor …? Who may read the audit trail."""

from __future__ import annotations

from epep.tenancy.permissions import is_platform_operator
from epep.tenancy.roles import AUTHORITY_WIDE_ROLES, Role

#: Who reads a child's access log: the Virtual School and the authority's administrators.
ACCESS_LOG_READERS = AUTHORITY_WIDE_ROLES
#: Who reads the whole audit trail in the admin (besides ePEP support).
AUDIT_ADMIN_READERS = frozenset({Role.LA_ADMIN, Role.VS_HEAD})


def can_read_access_logs(actor) -> bool:
    """May ``actor``'s role read access logs at all (the screens behind the log)?"""
    return getattr(actor, "role", None) in ACCESS_LOG_READERS


def can_read_access_log(actor, local_authority_id: int | None = None) -> bool:
    """May ``actor`` read the access log of a child of ``local_authority_id``: only the
    child's own authority (another authority's child seen through a grant is not)."""
    if not can_read_access_logs(actor):
        return False
    return local_authority_id is None or local_authority_id in actor.authority_ids


def can_read_audit_in_admin(actor, obj=None) -> bool:
    """May ``actor`` read the audit trail in the admin (their authority's events under
    row-level security; ePEP support, the platform's)? LA administrators, the Virtual
    School Head and ePEP support."""
    return getattr(actor, "role", None) in AUDIT_ADMIN_READERS or is_platform_operator(actor)
