"""calendars.permissions as a matrix: for every role, their own authority's calendar and
another authority's, the answer written out in the table below."""

from __future__ import annotations

import pytest

from calendars import permissions
from epep.tenancy.roles import Role

from ..peps.conftest import acting

pytestmark = pytest.mark.django_db

Y, N = True, False

#: May edit the calendar of (their own authority, another authority).
EDITS = {
    Role.VS_HEAD: (Y, N),
    Role.VS_OFFICER: (Y, N),
    Role.LA_ADMIN: (Y, N),
    Role.SOCIAL_WORKER: (N, N),
    Role.PERSONAL_ADVISER: (N, N),
    Role.DESIGNATED_TEACHER: (N, N),
    Role.SCHOOL_STAFF: (N, N),
    Role.CARER: (N, N),
    Role.IRO: (N, N),
    Role.YOUNG_PERSON: (N, N),
}


def test_the_table_covers_every_role():
    assert set(EDITS) == set(Role)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_calendar_permission_matrix(world, role):
    with acting(world.a.users[role]) as actor:
        answers = tuple(
            permissions.can_edit_calendar(actor, la.pk) for la in (world.a.la, world.b.la)
        )
    assert answers == EDITS[role]


def test_a_platform_superuser_edits_every_calendar(world):
    assert permissions.can_edit_calendar(None, world.b.la.pk, is_superuser=True)
    assert not permissions.can_edit_calendar(None, world.b.la.pk)
