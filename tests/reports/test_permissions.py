"""The reports permission matrix: who sees the Virtual School's dashboard and downloads."""

import pytest

from epep.tenancy.roles import Role
from reports import permissions
from tests.permission_matrix import AWAY, HOME, ROLES, actor, allowed

VIRTUAL_SCHOOL = {Role.VS_HEAD, Role.VS_OFFICER}

RULES = {
    permissions.can_see_reports: VIRTUAL_SCHOOL,
    permissions.can_download_reports: VIRTUAL_SCHOOL,
}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_reports_rules(rule):
    assert allowed(rule) == RULES[rule]


def test_acting_for_two_authorities_sees_no_reports():
    for role in ROLES:
        assert permissions.can_see_reports(actor(role, authorities=(HOME, AWAY))) is False
    assert permissions.can_see_reports(None) is False
