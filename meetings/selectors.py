"""Reads of PEP meetings, scoped to what the actor may see."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Prefetch, QuerySet

from epep.tenancy.access import fetch_or_404

from .models import Meeting, MeetingAttendee


def meetings_for(*, actor) -> QuerySet[Meeting]:
    """The meetings of every PEP ``actor`` can see (everyone who can see the PEP can see
    its meeting)."""
    from peps.selectors import peps_for

    return Meeting.objects.filter(pep__in=peps_for(actor=actor).order_by().values("pk"))


def access_meeting_by_id(*, actor, meeting_id: UUID, pep=None) -> Meeting:
    """The one way to fetch a meeting a user asked for (of ``pep`` when given: the
    meeting pages name both): a meeting that does not exist and one out of reach give the
    same 404, and the refusal is recorded once, in the child's authority
    (``epep.tenancy.access.fetch_or_404``)."""
    meetings = meetings_for(actor=actor)
    if pep is not None:
        meetings = meetings.filter(pep=pep)
    meeting = fetch_or_404(
        meetings.select_related("organiser", "recorded_by", "pep", "pep__child").prefetch_related(
            Prefetch("attendees", queryset=MeetingAttendee.objects.select_related("user"))
        ),
        actor=actor,
        object_type="meetings.meeting",
        public_id=meeting_id,
        message="No meeting found",
    )
    if pep is not None:
        meeting.pep = pep  # already loaded, with the child
    return meeting
