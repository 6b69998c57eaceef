"""Every "may this actor ..." rule about PEP meetings.

The services enforce them (``meetings.services`` raises ``PermissionDenied``); the portal's
meeting pages and the PEP page only ask (``roles_required(*ARRANGERS)`` and the flags of
:func:`meeting_flags`). Whether the meeting or the PEP is in a state to change (scheduled,
not finalised, already started) is the services' own rule, with its own message.

Who arranges PEP meetings: the child's social worker (personal adviser post-16) or the
Virtual School. Designated teachers, carers and young people are invited; everyone who
can see the PEP can see its meeting.
"""

from __future__ import annotations

from epep.tenancy import clock
from epep.tenancy.roles import VIRTUAL_SCHOOL_ROLES, Role

from .models import MeetingStatus

#: The roles that arrange PEP meetings (schedule, change, cancel, record attendance).
ARRANGERS = frozenset({Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER, Role.VS_HEAD, Role.VS_OFFICER})
#: Who the meeting form proposes from the child's circle: the designated teachers at the
#: child's school and the allocated personal adviser and social worker (in that order),
#: besides the carers and the young person.
INVITED_FROM_THE_SCHOOL = (Role.DESIGNATED_TEACHER,)
INVITED_ALLOCATIONS = (Role.PERSONAL_ADVISER, Role.SOCIAL_WORKER)


def can_arrange_meetings(actor) -> bool:
    """Does ``actor`` act in a role that arranges PEP meetings at all (for a PEP they
    have already reached through ``access_pep_by_id``)?"""
    return actor is not None and actor.role in ARRANGERS


def invites_themself(actor) -> bool:
    """Virtual School staff arranging a meeting are proposed themselves (anyone else is
    offered the authority's Virtual School officers to pick one)."""
    return actor is not None and actor.role in VIRTUAL_SCHOOL_ROLES


def _sees_pep(actor, pep) -> bool:
    """Is the PEP's child in ``actor``'s circle today (the same filter as every list)?"""
    from peps.selectors import peps_for

    return peps_for(actor=actor).filter(pk=pep.pk).exists()


def can_see_meeting(actor, meeting) -> bool:
    """Everyone who can see the PEP can see its meeting."""
    return actor is not None and _sees_pep(actor, meeting.pep)


def can_schedule_meeting(actor, pep) -> bool:
    """May ``actor`` schedule the meeting of ``pep`` (a child in their circle)?"""
    return can_arrange_meetings(actor) and _sees_pep(actor, pep)


def can_update_meeting(actor, meeting) -> bool:
    """May ``actor`` change the meeting (time, place, who is invited)?"""
    return can_arrange_meetings(actor) and _sees_pep(actor, meeting.pep)


def can_cancel_meeting(actor, meeting) -> bool:
    """May ``actor`` call the meeting off?"""
    return can_arrange_meetings(actor) and _sees_pep(actor, meeting.pep)


def can_record_meeting(actor, meeting) -> bool:
    """May ``actor`` record who attended and the notes?"""
    return can_arrange_meetings(actor) and _sees_pep(actor, meeting.pep)


def meeting_flags(actor, meeting, *, now=None) -> dict[str, bool]:
    """What the meeting page offers ``actor`` (who reached it through
    ``access_meeting_by_id``, so the circle is already checked): change and record while
    the PEP can change, cancel whenever the meeting is still scheduled (a meeting left
    scheduled on a PEP that has moved on can still be called off)."""
    arranger = can_arrange_meetings(actor)
    open_pep = not meeting.pep.is_locked
    scheduled = meeting.status == MeetingStatus.SCHEDULED
    started = meeting.starts_at <= (now or clock.now())
    return {
        "can_change": arranger and open_pep and scheduled,
        "can_cancel": arranger and scheduled,
        "can_record": arranger
        and open_pep
        and meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.HELD)
        and started,
    }
