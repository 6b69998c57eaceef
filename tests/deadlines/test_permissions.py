"""deadlines.permissions as a matrix: which in-tray tasks each role works on, and who sees
the deadlines of a child's page, from the table below."""

from __future__ import annotations

import pytest

from deadlines import permissions
from deadlines.models import Task, TaskKind
from epep.tenancy.roles import Role

from ..peps.conftest import acting

pytestmark = pytest.mark.django_db

Y, N = True, False
COMPLETE, ARRANGE = TaskKind.COMPLETE_PEP, TaskKind.ARRANGE_MEETING

#: (task kinds worked on, sees a child's deadlines)
TABLE = {
    Role.VS_HEAD: ((), Y),
    Role.VS_OFFICER: ((), Y),
    Role.LA_ADMIN: ((), Y),
    Role.SOCIAL_WORKER: ((ARRANGE,), Y),
    Role.PERSONAL_ADVISER: ((ARRANGE,), Y),
    Role.DESIGNATED_TEACHER: ((COMPLETE,), Y),
    Role.SCHOOL_STAFF: ((), Y),
    Role.CARER: ((), N),
    Role.IRO: ((), Y),
    Role.YOUNG_PERSON: ((), N),
}


def test_the_table_covers_every_role():
    assert set(TABLE) == set(Role)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_deadline_permission_matrix(world, role):
    user = world.a.users[role]
    with acting(user) as actor:
        kinds = permissions.task_kinds_for(actor)
        sees = permissions.can_see_deadlines(actor)
        # A task is seen by its assignee acting in the role that works on it; never by
        # anyone else.
        own = {kind: Task(assignee_id=user.pk, kind=kind) for kind in TaskKind.values}
        others = {kind: Task(assignee_id=0, kind=kind) for kind in TaskKind.values}
        seen_own = tuple(k for k in TaskKind.values if permissions.can_see_task(actor, own[k]))
        seen_other = [k for k in TaskKind.values if permissions.can_see_task(actor, others[k])]
    expected_kinds, expected_sees = TABLE[role]
    assert (tuple(kinds), sees) == (expected_kinds, expected_sees)
    assert seen_own == expected_kinds
    assert seen_other == []


def test_nobody_without_a_role_sees_anything():
    assert permissions.task_kinds_for(None) == ()
    assert not permissions.can_see_deadlines(None)
