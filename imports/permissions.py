"""Who may bring data in (and take it out): every "may this actor …" of the imports app."""

from __future__ import annotations

from epep.tenancy.actor import Actor
from epep.tenancy.roles import AUTHORITY_WIDE_ROLES


def can_import_ssda903(actor: Actor | None) -> bool:
    """May ``actor`` import their authority's SSDA903 extract (children in care, their
    periods of care, placements and legal status)? The Virtual School (head and
    officers) and the authority's administrators."""
    return getattr(actor, "role", None) in AUTHORITY_WIDE_ROLES and bool(
        getattr(actor, "authority_ids", None)
    )
