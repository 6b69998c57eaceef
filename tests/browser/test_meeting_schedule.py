"""Scheduling the PEP meeting in real Chromium: the social worker schedules it from the
PEP page (a mistake first, shown next to its field), everyone invited gets an email with
the calendar invitation, and the designated teacher then sees the meeting on the PEP."""

from datetime import date

import pytest
from django.core import mail
from icalendar import Calendar

from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from meetings.models import Meeting

from ..meetings.test_meetings import deliver_outbox
from ..peps.test_cycle import start
from .conftest import axe_violations, screenshot
from .test_pep_journey import as_user, field

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_15_july() -> date:
    today = clock.today()
    candidate = date(today.year, 7, 15)
    return candidate if candidate > today else date(today.year + 1, 7, 15)


def test_the_social_worker_schedules_the_meeting_and_the_teacher_sees_it(
    browser, live_server, world
):
    from deadlines.services import deadlines_refresh
    from epep.tenancy.context import authority_context

    a = world.a
    pep = start(world)
    pep_url = f"{live_server.url}/peps/{pep.public_id}/"
    day = next_15_july()
    # The child's PEP is overdue: the in-tray has a task for the social worker (arrange
    # the meeting) and for the designated teacher (complete the PEP).
    with authority_context(local_authority_ids=[a.la.pk]):
        deadlines_refresh(child=a.child)

    ctx, sw = as_user(browser, live_server, a.users[Role.SOCIAL_WORKER], locale="en-GB")
    sw.goto(f"{live_server.url}/caseload/")
    arrange = f"Arrange the PEP meeting for {a.child.display_name}"
    assert arrange in sw.get_by_test_id("tasks-table").inner_text()
    sw.goto(pep_url)
    sw.get_by_test_id("pep-meeting").get_by_role("link", name="Schedule the PEP meeting").click()
    sw.get_by_role("heading", level=1, name="Schedule the PEP meeting").wait_for()
    # The child's circle is proposed, ticked; the Virtual School officer is offered.
    assert sw.get_by_role("checkbox", name=a.users[Role.DESIGNATED_TEACHER].full_name).is_checked()
    assert sw.get_by_role("checkbox", name=a.users[Role.CARER].full_name).is_checked()
    assert not sw.get_by_role("checkbox", name=a.users[Role.VS_OFFICER].full_name).is_checked()
    assert axe_violations(sw) == []

    # A mistake first: no place and no link, and a bad extra address.
    field(sw, "Date").fill(day.isoformat())
    field(sw, "Start time").fill("10:00")
    field(sw, "Other people to invite by email (optional)").fill(
        "school.nurse@example.org\nnot-an-address"
    )
    sw.get_by_role("button", name="Schedule and send invitations").click()
    sw.locator(".govuk-error-summary").wait_for()
    assert (
        "Enter where the meeting is, or a link to join online"
        in sw.locator("#id_location-error").inner_text()
    )
    assert (
        "Line 2: “not-an-address” is not an email address"
        in sw.locator("#id_extra_emails-error").inner_text()
    )
    assert axe_violations(sw) == []
    screenshot(sw, "meeting-schedule-errors")
    assert mail.outbox == []

    # Put it right: the values typed are still there.
    assert field(sw, "Start time").input_value() == "10:00"
    field(sw, "Where (optional if the meeting is online)").fill("Shared Academy, meeting room 2")
    field(sw, "Other people to invite by email (optional)").fill("school.nurse@example.org")
    field(sw, "How long").select_option("90")
    sw.get_by_role("checkbox", name=a.users[Role.VS_OFFICER].full_name).check()
    screenshot(sw, "meeting-schedule-form")
    sw.get_by_role("button", name="Schedule and send invitations").click()
    sw.get_by_role("heading", level=1, name="PEP meeting").wait_for()
    assert sw.get_by_test_id("meeting-status").inner_text() == "Scheduled"
    assert (
        sw.get_by_test_id("meeting-when").inner_text()
        == f"{day:%A} {day.day} {day:%B %Y}, 10:00 to 11:30"
    )
    assert axe_violations(sw) == []
    screenshot(sw, "meeting-detail-social-worker")
    # Scheduling the meeting closed the social worker's task.
    sw.goto(f"{live_server.url}/caseload/")
    assert arrange not in sw.content()
    ctx.close()

    with all_authorities_context():
        meeting = Meeting.objects.get(pep=pep)
        invited = set(meeting.attendees.values_list("email", flat=True))
    assert a.users[Role.VS_OFFICER].email in invited
    deliver_outbox()  # meeting emails go through the outbox
    assert sorted(m.to[0] for m in mail.outbox) == sorted(invited)
    teacher_email = next(m for m in mail.outbox if m.to == [a.users[Role.DESIGNATED_TEACHER].email])
    (part,) = [p for p in teacher_email.message().walk() if p.get_content_type() == "text/calendar"]
    event = Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
    assert event["UID"] == meeting.ical_uid

    # The designated teacher sees the task in the in-tray, then the meeting on the PEP.
    ctx, dt = as_user(browser, live_server, a.users[Role.DESIGNATED_TEACHER], locale="en-GB")
    dt.goto(f"{live_server.url}/designated-teacher/")
    tasks = dt.get_by_test_id("tasks-table").inner_text()
    assert f"Complete the PEP for {a.child.display_name}" in tasks
    assert axe_violations(dt) == []
    screenshot(dt, "designated-teacher-in-tray")
    dt.goto(pep_url)
    block = dt.get_by_test_id("pep-meeting")
    assert f"{day:%A} {day.day} {day:%B %Y} at 10:00" in block.inner_text()
    assert "Shared Academy, meeting room 2" in block.inner_text()
    assert dt.get_by_role("link", name="Schedule the PEP meeting").count() == 0
    assert axe_violations(dt) == []
    screenshot(dt, "pep-page-with-meeting-designated-teacher")
    block.get_by_role("link", name="See the meeting").click()
    dt.get_by_role("heading", level=1, name="PEP meeting").wait_for()
    attendees = dt.get_by_test_id("meeting-attendees").inner_text()
    assert a.users[Role.CARER].full_name in attendees
    assert dt.get_by_role("link", name="Cancel meeting").count() == 0
    assert dt.get_by_role("link", name="Add to your calendar (.ics file)").count() == 1
    assert axe_violations(dt) == []
    screenshot(dt, "meeting-detail-designated-teacher")
    ctx.close()
