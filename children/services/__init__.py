"""Writes about children, by entity: ``records`` (the child, enrolments, placements,
allocations, access grants), ``care`` (periods of care: entering and leaving) and
``moves`` (school moves and their authorisation, placement moves, allocations). Each is
one transaction, validated, with its audit event. Every public name is importable from
``children.services``."""

from .records import (
    VIEW_CHILD,
    _view_child_permission,
    allocation_start,
    child_access_delegate,
    child_access_grant,
    child_access_revoke,
    child_create,
    enrolment_end,
    enrolment_start,
    placement_start,
)

__all__ = [
    "VIEW_CHILD",
    "_view_child_permission",
    "allocation_start",
    "child_access_delegate",
    "child_access_grant",
    "child_access_revoke",
    "child_create",
    "enrolment_end",
    "enrolment_start",
    "placement_start",
]
