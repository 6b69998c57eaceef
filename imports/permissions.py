"""Who may bring data in (and take it out): every "may this actor …" of the imports app."""

from __future__ import annotations

from epep.tenancy.actor import Actor
from epep.tenancy.roles import AUTHORITY_WIDE_ROLES, VIRTUAL_SCHOOL_ROLES, Role


def can_import_ssda903(actor: Actor | None) -> bool:
    """May ``actor`` import their authority's SSDA903 extract (children in care, their
    periods of care, placements and legal status)? The Virtual School (head and
    officers) and the authority's administrators."""
    return getattr(actor, "role", None) in AUTHORITY_WIDE_ROLES and bool(
        getattr(actor, "authority_ids", None)
    )


def can_export_children_data(actor: Actor | None) -> bool:
    """May ``actor`` download their authority's children with PEP status, last PEP date
    and next deadline (data out, for the case-management system)? The Virtual School and
    the authority's administrators."""
    return getattr(actor, "role", None) in AUTHORITY_WIDE_ROLES and bool(
        getattr(actor, "authority_ids", None)
    )


#: Who uploads a school's attendance and attainment file: the designated teacher (their
#: school's children they may see) and the Virtual School (many schools at once).
SCHOOL_DATA_UPLOADERS = frozenset({Role.DESIGNATED_TEACHER}) | VIRTUAL_SCHOOL_ROLES


def can_upload_school_data(actor: Actor | None) -> bool:
    """May ``actor`` upload attendance and attainment by UPN, for the children they may
    see (``children.selectors.children_for``)?"""
    return getattr(actor, "role", None) in SCHOOL_DATA_UPLOADERS
