"""The PEP permission matrix: for every rule in ``peps.permissions``, every role, in and
out of the child's authority, the answer from the tables below."""

from types import SimpleNamespace

import pytest

from epep.tenancy.roles import Role
from peps import permissions
from peps.models import Status
from peps.sections import SECTIONS
from tests.permission_matrix import AWAY, HOME, ME, ROLES, SOMEONE_ELSE, actor, allowed

VS = {Role.VS_HEAD, Role.VS_OFFICER}
DT = {Role.DESIGNATED_TEACHER}
SW = {Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER}
CARER = {Role.CARER}
PROFESSIONALS = set(Role) - {Role.CARER, Role.YOUNG_PERSON}

PEP = SimpleNamespace(status=Status.DRAFT, local_authority_id=HOME, is_locked=False)

#: rule -> the roles it lets through (on a PEP of a child in their circle).
PEP_RULES = {
    permissions.can_start_pep: SW | DT | VS,
    permissions.can_edit_targets: {Role.DESIGNATED_TEACHER, Role.SOCIAL_WORKER} | VS,
    permissions.can_edit_attainment: DT | VS,
    permissions.can_record_meeting_held: SW | DT | VS,
    permissions.can_submit: DT,
    permissions.can_return: VS,
    permissions.can_approve: VS,
    permissions.can_finalise: VS,
}

SECTION_EDITORS = {
    "education": DT | VS,
    "achievements": DT | CARER | SW | VS,
    "needs": DT | SW | VS,
    "support": DT | VS,
    "aspirations": DT | SW | CARER | VS,
    "activities": DT | CARER | SW | VS,
    "child_views": DT | CARER,
    "carer_views": CARER | SW,
    "social_worker_views": SW,
    "designated_teacher_views": DT,
}


@pytest.mark.parametrize("rule", PEP_RULES, ids=lambda rule: rule.__name__)
def test_pep_rules(rule):
    assert allowed(rule, PEP) == PEP_RULES[rule]


def test_every_section_has_its_editors():
    assert {s.key for s in SECTIONS} == set(SECTION_EDITORS)
    for section in SECTIONS:
        assert (
            allowed(permissions.can_edit_section, PEP, section) == (SECTION_EDITORS[section.key])
        ), section.key


def test_moves_offered_are_the_moves_allowed():
    for status in Status:
        pep = SimpleNamespace(status=status)
        for role in ROLES:
            moves = permissions.moves_for(actor(role), pep)
            assert all(m.source == status for m in moves)
            assert all(permissions.can_make_move(actor(role), pep, m) for m in moves)
    submitted = SimpleNamespace(status=Status.SUBMITTED)
    assert {m.target for m in permissions.moves_for(actor(Role.VS_HEAD), submitted)} == {
        Status.RETURNED,
        Status.APPROVED,
    }
    assert permissions.moves_for(actor(Role.DESIGNATED_TEACHER), submitted) == []
    assert permissions.move_between(Status.DRAFT, Status.FINALISED) is None


def _approved(*, approved_by=ME, second_person=True):
    return SimpleNamespace(
        status=Status.APPROVED,
        is_locked=False,
        local_authority_id=HOME,
        approved_by_id=approved_by,
        local_authority=SimpleNamespace(finalising_needs_second_person=second_person),
    )


#: (who approved it, the authority asks for a second person) -> who may finalise it.
FINALISERS = {
    ("me", True): set(),
    ("someone else", True): VS,
    ("me", False): VS,
    ("someone else", False): VS,
    ("nobody recorded", True): VS,
}


@pytest.mark.parametrize("case", FINALISERS, ids=str)
def test_finalising_needs_a_second_person_where_the_authority_asks(case):
    approver, second_person = case
    pep = _approved(
        approved_by={"me": ME, "someone else": SOMEONE_ELSE, "nobody recorded": None}[approver],
        second_person=second_person,
    )
    assert allowed(permissions.can_finalise, pep) == FINALISERS[case]
    offered = {
        r
        for r in ROLES
        if any(m.target == Status.FINALISED for m in permissions.moves_for(actor(r), pep))
    }
    assert offered == FINALISERS[case]
    explained = {r for r in ROLES if permissions.pep_flags(actor(r), pep)["second_person_needed"]}
    assert explained == (VS if case == ("me", True) else set())


def test_pep_flags_follow_the_lock():
    locked = SimpleNamespace(status=Status.FINALISED, is_locked=True)
    flags = permissions.pep_flags(actor(Role.VS_HEAD), locked)
    assert (flags["can_edit_targets"], flags["can_edit_attainment"], flags["moves"]) == (
        False,
        False,
        [],
    )
    open_flags = permissions.pep_flags(actor(Role.DESIGNATED_TEACHER), PEP)
    assert open_flags["can_edit_targets"] and open_flags["can_edit_attainment"]


def test_reading_documents():
    assert allowed(permissions.can_read_attachments) == PROFESSIONALS


def test_uploading_documents():
    uploaders = DT | SW | VS
    assert allowed(permissions.can_upload_attachment) == uploaders
    assert allowed(permissions.can_upload_attachment, pep=PEP) == uploaders
    finalised = SimpleNamespace(status=Status.FINALISED)
    assert allowed(permissions.can_upload_attachment, pep=finalised) == set()


def _document(*, authority=HOME, uploaded_by=ME, pep_status=None):
    pep = SimpleNamespace(status=pep_status) if pep_status else None
    return SimpleNamespace(
        local_authority_id=authority,
        uploaded_by_id=uploaded_by,
        pep_id=1 if pep else None,
        pep=pep,
    )


#: (whose document, where, on what) -> the roles that may delete it.
DELETERS = {
    ("mine", HOME, None): DT | SW | VS,
    ("mine", HOME, Status.DRAFT): DT | SW | VS,
    ("mine", HOME, Status.FINALISED): VS,
    ("someone else's", HOME, None): VS,
    ("someone else's", HOME, Status.FINALISED): VS,
    ("mine", AWAY, None): DT | SW | VS,  # seen through a grant: as its uploader
    ("mine", AWAY, Status.FINALISED): set(),
    ("someone else's", AWAY, None): set(),
    ("someone else's", AWAY, Status.FINALISED): set(),
}


@pytest.mark.parametrize("case", DELETERS, ids=str)
def test_deleting_documents(case):
    whose, authority, pep_status = case
    document = _document(
        authority=authority,
        uploaded_by=ME if whose == "mine" else SOMEONE_ELSE,
        pep_status=pep_status,
    )
    assert allowed(permissions.can_delete_attachment, document) == DELETERS[case]
    assert permissions.can_delete_attachment(None, document) is False


#: section -> (who may ask someone else for it, who may be asked for it, who may record it
#: as could not be obtained). Whoever finishes the PEP (the designated teacher) asks the
#: carer or the social worker, and marks only the sections they do not write themselves.
SECTION_REQUESTS = {
    "education": (set(), set(), set()),
    "achievements": (DT, CARER | SW, set()),
    "needs": (DT, SW, set()),
    "support": (set(), set(), set()),
    "aspirations": (DT, SW | CARER, set()),
    "activities": (DT, CARER | SW, set()),
    "child_views": (DT, CARER, set()),
    "carer_views": (DT, CARER | SW, DT),
    "social_worker_views": (DT, SW, DT),
    "designated_teacher_views": (set(), set(), set()),
}


@pytest.mark.parametrize("key", SECTION_REQUESTS)
def test_who_may_ask_for_a_section_be_asked_and_mark_it_not_obtained(key):
    askers, asked, markers = SECTION_REQUESTS[key]
    assert allowed(permissions.can_request_section, PEP, key) == askers
    assert {r for r in ROLES if permissions.can_be_asked_for_section(r, key)} == asked
    assert allowed(permissions.can_mark_section_not_obtained, PEP, key) == markers


def test_who_is_asked_for_sections_sees_requests_in_their_in_tray():
    assert allowed(permissions.can_be_asked_for_sections) == CARER | SW
