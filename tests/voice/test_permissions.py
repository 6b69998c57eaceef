"""The My Voice permission matrix: every rule in ``voice.permissions``, every role, about
no record, the young person's own record and another child's."""

import dataclasses
import inspect
from types import SimpleNamespace

import pytest

from epep.tenancy.roles import Role
from tests.permission_matrix import ROLES, actor
from voice import permissions

MY_CHILD, OTHER_CHILD = 7, 8
MINE = SimpleNamespace(child_id=MY_CHILD)
THEIRS = SimpleNamespace(child_id=OTHER_CHILD)

YP, CARER, DT = {Role.YOUNG_PERSON}, {Role.CARER}, {Role.DESIGNATED_TEACHER}
READERS = {
    Role.DESIGNATED_TEACHER,
    Role.SOCIAL_WORKER,
    Role.PERSONAL_ADVISER,
    Role.IRO,
    Role.VS_HEAD,
    Role.VS_OFFICER,
}
NOBODY: set[Role] = set()

#: rule -> (roles allowed about no record, about the young person's own, another child's)
RULES = {
    permissions.can_write_my_voice: (YP | CARER, YP | CARER, CARER),
    permissions.can_read_private_answers: (YP, YP, NOBODY),
    permissions.can_share_my_voice: (YP, YP, NOBODY),
    permissions.can_read_shared_voice: (
        READERS | YP | CARER,
        READERS | YP | CARER,
        READERS | CARER,
    ),
    permissions.can_note_my_voice: (READERS, READERS, READERS),
    permissions.can_link_you_said_we_did: (DT, DT, DT),
}


def _actor(role):
    return dataclasses.replace(actor(role), child_ids=frozenset({MY_CHILD}))


def _allowed(rule, obj):
    return {role for role in ROLES if rule(_actor(role), obj)}


@pytest.mark.parametrize("rule", RULES, ids=lambda f: f.__name__)
def test_matrix(rule):
    none, mine, theirs = RULES[rule]
    assert _allowed(rule, None) == none
    assert _allowed(rule, MINE) == mine
    assert _allowed(rule, THEIRS) == theirs


def test_no_one_unsigned_in_may_do_anything():
    assert not any(rule(None, MINE) for rule in RULES)


def test_every_rule_is_in_the_matrix():
    public = {
        f
        for name, f in inspect.getmembers(permissions, inspect.isfunction)
        if name.startswith("can_") and f.__module__ == permissions.__name__
    }
    assert public == set(RULES)
