"""May this actor …? Every rule about Pupil Premium Plus.

Services enforce these (``PermissionDenied``); views, templates, the admin and tasks only
ask. The actor has already reached the child or PEP through the scoped selectors
(``peps.selectors.access_pep_by_id``); the answers here are about their role and the
object's authority.
"""

from __future__ import annotations

from epep.tenancy.roles import VIRTUAL_SCHOOL_ROLES, Role

#: Who writes the authority's PP+ policy and records the grant: the Virtual School Head
#: (who manages the grant) and the authority's administrators.
POLICY_EDITORS = frozenset({Role.VS_HEAD, Role.LA_ADMIN})
#: Who asks for PP+ in a PEP: the school, and the Virtual School on its behalf.
REQUESTERS = frozenset({Role.DESIGNATED_TEACHER}) | VIRTUAL_SCHOOL_ROLES
#: Who decides on a request: the Virtual School (above the policy's threshold, its Head).
DECIDERS = VIRTUAL_SCHOOL_ROLES
#: Who decides on any amount, whatever the threshold.
SENIOR_DECIDERS = frozenset({Role.VS_HEAD})


def _role(actor) -> Role | None:
    return getattr(actor, "role", None) if actor is not None else None


def _mine(actor, obj) -> bool:
    if obj is None:
        return True
    return getattr(obj, "local_authority_id", None) in actor.authority_ids


def can_edit_pp_policy(actor, local_authority=None) -> bool:
    """May ``actor`` write the PP+ policy of ``local_authority`` (an authority or its id)
    and record its grant?"""
    if _role(actor) not in POLICY_EDITORS:
        return False
    if local_authority is None:
        return True
    return getattr(local_authority, "pk", local_authority) in actor.authority_ids


def can_pay_ppplus(actor, local_authority=None) -> bool:
    """May ``actor`` build, confirm and mark paid the payment runs of ``local_authority``
    (an authority or its id)? The Virtual School Head and LA administrators (finance)."""
    return can_edit_pp_policy(actor, local_authority)


def can_request_ppplus(actor, pep=None) -> bool:
    """May ``actor`` add or change PP+ lines in ``pep``?"""
    return _role(actor) in REQUESTERS


def can_decide_ppplus(actor, line=None, *, amount_pence: int | None = None, policy=None) -> bool:
    """May ``actor`` approve, part-approve or decline ``line``? Above the policy's
    ``head_approval_above_pence`` only the Virtual School Head."""
    if _role(actor) not in DECIDERS or not _mine(actor, line):
        return False
    threshold = getattr(policy, "head_approval_above_pence", None)
    if amount_pence is None and line is not None:
        amount_pence = line.amount_pence
    if threshold is not None and amount_pence is not None and amount_pence > threshold:
        return _role(actor) in SENIOR_DECIDERS
    return True


def needs_head_approval(line, policy) -> bool:
    """Does ``line`` need the Virtual School Head under ``policy``?"""
    threshold = getattr(policy, "head_approval_above_pence", None)
    return threshold is not None and line.amount_pence > threshold


def can_see_ppplus(actor, pep=None) -> bool:
    """May ``actor`` read the PP+ lines of a PEP they reached (the school, the social
    worker, the Virtual School; not carers or the young person)?"""
    return _role(actor) in (
        REQUESTERS | {Role.SCHOOL_STAFF, Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER}
    )
