"""May this actor …? Every rule about PEPs, their sections, targets, attainment, the cycle
(submit, return, approve, finalise) and documents.

The services enforce these (``PermissionDenied``); views, templates (flags from the view
or ``{% child_documents %}``), the admin and tasks only ask. The actor has already reached
the child or PEP through ``children.selectors.access_child_by_id`` /
``peps.selectors.access_pep_by_id`` (the circle); the answers here are about their role
and their relation to the object. Whether a PEP is still open for changes (its state) is
the PEP's own rule (``Pep.is_locked``), checked by the services as a validation.
"""

from __future__ import annotations

from dataclasses import dataclass

from epep.tenancy.roles import PROFESSIONAL_ROLES, VIRTUAL_SCHOOL_ROLES, Role

from .models import Status

_DT = frozenset({Role.DESIGNATED_TEACHER})
_SOCIAL_WORK = frozenset({Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER})
_CARER = frozenset({Role.CARER})

#: Who may start a PEP: the social worker leads; the Virtual School and the school can too.
PEP_STARTERS = _SOCIAL_WORK | _DT | VIRTUAL_SCHOOL_ROLES
#: Who may write targets and actions.
TARGET_EDITORS = frozenset({Role.DESIGNATED_TEACHER, Role.SOCIAL_WORKER}) | VIRTUAL_SCHOOL_ROLES
#: Who may write attainment.
ATTAINMENT_EDITORS = _DT | VIRTUAL_SCHOOL_ROLES
#: Who may add documents: the school, the social worker, the personal adviser and the
#: Virtual School (not carers or young people for now).
ATTACHMENT_UPLOADERS = _DT | _SOCIAL_WORK | VIRTUAL_SCHOOL_ROLES
#: Who may see the list of documents and open one: every professional role, for a child
#: they can see.
ATTACHMENT_READERS = PROFESSIONAL_ROLES

#: Who may change each section (``peps.sections``): everyone in the child's circle reads
#: every section.
SECTION_EDITORS: dict[str, frozenset[Role]] = {
    "education": _DT | VIRTUAL_SCHOOL_ROLES,
    "achievements": _DT | _CARER | _SOCIAL_WORK | VIRTUAL_SCHOOL_ROLES,
    "needs": _DT | _SOCIAL_WORK | VIRTUAL_SCHOOL_ROLES,
    "support": _DT | VIRTUAL_SCHOOL_ROLES,
    "aspirations": _DT | _SOCIAL_WORK | _CARER | VIRTUAL_SCHOOL_ROLES,
    "activities": _DT | _CARER | _SOCIAL_WORK | VIRTUAL_SCHOOL_ROLES,
    "child_views": _DT | _CARER,
    "carer_views": _CARER | _SOCIAL_WORK,
    "social_worker_views": _SOCIAL_WORK,
    "designated_teacher_views": _DT,
    # early years (peps.sections.EARLY_YEARS_SECTIONS): the setting's designated teacher
    "ey_setting": _DT | VIRTUAL_SCHOOL_ROLES,
    "ey_prime_areas": _DT | VIRTUAL_SCHOOL_ROLES,
    "ey_specific_areas": _DT | VIRTUAL_SCHOOL_ROLES,
    "ey_progress_check": _DT | _SOCIAL_WORK | VIRTUAL_SCHOOL_ROLES,
    "ey_pupil_premium": _DT | VIRTUAL_SCHOOL_ROLES,
    # post-16 (peps.sections.POST_16_SECTIONS): the provider and the personal adviser
    "p16_status": _DT | _SOCIAL_WORK | VIRTUAL_SCHOOL_ROLES,
    "p16_course": _DT | _SOCIAL_WORK | VIRTUAL_SCHOOL_ROLES,
    "p16_bursary": _DT | _SOCIAL_WORK | VIRTUAL_SCHOOL_ROLES,
    "p16_careers": _DT | _SOCIAL_WORK | VIRTUAL_SCHOOL_ROLES,
    "p16_independence": _SOCIAL_WORK | _CARER | VIRTUAL_SCHOOL_ROLES,
    "p16_personal_adviser": _SOCIAL_WORK,
}
#: Who may change the form of a PEP (early years, school age, post-16): the designated
#: teacher, who knows the year the child is educated in.
VARIANT_CHANGERS = _DT


# --- The PEP cycle: who may move a PEP from one state to the next ------------------------


@dataclass(frozen=True)
class Move:
    source: Status
    target: Status
    roles: frozenset[Role]
    label: str
    needs_reason: bool = False
    needs_complete: bool = False


MOVES: tuple[Move, ...] = (
    Move(
        Status.DRAFT,
        Status.MEETING_HELD,
        _SOCIAL_WORK | _DT | VIRTUAL_SCHOOL_ROLES,
        "Record that the meeting was held",
    ),
    Move(
        Status.MEETING_HELD,
        Status.SUBMITTED,
        _DT,
        "Submit to the Virtual School",
        needs_complete=True,
    ),
    Move(
        Status.RETURNED,
        Status.SUBMITTED,
        _DT,
        "Submit again to the Virtual School",
        needs_complete=True,
    ),
    Move(
        Status.SUBMITTED,
        Status.RETURNED,
        VIRTUAL_SCHOOL_ROLES,
        "Return for amendments",
        needs_reason=True,
    ),
    Move(Status.SUBMITTED, Status.APPROVED, VIRTUAL_SCHOOL_ROLES, "Approve"),
    Move(Status.APPROVED, Status.FINALISED, VIRTUAL_SCHOOL_ROLES, "Finalise and lock"),
)


#: Who finishes a PEP (whoever submits it): they may ask the people who write the other
#: sections for them, or record that a section could not be obtained.
PEP_FINISHERS = frozenset(role for move in MOVES if move.needs_complete for role in move.roles)
#: The roles that can be asked to write a section: they write sections of a child's PEP
#: but do not finish it.
SECTION_REQUEST_ROLES = _CARER | _SOCIAL_WORK


def move_between(source: str, target: str) -> Move | None:
    """The move from ``source`` to ``target`` (None: no such move in the cycle)."""
    return next((m for m in MOVES if m.source == source and m.target == target), None)


def _role(actor) -> Role | None:
    return getattr(actor, "role", None) if actor is not None else None


SECOND_PERSON_NEEDED = (
    "Another Virtual School officer must finalise this PEP: your authority asks for a "
    "second person."
)


def needs_second_person(actor, pep) -> bool:
    """Is ``actor`` the person who approved ``pep``, where the PEP's authority asks for a
    second person to finalise (``LocalAuthority.finalising_needs_second_person``)?"""
    return bool(
        actor is not None
        and getattr(pep, "approved_by_id", None) is not None
        and pep.approved_by_id == getattr(actor, "user_id", None)
        and pep.local_authority.finalising_needs_second_person
    )


def can_make_move(actor, pep, move: Move) -> bool:
    """May ``actor`` make ``move`` (whatever the PEP's state)? Finalising: not the approver
    where the authority asks for a second person."""
    if _role(actor) not in move.roles:
        return False
    if move.target == Status.FINALISED and needs_second_person(actor, pep):
        return False
    return True


def moves_for(actor, pep) -> list[Move]:
    """The moves ``actor`` may make on ``pep`` from its current state."""
    return [m for m in MOVES if m.source == pep.status and can_make_move(actor, pep, m)]


def _can_move_to(actor, pep, target: Status) -> bool:
    return any(m.target == target and can_make_move(actor, pep, m) for m in MOVES)


def can_record_meeting_held(actor, pep) -> bool:
    return _can_move_to(actor, pep, Status.MEETING_HELD)


def can_submit(actor, pep) -> bool:
    return _can_move_to(actor, pep, Status.SUBMITTED)


def can_return(actor, pep) -> bool:
    return _can_move_to(actor, pep, Status.RETURNED)


def can_approve(actor, pep) -> bool:
    return _can_move_to(actor, pep, Status.APPROVED)


def can_finalise(actor, pep) -> bool:
    return _can_move_to(actor, pep, Status.FINALISED)


# --- Writing a PEP ---------------------------------------------------------------------


def can_start_pep(actor, child=None) -> bool:
    """May ``actor`` start a child's next PEP?"""
    return _role(actor) in PEP_STARTERS


def can_edit_section(actor, pep, section) -> bool:
    """May ``actor`` change ``section`` (a ``peps.sections.Section`` or its key)?"""
    key = getattr(section, "key", section)
    return _role(actor) in SECTION_EDITORS.get(key, frozenset())


def can_request_section(actor, pep, section) -> bool:
    """May ``actor`` ask someone else to write ``section`` of ``pep``? Whoever finishes
    the PEP, for a section that the carer or the social worker writes."""
    key = getattr(section, "key", section)
    return _role(actor) in PEP_FINISHERS and bool(
        SECTION_EDITORS.get(key, frozenset()) & SECTION_REQUEST_ROLES
    )


def can_be_asked_for_section(role, section) -> bool:
    """May someone acting in ``role`` be asked to write ``section``?"""
    return role in roles_asked_for_section(section)


def roles_asked_for_section(section) -> frozenset[Role]:
    """The roles whose holders may be asked to write ``section``."""
    key = getattr(section, "key", section)
    return SECTION_EDITORS.get(key, frozenset()) & SECTION_REQUEST_ROLES


def can_be_asked_for_sections(actor) -> bool:
    """Is ``actor`` in a role that may be asked to write sections (their in-tray lists
    the requests)?"""
    return _role(actor) in SECTION_REQUEST_ROLES


def can_change_variant(actor, pep) -> bool:
    """May ``actor`` change the form of ``pep`` (early years, school age, post-16)?"""
    return _role(actor) in VARIANT_CHANGERS


def can_mark_section_not_obtained(actor, pep, section) -> bool:
    """May ``actor`` record that ``section`` could not be obtained? Whoever finishes the
    PEP, for a section someone else writes (their own they write, or say why not)."""
    key = getattr(section, "key", section)
    return (
        _role(actor) in PEP_FINISHERS
        and key in SECTION_EDITORS
        and not can_edit_section(actor, pep, key)
    )


def can_edit_targets(actor, pep) -> bool:
    """May ``actor`` write targets and actions on ``pep``?"""
    return _role(actor) in TARGET_EDITORS


def can_edit_attainment(actor, pep) -> bool:
    return _role(actor) in ATTAINMENT_EDITORS


# --- Documents -------------------------------------------------------------------------


def can_read_attachments(actor) -> bool:
    """May ``actor`` see the documents of the children they can see?"""
    return _role(actor) in ATTACHMENT_READERS


def can_upload_attachment(actor, *, pep=None) -> bool:
    """May ``actor`` add a document (to a child they can see, or to ``pep``, which must
    not be finalised)?"""
    if _role(actor) not in ATTACHMENT_UPLOADERS:
        return False
    return pep is None or pep.status != Status.FINALISED


def can_delete_attachment(actor, attachment) -> bool:
    """The uploader (in an uploading role), unless the document is on a finalised PEP;
    the Virtual School of the child's authority, always."""
    role = _role(actor)
    if role is None:
        return False
    if role in VIRTUAL_SCHOOL_ROLES and attachment.local_authority_id in actor.authority_ids:
        return True
    return (
        role in ATTACHMENT_UPLOADERS
        and attachment.uploaded_by_id == actor.user_id
        and not (attachment.pep_id and attachment.pep.status == Status.FINALISED)
    )


def pep_flags(actor, pep) -> dict:
    """What a PEP page may offer ``actor``: flags for the template."""
    open_for_changes = not pep.is_locked
    return {
        "moves": moves_for(actor, pep),
        "second_person_needed": (
            pep.status == Status.APPROVED
            and _role(actor) in VIRTUAL_SCHOOL_ROLES
            and needs_second_person(actor, pep)
        ),
        "can_edit_targets": open_for_changes and can_edit_targets(actor, pep),
        "can_edit_attainment": open_for_changes and can_edit_attainment(actor, pep),
        "can_change_variant": open_for_changes and can_change_variant(actor, pep),
    }
