"""The tenancy permission matrix: for every rule in ``epep.tenancy.permissions``, every
role, in and out of the actor's authority, the answer from the table below."""

import pytest

from epep.tenancy import permissions
from epep.tenancy.roles import Role
from tests.permission_matrix import AWAY, HOME, ROLES, actor, allowed

AUTHORITY_STAFF = {Role.LA_ADMIN, Role.VS_HEAD, Role.VS_OFFICER}

RULES = {
    (permissions.can_endorse_school_roles, None): AUTHORITY_STAFF,
    (permissions.can_endorse_school_roles, HOME): AUTHORITY_STAFF,
    (permissions.can_endorse_school_roles, AWAY): set(),
    (permissions.can_use_admin, None): AUTHORITY_STAFF,
}


@pytest.mark.parametrize("case", RULES, ids=lambda case: f"{case[0].__name__}-{case[1]}")
def test_tenancy_rules(case):
    rule, authority = case
    args = () if authority is None else (authority,)
    assert allowed(rule, *args) == RULES[case]


def test_endorsing_needs_one_authority():
    for role in ROLES:
        assert permissions.can_endorse_school_roles(actor(role, authorities=(HOME, AWAY))) is False
    assert permissions.can_endorse_school_roles(None) is False
    assert permissions.can_use_admin(None) is False


POLICY_EDITORS = {Role.LA_ADMIN, Role.VS_HEAD}


@pytest.mark.parametrize("authority, expected", [(HOME, POLICY_EDITORS), (AWAY, set())])
def test_who_edits_the_authority_policy(authority, expected):
    assert allowed(permissions.can_edit_authority_policy, authority) == expected
    assert permissions.can_edit_authority_policy(None, HOME) is False


def test_who_opens_the_authority_settings():
    assert allowed(permissions.can_open_authority_settings) == AUTHORITY_STAFF
    assert permissions.can_open_authority_settings(None) is False
    two = actor(Role.VS_HEAD, authorities=(HOME, AWAY))
    assert permissions.can_open_authority_settings(two) is False


def test_who_sets_email_reminders():
    """Everyone but the young person, who is never told about PEP deadlines."""
    assert allowed(permissions.can_set_email_reminders) == set(ROLES) - {Role.YOUNG_PERSON}
    assert permissions.can_set_email_reminders(None) is False
