"""The child-record permission matrix: for every rule in ``children.permissions`` (who
sees, gives, shares and withdraws access to a child), every role, in and out of the
child's authority and school, the answer from the tables below. Who sees which child is
``tests/children/test_access.py``."""

from types import SimpleNamespace

import pytest

from children import permissions
from epep.tenancy.roles import Role
from tests.permission_matrix import (
    AWAY,
    AWAY_SCHOOL,
    HOME,
    HOME_SCHOOL,
    ME,
    ROLES,
    SOMEONE_ELSE,
    actor,
    allowed,
)

VS = {Role.VS_HEAD, Role.VS_OFFICER}
DT = {Role.DESIGNATED_TEACHER}

HOME_CHILD = SimpleNamespace(local_authority_id=HOME)
AWAY_CHILD = SimpleNamespace(local_authority_id=AWAY)

#: (rule, child) -> the roles it lets through.
CHILD_RULES = {
    (permissions.can_see_grants, "home"): VS | DT,
    (permissions.can_see_grants, "away"): VS | DT,
    (permissions.can_grant_access, "home"): VS,
    (permissions.can_grant_access, "away"): set(),
    (permissions.can_delegate_access, "home"): DT,
    (permissions.can_delegate_access, "away"): DT,  # on roll at their school: the service
    # Leaving care, entering again: a social worker only for their own allocated child
    # (the service checks the allocation).
    (permissions.can_record_care, "home"): VS | {Role.LA_ADMIN, Role.SOCIAL_WORKER},
    (permissions.can_record_care, "away"): set(),
}


@pytest.mark.parametrize("case", CHILD_RULES, ids=lambda case: f"{case[0].__name__}-{case[1]}")
def test_child_rules(case):
    rule, where = case
    child = HOME_CHILD if where == "home" else AWAY_CHILD
    assert allowed(rule, child) == CHILD_RULES[case]


def test_who_adds_children_and_lists_former_children():
    assert allowed(permissions.can_add_child) == VS | {Role.LA_ADMIN, Role.SOCIAL_WORKER}
    assert allowed(permissions.can_see_former_children) == VS | {Role.LA_ADMIN}
    assert allowed(permissions.can_record_care_of_any_child) == VS | {Role.LA_ADMIN}
    assert allowed(permissions.can_choose_social_worker) == VS | {Role.LA_ADMIN}


def test_granting_without_a_child_is_the_role_alone():
    assert allowed(permissions.can_grant_access) == VS


def _grant(authority, school):
    return SimpleNamespace(local_authority_id=authority, school_id=school)


#: the grant (authority, school it was delegated at) -> who may withdraw it.
REVOKERS = {
    (HOME, None): VS,  # the Virtual School's own grant
    (HOME, HOME_SCHOOL): VS | DT,  # a delegation at our school
    (HOME, AWAY_SCHOOL): VS,
    (AWAY, None): set(),
    (AWAY, HOME_SCHOOL): DT,  # another authority's child, delegated at our school
    (AWAY, AWAY_SCHOOL): set(),
}


@pytest.mark.parametrize("case", REVOKERS, ids=str)
def test_withdrawing_a_grant(case):
    assert allowed(permissions.can_revoke_grant, _grant(*case)) == REVOKERS[case]


def test_no_actor_may_do_nothing():
    for rule in (
        permissions.can_see_grants,
        permissions.can_grant_access,
        permissions.can_delegate_access,
    ):
        assert rule(None, HOME_CHILD) is False
    assert permissions.can_revoke_grant(None, _grant(HOME, None)) is False


def test_the_virtual_school_of_another_authority_gives_no_access_here():
    other_vs = actor(Role.VS_HEAD, authorities=(AWAY,))
    assert permissions.can_grant_access(other_vs, HOME_CHILD) is False
    assert permissions.can_revoke_grant(other_vs, _grant(HOME, None)) is False


# --- Moves: school, placement, workers; schools added by hand -----------------------------

MOVERS = VS | {Role.LA_ADMIN, Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER}

MOVE_RULES = {
    (permissions.can_move_school, "home"): MOVERS,
    (permissions.can_move_school, "away"): set(),
    (permissions.can_move_school_without_authorisation, "home"): VS,
    (permissions.can_move_school_without_authorisation, "away"): set(),
    (permissions.can_move_placement, "home"): MOVERS,
    (permissions.can_move_placement, "away"): set(),
    (permissions.can_change_allocation, "home"): VS | {Role.LA_ADMIN},
    (permissions.can_change_allocation, "away"): set(),
    (permissions.can_authorise_school_move, "home"): VS,
    (permissions.can_authorise_school_move, "away"): set(),
}


@pytest.mark.parametrize("case", MOVE_RULES, ids=lambda case: f"{case[0].__name__}-{case[1]}")
def test_move_rules(case):
    rule, where = case
    child = HOME_CHILD if where == "home" else AWAY_CHILD
    assert allowed(rule, child) == MOVE_RULES[case]


def test_a_waiting_school_move_is_withdrawn_by_whoever_asked_or_the_virtual_school():
    mine = SimpleNamespace(local_authority_id=HOME, requested_by_id=ME)
    theirs = SimpleNamespace(local_authority_id=HOME, requested_by_id=SOMEONE_ELSE)
    away = SimpleNamespace(local_authority_id=AWAY, requested_by_id=ME)
    assert allowed(permissions.can_withdraw_school_move, mine) == set(ROLES)
    assert allowed(permissions.can_withdraw_school_move, theirs) == VS
    assert allowed(permissions.can_withdraw_school_move, away) == set()


def test_seeing_the_moves_to_authorise_and_adding_schools_is_the_virtual_schools():
    assert allowed(permissions.can_authorise_school_move) == VS
    assert allowed(permissions.can_add_school) == VS
