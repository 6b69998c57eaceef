"""Writes about children, by entity: ``records`` (the child, enrolments, placements,
allocations, access grants), ``care`` (periods of care: entering and leaving) and
``moves`` (school moves and their authorisation, placement moves, allocations). Each is
one transaction, validated, with its audit event. Every public name is importable from
``children.services``."""

from .care import LEAVING_REASONS, care_enter_again, care_leave, child_add
from .moves import (
    allocation_change,
    is_in_year_transfer,
    placement_move,
    school_add_by_hand,
    school_move,
    school_move_authorise,
    school_move_decline,
    school_move_needs_authorisation,
    school_move_withdraw,
)
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
    "LEAVING_REASONS",
    "care_enter_again",
    "care_leave",
    "child_add",
    "allocation_change",
    "is_in_year_transfer",
    "placement_move",
    "school_add_by_hand",
    "school_move",
    "school_move_authorise",
    "school_move_decline",
    "school_move_withdraw",
    "school_move_needs_authorisation",
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
