"""The accounts permission matrix: for every rule in ``epep.accounts.permissions`` (who
invites whom, who sees and manages people and accounts), every role, in and out of the
actor's authority, the answer from the tables below. What may be done to one account
(``account_actions``) is tested with real people in tests/accounts/test_account_admin.py."""

from types import SimpleNamespace

import pytest

from epep.accounts import permissions
from epep.tenancy.roles import Role
from tests.permission_matrix import AWAY, HOME, ROLES, actor, allowed

PEOPLE = {Role.LA_ADMIN, Role.VS_HEAD, Role.VS_OFFICER}
MANAGERS = {Role.LA_ADMIN, Role.VS_HEAD}

RULES = {
    permissions.can_invite: PEOPLE,
    permissions.can_manage_people: PEOPLE,
    permissions.can_open_people_pages: PEOPLE,
    permissions.can_manage_accounts: MANAGERS,
    # The child's social worker too (for a child allocated to them: the page fetches it).
    permissions.can_invite_young_person: PEOPLE | {Role.SOCIAL_WORKER},
    permissions.is_young_person: {Role.YOUNG_PERSON},
}

#: inviter -> the roles they may invite someone into.
INVITES = {
    Role.LA_ADMIN: set(Role),
    Role.VS_HEAD: set(Role) - {Role.LA_ADMIN},
    Role.VS_OFFICER: set(Role) - {Role.LA_ADMIN, Role.VS_HEAD},
}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_account_rules(rule):
    assert allowed(rule) == RULES[rule]


def test_who_invites_whom():
    for inviter in ROLES:
        for role in ROLES:
            expected = role in INVITES.get(inviter, set())
            assert permissions.can_invite(actor(inviter), role) is expected, (inviter, role)
        assert permissions.invitable_roles(actor(inviter)) == INVITES.get(inviter, set())


def test_acting_for_two_authorities_invites_and_manages_nobody():
    for role in ROLES:
        both = actor(role, authorities=(HOME, AWAY))
        assert permissions.can_invite(both) is False
        assert permissions.can_manage_people(both) is False


@pytest.mark.parametrize("where", [HOME, AWAY])
def test_managing_an_invitation(where):
    invitation = SimpleNamespace(local_authority_id=where)
    expected = PEOPLE if where == HOME else set()
    assert allowed(permissions.can_manage_invitation, invitation) == expected


def test_platform_support_is_a_superuser_outside_the_account_managers():
    for role in [*ROLES, None]:
        person = actor(role)
        person.user.is_superuser = True
        assert permissions.is_platform_support(person) is (role not in MANAGERS)
    assert permissions.is_platform_support(actor(Role.VS_OFFICER)) is False


@pytest.mark.parametrize("where", [HOME, AWAY])
def test_setting_a_workers_team(where):
    """Only the LA administrator of the membership's authority, for a current social
    worker, personal adviser or IRO role."""
    for role in ROLES:
        membership = SimpleNamespace(local_authority_id=where, role=role, is_active=True)
        expected = (
            {Role.LA_ADMIN}
            if where == HOME and role in {Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER, Role.IRO}
            else set()
        )
        assert allowed(permissions.can_set_team, membership) == expected, role
    ended = SimpleNamespace(local_authority_id=HOME, role=Role.SOCIAL_WORKER, is_active=False)
    assert allowed(permissions.can_set_team, ended) == set()
