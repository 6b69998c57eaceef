"""meetings.permissions as a matrix: for every permission function, every role, a child
in the person's circle, a child of their authority outside it, and a child of another
authority, the answer written out in the table below (not worked out from the code)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from meetings import permissions, services
from meetings.models import Meeting, MeetingStatus
from peps.models import Pep

from ..peps.conftest import acting

pytestmark = pytest.mark.django_db

Y, N = True, False

#: Who sees a child's PEP meeting: (a child in their circle, another child of their
#: authority, a child of another authority).
SEES = {
    Role.VS_HEAD: (Y, Y, N),
    Role.VS_OFFICER: (Y, Y, N),
    Role.LA_ADMIN: (Y, Y, N),
    Role.SOCIAL_WORKER: (Y, N, N),
    Role.PERSONAL_ADVISER: (Y, N, N),
    Role.DESIGNATED_TEACHER: (Y, N, N),
    Role.SCHOOL_STAFF: (N, N, N),  # only children a designated teacher shares
    Role.CARER: (Y, N, N),
    Role.IRO: (Y, N, N),
    # The young person is told about their meeting on their own page (/my/), never on
    # the professionals' meeting pages (children.permissions.can_open_professional_record).
    Role.YOUNG_PERSON: (N, N, N),
}
#: Who schedules, changes, cancels and records the meeting: the social worker, personal
#: adviser and Virtual School, for a child they see.
ARRANGES = {
    Role.VS_HEAD: (Y, Y, N),
    Role.VS_OFFICER: (Y, Y, N),
    Role.LA_ADMIN: (N, N, N),
    Role.SOCIAL_WORKER: (Y, N, N),
    Role.PERSONAL_ADVISER: (Y, N, N),
    Role.DESIGNATED_TEACHER: (N, N, N),
    Role.SCHOOL_STAFF: (N, N, N),
    Role.CARER: (N, N, N),
    Role.IRO: (N, N, N),
    Role.YOUNG_PERSON: (N, N, N),
}
#: Arranging meetings at all (the role alone; the pages that change meetings are open to
#: these roles only).
ARRANGER_ROLES = {Role.VS_HEAD, Role.VS_OFFICER, Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER}

EXPECTED = {
    "can_see_meeting": SEES,
    "can_schedule_meeting": ARRANGES,
    "can_update_meeting": ARRANGES,
    "can_cancel_meeting": ARRANGES,
    "can_record_meeting": ARRANGES,
}
#: The functions that take the PEP rather than the meeting.
TAKES_PEP = {"can_schedule_meeting"}


def test_the_table_covers_every_role_and_every_permission_function():
    assert set(SEES) == set(ARRANGES) == set(Role)
    functions = {
        name
        for name in dir(permissions)
        if name.startswith("can_") and callable(getattr(permissions, name))
    }
    assert functions == {*EXPECTED, "can_arrange_meetings"}


@pytest.fixture
def meetings(world):
    """A PEP and a (not yet saved) meeting for each child: (in circle, outside, other
    authority). A meeting's permissions depend on its PEP only."""
    children = (world.a.child, world.a.other_child, world.b.child)
    made = []
    with all_authorities_context():
        for child in children:
            pep = Pep.objects.create(
                child=child,
                local_authority_id=child.local_authority_id,
                academic_year="2026-27",
                term="autumn",
                created_by=world.a.users[Role.VS_HEAD],
            )
            made.append(Meeting(pep=pep, local_authority_id=child.local_authority_id))
    return made


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_permission_matrix(world, meetings, role):
    answers, expected = {}, {}
    with acting(world.a.users[role]) as actor:
        assert permissions.can_arrange_meetings(actor) == (role in ARRANGER_ROLES)
        for name, table in EXPECTED.items():
            check = getattr(permissions, name)
            for position, meeting in enumerate(meetings):
                subject = meeting.pep if name in TAKES_PEP else meeting
                answers[name, position] = check(actor, subject)
                expected[name, position] = table[role][position]
    assert answers == expected


def test_nobody_without_a_role_may_do_anything(meetings):
    assert not permissions.can_arrange_meetings(None)
    assert not permissions.can_see_meeting(None, meetings[0])
    assert not permissions.can_schedule_meeting(None, meetings[0].pep)
    assert not permissions.can_cancel_meeting(None, meetings[0])


@pytest.mark.parametrize("role", [Role.DESIGNATED_TEACHER, Role.LA_ADMIN, Role.CARER])
def test_the_service_enforces_the_rule(world, meetings, role):
    """What the permissions module refuses, the service refuses too."""
    with acting(world.a.users[role]) as actor, pytest.raises(PermissionDenied):
        services.meeting_schedule(
            actor=actor,
            pep=meetings[0].pep,
            starts_at=clock.now() + timedelta(days=7),
            location="School",
            base_url="https://epep.example",
        )


def test_a_social_worker_is_refused_a_childs_pep_outside_their_circle(world, meetings):
    with acting(world.a.users[Role.SOCIAL_WORKER]) as actor, pytest.raises(PermissionDenied):
        services.meeting_schedule(
            actor=actor,
            pep=meetings[1].pep,
            starts_at=clock.now() + timedelta(days=7),
            location="School",
            base_url="https://epep.example",
        )


def test_the_meeting_page_flags(world, meetings):
    """Change and record only while the PEP can change; cancel while scheduled; record
    once the meeting has started; nothing for a role that does not arrange meetings."""
    meeting = meetings[0]
    meeting.status = MeetingStatus.SCHEDULED
    meeting.starts_at = clock.now() + timedelta(days=1)
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        assert permissions.meeting_flags(sw, meeting) == {
            "can_change": True,
            "can_cancel": True,
            "can_record": False,
        }
        started = meeting.starts_at + timedelta(minutes=1)
        assert permissions.meeting_flags(sw, meeting, now=started)["can_record"] is True
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as dt:
        assert not any(permissions.meeting_flags(dt, meeting, now=started).values())
