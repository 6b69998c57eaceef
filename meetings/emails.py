"""The emails a meeting change sends: one per attendee, with the iCalendar (.ics) file,
written to the outbox (``epep.notifications``) in the change's own transaction, so they
exist exactly when the change does and nothing is sent from the request. Each has a dedupe
key (meeting, sequence, kind, attendee)."""

from __future__ import annotations

from collections.abc import Sequence

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from epep.notifications.models import NotificationKind
from epep.notifications.services import notification_enqueue

from . import ics
from .models import Meeting, MeetingAttendee


def _attachment(content: bytes, method: str, name: str) -> dict:
    """The .ics as the outbox holds an attachment (text, with its METHOD)."""
    return {
        "filename": name,
        "content": content.decode(),
        "content_type": "text/calendar",
        "params": {"method": method},
    }


def _when_label(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    return f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M} to {end:%H:%M}"


def meeting_emails_queue(
    meeting: Meeting,
    *,
    kind: str,
    method: str,
    recipients: Sequence[MeetingAttendee],
    base_url: str,
    by,
    per_recipient_ics: bool = False,
) -> int:
    """Put one email per recipient in the outbox, in the change's transaction. Returns
    how many were queued."""
    if not recipients:
        return 0
    subject_prefix = {"invitation": "", "update": "Changed: ", "cancellation": "Cancelled: "}
    summary = ics.summary(meeting)
    when = _when_label(meeting)
    pep_url = base_url.rstrip("/") + reverse(
        "portal:pep_detail", kwargs={"pep_id": meeting.pep.public_id}
    )
    shared = None if per_recipient_ics else ics.meeting_ics(meeting, method, base_url=base_url)
    queued = 0
    for attendee in recipients:
        content = shared or ics.meeting_ics(
            meeting, method, base_url=base_url, attendees=[attendee]
        )
        body = render_to_string(
            f"meetings/email/{kind}.txt",
            {
                "attendee": attendee,
                # The young person's own name stays out of emails too (they get forwarded).
                "greeting_name": ""
                if attendee.role_label == ics.YOUNG_PERSON_LABEL
                else attendee.name,
                "meeting": meeting,
                "initials": ics.child_initials(meeting.pep.child),
                "when": when,
                # who made this change (not always who first arranged the meeting)
                "organiser": by.full_name,
                # Only people with an ePEP account can follow the link.
                "pep_url": pep_url if attendee.user_id else "",
                "uninvited": per_recipient_ics,
            },
        )
        queued += notification_enqueue(
            local_authority_id=meeting.local_authority_id,
            recipient=attendee.user,
            email=attendee.email,
            kind=NotificationKind.MEETING,
            dedupe_key=(
                f"meeting:{meeting.public_id}:{meeting.sequence}:{kind}:{attendee.public_id}"
            ),
            subject=f"{subject_prefix[kind]}{summary}, {when}",
            body=body,
            attachments=[_attachment(content, method, ics.filename(meeting))],
        )
    return queued
