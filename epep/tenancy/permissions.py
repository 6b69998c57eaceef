"""May this actor …? Questions about memberships and school-role endorsements."""

from __future__ import annotations

from .roles import AUTHORITY_WIDE_ROLES, Role

#: Who speaks for an authority about school staff: invites them, endorses or withdraws.
ENDORSER_ROLES = frozenset({Role.LA_ADMIN, Role.VS_HEAD, Role.VS_OFFICER})


def can_endorse_school_roles(actor, local_authority_id: int | None = None) -> bool:
    """May ``actor`` decide which school staff see their authority's children (at all,
    or for ``local_authority_id``)?"""
    if actor is None or actor.role not in ENDORSER_ROLES or len(actor.authorities) != 1:
        return False
    return local_authority_id is None or local_authority_id in actor.authority_ids


def can_use_admin(actor) -> bool:
    """May ``actor`` open the admin (the Virtual School's quality-assurance workspace)?
    Virtual School staff and LA administrators in their role; platform support (a
    superuser) is let in by the admin site itself."""
    return actor is not None and actor.role in AUTHORITY_WIDE_ROLES


#: Who sets an authority's PEP policy (first-PEP limit, review cadence, targets, second
#: person, in-year transfers) in the portal: its LA administrators and Virtual School Head.
POLICY_EDITORS = frozenset({Role.LA_ADMIN, Role.VS_HEAD})


def can_edit_authority_policy(actor, authority) -> bool:
    """May ``actor`` change the PEP policy of ``authority`` (an authority or its id)?"""
    authority_id = getattr(authority, "pk", authority)
    return (
        actor is not None
        and actor.role in POLICY_EDITORS
        and authority_id is not None
        and authority_id in actor.authority_ids
    )


def can_open_authority_settings(actor) -> bool:
    """May ``actor`` open their authority's settings pages (PEP policy, term dates,
    closures, submission dates)? Virtual School staff and LA administrators of one
    authority; what each may change there is ``can_edit_authority_policy`` and
    ``calendars.permissions.can_edit_calendar``."""
    return actor is not None and actor.role in AUTHORITY_WIDE_ROLES and len(actor.authorities) == 1


# -- the admin site ------------------------------------------------------------------------


def can_set_email_reminders(actor) -> bool:
    """May ``actor`` choose how PEP deadline reminders reach them (Email settings)? Everyone
    acting in a role except the young person, who is never told about deadlines."""
    role = getattr(actor, "role", None)
    return role is not None and role != Role.YOUNG_PERSON


def is_platform_operator(actor) -> bool:
    """A platform superuser (ePEP support), whatever role they act in. They reach the
    operators' pages of the admin; that alone shows them no child's data (a child's
    pages need a membership)."""
    return actor is not None and bool(getattr(actor.user, "is_superuser", False))


def _own_authority(actor, authority) -> bool:
    authority_id = getattr(authority, "pk", authority)
    return authority is None or authority_id in actor.authority_ids


def can_view_authorities_in_admin(actor, obj=None) -> bool:
    """May ``actor`` see authorities (``obj``: one of them) in the admin? Their own, as
    Virtual School staff or LA administrator; ePEP support every one."""
    if is_platform_operator(actor):
        return True
    return actor is not None and actor.role in AUTHORITY_WIDE_ROLES and _own_authority(actor, obj)


def can_change_authorities_in_admin(actor, obj=None) -> bool:
    """May ``actor`` change an authority's settings in the admin: its LA administrators
    and Virtual School Head (``POLICY_EDITORS``), or ePEP support."""
    if is_platform_operator(actor):
        return True
    return actor is not None and actor.role in POLICY_EDITORS and _own_authority(actor, obj)


def can_add_authorities_in_admin(actor, obj=None) -> bool:
    """Only ePEP support sets up a new authority."""
    return is_platform_operator(actor)


def can_manage_memberships_in_admin(actor, obj=None) -> bool:
    """May ``actor`` see and change memberships (``obj``: one) in the admin: the LA
    administrators of the membership's authority."""
    if actor is None or actor.role != Role.LA_ADMIN:
        return False
    return obj is None or obj.local_authority_id in actor.authority_ids
