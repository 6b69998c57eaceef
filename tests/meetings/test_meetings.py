"""PEP meetings: scheduled by the social worker or the Virtual School, invitations by email
with an iCalendar attachment (updates and cancellations keep the UID), attendance and
notes recorded against the PEP, and only the PEP's circle reaches any of it."""

from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from icalendar import Calendar

from epep.notifications import tasks as notification_tasks
from epep.notifications.models import Notification
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.roles import Role
from meetings import permissions, services
from meetings.models import Meeting, MeetingAttendee, MeetingStatus
from peps.models import Pep, Status, Transition

from ..factories import endorse
from ..peps.conftest import acting
from ..peps.test_cycle import start

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
BASE = "https://epep.example"
SCHEDULERS = [Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER, Role.VS_HEAD, Role.VS_OFFICER]


def next_on(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """The next ``day``/``month`` after today at ``hour``:``minute`` London time (always
    within the 12 months a meeting can be booked ahead; 15 July is always summer time
    and 15 January always winter time)."""
    today = clock.today()
    candidate = date(today.year, month, day)
    if candidate <= today:
        candidate = date(today.year + 1, month, day)
    return datetime.combine(candidate, time(hour, minute), tzinfo=LONDON)


def calendar_of(message) -> tuple[Calendar, str]:
    """The parsed .ics attached to an email, and the METHOD of its MIME part."""
    parts = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "one calendar attachment"
    part = parts[0]
    # Named by the meeting's date and reference, never the child.
    assert re.fullmatch(r"pep-meeting-\d{4}-\d\d-\d\d-[0-9a-f]{8}\.ics", part.get_filename())
    assert part.get_content_disposition() == "attachment"
    return Calendar.from_ical(part.get_content()), part.get_param("method")


def attendee_emails(event) -> set[str]:
    values = event.get("attendee")
    values = values if isinstance(values, list) else [values]
    return {str(v).removeprefix("mailto:") for v in values}


def proposals(world, pep, role=Role.SOCIAL_WORKER):
    with acting(world.a.users[role]) as actor:
        return services.default_attendees(pep, actor=actor)


def schedule(world, pep, *, role=Role.SOCIAL_WORKER, starts_at=None, **overrides):
    with acting(world.a.users[role]) as actor:
        chosen = [p.user for p in services.default_attendees(pep, actor=actor) if p.checked]
        arguments = {
            "starts_at": starts_at or next_on(7, 15),
            "duration_minutes": 60,
            "location": "Shared Academy, meeting room 2",
            "online_link": "",
            "attendee_users": chosen,
            "extra_emails": ["school.nurse@example.org"],
            "base_url": BASE,
            **overrides,
        }
        return services.meeting_schedule(actor=actor, pep=pep, **arguments)


def reload(meeting) -> Meeting:
    with all_authorities_context():
        return Meeting.objects.select_related("pep").get(pk=meeting.pk)


def meeting_url(meeting, suffix=""):
    return f"/peps/{meeting.pep.public_id}/meetings/{meeting.public_id}/{suffix}"


@pytest.fixture(autouse=True)
def _kent_endorses_seftons_teacher_too(world):
    """Both designated teachers at the shared school may see Kent's children there."""
    endorse(world.b.users[Role.DESIGNATED_TEACHER], world.a.la)


def deliver_outbox(*, after_id: int = 0) -> int:
    """Send the emails waiting in the outbox (newer than ``after_id``), as the
    dispatcher and a worker would. Returns how many were sent."""
    with all_authorities_context():
        waiting = list(
            Notification.objects.filter(pk__gt=after_id, sent_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "local_authority_id")
        )
    return sum(notification_tasks.send_notification(pk, la) == "sent" for pk, la in waiting)


def last_notification_id() -> int:
    with all_authorities_context():
        return Notification.objects.aggregate(last=Max("pk"))["last"] or 0


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Run on-commit callbacks as if the transaction had committed, then deliver the
    emails the block put in the outbox (meeting emails go through the outbox)."""

    @contextmanager
    def run():
        first = last_notification_id()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks
        deliver_outbox(after_id=first)

    return run


# --- Who is proposed, who may schedule -----------------------------------------------------


def test_the_proposed_attendees_are_the_childs_current_circle(world):
    pep = start(world)
    a = world.a
    got = {(p.user.email, p.role_label, p.checked) for p in proposals(world, pep)}
    assert got == {
        # both designated teachers at the child's (shared) school, endorsed by Kent
        (a.users[Role.DESIGNATED_TEACHER].email, "Designated teacher", True),
        (world.b.users[Role.DESIGNATED_TEACHER].email, "Designated teacher", True),
        (a.users[Role.CARER].email, "Carer", True),
        (a.users[Role.YOUNG_PERSON].email, "Young person", True),
        (a.users[Role.SOCIAL_WORKER].email, "Social worker", True),
        (a.users[Role.PERSONAL_ADVISER].email, "Personal adviser", True),
        # a social worker picks the officer: offered, not ticked
        (a.users[Role.VS_OFFICER].email, "Virtual School officer", False),
    }
    # A Virtual School officer scheduling proposes themself, ticked.
    by_officer = {p.user.email: p.checked for p in proposals(world, pep, Role.VS_OFFICER)}
    assert by_officer[a.users[Role.VS_OFFICER].email] is True


def test_a_designated_teacher_the_childs_authority_has_not_endorsed_is_not_proposed(world):
    from epep.tenancy.models import SchoolRoleEndorsement

    with authority_context(local_authority_ids=[world.a.la.pk]):
        SchoolRoleEndorsement.objects.filter(
            user=world.b.users[Role.DESIGNATED_TEACHER], local_authority=world.a.la
        ).update(state="withdrawn")
    pep = start(world)
    emails = {p.user.email for p in proposals(world, pep)}
    assert world.a.users[Role.DESIGNATED_TEACHER].email in emails
    assert world.b.users[Role.DESIGNATED_TEACHER].email not in emails


@pytest.mark.parametrize("role", SCHEDULERS)
def test_the_social_worker_personal_adviser_and_virtual_school_may_schedule(world, role):
    pep = start(world)
    meeting = schedule(world, pep, role=role)
    assert reload(meeting).status == MeetingStatus.SCHEDULED


@pytest.mark.parametrize(
    "role",
    [Role.DESIGNATED_TEACHER, Role.CARER, Role.YOUNG_PERSON, Role.IRO, Role.LA_ADMIN],
)
def test_others_may_not_schedule(world, client, role):
    pep = start(world)
    with pytest.raises(PermissionDenied):
        schedule(world, pep, role=role, attendee_users=[])
    client.force_login(world.a.users[role])
    assert client.get(f"/peps/{pep.public_id}/meetings/new/").status_code == 404
    with all_authorities_context():
        assert not Meeting.objects.exists()


def test_a_social_worker_outside_the_childs_circle_may_not_schedule(world):
    pep = start(world)
    with acting(world.b.users[Role.SOCIAL_WORKER]) as actor:
        with pytest.raises(PermissionDenied):
            services.meeting_schedule(
                actor=actor,
                pep=pep,
                starts_at=next_on(7, 15),
                location="Somewhere",
                extra_emails=["x@example.org"],
                base_url=BASE,
            )


# --- Invitations ------------------------------------------------------------------------


def test_scheduling_emails_each_attendee_an_invitation_in_summer_time(world, capture):
    pep = start(world)
    chosen = [p for p in proposals(world, pep) if p.checked]
    with capture():
        meeting = schedule(world, pep, starts_at=next_on(7, 15, 10, 0))
    expected = {p.email for p in chosen} | {"school.nurse@example.org"}
    assert len(mail.outbox) == len(expected) == 7
    assert {tuple(m.to) for m in mail.outbox} == {(e,) for e in expected}
    for message in mail.outbox:
        assert message.subject.startswith("PEP meeting for I.C., ")
        cal, method = calendar_of(message)
        assert method == "REQUEST" and cal["METHOD"] == "REQUEST"
        assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
        assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
        (event,) = cal.walk("VEVENT")
        assert event["UID"] == meeting.ical_uid and meeting.ical_uid.endswith("@epep")
        assert event["SEQUENCE"] == 0
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        start_at = event.decoded("DTSTART")
        assert (start_at.hour, start_at.minute) == (10, 0)
        assert start_at.astimezone(UTC).time() == time(9, 0)  # BST: UTC+1
        assert event.decoded("DTEND") - start_at == timedelta(hours=1)
        assert event.decoded("DTSTAMP").tzinfo is not None
        assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
        assert str(event["STATUS"]) == "CONFIRMED"
        assert str(event["LOCATION"]) == "Shared Academy, meeting room 2"
        assert str(event["ORGANIZER"]) == "mailto:no-reply@epep.invalid"
        assert "via ePEP" in event["ORGANIZER"].params["CN"]
        assert attendee_emails(event) == expected
        for attendee in event.get("attendee"):
            assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
            assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
            assert attendee.params["RSVP"] == "FALSE"
        assert f"{BASE}/peps/{pep.public_id}/" in str(event["DESCRIPTION"])
    with all_authorities_context():
        assert Pep.objects.get(pk=pep.pk).meeting_date == next_on(7, 15).date()
        assert MeetingAttendee.objects.filter(meeting=meeting).count() == 7


def test_a_winter_meeting_is_in_greenwich_mean_time(world, capture):
    pep = start(world)
    with capture():
        schedule(
            world,
            pep,
            starts_at=next_on(1, 15, 10, 0),
            location="",
            online_link="https://teams.example.com/meet/123",
        )
    cal, _ = calendar_of(mail.outbox[0])
    (event,) = cal.walk("VEVENT")
    start_at = event.decoded("DTSTART")
    assert (start_at.hour, start_at.minute) == (10, 0)
    assert start_at.astimezone(UTC).time() == time(10, 0)  # GMT: UTC+0
    assert "LOCATION" not in event
    assert str(event["URL"]) == "https://teams.example.com/meet/123"
    assert "https://teams.example.com/meet/123" in str(event["DESCRIPTION"])
    assert cal.walk("VTIMEZONE")


def test_the_childs_full_name_stays_out_of_calendars_and_emails(world, capture):
    child = world.a.child
    # A young person's account carries their own name: in the calendar they are initials.
    young_person = world.a.users[Role.YOUNG_PERSON]
    young_person.full_name = child.display_name
    young_person.save()
    pep = start(world)
    with capture():
        schedule(world, pep)
    assert mail.outbox
    for message in mail.outbox:
        cal, _ = calendar_of(message)
        text = cal.to_ical().decode()
        unfolded = text.replace("\r\n ", "")
        for leak in (child.legal_last_name, child.display_name, child.upn):
            assert leak not in unfolded
            assert leak not in message.subject and leak not in message.body
        (event,) = cal.walk("VEVENT")
        assert str(event["SUMMARY"]) == "PEP meeting for I.C."
        assert str(event["CLASS"]) == "PRIVATE"


def test_a_change_keeps_the_uid_and_raises_the_sequence(world, capture):
    pep = start(world)
    meeting = schedule(world, pep)
    carer = world.a.users[Role.CARER]
    mail.outbox.clear()
    new_start = next_on(7, 15, 14, 30)
    with capture():
        with acting(world.a.users[Role.SOCIAL_WORKER]) as actor:
            keep = [
                p.user
                for p in services.default_attendees(pep, actor=actor)
                if p.checked and p.user != carer
            ]
            services.meeting_update(
                actor=actor,
                meeting=meeting,
                starts_at=new_start,
                duration_minutes=90,
                location="Shared Academy, library",
                online_link="",
                attendee_users=keep,
                extra_emails=["school.nurse@example.org", "interpreter@example.org"],
                base_url=BASE,
            )
    meeting = reload(meeting)
    assert meeting.sequence == 1 and meeting.duration_minutes == 90
    updates = [m for m in mail.outbox if m.subject.startswith("Changed: ")]
    cancels = [m for m in mail.outbox if m.subject.startswith("Cancelled: ")]
    assert {m.to[0] for m in updates} == {u.email for u in keep} | {
        "school.nurse@example.org",
        "interpreter@example.org",
    }
    for message in updates:
        cal, method = calendar_of(message)
        assert method == "REQUEST"
        (event,) = cal.walk("VEVENT")
        assert event["UID"] == meeting.ical_uid and event["SEQUENCE"] == 1
        assert event.decoded("DTSTART").astimezone(UTC).time() == time(13, 30)
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=90)
        assert carer.email not in attendee_emails(event)
    # The carer, taken off the list, is told it no longer stands for them.
    (cancel,) = cancels
    assert cancel.to == [carer.email]
    cal, method = calendar_of(cancel)
    (event,) = cal.walk("VEVENT")
    assert method == "CANCEL" and cal["METHOD"] == "CANCEL"
    assert event["UID"] == meeting.ical_uid and event["SEQUENCE"] == 1
    assert attendee_emails(event) == {carer.email}


def test_a_change_with_nothing_changed_sends_nothing(world, capture):
    pep = start(world)
    starts_at = next_on(7, 15)
    meeting = schedule(world, pep, starts_at=starts_at)
    mail.outbox.clear()
    with capture():
        with acting(world.a.users[Role.SOCIAL_WORKER]) as actor:
            chosen = [p.user for p in services.default_attendees(pep, actor=actor) if p.checked]
            services.meeting_update(
                actor=actor,
                meeting=meeting,
                starts_at=starts_at,
                duration_minutes=60,
                location="Shared Academy, meeting room 2",
                online_link="",
                attendee_users=chosen,
                extra_emails=["school.nurse@example.org"],
                base_url=BASE,
            )
    assert mail.outbox == [] and reload(meeting).sequence == 0


def test_cancelling_sends_method_cancel_with_the_same_uid(world, capture):
    pep = start(world)
    meeting = schedule(world, pep)
    with all_authorities_context():
        invited = set(
            MeetingAttendee.objects.filter(meeting=meeting).values_list("email", flat=True)
        )
    with capture():
        with acting(world.a.users[Role.VS_OFFICER]) as actor:
            services.meeting_cancel(
                actor=actor, meeting=meeting, reason="The carer is unwell.", base_url=BASE
            )
    meeting = reload(meeting)
    assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 1
    assert meeting.cancel_reason == "The carer is unwell."
    with all_authorities_context():
        assert Pep.objects.get(pk=pep.pk).meeting_date is None
    assert len(invited) == 7 and {m.to[0] for m in mail.outbox} == invited
    for message in mail.outbox:
        assert message.subject.startswith("Cancelled: PEP meeting for I.C.")
        assert "unwell" not in message.body  # the reason stays in ePEP
        cal, method = calendar_of(message)
        (event,) = cal.walk("VEVENT")
        assert method == "CANCEL" and cal["METHOD"] == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["UID"] == meeting.ical_uid and event["SEQUENCE"] == 1
    # A new meeting can now be scheduled, with a new UID.
    again = schedule(world, pep)
    assert again.ical_uid != meeting.ical_uid


def test_a_cancellation_needs_a_reason(world):
    pep = start(world)
    meeting = schedule(world, pep)
    with acting(world.a.users[Role.SOCIAL_WORKER]) as actor:
        with pytest.raises(ValidationError) as error:
            services.meeting_cancel(actor=actor, meeting=meeting, reason="  ")
    assert error.value.message_dict == {"reason": ["Say why the meeting is cancelled"]}


def test_one_scheduled_meeting_per_pep(world):
    pep = start(world)
    meeting = schedule(world, pep)
    with pytest.raises(ValidationError, match="already has a meeting scheduled"):
        schedule(world, pep)
    # The database holds the rule too.
    with pytest.raises(IntegrityError):
        with authority_context(local_authority_ids=[world.a.la.pk]):
            Meeting.objects.create(
                local_authority=world.a.la,
                pep=pep,
                starts_at=meeting.starts_at,
                location="Elsewhere",
                ical_uid=f"{uuid.uuid4()}@epep",
                organiser=world.a.users[Role.SOCIAL_WORKER],
            )


# --- Validation -------------------------------------------------------------------------


def test_the_service_names_each_problem_and_creates_and_sends_nothing(world, capture):
    pep = start(world)
    with capture():
        with pytest.raises(ValidationError) as error:
            schedule(
                world,
                pep,
                starts_at=clock.now() - timedelta(hours=1),
                location="",
                online_link="http://insecure.example.com/meet",
                extra_emails=["bob@"],
                duration_minutes=5,
            )
    assert set(error.value.message_dict) == {
        "starts_at",
        "duration_minutes",
        "online_link",
        "extra_emails",
    }
    with capture():
        with pytest.raises(ValidationError) as error:
            schedule(world, pep, location="", online_link="")
    assert error.value.message_dict == {
        "location": ["Enter where the meeting is, or a link to join online"]
    }
    with all_authorities_context():
        assert not Meeting.objects.exists()
        assert Pep.objects.get(pk=pep.pk).meeting_date is None
    assert mail.outbox == []


def form_data(world, pep, **overrides):
    with acting(world.a.users[Role.SOCIAL_WORKER]) as actor:
        chosen = [
            str(p.user.public_id) for p in services.default_attendees(pep, actor=actor) if p.checked
        ]
    when = next_on(7, 15, 10, 0)
    return {
        "date": when.date().isoformat(),
        "time": "10:00",
        "duration": "60",
        "location": "Shared Academy, meeting room 2",
        "online_link": "",
        "attendees": chosen,
        "extra_emails": "",
        **overrides,
    }


def error_next_to(page: str, field: str) -> str:
    """The text of the error message shown next to ``field`` on a GOV.UK form."""
    marker = f'id="id_{field}-error"'
    assert marker in page, f"no error next to {field}"
    start_at = page.index(marker)
    return page[start_at : page.index("</p>", start_at)]


def test_the_form_shows_each_problem_next_to_its_field_and_nothing_is_created(
    world, client, capture
):
    pep = start(world)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    yesterday = clock.today() - timedelta(days=1)
    with capture():
        response = client.post(
            f"/peps/{pep.public_id}/meetings/new/",
            form_data(
                world,
                pep,
                date=yesterday.isoformat(),
                location="",
                online_link="",
                extra_emails="nurse@example.org\nbob@\n\nfine@example.org",
            ),
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The meeting must be in the future" in error_next_to(page, "date")
    assert "Enter where the meeting is, or a link to join online" in error_next_to(page, "location")
    assert "Line 2: “bob@” is not an email address" in error_next_to(page, "extra_emails")
    assert 'class="govuk-error-summary"' in page
    with all_authorities_context():
        assert not Meeting.objects.exists()
    assert mail.outbox == []


def test_the_form_refuses_a_link_that_is_not_https_and_a_bad_time(world, client):
    pep = start(world)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    response = client.post(
        f"/peps/{pep.public_id}/meetings/new/",
        form_data(world, pep, online_link="javascript:alert(1)", time="25:99"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "starting with https://" in error_next_to(page, "online_link")
    assert "24-hour clock" in error_next_to(page, "time")


# --- The pages ----------------------------------------------------------------------------


def test_scheduling_through_the_pages_and_the_designated_teacher_sees_it(world, client, capture):
    pep = start(world)
    sw = world.a.users[Role.SOCIAL_WORKER]
    client.force_login(sw)
    page = client.get(f"/peps/{pep.public_id}/").content.decode()
    assert "No PEP meeting is scheduled" in page and "Schedule the PEP meeting" in page
    form = client.get(f"/peps/{pep.public_id}/meetings/new/").content.decode()
    assert world.a.users[Role.DESIGNATED_TEACHER].full_name in form
    with capture():
        response = client.post(
            f"/peps/{pep.public_id}/meetings/new/",
            form_data(world, pep, extra_emails="interpreter@example.org"),
        )
    assert response.status_code == 302
    with all_authorities_context():
        meeting = Meeting.objects.select_related("pep").get(pep=pep)
    assert response["Location"] == meeting_url(meeting)
    assert "interpreter@example.org" in {m.to[0] for m in mail.outbox}
    detail = client.get(meeting_url(meeting)).content.decode()
    assert "Cancel meeting" in detail and "Add to your calendar" in detail

    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    page = client.get(f"/peps/{pep.public_id}/").content.decode()
    when = next_on(7, 15)
    assert f"PEP meeting:</strong> {when:%A} {when.day} {when:%B %Y} at 10:00" in page
    assert "Schedule the PEP meeting" not in page
    detail = client.get(meeting_url(meeting)).content.decode()
    assert "Cancel meeting" not in detail  # the school sees it, the social worker runs it
    assert world.a.users[Role.CARER].full_name in detail
    download = client.get(meeting_url(meeting, "pep-meeting.ics"))
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="pep-meeting-{when.date().isoformat()}-'
        f'{meeting.public_id.hex[:8]}.ics"'
    )
    assert download["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(download.content)
    assert cal["METHOD"] == "PUBLISH"
    assert cal.walk("VEVENT")[0]["UID"] == meeting.ical_uid


@pytest.mark.parametrize("role", list(Role))
def test_the_schedule_link_is_shown_only_to_those_who_may_schedule(world, client, role):
    pep = start(world)
    client.force_login(world.a.users[role])
    response = client.get(f"/peps/{pep.public_id}/")
    if response.status_code == 404:
        # School staff are outside the circle; a young person never opens the
        # professionals' PEP page (they have their own).
        assert role in (Role.SCHOOL_STAFF, Role.YOUNG_PERSON)
        return
    shown = "Schedule the PEP meeting" in response.content.decode()
    assert shown == (role in permissions.ARRANGERS)


def test_changing_and_cancelling_through_the_pages(world, client, capture):
    pep = start(world)
    meeting = schedule(world, pep)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    form = client.get(meeting_url(meeting, "change/")).content.decode()
    assert 'value="school.nurse@example.org' not in form  # a textarea, not an input
    assert "school.nurse@example.org</textarea>" in form
    mail.outbox.clear()
    with capture():
        response = client.post(
            meeting_url(meeting, "change/"),
            form_data(world, pep, time="11:15", extra_emails="school.nurse@example.org"),
        )
    assert response.status_code == 302
    assert reload(meeting).sequence == 1
    assert mail.outbox and all(m.subject.startswith("Changed: ") for m in mail.outbox)
    response = client.post(meeting_url(meeting, "cancel/"), {"reason": ""})
    assert response.status_code == 400
    assert "Say why the meeting is cancelled" in error_next_to(response.content.decode(), "reason")
    with capture():
        response = client.post(meeting_url(meeting, "cancel/"), {"reason": "Exams week."})
    assert response.status_code == 302
    assert reload(meeting).status == MeetingStatus.CANCELLED
    page = client.get(f"/peps/{pep.public_id}/").content.decode()
    assert "Schedule the PEP meeting" in page


# --- Attendance and notes -----------------------------------------------------------------


def move_to_the_past(meeting, hours=2):
    with all_authorities_context():
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=clock.now() - timedelta(hours=hours))


def test_attendance_and_notes_are_recorded_against_the_pep(world, client):
    pep = start(world)
    meeting = schedule(world, pep)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    assert client.get(meeting_url(meeting, "record/")).status_code == 302  # not yet
    move_to_the_past(meeting)
    with all_authorities_context():
        attendees = list(MeetingAttendee.objects.filter(meeting=meeting))
    carer = next(a for a in attendees if a.role_label == "Carer")
    data = {f"attended_{a.public_id}": "no" if a == carer else "yes" for a in attendees}
    missing = dict(data)
    del missing[f"attended_{carer.public_id}"]
    response = client.post(meeting_url(meeting, "record/"), {**missing, "notes": "x"})
    assert response.status_code == 400
    assert f"Say whether {carer.name} attended" in response.content.decode()

    response = client.post(
        meeting_url(meeting, "record/"),
        {**data, "notes": "Agreed extra reading support."},
    )
    assert response.status_code == 302
    meeting = reload(meeting)
    assert meeting.status == MeetingStatus.HELD
    assert meeting.notes == "Agreed extra reading support."
    assert meeting.recorded_by == world.a.users[Role.SOCIAL_WORKER]
    with all_authorities_context():
        recorded = dict(
            MeetingAttendee.objects.filter(meeting=meeting).values_list("email", "attended")
        )
        pep = Pep.objects.get(pk=pep.pk)
        moves = list(Transition.objects.filter(pep=pep).values_list("to_status", flat=True))
    assert recorded[carer.email] is False
    assert sum(recorded.values()) == len(attendees) - 1
    # Recorded against the PEP: its meeting date, and the PEP's own "meeting held" step.
    assert pep.meeting_date == timezone.localdate(meeting.starts_at)
    assert pep.status == Status.MEETING_HELD and moves == [Status.MEETING_HELD]
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    detail = client.get(meeting_url(meeting)).content.decode()
    assert "Agreed extra reading support." in detail
    page = client.get(f"/peps/{pep.public_id}/").content.decode()
    assert "PEP meeting held" in page


def test_attendance_cannot_be_recorded_before_the_meeting(world):
    pep = start(world)
    meeting = schedule(world, pep)
    with acting(world.a.users[Role.SOCIAL_WORKER]) as actor:
        with pytest.raises(ValidationError, match="once the meeting has started"):
            services.meeting_record(actor=actor, meeting=meeting, attended={}, notes="")


def test_a_designated_teacher_cannot_record_attendance(world):
    pep = start(world)
    meeting = schedule(world, pep)
    move_to_the_past(meeting)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as actor:
        with pytest.raises(PermissionDenied):
            services.meeting_record(actor=actor, meeting=meeting, attended={}, notes="")


def test_every_change_is_audited(world, capture):
    from epep.audit.models import AuditEvent

    pep = start(world)
    meeting = schedule(world, pep)
    with acting(world.a.users[Role.SOCIAL_WORKER]) as actor:
        services.meeting_cancel(actor=actor, meeting=meeting, reason="Clash")
    with all_authorities_context():
        actions = list(
            AuditEvent.objects.filter(
                object_type="meetings.meeting", object_id=str(meeting.public_id)
            )
            .order_by("id")
            .values_list("action", "child_public_id")
        )
    assert actions == [("create", world.a.child.public_id), ("cancel", world.a.child.public_id)]


# --- The authority boundary ---------------------------------------------------------------


MEETING_SUFFIXES = ["", "change/", "cancel/", "record/", "pep-meeting.ics"]


@pytest.mark.parametrize(
    "role",
    [Role.VS_HEAD, Role.VS_OFFICER, Role.LA_ADMIN, Role.SOCIAL_WORKER, Role.CARER, Role.IRO],
)
def test_another_authoritys_user_gets_the_same_404_as_for_a_missing_meeting(world, client, role):
    pep = start(world)
    meeting = schedule(world, pep)
    move_to_the_past(meeting)
    client.force_login(world.b.users[role])
    for suffix in MEETING_SUFFIXES:
        url = meeting_url(meeting, suffix)
        missing = f"/peps/{uuid.uuid4()}/meetings/{uuid.uuid4()}/{suffix}"
        for method in ("get", "post"):
            refused = getattr(client, method)(url)
            absent = getattr(client, method)(missing)
            # 405 for a POST to a page that only shows (identical either way)
            assert refused.status_code in (404, 405), f"{role} {method} {url}"
            assert (refused.status_code, refused.content) == (
                absent.status_code,
                absent.content,
            )
    assert client.get(f"/peps/{pep.public_id}/meetings/new/").status_code == 404
    assert reload(meeting).status == MeetingStatus.SCHEDULED


def test_a_meeting_is_found_only_under_its_own_pep(world, client):
    """A meeting id under another PEP the user can see is a 404, not the meeting."""
    pep_a = start(world)
    meeting = schedule(world, pep_a)
    with acting(world.b.users[Role.SOCIAL_WORKER]) as sw_b:
        from peps.services import pep_start

        pep_b = pep_start(actor=sw_b, child=world.b.child)
    # The designated teacher at the shared school sees both children's PEPs.
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    assert client.get(meeting_url(meeting)).status_code == 200
    wrong = f"/peps/{pep_b.public_id}/meetings/{meeting.public_id}/"
    assert client.get(wrong).status_code == 404


def test_meeting_rows_are_held_inside_their_authority_by_the_database(world):
    pep = start(world)
    meeting = schedule(world, pep)
    with authority_context(local_authority_ids=[world.b.la.pk]):
        assert not Meeting.objects.exists()
        assert not MeetingAttendee.objects.exists()
    # Foreign-key checks ignore RLS: the composite key (pep, authority) refuses a meeting
    # filed under another authority.
    with pytest.raises(IntegrityError):
        with authority_context(local_authority_ids=[world.a.la.pk, world.b.la.pk]):
            with transaction.atomic():
                Meeting.objects.create(
                    local_authority=world.b.la,
                    pep=pep,
                    starts_at=meeting.starts_at,
                    location="Elsewhere",
                    status=MeetingStatus.HELD,
                    ical_uid=f"{uuid.uuid4()}@epep",
                    organiser=world.a.users[Role.SOCIAL_WORKER],
                )
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
