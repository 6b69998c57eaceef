"""The PP+ permission matrix: for every rule in ``funding.permissions``, every role, in and
out of the authority, the answer from the tables below."""

from types import SimpleNamespace

import pytest

from epep.tenancy.roles import Role
from funding import permissions
from tests.permission_matrix import AWAY, HOME, allowed

VS = {Role.VS_HEAD, Role.VS_OFFICER}
LINE = SimpleNamespace(local_authority_id=HOME, amount_pence=45000)
AWAY_LINE = SimpleNamespace(local_authority_id=AWAY, amount_pence=45000)
BIG_LINE = SimpleNamespace(local_authority_id=HOME, amount_pence=60000)
POLICY = SimpleNamespace(head_approval_above_pence=50000)
NO_THRESHOLD = SimpleNamespace(head_approval_above_pence=None)


@pytest.mark.parametrize(
    ("args", "kwargs", "roles"),
    [
        ((), {}, {Role.VS_HEAD, Role.LA_ADMIN}),
        ((HOME,), {}, {Role.VS_HEAD, Role.LA_ADMIN}),
        ((AWAY,), {}, set()),
    ],
)
def test_the_policy_and_grant_are_the_virtual_school_heads_and_la_administrators(
    args, kwargs, roles
):
    assert allowed(permissions.can_edit_pp_policy, *args, **kwargs) == roles


def test_the_school_and_the_virtual_school_ask_for_ppplus():
    assert allowed(permissions.can_request_ppplus) == {Role.DESIGNATED_TEACHER} | VS


@pytest.mark.parametrize(
    ("line", "policy", "roles"),
    [
        (None, None, VS),
        (LINE, POLICY, VS),
        (BIG_LINE, POLICY, {Role.VS_HEAD}),
        (BIG_LINE, NO_THRESHOLD, VS),
        (AWAY_LINE, POLICY, set()),
    ],
)
def test_the_virtual_school_decides_and_its_head_above_the_threshold(line, policy, roles):
    assert allowed(permissions.can_decide_ppplus, line, policy=policy) == roles


def test_a_line_needs_the_head_only_above_the_policys_threshold():
    assert permissions.needs_head_approval(BIG_LINE, POLICY)
    assert not permissions.needs_head_approval(LINE, POLICY)
    assert not permissions.needs_head_approval(BIG_LINE, NO_THRESHOLD)


def test_ppplus_lines_are_read_by_the_professionals_around_the_pep_not_carers_or_the_child():
    assert (
        allowed(permissions.can_see_ppplus)
        == {
            Role.DESIGNATED_TEACHER,
            Role.SCHOOL_STAFF,
            Role.SOCIAL_WORKER,
            Role.PERSONAL_ADVISER,
        }
        | VS
    )


@pytest.mark.parametrize(
    ("authority", "roles"), [(HOME, {Role.VS_HEAD, Role.LA_ADMIN}), (AWAY, set())]
)
def test_payment_runs_are_the_heads_and_la_administrators_of_the_authority(authority, roles):
    assert allowed(permissions.can_pay_ppplus, authority) == roles
