"""May this actor …? Every rule about the Virtual School's quality assurance of PEPs.

Services enforce these (``PermissionDenied``); the admin (``epep.admin_site.RoleAdmin``
``may_*`` hooks), portal views, templates and tasks only ask. Objects have already been
reached through ``quality.selectors`` (scoped to the actor's authority, row-level security
underneath); the answers here are about the actor's role and their relation to the object.
Each function takes ``obj=None`` last so the admin can ask it about a page or a row.
"""

from __future__ import annotations

from epep.tenancy.roles import PROFESSIONAL_ROLES, VIRTUAL_SCHOOL_ROLES, Role

from .models import RubricStatus

#: Who does QA: Virtual School staff. LA administrators see settings, not QA.
QA_ROLES = VIRTUAL_SCHOOL_ROLES
#: Who sets the rubric, draws the moderation sample and settles disagreements.
QA_LEADS = frozenset({Role.VS_HEAD})
#: Who sets the QA turnaround and the moderation share (settings).
QA_POLICY_EDITORS = frozenset({Role.VS_HEAD, Role.LA_ADMIN})
#: Who reads a PEP's QA grade and feedback in the portal: the professionals around the
#: child (the school first of all), not carers or the young person.
FEEDBACK_READERS = PROFESSIONAL_ROLES - {Role.LA_ADMIN}


def _role(actor) -> Role | None:
    return getattr(actor, "role", None) if actor is not None else None


def _mine(actor, obj) -> bool:
    """``obj`` (if any) belongs to one of the actor's authorities."""
    if obj is None:
        return True
    la_id = getattr(obj, "local_authority_id", None)
    return la_id is None or la_id in actor.authority_ids


def can_use_qa(actor, obj=None) -> bool:
    """May ``actor`` open the QA workspace (queue, reviews, rubric, moderation) and read
    ``obj`` there?"""
    return _role(actor) in QA_ROLES and _mine(actor, obj)


def can_assign_qa(actor, obj=None) -> bool:
    """May ``actor`` assign submitted PEPs to officers (themselves or others)?"""
    return _role(actor) in QA_ROLES and _mine(actor, obj)


def can_grade(actor, review=None) -> bool:
    """May ``actor`` grade ``review``: the officer it is assigned to, or the Virtual School
    Head."""
    if _role(actor) not in QA_ROLES or not _mine(actor, review):
        return False
    if review is None:
        return True
    return _role(actor) in QA_LEADS or review.officer_id == actor.user_id


def can_edit_rubric(actor, obj=None) -> bool:
    """May ``actor`` draft and publish the authority's rubric?"""
    return _role(actor) in QA_LEADS and _mine(actor, obj)


def can_edit_rubric_version(actor, obj=None) -> bool:
    """May ``actor`` change this rubric version (``obj``: a rubric or one of its criteria):
    the Virtual School Head, and only while it is a draft (a version in force or retired
    is read-only; a new version is started instead)."""
    rubric = getattr(obj, "rubric", obj)
    if not can_edit_rubric(actor, rubric):
        return False
    return rubric is None or rubric.status == RubricStatus.DRAFT


def can_edit_qa_policy(actor, obj=None) -> bool:
    """May ``actor`` change the QA turnaround and the moderation share?"""
    return _role(actor) in QA_POLICY_EDITORS and _mine(actor, obj)


def can_decide_funding(actor, obj=None) -> bool:
    """May ``actor`` release PP+ for a grade that releases it only by decision?"""
    return _role(actor) in QA_LEADS and _mine(actor, obj)


def can_draw_moderation_sample(actor, obj=None) -> bool:
    return _role(actor) in QA_LEADS and _mine(actor, obj)


def can_moderate(actor, item=None) -> bool:
    """May ``actor`` grade a sampled PEP blind: Virtual School staff other than the officer
    who graded it first."""
    if _role(actor) not in QA_ROLES or not _mine(actor, item):
        return False
    if item is None:
        return True
    return item.original.officer_id != actor.user_id


def can_assign_moderator(actor, obj=None) -> bool:
    """May ``actor`` give a sampled PEP to a second officer to grade again, blind?"""
    return _role(actor) in QA_LEADS and _mine(actor, obj)


def can_resolve_moderation(actor, obj=None) -> bool:
    return _role(actor) in QA_LEADS and _mine(actor, obj)


def can_export_qa(actor, obj=None) -> bool:
    return _role(actor) in QA_ROLES and _mine(actor, obj)


def can_read_qa_feedback(actor, pep=None) -> bool:
    """May ``actor`` read a PEP's QA grade and feedback in the portal (they reached the PEP
    through ``peps.selectors.access_pep_by_id``)?"""
    return _role(actor) in FEEDBACK_READERS
