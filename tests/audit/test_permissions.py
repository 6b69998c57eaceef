"""The audit permission matrix: who reads a child's access log, every role, for a child
of their authority and of another, from the table below."""

import pytest

from epep.audit import permissions
from epep.tenancy.roles import Role
from tests.permission_matrix import AWAY, HOME, allowed

READERS = {Role.LA_ADMIN, Role.VS_HEAD, Role.VS_OFFICER}

RULES = {
    (permissions.can_read_access_logs, None): READERS,
    (permissions.can_read_access_log, None): READERS,
    (permissions.can_read_access_log, HOME): READERS,
    (permissions.can_read_access_log, AWAY): set(),  # another authority's child
}


@pytest.mark.parametrize("case", RULES, ids=lambda case: f"{case[0].__name__}-{case[1]}")
def test_audit_rules(case):
    rule, authority = case
    args = () if authority is None else (authority,)
    assert allowed(rule, *args) == RULES[case]
    assert rule(None, *args) is False
