"""The iCalendar (RFC 5545 / iTIP RFC 5546) event for a PEP meeting.

Privacy: calendars leak. Events are synced to phones, shown to colleagues and delegates,
and forwarded; a carer's or young person's calendar may be a personal account. So the
event never carries the child's name: the summary names the child by initials only
("PEP meeting for J.S."), the description holds no personal details (only the online
link and a link to the PEP in ePEP, which needs signing in), and a young person invited
to their own meeting appears among the attendees under their initials too. What the
organiser types as the location goes in as typed (the form asks for no personal
details there).
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from epep.exports import download_name, short_reference
from epep.tenancy import clock

from .models import Meeting, MeetingAttendee, MeetingStatus

PRODID = "-//ePEP//PEP meetings//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"
YOUNG_PERSON_LABEL = "Young person"


def filename(meeting: Meeting) -> str:
    """The calendar file's name: the meeting's date and reference, never the child's
    name ("pep-meeting-2027-03-04-3f9a1c2e.ics")."""
    day = timezone.localdate(meeting.starts_at)
    return download_name(
        "pep-meeting", day.isoformat(), short_reference(meeting.public_id), extension="ics"
    )


def child_initials(child) -> str:
    """``J.S.`` for Jamie Smith (the preferred first name when there is one)."""
    first = (child.preferred_name or child.legal_first_name or "").strip()
    last = (child.legal_last_name or "").strip()
    return "".join(f"{part[0].upper()}." for part in (first, last) if part)


def summary(meeting: Meeting) -> str:
    return f"PEP meeting for {child_initials(meeting.pep.child)}"


def pep_link(meeting: Meeting, base_url: str) -> str:
    if not base_url:
        return ""
    path = reverse("portal:pep_detail", kwargs={"pep_id": meeting.pep.public_id})
    return base_url.rstrip("/") + path


def attendee_display_name(attendee: MeetingAttendee, meeting: Meeting) -> str:
    """The name an attendee carries in the calendar: the child's own account by initials."""
    if attendee.role_label == YOUNG_PERSON_LABEL:
        return child_initials(meeting.pep.child)
    return attendee.name


def description(meeting: Meeting, base_url: str, method: str = REQUEST) -> str:
    lines = ["Personal Education Plan (PEP) meeting."]
    if meeting.online_link:
        lines.append(f"Join online: {meeting.online_link}")
    link = pep_link(meeting, base_url)
    if link:
        lines.append(f"The PEP in ePEP (sign in to see it): {link}")
    if meeting.status == MeetingStatus.CANCELLED:
        lines.insert(0, "This meeting has been cancelled.")
    elif method == CANCEL:
        lines.insert(0, "You are no longer invited to this meeting.")
    return "\n".join(lines)


def _address(email: str, name: str = "") -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    return address


def meeting_ics(
    meeting: Meeting,
    method: str,
    *,
    base_url: str = "",
    attendees: list[MeetingAttendee] | None = None,
) -> bytes:
    """The calendar object for ``meeting``: METHOD REQUEST (invitation or update),
    CANCEL (cancelled, or ``attendees`` uninvited) or PUBLISH (a download).

    ``attendees`` defaults to everyone invited; a CANCEL sent to people taken off the
    list names only them (RFC 5546 3.2.5)."""
    if method not in (REQUEST, CANCEL, PUBLISH):
        raise ValueError(f"Unknown iTIP method {method}")
    london = ZoneInfo(settings.TIME_ZONE)
    start = timezone.localtime(meeting.starts_at, london)
    end = start + timedelta(minutes=meeting.duration_minutes)
    if attendees is None:
        attendees = list(meeting.attendees.all())

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)

    event = Event()
    event.add("uid", meeting.ical_uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", clock.now().astimezone(ZoneInfo("UTC")))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary(meeting))
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.online_link:
        event.add("url", meeting.online_link)
    event.add("description", description(meeting, base_url, method))
    # Private: people who share the calendar see "busy", not the details.
    event.add("class", "PRIVATE")
    cancelled = method == CANCEL or meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    name, from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organiser_name = f"{meeting.organiser.full_name} via ePEP" if meeting.organiser_id else name
    event.add("organizer", _address(from_address, organiser_name or "ePEP"))
    for attendee in attendees:
        address = _address(attendee.email, attendee_display_name(attendee, meeting))
        address.params["ROLE"] = "REQ-PARTICIPANT"
        address.params["PARTSTAT"] = "NEEDS-ACTION"
        address.params["RSVP"] = "FALSE"
        event.add("attendee", address)
    cal.add_component(event)
    # VTIMEZONE for Europe/London from the tz database, for a window around the meeting
    # (the default window, 1970 to 2038, lists every change since 1970).
    cal.add_missing_timezones(
        first_date=start.date() - timedelta(days=366),
        last_date=start.date() + timedelta(days=366),
    )
    return cal.to_ical()
